"""Reading cases (问题) with their attribution, and a workspace summary.

``resolve_case`` turns what a user typed (a 问题编号 or a UUID) into a case
row; ``list_cases`` returns cases as plain dictionaries for the CLI, forms
and views; ``summary`` counts what a workspace holds.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from inspector.casework.statuses import is_overdue, overdue_sql
from inspector.errors import NotFound
from inspector.importers.area_units import area_display, area_flag
from inspector.store.db import Row
from inspector.store.workspace import Workspace

CASE_COLUMNS = (
    "id", "uuid", "case_no", "status", "ledger_zone_name", "ledger_function_zone", "problem_type",
    "description", "lon", "lat", "discovered_on", "deadline", "responsible_unit", "clue_source",
    "ledger_city", "ledger_county", "area_m2", "city_adcode", "county_adcode", "nearest_zone_id",
    "nearest_distance_m", "source_file", "source_sheet", "source_row", "revision", "updated_at",
    "geometry_geojson", "reported_area_m2", "area_unit", "patch_no", "imaged_before", "imaged_after", "change_type",
    "origin",
)


def resolve_case(ws: Workspace, ref: str) -> Row:
    """The case row for a 问题编号 or UUID; :class:`NotFound` otherwise."""
    row = ws.conn.execute(
        f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE (case_no = ? OR uuid = ?) AND deleted = 0",
        (ref, ref.lower()),
    ).fetchone()
    if row is None:
        raise NotFound(f"找不到问题：{ref}", f"no such case: {ref}")
    return row


def _zones_by_case(ws: Workspace, case_ids: list[int] | None) -> dict[int, list[dict[str, Any]]]:
    from inspector.geo.attribution import zone_precedence, zone_summary

    sql = ("SELECT cz.case_id, z.uuid, z.name, z.code, z.kind, z.category, z.function_zone, z.level, "
           "cz.overlap_m2, cz.overlap_share FROM case_zones cz JOIN zones z ON z.id = cz.zone_id WHERE z.deleted = 0")
    params: list[Any] = []
    if case_ids is not None:
        sql += f" AND cz.case_id IN ({','.join('?' * len(case_ids))})"
        params = case_ids
    result: dict[int, list[dict[str, Any]]] = {}
    for row in ws.conn.execute(sql, params):
        zone = zone_summary(row)
        if row["overlap_m2"] is not None:  # a patch: how much of it lies in the zone
            zone.update(overlap_m2=row["overlap_m2"], overlap_share=row["overlap_share"])
        result.setdefault(row["case_id"], []).append(zone)
    for zones in result.values():
        zones.sort(key=zone_precedence)
    return result


def _admin_names(ws: Workspace) -> dict[str, str]:
    return {r[0]: r[1] for r in ws.conn.execute("SELECT adcode, name FROM admin_areas")}


def case_dict(row: Row, zones: list[dict[str, Any]], names: dict[str, str],
              nearest: dict[int, dict[str, Any]], today: dt.date) -> dict[str, Any]:
    data = {k: row[k] for k in CASE_COLUMNS if k != "id"}
    data["geometry"] = json.loads(data.pop("geometry_geojson")) if row["geometry_geojson"] else None
    data["area_display"] = area_display(row["area_m2"], row["area_unit"])
    data["area_flag"] = area_flag(row["area_m2"], row["reported_area_m2"]) if data["geometry"] else None
    data["zones"] = zones
    data["function_zone"] = next((z["function_zone"] for z in zones if z["function_zone"]), None)
    data["city"] = names.get(row["city_adcode"])
    data["county"] = names.get(row["county_adcode"])
    data["nearest"] = nearest.get(row["nearest_zone_id"]) if not zones and row["nearest_zone_id"] else None
    if data["nearest"] is not None:
        data["nearest"] = {**data["nearest"], "distance_m": row["nearest_distance_m"]}
    data.pop("nearest_zone_id")
    data.pop("nearest_distance_m")
    data["overdue"] = is_overdue(row["deadline"], row["status"], today)
    return data


def list_cases(ws: Workspace, *, status: str | None = None, refs: list[str] | None = None) -> list[dict[str, Any]]:
    """Cases with their zones, function zone, city/county and overdue marker."""
    sql = f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE deleted = 0"
    params: list[Any] = []
    if status:
        sql += " AND status = ?"
        params.append(status)
    rows = ws.conn.execute(sql + " ORDER BY case_no", params).fetchall()
    if refs:
        wanted = set(refs)
        rows = [r for r in rows if r["case_no"] in wanted or r["uuid"] in wanted]
    zones = _zones_by_case(ws, None if len(rows) > 900 else [r["id"] for r in rows])
    nearest_ids = sorted({r["nearest_zone_id"] for r in rows if r["nearest_zone_id"]})
    nearest = {
        r[0]: {"uuid": r[1], "name": r[2], "code": r[3], "kind": r[4], "function_zone": r[5]}
        for r in ws.conn.execute(
            "SELECT id, uuid, name, code, kind, function_zone FROM zones "
            f"WHERE id IN ({','.join('?' * len(nearest_ids))})",
            nearest_ids,
        )
    } if nearest_ids else {}
    names = _admin_names(ws)
    today = dt.date.today()
    return [case_dict(r, zones.get(r["id"], []), names, nearest, today) for r in rows]


def summary(ws: Workspace) -> dict[str, Any]:
    conn = ws.conn
    by_status = {r[0]: r[1] for r in conn.execute(
        "SELECT status, count(*) FROM cases WHERE deleted = 0 GROUP BY status ORDER BY status")}
    by_kind = {r[0]: r[1] for r in conn.execute(
        "SELECT kind, count(*) FROM zones WHERE deleted = 0 GROUP BY kind ORDER BY kind")}
    by_city = {r[0] or "未知": r[1] for r in conn.execute(
        "SELECT a.name, count(*) FROM cases c LEFT JOIN admin_areas a ON a.adcode = c.city_adcode "
        "WHERE c.deleted = 0 GROUP BY a.name ORDER BY count(*) DESC")}
    in_zone = conn.execute(
        "SELECT count(DISTINCT case_id) FROM case_zones cz JOIN cases c ON c.id = cz.case_id WHERE c.deleted = 0"
    ).fetchone()[0]
    overdue = conn.execute(
        f"SELECT count(*) FROM cases WHERE deleted = 0 AND {overdue_sql('deadline', 'status', '?')}",
        (dt.date.today().isoformat(),),
    ).fetchone()[0]
    return {
        "workspace": str(ws.root),
        "schema_version": ws.schema_version,
        "workspace_id": ws.meta("workspace_id"),
        "zones": sum(by_kind.values()),
        "zones_by_kind": by_kind,
        "cases": sum(by_status.values()),
        "cases_by_status": by_status,
        "cases_by_city": by_city,
        "cases_in_zones": in_zone,
        "cases_overdue": overdue,
        "admin_areas": conn.execute("SELECT count(*) FROM admin_areas").fetchone()[0],
        "basemaps": [p.name for p in ws.basemaps()],
    }
