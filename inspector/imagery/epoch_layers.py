"""The imagery epochs as map base layers: their tile names, files and labels for the map's tile source.

Each epoch is served as ``lvdun://tiles/imagery.<label>/{z}/{x}/{y}`` from its own MBTiles file, read-only, one
SQLite query per tile (:class:`inspector.maps.basemap_tiles.TileSource`). Only files inside the workspace's
imagery folder are offered (:func:`~inspector.imagery.imagery_store.epoch_files` refuses links leading out of
it), in the order of their imaging dates; the layer control names them ``影像 <label>（<date>）``.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from inspector.imagery.imagery_store import list_epochs
from inspector.store.workspace import Workspace

TILE_NAME_PREFIX = "imagery."  # tile names of epochs; the workspace's own basemaps are named by their file stem


class EpochLayer(NamedTuple):
    name: str  # in the tile URL
    path: Path
    label: str  # shown in the map's layer control


def epoch_layers(ws: Workspace) -> list[EpochLayer]:
    """Every epoch of the workspace as a base layer, oldest first."""
    return [EpochLayer(TILE_NAME_PREFIX + entry["epoch"], Path(entry["file"]),
                       f"影像 {entry['epoch']}" + (f"（{entry['date']}）" if entry["date"] else ""))
            for entry in list_epochs(ws)]
