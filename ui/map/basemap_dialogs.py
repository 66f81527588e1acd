"""添加底图: choose a file, add it to the workspace's basemaps in the background, with a progress dialog.

An ``.mbtiles`` file is checked and stored (:func:`inspector.maps.basemap_store.add_basemap`); a GeoTIFF / COG
is first tiled into a temporary MBTiles file (:func:`~inspector.maps.basemap_store.build_basemap`, minutes for a
large orthomosaic), then stored the same way. The work runs in a :class:`ui.background.BackgroundCall` — its own
thread, not the session's writer, since it touches only files — and the dialog shows the core's latest progress on
each poll. ``added(entry)`` then carries the basemap's :func:`~inspector.maps.basemap_store.list_basemaps` entry
(the main window reloads the map, whose layer switcher lists it); ``failed(text)`` the reason, also shown in a
message box.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from inspector.errors import InspectorError
from inspector.maps.basemap_store import add_basemap, build_basemap, suggested_basemap_name
from inspector.store.workspace import Workspace
from ui.background import BackgroundCall
from ui.i18n import core_message

TIFF_SUFFIXES = (".tif", ".tiff")
PROGRESS_STEPS = 100  # the dialog's range; the core reports in hundredths


class BasemapAdder(QObject):
    """Adds one file at a time to ``ws``'s basemaps, showing a :class:`QProgressDialog` over ``parent``."""

    added = Signal(object)
    failed = Signal(str)

    def __init__(self, ws: Workspace, parent: QWidget) -> None:
        super().__init__(parent)
        self.ws = ws
        self.parent_widget = parent
        self.call: BackgroundCall | None = None
        self.dialog: QProgressDialog | None = None
        self._latest: tuple[int, int, str] = (0, PROGRESS_STEPS, "")  # written by the worker, read on each poll

    def choose(self) -> None:
        """Ask for a file (MBTiles or GeoTIFF) and add it."""
        path, _filter = QFileDialog.getOpenFileName(
            self.parent_widget, self.tr("添加底图"), "",
            self.tr("底图（*.mbtiles *.tif *.tiff）;;MBTiles（*.mbtiles）;;GeoTIFF（*.tif *.tiff）"))
        if path:
            self.add_file(path)

    def add_file(self, path: str) -> BackgroundCall | None:
        """Add ``path`` in the background; None while another file is still being added."""
        if self.call is not None and self.call.running:
            return None
        source = Path(path)
        building = source.suffix.lower() in TIFF_SUFFIXES
        self.dialog = QProgressDialog(self.tr("正在生成底图切片：{name}").format(name=source.name) if building
                                      else self.tr("正在检查并添加底图：{name}").format(name=source.name),
                                      "", 0, PROGRESS_STEPS, self.parent_widget)
        self.dialog.setObjectName("basemapProgress")
        self.dialog.setWindowTitle(self.tr("添加底图"))
        self.dialog.setCancelButton(None)  # GDAL's tiling cannot be stopped halfway safely; it ends on its own
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setValue(0)
        self._latest = (0, PROGRESS_STEPS, "")
        self.call = BackgroundCall(lambda: self._work(source, building), self, name="inspector-basemap")
        self.call.ticked.connect(self._show_progress)
        self.call.finished.connect(self._finished)
        return self.call.start()

    def _report(self, done: int, total: int, message: str) -> None:
        self._latest = (done, total, message)

    def _work(self, source: Path, building: bool) -> dict[str, Any]:
        name = suggested_basemap_name(source.stem)
        if not building:
            return add_basemap(self.ws, source, name)
        with tempfile.TemporaryDirectory(prefix="basemap-", dir=self.ws.root) as folder:
            built = build_basemap(source, Path(folder) / f"{name}.mbtiles", progress=self._report)
            return add_basemap(self.ws, built["file"], name)

    def _show_progress(self) -> None:
        done, total, _message = self._latest
        if self.dialog is not None and total:
            self.dialog.setValue(min(PROGRESS_STEPS - 1, done * PROGRESS_STEPS // total))

    def _finished(self, call: BackgroundCall) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None
        if call.error is None:
            self.added.emit(call.result)
            return
        text = core_message(call.error) if isinstance(call.error, InspectorError) else str(call.error)
        self.failed.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("添加底图"), text, parent=self.parent_widget)
        box.setObjectName("basemapRefused")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
