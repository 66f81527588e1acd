"""The case workflow: the one source of its rules — states, roles, who may move a case, what each move needs.

States::

    待核查 → 现场核查 → 排除
                      → 确认问题 → 整改中 → 申请销号 → 县级验收 → 市级验收 → 已销号

- 现场核查 → 确认问题 / 排除 needs a finding with that assessment.
- 确认问题 → 整改中 needs a rectification record.
- 整改中 → 申请销号 needs at least one 整改前 ('before') and one 整改后 ('after') photo (or drone still)
  without a blocking plausibility flag (:data:`inspector.evidence.plausibility.BLOCKING_FLAGS`: no usable
  position or time, far from the case or outside its patch, before the discovery or — for 整改后 — before the
  rectification began, in the future, or a duplicate of another case's photo; a refusal counts the flagged
  photos) and, when a rectification's measure type is 退出, a complete 两断三清 checklist; a measure type in
  :data:`REQUIRED_DOCUMENTS` also needs documents of those types (生态修复: an 整改方案 and a 验收报告 —
  a restoration is an engineered project with a plan and a formal acceptance; 退出 is proven by the
  两断三清 checklist and 整治 by its photos).
- The acceptance queue (:data:`REVIEW_STATES`: 申请销号, 县级验收, 市级验收) is
  for the office roles (:data:`OFFICE_ROLES`: reviewers and admins). Each
  state waiting there is decided at one jurisdiction level
  (:data:`REVIEW_LEVELS`) and approval moves it on (:data:`APPROVAL_TARGET`);
  all three come from one table, :data:`ACCEPTANCE_STEPS`. A state names the
  acceptance that has been *given*: the case's county accepts a request
  (申请销号 → 县级验收), then its city (县级验收 → 市级验收), and the city
  closes the case (市级验收 → 已销号) once a 公示 of the closure has ended
  (:mod:`inspector.casework.publicity`). Only a reviewer or admin whose
  jurisdiction is exactly that level and contains the case may decide
  (:func:`inspector.casework.authority.decides_at`): a city does not act
  for its counties, nor the province for a city — each acceptance carries
  its own level's signature.
- 退回 (returned) is an *action* from any acceptance step whose target state
  is 整改中; it needs a reason and is decided at the same level as approval.
- 回头看 (follow-up visit) is an action on a closed case (已销号) by an office
  role, with a reason describing what was checked. Without recurrence it is
  recorded with target 已销号 (the case stays closed); when the problem has
  come back (``recurred=True``) the case reopens to 整改中.
- 抽查 (provincial sample re-check) is the same kind of action for a
  provincial reviewer: confirmed keeps the case closed, reopened (``recurred``)
  sends it back to 整改中 and needs a reason.

The states and roles themselves — which states are closed, when a case is
overdue, the colours of each state, the office roles — are defined in the
import-free :mod:`inspector.casework.statuses` and exported from here too, so
that this module is the one place every layer reads workflow facts from: the
CLI, the sync server and its record schema, the GUI's views, the map and the
forms.

The evidence rules are pure functions of a small :class:`CaseFacts` value
(findings' assessments, rectification measure types, 'after' photos, the
checklist), which a device builds from its workspace (:func:`case_facts`)
and the sync server from its own records, so both check a move against
this one rule table (:func:`find_rule`, :func:`missing_for`).

Every move writes a ``transitions`` row (who — user name and display name —, role, for which
jurisdiction, when, why), bumps the
case's revision (``dirty = 1``) and appends an audit entry; it returns the
recorded move and what changed (:class:`inspector.store.changes.Outcome`). A refused move
raises :class:`BadInput` listing everything that is missing, in Chinese and
English.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from inspector.casework.authority import CITY, COUNTY, LEVEL_NAMES, PROVINCE, PROVINCE_ADCODE, decides_at
from inspector.casework.cases import resolve_case
from inspector.casework.evidence_attach import PHOTO_KINDS
from inspector.casework.publicity import period_ended
from inspector.casework.rectification import CHECKLIST_ITEMS, checklist
from inspector.casework.signatures import Signature, record_signatures, store_signatures
from inspector.casework.statuses import (  # noqa: F401 - re-exported: the workflow's states and roles
    ADMIN,
    CLOSED_STATES,
    INSPECTOR,
    OFFICE_ROLES,
    REVIEWER,
    ROLES,
    STATES,
    STATUS_PALETTE,
    UNKNOWN_STATUS_COLOURS,
    StatusColours,
    is_closed,
    is_overdue,
    overdue_days,
    overdue_sql,
    status_colours,
)
from inspector.errors import BadInput
from inspector.evidence.plausibility import is_clean
from inspector.store.changes import Outcome, note_cases, recording
from inspector.store.db import atomic
from inspector.store.record_store import insert_record
from inspector.store.workspace import Workspace, utc_now

ANYONE = ROLES
RETURN = "退回"
FOLLOW_UP = "回头看"
SPOT_CHECK = "抽查"
ACTIONS = (RETURN, FOLLOW_UP, SPOT_CHECK)
REOPENING_ACTIONS = (FOLLOW_UP, SPOT_CHECK)  # actions on a closed case that may reopen it (``recurred``)
RECTIFYING = "整改中"  # where a returned case goes back to, and a follow-up visit reopens a case
# The acceptance queue: (state waiting for acceptance, level that decides it, state its approval moves it to)
ACCEPTANCE_STEPS: tuple[tuple[str, str, str], ...] = (
    ("申请销号", COUNTY, "县级验收"),
    ("县级验收", CITY, "市级验收"),
    ("市级验收", CITY, "已销号"),
)
REVIEW_STATES = tuple(state for state, _level, _target in ACCEPTANCE_STEPS)
REVIEW_LEVELS = {state: level for state, level, _target in ACCEPTANCE_STEPS}
APPROVAL_TARGET = {state: target for state, _level, target in ACCEPTANCE_STEPS}
EXIT_MEASURE = "退出"  # the measure type whose closure needs a complete 两断三清 checklist
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {"生态修复": ("整改方案", "验收报告")}  # measure type: document types

Missing = list[tuple[str, str]]  # (Chinese, English) descriptions of what is missing


@dataclass(frozen=True)
class CaseFacts:
    """What the workflow's evidence rules look at, from a device's workspace or the server's records.

    ``checklist_missing`` is ``None`` when the case has no 两断三清 checklist, else the items not done
    (empty when complete)."""

    assessments: frozenset[str] = frozenset()  # of the case's findings
    measure_types: frozenset[str] = frozenset()  # of its rectifications
    after_photos: int = 0  # photos and drone stills of phase 'after'
    checklist_missing: Optional[tuple[str, ...]] = None
    city_adcode: Optional[str] = None  # where the case lies (its attributed city and county)
    county_adcode: Optional[str] = None
    publicity: tuple[str, ...] = ()  # the last day (YYYY-MM-DD) of each of the case's 公示 records
    clean_photos: tuple[tuple[str, int], ...] = ()  # (phase, photos of that phase without a blocking flag)
    flagged_photos: tuple[tuple[str, int], ...] = ()  # (phase, photos of that phase with a blocking flag)
    document_types: frozenset[str] = frozenset()  # of the case's documents (evidence of kind document)

    def clean(self, phase: str) -> int:
        return dict(self.clean_photos).get(phase, 0)

    def flagged(self, phase: str) -> int:
        return dict(self.flagged_photos).get(phase, 0)


def photo_counts(photos: Any) -> dict[str, Any]:
    """``clean_photos`` and ``flagged_photos`` for :class:`CaseFacts` from ``(kind, phase, flag codes)`` of a
    case's live evidence (the device's rows or the server's records): only photos and drone stills count."""
    clean: dict[str, int] = {}
    flagged: dict[str, int] = {}
    for kind, phase, flags in photos:
        if kind in PHOTO_KINDS:
            target = clean if is_clean(flags) else flagged
            target[phase] = target.get(phase, 0) + 1
    return {"clean_photos": tuple(sorted(clean.items())), "flagged_photos": tuple(sorted(flagged.items()))}


Check = Callable[[CaseFacts], Missing]


def case_facts(ws: Workspace, case_id: int) -> CaseFacts:
    """The facts of a case in this workspace (records not deleted)."""
    conn = ws.conn
    assessments = {r[0] for r in conn.execute("SELECT DISTINCT assessment FROM findings WHERE case_id = ? "
                                              "AND deleted = 0 AND voided_at IS NULL", (case_id,))}
    measures = {r[0] for r in conn.execute("SELECT DISTINCT measure_type FROM rectifications WHERE case_id = ? "
                                           "AND deleted = 0 AND voided_at IS NULL", (case_id,))}
    after = conn.execute(f"SELECT count(*) FROM evidence WHERE case_id = ? AND phase = 'after' AND kind IN "
                         f"({', '.join('?' * len(PHOTO_KINDS))}) AND deleted = 0 AND voided_at IS NULL",
                         (case_id, *PHOTO_KINDS)).fetchone()[0]
    items = checklist(ws, case_id)
    place = conn.execute("SELECT city_adcode, county_adcode FROM cases WHERE id = ?", (case_id,)).fetchone()
    publicity = tuple(r[0] for r in conn.execute("SELECT ends_on FROM publicity WHERE case_id = ? AND deleted = 0 "
                                                 "ORDER BY id", (case_id,)))
    photos = [(r[0], r[1], _flag_list(r[2])) for r in conn.execute(
        "SELECT kind, phase, flags FROM evidence WHERE case_id = ? AND deleted = 0", (case_id,))]
    documents = frozenset(r[0] for r in conn.execute(
        "SELECT DISTINCT document_type FROM evidence WHERE case_id = ? AND kind = 'document' AND deleted = 0 "
        "AND document_type IS NOT NULL", (case_id,)))
    return CaseFacts(frozenset(assessments), frozenset(measures), int(after),
                     None if items is None else tuple(items["missing"]), place[0], place[1], publicity,
                     **photo_counts(photos), document_types=documents)


def _flag_list(text: Optional[str]) -> list[str]:
    """A stored JSON list of flag codes; anything unreadable reads as one blocking problem, never as clean."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ["gps_invalid"]
    return [str(v) for v in value] if isinstance(value, list) else ["gps_invalid"]


def _finding_with(assessment: str) -> Check:
    def check(facts: CaseFacts) -> Missing:
        return [] if assessment in facts.assessments else [(f"结论为“{assessment}”的核查记录",
                                                             f"a finding with assessment {assessment}")]
    return check


def _rectification(facts: CaseFacts) -> Missing:
    return [] if facts.measure_types else [("整改记录（整改类型、措施、期限、责任单位）",
                                            "a rectification record (measure type, measures, deadline, "
                                            "responsible unit)")]


CLOSURE_PHOTO_PHASES = (("before", "整改前", "before rectification"), ("after", "整改后", "after rectification"))


def _closure_evidence(facts: CaseFacts) -> Missing:
    missing: Missing = []
    for phase, zh, en in CLOSURE_PHOTO_PHASES:
        if facts.clean(phase):
            continue
        flagged = facts.flagged(phase)
        zh_more = f"（现有 {flagged} 张{zh}照片带有疑点标记，不能计入）" if flagged else ""
        en_more = f" ({flagged} {en} photo(s) carry a blocking flag and do not count)" if flagged else ""
        missing.append((f"至少一张无疑点的{zh}照片（阶段 {phase}）{zh_more}",
                        f"at least one photo {en} without a blocking flag (phase {phase}){en_more}"))
    missing += _rectification(facts)
    for measure in sorted(facts.measure_types):
        for document in REQUIRED_DOCUMENTS.get(measure, ()):
            if document not in facts.document_types:
                missing.append((f"文档“{document}”（{measure}类整改；attach --document-type {document}）",
                                f"a document of type {document} ({measure} measures; attach --document-type "
                                f"{document})"))
    if EXIT_MEASURE in facts.measure_types:
        if facts.checklist_missing is None:
            missing.append(("两断三清检查表（退出类整改）", "the 两断三清 closure checklist (exit measures)"))
        elif facts.checklist_missing:
            names = [CHECKLIST_ITEMS[k] for k in facts.checklist_missing]
            missing.append(("两断三清未完成：" + "、".join(n[0] for n in names),
                            "closure checklist incomplete: " + ", ".join(n[1] for n in names)))
    return missing


def _publicity_ended(facts: CaseFacts) -> Missing:
    if any(period_ended(last_day) for last_day in facts.publicity):
        return []
    if facts.publicity:
        last = max(facts.publicity)
        return [(f"公示期结束（公示至 {last}，尚未期满）", f"the end of the 公示 period (it runs until {last})")]
    return [("公示记录（公示期已满；inspector publicity）",
             "a 公示 record whose period has ended (inspector publicity)")]


CLOSING_CHECKS: dict[str, tuple[Check, ...]] = {"已销号": (_publicity_ended,)}  # by target of an acceptance step


@dataclass(frozen=True)
class Rule:
    """One allowed move: from a state by an action (a target state or 退回/回头看/抽查).

    ``level``, when set, is the jurisdiction level that decides the move: only an account of exactly that
    level whose jurisdiction contains the case may make it (:func:`decides_at`)."""

    from_state: str
    action: str
    to_state: str
    roles: tuple[str, ...]
    checks: tuple[Check, ...] = ()
    reason_required: bool = False
    level: Optional[str] = None

    @property
    def targets(self) -> tuple[str, ...]:
        """The states this move may end in (回头看 and 抽查 reopen a case to 整改中 when the problem came back)."""
        return (self.to_state, RECTIFYING) if self.action in REOPENING_ACTIONS else (self.to_state,)


RULES = (
    Rule("待核查", "现场核查", "现场核查", ANYONE),
    Rule("现场核查", "确认问题", "确认问题", ANYONE, (_finding_with("确认问题"),)),
    Rule("现场核查", "排除", "排除", ANYONE, (_finding_with("排除"),)),
    Rule("确认问题", "整改中", "整改中", ANYONE, (_rectification,)),
    Rule("整改中", "申请销号", "申请销号", ANYONE, (_closure_evidence,)),
    *(Rule(state, target, target, OFFICE_ROLES, CLOSING_CHECKS.get(target, ()), level=level)
      for state, level, target in ACCEPTANCE_STEPS),
    *(Rule(state, RETURN, RECTIFYING, OFFICE_ROLES, reason_required=True, level=level)
      for state, level, _target in ACCEPTANCE_STEPS),
    Rule("已销号", FOLLOW_UP, "已销号", OFFICE_ROLES, reason_required=True),
    Rule("已销号", SPOT_CHECK, "已销号", OFFICE_ROLES, level=PROVINCE),
)
MOVES = tuple(dict.fromkeys(rule.action for rule in RULES))  # every action a transition may record


def rules_from(state: str, role: Optional[str] = None) -> list[Rule]:
    """The moves the workflow has from ``state`` (only those ``role`` may make, when given), in table order."""
    return [rule for rule in RULES if rule.from_state == state and (role is None or role in rule.roles)]


def allowed_moves(state: str) -> list[str]:
    """The actions the workflow has from ``state``, whoever makes them."""
    return [rule.action for rule in rules_from(state)]


def find_rule(state: str, action: str) -> Optional[Rule]:
    """The rule for ``action`` from ``state``, or ``None`` when the workflow has no such move."""
    return next((rule for rule in RULES if rule.from_state == state and rule.action == action), None)


def missing_for(rule: Rule, *, role: str, jurisdiction: Optional[str], reason: Optional[str], facts: CaseFacts,
                to_state: Optional[str] = None) -> Missing:
    """Everything that keeps ``role`` acting for ``jurisdiction`` from making this move, ending in ``to_state``
    (default: the rule's), empty when it is allowed: the role, the level and place of the jurisdiction when the
    rule has a level, the reason when one is required (always for reopening a closed case), and the evidence
    the rule's checks ask of the case's facts."""
    missing: Missing = []
    if role not in rule.roles:
        roles = "/".join(rule.roles)
        missing.append((f"角色 {roles}（当前为 {role}）", f"role {roles} (you are {role})"))
    if rule.level and not decides_at(jurisdiction, rule.level, facts.city_adcode, facts.county_adcode):
        place = {COUNTY: facts.county_adcode, CITY: facts.city_adcode, PROVINCE: PROVINCE_ADCODE}.get(rule.level) or ""
        zh, en = LEVEL_NAMES[rule.level]
        missing.append((f"{zh}审核权限：须由案件所在{zh}辖区 {place} 的审核员办理（当前辖区 {jurisdiction or '无'}）",
                        f"{en}-level authority: a reviewer of the case's {en} {place} must decide this "
                        f"(your jurisdiction: {jurisdiction or 'none'})"))
    reopening = to_state == RECTIFYING and rule.action in REOPENING_ACTIONS
    if (rule.reason_required or reopening) and not (reason or "").strip():
        missing.append(("原因（--reason）", "a reason (--reason)"))
    for check in rule.checks:
        missing += check(facts)
    return missing


def signer_role_for(state: str) -> str:
    """The signature box a move from ``state`` is signed in: the deciding level's (county, city) for an
    acceptance step or its return, the inspector's for field work; :class:`BadInput` for a closed case (its
    回头看 and 抽查 have no signature box on the forms)."""
    level = REVIEW_LEVELS.get(state)
    if level is not None:
        return level  # the level names are the signer roles county and city
    if is_closed(state):
        raise BadInput(f"“{state}”状态下的操作没有签名栏", f"a move from {state} has no signature box")
    return INSPECTOR


def _rule_for(state: str, action: str) -> Rule:
    rule = find_rule(state, action)
    if rule is not None:
        return rule
    moves = "、".join(allowed_moves(state)) or "无"
    raise BadInput(f"不能从“{state}”转到“{action}”（可选：{moves}）",
                   f"cannot go from {state} to {action} (allowed: {', '.join(allowed_moves(state)) or 'none'})")


def transition(ws: Workspace, case_ref: str, target: str, *, role: str, actor: str,
               jurisdiction: Optional[str] = None, reason: str | None = None, recurred: bool = False,
               actor_name: Optional[str] = None, signatures: Sequence[Signature] = ()) -> Outcome:
    """Move a case to ``target`` (a state, 退回, 回头看 or 抽查) as ``actor`` (user name; display name
    ``actor_name``) in ``role`` for ``jurisdiction``; returns the recorded transition. ``signatures`` sign it,
    recorded in the same transaction (their UUIDs: ``signature_uuids``)."""
    if role not in ROLES:
        raise BadInput(f"角色须为 {'/'.join(ROLES)}，而不是：{role}", f"role must be one of {'/'.join(ROLES)}, "
                       f"not: {role}")
    if target not in STATES and target not in ACTIONS:
        raise BadInput(f"未知状态：{target}（状态：{'、'.join(STATES)}；操作：{'、'.join(ACTIONS)}）",
                       f"unknown state: {target} (states: {', '.join(STATES)}; actions: {', '.join(ACTIONS)})")
    reason = (reason or "").strip() or None
    stored = store_signatures(ws, signatures)  # checked and in the media store before any row names them
    conn = ws.conn
    with recording(conn) as journal, atomic(conn):
        case = resolve_case(ws, case_ref)
        rule = _rule_for(case["status"], target)
        to_state = RECTIFYING if rule.action in REOPENING_ACTIONS and recurred else rule.to_state
        missing = missing_for(rule, role=role, jurisdiction=jurisdiction, reason=reason,
                              facts=case_facts(ws, case["id"]), to_state=to_state)
        if missing:
            raise BadInput(
                f"问题 {case['case_no']} 不能转到“{target}”，缺少：" + "；".join(m[0] for m in missing),
                f"case {case['case_no']} cannot move to {target}; missing: " + "; ".join(m[1] for m in missing),
            )
        now = utc_now()
        values = {"case_id": case["id"], "action": rule.action, "from_state": case["status"],
                  "to_state": to_state, "actor": actor, "actor_name": actor_name, "role": role,
                  "jurisdiction": jurisdiction, "reason": reason, "at_utc": now}
        _, uuid = insert_record(conn, "transitions", values, actor=actor, action=f"transition.{rule.action}")
        signature_uuids = record_signatures(ws, case["id"], uuid, "after", stored, actor=actor)
        conn.execute("UPDATE cases SET status = ?, revision = revision + 1, dirty = 1, updated_at = ? "
                     "WHERE id = ?", (to_state, now, case["id"]))
        note_cases(conn, "cases", [case["id"]])
    return Outcome({"uuid": uuid, "case_no": case["case_no"], "case_uuid": case["uuid"], **values,
                    "status": to_state, "next": allowed_moves(to_state),
                    **({"signature_uuids": signature_uuids} if signature_uuids else {})}, journal.changes)


def history(ws: Workspace, case_ref: str) -> list[dict[str, Any]]:
    """The case's transitions, oldest first."""
    case = resolve_case(ws, case_ref)
    rows = ws.conn.execute(
        "SELECT uuid, action, from_state, to_state, actor, actor_name, role, jurisdiction, reason, at_utc "
        "FROM transitions "
        "WHERE case_id = ? AND deleted = 0 ORDER BY id", (case["id"],)).fetchall()
    return [{"case_no": case["case_no"], **dict(r)} for r in rows]
