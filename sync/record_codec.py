"""Converting workspace rows to the wire's record content and back.

On the wire a record carries its columns except the local row id and the
sync bookkeeping (``uuid`` travels beside the content; ``base_revision``,
``server_seq``, ``dirty`` and ``deleted`` are the protocol's business), and
local references become UUIDs: ``case_id`` → ``case_uuid``, ``finding_id``
→ ``finding_uuid``. Cases also leave out what each workspace computes for
itself from its own zones (nearest zone, attribution generation).

Columns come from the live schema (``PRAGMA table_info``), so a column a
later migration adds travels without changes here.
"""
from __future__ import annotations

from typing import Any, Optional

from inspector.store.db import Connection, Row
from sync.protocol import RECORD_KINDS

SYNC_BOOKKEEPING = frozenset({"id", "uuid", "base_revision", "server_seq", "dirty", "deleted"})
CASE_LOCAL_COLUMNS = frozenset({"nearest_zone_id", "nearest_distance_m", "attributed_generation"})
REFERENCES = {"case_id": ("cases", "case_uuid"), "finding_id": ("findings", "finding_uuid")}

_columns_cache: dict[tuple[int, str], list[str]] = {}


class MissingParent(LookupError):
    """A record refers to a case or finding this workspace does not hold."""


def table_columns(conn: Connection, kind: str) -> list[str]:
    if kind not in RECORD_KINDS:
        raise ValueError(f"not a synced record kind: {kind}")
    key = (id(conn), kind)
    if key not in _columns_cache:
        _columns_cache[key] = [row[1] for row in conn.execute(f"PRAGMA table_info({kind})")]
    return _columns_cache[key]


def wire_columns(conn: Connection, kind: str) -> list[str]:
    skip = SYNC_BOOKKEEPING | (CASE_LOCAL_COLUMNS if kind == "cases" else frozenset())
    return [c for c in table_columns(conn, kind) if c not in skip]


UuidMemo = dict[tuple[str, int], Optional[str]]  # (table, row id) -> uuid, within one read of the workspace


def _uuid_of(conn: Connection, table: str, row_id: int | None, memo: Optional[UuidMemo]) -> str | None:
    if row_id is None:
        return None
    if memo is not None and (table, row_id) in memo:
        return memo[(table, row_id)]
    found = conn.execute(f"SELECT uuid FROM {table} WHERE id = ?", (row_id,)).fetchone()
    uuid = found[0] if found else None
    if memo is not None:
        memo[(table, row_id)] = uuid
    return uuid


def to_wire(conn: Connection, kind: str, row: Row, memo: Optional[UuidMemo] = None) -> dict[str, Any]:
    """The wire content of a workspace row (a ``sqlite3.Row`` with all columns); ``memo`` keeps the uuids
    of referenced rows looked up, for a caller converting many rows of one unchanged workspace."""
    content: dict[str, Any] = {}
    for column in wire_columns(conn, kind):
        if column in REFERENCES:
            table, name = REFERENCES[column]
            content[name] = _uuid_of(conn, table, row[column], memo)
        else:
            content[column] = row[column]
    return content


def from_wire(conn: Connection, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """Workspace column values for wire content; raises :class:`MissingParent` for unknown references."""
    columns = set(wire_columns(conn, kind))
    values: dict[str, Any] = {}
    for column in columns:
        if column in REFERENCES:
            table, name = REFERENCES[column]
            ref = content.get(name)
            if ref is None:
                values[column] = None
                continue
            found = conn.execute(f"SELECT id FROM {table} WHERE uuid = ?", (ref,)).fetchone()
            if found is None:
                raise MissingParent(f"{kind} refers to {table} {ref} not held here")
            values[column] = found[0]
        elif column in content:
            values[column] = content[column]
    return values
