"""Offline basemaps an office makes itself: build one from a GeoTIFF, add it to a workspace, list, remove.

:func:`build_basemap` tiles a georeferenced GeoTIFF / COG (any CRS) into an
MBTiles file anywhere with the pipeline the imagery epochs use
(:mod:`inspector.maps.raster_tiles`); ``zooms`` clamps the levels written.
:func:`add_basemap` stores an MBTiles file in the workspace's basemap folder
(``basemaps/``): it is checked and rewritten into a clean file of our own
(:mod:`inspector.maps.mbtiles_intake`) under a temporary name, and appears
under its name only when complete (a hard link, never replacing one).

The index is each file's ``metadata`` table (``lvdun_basemap``,
``lvdun_sample``, ``lvdun_source``, ``lvdun_added_at``), so a file and its
record never disagree; removing a basemap is removing its file. A sample
basemap (the demo's) says so in its name and its ``lvdun_sample`` flag, and
the map and the forms call it 示例底图. The map serves these files, then any
``*.mbtiles`` placed in the workspace folder itself by hand
(:meth:`inspector.store.workspace.Workspace.basemaps`).
"""
from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from inspector.errors import BadInput
from inspector.forms.basemap import MBTilesReader
from inspector.maps.basemap_tiles import basemap_label
from inspector.maps.mbtiles_intake import copy_raster_mbtiles
from inspector.maps.raster_tiles import (
    MAX_ZOOM,
    MBTILES_SUFFIX,
    Progress,
    check_source,
    discard,
    publish,
    temporary_target,
    write_mbtiles,
)
from inspector.store.workspace import BASEMAP_FOLDER, Workspace, utc_now

BASEMAP_KIND = ("底图", "basemap")  # how refusals name what is tiled
BASEMAP_NAME = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z_\-\u4e00-\u9fff]{0,39}$")
SAMPLE_WORD = "示例"  # in a sample basemap's name and label
SAMPLE_DESCRIPTION = "示例底图：程序合成的示意图，非真实影像或地图 / sample basemap, synthetic, not real imagery"
ZOOM_RANGE = re.compile(r"^\s*(\d{1,2})\s*[-–:]\s*(\d{1,2})\s*$")


def basemap_dir(ws: Workspace) -> Path:
    return ws.root / BASEMAP_FOLDER


def check_basemap_name(name: str) -> str:
    if not BASEMAP_NAME.match(name or ""):
        raise BadInput(f"底图名称不可用：{name!r}（1–40 个字母、数字、汉字或 -_，用 --name 指定）",
                       f"unusable basemap name: {name!r} (1-40 letters, digits, CJK characters or -_; "
                       "give one with --name)")
    return name


def suggested_basemap_name(stem: str) -> str:
    """A usable name from a file name: other characters become ``_``, at most 40 characters."""
    name = re.sub(r"[^0-9A-Za-z_\-\u4e00-\u9fff]", "_", stem)[:40]
    return name if BASEMAP_NAME.match(name) else f"底图_{name}"[:40]


def parse_zooms(text: str | None) -> tuple[int, int] | None:
    """``"10-18"`` → ``(10, 18)``; None for None; :class:`BadInput` for anything outside 0–22 or reversed."""
    if text is None:
        return None
    match = ZOOM_RANGE.match(text)
    low, high = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if not 0 <= low <= high <= MAX_ZOOM:
        raise BadInput(f"级别范围应为 最小-最大（0–{MAX_ZOOM}），例如 10-18：{text!r}",
                       f"zoom range must be MIN-MAX (0-{MAX_ZOOM}), e.g. 10-18: {text!r}")
    return low, high


def _facts(path: Path) -> dict[str, Any]:
    """Zoom range, tile count and bounds of an MBTiles file (read-only)."""
    with MBTilesReader(path) as reader:
        meta = reader.metadata()
        zooms = reader.zoom_levels()
        tiles = reader.connection.execute("SELECT count(*) FROM tiles").fetchone()[0]
    bounds = [float(v) for v in meta.get("bounds", "").split(",")] if meta.get("bounds") else None
    return {"meta": meta, "zooms": [min(zooms), max(zooms)] if zooms else None, "tiles": int(tiles),
            "bounds": bounds}


def build_basemap(source: str | os.PathLike[str], output: str | os.PathLike[str], *,
                  zooms: tuple[int, int] | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Tile the GeoTIFF ``source`` into the new MBTiles file ``output``: ``{"file", "zooms", "tiles", "bounds"}``."""
    source, output = Path(source), Path(output)
    if output.suffix.lower() != MBTILES_SUFFIX:
        raise BadInput(f"输出文件应以 .mbtiles 结尾：{output.name}", f"the output must end in .mbtiles: {output.name}")
    if output.exists():
        raise BadInput(f"输出文件已存在：{output}", f"the output exists already: {output}")
    checked = check_source(source, BASEMAP_KIND)
    temp = temporary_target(output.resolve().parent)
    try:
        write_mbtiles(source, temp, checked, name=output.stem[:120], description=f"{source.name[:200]}",
                      kind=BASEMAP_KIND, zooms=zooms, progress=progress)
        publish(temp, output, BadInput(f"输出文件已存在：{output}", f"the output exists already: {output}"))
    finally:
        discard(temp)
    facts = _facts(output)
    return {"file": str(output), "zooms": facts["zooms"], "tiles": facts["tiles"], "bounds": facts["bounds"]}


def add_basemap(ws: Workspace, file: str | os.PathLike[str], name: str | None = None, *,
                sample: bool = False) -> dict[str, Any]:
    """Store the raster MBTiles ``file`` as basemap ``name`` (default: its file name); its :func:`list_basemaps`
    entry. ``sample`` marks a generated sample (the demo's), whose name must say 示例."""
    file = Path(file)
    name = check_basemap_name(name if name is not None else file.stem)
    if sample and SAMPLE_WORD not in name:
        raise BadInput(f"示例底图的名称须含“{SAMPLE_WORD}”：{name}", f"a sample basemap's name must contain "
                       f"{SAMPLE_WORD}: {name}")
    final = basemap_dir(ws) / f"{name}{MBTILES_SUFFIX}"
    exists = BadInput(f"底图 {name} 已存在；先用 basemap remove {name} 删除",
                      f"basemap {name} exists already; remove it first with basemap remove {name}")
    if final.exists():
        raise exists
    temp = temporary_target(basemap_dir(ws))
    try:
        copy_raster_mbtiles(file, temp, BASEMAP_KIND, {
            "name": name, "lvdun_basemap": name, "lvdun_sample": "1" if sample else "0",
            "lvdun_source": file.name[:200], "lvdun_added_at": utc_now(),
            **({"description": SAMPLE_DESCRIPTION} if sample else {})})
        publish(temp, final, exists)
    finally:
        discard(temp)
    return _entry(final)


def _entry(path: Path) -> dict[str, Any]:
    facts = _facts(path)
    meta = facts["meta"]
    sample = meta.get("lvdun_sample") == "1"
    return {"name": path.stem, "file": str(path), "zooms": facts["zooms"], "bounds": facts["bounds"],
            "format": meta.get("format") or None, "sample": sample, "size": path.stat().st_size,
            "label": basemap_label(path.stem, sample), "tiles": facts["tiles"],
            "added_at": meta.get("lvdun_added_at") or None, "source": meta.get("lvdun_source") or None}


def list_basemaps(ws: Workspace) -> list[dict[str, Any]]:
    """Every readable basemap of the workspace (its folder, then files placed in the workspace by hand), samples
    last."""
    entries = []
    for path in ws.basemaps():
        try:
            entries.append(_entry(path))
        except (sqlite3.Error, ValueError, OSError):  # not an MBTiles file after all: not a basemap
            continue
    return sorted(entries, key=lambda entry: entry["sample"])  # real ones first, as on the map


def basemap_for_point(ws: Workspace, lon: float, lat: float) -> dict[str, Any] | None:
    """The basemap a form draws at ``lon, lat``: one whose bounds contain it, a real one before a sample, then the
    sharpest; None when none covers the point."""
    covering = [e for e in list_basemaps(ws) if e["bounds"] and e["zooms"]
                and e["bounds"][0] <= lon <= e["bounds"][2] and e["bounds"][1] <= lat <= e["bounds"][3]]
    return min(covering, key=lambda e: (e["sample"], -e["zooms"][1]), default=None)


def remove_basemap(ws: Workspace, name: str) -> dict[str, Any]:
    """Delete the basemap ``name`` from the basemap folder."""
    path = basemap_dir(ws) / f"{check_basemap_name(name)}{MBTILES_SUFFIX}"
    if not path.is_file():
        raise BadInput(f"没有底图 {name}", f"no basemap {name}")
    path.unlink()
    return {"removed": name}
