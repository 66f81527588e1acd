"""The map, through the map module's interface, or a placeholder while it is not installed.

``ui.map.map_view.MapView`` (built separately) offers ``set_workspace(ws)``,
``select_case(uuid)``, ``set_gps_position(lon, lat, accuracy_m)``,
``set_layer_visible(name, visible)`` and the signals ``caseSelected(str)``
and ``mapReady()``; optionally ``start_pick()`` / ``cancel_pick()`` with
``pointPicked(float, float)``, and ``put_case(uuid, lon, lat, status)`` /
``remove_case(uuid)`` for the markers of changed cases (the main window uses
them when present); ``ui.map.map_view.register_map_scheme()`` must run before
the QApplication exists. This module imports it lazily and falls back to
:class:`MapPlaceholder`, which has the same interface, so the window works
either way.

:func:`prestart_map_view` makes the map view before the main window exists (the application calls it
right after creating the QApplication): QtWebEngine starts its renderer and the page shell begins to load
while the rest of the application is imported and built; :func:`create_map_view` then takes that view.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.plain_text import plain_label

log = logging.getLogger(__name__)
MAP_MODULE = "ui.map.map_view"
_prestarted: list[QWidget] = []  # the view prestart_map_view made, until create_map_view takes it


def _map_module() -> Any | None:
    try:
        return importlib.import_module(MAP_MODULE)
    except ImportError as exc:
        log.info("map module not available: %s", exc)
        return None


def register_map_scheme() -> None:
    """Register the map's URL scheme (before QApplication); nothing without the map module."""
    module = _map_module()
    register = getattr(module, "register_map_scheme", None) if module else None
    if register is not None:
        register()


class MapPlaceholder(QWidget):
    """Stands in for the map: same methods and signals, shows the last GPS fix as text."""

    caseSelected = Signal(str)
    mapReady = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapPlaceholder")
        self._label = plain_label(parent=self)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        self._selected: str | None = None
        self._gps = ""
        self._refresh()
        QTimer.singleShot(0, self.mapReady.emit)

    def set_workspace(self, ws: Any) -> None:
        self._refresh()

    def select_case(self, uuid: str) -> None:
        self._selected = uuid
        self._refresh()

    def set_gps_position(self, lon: float, lat: float, accuracy_m: float | None = None) -> None:
        self._gps = self.tr("GPS：{lon:.5f}, {lat:.5f}").format(lon=lon, lat=lat)
        self._refresh()

    def set_layer_visible(self, name: str, visible: bool) -> None:
        """No layers without the map module."""

    def _refresh(self) -> None:
        self._label.setText("\n".join(filter(None, (self.tr("地图模块尚未安装"), self._gps))))


def prestart_map_view() -> None:
    """Make the map view now, without a parent, so that its page shell loads while the application is still
    starting; the next :func:`create_map_view` takes it. Nothing without the map module."""
    if _prestarted:
        return
    view, has_map = create_map_view()
    if has_map:
        _prestarted.append(view)
    else:
        view.deleteLater()


def create_map_view(parent: QWidget | None = None) -> tuple[QWidget, bool]:
    """The real map view if its module is there (True), else a placeholder (False); the prestarted view
    (:func:`prestart_map_view`) when there is one."""
    if _prestarted:
        view = _prestarted.pop()
        view.setParent(parent)
        return view, True
    module = _map_module()
    cls = getattr(module, "MapView", None) if module else None
    if cls is None:
        return MapPlaceholder(parent), False
    try:
        return cls(parent), True
    except Exception:  # noqa: BLE001 - a broken map must not take the whole window down
        log.exception("the map view could not be created")
        return MapPlaceholder(parent), False


def load_workspace_map(session: Any, map_view: QWidget) -> Any | None:
    """Build the session's map document (every case: the case list's filter is applied in the page, see
    ``MapView.show_only``) in the background and show it; returns the job.

    Uses the map's ``show_bundle`` when it offers one (the document for
    100,000 cases takes about a second to build); otherwise falls back to
    ``set_workspace`` on the GUI thread.
    """
    if not hasattr(map_view, "show_bundle"):
        map_view.set_workspace(session.ws)
        return None
    from inspector.maps.basemap_tiles import TileSource
    from inspector.maps.map_document import build_workspace_map
    from ui import operations

    def work(job: Any) -> tuple[Any, Any]:
        ws = session.writer()
        return build_workspace_map(ws), TileSource.for_workspace(ws)

    def connect(job: Any) -> None:
        job.succeeded.connect(lambda result: map_view.show_bundle(*result))
        job.failed.connect(lambda text: log.warning("map document failed: %s", text))

    # started at once (not from the event loop): the document builds while the window is still being built
    return operations.start(session, "map", work, connect=connect)
