"""The workspace's imagery epochs: one MBTiles file per epoch under ``imagery/``, added, listed and removed.

:func:`add_epoch` takes a georeferenced GeoTIFF / COG in any CRS and tiles it
with the pipeline the basemaps share (:mod:`inspector.maps.raster_tiles`:
input checks, ``gdal.Translate(format="MBTILES")`` then overviews down to one
tile). The file is written under a temporary name in the imagery folder and
appears under its epoch's name only when complete (a hard link, which never
replaces an existing epoch), so a failure or a crash leaves no half-written
epoch.

The index is the MBTiles ``metadata`` table itself (keys ``lvdun_epoch``,
``lvdun_date``, ``lvdun_source``, ``lvdun_source_epsg``, ``lvdun_added_at``):
it is written into the file before it appears, so the file and its record
can never disagree, and removing an epoch is removing its file. The epoch
label is a file name and a layer name, so it is limited to letters, digits,
CJK and ``-_.``.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from inspector.errors import BadInput
from inspector.forms.basemap import MBTilesReader
from inspector.maps.raster_tiles import (
    MBTILES_SUFFIX,
    Progress,
    check_source,
    discard,
    publish,
    record_metadata,
    temporary_target,
    write_mbtiles,
)
from inspector.store.workspace import Workspace, utc_now

IMAGERY_FOLDER = "imagery"
EPOCH_LABEL = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z_.\-\u4e00-\u9fff]{0,39}$")
IMAGERY_KIND = ("影像", "imagery")  # how refusals name what is tiled


def imagery_dir(ws: Workspace) -> Path:
    return ws.root / IMAGERY_FOLDER


def check_epoch_label(label: str) -> str:
    if not EPOCH_LABEL.match(label or ""):
        raise BadInput(f"时相名称不可用：{label!r}（1–40 个字母、数字、汉字或 -_.）",
                       f"unusable epoch label: {label!r} (1-40 letters, digits, CJK characters or -_.)")
    return label


def check_epoch_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInput(f"成像日期不是 YYYY-MM-DD：{text!r}", f"imaging date is not YYYY-MM-DD: {text!r}") from None


def epoch_path(ws: Workspace, label: str) -> Path:
    return imagery_dir(ws) / f"{check_epoch_label(label)}{MBTILES_SUFFIX}"


def add_epoch(ws: Workspace, source: str | os.PathLike[str], label: str, *, date: str | None = None,
              progress: Progress | None = None) -> dict[str, Any]:
    """Store the GeoTIFF ``source`` as epoch ``label`` (imaged on ``date``); its :func:`list_epochs` entry."""
    source = Path(source)
    label, date = check_epoch_label(label), check_epoch_date(date)
    final = epoch_path(ws, label)
    if final.exists():
        raise BadInput(f"时相 {label} 已存在；先用 imagery remove {label} 删除",
                       f"epoch {label} exists already; remove it first with imagery remove {label}")
    checked = check_source(source, IMAGERY_KIND)
    temp = temporary_target(imagery_dir(ws))
    try:
        write_mbtiles(source, temp, checked, name=label, description=label, kind=IMAGERY_KIND, progress=progress)
        record_metadata(temp, {"lvdun_epoch": label, "lvdun_date": date or "", "lvdun_source": source.name[:200],
                               "lvdun_source_epsg": str(checked.epsg or ""), "lvdun_added_at": utc_now()})
        # never replaces: an epoch added meanwhile under the same label wins
        publish(temp, final, BadInput(f"时相 {label} 已存在", f"epoch {label} exists already"))
    finally:
        discard(temp)
    return _entry(final)


def _entry(path: Path) -> dict[str, Any]:
    with MBTilesReader(path) as reader:
        meta = reader.metadata()
        zooms = reader.zoom_levels()
    bounds = [float(v) for v in meta.get("bounds", "").split(",")] if meta.get("bounds") else None
    return {"epoch": path.stem, "date": meta.get("lvdun_date") or None, "bounds": bounds, "zooms": zooms,
            "min_zoom": min(zooms) if zooms else None, "max_zoom": max(zooms) if zooms else None,
            "size": path.stat().st_size, "source": meta.get("lvdun_source") or None,
            "added_at": meta.get("lvdun_added_at") or None, "file": str(path)}


def epoch_files(ws: Workspace) -> list[Path]:
    """The epochs' MBTiles files: inside the imagery folder (no link leading out of it), named by a valid label."""
    folder = imagery_dir(ws)
    if not folder.is_dir():
        return []
    root = folder.resolve()
    return sorted(path for path in folder.glob(f"*{MBTILES_SUFFIX}")
                  if EPOCH_LABEL.match(path.stem) and path.is_file() and path.resolve().parent == root)


def list_epochs(ws: Workspace) -> list[dict[str, Any]]:
    """Every readable epoch, by imaging date (undated last), then label."""
    entries = []
    for path in epoch_files(ws):
        try:
            entries.append(_entry(path))
        except (sqlite3.Error, ValueError):  # not an MBTiles file after all: not an epoch
            continue
    return sorted(entries, key=lambda e: (e["date"] is None, e["date"] or "", e["epoch"]))


def remove_epoch(ws: Workspace, label: str) -> dict[str, Any]:
    path = epoch_path(ws, label)
    if not path.is_file():
        raise BadInput(f"没有时相 {label}", f"no epoch {label}")
    path.unlink()
    return {"removed": label}
