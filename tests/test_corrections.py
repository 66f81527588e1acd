"""Corrections keep history (issue 17, item 3): edit or void findings, evidence and rectifications with a reason.

The CLI's ``evidence|finding|rectification edit|void``, the history that shows who changed what from what to
what, the audit chain that still verifies, voided records left off the rendered forms and out of the
workflow's evidence, the one authority rule, and a workspace made before the corrections migration.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.casework.authority import LOCAL, Actor
from inspector.casework.correction_rules import correction_missing, phase_missing
from inspector.casework.corrections import case_history, edit_evidence, void_record
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.workflow import transition
from inspector.errors import BadInput
from inspector.forms import render_form
from inspector.forms.form_data import gather_case
from inspector.reports.ledger_rows import ledger_rows
from inspector.store import audit, db
from inspector.store.migrations import MIGRATIONS, _v10_corrections, migrate
from inspector.store.workspace import Workspace
from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, cli_json, run_cli
from tests.test_workspace import OLD_WORKSPACE

CHECKLIST = ("water_cut", "power_cut", "materials_cleared", "products_cleared", "equipment_cleared")
WANG = Actor(user="wang", name="王核查", roles=("inspector",), jurisdiction="320904", source=LOCAL)


def test_cli_edits_and_voids_each_kind_and_history_shows_old_values(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    root = str(ws.root)
    ws.close()
    cli_json("--workspace", root, "transition", CORE_CASE, "现场核查", "--as", "inspector")
    finding = cli_json("--workspace", root, "finding", "add", CORE_CASE, "--assessment", "确认问题",
                       "--activity", "养殖", "--description", "养殖塘 3 亩")
    [photo] = cli_json("--workspace", root, "attach", CORE_CASE, str(make_geotagged_photo(tmp_path / "p.jpg", *CENTRE)),
                       "--finding", finding["uuid"])
    cli_json("--workspace", root, "transition", CORE_CASE, "确认问题", "--as", "inspector")
    plan = cli_json("--workspace", root, "rectification", "add", CORE_CASE, "--measure-type", "整治",
                    "--deadline", "2026-06-30")

    photo_uuid = photo["evidence_uuid"]
    too_early = run_cli("--workspace", root, "evidence", "edit", photo_uuid, "--phase", "after", "--reason", "错选")
    assert too_early.returncode == 2 and "整改" in too_early.stderr
    assert run_cli("--workspace", root, "evidence", "edit", photo_uuid, "--phase", "before").returncode == 2
    edited = cli_json("--workspace", root, "evidence", "edit", photo["evidence_uuid"], "--phase", "before",
                      "--caption", "东侧塘埂", "--reason", "拍摄于整改前，阶段选错")
    assert edited["corrections"][-1]["changes"] == {"phase": ["inspection", "before"], "caption": [None, "东侧塘埂"]}
    cli_json("--workspace", root, "finding", "edit", finding["uuid"], "--description", "养殖塘 5 亩",
             "--area-m2", "3333", "--reason", "复测面积")
    cli_json("--workspace", root, "rectification", "edit", plan["uuid"], "--deadline", "2026-12-31",
             "--reason", "县政府批准延期")
    voided = [cli_json("--workspace", root, kind, "void", uuid, "--reason", f"{kind} 录入错误")
              for kind, uuid in (("evidence", photo["evidence_uuid"]), ("finding", finding["uuid"]),
                                 ("rectification", plan["uuid"]))]
    assert all(v["voided_at"] and v["void_reason"].endswith("录入错误") for v in voided)
    again = run_cli("--workspace", root, "finding", "void", finding["uuid"], "--reason", "再次")
    assert again.returncode == 2 and "作废" in again.stderr

    [listed] = cli_json("--workspace", root, "finding", "list", CORE_CASE)
    assert listed["voided_at"] and listed["description"] == "养殖塘 5 亩"
    rows = cli_json("--workspace", root, "history", CORE_CASE)
    corrections = [r for r in rows if r["record_kind"] != "transitions"]
    assert sorted(r["action"] for r in corrections) == ["作废"] * 3 + ["更正"] * 3
    described = {r["record_kind"]: r for r in corrections if r["action"] == "更正"}
    assert described["findings"]["changes"]["description"] == ["养殖塘 3 亩", "养殖塘 5 亩"]
    assert described["rectifications"]["changes"]["deadline"] == ["2026-06-30", "2026-12-31"]
    assert described["rectifications"]["reason"] == "县政府批准延期" and described["findings"]["actor"]
    text = run_cli("--workspace", root, "history", CORE_CASE).stdout
    assert '"养殖塘 3 亩" → "养殖塘 5 亩"' in text and "复测面积" in text
    assert cli_json("--workspace", root, "verify-audit")["ok"]


@pytest.fixture
def closing_ws(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    transition(ws, CORE_CASE, "现场核查", role="inspector", actor="wang")
    add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="核心区养殖塘",
                inspector="王核查", actor="wang")
    attach(ws, CORE_CASE, [make_geotagged_photo(tmp_path / "before.jpg", *CENTRE, bearing=45.0)], phase="before",
           actor="wang")
    transition(ws, CORE_CASE, "确认问题", role="inspector", actor="wang")
    add_rectification(ws, CORE_CASE, measure_type="退出", measures="退养还湿", actor="wang")
    transition(ws, CORE_CASE, "整改中", role="inspector", actor="wang")
    attach(ws, CORE_CASE, [make_geotagged_photo(tmp_path / "after.jpg", *CENTRE, bearing=90.0)], phase="after",
           actor="wang")
    set_checklist(ws, CORE_CASE, items={k: True for k in CHECKLIST}, actor="wang")
    yield ws
    ws.close()


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_voided_after_photo_no_longer_satisfies_closure_and_is_off_the_form(closing_ws, tmp_path):
    after = closing_ws.conn.execute("SELECT uuid, sha256 FROM evidence WHERE phase = 'after'").fetchone()
    before = closing_ws.conn.execute("SELECT sha256 FROM evidence WHERE phase = 'before'").fetchone()[0]
    void_record(closing_ws, "evidence", after["uuid"], reason="拍的是邻近地块", actor=WANG)
    with pytest.raises(BadInput) as refused:
        transition(closing_ws, CORE_CASE, "申请销号", role="inspector", actor="wang")
    assert "整改后照片" in refused.value.message.zh
    text = _pdf_text(render_form(gather_case(closing_ws, CORE_CASE), "closure", generated_at="2026-01-01 10:00"),
                     tmp_path)
    assert before[:12] in text and after["sha256"][:12] not in text
    [row] = [row for row in ledger_rows(closing_ws).rows if row.case_no == CORE_CASE]
    assert row.progress[LEDGER_PROGRESS_COLUMNS.index("证据数量")] == 1
    finding = closing_ws.conn.execute("SELECT uuid FROM findings").fetchone()[0]
    void_record(closing_ws, "findings", finding, reason="记错案件", actor=WANG)
    inspection = _pdf_text(render_form(gather_case(closing_ws, CORE_CASE), "inspection",
                                       generated_at="2026-01-01 10:00"), tmp_path)
    assert "核心区养殖塘" not in inspection
    assert audit.verify(closing_ws)["ok"]
    history = case_history(closing_ws, CORE_CASE)
    assert sorted(r["reason"] for r in history if r["action"] == "作废") == ["拍的是邻近地块", "记错案件"]


def test_only_the_recorder_or_the_deciding_office_may_correct(closing_ws):
    photo = closing_ws.conn.execute("SELECT uuid FROM evidence WHERE phase = 'before'").fetchone()[0]
    colleague = Actor(user="li", name="李", roles=("inspector",), jurisdiction="320904", source=LOCAL)
    with pytest.raises(BadInput, match="authority to correct|更正权限") as refused:
        edit_evidence(closing_ws, photo, caption="别人的照片", reason="想改", actor=colleague)
    assert "wang" in refused.value.message.zh
    edit_evidence(closing_ws, photo, caption="塘埂", reason="补说明", actor=WANG)
    rule = dict(user="wang", jurisdiction="320904", recorded_by="wang", city_adcode="320900", county_adcode="320904")
    assert correction_missing(roles=("inspector",), state="整改中", **rule) == []
    assert correction_missing(roles=("inspector",), state="申请销号", **rule)  # frozen while judged
    county = {**rule, "user": "k"}
    assert correction_missing(roles=("reviewer",), state="申请销号", **county) == []
    assert correction_missing(roles=("reviewer",), state="县级验收", **county)  # the city decides that step
    assert correction_missing(roles=("reviewer",), state="县级验收", **{**county, "jurisdiction": "320900"}) == []
    assert correction_missing(roles=("admin",), state="已销号", **{**county, "jurisdiction": "320000"})
    assert phase_missing("after", "确认问题") and phase_missing("before", "现场核查")
    assert not phase_missing("after", "整改中") and not phase_missing("inspection", "待核查")


def test_a_workspace_audited_before_the_corrections_migration_still_verifies(tmp_path):
    root = tmp_path / "old"
    shutil.copytree(OLD_WORKSPACE, root)
    conn = db.connect(root / "workspace.sqlite")
    migrate(conn, root / "workspace.sqlite", target=MIGRATIONS.index(_v10_corrections))
    case_id = conn.execute("SELECT id FROM cases").fetchone()[0]
    with db.atomic(conn):
        conn.execute("INSERT INTO findings (case_id, observed_at_utc, activity_type, assessment, uuid, created_at, "
                     "updated_at) VALUES (?, 't', '养殖', '待定', 'f-old', 't', 't')", (case_id,))
        audit.append(conn, "wang", "finding.add", "findings", "f-old")
    conn.close()
    with Workspace.open(root) as ws:
        row = ws.conn.execute("SELECT recorded_by, voided_at, corrections FROM findings").fetchone()
        assert tuple(row) == (None, None, "[]")
        assert audit.verify(ws)["ok"], audit.verify(ws)
        ws.conn.execute("UPDATE findings SET voided_at = 'x'")  # a void behind the program's back is caught
        assert not audit.verify(ws)["ok"]
    assert json.loads("[]") == []
