"""Read-only queries about evidence, as plain data: one item with its metadata (the evidence viewer).

The list of a case's evidence is :func:`inspector.casework.evidence_attach.list_evidence`.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from inspector.store.workspace import Workspace

ITEM_COLUMNS = ("uuid", "sha256", "kind", "phase", "original_name", "lon", "lat", "altitude_m", "bearing_deg",
                "taken_at_utc", "make", "model", "flags", "zones", "function_zone", "footprint_area_m2")


def _json_list(text: Optional[str]) -> list[Any]:
    """A stored JSON list; anything else (empty, malformed, not a list) reads as no entries."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def evidence_item(ws: Workspace, uuid: str) -> Optional[dict[str, Any]]:
    """One evidence record: file, kind, phase, position, camera, taken time, ``zones`` (as stored: a list of
    zone summaries), ``flags`` (list of flag codes), function zone and footprint area; ``None`` if unknown."""
    row = ws.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM evidence WHERE uuid = ?", (uuid,)).fetchone()
    if row is None:
        return None
    item = dict(row)
    item["zones"] = _json_list(row["zones"])
    item["flags"] = _json_list(row["flags"])
    return item
