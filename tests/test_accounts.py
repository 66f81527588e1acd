"""Accounts are the identity: local accounts, sign-in with expiry, the device's own user, ``--as`` / ``--by``
checked against the signed-in user, and no operating-system login anywhere."""
from __future__ import annotations

import json
import subprocess

import pytest

from evidence_fixtures import attach_closure_photos
from inspector.accounts import passwords
from inspector.accounts.local_accounts import add_account
from inspector.accounts.sign_in import (
    IDENTITY_KEY,
    acting_actor,
    current_actor,
    device_actor,
    require_role,
    sign_in_local,
)
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification
from inspector.casework.workflow import transition
from inspector.errors import BadInput
from inspector.store.workspace import Workspace
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli

WHOAMI_KEYS = {"user", "name", "roles", "jurisdiction", "level", "source", "expires_at"}
OS_MARKER = "osloginmarker"  # what the operating-system login is set to: it must show up nowhere
PASSWORD = "s3cret-口令"
COUNTY, CITY = "320904", "320900"  # LD-001 lies in 大丰 (320904), 盐城 (320900)


def _cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    marker = {"INSPECTOR_USER": OS_MARKER, "USER": OS_MARKER, "LOGNAME": OS_MARKER}
    if stdin is None:
        return run_cli(*args, env={**marker, **(env or {})})
    import os
    import sys

    from tests.case_fixtures import REPO

    return subprocess.run([sys.executable, "-m", "inspector", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, **marker, **(env or {})}, timeout=300)


def _json(run: subprocess.CompletedProcess) -> object:
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture
def case_root(tmp_path):
    build_case_workspace(tmp_path / "case").close()
    return str(tmp_path / "case" / "ws")


def _bring_to_application(root: str, tmp_path) -> None:
    """LD-001 with a confirmed finding, a rectification and an 'after' photo, at 申请销号 (by the device user)."""
    with Workspace.open(root) as ws:
        transition(ws, CORE_CASE, "现场核查", role="inspector", actor="device:x")
        add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
        transition(ws, CORE_CASE, "确认问题", role="inspector", actor="device:x")
        add_rectification(ws, CORE_CASE, measure_type="整治", measures="拆除", actor="device:x")
        transition(ws, CORE_CASE, "整改中", role="inspector", actor="device:x")
        attach_closure_photos(ws, CORE_CASE, tmp_path / "closure", *CENTRE, actor="device:x")
        transition(ws, CORE_CASE, "申请销号", role="inspector", actor="device:x")


def test_one_password_hash_for_device_and_server():
    from sync.server import auth

    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and passwords.check_password(PASSWORD, stored)
    assert not passwords.check_password("wrong", stored) and not passwords.check_password(PASSWORD, "scrypt$%%$!!")
    assert auth.hash_password is passwords.hash_password and auth.check_password is passwords.check_password
    assert passwords.check_password("", "garbage") is False


def test_device_user_on_a_workspace_without_accounts(case_root):
    whoami = _json(_cli("--workspace", case_root, "whoami", "--json"))
    assert set(whoami) == WHOAMI_KEYS
    assert whoami["source"] == "device" and whoami["user"].startswith("device:")
    assert whoami["name"].startswith("本机用户 ") and whoami["roles"] == ["inspector"]
    assert whoami["jurisdiction"] is whoami["level"] is whoami["expires_at"] is None
    moved = _json(_cli("--workspace", case_root, "transition", CORE_CASE, "现场核查", "--as", "inspector", "--json"))
    assert moved["actor"] == whoami["user"] and moved["actor_name"] == whoami["name"]
    review = _cli("--workspace", case_root, "transition", CORE_CASE, "排除", "--as", "reviewer")
    assert review.returncode == 2 and "reviewer" in review.stderr  # review steps need an account
    other = _cli("--workspace", case_root, "transition", CORE_CASE, "排除", "--as", "inspector", "--by", "张三")
    assert other.returncode == 2 and "--by" in other.stderr


def test_local_accounts_sign_in_roles_and_expiry(case_root):
    def add(name, *roles, jurisdiction=COUNTY, display="县局审核员", password=PASSWORD):
        role_args = [a for r in roles for a in ("--role", r)]
        return _cli("--workspace", case_root, "user", "add", name, *role_args, "--jurisdiction", jurisdiction,
                    "--name", display, "--password-stdin", "--json", stdin=password + "\n")

    added = _json(add("kz", "reviewer", "inspector"))
    assert added["roles"] == ["reviewer", "inspector"] and added["level"] == "county" and added["name"] == "县局审核员"
    assert add("bad", "reviewer", jurisdiction="110000").returncode == 2
    assert add("bad", "mayor").returncode == 2
    assert [a["user"] for a in _json(_cli("--workspace", case_root, "user", "list", "--json"))] == ["kz"]

    nobody = _cli("--workspace", case_root, "whoami", "--json")
    assert nobody.returncode == 2 and "login --user" in nobody.stderr and nobody.stdout == ""
    refused = _cli("--workspace", case_root, "transition", CORE_CASE, "现场核查", "--as", "inspector")
    assert refused.returncode == 2 and "login" in refused.stderr

    wrong = _cli("--workspace", case_root, "login", "--user", "kz", "--password-stdin", stdin="nope\n")
    unknown = _cli("--workspace", case_root, "login", "--user", "ghost", "--password-stdin", stdin="nope\n")
    assert wrong.returncode == unknown.returncode == 2 and wrong.stderr == unknown.stderr
    signed = _json(_cli("--workspace", case_root, "login", "--user", "kz", "--password-stdin", "--json",
                        stdin=PASSWORD + "\n"))
    whoami = _json(_cli("--workspace", case_root, "whoami", "--json"))
    assert set(whoami) == WHOAMI_KEYS and whoami == signed
    assert (whoami["user"], whoami["name"], whoami["source"], whoami["jurisdiction"], whoami["level"]) == (
        "kz", "县局审核员", "local", COUNTY, "county")

    assert _cli("--workspace", case_root, "transition", CORE_CASE, "现场核查", "--as", "admin").returncode == 2
    by_other = _cli("--workspace", case_root, "transition", CORE_CASE, "现场核查", "--as", "inspector", "--by", "张三")
    assert by_other.returncode == 2 and "--by" in by_other.stderr
    moved = _json(_cli("--workspace", case_root, "transition", CORE_CASE, "现场核查", "--as", "inspector",
                       "--by", "kz", "--json"))
    assert (moved["actor"], moved["actor_name"], moved["jurisdiction"]) == ("kz", "县局审核员", COUNTY)

    with Workspace.open(case_root) as ws:  # the sign-in lapsed
        identity = json.loads(ws.meta(IDENTITY_KEY))
        ws.set_meta(IDENTITY_KEY, json.dumps({**identity, "expires_at": "2000-01-01T00:00:00Z"}))
        assert current_actor(ws) is None
        with pytest.raises(BadInput):
            acting_actor(ws)
    assert _cli("--workspace", case_root, "whoami").returncode == 2

    assert _cli("--workspace", case_root, "login", "--user", "kz", "--password-stdin",
                stdin=PASSWORD + "\n").returncode == 0
    assert _cli("--workspace", case_root, "logout").returncode == 0
    assert _cli("--workspace", case_root, "finding", "add", CORE_CASE, "--assessment", "待定",
                "--activity", "养殖").returncode == 2


def test_acceptance_level_checked_on_the_device(case_root, tmp_path):
    """The county reviewer accepts for the county; the city's acceptance is refused to them, the city's reviewer
    gives it; an inspector cannot act as reviewer."""
    _bring_to_application(case_root, tmp_path)
    with Workspace.open(case_root) as ws:
        add_account(ws, "county_r", roles=["reviewer"], jurisdiction=COUNTY, display_name="大丰区审核员",
                    password=PASSWORD)
        add_account(ws, "city_r", roles=["reviewer"], jurisdiction=CITY, display_name="盐城市审核员",
                    password=PASSWORD)
        add_account(ws, "insp", roles=["inspector"], jurisdiction=COUNTY, display_name="核查员", password=PASSWORD)
        inspector = sign_in_local(ws, "insp", PASSWORD)
        with pytest.raises(BadInput):
            require_role(inspector, "reviewer")

    def as_user(name, *args):
        _json(_cli("--workspace", case_root, "login", "--user", name, "--password-stdin", "--json",
                   stdin=PASSWORD + "\n"))
        return _cli("--workspace", case_root, "transition", CORE_CASE, *args)

    assert as_user("insp", "县级验收", "--as", "reviewer").returncode == 2
    assert as_user("county_r", "县级验收", "--as", "reviewer", "--json").returncode == 0
    refused = as_user("county_r", "市级验收", "--as", "reviewer")
    assert refused.returncode == 2 and "320900" in refused.stderr, refused.stderr
    moved = _json(as_user("city_r", "市级验收", "--as", "reviewer", "--json"))
    assert (moved["to_state"], moved["actor"], moved["actor_name"], moved["jurisdiction"]) == (
        "市级验收", "city_r", "盐城市审核员", CITY)


def test_no_operating_system_login_anywhere(case_root, tmp_path):
    """With INSPECTOR_USER, USER and LOGNAME set to a marker, no history row, audit entry or form shows it."""
    for args in (("transition", CORE_CASE, "现场核查", "--as", "inspector"),
                 ("finding", "add", CORE_CASE, "--assessment", "确认问题", "--activity", "养殖"),
                 ("transition", CORE_CASE, "确认问题", "--as", "inspector", "--reason", "现场确认")):
        _json(_cli("--workspace", case_root, *args, "--json"))
    history = _cli("--workspace", case_root, "history", CORE_CASE, "--json")
    assert OS_MARKER not in history.stdout and "本机用户" in history.stdout
    pdf = tmp_path / "inspection.pdf"
    assert _cli("--workspace", case_root, "form", CORE_CASE, "--kind", "inspection", "-o", str(pdf)).returncode == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert OS_MARKER not in text and "本机用户" in text
    with Workspace.open(case_root) as ws:
        actors = {r[0] for r in ws.conn.execute("SELECT actor FROM audit_log")}
        assert actors and not any(OS_MARKER in a for a in actors)
        assert device_actor(ws).user in actors


def test_demo_workspace_ships_its_documented_accounts(tmp_path):
    from inspector.demo.workspace import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_workspace

    with ensure_demo_workspace(tmp_path / "demo") as ws:
        for name, (display, roles, jurisdiction) in DEMO_ACCOUNTS.items():
            actor = sign_in_local(ws, name, DEMO_PASSWORD)
            assert (actor.name, actor.roles, actor.jurisdiction) == (display, roles, jurisdiction)
        assert {a.level for a in map(lambda n: sign_in_local(ws, n, DEMO_PASSWORD), DEMO_ACCOUNTS)} == {
            "county", "city", "province"}
    from tests.case_fixtures import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")  # the README documents them
    assert DEMO_PASSWORD in text and all(name in text for name in DEMO_ACCOUNTS)
