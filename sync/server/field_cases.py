"""Cases a device creates (problems found in the field) on the server: admitted by position, numbered by the office.

Cases are published by the office; the one kind of case a device may create is
a problem found in the field (``origin = 'field'``, see
:mod:`inspector.casework.field_cases`). The server admits such a case only on
its own judgement of where it is — never on the adcodes the device sent:

- its polygon, when it has one, is valid by the same rules the device applies
  (:func:`~inspector.casework.field_cases.parse_case_polygon`), its point
  (the representative point) lies inside it, and its area is the polygon's;
- the server finds the county and city of the point in the bundled
  boundaries (:func:`~inspector.geo.admin_areas.bundled_admin_lookup`); a
  point outside Jiangsu or in no county is refused;
- that place is inside the pusher's jurisdiction, and the adcodes the device
  sent are those (a device that sent others is told which);
- it starts in the workflow's first state: its later moves are transitions the
  server checks (:mod:`sync.server.case_workflow`).

The office then gives the official 问题编号 (:func:`assign_case_no`, the
``assign-case-no`` command and the API): a new server revision of the case
with the new number, refused when another case already has it. Devices take
it with their next pull like any other revision; forms and history follow the
case, not its number. The case row is locked before the change counter, as in
a push; the counter's lock then serialises every assignment, so two offices
giving the same number at once cannot both succeed.
"""
from __future__ import annotations

import functools
import json
import threading
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from inspector.casework.field_cases import parse_case_polygon, point_inside
from inspector.casework.statuses import STATES
from inspector.errors import BadInput, Message
from inspector.geo.admin_areas import AdminLookup
from sync.protocol import content_hash
from sync.server.auth import User
from sync.server.push_context import record_row
from sync.server.storage import next_seq, records, server_now

AREA_TOLERANCE = 0.01  # relative difference allowed between a pushed area and the polygon's, for rounding
NOT_FIELD = Message("案件由办公室发布（publish-ledger）；设备只能上传现场发现的问题（origin = field）",
                    "cases are published by the office (publish-ledger); a device may only push a problem found "
                    "in the field (origin = field)")
_lookup_lock = threading.Lock()


@functools.cache
def _admin_lookup() -> AdminLookup:
    from inspector.geo.admin_areas import bundled_admin_lookup

    return bundled_admin_lookup()


def admin_lookup() -> AdminLookup:
    """The bundled boundaries, loaded once per process (the first caller loads them, the others wait)."""
    with _lookup_lock:
        return _admin_lookup()


class AssignProblem(BadInput):
    """Why an official number cannot be given (bad input: exit 2); ``status`` is the HTTP status that says so."""

    def __init__(self, message: Message, status: int) -> None:
        super().__init__(message)
        self.status = status


def _polygon_problem(content: dict[str, Any]) -> Optional[Message]:
    from inspector.geo.geodesy import area_m2

    try:
        polygon = parse_case_polygon(content["geometry_geojson"])
    except BadInput as exc:
        return exc.message
    if not point_inside(polygon, content["lon"], content["lat"]):
        return Message("案件的位置不在其范围多边形内", "the case's position is not inside its polygon")
    area, pushed = area_m2(polygon), content.get("area_m2")
    if pushed is None or abs(pushed - area) > AREA_TOLERANCE * area:
        return Message(f"面积 {pushed} 平方米与范围多边形的面积 {area:.1f} 平方米不符",
                       f"the area {pushed} m² does not match the polygon's area of {area:.1f} m²")
    return None


def new_case_problem(user: User, content: dict[str, Any]) -> tuple[Optional[Message], Optional[str], Optional[str]]:
    """(reason to refuse or None, city adcode, county adcode) for a case a device creates (see the module)."""
    if content.get("origin") != "field":
        return NOT_FIELD, None, None
    if content.get("status") != STATES[0]:
        return Message(f"新问题须以 {STATES[0]} 状态上传，之后的流转逐条由服务器检查",
                       f"a new case is pushed in the state {STATES[0]}; the server checks each later transition"), \
            None, None
    if content.get("geometry_geojson") is not None:
        problem = _polygon_problem(content)
        if problem:
            return problem, None, None
    lookup = admin_lookup()
    lon, lat = content["lon"], content["lat"]
    county = lookup.county_of(lon, lat) if lookup.in_province(lon, lat) else None
    place = lookup.describe(county)
    if county is None or place["city_adcode"] is None:
        return Message(f"位置 {lon}, {lat} 不在江苏省的任何区县内", f"the position {lon}, {lat} lies in no county of "
                       f"Jiangsu"), None, None
    city, where = place["city_adcode"], f"{place['city']}{place['county']}"
    if not user.covers(city, county):
        return Message(f"该问题位于{where}（{county}），不在你的辖区（{user.jurisdiction}）内",
                       f"the case lies in {where} ({county}), outside your jurisdiction ({user.jurisdiction})"), \
            None, None
    if (content.get("city_adcode"), content.get("county_adcode")) != (city, county):
        return Message(f"辖区字段由服务器指定：该位置属于{where}（{city}/{county}）",
                       f"jurisdiction fields are assigned by the server: the position lies in {where} "
                       f"({city}/{county})"), None, None
    return None, city, county


def _cases_numbered(conn: Connection, case_no: str) -> list[Any]:
    """Live case records whose 问题编号 is ``case_no`` (a text match narrows, the decoded content decides)."""
    pattern = "%" + json.dumps(case_no, ensure_ascii=False).replace("\\", "\\\\").replace("%", "\\%") \
        .replace("_", "\\_") + "%"
    rows = conn.execute(sa.select(records).where(records.c.kind == "cases", records.c.deleted.is_(False),
                                                 records.c.content.like(pattern, escape="\\"))).fetchall()
    return [row for row in rows if json.loads(row.content).get("case_no") == case_no]


def assign_case_no(conn: Connection, user: Optional[User], case_ref: str, official: str,
                   *, by: str) -> dict[str, Any]:
    """Give a case (by its current 问题编号, e.g. its provisional number, or its UUID) the official number
    ``official``: a new server revision, inside the caller's transaction. ``user`` is the office account acting
    through the API (the case must be in its jurisdiction), ``None`` for the server's admin command."""
    official = official.strip()
    if not official or len(official) > 500:
        raise AssignProblem(Message("正式编号不能为空，也不能超过 500 个字符",
                                    "the official number must be 1 to 500 characters"), 422)
    found = _cases_numbered(conn, case_ref)
    if not found:
        row = record_row(conn, case_ref.lower())
        found = [row] if row is not None and row.kind == "cases" and not row.deleted else []
    if user is not None:
        found = [row for row in found if user.covers(row.city_adcode, row.county_adcode)]
    if len(found) != 1:
        raise AssignProblem(Message(f"在你的辖区内没有找到问题 {case_ref}", f"no case {case_ref} in your jurisdiction")
                            if not found else Message(f"编号 {case_ref} 对应多个问题，请用 UUID",
                                                      f"{case_ref} names several cases; give the UUID"), 404)
    row = record_row(conn, found[0].uuid, lock=True)  # the case row before the counter, as a push takes them
    if row is None or row.deleted:  # purged meanwhile
        raise AssignProblem(Message(f"问题 {case_ref} 已不存在", f"case {case_ref} no longer exists"), 404)
    seq = next_seq(conn)  # from here on, every other assignment waits for this one
    content = json.loads(row.content)
    if content.get("case_no") == official:
        raise AssignProblem(Message(f"该问题的编号已是 {official}", f"the case is already numbered {official}"), 409)
    taken = [other.uuid for other in _cases_numbered(conn, official) if other.uuid != row.uuid]
    if taken:
        raise AssignProblem(Message(f"编号 {official} 已属于另一个问题（{taken[0]}）",
                                    f"the number {official} already belongs to another case ({taken[0]})"), 409)
    previous = content.get("case_no")
    content["case_no"] = official
    revision = row.revision + 1
    conn.execute(records.update().where(records.c.uuid == row.uuid, records.c.revision == row.revision).values(
        content=json.dumps(content, ensure_ascii=False), content_hash=content_hash(content), revision=revision,
        server_seq=seq, updated_by=by, received_at=server_now()))
    return {"uuid": row.uuid, "previous_case_no": previous, "case_no": official, "revision": revision,
            "server_seq": seq}
