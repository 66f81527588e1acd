"""Statistics and accountability (量化问责): the figures of ``inspector report`` and the 统计 view.

:func:`report_statistics` reads the cases a :class:`CaseFilter` admits in one
query and counts, in one pass:

- **totals** and **groups** (by city, county, responsible unit or strictest
  zone): ``cases``, ``open``, ``closed`` (已销号 or 排除, as everywhere),
  ``overdue`` (the workflow's one rule, as ``summary`` counts it) and
  ``closed_on_time_rate`` — of the cases closed by 销号 (in the period, when
  one is given), the share whose 销号 day was not after their 整改时限 (a case
  without a deadline is on time); ``None`` when nothing was closed;
- counts by status and by group and status (the stacked bars), 销号 per month
  (the line), new clues (发现时间) and closures in the period, returned cases
  and returns (退回);
- the overdue cases by responsible unit, the longest first;
- the open cases on a grid of :data:`MAP_CELL_DEG` degrees with their counts
  by status (the map), so a map of 100,000 cases stays a few thousand dots.

The totals over an unfiltered workspace equal ``inspector summary``'s counts.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from inspector.casework.case_list_query import CaseFilter
from inspector.casework.statuses import STATES, is_closed, overdue_days
from inspector.errors import BadInput
from inspector.store.workspace import DEFAULT_TIMEZONE, Workspace
from inspector.vocabulary import FUNCTION_ZONES, KIND_CONTROL_AREA, KIND_PROTECTED_AREA, KIND_RED_LINE

GROUPINGS = ("city", "county", "unit", "zone")
MAP_CELL_DEG = 0.05  # grid cell of the open-case map, degrees of longitude and latitude
UNKNOWN = {"city": "未知", "county": "未知", "unit": "未填写", "zone": "不在区域内"}
CLOSED_BY_ACCEPTANCE = "已销号"

_KIND_RANK = (f"CASE z.kind WHEN '{KIND_RED_LINE}' THEN 0 WHEN '{KIND_PROTECTED_AREA}' THEN 1 "
              f"WHEN '{KIND_CONTROL_AREA}' THEN 2 ELSE 3 END")  # geo.attribution.zone_precedence, in SQL
_ZONE_RANK = "CASE z.function_zone " + " ".join(f"WHEN '{z}' THEN {i}" for i, z in enumerate(FUNCTION_ZONES)) + \
    f" ELSE {len(FUNCTION_ZONES)} END"
GROUP_SQL = {
    "city": "ca.name",
    "county": "co.name",
    "unit": "nullif(trim(c.responsible_unit), '')",
    "zone": ("(SELECT z.name FROM case_zones cz JOIN zones z ON z.id = cz.zone_id WHERE cz.case_id = c.id "
             f"AND z.deleted = 0 ORDER BY {_KIND_RANK}, {_ZONE_RANK}, z.name LIMIT 1)"),
}


@dataclass
class ReportStatistics:
    by: str
    period_from: dt.date | None
    period_to: dt.date | None
    today: dt.date
    totals: dict[str, Any] = field(default_factory=dict)
    groups: list[dict[str, Any]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    status_by_group: dict[str, dict[str, int]] = field(default_factory=dict)
    closures_by_month: dict[str, int] = field(default_factory=dict)
    new_in_period: int = 0
    closed_in_period: int = 0
    returned_cases: int = 0
    returns: int = 0
    overdue_by_unit: list[dict[str, Any]] = field(default_factory=list)
    open_grid: list[tuple[float, float, dict[str, int]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``inspector report``: the contract's ``totals`` and ``groups`` and the rest beside."""
        return {
            "by": self.by, "totals": self.totals, "groups": self.groups,
            "period": {"from": _iso(self.period_from), "to": _iso(self.period_to),
                       "new": self.new_in_period, "closed": self.closed_in_period},
            "by_status": self.by_status, "closures_by_month": self.closures_by_month,
            "returned": {"cases": self.returned_cases, "returns": self.returns},
            "overdue_by_unit": [{k: v for k, v in unit.items() if k != "cases"} for unit in self.overdue_by_unit],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def parse_period_day(text: str | None, what: tuple[str, str]) -> dt.date | None:
    """A ``YYYY-MM-DD`` option value; BadInput naming the option otherwise."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{what[0]}须为 YYYY-MM-DD 日期：{text}",
                       f"{what[1]} must be a YYYY-MM-DD date: {text}") from None


class _Tally:
    def __init__(self) -> None:
        self.cases = self.open = self.closed = self.overdue = self.accepted = self.on_time = 0

    def as_dict(self) -> dict[str, Any]:
        rate = round(self.on_time / self.accepted, 4) if self.accepted else None
        return {"cases": self.cases, "open": self.open, "closed": self.closed, "overdue": self.overdue,
                "closed_on_time_rate": rate}


def report_statistics(ws: Workspace, case_filter: CaseFilter = CaseFilter(), *, by: str = "city",
                      period_from: dt.date | None = None, period_to: dt.date | None = None,
                      today: dt.date | None = None) -> ReportStatistics:
    """The statistics of the cases ``case_filter`` admits (see the module docstring)."""
    if by not in GROUPINGS:
        raise BadInput(f"--by 须为 {'/'.join(GROUPINGS)}：{by}", f"--by must be one of {'/'.join(GROUPINGS)}: {by}")
    if period_from and period_to and period_from > period_to:
        raise BadInput("--from 晚于 --to", "--from is after --to")
    today = today or dt.date.today()
    stats = ReportStatistics(by, period_from, period_to, today)
    offset = ZoneInfo(ws.meta("timezone", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE).utcoffset(dt.datetime.now())
    hours = int(offset.total_seconds() // 3600) if offset else 0
    where, params = case_filter.where(today)
    sql = (f"SELECT {GROUP_SQL[by]} AS key, c.status, c.deadline, c.discovered_on, c.lon, c.lat, c.case_no, "
           "c.responsible_unit, ca.name AS city, co.name AS county, "
           f"(SELECT date(max(t.at_utc), '{hours:+d} hours') FROM transitions t WHERE t.case_id = c.id "
           f"AND t.deleted = 0 AND t.to_state = '{CLOSED_BY_ACCEPTANCE}') AS closed_day, "
           "(SELECT count(*) FROM transitions t WHERE t.case_id = c.id AND t.deleted = 0 AND t.action = '退回') "
           "AS returns FROM cases c LEFT JOIN admin_areas ca ON ca.adcode = c.city_adcode "
           f"LEFT JOIN admin_areas co ON co.adcode = c.county_adcode WHERE {where}")
    totals = _Tally()
    groups: defaultdict[str, _Tally] = defaultdict(_Tally)
    by_status: Counter[str] = Counter()
    status_by_group: dict[str, Counter[str]] = defaultdict(Counter)
    months: Counter[str] = Counter()
    grid: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    overdue_units: dict[str, list[dict[str, Any]]] = defaultdict(list)
    start, end = _iso(period_from), _iso(period_to)
    for row in ws.conn.execute(sql, params):
        key = row["key"] or UNKNOWN[by]
        status, deadline, closed_day = row["status"], row["deadline"], row["closed_day"]
        group = groups[key]
        by_status[status] += 1
        status_by_group[key][status] += 1
        days = overdue_days(deadline, status, today)
        closed = is_closed(status)
        accepted = status == CLOSED_BY_ACCEPTANCE and closed_day is not None
        in_period = accepted and (not start or closed_day >= start) and (not end or closed_day <= end)
        counted_closure = in_period if (start or end) else accepted
        on_time = counted_closure and (_day(deadline) is None or closed_day <= deadline)
        for tally in (totals, group):
            tally.cases += 1
            tally.closed += closed
            tally.open += not closed
            tally.overdue += days > 0
            tally.accepted += counted_closure
            tally.on_time += on_time
        if accepted:
            months[closed_day[:7]] += 1
        stats.closed_in_period += in_period
        discovered = row["discovered_on"]
        if discovered and (start or end) and (not start or discovered >= start) and (not end or discovered <= end):
            stats.new_in_period += 1
        if row["returns"]:
            stats.returned_cases += 1
            stats.returns += row["returns"]
        if days > 0:
            unit = (row["responsible_unit"] or "").strip() or UNKNOWN["unit"]
            overdue_units[unit].append({"case_no": row["case_no"], "overdue_days": days, "status": status,
                                        "deadline": deadline, "city": row["city"], "county": row["county"]})
        if not closed:
            grid[(int(row["lon"] // MAP_CELL_DEG), int(row["lat"] // MAP_CELL_DEG))][status] += 1
    stats.totals = totals.as_dict()
    stats.groups = [{"key": key, **tally.as_dict()}
                    for key, tally in sorted(groups.items(), key=lambda item: (-item[1].cases, item[0]))]
    stats.by_status = {s: by_status[s] for s in STATES if by_status[s]} | \
        {s: n for s, n in by_status.items() if s not in STATES}
    stats.status_by_group = {g["key"]: dict(status_by_group[g["key"]]) for g in stats.groups}
    stats.closures_by_month = dict(sorted(months.items()))
    stats.overdue_by_unit = sorted(
        ({"unit": unit, "overdue": len(cases), "max_overdue_days": max(c["overdue_days"] for c in cases),
          "cases": sorted(cases, key=lambda c: (-c["overdue_days"], c["case_no"]))}
         for unit, cases in overdue_units.items()),
        key=lambda u: (-u["max_overdue_days"], -u["overdue"], u["unit"]))
    stats.open_grid = [((x + 0.5) * MAP_CELL_DEG, (y + 0.5) * MAP_CELL_DEG, dict(counts))
                       for (x, y), counts in sorted(grid.items())]
    return stats


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day.isoformat() == text else None
