"""The map in the main window: loading it, following the core's changes and the list's filter, picking a point.

:class:`WindowMap` keeps the map view in step with the session. A change
summary (:class:`inspector.store.changes.Changes`) of a zone change or of
(nearly) every case reloads the map document in the background; otherwise
only the markers of the cases whose rows changed are placed, recoloured or
removed in place, and the photo markers of the cases whose evidence changed are
drawn anew. The map shows the cases the case list's filter admits: their ids are read on the reading
thread (:func:`ui.background.reader_for`) and the page hides the others, without a new document.
:meth:`WindowMap.pick_on_map` lets a dialog (the finding form, 新建问题) take a
position from a click on the map; Esc cancels it. ``ready`` / ``failed``
report the map document's state, which the window passes on.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget

from inspector.casework.case_list_query import CaseFilter, case_markers
from inspector.maps.map_layers import admitted_case_uuids, case_evidence_document
from inspector.store.changes import Changes
from ui.background import reader_for
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
        self.job = load_workspace_map(self.session, self.view)

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
            changed = sorted(changes.case_uuids)
            if changed:
                self.view.put_evidence(changed, case_evidence_document(self.session.ws, changed))  # type: ignore
        if not changes.touches("cases") or not hasattr(self.view, "put_case"):
            return
        for marker in case_markers(self.session.ws, changes.case_uuids):
            if marker["deleted"]:
                self.view.remove_case(marker["uuid"])  # type: ignore[attr-defined]
            else:
                self.view.put_case(  # type: ignore[attr-defined]
                    marker["uuid"], marker["lon"], marker["lat"], marker["status"])
        if self.map_filter is not None and self.map_filter != CaseFilter():
            self._show_admitted()  # a changed case may have entered or left the filter

    def follow_filter(self, case_filter: CaseFilter) -> None:
        """Show the cases ``case_filter`` admits (asks only when it differs from the one shown); the page hides
        the others, the document stays."""
        if case_filter != self.map_filter and not (self.map_filter is None and case_filter == CaseFilter()):
            self.map_filter = case_filter
            self._show_admitted()

    def _show_admitted(self) -> None:
        """Read the ids the filter admits on the reading thread, then show only those (every case without a
        filter); the lane drops the answer to a filter that was replaced meanwhile."""
        if not hasattr(self.view, "show_only"):
            return
        case_filter, make = self.map_filter, self.view.admitted_cases  # type: ignore[attr-defined]

        def admitted(ws: Any) -> Any:
            if case_filter is None or case_filter == CaseFilter():
                return None
            return make(admitted_case_uuids(ws, case_filter))
        reader_for(self.session).read(admitted, self.view.show_only, owner=self,  # type: ignore[attr-defined]
                                      lane=f"map-filter-{id(self)}")

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
