"""The rows of an exported ledger: each case's original columns, verbatim, then its progress.

The original columns come from the stored source row (``cases.source_record``,
the ledger row as the importer read it, keyed by header text in the sheet's
order); a workspace fed by several ledgers exports the union of their
headers, in the order they first appear. The progress columns
(:data:`inspector.vocabulary.LEDGER_PROGRESS_COLUMNS`) are gathered from the
workflow's records: the status, the latest finding's assessment and
activity, the attributed zones (strictest first) and function zone, city and
county, the rectification measures and deadline, the dates a closure was
requested and granted (in the workspace's time zone), the days overdue, the
last return reason, the number of evidence items, and last the area of the
case's patch (图斑面积, computed from its polygon; blank for a point case)
and the verified area the inspector drew on the map (核实面积), both in m².

:func:`ledger_rows` streams them in chunks of :data:`CHUNK_CASES` cases, so
100,000 cases never sit in memory at once; the writers
(:mod:`inspector.reports.ledger_export`) turn each value into a cell.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from inspector.casework.case_list_query import CaseFilter
from inspector.casework.statuses import overdue_days
from inspector.geo.attribution import zone_precedence
from inspector.store.workspace import DEFAULT_TIMEZONE, Workspace, parse_utc
from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS

CHUNK_CASES = 2000  # cases read per query while streaming an export
DATE_COLUMNS = frozenset({"整改时限", "整改完成日期", "销号日期"})  # progress columns holding a date
NUMBER_COLUMNS = frozenset({"逾期天数", "证据数量"})  # progress columns holding a whole number
AREA_COLUMNS = frozenset({"图斑面积（平方米）", "核实面积（平方米）"})  # progress columns holding an area in m²
AREA_DECIMALS = 2  # decimals of an exported area in m²
ZONE_SEPARATOR = "；"

_CASE_SQL = """
SELECT c.id, c.case_no, c.status, c.source_record, c.deadline, c.lon, c.lat,
       CASE WHEN c.geometry_geojson IS NOT NULL THEN c.area_m2 END AS patch_area_m2, c.verified_area_m2,
       ca.name AS city, co.name AS county,
       (SELECT f.assessment FROM findings f
         WHERE f.case_id = c.id AND f.deleted = 0 AND f.voided_at IS NULL
         ORDER BY f.observed_at_utc DESC, f.id DESC LIMIT 1) AS assessment,
       (SELECT f.activity_type FROM findings f
         WHERE f.case_id = c.id AND f.deleted = 0 AND f.voided_at IS NULL
         ORDER BY f.observed_at_utc DESC, f.id DESC LIMIT 1) AS activity,
       (SELECT group_concat(CASE WHEN r.measures <> '' THEN r.measure_type || '：' || r.measures
                                 ELSE r.measure_type END, '；')
          FROM (SELECT * FROM rectifications
                WHERE case_id = c.id AND deleted = 0 AND voided_at IS NULL ORDER BY id) r) AS measures,
       (SELECT r.deadline FROM rectifications r
         WHERE r.case_id = c.id AND r.deleted = 0 AND r.voided_at IS NULL AND r.deadline IS NOT NULL
         ORDER BY r.id DESC LIMIT 1) AS rectification_deadline,
       (SELECT t.at_utc FROM transitions t WHERE t.case_id = c.id AND t.deleted = 0 AND t.to_state = '申请销号'
         ORDER BY t.id DESC LIMIT 1) AS requested_at,
       (SELECT t.at_utc FROM transitions t WHERE t.case_id = c.id AND t.deleted = 0 AND t.to_state = '已销号'
         ORDER BY t.id DESC LIMIT 1) AS closed_at,
       (SELECT t.reason FROM transitions t WHERE t.case_id = c.id AND t.deleted = 0 AND t.action = '退回'
         ORDER BY t.id DESC LIMIT 1) AS return_reason,
       (SELECT count(*) FROM evidence e
         WHERE e.case_id = c.id AND e.deleted = 0 AND e.voided_at IS NULL) AS evidence_count
FROM cases c
LEFT JOIN admin_areas ca ON ca.adcode = c.city_adcode
LEFT JOIN admin_areas co ON co.adcode = c.county_adcode
WHERE c.id IN (SELECT value FROM json_each(?))
"""
_ZONE_SQL = ("SELECT cz.case_id, z.name, z.kind, z.function_zone FROM case_zones cz JOIN zones z "
             "ON z.id = cz.zone_id WHERE z.deleted = 0 AND cz.case_id IN (SELECT value FROM json_each(?))")


@dataclass(frozen=True)
class LedgerRow:
    """One case of an exported ledger."""

    case_no: str
    original: list[str | None]  # texts of the original columns, in :attr:`LedgerRows.original_columns` order
    progress: list[Any]  # values of LEDGER_PROGRESS_COLUMNS: text, dt.date, int or None
    lon: float
    lat: float


@dataclass(frozen=True)
class LedgerRows:
    """What an export writes: the header and a stream of rows (read once)."""

    original_columns: list[str]
    count: int
    rows: Iterator[LedgerRow]

    @property
    def columns(self) -> list[str]:
        return self.original_columns + list(LEDGER_PROGRESS_COLUMNS)


def exported_case_ids(ws: Workspace, case_filter: CaseFilter) -> list[int]:
    """The ids of the cases an export with this filter holds, in ledger order (file, sheet, row, 问题编号)."""
    where, params = case_filter.where()
    sql = (f"SELECT c.id FROM cases c WHERE {where} "
           "ORDER BY c.source_file IS NULL, c.source_file, c.source_sheet, c.source_row, c.case_no")
    return [row[0] for row in ws.conn.execute(sql, params)]


def original_columns(ws: Workspace, ids: list[int]) -> list[str]:
    """The union of the source rows' headers, in the order they first appear. Every row the importer keeps
    of one sheet has that sheet's header, so one row per file and sheet is read (with every row that has
    no source file)."""
    sql = ("SELECT c.source_record FROM cases c WHERE c.id IN (SELECT min(c.id) FROM cases c "
           "WHERE c.id IN (SELECT value FROM json_each(:ids)) AND c.source_file IS NOT NULL "
           "GROUP BY c.source_file, c.source_sheet) OR (c.id IN (SELECT value FROM json_each(:ids)) "
           "AND c.source_file IS NULL AND c.source_record IS NOT NULL) "
           "ORDER BY c.source_file IS NULL, c.source_file, c.source_sheet, c.source_row")
    columns: dict[str, None] = {}
    for (source_record,) in ws.conn.execute(sql, {"ids": json.dumps(ids)}):
        try:
            keys = json.loads(source_record) if source_record else {}
        except ValueError:
            continue
        if isinstance(keys, dict):
            columns.update(dict.fromkeys(keys))
    return list(columns)


def ledger_rows(ws: Workspace, case_filter: CaseFilter = CaseFilter(), *,
                today: dt.date | None = None) -> LedgerRows:
    """The export of the cases ``case_filter`` admits (see the module docstring)."""
    ids = exported_case_ids(ws, case_filter)
    columns = original_columns(ws, ids)
    zone = workspace_zone(ws)
    return LedgerRows(columns, len(ids), _stream(ws, ids, columns, zone, today or dt.date.today()))


def workspace_zone(ws: Workspace) -> ZoneInfo:
    """The workspace's time zone (the calendar days of the progress dates)."""
    return ZoneInfo(ws.meta("timezone", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE)


def _stream(ws: Workspace, ids: list[int], columns: list[str], zone: ZoneInfo,
            today: dt.date) -> Iterator[LedgerRow]:
    conn = ws.conn
    for start in range(0, len(ids), CHUNK_CASES):
        chunk = ids[start:start + CHUNK_CASES]
        wanted = json.dumps(chunk)
        records = {row["id"]: row for row in conn.execute(_CASE_SQL, (wanted,))}
        zones: dict[int, list[dict[str, Any]]] = {}
        for row in conn.execute(_ZONE_SQL, (wanted,)):
            zones.setdefault(row[0], []).append({"name": row[1], "kind": row[2], "function_zone": row[3]})
        for case_id in chunk:
            record = records[case_id]
            yield LedgerRow(record["case_no"], original_values(record["source_record"], columns),
                            progress_values(record, sorted(zones.get(case_id, []), key=zone_precedence), zone, today),
                            record["lon"], record["lat"])


def original_values(source_record: Any, columns: list[str]) -> list[str | None]:
    """The texts of ``columns`` in a stored source row (JSON text or an object; anything else gives blanks)."""
    if isinstance(source_record, dict):
        return [_text(source_record.get(name)) for name in columns]
    try:
        values = json.loads(source_record) if source_record else {}
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    return [_text(values.get(name)) for name in columns]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def progress_values(record: Any, zones: list[dict[str, Any]], zone: ZoneInfo, today: dt.date) -> list[Any]:
    """The progress columns of one case. ``record`` maps status, assessment, activity, city, county, measures,
    rectification_deadline, deadline, requested_at, closed_at (UTC timestamps), return_reason,
    evidence_count, patch_area_m2 (the area of its polygon; None for a point case) and verified_area_m2;
    ``zones`` are its attributed zones, strictest first."""
    names = ZONE_SEPARATOR.join(dict.fromkeys(z["name"] for z in zones if z["name"])) or None
    function_zone = next((z["function_zone"] for z in zones if z["function_zone"]), None)
    closed_at = record["closed_at"] if record["status"] == "已销号" else None
    return [
        record["status"], record["assessment"], record["activity"], names, function_zone,
        record["city"], record["county"], record["measures"],
        as_date(record["rectification_deadline"] or record["deadline"]),
        local_date(record["requested_at"], zone), local_date(closed_at, zone),
        overdue_days(record["deadline"], record["status"], today), record["return_reason"],
        record["evidence_count"], area(record["patch_area_m2"]), area(record["verified_area_m2"]),
    ]


def area(value: Any) -> float | None:
    """An area in m², rounded to :data:`AREA_DECIMALS`; None when unknown (or not a finite number)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, AREA_DECIMALS) if math.isfinite(number) else None


def as_date(text: str | None) -> dt.date | str | None:
    """A canonical ``YYYY-MM-DD`` as a date; any other text as it is (foreign data is never reinterpreted)."""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return day if day.isoformat() == text else text


def local_date(utc_text: str | None, zone: ZoneInfo) -> dt.date | None:
    """The calendar day of a UTC timestamp in the workspace's time zone."""
    moment = parse_utc(utc_text)
    return moment.astimezone(zone).date() if moment is not None else None
