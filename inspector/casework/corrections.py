"""Corrections keep history: edit or void a finding, an evidence item or a rectification, with a reason.

Nothing recorded is lost or silently changed. An **edit** writes the new values and appends an entry to the
record's ``corrections`` list — who, when, why, and each changed field's old and new value — so the old version
stays in the record itself (and in the audit chain, whose entry hashes the record with that list). A **void**
sets ``voided_at`` / ``voided_by`` / ``void_reason`` and appends a ``void`` entry; the row stays, is shown struck
through, and is left off forms, ledger counts and the workflow's evidence checks. A voided record is final.

Both are an ordinary audited update of the record (revision + 1, dirty), so they sync as new revisions: the
server replays the entries and checks who may make them (:mod:`inspector.casework.correction_rules`, the same
rule as here), and two devices correcting one record at once make a conflict, as any concurrent edit.

:func:`case_corrections` lists a case's corrections for its history (``history CASE``, the GUI).
"""
from __future__ import annotations

import json
import math
from typing import Any, Optional

from inspector.casework.authority import Actor
from inspector.casework.correction_rules import (
    CORRECTABLE_FIELDS,
    EDIT,
    KIND_NAMES,
    VOID,
    correction_list,
    correction_missing,
    phase_missing,
)
from inspector.casework.evidence_attach import PHASES
from inspector.casework.findings import ASSESSMENTS, activity_types, resolve_finding
from inspector.casework.rectification import MEASURE_TYPES, check_date
from inspector.errors import BadInput, NotFound
from inspector.store.changes import Outcome, recording
from inspector.store.db import Row, atomic
from inspector.store.record_store import to_json, update_record
from inspector.store.workspace import Workspace, utc_now

MAX_REASON_CHARS = 2000  # characters: a correction's reason
MAX_CAPTION_CHARS = 500  # characters: a photo's caption
ACTION_NAMES = {EDIT: ("更正", "edit"), VOID: ("作废", "void")}


def _record(ws: Workspace, kind: str, uuid: str) -> Row:
    row = ws.conn.execute(f"SELECT * FROM {kind} WHERE uuid = ? AND deleted = 0",
                          (str(uuid).strip().lower(),)).fetchone()
    if row is None:
        zh, en = KIND_NAMES[kind]
        raise NotFound(f"找不到{zh}：{uuid}", f"no such {en}: {uuid}")
    return row


def _reason(reason: Optional[str]) -> str:
    text = (reason or "").strip()
    if not text:
        raise BadInput("更正和作废须写明原因（--reason）", "a correction or void needs a reason (--reason)")
    if len(text) > MAX_REASON_CHARS:
        raise BadInput(f"原因过长（上限 {MAX_REASON_CHARS} 字）", f"the reason is too long (at most "
                       f"{MAX_REASON_CHARS} characters)")
    return text


def _case_state(ws: Workspace, case_id: int) -> Row:
    return ws.conn.execute("SELECT case_no, uuid, status, city_adcode, county_adcode FROM cases WHERE id = ?",
                           (case_id,)).fetchone()


def _authorise(ws: Workspace, row: Row, actor: Actor) -> Row:
    """The record's case; :class:`BadInput` when ``actor`` may not correct the record (or it is voided)."""
    case = _case_state(ws, row["case_id"])
    if row["voided_at"] is not None:
        raise BadInput(f"该记录已于 {row['voided_at']} 作废，不能再更正", f"this record was voided at "
                       f"{row['voided_at']} and cannot be corrected")
    missing = correction_missing(roles=actor.roles, user=actor.user, jurisdiction=actor.jurisdiction,
                                 recorded_by=row["recorded_by"], state=case["status"],
                                 city_adcode=case["city_adcode"], county_adcode=case["county_adcode"])
    if missing:
        raise BadInput("不能更正：" + "；".join(m[0] for m in missing), "cannot correct: " +
                       "; ".join(m[1] for m in missing))
    return case


def _write(ws: Workspace, kind: str, row: Row, action: str, reason: str, actor: Actor,
           columns: dict[str, Any], changes: dict[str, list[Any]]) -> None:
    now = utc_now()
    entries = correction_list(row["corrections"])
    entries.append({"at_utc": now, "by": actor.user, "by_name": actor.name, "action": action, "reason": reason,
                    "changes": changes})
    if action == VOID:
        columns = {**columns, "voided_at": now, "voided_by": actor.user, "void_reason": reason}
    update_record(ws.conn, kind, row["uuid"], {**columns, "corrections": to_json(entries)}, actor=actor.user,
                  action=f"{kind}.{action}", evidence_hashes=[row["sha256"]] if kind == "evidence" else ())


def _result(ws: Workspace, kind: str, uuid: str, case: Row, changes: Any) -> Outcome:
    row = ws.conn.execute(f"SELECT * FROM {kind} WHERE uuid = ?", (uuid,)).fetchone()
    return Outcome({"uuid": uuid, "kind": kind, "case_no": case["case_no"], "revision": row["revision"],
                    "voided_at": row["voided_at"], "voided_by": row["voided_by"], "void_reason": row["void_reason"],
                    "corrections": correction_list(row["corrections"])}, changes)


def void_record(ws: Workspace, kind: str, uuid: str, *, reason: Optional[str], actor: Actor) -> Outcome:
    """Void a finding, evidence item or rectification (``kind``: its table) with a reason; the row stays."""
    if kind not in CORRECTABLE_FIELDS:
        raise BadInput(f"不能作废这种记录：{kind}", f"records of this kind cannot be voided: {kind}")
    text = _reason(reason)
    with recording(ws.conn) as journal, atomic(ws.conn):
        row = _record(ws, kind, uuid)
        case = _authorise(ws, row, actor)
        _write(ws, kind, row, VOID, text, actor, {}, {})
    return _result(ws, kind, row["uuid"], case, journal.changes)


def _edit(ws: Workspace, kind: str, uuid: str, wanted: dict[str, Any], reason: Optional[str],
          actor: Actor) -> Outcome:
    """Write the fields of ``wanted`` (wire names; ``finding_uuid`` a finding UUID or None) that differ."""
    text = _reason(reason)
    with recording(ws.conn) as journal, atomic(ws.conn):
        row = _record(ws, kind, uuid)
        case = _authorise(ws, row, actor)
        current = {field: row[field] for field in wanted if field != "finding_uuid"}
        if "finding_uuid" in wanted:
            found = ws.conn.execute("SELECT uuid FROM findings WHERE id = ?", (row["finding_id"],)).fetchone()
            current["finding_uuid"] = found[0] if found else None
        changes = {field: [current[field], value] for field, value in wanted.items() if current[field] != value}
        if not changes:
            raise BadInput("没有要更正的内容（新值与原值相同）",
                           "nothing to correct (the new values are the current ones)")
        if "phase" in changes:
            missing = phase_missing(changes["phase"][1], case["status"])
            if missing:
                raise BadInput("不能更正：" + missing[0][0], "cannot correct: " + missing[0][1])
        columns = {field: pair[1] for field, pair in changes.items() if field != "finding_uuid"}
        if "finding_uuid" in changes:
            target = changes["finding_uuid"][1]
            columns["finding_id"] = (None if target is None
                                     else resolve_finding(ws, target, case_id=row["case_id"])["id"])
        _write(ws, kind, row, EDIT, text, actor, columns, changes)
    return _result(ws, kind, row["uuid"], case, journal.changes)


def edit_evidence(ws: Workspace, uuid: str, *, reason: Optional[str], actor: Actor, phase: Optional[str] = None,
                  caption: Optional[str] = None, finding: Optional[str] = None) -> Outcome:
    """Correct an evidence item's phase, caption or the finding it supports (``finding=""`` unlinks it)."""
    wanted: dict[str, Any] = {}
    if phase is not None:
        if phase not in PHASES:
            raise BadInput(f"阶段须为 {'/'.join(PHASES)}", f"phase must be one of {'/'.join(PHASES)}")
        wanted["phase"] = phase
    if caption is not None:
        if len(caption) > MAX_CAPTION_CHARS:
            raise BadInput(f"说明过长（上限 {MAX_CAPTION_CHARS} 字）", f"caption too long (at most "
                           f"{MAX_CAPTION_CHARS} characters)")
        wanted["caption"] = caption.strip() or None
    if finding is not None:
        row = _record(ws, "evidence", uuid)
        wanted["finding_uuid"] = (resolve_finding(ws, finding, case_id=row["case_id"])["uuid"]
                                  if finding.strip() else None)
    return _edit(ws, "evidence", uuid, wanted, reason, actor)


def edit_finding(ws: Workspace, uuid: str, *, reason: Optional[str], actor: Actor, assessment: Optional[str] = None,
                 activity_type: Optional[str] = None, description: Optional[str] = None,
                 basis: Optional[str] = None, area_m2: Optional[float] = None) -> Outcome:
    """Correct a finding's assessment, activity type, description, basis or area."""
    wanted: dict[str, Any] = {}
    if assessment is not None:
        if assessment not in ASSESSMENTS:
            raise BadInput(f"核查结论须为 {'/'.join(ASSESSMENTS)}",
                           f"assessment must be one of {'/'.join(ASSESSMENTS)}")
        wanted["assessment"] = assessment
    if activity_type is not None:
        if activity_type not in activity_types(ws):
            raise BadInput(f"未知的活动类型：{activity_type}", f"unknown activity type: {activity_type}")
        wanted["activity_type"] = activity_type
    if description is not None:
        wanted["description"] = description
    if basis is not None:
        wanted["basis"] = basis.strip() or None
    if area_m2 is not None:
        if not (math.isfinite(area_m2) and area_m2 >= 0):
            raise BadInput(f"面积无效：{area_m2}", f"invalid area: {area_m2}")
        wanted["area_m2"] = area_m2
    return _edit(ws, "findings", uuid, wanted, reason, actor)


def edit_rectification(ws: Workspace, uuid: str, *, reason: Optional[str], actor: Actor,
                       measure_type: Optional[str] = None, measures: Optional[str] = None,
                       deadline: Optional[str] = None, responsible_unit: Optional[str] = None,
                       responsible_person: Optional[str] = None) -> Outcome:
    """Correct a rectification's measure type, measures, deadline or who is responsible."""
    wanted: dict[str, Any] = {}
    if measure_type is not None:
        if measure_type not in MEASURE_TYPES:
            raise BadInput(f"整改类型须为 {'/'.join(MEASURE_TYPES)}", f"measure type must be one of "
                           f"{'/'.join(MEASURE_TYPES)}")
        wanted["measure_type"] = measure_type
    if measures is not None:
        wanted["measures"] = measures
    if deadline is not None:
        wanted["deadline"] = check_date(deadline)
    if responsible_unit is not None:
        wanted["responsible_unit"] = responsible_unit.strip() or None
    if responsible_person is not None:
        wanted["responsible_person"] = responsible_person.strip() or None
    return _edit(ws, "rectifications", uuid, wanted, reason, actor)


def case_corrections(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    """Every correction of the case's findings, evidence and rectifications, oldest first: ``at_utc``, ``by``,
    ``by_name``, ``action``, ``reason``, ``changes`` (``{field: [old, new]}``), ``record_kind``, ``record_uuid``."""
    found: list[dict[str, Any]] = []
    for kind in CORRECTABLE_FIELDS:
        for uuid, text in ws.conn.execute(f"SELECT uuid, corrections FROM {kind} WHERE case_id = ? AND deleted = 0 "
                                          "AND corrections <> '[]'", (case_id,)):
            try:
                entries = correction_list(text)
            except ValueError:
                continue  # foreign data that is no list: shown nowhere rather than crash the history
            found += [{**entry, "record_kind": kind, "record_uuid": uuid} for entry in entries]
    return sorted(found, key=lambda entry: str(entry.get("at_utc")))


def describe_changes(changes: Any) -> str:
    """``field: old → new; …`` as plain text (for the history's text output and the GUI)."""
    if not isinstance(changes, dict):
        return ""
    return "; ".join(f"{field}: {json.dumps(pair[0], ensure_ascii=False)} → {json.dumps(pair[1], ensure_ascii=False)}"
                     for field, pair in changes.items() if isinstance(pair, list) and len(pair) == 2)


def case_history(ws: Workspace, case_ref: str) -> list[dict[str, Any]]:
    """The case's history, oldest first: its transitions (:func:`inspector.casework.workflow.history`) and the
    corrections of its records, each correction as a row with the same keys (``action`` 更正 / 作废,
    ``from_state`` / ``to_state`` / ``role`` / ``jurisdiction`` None) plus ``record_kind``, ``record_uuid`` and
    ``changes`` (``{field: [old, new]}``)."""
    from inspector.casework.cases import resolve_case
    from inspector.casework.workflow import history

    case = resolve_case(ws, case_ref)
    rows = [{**row, "record_kind": "transitions", "record_uuid": row["uuid"], "changes": {}}
            for row in history(ws, case_ref)]
    for entry in case_corrections(ws, case["id"]):
        rows.append({"case_no": case["case_no"], "uuid": entry["record_uuid"],
                     "action": ACTION_NAMES.get(str(entry.get("action")), ("?", "?"))[0], "from_state": None,
                     "to_state": None, "actor": entry.get("by"), "actor_name": entry.get("by_name"), "role": None,
                     "jurisdiction": None, "reason": entry.get("reason"), "at_utc": entry.get("at_utc"),
                     "record_kind": entry["record_kind"], "record_uuid": entry["record_uuid"],
                     "changes": entry.get("changes") or {}})
    return sorted(rows, key=lambda row: str(row["at_utc"]))
