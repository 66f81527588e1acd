"""The command line of sign-off records: countersign, publicity, spot-check and ``--signature`` on transition and
finding add (JSON documents, exit 2 with the reason on a refusal or a bad image)."""
from __future__ import annotations

import json

import pytest

from inspector.accounts.local_accounts import add_account
from inspector.accounts.sign_in import sign_in_local
from inspector.casework.countersigns import DEPARTMENTS
from inspector.casework.workflow import transition
from inspector.cli.record_commands import DEPARTMENT_CHOICES
from inspector.errors import BadInput
from inspector.store.workspace import Workspace
from tests.case_fixtures import CORE_CASE, build_case_workspace, cli_json, run_cli
from tests.signature_fixtures import write_scanned_pdf, write_signature
from tests.test_records import _png_header_claiming

PASSWORD = "口令-test"


@pytest.fixture
def root(tmp_path):
    """The case workspace with two local accounts of LD-001's county (大丰, 320904): an inspector (张三) and the
    county officer (县局, inspector and reviewer), the officer signed in."""
    with build_case_workspace(tmp_path / "case") as ws:
        add_account(ws, "zhangsan", roles=["inspector"], jurisdiction="320904", display_name="张三",
                    password=PASSWORD)
        add_account(ws, "xianju", roles=["inspector", "reviewer"], jurisdiction="320904", display_name="县局",
                    password=PASSWORD)
        sign_in_local(ws, "xianju", PASSWORD)
    return str(tmp_path / "case" / "ws")


def _sign_in(root: str, name: str) -> None:
    with Workspace.open(root) as ws:
        sign_in_local(ws, name, PASSWORD)


def test_sign_off_commands_record_and_print_json(root, tmp_path):
    pad = str(write_signature(tmp_path / "sig.png"))
    _sign_in(root, "zhangsan")
    moved = cli_json("--workspace", root, "transition", CORE_CASE, "现场核查", "--as", "inspector", "--by", "张三",
                     "--signature", pad)
    assert moved["to_state"] == "现场核查" and len(moved["signature_uuids"]) == 1
    finding = cli_json("--workspace", root, "finding", "add", CORE_CASE, "--assessment", "确认问题",
                       "--activity", "养殖", "--by", "张三", "--signature", pad, "--party-signature", pad,
                       "--party-name", "李老板")
    assert len(finding["signature_uuids"]) == 2
    office_only = run_cli("--workspace", root, "publicity", CORE_CASE, "--from", "2026-01-01", "--to", "2026-01-07",
                          "--where", "x", env={"INSPECTOR_LANG": "en"})
    assert office_only.returncode == 2 and "recorded by a reviewer or admin" in office_only.stderr
    _sign_in(root, "xianju")
    signed = cli_json("--workspace", root, "countersign", CORE_CASE, "--department", "自然资源", "--signer", "周八",
                      "--opinion", "同意", "--date", "2026-01-05", "--document",
                      str(write_scanned_pdf(tmp_path / "scan.pdf")), "--signature", pad, "--by", "县局")
    assert (signed["department"], signed["signer"], signed["signed_on"], signed["recorded_by"]) == (
        "自然资源", "周八", "2026-01-05", "xianju")
    assert signed["document_uuid"] and len(signed["signature_uuids"]) == 1
    shown = cli_json("--workspace", root, "publicity", CORE_CASE, "--from", "2026-01-01", "--to", "2026-01-07",
                     "--where", "镇政府公告栏")
    assert shown["ended"] is True and shown["published_where"] == "镇政府公告栏"
    with Workspace.open(root) as ws:
        signed = [tuple(r) for r in ws.conn.execute(
            "SELECT signer_role, signer_name FROM evidence WHERE kind = 'signature' ORDER BY id")]
        roles, names = [r[0] for r in signed], [r[1] for r in signed]
    assert roles == ["inspector", "inspector", "inspected_party", "countersign"]
    assert names == ["张三", "张三", "李老板", "周八"]
    assert cli_json("--workspace", root, "verify-audit")["ok"] is True


def test_refusals_exit_2_with_the_reason(root, tmp_path):
    jpeg_named_png = tmp_path / "photo.png"
    from evidence_fixtures import make_geotagged_photo

    make_geotagged_photo(tmp_path / "p.jpg", 120.5, 33.5)
    jpeg_named_png.write_bytes((tmp_path / "p.jpg").read_bytes())
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_claiming(100_000, 100_000))
    cases = [
        (["transition", CORE_CASE, "现场核查", "--as", "inspector", "--signature", str(jpeg_named_png)], "not a PNG"),
        (["transition", CORE_CASE, "现场核查", "--as", "inspector", "--signature", str(bomb)], "decompression bomb"),
        (["transition", CORE_CASE, "现场核查", "--as", "inspector", "--signature", str(tmp_path / "none.png")],
         "cannot read the signature file"),
        (["finding", "add", CORE_CASE, "--assessment", "确认问题", "--activity", "养殖", "--party-name", "x"],
         "needs both --party-signature and --party-name"),
        (["countersign", CORE_CASE, "--department", "林业", "--signer", "x", "--opinion", "y", "--date", "2026-13-01"],
         "must be a date"),
        (["publicity", CORE_CASE, "--from", "2026-02-01", "--to", "2026-01-01", "--where", "x"], "before it starts"),
        (["spot-check", CORE_CASE, "--outcome", "confirmed"], "cannot go from 待核查 to 抽查"),
    ]
    for args, why in cases:
        result = run_cli("--workspace", root, *args, "--json", env={"INSPECTOR_LANG": "en"})
        assert result.returncode == 2 and why in result.stderr, (args, result.stderr)
    bad_department = run_cli("--workspace", root, "countersign", CORE_CASE, "--department", "环保", "--signer", "x",
                             "--opinion", "y")
    assert bad_department.returncode == 2 and "环保" in bad_department.stderr
    with Workspace.open(root) as ws:
        ws.conn.execute("UPDATE cases SET status = '已销号' WHERE case_no = ?", (CORE_CASE,))
        ws.conn.commit()
    refused = run_cli("--workspace", root, "spot-check", CORE_CASE, "--outcome", "reopened",
                      env={"INSPECTOR_LANG": "en"})
    assert refused.returncode == 2 and "provincial-level authority" in refused.stderr and "a reason" in refused.stderr
    with Workspace.open(root) as ws:
        assert ws.conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
        assert ws.conn.execute("SELECT count(*) FROM countersigns").fetchone()[0] == 0
        assert ws.conn.execute("SELECT count(*) FROM publicity").fetchone()[0] == 0
        assert ws.conn.execute("SELECT count(*) FROM transitions").fetchone()[0] == 0


def test_spot_check_by_the_province_confirms_or_reopens(root):
    assert DEPARTMENT_CHOICES == DEPARTMENTS
    with Workspace.open(root) as ws:
        ws.conn.execute("UPDATE cases SET status = '已销号' WHERE case_no = ?", (CORE_CASE,))
        ws.conn.commit()
        with pytest.raises(BadInput, match="省级审核权限：须由案件所在省级辖区 320000 的审核员办理"):
            transition(ws, CORE_CASE, "抽查", role="reviewer", actor="市局", jurisdiction="320900")
        kept = transition(ws, CORE_CASE, "抽查", role="reviewer", actor="省厅", jurisdiction="320000")
        assert (kept["action"], kept["to_state"]) == ("抽查", "已销号")
        reopened = transition(ws, CORE_CASE, "抽查", role="reviewer", actor="省厅", jurisdiction="320000",
                              reason="抽查发现复垦", recurred=True)
        assert reopened["to_state"] == "整改中"
    history = json.loads(run_cli("--workspace", root, "history", CORE_CASE, "--json").stdout)
    assert [h["action"] for h in history] == ["抽查", "抽查"]
