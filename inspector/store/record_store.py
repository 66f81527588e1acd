"""Audited writes of syncable records: insert and update with sync bookkeeping, and what is not pushed yet.

Every table created in migration v3 for field work (findings, evidence,
rectifications, closure checklists, transitions) carries the sync columns
(``uuid``, ``revision``, ``dirty``, …). These helpers fill them in — a new
UUID made on this device, revision 1 or +1, ``dirty = 1``, UTC timestamps —
and append the matching audit entry. Call them inside ``db.atomic`` so the
row and its audit entry commit together. Each write is noted for the change
journal (:mod:`inspector.store.changes`), so a mutation's summary names it.

:data:`SYNCED_KINDS` names the tables whose records sync (the protocol's
record kinds), and :func:`pending_changes` is the one count of records
edited here and not yet acknowledged by the server — what the GUI's 待同步
counter and a sync's report both show.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, cast

from inspector.store import audit
from inspector.store.changes import note_record
from inspector.store.db import Connection
from inspector.store.workspace import new_uuid, utc_now

# The tables whose records name the account that recorded them (``recorded_by``, migration v10): who may correct
# them in the field (:mod:`inspector.casework.corrections`).
RECORDED_BY_TABLES = ("findings", "evidence", "rectifications")
# The tables whose records sync, parents first: the order a push sends them and a pull applies them. A patrol
# belongs to no case: its scope is the jurisdiction its track lies in (decided by the server).
SYNCED_KINDS = ("cases", "findings", "rectifications", "closure_checklists", "evidence", "countersigns", "publicity",
                "transitions", "form_evidence", "patrols")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def insert_record(conn: Connection, table: str, values: dict[str, Any], *, actor: str, action: str,
                  evidence_hashes: Iterable[str] = (), uuid: str | None = None) -> tuple[int, str]:
    """Insert a new record and audit it; returns (row id, uuid). ``uuid``: one the caller derived (a record
    every device must name alike), else a new one."""
    now = utc_now()
    if table in RECORDED_BY_TABLES:
        values = {"recorded_by": actor, **values}
    row = {**values, "uuid": uuid or new_uuid(), "revision": 1, "dirty": 1, "deleted": 0,
           "created_at": now, "updated_at": now}
    columns = list(row)
    cursor = conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
    audit.append(conn, actor, action, table, row["uuid"], evidence_hashes=evidence_hashes)
    note_record(conn, table, row["uuid"])
    row_id = cast(int, cursor.lastrowid)  # an INSERT sets it (None only before the first one)
    return row_id, row["uuid"]


def update_record(conn: Connection, table: str, uuid: str, changes: dict[str, Any], *, actor: str,
                  action: str, evidence_hashes: Iterable[str] = ()) -> None:
    """Change columns of a record (revision + 1, dirty) and audit it."""
    assignments = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(
        f"UPDATE {table} SET {assignments}, revision = revision + 1, dirty = 1, updated_at = ? "
        f"WHERE uuid = ?",
        [*changes.values(), utc_now(), uuid],
    )
    audit.append(conn, actor, action, table, uuid, evidence_hashes=evidence_hashes)
    note_record(conn, table, uuid)


def pending_changes(conn: Connection) -> int:
    """Records of the synced kinds with a local edit the server has not acknowledged (``dirty = 1``),
    deletions included: a tombstone waits for its push like any edit."""
    return sum(conn.execute(f"SELECT count(*) FROM {kind} WHERE dirty = 1").fetchone()[0] for kind in SYNCED_KINDS)
