"""The map in the main window: loading it, following the core's changes and the list's filter, picking a point.

:class:`WindowMap` keeps the map view in step with the session. A change
summary (:class:`inspector.store.changes.Changes`) of a zone change or of
(nearly) every case reloads the map document in the background; otherwise
only the markers of the cases whose rows changed are placed, recoloured or
removed in place, and the photo markers of the cases whose evidence changed are
drawn anew. The map shows the cases the case list's filter admits.
:meth:`WindowMap.pick_on_map` lets a dialog (the finding form, 新建问题) take a
position from a click on the map; Esc cancels it. ``ready`` / ``failed``
report the map document's state, which the window passes on.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget

from inspector.casework.case_list_query import CaseFilter, case_ids_by_uuid, case_markers, sort_keys
from inspector.maps.map_layers import case_evidence_document
from inspector.store.changes import Changes
from ui.map.map_panel import load_workspace_map
from ui.session import Session, needs_reload

PickCallback = Callable[[tuple[float, float] | None], None]


class WindowMap(QObject):
    """The window's map view, its document job, its readiness and its pick mode."""

    ready = Signal()
    failed = Signal(str)  # the map cannot be shown; the text is on the map view
    pickStarted = Signal()  # a dialog waits for a click on the map (the touch layout shows the map)

    def __init__(self, window: QMainWindow, session: Session, map_view: QWidget, has_map: bool) -> None:
        super().__init__(window)
        self.window, self.session, self.view = window, session, map_view
        self.map_ready = False
        self.map_failure = ""
        self.map_filter: CaseFilter | None = None  # the case list's filter, which the map follows
        map_view.mapReady.connect(self._ready)  # type: ignore[attr-defined]
        if hasattr(map_view, "mapFailed"):
            map_view.mapFailed.connect(self._failed)
        self.can_pick = has_map and hasattr(map_view, "start_pick")
        self._pick_callback: PickCallback | None = None
        if self.can_pick:
            map_view.pointPicked.connect(self._point_picked)  # type: ignore[attr-defined]
        self.pick_escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self.pick_escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self.pick_escape.setEnabled(False)
        self.pick_escape.activated.connect(self.cancel_pick)
        self.job: Any = load_workspace_map(session, map_view)
        session.changed.connect(self.apply_changes)

    # -- the document -----------------------------------------------------------------------------
    def reload(self) -> None:
        self.map_ready, self.map_failure = False, ""
        self.job = load_workspace_map(self.session, self.view, self.map_filter)

    def _ready(self) -> None:
        self.map_ready = True
        self.ready.emit()

    def _failed(self, text: str) -> None:
        self.map_failure = text
        self.failed.emit(text)

    def apply_changes(self, changes: Changes) -> None:
        """Reload the map for a zone change or a change of (nearly) every case; otherwise place, recolour or
        remove just the markers of the cases whose rows changed, in place."""
        if changes.touches("zones") or needs_reload(changes):
            self.reload()
            return
        if changes.touches("evidence") and hasattr(self.view, "put_evidence"):  # new photos, at once
            shown = sorted(self._shown_by_filter(sorted(changes.case_uuids)))
            if shown:
                self.view.put_evidence(shown, case_evidence_document(self.session.ws, shown))  # type: ignore
        if not changes.touches("cases") or not hasattr(self.view, "put_case"):
            return
        markers = case_markers(self.session.ws, changes.case_uuids)
        shown = self._shown_by_filter([m["uuid"] for m in markers])
        for marker in markers:
            if marker["deleted"] or marker["uuid"] not in shown:
                self.view.remove_case(marker["uuid"])  # type: ignore[attr-defined]
            else:
                self.view.put_case(  # type: ignore[attr-defined]
                    marker["uuid"], marker["lon"], marker["lat"], marker["status"])

    def _shown_by_filter(self, uuids: list[str]) -> set[str]:
        """Those of ``uuids`` the case list's filter admits (all without a filter)."""
        if self.map_filter is None or self.map_filter == CaseFilter():
            return set(uuids)
        ids = case_ids_by_uuid(self.session.ws, uuids)
        admitted = sort_keys(self.session.ws, self.map_filter, ids.values())
        return {uuid for uuid, case_id in ids.items() if case_id in admitted}

    def follow_filter(self, case_filter: CaseFilter) -> None:
        """Show the cases ``case_filter`` admits (reloads only when it differs from the one shown)."""
        if case_filter != self.map_filter and not (self.map_filter is None and case_filter == CaseFilter()):
            self.map_filter = case_filter
            self.reload()

    # -- picking a position -------------------------------------------------------------------------
    def pick_on_map(self, callback: PickCallback) -> bool:
        """Let the user click a position on the map; ``callback((lon, lat))`` on a pick,
        ``callback(None)`` when cancelled (Esc, or another pick started). False without a map."""
        if not self.can_pick:
            return False
        self.cancel_pick()
        self._pick_callback = callback
        self.view.start_pick()  # type: ignore[attr-defined]
        self.pick_escape.setEnabled(True)
        self.window.statusBar().showMessage(self.tr("在地图上点击选择位置（Esc 取消）"))
        self.pickStarted.emit()
        return True

    def cancel_pick(self) -> None:
        callback, self._pick_callback = self._pick_callback, None
        self.pick_escape.setEnabled(False)
        if callback is None:
            return
        self.view.cancel_pick()  # type: ignore[attr-defined]
        self.window.statusBar().clearMessage()
        callback(None)

    def _point_picked(self, lon: float, lat: float) -> None:
        callback, self._pick_callback = self._pick_callback, None
        self.pick_escape.setEnabled(False)
        self.window.statusBar().clearMessage()
        if callback is not None:
            callback((lon, lat))
