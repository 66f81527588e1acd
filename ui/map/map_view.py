"""The map widget: a QWebEngineView showing :mod:`inspector.maps.map_document`'s page offline.

:class:`MapView` owns a private, off-the-record WebEngine profile with the ``lvdun:`` scheme handler
(assets, layer data, MBTiles tiles) and a request interceptor that blocks the network. The page talks back
only through :class:`ui.map.map_bridge.MapBridge`, whose slots validate what they take; ``pointClicked`` is
heard only in pick mode and ``extentEdited(uuid, text)`` only for the case whose verified extent Python asked
the page to edit (the text is bounded here and parsed as hostile input by the core's
:func:`inspector.casework.verified_extent.set_verified_extent`). Python talks to the page only by calling
``LvdunMap`` functions with numbers or a validated UUID.

Public API for the main window: :meth:`MapView.set_workspace`,
:meth:`MapView.select_case`, :meth:`MapView.set_gps_position`,
:meth:`MapView.set_layer_visible`, :meth:`MapView.start_pick` /
:meth:`MapView.cancel_pick`, :meth:`MapView.update_case`, :meth:`MapView.put_case`,
:meth:`MapView.remove_case` (a changed case's marker, in place), :meth:`MapView.show_only` (the case list's
filter: only the cases it admits, without reloading the document),
:meth:`MapView.start_extent_edit` / :meth:`MapView.show_verified` /
:meth:`MapView.cancel_extent_edit` (核实范围), signals
``caseSelected(str)``, ``zoneSelected(str)``, ``pointPicked(float, float)``,
``extentEdited(str, str)``, ``extentRefused(str)``,
``mapReady()`` and ``mapFailed(str)``: when the web assets the page loads are
missing, the view shows why and how to install them instead of the page, and
emits ``mapFailed`` with that text (``mapReady`` would never come). Call
:func:`register_map_scheme` before the QApplication is created.

A new view loads the page shell (:func:`inspector.maps.map_document.build_map_shell`) at once, so that
QtWebEngine starts and parses the scripts while the first document is still being built; that document is
posted into the shell (``LvdunMap.open(token)``). Later documents load as pages of their own.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import shapely
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from inspector.casework.verified_extent import MAX_EXTENT_CHARS
from inspector.casework.workflow import STATES
from inspector.errors import BadInput
from inspector.maps.basemap_tiles import TileSource
from inspector.maps.map_document import MapBundle, build_map_shell, build_workspace_map
from inspector.maps.map_layers import polygon_or_none, status_code
from inspector.store.workspace import Workspace
from ui.i18n import core_message
from ui.map.map_bridge import PICK_BOUNDS, AdmittedCases, MapBridge, valid_point, valid_uuid
from ui.map.map_scheme import SCHEME, MapSchemeHandler, OfflineOnly, register_map_scheme, web_assets_problem
from ui.plain_text import plain_label

__all__ = ["AdmittedCases", "MapView", "MapBridge", "LAYER_NAMES", "PICK_BOUNDS", "register_map_scheme",
           "valid_point", "valid_uuid"]

LAYER_NAMES = ("admin", "zones", "cases", "photos", "footprints", "gps")
class _OfflinePage(QWebEnginePage):
    """A page that navigates only within the map document (links never open anything)."""

    def acceptNavigationRequest(self, url: QUrl, nav_type: QWebEnginePage.NavigationType,  # noqa: N802
                                is_main_frame: bool) -> bool:
        return url.scheme() == SCHEME.decode() and url.host() == "map"


class MapView(QWidget):
    """The interactive offline map of one workspace."""

    caseSelected = Signal(str)
    zoneSelected = Signal(str)
    pointPicked = Signal(float, float)
    extentEdited = Signal(str, str)  # case uuid, GeoJSON text of its verified extent as the page sent it
    extentRefused = Signal(str)  # why what the page sent was not taken (in the UI language)
    mapReady = Signal()
    mapFailed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = QWebEngineView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self._notice = plain_label(parent=self, selectable=True, object_name="mapNotice")
        self._notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._notice.setContentsMargins(24, 24, 24, 24)
        self._notice.hide()
        layout.addWidget(self._notice)
        self._failure = ""
        self._profile = QWebEngineProfile()  # no storage name: off the record, nothing on disk
        self._handler = MapSchemeHandler(self._profile)
        self._profile.installUrlSchemeHandler(SCHEME, self._handler)
        self._interceptor = OfflineOnly(self._profile)
        self._profile.setUrlRequestInterceptor(self._interceptor)
        self._page = _OfflinePage(self._profile, self._view)
        # The page owns its profile: however the widget tree is torn down (even at
        # interpreter exit), the page is deleted first, as WebEngine requires.
        self._profile.setParent(self._page)
        self._bridge = MapBridge(self.caseSelected.emit, self.zoneSelected.emit, self._on_drawn, self._on_point,
                                 self._on_extent, self._page)
        self._channel = QWebChannel(self._page)
        self._channel.registerObject("lvdunBridge", self._bridge)
        self._page.setWebChannel(self._channel)
        self._view.setPage(self._page)
        self._page.loadFinished.connect(self._on_load_finished)
        self._token = ""
        self._loaded = self._drawn = self._announced = False
        self._gps: tuple[float, float, float] | None = None
        self._hidden: set[str] = set()
        self._selected: str | None = None
        self._picking = False
        self._editing: tuple[str, str] | None = None  # (case uuid, GeoJSON of the extent to start from or "null")
        self._touch = False  # the touch layout: finger-sized map controls (set_touch_mode)
        self._evidence_updates: list[tuple[list[str], str]] = []  # (case uuids, evidence JSON) since the document
        # Marker changes since the document was built, replayed when a document becomes ready:
        # uuid → status code (update_case), (lon, lat, status code) (put_case) or None (remove_case).
        self._case_updates: dict[str, int | tuple[float, float, int] | None] = {}
        self._admitted: AdmittedCases | None = None  # the filter's cases (show_only), None: every case
        self._shell = ""  # the page shell's state: "loading", "loaded" (no document posted yet) or "" (not in use)
        self._load_shell()

    # -- access for the main window and tests ----------------------------
    def page(self) -> QWebEnginePage:
        return self._page

    def web_view(self) -> QWebEngineView:
        return self._view

    def is_ready(self) -> bool:
        return self._loaded and self._drawn

    def failure(self) -> str:
        """Why the map cannot be shown (the text on the view), or "" when it can."""
        return self._failure

    # -- content ---------------------------------------------------------
    def set_workspace(self, workspace: Workspace | str | os.PathLike[str] | None) -> None:
        """Show a workspace (an open :class:`Workspace`, or a folder opened and closed here)."""
        if workspace is None:
            self.show_bundle(None, None)
            return
        if isinstance(workspace, Workspace):
            self.show_bundle(build_workspace_map(workspace), TileSource.for_workspace(workspace))
            return
        with Workspace.open(Path(workspace)) as ws:
            bundle, tiles = build_workspace_map(ws), TileSource.for_workspace(ws)
        self.show_bundle(bundle, tiles)

    def _load_shell(self) -> None:
        if web_assets_problem() is not None:
            return  # the first document will say what is missing
        shell = build_map_shell()
        self._handler.set_shell(shell)
        self._shell = "loading"
        self._page.load(QUrl(f"lvdun://map/{shell.token}/index.html"))

    def show_bundle(self, bundle: MapBundle | None, tiles: TileSource | None = None) -> None:
        """Show a prebuilt map document (and the basemaps its tile URLs name): posted into the page shell
        while it has none, else (or for a page that is not a map document) loaded as a page."""
        self._loaded = self._drawn = self._announced = False
        self._handler.set_content(bundle, tiles)
        self._token = bundle.token if bundle else ""
        problem = web_assets_problem() if bundle is not None else None
        self._failure = core_message(problem) if problem is not None else ""
        self._notice.setText(self._failure)
        self._notice.setVisible(bool(self._failure))
        self._view.setVisible(not self._failure)
        if bundle is None or self._failure:
            self._shell = ""
            self._page.setHtml("<!DOCTYPE html><html><body></body></html>")
            if self._failure:
                self.mapFailed.emit(self._failure)
            return
        if "config.json" not in bundle.resources:  # not a document the shell can open: a page of its own
            self._shell = ""
        if self._shell == "loaded":
            self._open_in_shell()
        elif self._shell != "loading":
            self._page.load(QUrl(f"lvdun://map/{bundle.token}/index.html"))

    def _open_in_shell(self) -> None:
        """Post the document into the loaded shell; the page reports it drawn like a page of its own."""
        self._shell = ""
        self._page.runJavaScript(f"LvdunMap.open({json.dumps(self._token)})")
        self._on_load_finished(True)

    # -- commands from the main window --------------------------------------
    def select_case(self, case_uuid: str) -> bool:
        """Pan to a case and highlight it; False for a value that is not a UUID."""
        value = valid_uuid(case_uuid)
        if value is None:
            return False
        self._selected = value
        if self.is_ready():
            self._page.runJavaScript(f"LvdunMap.selectCase({json.dumps(value)})")
        return True

    def set_gps_position(self, lon: float, lat: float, accuracy_m: float) -> None:
        """Move the current-position marker (accuracy circle radius in metres)."""
        values = (float(lon), float(lat), float(accuracy_m))
        if not all(math.isfinite(v) for v in values) or not (-180 <= values[0] <= 180 and -90 <= values[1] <= 90):
            raise ValueError(f"not a position: {lon}, {lat}, ±{accuracy_m} m")
        self._gps = values
        if self.is_ready():
            self._page.runJavaScript("LvdunMap.setGps(%r, %r, %r)" % values)

    def set_layer_visible(self, name: str, visible: bool) -> None:
        """Show or hide one of :data:`LAYER_NAMES`."""
        if name not in LAYER_NAMES:
            raise ValueError(f"unknown map layer: {name!r} (layers: {', '.join(LAYER_NAMES)})")
        (self._hidden.discard if visible else self._hidden.add)(name)
        if self.is_ready():
            self._page.runJavaScript(f"LvdunMap.setLayerVisible({json.dumps(name)}, {json.dumps(bool(visible))})")

    def start_pick(self) -> None:
        """Enter pick mode: the next click on the map emits ``pointPicked(lon, lat)``."""
        self._picking = True
        if self.is_ready():
            self._page.runJavaScript("LvdunMap.setPickMode(true)")

    def cancel_pick(self) -> None:
        """Leave pick mode without a position."""
        self._picking = False
        if self.is_ready():
            self._page.runJavaScript("LvdunMap.setPickMode(false)")

    def is_picking(self) -> bool:
        return self._picking

    def update_case(self, case_uuid: str, status: str) -> bool:
        """Recolour one case marker for a new workflow status, in place (no reload).

        False for a value that is not a UUID or a status that is not a workflow state.
        """
        value = valid_uuid(case_uuid)
        if value is None or status not in STATES:
            return False
        code = status_code(status)
        self._case_updates[value] = code
        if self.is_ready():
            self._send_case_update(value, code)
        return True

    def put_case(self, case_uuid: str, lon: float, lat: float, status: str) -> bool:
        """Show a changed case: add its marker, or move and recolour it in place (no reload).

        False for a value that is not a UUID, a position that is not finite lon/lat, or a status that is
        not a workflow state.
        """
        value = valid_uuid(case_uuid)
        if value is None or status not in STATES or isinstance(lon, bool) or isinstance(lat, bool):
            return False
        try:
            place = (float(lon), float(lat))
        except (TypeError, ValueError):
            return False
        if not (math.isfinite(place[0]) and math.isfinite(place[1]) and -180 <= place[0] <= 180
                and -90 <= place[1] <= 90):
            return False
        update = (place[0], place[1], status_code(status))
        self._case_updates[value] = update
        if self.is_ready():
            self._send_case_update(value, update)
        return True

    def remove_case(self, case_uuid: str) -> bool:
        """Take a (deleted) case's marker off the map; False for a value that is not a UUID."""
        value = valid_uuid(case_uuid)
        if value is None:
            return False
        self._case_updates[value] = None
        if self.is_ready():
            self._send_case_update(value, None)
        return True

    admitted_cases = staticmethod(AdmittedCases.of)  # for show_only; call it on the reading thread

    def show_only(self, admitted: AdmittedCases | None) -> None:
        """Show only these cases (their markers, patches, verified extents and photos), or every case for None,
        in the page as it is: the document is not reloaded. Kept for the documents loaded later."""
        self._admitted = admitted
        if self.is_ready():
            self._send_admitted()

    def _send_admitted(self) -> None:
        text = self._admitted.json_text if self._admitted is not None else "null"
        self._page.runJavaScript(f"LvdunMap.showOnly({text})")

    def _send_case_update(self, value: str, update: int | tuple[float, float, int] | None) -> None:
        if update is None:
            self._page.runJavaScript(f"LvdunMap.removeCase({json.dumps(value)})")
        elif isinstance(update, int):
            self._page.runJavaScript(f"LvdunMap.setCaseStatus({json.dumps(value)}, {update:d})")
        else:
            lon, lat, code = update
            self._page.runJavaScript(f"LvdunMap.putCase({json.dumps(value)}, {lon!r}, {lat!r}, {code:d})")

    def set_touch_mode(self, touch: bool) -> None:
        """Finger-sized zoom buttons and layer control (the touch layout) or the desktop's."""
        self._touch = bool(touch)
        if self.is_ready():
            self._page.runJavaScript(f"LvdunMap.setTouchMode({json.dumps(self._touch)})")

    def put_evidence(self, case_uuids: list[str], evidence: dict) -> bool:
        """Draw the photo markers and footprints of these cases anew from ``evidence`` (the core's
        :func:`inspector.maps.map_layers.case_evidence_document` of them); False when a value is not a UUID."""
        values = [valid_uuid(value) for value in case_uuids]
        if not values or None in values:
            return False
        update = ([v for v in values if v], json.dumps(evidence))
        superseded = set(update[0])
        self._evidence_updates = [u for u in self._evidence_updates if not set(u[0]) <= superseded] + [update]
        if self.is_ready():
            self._send_evidence(*update)
        return True

    def _send_evidence(self, case_uuids: list[str], evidence_json: str) -> None:
        self._page.runJavaScript(f"LvdunMap.putEvidence({json.dumps(case_uuids)}, {evidence_json})")

    # -- the verified extent (核实范围) ---------------------------------------
    def start_extent_edit(self, case_uuid: str, geometry_geojson: str | None) -> bool:
        """Let the inspector edit the case's verified extent on the map, starting from ``geometry_geojson``
        (the stored verified or delivered extent) or drawing anew when it is None; False for a value that is
        not a UUID. What the page sends back on 保存 arrives as ``extentEdited(uuid, geojson)``."""
        value = valid_uuid(case_uuid)
        if value is None:
            return False
        start = polygon_or_none(geometry_geojson)
        self._editing = (value, json.dumps(shapely.geometry.mapping(start)) if start is not None else "null")
        if self.is_ready():
            self._page.runJavaScript(f"LvdunMap.editExtent({json.dumps(value)}, {self._editing[1]})")
        return True

    def cancel_extent_edit(self) -> None:
        self._editing = None
        if self.is_ready():
            self._page.runJavaScript("LvdunMap.cancelExtent()")

    def editing_case(self) -> str | None:
        """The case whose verified extent is being edited, or None."""
        return self._editing[0] if self._editing else None

    def show_verified(self, case_uuid: str, geometry_geojson: str) -> bool:
        """Draw a case's stored verified extent (and end its editing); False for anything not a UUID and a
        (Multi)Polygon."""
        value, geom = valid_uuid(case_uuid), polygon_or_none(geometry_geojson)
        if value is None or geom is None:
            return False
        if self._editing and self._editing[0] == value:
            self._editing = None
        if self.is_ready():
            self._page.runJavaScript(f"LvdunMap.showVerified({json.dumps(value)}, "
                                     f"{json.dumps(shapely.geometry.mapping(geom))})")
        return True

    def _on_extent(self, case_uuid: str, geojson: object) -> None:
        if self._editing is None or self._editing[0] != case_uuid:
            return  # the page may only answer the edit Python started, for that case
        if not isinstance(geojson, str) or not geojson or len(geojson) > MAX_EXTENT_CHARS:
            self.extentRefused.emit(core_message(BadInput(
                f"核实范围无效：须为不超过 {MAX_EXTENT_CHARS:,} 个字符的 GeoJSON 文本",
                f"the verified extent is not valid: it must be GeoJSON text of at most {MAX_EXTENT_CHARS:,} "
                "characters")))
            return
        self.extentEdited.emit(case_uuid, geojson)

    # -- readiness ---------------------------------------------------------
    def _on_load_finished(self, ok: bool) -> None:
        if self._shell == "loading":  # the shell's load (a document's load or blank page ends the shell first)
            self._shell = "loaded" if ok else ""
            if self._token and ok:
                self._open_in_shell()
            elif self._token:
                self._page.load(QUrl(f"lvdun://map/{self._token}/index.html"))
            return
        self._loaded = bool(ok) and bool(self._token)
        self._maybe_ready()

    def _on_point(self, lon: float, lat: float) -> None:
        if self._picking:
            self._picking = False
            self.pointPicked.emit(lon, lat)

    def _on_drawn(self, token: str) -> None:
        if token == self._token:
            self._drawn = True
            self._maybe_ready()

    def _maybe_ready(self) -> None:
        if not self.is_ready() or self._announced:
            return
        self._announced = True
        for name in sorted(self._hidden):
            self._page.runJavaScript(f"LvdunMap.setLayerVisible({json.dumps(name)}, false)")
        if self._gps is not None:
            self._page.runJavaScript("LvdunMap.setGps(%r, %r, %r)" % self._gps)
        if self._selected is not None:
            self._page.runJavaScript(f"LvdunMap.selectCase({json.dumps(self._selected)})")
        for value, update in self._case_updates.items():
            self._send_case_update(value, update)
        if self._admitted is not None:
            self._send_admitted()
        if self._touch:
            self._page.runJavaScript("LvdunMap.setTouchMode(true)")
        for uuids, evidence_json in self._evidence_updates:
            self._send_evidence(uuids, evidence_json)
        if self._picking:
            self._page.runJavaScript("LvdunMap.setPickMode(true)")
        if self._editing is not None:
            self._page.runJavaScript(f"LvdunMap.editExtent({json.dumps(self._editing[0])}, {self._editing[1]})")
        self.mapReady.emit()
