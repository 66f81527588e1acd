"""Which case a synced record belongs to, for reports a person reads (sync results, conflict review).

A sync result or a conflict names records by kind and UUID; a reader needs
the case number (编号) and a few fields that tell the records of one case
apart (a finding's assessment, a photo's file name, a transition's states).

- :func:`local_records` reads those for records this workspace holds, in
  one query per kind;
- :func:`case_no_of` finds the case number for a record's wire content (a
  conflict's version), through ``case_uuid`` when it is not a case itself.

The values stay raw (domain words as stored); the GUI turns them into text.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from inspector.store.workspace import Workspace
from sync.protocol import RECORD_KINDS

SQL_VARIABLES = 500  # UUIDs per IN (...) query, well under SQLite's limit
NO_CASE_KINDS = ("cases", "patrols")  # kinds whose rows have no case_id (a case is its own; a patrol has none)


def local_records(ws: Workspace, records: Iterable[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """``{uuid: {column: value, ..., "case_no": ...}}`` for the ``(kind, uuid)`` pairs held here."""
    by_kind: dict[str, list[str]] = {}
    for kind, uuid in records:
        if kind not in RECORD_KINDS:
            raise ValueError(f"not a synced record kind: {kind}")
        by_kind.setdefault(kind, []).append(uuid)
    found: dict[str, dict[str, Any]] = {}
    for kind, uuids in by_kind.items():
        join = "" if kind in NO_CASE_KINDS else "LEFT JOIN cases c ON c.id = r.case_id"
        case_no = "r.case_no" if kind == "cases" else "NULL" if kind in NO_CASE_KINDS else "c.case_no"
        for start in range(0, len(uuids), SQL_VARIABLES):
            part = uuids[start:start + SQL_VARIABLES]
            rows = ws.conn.execute(f"SELECT r.*, {case_no} AS case_no_of_record FROM {kind} r {join} "
                                   f"WHERE r.uuid IN ({','.join('?' * len(part))})", part)
            for row in rows:
                values = dict(row)
                values["case_no"] = values.pop("case_no_of_record")
                found[values["uuid"]] = values
    return found


def case_no_of(ws: Workspace, kind: str, content: dict[str, Any]) -> Optional[str]:
    """The case number a record's wire content belongs to, if this workspace knows the case."""
    if kind == "cases":
        return content.get("case_no")
    case_uuid = content.get("case_uuid")
    if not case_uuid:
        return None
    row = ws.conn.execute("SELECT case_no FROM cases WHERE uuid = ?", (case_uuid,)).fetchone()
    return row[0] if row else None
