"""Rectification (整改) records and the 两断三清 closure checklist of a case.

A rectification names the measure type (退出 exit / 整治 remediation /
生态修复 ecological restoration), the measures, the deadline and who is
responsible, and collects dated progress notes. A case whose measure is 退出
can only apply for closure (申请销号) once its 两断三清 checklist is complete:
water cut, power cut, raw materials, products and equipment cleared.

Every mutation runs in one ``atomic()`` with its audit entry and returns a
small summary dictionary that also tells what changed (:class:`inspector.store.changes.Outcome`).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from inspector.casework.cases import resolve_case
from inspector.errors import BadInput, NotFound
from inspector.store.changes import Outcome, recording
from inspector.store.db import Row, atomic
from inspector.store.record_store import insert_record, to_json, update_record
from inspector.store.workspace import Workspace, utc_now

MEASURE_TYPES = ("退出", "整治", "生态修复")
CHECKLIST_ITEMS = {  # column: (Chinese, English)
    "water_cut": ("断水", "water cut off"),
    "power_cut": ("断电", "power cut off"),
    "materials_cleared": ("清除原料", "raw materials cleared"),
    "products_cleared": ("清除产品", "products cleared"),
    "equipment_cleared": ("清除设备", "equipment cleared"),
}
RECTIFICATION_COLUMNS = ("id", "uuid", "case_id", "measure_type", "measures", "deadline", "responsible_unit",
                         "responsible_person", "progress_notes", "revision", "updated_at", "recorded_by",
                         "voided_at", "voided_by", "void_reason")


def check_date(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError as exc:
        raise BadInput(f"日期须为 YYYY-MM-DD：{text}", f"date must be YYYY-MM-DD: {text}") from exc


def rectification_dict(row: Row) -> dict[str, Any]:
    data = {key: row[key] for key in RECTIFICATION_COLUMNS}
    data["progress_notes"] = json.loads(data["progress_notes"] or "[]")
    return data


def add_rectification(ws: Workspace, case_ref: str, *, measure_type: str, measures: str = "",
                      deadline: str | None = None, responsible_unit: str | None = None,
                      responsible_person: str | None = None, actor: str = "inspector") -> Outcome:
    case = resolve_case(ws, case_ref)
    if measure_type not in MEASURE_TYPES:
        raise BadInput(f"整改类型须为 {'/'.join(MEASURE_TYPES)}，而不是：{measure_type}",
                       f"measure type must be one of {'/'.join(MEASURE_TYPES)}, not: {measure_type}")
    values = {"case_id": case["id"], "measure_type": measure_type, "measures": measures or "",
              "deadline": check_date(deadline), "responsible_unit": responsible_unit,
              "responsible_person": responsible_person, "progress_notes": "[]"}
    with recording(ws.conn) as journal, atomic(ws.conn):
        _, uuid = insert_record(ws.conn, "rectifications", values, actor=actor, action="rectification.add")
    return Outcome({**rectification_dict(_rectification_row(ws, uuid)), "case_no": case["case_no"]},
                   journal.changes)


def _rectification_row(ws: Workspace, uuid: str) -> Row:
    row = ws.conn.execute(f"SELECT {', '.join(RECTIFICATION_COLUMNS)} FROM rectifications "
                          "WHERE uuid = ? AND deleted = 0", (uuid.strip().lower(),)).fetchone()
    if row is None:
        raise NotFound(f"找不到整改记录：{uuid}", f"no such rectification: {uuid}")
    return row


def add_progress_note(ws: Workspace, rectification_uuid: str, note: str, *,
                      actor: str = "inspector") -> Outcome:
    """Append a dated note (UTC) to a rectification's progress."""
    if not note or not note.strip():
        raise BadInput("进展说明不能为空", "the progress note cannot be empty")
    with recording(ws.conn) as journal, atomic(ws.conn):
        row = _rectification_row(ws, rectification_uuid)
        notes = json.loads(row["progress_notes"] or "[]")
        notes.append({"at_utc": utc_now(), "by": actor, "note": note.strip()})
        update_record(ws.conn, "rectifications", row["uuid"], {"progress_notes": to_json(notes)},
                      actor=actor, action="rectification.note")
    return Outcome(rectification_dict(_rectification_row(ws, row["uuid"])), journal.changes)


def list_rectifications(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    rows = ws.conn.execute(f"SELECT {', '.join(RECTIFICATION_COLUMNS)} FROM rectifications "
                           "WHERE case_id = ? AND deleted = 0 ORDER BY id", (case_id,)).fetchall()
    return [rectification_dict(r) for r in rows]


def checklist(ws: Workspace, case_id: int) -> dict[str, Any] | None:
    """The case's 两断三清 checklist with ``complete`` and ``missing`` items, or ``None``."""
    row = ws.conn.execute(
        f"SELECT uuid, {', '.join(CHECKLIST_ITEMS)}, note FROM closure_checklists "
        "WHERE case_id = ? AND deleted = 0", (case_id,)).fetchone()
    if row is None:
        return None
    data = {"uuid": row["uuid"], "note": row["note"], **{k: bool(row[k]) for k in CHECKLIST_ITEMS}}
    data["missing"] = [k for k in CHECKLIST_ITEMS if not data[k]]
    data["complete"] = not data["missing"]
    return data


def set_checklist(ws: Workspace, case_ref: str, *, items: dict[str, bool], note: str | None = None,
                  actor: str = "inspector") -> Outcome:
    """Set the given 两断三清 items (others keep their value); creates the checklist if needed."""
    unknown = set(items) - set(CHECKLIST_ITEMS)
    if unknown:
        raise BadInput(f"未知的检查项：{', '.join(sorted(unknown))}", f"unknown checklist items: "
                       f"{', '.join(sorted(unknown))}")
    case = resolve_case(ws, case_ref)
    changes: dict[str, Any] = {k: int(bool(v)) for k, v in items.items()}
    if note is not None:
        changes["note"] = note
    with recording(ws.conn) as journal, atomic(ws.conn):
        existing = checklist(ws, case["id"])
        if existing is None:
            insert_record(ws.conn, "closure_checklists", {"case_id": case["id"], **changes},
                          actor=actor, action="checklist.set")
        elif changes:
            update_record(ws.conn, "closure_checklists", existing["uuid"], changes,
                          actor=actor, action="checklist.set")
    result = checklist(ws, case["id"])
    assert result is not None
    return Outcome({**result, "case_no": case["case_no"]}, journal.changes)
