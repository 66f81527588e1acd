"""The case workflow on the server: a case's state moves only by a transition the server checked itself.

The rules are the core's (:mod:`inspector.casework.workflow`: one rule table for the
device and the server); only the facts come from the server's own records
of the case — findings' assessments, rectification measure types, 'after'
photos, the 两断三清 checklist, the 公示 periods — including records earlier in the same push
(:meth:`PushContext.children`). A photo's flags are the device's *and* the server's own run of the
plausibility checks (:mod:`inspector.evidence.plausibility`) against its records of the case, so a device
that leaves a flag out does not make a photo clean.

- A case's **workflow state** on the server is the ``to_state`` of its
  latest applied transition (by change number), else its published status.
- A pushed **transition** is applied only when its actor is the pushing
  account (by account name), its jurisdiction — when the transition names
  one (devices before accounts-as-identity did not) — is the account's, its
  role is the pusher's, its ``from_state`` is that state, the rule table has the move, and the
  move's reason and evidence are there. Transitions are what happened:
  one already stored cannot be changed or deleted by a device.
- A pushed **case** is applied only when its ``status`` is that state, so a
  status never changes without a checked transition (the device pushes its
  transitions before its cases).
- A case has at most one 两断三清 checklist (as in every workspace).
- A **correction** (edit or void) of a finding, evidence item or rectification is checked by
  :mod:`sync.server.correction_guard`; voided records do not count as evidence.

The push holds the case's row (see :mod:`sync.server.push_context`), so two
devices moving the same case at once are decided one after the other: the
second finds the state moved and its transition is refused.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from inspector.casework.evidence_attach import PHOTO_KINDS
from inspector.casework.rectification import CHECKLIST_ITEMS
from inspector.casework.workflow import OFFICE_ROLES, STATES, CaseFacts, find_rule, missing_for, photo_counts
from inspector.errors import Message
from inspector.evidence.plausibility import CaseSetting, plausibility_flags
from sync.protocol import RecordChange
from sync.server.auth import User
from sync.server.correction_guard import correction_problem
from sync.server.push_context import PushContext, content_of

OFFICE_RECORD_KINDS = ("countersigns", "publicity")  # sign-offs the office records


def _live(ctx: PushContext, case_uuid: str, kind: str) -> list[Any]:
    """The case's records of ``kind`` that count: not deleted, not voided (a correction), in change order."""
    return sorted((row for row in ctx.children(case_uuid, kind) if not row.deleted
                   and content_of(row).get("voided_at") is None), key=lambda row: row.server_seq)


def case_state(ctx: PushContext, case_uuid: str) -> Optional[str]:
    """The case's workflow state on the server (see the module docstring); ``None`` for a case purged there."""
    moves = _live(ctx, case_uuid, "transitions")
    if moves:
        return content_of(moves[-1]).get("to_state")
    return content_of(ctx.row(case_uuid)).get("status")


def case_facts(ctx: PushContext, case_uuid: str) -> CaseFacts:
    """What the workflow's evidence rules look at, from the server's records of the case."""
    assessments = {content_of(row).get("assessment") for row in _live(ctx, case_uuid, "findings")}
    measures = {content_of(row).get("measure_type") for row in _live(ctx, case_uuid, "rectifications")}
    after = 0
    setting = _case_setting(ctx, case_uuid)
    photos = []
    documents = set()
    for row in _live(ctx, case_uuid, "evidence"):
        content = content_of(row)
        if content.get("kind") == "document" and isinstance(content.get("document_type"), str):
            documents.add(content["document_type"])
        after += content.get("phase") == "after" and content.get("kind") in PHOTO_KINDS
        photos.append((content.get("kind"), content.get("phase"), _checked_flags(setting, content)))
    checklists = _live(ctx, case_uuid, "closure_checklists")
    missing = None
    if checklists:
        latest = content_of(checklists[-1])
        missing = tuple(item for item in CHECKLIST_ITEMS if not latest.get(item))
    publicity = tuple(day for row in _live(ctx, case_uuid, "publicity")
                      if isinstance(day := content_of(row).get("ends_on"), str))
    case = ctx.row(case_uuid)
    return CaseFacts(frozenset(a for a in assessments if a is not None),
                     frozenset(m for m in measures if m is not None), after, missing,
                     getattr(case, "city_adcode", None), getattr(case, "county_adcode", None), publicity,
                     **photo_counts(photos), document_types=frozenset(documents))


def _case_setting(ctx: PushContext, case_uuid: str) -> CaseSetting:
    """The case as its photos are checked against, from the server's records (a bad value skips its check)."""
    from shapely.geometry import shape

    row = ctx.row(case_uuid)
    case = content_of(row) if row is not None else {}
    starts = [c for row in _live(ctx, case_uuid, "rectifications")
              if isinstance(c := content_of(row).get("created_at"), str)]
    patch = None
    if isinstance(case.get("geometry_geojson"), str):
        try:
            patch = shape(json.loads(case["geometry_geojson"]))
        except Exception:  # noqa: BLE001 - a stored polygon that does not read: the case point is checked
            patch = None
    lon, lat = case.get("lon"), case.get("lat")
    return CaseSetting(lon=lon if isinstance(lon, (int, float)) else None,
                       lat=lat if isinstance(lat, (int, float)) else None, patch=patch,
                       discovered_on=case.get("discovered_on") if isinstance(case.get("discovered_on"), str) else None,
                       rectification_began=min(starts) if starts else None)


def _checked_flags(setting: CaseSetting, content: dict[str, Any]) -> list[str]:
    """The flags a device stored for a photo plus the server's own plausibility checks of it."""
    try:
        stored = json.loads(content.get("flags") or "[]")
    except (TypeError, ValueError):
        stored = ["gps_invalid"]
    flags = [str(f) for f in stored] if isinstance(stored, list) else ["gps_invalid"]
    if content.get("kind") not in PHOTO_KINDS:
        return flags
    lon, lat, taken = content.get("lon"), content.get("lat"), content.get("taken_at_utc")
    if lon is None or lat is None:
        flags.append("gps_missing")
    if not taken:
        flags.append("datetime_missing")
    return flags + plausibility_flags(setting, phase=str(content.get("phase")),
                                      lon=lon if isinstance(lon, (int, float)) else None,
                                      lat=lat if isinstance(lat, (int, float)) else None,
                                      taken_at_utc=taken if isinstance(taken, str) else None)


def _transition_problem(ctx: PushContext, user: User, content: dict[str, Any]) -> Optional[Message]:
    role, action, from_state = content["role"], content["action"], content["from_state"]
    if content.get("actor") != user.name:
        return Message(f"流转记录的操作人 {content.get('actor')!r} 不是推送的账号 {user.name}",
                       f"the transition's actor {content.get('actor')!r} is not the pushing account {user.name}")
    if content.get("jurisdiction") is not None and content["jurisdiction"] != user.jurisdiction:
        return Message(f"流转记录的辖区 {content['jurisdiction']} 不是推送账号的辖区 {user.jurisdiction}",
                       f"the transition's jurisdiction {content['jurisdiction']} is not the pushing account's "
                       f"jurisdiction {user.jurisdiction}")
    if role != user.role:
        return Message(f"流转的角色 {role!r} 不是你的角色（{user.role}）",
                       f"transition role {role!r} is not your role ({user.role})")
    state = case_state(ctx, content["case_uuid"])
    if from_state != state:
        return Message(f"案件在服务器上的状态是 {state}，不是 {from_state}：此后已有变动（另一台设备的流转先到）",
                       f"the case is {state} on the server, not {from_state}: it moved since "
                       f"(another device's transition came first)")
    rule = find_rule(from_state, action)
    if rule is None:
        return Message(f"工作流程不允许该流转：不能从 {from_state} 执行 {action}",
                       f"transition not allowed by the workflow: no move {action} from {from_state}")
    if content["to_state"] not in rule.targets:
        targets = "/".join(rule.targets)
        return Message(f"流转的目标与工作流程不符：{action} 只能到 {targets}",
                       f"transition target does not match the workflow: {action} leads to {targets}")
    missing = missing_for(rule, role=user.role, jurisdiction=user.jurisdiction, reason=content.get("reason"),
                          facts=case_facts(ctx, content["case_uuid"]), to_state=content["to_state"])
    if missing:
        return Message.joined(Message(zh, en) for zh, en in missing).prefixed(
            f"按服务器上该案件的记录，工作流程不允许 {action}；缺少：",
            f"the workflow refuses {action} on the server's records of this case; missing: ")
    return None


def _office_record_problem(user: User, change: RecordChange, existing: Any) -> Optional[Message]:
    """A countersign or 公示 is written by an office account, and a new one names that account as its recorder."""
    if user.role not in OFFICE_ROLES:
        return Message(f"会签和公示由审核员或管理员记录，不能由 {user.role} 记录",
                       f"countersigns and 公示 are recorded by a reviewer or admin, not by a {user.role}")
    recorded_by = change.content.get("recorded_by")
    if existing is None and recorded_by != user.name:
        return Message(f"记录人 {recorded_by!r} 不是推送该记录的账号（{user.name}）",
                       f"recorded_by {recorded_by!r} is not the account pushing the record ({user.name})")
    return None


def workflow_problem(ctx: PushContext, user: User, change: RecordChange, existing: Any) -> Optional[Message]:
    """Why the workflow refuses a pushed record (``None`` when it does not); called inside the push, after the
    record's scope was checked and when it is not an identical repeat of what is stored."""
    content = change.content
    if change.kind == "patrols":  # no case, no workflow: its own rules are the scope's (sync.server.patrol_scope)
        return None
    if change.kind != "cases":
        problem = correction_problem(ctx, user, change, existing, case_state(ctx, content["case_uuid"]))
        if problem:
            return problem
    if change.kind == "transitions":
        if existing is not None or change.deleted:
            return Message("流转记录是已发生的事实，不能修改或删除",
                           "a transition is a record of what happened: it cannot be changed or deleted")
        return _transition_problem(ctx, user, content)
    if change.kind == "cases":
        state = case_state(ctx, change.uuid) if existing is not None else STATES[0]  # a new case starts there
        if content.get("status") != state:
            status = content.get("status")
            return Message(f"状态 {status!r} 不是该案件在服务器上的工作流程状态（{state}）；"
                           f"案件只能通过服务器接受的流转改变状态",
                           f"status {status!r} is not the case's workflow state on the server ({state}); "
                           f"a case changes state only by a transition the server accepts")
    if change.kind in OFFICE_RECORD_KINDS and not change.deleted:
        return _office_record_problem(user, change, existing)
    if change.kind == "closure_checklists" and existing is None and not change.deleted:
        others = [row.uuid for row in _live(ctx, content["case_uuid"], "closure_checklists")]
        if others:
            return Message(f"该案件已有两断三清检查表（{others[0]}），请编辑那一份",
                           f"this case already has a 两断三清 checklist ({others[0]}); edit that one")
    return None
