"""The GUI works as an account: the window shows its display name and jurisdiction, the view dropdown offers
only its roles, and a workspace resumes its unexpired sign-in or else works as the device's own user — never
the operating-system login."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from inspector.accounts.sign_in import sign_in_local
from inspector.demo.workspace import DEMO_PASSWORD
from inspector.store.workspace import Workspace
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import account

OS_MARKER = "osloginmarker"


def _labels(window) -> str:
    return " ".join(label.text() for label in window.findChildren(QLabel))


def test_role_dropdown_offers_only_the_accounts_roles(session, new_window, monkeypatch):
    for name in ("INSPECTOR_USER", "USER", "LOGNAME"):
        monkeypatch.setenv(name, OS_MARKER)
    session.set_role("reviewer")
    session.set_actor(account("insp", ("inspector",), "320703", name="连云区核查员"))
    assert session.role == "inspector"  # the view follows the account's roles
    window = new_window()
    assert [window.role_box.itemData(i) for i in range(window.role_box.count())] == ["inspector"]
    session.set_role("reviewer")
    assert session.role == "inspector"  # not this account's role
    assert "连云区核查员" in _labels(window) and "320703" in _labels(window)
    assert OS_MARKER not in _labels(window) + window.windowTitle()


def test_session_resumes_the_sign_in_or_works_as_the_device_user(demo_ws, tmp_path, qapp, qt_settings):
    from ui.session import Session, resumed_actor

    with Workspace.open(demo_ws.root) as ws:
        county = sign_in_local(ws, "demo_county", DEMO_PASSWORD)
    with Workspace.open(demo_ws.root) as ws:
        assert resumed_actor(ws) == county
    fresh = Workspace.create(tmp_path / "fresh")
    session = Session(fresh)
    try:
        assert session.actor.source == "device" and session.actor.name.startswith("本机用户")
        assert session.view_roles() == ("inspector",)
    finally:
        session.close()
