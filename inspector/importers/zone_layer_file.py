"""A zone layer as one portable file: how the provincial server distributes its zones to devices.

The file is gzip-compressed JSON Lines: a header line
``{"format": "lvdun-zone-layer", "version": 1, "layer_key": ..., "features": N}``
then one line per live zone with the prepared row :mod:`inspector.importers.zone_import`
stores (:data:`~inspector.importers.zone_import.ZONE_COLUMNS`, the zone's ``uuid``) and
its geometry as base64 WKB in CGCS2000. Shipping the *prepared* rows rather
than re-reading a GIS file keeps every device's layer and feature keys,
content hashes, areas, repairs and zone UUIDs identical to the server's.

:func:`export_layer` writes the bytes deterministically (sorted keys, gzip
without a timestamp), so an unchanged layer always has the same SHA-256.
:func:`apply_layer` stores a read layer with
:func:`~inspector.importers.zone_import.store_zone_rows` — the same upsert as
``import-zones``: changed zones are updated, zones missing from the layer
become tombstones, cases are re-attributed, all in one transaction.
"""
from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from inspector.errors import BadInput
from inspector.importers.zone_import import ZONE_COLUMNS, ZoneImportResult, store_zone_rows
from inspector.store.workspace import Workspace

FORMAT = "lvdun-zone-layer"
FORMAT_VERSION = 1
REQUIRED_TEXT = ("layer_key", "feature_key", "name", "kind", "source_file", "attributes", "content_hash")
NUMBERS = ("area_km2", "source_fid")


@dataclass
class ZoneLayer:
    """A read zone layer: its key and the prepared rows (``wkb`` as bytes)."""

    layer_key: str
    rows: list[dict[str, Any]]


def layer_keys(ws: Workspace) -> list[str]:
    """Every layer the workspace holds (including layers whose zones are all tombstones)."""
    return [r[0] for r in ws.conn.execute("SELECT DISTINCT layer_key FROM zones ORDER BY layer_key")]


def _line(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def export_layer(ws: Workspace, layer_key: str) -> bytes:
    """The file of one layer's live zones (deterministic for the same zones)."""
    rows = ws.conn.execute(
        f"SELECT uuid, {', '.join(ZONE_COLUMNS)}, AsBinary(geom) FROM zones "
        "WHERE layer_key = ? AND deleted = 0 ORDER BY feature_key", (layer_key,)).fetchall()
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        out.write(_line({"format": FORMAT, "version": FORMAT_VERSION, "layer_key": layer_key,
                         "features": len(rows)}))
        for row in rows:
            record = {"uuid": row[0], **dict(zip(ZONE_COLUMNS, row[1:-1]))}
            record["wkb"] = base64.b64encode(bytes(row[-1])).decode("ascii")
            out.write(_line(record))
    return buffer.getvalue()


def _bad(detail: str) -> BadInput:
    return BadInput(f"区域图层文件无法读取：{detail}", f"unreadable zone layer file: {detail}")


def _checked_row(record: Any, layer_key: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise _bad("not an object")
    row = {"uuid": record.get("uuid"), **{c: record.get(c) for c in ZONE_COLUMNS}}
    if not isinstance(row["uuid"], str) or len(row["uuid"]) != 36:
        raise _bad("zone uuid")
    for column in ZONE_COLUMNS:
        value = row[column]
        if column in REQUIRED_TEXT and not (isinstance(value, str) and value):
            raise _bad(f"missing {column}")
        if column in NUMBERS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise _bad(f"{column} is not a number")
        elif value is not None and not isinstance(value, str):
            raise _bad(f"{column} is not text")
    if row["layer_key"] != layer_key:
        raise _bad("zone of another layer")
    try:
        row["wkb"] = base64.b64decode(record.get("wkb") or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise _bad("geometry is not base64") from None
    return row


def read_layer(data: bytes) -> ZoneLayer:
    """Parse and check a layer file; raises :class:`BadInput` for anything malformed."""
    try:
        lines = gzip.decompress(data).splitlines()
        header = json.loads(lines[0]) if lines else None
        records = [json.loads(line) for line in lines[1:] if line.strip()]
    except (OSError, EOFError, ValueError) as exc:
        raise _bad(str(exc)) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _bad("not a zone layer")
    if header.get("version") != FORMAT_VERSION:
        raise BadInput(f"区域图层格式 {header.get('version')} 不受支持，请升级程序",
                       f"zone layer format {header.get('version')} is not supported; upgrade")
    layer_key = header.get("layer_key")
    if not isinstance(layer_key, str) or not layer_key or header.get("features") != len(records):
        raise _bad("header does not match the zones")
    rows = [_checked_row(record, layer_key) for record in records]
    geoms = shapely.from_wkb([row["wkb"] for row in rows], on_invalid="ignore") if rows else np.empty(0, object)
    if any(g is None or g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms):
        raise _bad("a zone geometry is not a polygon")
    return ZoneLayer(layer_key, rows)


def apply_layer(ws: Workspace, layer: ZoneLayer, *, source: str) -> ZoneImportResult:
    """Store a layer like ``import-zones`` would (one transaction; nothing changes on failure)."""
    result = ZoneImportResult()
    store_zone_rows(ws, layer.rows, result, source=source, layer_keys={layer.layer_key})
    return result
