"""The audit log: hash chain, append-only triggers, and tampering found by verify-audit."""
from __future__ import annotations

import json

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.workflow import transition
from inspector.store import db
from inspector.store.audit import verify
from inspector.store.media_store import blob_path
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli


@pytest.fixture
def audited(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    transition(ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
    finding = add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
    [photo] = attach(ws, CORE_CASE, [make_geotagged_photo(tmp_path / "p.jpg", *CENTRE)],
                     finding=finding["uuid"])
    yield ws, finding, photo
    ws.close()


def test_chain_is_intact_and_links_entries(audited):
    ws, _, photo = audited
    result = verify(ws)
    assert result == {"ok": True, "entries": 3, "first_broken": None, "record_problems": [],
                      "media_problems": []}
    rows = ws.conn.execute("SELECT seq, prev_hash, entry_hash, evidence_hashes FROM audit_log ORDER BY seq").fetchall()
    assert rows[0][1] == "0" * 64 and rows[1][1] == rows[0][2] and rows[2][1] == rows[1][2]
    assert json.loads(rows[2][3]) == [photo["sha256"]]


def test_audit_log_refuses_update_and_delete(audited):
    ws, _, _ = audited
    with pytest.raises(db.IntegrityError, match="append-only"):
        ws.conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    with pytest.raises(db.IntegrityError, match="append-only"):
        ws.conn.execute("DELETE FROM audit_log WHERE seq = 3")


def test_finding_edited_behind_the_apps_back(audited):
    ws, finding, _ = audited
    raw = db.sqlite.connect(str(ws.db_path))  # plain sqlite, no app code
    raw.execute("UPDATE findings SET assessment = '排除' WHERE uuid = ?", (finding["uuid"],))
    raw.commit()
    raw.close()
    result = verify(ws)
    assert not result["ok"] and result["first_broken"] is None
    assert [(p["table"], p["uuid"]) for p in result["record_problems"]] == [("findings", finding["uuid"])]


def test_media_file_modified_on_disk(audited):
    ws, _, photo = audited
    path = blob_path(ws.media_dir, photo["sha256"])
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"tampered")
    result = verify(ws)
    assert not result["ok"] and result["media_problems"][0]["sha256"] == photo["sha256"]
    path.unlink()
    assert verify(ws)["media_problems"][0]["reason"] == "missing"


def _tamper_behind_the_trigger(ws, trigger: str, statement: str) -> None:
    """Change the audit log as an attacker with the database file would: drop the guard trigger, then write."""
    raw = db.sqlite.connect(str(ws.db_path))
    raw.execute(f"DROP TRIGGER {trigger}")
    raw.execute(statement)
    raw.commit()
    raw.close()


def test_audit_row_edited_after_dropping_the_trigger(audited):
    ws, _, _ = audited
    _tamper_behind_the_trigger(ws, "audit_log_no_update", "UPDATE audit_log SET actor = '李四' WHERE seq = 2")
    result = verify(ws)
    assert not result["ok"]
    assert result["first_broken"] == {"seq": 2, "reason": "entry_hash does not match the entry's content"}


def test_deleted_audit_row_breaks_the_chain(audited):
    ws, _, _ = audited
    _tamper_behind_the_trigger(ws, "audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2")
    assert verify(ws)["first_broken"]["seq"] == 3


def test_cli_verify_audit(audited):
    ws, finding, _ = audited
    root = str(ws.root)
    ok = run_cli("--workspace", root, "verify-audit", "--json")
    assert ok.returncode == 0, ok.stderr
    payload = json.loads(ok.stdout)
    assert payload["ok"] is True and payload["entries"] == 3 and payload["first_broken"] is None
    ws.conn.execute("UPDATE findings SET description = '改过' WHERE uuid = ?", (finding["uuid"],))
    bad = run_cli("--workspace", root, "verify-audit", "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["ok"] is False
