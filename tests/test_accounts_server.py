"""Accounts from the sync server: the login caches the server's identity (display name, roles, jurisdiction,
level, expiry); acceptance is bound to level and place on the device and again on the server; a workspace that
synced as one server account refuses another's login (each account works in its own profile)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid as uuid_lib

from evidence_fixtures import attach_closure_photos
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification
from inspector.casework.workflow import transition
from inspector.store.workspace import Workspace
from sync.protocol import PushBatch, RecordChange
from sync.server.auth import add_user
from tests.sync_fixtures import CASE, CENTRE, PASSWORD, REPO, api, db_url, server, sync  # noqa: F401

WHOAMI_KEYS = {"user", "name", "roles", "jurisdiction", "level", "source", "expires_at"}
STAMP = "2026-01-01T00:00:00Z"


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "INSPECTOR_LANG": "en"}, timeout=300)


def _login(root, url: str, user: str) -> subprocess.CompletedProcess:
    if not Workspace.exists(root):
        Workspace.create(root).close()
    return _cli("--workspace", str(root), "login", "--server", url, "--user", user, "--password-stdin", "--json",
                stdin=PASSWORD + "\n")


def _move(case_uuid: str, from_state: str, to_state: str, actor: str, jurisdiction: str | None) -> RecordChange:
    return RecordChange(kind="transitions", uuid=str(uuid_lib.uuid4()), content={
        "case_uuid": case_uuid, "action": to_state, "from_state": from_state, "to_state": to_state, "actor": actor,
        "actor_name": actor, "jurisdiction": jurisdiction, "role": "reviewer", "reason": None, "at_utc": STAMP,
        "revision": 1, "created_at": STAMP, "updated_at": STAMP})


def _field_work_to_application(root, tmp_path) -> None:
    with Workspace.open(root) as ws:
        transition(ws, CASE, "现场核查", role="inspector", actor="inspector_a")
        add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
        transition(ws, CASE, "确认问题", role="inspector", actor="inspector_a")
        add_rectification(ws, CASE, measure_type="整治", measures="拆除围网", actor="inspector_a")
        transition(ws, CASE, "整改中", role="inspector", actor="inspector_a")
        attach_closure_photos(ws, CASE, tmp_path / "closure", *CENTRE, actor="inspector_a")
        transition(ws, CASE, "申请销号", role="inspector", actor="inspector_a")


def test_acceptance_by_level_on_device_and_server(server, tmp_path):  # noqa: F811
    """大丰 (320904) county reviewer accepts for the county; the city's acceptance is refused to them on the device
    (exit 2) and, forced through the API, by the server; 盐城 (320900) city reviewer's succeeds."""
    add_user(server.storage, "reviewer_k", "reviewer", "320904", PASSWORD, display_name="大丰区审核员")
    add_user(server.storage, "reviewer_r", "reviewer", "320900", PASSWORD, display_name="盐城市审核员")
    a, k, r = tmp_path / "a", tmp_path / "k", tmp_path / "r"
    logged = json.loads(_login(a, server.url, "inspector_a").stdout)
    assert WHOAMI_KEYS <= set(logged) and logged["source"] == "server" and logged["roles"] == ["inspector"]
    assert logged["token_expires_at"] and logged["expires_at"] > logged["token_expires_at"]  # 7 days offline
    sync(a)
    _field_work_to_application(a, tmp_path)
    assert sync(a).rejected == 0

    county = json.loads(_login(k, server.url, "reviewer_k").stdout)
    whoami = json.loads(_cli("--workspace", str(k), "whoami", "--json").stdout)
    assert set(whoami) == WHOAMI_KEYS
    assert (whoami["user"], whoami["name"], whoami["roles"], whoami["jurisdiction"], whoami["level"],
            whoami["source"]) == ("reviewer_k", "大丰区审核员", ["reviewer"], "320904", "county", "server")
    assert county["name"] == "大丰区审核员"
    sync(k)
    moved = _cli("--workspace", str(k), "transition", CASE, "县级验收", "--as", "reviewer", "--json")
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["actor_name"] == "大丰区审核员"
    assert sync(k).rejected == 0
    refused = _cli("--workspace", str(k), "transition", CASE, "市级验收", "--as", "reviewer")
    assert refused.returncode == 2 and "city-level authority" in refused.stderr, refused.stderr
    assert _cli("--workspace", str(k), "transition", CASE, "市级验收", "--as", "admin").returncode == 2

    client = api(server.url, "reviewer_k")
    case_uuid = next(c.uuid for c in client.changes(0, 1000).changes if c.content.get("case_no") == CASE)
    forced, other_actor, other_place = (
        client.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=[change])).results[0]
        for change in (_move(case_uuid, "县级验收", "市级验收", "reviewer_k", "320904"),
                       _move(case_uuid, "县级验收", "市级验收", "reviewer_r", "320900"),
                       _move(case_uuid, "县级验收", "市级验收", "reviewer_k", "320900")))
    assert forced.status == "rejected" and "city-level authority" in forced.reason_en
    assert other_actor.status == "rejected" and "not the pushing account" in other_actor.reason_en
    assert other_place.status == "rejected" and "jurisdiction 320900" in other_place.reason_en
    client.close()

    _login(r, server.url, "reviewer_r")
    sync(r)
    city = _cli("--workspace", str(r), "transition", CASE, "市级验收", "--as", "reviewer", "--json")
    assert city.returncode == 0, city.stderr
    report = sync(r)
    assert report.rejected == 0 and report.pushed == 2
    history = json.loads(_cli("--workspace", str(a), "history", CASE, "--json").stdout) if sync(a) else []
    assert [(h["to_state"], h["actor"], h["actor_name"], h["jurisdiction"]) for h in history[-2:]] == [
        ("县级验收", "reviewer_k", "大丰区审核员", "320904"), ("市级验收", "reviewer_r", "盐城市审核员", "320900")]


def test_a_workspace_belongs_to_its_server_account(server, tmp_path):  # noqa: F811
    """Another server account's login on a workspace that synced as inspector_a exits 2 and changes nothing:
    inspector_a's unsynced finding and sign-in stay."""
    a = tmp_path / "a"
    assert _login(a, server.url, "inspector_a").returncode == 0
    sync(a)
    with Workspace.open(a) as ws:
        add_finding(ws, CASE, assessment="待定", activity_type="养殖", description="未同步的核查")
        before = dict(ws.conn.execute("SELECT key, value FROM meta").fetchall())
    other = _login(a, server.url, "inspector_b")
    assert other.returncode == 2 and "another account works in its own workspace" in other.stderr, other.stderr
    with Workspace.open(a) as ws:
        assert dict(ws.conn.execute("SELECT key, value FROM meta").fetchall()) == before
        assert ws.conn.execute("SELECT count(*) FROM findings WHERE dirty = 1").fetchone()[0] == 1
    assert json.loads(_cli("--workspace", str(a), "whoami", "--json").stdout)["user"] == "inspector_a"
    assert _login(a, server.url, "inspector_a").returncode == 0  # the owner signs in again
    refused = _cli("--workspace", str(a), "user", "add", "x", "--role", "reviewer", "--jurisdiction", "320900",
                   "--name", "X", "--password-stdin", stdin="pw\n")
    assert refused.returncode == 2 and "accounts come from the server" in refused.stderr


def test_server_add_user_keeps_a_display_name(tmp_path):
    data = tmp_path / "server"
    run = subprocess.run([sys.executable, "-m", "sync.server.cli", "--data", str(data), "add-user", "zhang",
                          "--role", "reviewer", "--jurisdiction", "320900", "--name", "张科长", "--password-stdin"],
                         input="pw\n", capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"user": "zhang", "role": "reviewer", "jurisdiction": "320900",
                                      "name": "张科长"}
