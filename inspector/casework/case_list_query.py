"""The case list's query: filters, search, sort and paging of cases, in SQL, as plain data.

A list of 100,000 cases is never loaded whole. :func:`case_ids` returns the
ids of the cases a :class:`CaseFilter` admits, in the order of a sort key (one
query on the indexed columns; 100,000 ids take a few tens of milliseconds);
:func:`case_rows` returns the display records of a page of those ids, and
:func:`sort_keys` what a few cases sort by (to tell whether a changed case
still belongs in its row without querying the whole list again).
:func:`case_ids_by_uuid` and :func:`case_markers` look up the cases a change
summary names, and :func:`filter_choices` lists what the filters offer. The
GUI's case table and review queue read through these; so can any other view
or a test, without Qt.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable

from inspector.casework.statuses import STATES, overdue_days, overdue_sql
from inspector.geo.attribution import zone_precedence
from inspector.store.workspace import Workspace

_STATUS_ORDER = "CASE c.status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATES)) + " ELSE 99 END"
SORT_SQL = {  # sort key: SQL expression over ``cases c`` (``:today`` is today's date)
    "status": _STATUS_ORDER,
    "case_no": "c.case_no",
    "zone": "coalesce((SELECT min(z.name) FROM case_zones cz JOIN zones z ON z.id = cz.zone_id "
            "WHERE cz.case_id = c.id), '~')",
    "function_zone": "coalesce(c.ledger_function_zone, '~')",
    "problem_type": "coalesce(c.problem_type, '~')",
    "admin": "coalesce(c.county_adcode, '~')",
    "deadline": "coalesce(c.deadline, '9999')",
    "overdue": f"CASE WHEN {overdue_sql('c.deadline', 'c.status', ':today')} THEN c.deadline ELSE '9999' END",
}
SORT_KEYS = tuple(SORT_SQL)
_ROW_SQL = (
    "SELECT c.id, c.uuid, c.case_no, c.status, c.problem_type, c.deadline, c.ledger_zone_name, "
    "c.ledger_function_zone, ca.name AS city, co.name AS county, nz.name AS nearest_name, "
    "c.nearest_distance_m FROM cases c LEFT JOIN admin_areas ca ON ca.adcode = c.city_adcode "
    "LEFT JOIN admin_areas co ON co.adcode = c.county_adcode LEFT JOIN zones nz ON nz.id = c.nearest_zone_id "
    "WHERE c.id IN (SELECT value FROM json_each(?))"
)
_ZONE_SQL = ("SELECT cz.case_id, z.name, z.kind, z.function_zone FROM case_zones cz JOIN zones z "
             "ON z.id = cz.zone_id WHERE z.deleted = 0 AND cz.case_id IN (SELECT value FROM json_each(?))")


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows; every field narrows it (all in SQL)."""

    statuses: tuple[str, ...] = ()
    city_adcode: str | None = None
    county_adcode: str | None = None
    problem_type: str | None = None
    zone_kind: str | None = None
    text: str = ""  # searched in 问题编号, zone names, type, description, responsible unit (as typed)
    overdue_only: bool = False

    def where(self, today: dt.date | None = None) -> tuple[str, dict[str, Any]]:
        """The SQL condition over ``cases c`` and its named parameters."""
        parts = ["c.deleted = 0"]
        params: dict[str, Any] = {"today": (today or dt.date.today()).isoformat()}
        if self.statuses:
            marks = ", ".join(f":s{i}" for i in range(len(self.statuses)))
            parts.append(f"c.status IN ({marks})")
            params.update({f"s{i}": s for i, s in enumerate(self.statuses)})
        if self.city_adcode:
            parts.append("c.city_adcode = :city")
            params["city"] = self.city_adcode
        if self.county_adcode:
            parts.append("c.county_adcode = :county")
            params["county"] = self.county_adcode
        if self.problem_type:
            parts.append("c.problem_type = :ptype")
            params["ptype"] = self.problem_type
        if self.zone_kind:
            parts.append("EXISTS (SELECT 1 FROM case_zones cz JOIN zones z ON z.id = cz.zone_id "
                         "WHERE cz.case_id = c.id AND z.kind = :kind AND z.deleted = 0)")
            params["kind"] = self.zone_kind
        text = self.text.strip()
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            parts.append("c.search_text LIKE :text ESCAPE '\\'")
            params["text"] = f"%{escaped}%"
        if self.overdue_only:
            parts.append(overdue_sql("c.deadline", "c.status", ":today"))
        return " AND ".join(parts), params


def case_ids(ws: Workspace, case_filter: CaseFilter = CaseFilter(), *, sort: str = "case_no",
             descending: bool = False) -> list[int]:
    """Ids of the cases ``case_filter`` admits, ordered by the sort key (then 问题编号, same direction)."""
    if sort not in SORT_SQL:
        raise ValueError(f"unknown sort key {sort!r} (keys: {', '.join(SORT_KEYS)})")
    where, params = case_filter.where()
    direction = "DESC" if descending else "ASC"
    sql = f"SELECT c.id FROM cases c WHERE {where} ORDER BY {SORT_SQL[sort]} {direction}, c.case_no {direction}"
    return [row[0] for row in ws.conn.execute(sql, params)]


def sort_keys(ws: Workspace, case_filter: CaseFilter, ids: Iterable[int], *,
              sort: str = "case_no") -> dict[int, tuple[Any, str]]:
    """For those of ``ids`` the filter admits: (sort key, 问题编号), the order :func:`case_ids` uses."""
    if sort not in SORT_SQL:
        raise ValueError(f"unknown sort key {sort!r} (keys: {', '.join(SORT_KEYS)})")
    where, params = case_filter.where()
    params["ids"] = json.dumps(sorted({int(i) for i in ids}))
    sql = (f"SELECT c.id, {SORT_SQL[sort]}, c.case_no FROM cases c WHERE {where} "
           f"AND c.id IN (SELECT value FROM json_each(:ids))")
    return {row[0]: (row[1], row[2]) for row in ws.conn.execute(sql, params)}


def case_rows(ws: Workspace, ids: Iterable[int], today: dt.date | None = None) -> dict[int, dict[str, Any]]:
    """Display records of the given case ids: 问题编号, status, type, deadline, ledger zone, city and
    county names, nearest zone, the strictest zone it lies in (``zone``), its function zone and
    ``overdue_days``."""
    wanted = json.dumps(sorted({int(i) for i in ids}))
    conn = ws.conn
    records = {row["id"]: dict(row) for row in conn.execute(_ROW_SQL, (wanted,))}
    if not records:
        return {}
    zones: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(_ZONE_SQL, (wanted,)):
        zones.setdefault(row[0], []).append({"name": row[1], "kind": row[2], "function_zone": row[3]})
    today = today or dt.date.today()
    for case_id, record in records.items():
        found = sorted(zones.get(case_id, []), key=zone_precedence)
        record["zone"] = found[0] if found else None
        record["function_zone"] = next((z["function_zone"] for z in found if z["function_zone"]),
                                       record["ledger_function_zone"])
        record["overdue_days"] = overdue_days(record["deadline"], record["status"], today)
    return records


def case_ids_by_uuid(ws: Workspace, uuids: Iterable[str]) -> dict[str, int]:
    """Local ids of the cases with these UUIDs (deleted ones included; unknown ones left out)."""
    wanted = json.dumps(sorted(set(uuids)))
    return {row[0]: row[1] for row in ws.conn.execute(
        "SELECT uuid, id FROM cases WHERE uuid IN (SELECT value FROM json_each(?))", (wanted,))}


def case_markers(ws: Workspace, uuids: Iterable[str]) -> list[dict[str, Any]]:
    """What the map shows of these cases: uuid, lon, lat, status and whether it was deleted."""
    wanted = json.dumps(sorted(set(uuids)))
    return [{"uuid": row[0], "lon": row[1], "lat": row[2], "status": row[3], "deleted": bool(row[4])}
            for row in ws.conn.execute("SELECT uuid, lon, lat, status, deleted FROM cases "
                                       "WHERE uuid IN (SELECT value FROM json_each(?)) ORDER BY case_no",
                                       (wanted,))]


def filter_choices(ws: Workspace) -> dict[str, list[tuple[str, str]]]:
    """What the list's filters offer: ``cities`` (adcode, name) that hold cases, and ``problem_types``
    (value, text) that occur."""
    conn = ws.conn
    cities = [(row[0], row[1]) for row in conn.execute(
        "SELECT adcode, name FROM admin_areas WHERE level = 'city' "
        "AND adcode IN (SELECT DISTINCT city_adcode FROM cases) ORDER BY adcode")]
    types = [(row[0], row[0]) for row in conn.execute(
        "SELECT DISTINCT problem_type FROM cases WHERE problem_type IS NOT NULL ORDER BY problem_type")]
    return {"cities": cities, "problem_types": types}
