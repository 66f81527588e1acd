"""The workflow's vocabulary: its states (closed or not, overdue or not, their colours) and its roles.

This is the one definition of these facts; :mod:`inspector.casework.workflow`
re-exports all of it with the moves between states, and the case list, the
CLI's ``cases``/``summary``, the map, the PDF forms, the sync server and the
GUI read it from there. It imports nothing (no workspace, no imaging), so
the command line's argument parsers and :mod:`inspector.casework.cases`
(which the workflow itself needs) use it directly.

- **Roles** (:data:`ROLES`): an account is an inspector, a reviewer or an
  admin; the office roles (:data:`OFFICE_ROLES`) accept, return and follow up
  cases and review sync conflicts.

- **Closed** (:data:`CLOSED_STATES`): 已销号 (closed after acceptance) and
  排除 (excluded after the on-site check). Nothing is due on a closed case.
- **Overdue**: an open case whose 整改时限 is a calendar date (``YYYY-MM-DD``)
  before today. A deadline that is no such date (foreign data) is never
  overdue. :func:`overdue_days` / :func:`is_overdue` say it in Python and
  :func:`overdue_sql` in SQLite, with the same result for every value.
- **Palette** (:data:`STATUS_PALETTE`): one fill and one text colour per
  state (hex, no Qt): the case list's status chip, the map's marker (fill,
  and the text colour as its outline) and legend, and the forms' 当前状态
  cell. Every text colour has a contrast of at least 4.5:1 on its fill.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STATES = ("待核查", "现场核查", "排除", "确认问题", "整改中", "申请销号", "县级验收", "市级验收", "已销号")
CLOSED_STATES = ("已销号", "排除")
INSPECTOR, REVIEWER, ADMIN = "inspector", "reviewer", "admin"
ROLES = (INSPECTOR, REVIEWER, ADMIN)  # every role an account may have, on a device and on the server
OFFICE_ROLES = (REVIEWER, ADMIN)


def is_closed(status: str | None) -> bool:
    """Whether a case in ``status`` is finished (已销号 or 排除): nothing is due on it any more."""
    return status in CLOSED_STATES


def overdue_days(deadline: str | None, status: str | None, today: dt.date) -> int:
    """Whole days past the 整改时限 of an open case; 0 when it is not overdue (see the module docstring)."""
    if not deadline or status is None or is_closed(status):
        return 0
    try:
        day = dt.date.fromisoformat(deadline)
    except (TypeError, ValueError):
        return 0
    if day.isoformat() != deadline:  # only a canonical YYYY-MM-DD, as in overdue_sql
        return 0
    return max((today - day).days, 0)


def is_overdue(deadline: str | None, status: str | None, today: dt.date) -> bool:
    """Whether an open case is past its 整改时限 (see :func:`overdue_days`)."""
    return overdue_days(deadline, status, today) > 0


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def overdue_sql(deadline: str = "deadline", status: str = "status", today: str = "?") -> str:
    """The overdue rule as an SQLite condition over the given columns and today's ``YYYY-MM-DD`` parameter
    (e.g. ``overdue_sql("c.deadline", "c.status", ":today")``); true exactly when :func:`is_overdue` is."""
    closed = ", ".join(_sql_text(state) for state in CLOSED_STATES)
    return (f"({deadline} < {today} AND {deadline} >= '0001-01-01' AND date({deadline}, '+0 days') = {deadline} "
            f"AND {status} NOT IN ({closed}))")


@dataclass(frozen=True)
class StatusColours:
    """How a state looks everywhere: ``#rrggbb`` colours."""

    fill: str  # chip background, map marker fill and legend swatch, the forms' status cell
    text: str  # text on the fill; the map marker's outline


STATUS_PALETTE: dict[str, StatusColours] = {
    "待核查": StatusColours("#1565c0", "#ffffff"),  # blue: a clue waiting for its check
    "现场核查": StatusColours("#f9a825", "#212121"),  # amber: being checked on site
    "排除": StatusColours("#757575", "#ffffff"),  # grey: excluded, closed
    "确认问题": StatusColours("#c62828", "#ffffff"),  # red: a confirmed violation
    "整改中": StatusColours("#ef6c00", "#212121"),  # orange: being rectified
    "申请销号": StatusColours("#6a1b9a", "#ffffff"),  # purple: closure requested
    "县级验收": StatusColours("#00838f", "#ffffff"),  # teal: county acceptance
    "市级验收": StatusColours("#00695c", "#ffffff"),  # dark teal: city acceptance
    "已销号": StatusColours("#2e7d32", "#ffffff"),  # green: closed after acceptance
}
UNKNOWN_STATUS_COLOURS = StatusColours("#37474f", "#ffffff")  # a status no workflow state names (foreign data)


def status_colours(status: str | None) -> StatusColours:
    """The colours of a state; :data:`UNKNOWN_STATUS_COLOURS` for anything else."""
    return STATUS_PALETTE.get(status or "", UNKNOWN_STATUS_COLOURS)
