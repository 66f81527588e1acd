"""Read-only queries about one case and about the workspace, as plain data, for views and tests.

- :func:`case_brief`: a case's identity, position and status (the finding
  form's title and ledger position, the review queue's buttons, a form's name);
- :func:`case_record`: every column of a case, and :func:`case_places`: its
  city and county names, the zones it lies in and the nearest zone (the case
  detail);
- :func:`case_findings`: what the case detail lists of each finding;
- :func:`audit_entry_count`: the audit log entries of a case's records;
- :func:`cases_with_status`: (uuid, 问题编号) of the cases in one state (batch
  forms);
- :func:`status_counts`: the status bar (the pending count is the store's
  :func:`inspector.store.record_store.pending_changes`).

The case list's filtered, sorted and paged query is
:mod:`inspector.casework.case_list_query`.
"""
from __future__ import annotations

from typing import Any, Optional

from inspector.store.workspace import Workspace

CASE_RECORD_KINDS = ("findings", "evidence", "rectifications", "closure_checklists", "countersigns", "publicity",
                     "transitions", "form_evidence")


def case_brief(ws: Workspace, uuid: str) -> Optional[dict[str, Any]]:
    """``id``, ``uuid``, ``case_no``, ``status``, ``lon``, ``lat`` of a case not deleted, else ``None``."""
    row = ws.conn.execute("SELECT id, uuid, case_no, status, lon, lat FROM cases WHERE uuid = ? AND deleted = 0",
                          (uuid,)).fetchone()
    return dict(row) if row is not None else None


def case_record(ws: Workspace, uuid: str) -> Optional[dict[str, Any]]:
    """Every column of a case not deleted (the ledger fields, status, attribution, sync columns), else
    ``None``."""
    row = ws.conn.execute("SELECT * FROM cases WHERE uuid = ? AND deleted = 0", (uuid,)).fetchone()
    return dict(row) if row is not None else None


def case_places(ws: Workspace, case: dict[str, Any]) -> dict[str, Any]:
    """Where a case (a :func:`case_record`) lies: ``city`` and ``county`` names (or ``None``), ``zones``
    (name, kind, category, function_zone of each zone it lies in) and, when it lies in none, ``nearest``
    (name, distance_m) or ``None``."""
    conn = ws.conn
    names = {row[0]: row[1] for row in conn.execute(
        "SELECT adcode, name FROM admin_areas WHERE adcode IN (?, ?)", (case["city_adcode"], case["county_adcode"]))}
    zones = [dict(row) for row in conn.execute(
        "SELECT z.name, z.kind, z.category, z.function_zone FROM case_zones cz JOIN zones z ON z.id = cz.zone_id "
        "WHERE cz.case_id = ? AND z.deleted = 0", (case["id"],))]
    nearest = None
    if not zones and case["nearest_zone_id"] is not None:
        row = conn.execute("SELECT name FROM zones WHERE id = ?", (case["nearest_zone_id"],)).fetchone()
        if row is not None:
            nearest = {"name": row[0], "distance_m": case["nearest_distance_m"]}
    return {"city": names.get(case["city_adcode"]), "county": names.get(case["county_adcode"]),
            "zones": zones, "nearest": nearest}


def case_findings(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    """The case's findings, oldest first: inspector, observed_at_utc, activity_type, assessment, description,
    position_source (the columns as stored; nothing parsed)."""
    return [dict(row) for row in ws.conn.execute(
        "SELECT inspector, observed_at_utc, activity_type, assessment, description, position_source "
        "FROM findings WHERE case_id = ? AND deleted = 0 ORDER BY id", (case_id,))]


def audit_entry_count(ws: Workspace, case_id: int) -> int:
    """How many audit log entries concern the records of a case (findings, evidence, rectifications,
    checklist, transitions)."""
    conn = ws.conn
    uuids = [row[0] for table in CASE_RECORD_KINDS
             for row in conn.execute(f"SELECT uuid FROM {table} WHERE case_id = ?", (case_id,))]
    if not uuids:
        return 0
    return conn.execute(f"SELECT count(*) FROM audit_log WHERE record_uuid IN ({','.join('?' * len(uuids))})",
                        uuids).fetchone()[0]


def cases_with_status(ws: Workspace, status: str) -> list[tuple[str, str]]:
    """(uuid, 问题编号) of the cases in ``status``, by 问题编号."""
    return [(row[0], row[1]) for row in ws.conn.execute(
        "SELECT uuid, case_no FROM cases WHERE status = ? AND deleted = 0 ORDER BY case_no", (status,))]


def status_counts(ws: Workspace) -> dict[str, int]:
    """Cases (not deleted) per status."""
    # A plain scan beats the status index here: the index would need a row lookup per case for `deleted`.
    return {row[0]: row[1] for row in ws.conn.execute(
        "SELECT status, count(*) FROM cases NOT INDEXED WHERE deleted = 0 GROUP BY status")}
