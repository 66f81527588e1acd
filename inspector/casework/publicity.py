"""公示 (public notice of a case's closure) as a record: its period and where it was published.

Before the city closes a case (市级验收 → 已销号) the closure is made public
for a period; the workflow's rule table requires a 公示 record whose period
has ended (:data:`inspector.casework.workflow.CaseFacts.publicity`), on the
device and on the sync server alike. A 公示 is a synced record of its case
(table ``publicity``): ``starts_on`` and ``ends_on`` (calendar days, both
included), ``published_where`` and ``recorded_by``. The closure form prints
it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from inspector.casework.cases import resolve_case
from inspector.errors import BadInput
from inspector.store.changes import Outcome, recording
from inspector.store.db import atomic
from inspector.store.record_store import insert_record
from inspector.store.workspace import Workspace

JIANGSU_TIME = dt.timezone(dt.timedelta(hours=8))  # China Standard Time (UTC+8, no daylight saving)
MAX_WHERE_CHARS = 500  # characters: where a 公示 was published
PUBLICITY_COLUMNS = ("uuid", "starts_on", "ends_on", "published_where", "recorded_by", "created_at")


def jiangsu_today() -> dt.date:
    """Today's calendar date in Jiangsu, whatever the machine's time zone (device and server agree)."""
    return dt.datetime.now(JIANGSU_TIME).date()


def period_ended(ends_on: Optional[str], today: Optional[dt.date] = None) -> bool:
    """Whether a 公示 whose last day is ``ends_on`` (``YYYY-MM-DD``) is over (its last day is before today)."""
    try:
        last_day = dt.date.fromisoformat(ends_on or "")
    except (TypeError, ValueError):
        return False
    return last_day < (today or jiangsu_today())


def calendar_day(text: Optional[str], what: tuple[str, str]) -> str:
    """``YYYY-MM-DD`` for a date typed by a person; :class:`BadInput` naming ``what`` (zh, en) otherwise."""
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise BadInput(f"{what[0]}须为日期 YYYY-MM-DD：{text}",
                       f"{what[1]} must be a date YYYY-MM-DD: {text}") from None
    return day.isoformat()


def add_publicity(ws: Workspace, case_ref: str, *, starts_on: str, ends_on: str, where: str,
                  actor: str) -> Outcome:
    """Record a 公示 of the case (its first and last day and where it was published); returns the record."""
    case = resolve_case(ws, case_ref)
    first = calendar_day(starts_on, ("公示开始日期", "the start of the 公示"))
    last = calendar_day(ends_on, ("公示结束日期", "the end of the 公示"))
    if last < first:
        raise BadInput(f"公示结束日期 {last} 早于开始日期 {first}",
                       f"the 公示 ends ({last}) before it starts ({first})")
    place = (where or "").strip()
    if not place or len(place) > MAX_WHERE_CHARS:
        raise BadInput(f"须写明公示地点（1–{MAX_WHERE_CHARS} 个字符，--where）",
                       f"say where the 公示 was published (1–{MAX_WHERE_CHARS} characters, --where)")
    values = {"case_id": case["id"], "starts_on": first, "ends_on": last, "published_where": place,
              "recorded_by": actor}
    with recording(ws.conn) as journal, atomic(ws.conn):
        _, uuid = insert_record(ws.conn, "publicity", values, actor=actor, action="publicity.add")
    return Outcome({"uuid": uuid, "case_no": case["case_no"], "case_uuid": case["uuid"], "starts_on": first,
                    "ends_on": last, "published_where": place, "recorded_by": actor,
                    "ended": period_ended(last)}, journal.changes)


def publicity_of(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    """The case's live 公示 records, oldest first."""
    return [dict(row) for row in ws.conn.execute(
        f"SELECT {', '.join(PUBLICITY_COLUMNS)} FROM publicity WHERE case_id = ? AND deleted = 0 ORDER BY id",
        (case_id,))]
