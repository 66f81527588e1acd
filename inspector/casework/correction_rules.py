"""Who may correct what: the one rule for editing and voiding findings, evidence and rectifications.

A device checks it before it writes a correction (:mod:`inspector.casework.corrections`) and the sync server
checks it again on every pushed correction (:mod:`sync.server.correction_guard`), both with the facts they
hold — the same functions, no Qt, no workspace.

- **Field phases** (:data:`FIELD_STATES`: 待核查, 现场核查, 确认问题, 整改中): an inspector may correct the
  records they recorded themselves (``recorded_by`` is their account; a record made before corrections existed
  names nobody and is corrected by the office). An office role (reviewer, admin) may correct any record of a
  case its jurisdiction covers.
- **Acceptance** (申请销号, 县级验收, 市级验收): only an office role of the level that decides that step, for
  the case's own county or city (:func:`inspector.casework.authority.decides_at`) — the office looking at the
  evidence now; the inspector's records are frozen while they are judged.
- **Closed** (已销号, 排除): nobody; a 回头看 that reopens the case (to 整改中) opens its records again.
- **Phase** of evidence: 整改后 (``after``) only on a case that has reached rectification (整改中 or later);
  整改前 (``before``) only on a case whose problem was confirmed (确认问题 or later) — a photo cannot be moved
  into a stage the case has not reached.

A correction is an entry of the record's ``corrections`` list (JSON, append-only): ``at_utc``, ``by`` (account),
``by_name``, ``action`` (``edit`` / ``void``), ``reason`` and ``changes`` (``{field: [old, new]}``, fields by their
wire names: :data:`CORRECTABLE_FIELDS`). :func:`replay` applies entries to a record's previous content, so the
server can tell that the new content is exactly what the entries say — nothing changed silently.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from inspector.casework.authority import covers, decides_at
from inspector.casework.statuses import INSPECTOR, OFFICE_ROLES, is_closed
from inspector.casework.workflow import REVIEW_LEVELS

EDIT, VOID = "edit", "void"
CORRECTION_ACTIONS = (EDIT, VOID)
FIELD_STATES = ("待核查", "现场核查", "确认问题", "整改中")
AFTER_PHASE_STATES = ("整改中", "申请销号", "县级验收", "市级验收", "已销号")  # a case that reached rectification
BEFORE_PHASE_STATES = ("确认问题",) + AFTER_PHASE_STATES  # a case whose problem was confirmed
# What an edit may change, per record kind, by wire name (a finding's position and attribution, a photo's
# metadata and file are what was measured: they are not corrected, the record is voided and made again)
CORRECTABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "findings": ("assessment", "activity_type", "description", "basis", "area_m2"),
    "evidence": ("phase", "caption", "finding_uuid"),
    "rectifications": ("measure_type", "measures", "deadline", "responsible_unit", "responsible_person"),
}
VOID_FIELDS = ("voided_at", "voided_by", "void_reason")
KIND_NAMES = {"findings": ("核查记录", "finding"), "evidence": ("证据", "evidence"),
              "rectifications": ("整改记录", "rectification")}

Missing = list[tuple[str, str]]  # (Chinese, English)


def correction_missing(*, roles: tuple[str, ...] | list[str], user: str, jurisdiction: Optional[str],
                       recorded_by: Optional[str], state: Optional[str], city_adcode: Optional[str],
                       county_adcode: Optional[str]) -> Missing:
    """What keeps ``user`` (with ``roles`` for ``jurisdiction``) from correcting a record ``recorded_by`` someone of a
    case in ``state`` lying in this city/county; empty when the correction is allowed (see the module docstring)."""
    if state is None or is_closed(state):
        return [(f"案件已办结（{state}），记录不能更正；如需更正，先以回头看重新打开案件",
                 f"the case is closed ({state}): its records cannot be corrected; reopen it by a follow-up first")]
    if INSPECTOR in roles and state in FIELD_STATES and recorded_by and recorded_by == user:
        return []
    if any(role in OFFICE_ROLES for role in roles):
        level = REVIEW_LEVELS.get(state)
        if level is None and covers(jurisdiction, city_adcode, county_adcode):
            return []
        if level is not None and decides_at(jurisdiction, level, city_adcode, county_adcode):
            return []
    if state in REVIEW_LEVELS:
        return [(f"更正权限：案件在验收中（{state}），只有负责该步验收的审核员可以更正",
                 f"authority to correct: the case is under acceptance ({state}); only the reviewer deciding "
                 f"that step may correct its records")]
    return [(f"更正权限：现场阶段只有记录人本人（{recorded_by or '未记名'}）或辖区审核员可以更正",
             f"authority to correct: in the field phases only the person who recorded it "
             f"({recorded_by or 'unnamed'}) or a reviewer of the jurisdiction may correct it")]


def phase_missing(phase: Any, state: Optional[str]) -> Missing:
    """Why evidence may not be moved into ``phase`` on a case in ``state`` (empty when it may)."""
    if phase == "after" and state not in AFTER_PHASE_STATES:
        return [(f"案件尚未进入整改（{state}），照片不能改为整改后", f"the case has not reached rectification "
                 f"({state}): evidence cannot be moved into the after phase")]
    if phase == "before" and state not in BEFORE_PHASE_STATES:
        return [(f"案件尚未确认问题（{state}），照片不能改为整改前", f"the problem is not confirmed ({state}): "
                 f"evidence cannot be moved into the before phase")]
    return []


def correction_list(text: Any) -> list[dict[str, Any]]:
    """The entries of a ``corrections`` column ('[]' when absent); ``ValueError`` when it is no such list."""
    if text is None:
        return []
    entries = json.loads(text) if isinstance(text, str) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError("corrections is not a JSON list of objects")
    return entries


def entry_problem(kind: str, entry: dict[str, Any]) -> Optional[tuple[str, str]]:
    """Why one correction entry is malformed (``None`` when it is well formed)."""
    changes = entry.get("changes")
    if entry.get("action") not in CORRECTION_ACTIONS or not isinstance(changes, dict):
        return "更正记录格式不对", "malformed correction entry"
    if not all(isinstance(entry.get(key), str) and entry[key].strip() for key in ("by", "reason", "at_utc")):
        return "更正记录须有更正人、时间和原因", "a correction needs who, when and a reason"
    allowed = CORRECTABLE_FIELDS.get(kind, ())
    if any(field not in allowed or not (isinstance(pair, list) and len(pair) == 2) for field, pair in changes.items()):
        return "更正记录含有不可更正的字段", "a correction names a field that cannot be corrected"
    if (entry["action"] == EDIT) != bool(changes):
        return "编辑须有改动，作废不改字段", "an edit changes fields and a void changes none"
    return None


def replay(kind: str, before: dict[str, Any], entries: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """``before``'s correctable and void fields after applying ``entries`` in order, or ``None`` when an entry's old
    value is not what the record held (the entries do not describe this record's history)."""
    current = {field: before.get(field) for field in CORRECTABLE_FIELDS[kind] + VOID_FIELDS}
    for entry in entries:
        if current["voided_at"] is not None:
            return None  # a voided record is final
        if entry["action"] == VOID:
            current.update(voided_at=entry["at_utc"], voided_by=entry["by"], void_reason=entry["reason"])
            continue
        for field, (old, new) in entry["changes"].items():
            if current[field] != old:
                return None
            current[field] = new
    return current
