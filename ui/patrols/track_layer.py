"""The patrol's track on the map: the logged track drawn once, then new points in batches.

:class:`TrackLayer` sends points to the map page as plain numbers
(``LvdunMap.addTrack(segment, [lon, lat, …])``, checked finite here, formatted with ``repr``: never text).
:meth:`TrackLayer.show_patrol` reads the patrol's committed track off the GUI thread
(:func:`ui.patrols.track_worker.logged_track` in a :class:`ui.background.BackgroundCall`) and draws it;
:meth:`TrackLayer.add` queues the points the logger committed since, which :meth:`TrackLayer.flush` draws
(the controller calls it every :data:`ui.patrols.patrol_controller.FLUSH_MS`). When the map document is
rebuilt (a reload), the track is read and drawn again; a point is drawn once, by its sequence number.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ui.background import BackgroundCall
from ui.patrols.track_worker import DrawnPoint, logged_track


class TrackLayer(QObject):
    """The live track of one patrol on one map view (a view without a web map draws nothing)."""

    def __init__(self, map_view: QWidget, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.view = map_view
        self.can_draw = hasattr(map_view, "page") and hasattr(map_view, "is_ready")
        self.db_path: Optional[Path] = None
        self.patrol_uuid: Optional[str] = None
        self.drawn_seq = 0  # the highest sequence number on the map
        self.drawn_points = 0
        self._pending: list[DrawnPoint] = []
        self._loading: Optional[BackgroundCall] = None
        if self.can_draw:
            map_view.mapReady.connect(self._map_rebuilt)  # type: ignore[attr-defined]

    def show_patrol(self, db_path: Path, patrol_uuid: str) -> None:
        """Draw this patrol's logged track (replacing any other)."""
        self.db_path, self.patrol_uuid = db_path, patrol_uuid
        self._reload()

    def clear(self) -> None:
        """No patrol on the map."""
        self.patrol_uuid = None
        self._pending.clear()
        self._loading = None
        self.drawn_seq = self.drawn_points = 0
        self._run("LvdunMap.clearTrack()")

    def add(self, points: list[DrawnPoint]) -> None:
        """Points the logger committed (drawn by the next :meth:`flush`). While the map is not ready they are
        not kept: the map reads the whole track again when it becomes ready."""
        if self.patrol_uuid is not None and self._map_ready():
            self._pending.extend(points)

    def flush(self) -> None:
        """Send what is pending to the map (once it is ready and the logged track is drawn)."""
        if self._loading is not None or not self._pending or not self._map_ready():
            return
        points = [p for p in self._pending if p.seq > self.drawn_seq]
        self._pending.clear()
        self._send(points)

    # -- internals ------------------------------------------------------------------------------------------
    def _map_ready(self) -> bool:
        return self.can_draw and bool(self.view.is_ready())  # type: ignore[attr-defined]

    def _run(self, script: str) -> None:
        if self._map_ready():
            self.view.page().runJavaScript(script)  # type: ignore[attr-defined]

    def _map_rebuilt(self) -> None:
        if self.patrol_uuid is not None:
            self._reload()

    def _reload(self) -> None:
        if self.db_path is None or self.patrol_uuid is None:
            return
        self.drawn_seq = self.drawn_points = 0
        db_path, uuid = self.db_path, self.patrol_uuid
        call = BackgroundCall(lambda: logged_track(db_path, uuid), self, name="inspector-track-read")
        call.finished.connect(self._loaded)
        self._loading = call.start()

    def _loaded(self, call: BackgroundCall) -> None:
        if call is not self._loading:
            return  # a newer read replaced it
        self._loading = None
        if call.error is not None or not self._map_ready():
            return  # the next map-ready reads it again
        self._run("LvdunMap.clearTrack()")
        self._send(call.result)
        self.flush()

    def _send(self, points: list[DrawnPoint]) -> None:
        by_segment: dict[int, list[str]] = {}
        for point in points:
            if math.isfinite(point.lon) and math.isfinite(point.lat):
                by_segment.setdefault(int(point.segment), []).extend((repr(float(point.lon)),
                                                                      repr(float(point.lat))))
            self.drawn_seq = max(self.drawn_seq, point.seq)
        for segment, numbers in by_segment.items():
            self._run(f"LvdunMap.addTrack({json.dumps(segment)}, [{','.join(numbers)}])")
            self.drawn_points += len(numbers) // 2
