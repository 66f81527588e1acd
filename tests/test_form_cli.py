"""Forms from a real workspace: gather a case with its evidence and workflow, render, read back."""
from __future__ import annotations

import subprocess

import pytest

from evidence_fixtures import make_recent_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.workflow import transition
from inspector.forms.form_data import gather_case
from tests.case_fixtures import CENTRE, CORE_CASE, CORE_ZONE, build_case_workspace, cli_json

CHECKLIST = ("water_cut", "power_cut", "materials_cleared", "products_cleared", "equipment_cleared")


@pytest.fixture
def closing_ws(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    transition(ws, CORE_CASE, "现场核查", role="inspector", actor="王核查")
    add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖",
                description="核心保护区内养殖塘 <b>3</b> 亩", basis="《自然保护区条例》第二十六条",
                inspector="王核查,李记录")
    attach(ws, CORE_CASE, [make_recent_photo(tmp_path / "before.jpg", *CENTRE, bearing=45.0)], phase="before")
    transition(ws, CORE_CASE, "确认问题", role="inspector", actor="王核查")
    add_rectification(ws, CORE_CASE, measure_type="退出", measures="退养还湿，拆除养殖设施")
    transition(ws, CORE_CASE, "整改中", role="inspector", actor="王核查")
    attach(ws, CORE_CASE, [make_recent_photo(tmp_path / "after.jpg", *CENTRE, bearing=90.0)], phase="after")
    set_checklist(ws, CORE_CASE, items={k: True for k in CHECKLIST})
    transition(ws, CORE_CASE, "申请销号", role="inspector", actor="王核查")
    yield ws
    ws.close()


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_gather_case_collects_everything(closing_ws):
    case = gather_case(closing_ws, CORE_CASE)
    assert case.case_no == CORE_CASE and CORE_ZONE in case.zone_names
    assert case.function_zone == "核心保护区" and case.admin.city == "盐城市"
    assert [p.phase for p in case.photos] == ["before", "after"]
    assert all(p.path.is_file() for p in case.photos)
    assert case.findings[0].inspectors == ("王核查", "李记录")
    assert case.rectification.measure_type == "退出" and case.checklist.water_cut is True
    assert [s.level for s in case.acceptance] == ["责任单位"]
    assert {z.function_zone for z in case.zones} >= {"核心保护区", "一般控制区"}


def test_cli_form_and_batch(closing_ws, tmp_path):
    ws = str(closing_ws.root)
    out = tmp_path / "closure.pdf"
    result = cli_json("--workspace", ws, "form", CORE_CASE, "--kind", "closure", "-o", str(out))
    assert result["file"] == str(out) and out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    assert CORE_CASE in text and CORE_ZONE in text
    for photo in gather_case(closing_ws, CORE_CASE).photos:
        assert photo.sha256[:12] in text
    inspection = tmp_path / "inspection.pdf"
    cli_json("--workspace", ws, "form", CORE_CASE, "--kind", "inspection", "-o", str(inspection))
    assert "核心保护区内养殖塘 <b>3</b> 亩" in pdf_text(inspection).replace("\n", "")
    batch = cli_json("--workspace", ws, "forms", "--status", "申请销号", "-o", str(tmp_path / "batch"))
    assert batch["count"] == 1 and (tmp_path / "batch").glob("*.pdf")
