"""Basemap tiles for the interactive map, from the workspace's local ``*.mbtiles`` files.

The map page asks for ``lvdun://tiles/{name}/{z}/{x}/{y}`` (XYZ addressing);
the GUI's URL scheme handler passes the request to :meth:`TileSource.tile`,
which answers with the tile bytes and their MIME type, or None. Rows are
stored TMS (row 0 at the south) unless the file's metadata says
``scheme = xyz``. Only raster tiles (PNG, JPEG, WebP) are served; vector
tiles are not drawn. Files are opened read-only and never touch the network.
The imagery epochs join as labelled base layers named ``imagery.<label>``; a basemap is labelled
``底图 <name>``, a sample one (``lvdun_sample`` in its metadata) ``示例底图 …``.
No Qt here: the same source serves a headless export or a test.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from inspector.forms.basemap import MBTilesReader
from inspector.imagery.epoch_layers import epoch_layers
from inspector.store.workspace import Workspace

MAX_ZOOM = 22  # deepest zoom level a request may name
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,120}$")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def tile_mime(data: bytes) -> str | None:
    """MIME type of a raster tile from its first bytes; None for anything else."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class BasemapInfo:
    """What the page needs to know about one MBTiles file."""

    name: str  # file stem, used in tile URLs
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north
    raster: bool
    label: str | None = None  # the layer control's name; None: numbered 离线底图


class TileSource:
    """The raster MBTiles basemaps of one workspace folder, addressed by file stem, then any labelled layers
    (the imagery epochs) addressed by their own names."""

    def __init__(self, paths: list[Path], labelled: Sequence[tuple[str, Path, str]] = ()) -> None:
        self._paths: dict[str, Path] = {}
        for path in paths:  # in the given order: the first file of a name wins
            if _SAFE_NAME.match(path.stem):
                self._paths.setdefault(path.stem, Path(path))
        self._labels: dict[str, str] = {}
        for name, path, label in labelled:
            if _SAFE_NAME.match(name) and name not in self._paths:
                self._paths[name], self._labels[name] = Path(path), label
        self._readers: dict[str, tuple[MBTilesReader, bool]] = {}

    @classmethod
    def for_workspace(cls, ws: Workspace) -> "TileSource":
        """The workspace's ``*.mbtiles`` basemaps, then its imagery epochs (:mod:`inspector.imagery.epoch_layers`)."""
        return cls(list(ws.basemaps()), epoch_layers(ws))

    def names(self) -> list[str]:
        """Basemaps by name, then the labelled layers in their given order."""
        return list(self._paths)

    def _reader(self, name: str) -> tuple[MBTilesReader, bool] | None:
        if name not in self._paths:
            return None
        if name not in self._readers:
            try:
                reader = MBTilesReader(self._paths[name])
                self._readers[name] = (reader, reader.is_xyz())
            except sqlite3.Error:
                return None
        return self._readers[name]

    def info(self) -> list[BasemapInfo]:
        """Zoom range, bounds and kind of each basemap that can be opened: real basemaps first (the map shows the
        first), then samples, then the labelled layers."""
        found: list[tuple[int, BasemapInfo]] = []
        for name in self.names():
            opened = self._reader(name)
            if opened is None:
                continue
            reader = opened[0]
            try:
                zooms = reader.zoom_levels()
                meta = reader.metadata()
            except sqlite3.Error:
                continue
            if not zooms:
                continue
            sample = meta.get("lvdun_sample") == "1"
            found.append((2 if name in self._labels else 1 if sample else 0, BasemapInfo(
                name, min(zooms), max(zooms), _bounds(meta.get("bounds")),
                meta.get("format", "png").lower() not in ("pbf", "mvt"),
                self._labels.get(name) or basemap_label(name, sample))))
        return [info for _rank, info in sorted(found, key=lambda ranked: ranked[0])]

    def tile(self, name: str, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """Tile bytes and MIME type for an XYZ address; None when absent, out of range or not raster."""
        if not (0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        opened = self._reader(name)
        if opened is None:
            return None
        reader, xyz = opened
        try:
            data = reader.tile(z, x, y, xyz_scheme=xyz)
        except sqlite3.Error:
            return None
        if not data:
            return None
        mime = tile_mime(data)
        return (data, mime) if mime else None

    def tile_for_path(self, path: str) -> tuple[bytes, str] | None:
        """Serve ``{name}/{z}/{x}/{y}`` (an optional ``.png``/``.jpg`` suffix is ignored)."""
        parts = path.strip("/").split("/")
        if len(parts) != 4:
            return None
        name, z, x, y = parts
        y = y.split(".", 1)[0]
        if not (z.isdigit() and x.isdigit() and y.isdigit()):
            return None
        return self.tile(name, int(z), int(x), int(y))

    def close(self) -> None:
        for reader, _xyz in self._readers.values():
            reader.close()
        self._readers.clear()


def basemap_label(name: str, sample: bool) -> str:
    """The name the map's layer switcher and the forms' caption give a basemap: a sample says 示例底图."""
    if sample:
        return name if "示例底图" in name else f"示例底图 {name}"
    return f"底图 {name}"


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -85.06 <= south < north <= 85.06):
        return None
    return west, south, east, north
