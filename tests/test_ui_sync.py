"""Sync in the GUI against the real reference server on loopback: the 同步 action, progress off the GUI
thread, the per-record result, the 待同步 counter, login on a revoked or missing token, offline as a
quiet status, cancel, and the conflicts view with both versions side by side."""
from __future__ import annotations

import asyncio
import threading

import pytest
from PySide6.QtCore import QTimer

from inspector.casework.findings import add_finding
from inspector.store.workspace import Workspace
from sync.server.auth import revoke_tokens
from tests.sync_fixtures import (
    PASSWORD,
    client_workspace,
    edit_finding,
    free_port,
    start_server,
    sync,
    use_test_keyring,
)
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import account, open_session

CASE = "LD-001"


class HeldPaths:
    """ASGI wrapper: while held, requests whose path ends with ``path`` wait until :meth:`release`.

    ``arrived`` is set when such a request is waiting, so a test knows the client is in the middle of it
    (the push is in flight for as long as the test wants, not for a guessed number of seconds)."""

    def __init__(self, app, path: str = "/push") -> None:
        self.app, self.path = app, path
        self.arrived, self.released = threading.Event(), threading.Event()
        self.released.set()

    def hold(self) -> None:
        self.arrived.clear()
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].endswith(self.path) and not self.released.is_set():
            self.arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 60)
        await self.app(scope, receive, send)


@pytest.fixture
def gui_server(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    held: list[HeldPaths] = []
    running = start_server(tmp_path, None, wrap=lambda app: held.append(HeldPaths(app)) or held[-1])
    running.held = held[0]
    yield running
    running.held.release()
    running.stop()


@pytest.fixture
def field_root(gui_server, tmp_path):
    """Inspector A's workspace after a first sync, with one finding recorded offline (pending)."""
    root = client_workspace(tmp_path / "a", gui_server.url, "inspector_a")
    sync(root)
    with Workspace.open(root) as ws:
        add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description="核心区养殖塘",
                    inspector="inspector_a")
    return root


@pytest.fixture
def session(field_root, qapp, qt_settings):  # overrides tests.ui_fixtures.session: a synced workspace
    with open_session(qapp, field_root, "inspector_a", auto_sync=False) as opened:  # only the test starts syncs
        yield opened


def _finding_uuid(session) -> str:
    return session.ws.conn.execute("SELECT uuid FROM findings").fetchone()[0]


def _server_uuids(server) -> set[str]:
    from sync.client import SyncClient

    office = SyncClient(server.url)
    office.login("reviewer_r", PASSWORD, remember=False)
    try:
        return {record.uuid for record in office.changes(0, 1000).changes}
    finally:
        office.close()


def _conflicting_edit(root, server, tmp_path) -> str:
    """The finding reaches the server; another device edits it first, this one from the same base."""
    sync(root)
    other = client_workspace(tmp_path / "other-device", server.url, "inspector_a")
    sync(other)
    with Workspace.open(root) as ws:
        uuid = ws.conn.execute("SELECT uuid FROM findings").fetchone()[0]
    edit_finding(other, uuid, "另一台设备：面积更大")
    sync(other)
    edit_finding(root, uuid, "本机：已拆除一半")
    return uuid


def _finish(window, qtbot, timeout: int = 30_000):
    qtbot.waitUntil(lambda: not window.sync.running and window.sync.last is not None, timeout=timeout)
    return window.sync.last


def test_sync_action_pushes_in_the_background_and_lists_each_record(window, qtbot, gui_server, monkeypatch):
    from sync.job import SyncJob

    threads = []
    run = SyncJob.run
    monkeypatch.setattr(SyncJob, "run", lambda job: threads.append(threading.current_thread()) or run(job))
    finding = _finding_uuid(window.session)
    assert window.summary.pending.text() == "待同步 1"
    gui_server.held.hold()  # the server keeps the push waiting: the GUI must keep ticking meanwhile
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1) if window.sync.running else None)
    timer.start(10)

    window.actions_by_name["sync"].trigger()
    assert window.sync.running and window.sync_status.cancel_button.isVisible()
    assert window.sync.sync_now() is False  # never two at once
    qtbot.waitUntil(lambda: "上传记录" in window.sync_status.label.text(), timeout=10_000)
    assert gui_server.held.arrived.wait(10)
    qtbot.waitUntil(lambda: len(ticks) > 30, timeout=10_000)  # ticking while the push cannot have finished
    assert window.sync.running, "the sync ended while the server still held its push"
    gui_server.held.release()
    outcome = _finish(window, qtbot)
    timer.stop()

    assert outcome.kind == "done" and outcome.manual, outcome
    assert threads and threads[0] is not threading.main_thread()
    assert finding in _server_uuids(gui_server)
    assert outcome.report.pushed == 1 and outcome.report.records[0]["uuid"] == finding
    qtbot.waitUntil(lambda: window.summary.pending.text() == "待同步 0")
    assert "已同步" in window.sync_status.label.text() and not window.sync_status.bar.isVisible()

    dialog = window.sync_panel.result_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in range(4)] == ["已接收", "核查记录", CASE, "确认问题 养殖"]
    assert "上传 1，下载 0" in dialog.counts.text() and "待同步 0" in dialog.counts.text()
    assert not dialog.conflicts_button.isVisible()
    dialog.close()


@pytest.mark.parametrize("token", ["revoked", "absent"])
def test_login_dialog_on_a_revoked_or_missing_token_keeps_local_data(window, qtbot, gui_server, token):
    import keyring

    from sync.client import KEYRING_SERVICE, keyring_user

    if token == "revoked":
        revoke_tokens(gui_server.storage, "inspector_a")
    else:
        keyring.delete_password(KEYRING_SERVICE, keyring_user(gui_server.url, "inspector_a"))
    finding = _finding_uuid(window.session)
    window.sync_panel.sync_now()
    outcome = _finish(window, qtbot)
    assert outcome.kind == "login"
    dialog = window.sync_panel.login_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.server.text() == gui_server.url and dialog.user.text() == "inspector_a"
    assert window.summary.pending.text() == "待同步 1"

    dialog.password.setText("wrong password")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "用户名或密码错误" in dialog.error.text() and dialog.isVisible()
    assert window.session.ws.meta("sync.user") == "inspector_a"
    assert window.session.ws.conn.execute("SELECT dirty FROM findings WHERE uuid = ?", (finding,)).fetchone()[0] == 1

    dialog.password.setText(PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: window.sync.last.kind == "done" and not window.sync.running, timeout=30_000)
    assert finding in _server_uuids(gui_server)
    qtbot.waitUntil(lambda: window.summary.pending.text() == "待同步 0")
    window.sync_panel.result_dialog.close()


def test_unreachable_server_is_a_quiet_offline_status(window, qtbot):
    from sync.settings import save_login

    save_login(window.session.ws, f"http://127.0.0.1:{free_port()}", "inspector_a", None)
    for manual in (False, True):
        assert window.sync.sync_now(manual=manual)
        outcome = _finish(window, qtbot)
        assert outcome.kind == "offline"
        assert "离线" in window.sync_status.label.text()
        assert window.sync_panel.login_dialog is None and window.sync_panel.result_dialog is None
    assert window.summary.pending.text() == "待同步 1"
    assert window.session.ws.conn.execute("SELECT count(*) FROM findings WHERE dirty = 1").fetchone()[0] == 1


def test_no_server_configured_is_quiet_for_the_timer_and_asks_the_user(window, qtbot):
    from inspector.store.db import atomic

    with atomic(window.session.ws.conn):
        window.session.ws.set_meta("sync.server_url", "")
    assert window.sync.sync_now(manual=False) is False
    assert window.sync.last.kind == "unconfigured" and "未设置同步服务器" in window.sync_status.label.text()
    assert window.sync_panel.login_dialog is None
    window.actions_by_name["sync"].trigger()
    dialog = window.sync_panel.login_dialog
    assert dialog is not None and dialog.isVisible() and dialog.server.text() == ""
    dialog.reject()


def test_timer_syncs_in_the_background(window, qtbot, gui_server):
    window.sync.set_interval(0.001)  # 60 ms
    outcome = _finish(window, qtbot)
    window.sync.set_interval(0)
    assert outcome.kind == "done" and not outcome.manual
    assert window.sync_panel.result_dialog is None  # a timed sync only updates the status line
    assert "已同步" in window.sync_status.label.text() and window.sync_status.details_button.isVisible()
    window.sync_status.details_button.click()
    assert window.sync_panel.result_dialog.isVisible()
    window.sync_panel.result_dialog.close()


def test_cancel_stops_a_running_sync(window, qtbot, gui_server):
    gui_server.held.hold()
    window.sync_panel.sync_now()
    qtbot.waitUntil(lambda: "上传记录" in window.sync_status.label.text(), timeout=10_000)
    assert gui_server.held.arrived.wait(10)  # the push is in flight
    window.sync_status.cancel_button.click()
    gui_server.held.release()
    outcome = _finish(window, qtbot)
    assert outcome.kind == "cancelled" and "同步已取消" in window.sync_status.label.text()
    assert window.sync_panel.result_dialog is None


def test_a_conflict_is_listed_and_shown_with_both_versions(window, qtbot, gui_server, tmp_path):
    finding = _conflicting_edit(window.session.root, gui_server, tmp_path)
    window.sync_panel.sync_now()
    outcome = _finish(window, qtbot)
    assert outcome.kind == "done" and outcome.report.conflicts == 1
    result = window.sync_panel.result_dialog
    assert result.table.item(0, 0).text() == "冲突，待审核" and result.table.item(0, 2).text() == CASE
    assert "冲突 #" in result.table.item(0, 4).text()
    assert result.conflicts_button.isVisible()
    result.conflicts_button.click()
    view = window.sync_panel.conflicts_dialog
    qtbot.waitUntil(lambda: view.list.rowCount() == 1, timeout=10_000)
    assert view.list.item(0, 2).text() == CASE and view.list.item(0, 6).text() == "待审核"
    fields = {view.diff.item(r, 0).text(): (view.diff.item(r, 1).text(), view.diff.item(r, 2).text())
              for r in range(view.diff.rowCount())}
    assert fields["问题描述 (description)"] == ("另一台设备：面积更大", "本机：已拆除一半")
    assert fields["活动类型 (activity_type)"] == ("养殖", "养殖")
    assert view.diff.item(0, 0).text() == "问题描述 (description)" and view.diff.item(0, 1).font().bold()
    same = next(r for r in range(view.diff.rowCount()) if view.diff.item(r, 0).text() == "活动类型 (activity_type)")
    assert not view.diff.item(same, 1).font().bold()
    assert view.list.item(0, 3).text() == "确认问题 养殖" and finding
    assert not view.keep_server.isVisible()  # inspectors review nothing
    view.close()
    result.close()


def test_a_reviewer_keeps_one_version(session, qtbot, gui_server, tmp_path):
    from ui.session import Session
    from ui.sync_views.conflicts_view import ConflictsDialog, diff_fields

    assert diff_fields({"b": None, "a": 1}, {"a": 2, "c": [1]}) == [
        ("a", "1", "2", True), ("c", "", "[1]", True), ("b", "", "", False)]
    _conflicting_edit(session.root, gui_server, tmp_path)
    assert sync(session.root).conflicts == 1

    office = Session(Workspace.open(client_workspace(tmp_path / "office", gui_server.url, "reviewer_r")),
                     role="reviewer", actor=account("reviewer_r", ("reviewer",), "320900"))
    view = ConflictsDialog(office)
    try:
        view.show()
        qtbot.waitUntil(lambda: view.list.rowCount() == 1, timeout=10_000)
        assert view.keep_server.isVisible() and view.keep_server.isEnabled()
        kept = []
        view.resolved.connect(kept.append)
        view.resolve("server")
        qtbot.waitUntil(lambda: bool(kept) and view.call is None and view.list.rowCount() == 0, timeout=10_000)
        view.include_resolved.setChecked(True)
        qtbot.waitUntil(lambda: view.list.rowCount() == 1 and view.call is None, timeout=10_000)
        assert view.list.item(0, 6).text().startswith("已处理")
    finally:
        view.close()
        view.deleteLater()
        office.close()


def test_sync_strings_follow_the_language(window, qtbot, gui_server):
    window.sync_panel.sync_now()
    _finish(window, qtbot)
    window.sync_panel.result_dialog.close()
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    assert window.actions_by_name["sync"].text() == "Sync"
    assert window.actions_by_name["conflicts"].text() == "Sync conflicts…"
    assert "synced" in window.sync_status.label.text()
    dialog = window.sync_panel.show_result()
    assert dialog.table.item(0, 0).text() == "Accepted" and dialog.table.item(0, 1).text() == "Finding"
    dialog.close()
    window.language_box.setCurrentIndex(window.language_box.findData("zh"))


def test_offscreen_screenshot_with_the_sync_result(window, qtbot, gui_server, tmp_path):
    """The window after a sync (status line) and the result dialog; LVDUN_SCREENSHOT_DIR keeps copies."""
    import os
    import shutil

    window.sync_panel.sync_now()
    _finish(window, qtbot)
    dialog = window.sync_panel.result_dialog
    qtbot.waitExposed(dialog)
    shots = [(window, tmp_path / "sync-window.png"), (dialog, tmp_path / "sync-result.png")]
    for widget, path in shots:
        assert widget.grab().save(str(path))
    keep = os.environ.get("LVDUN_SCREENSHOT_DIR")
    if keep:
        os.makedirs(keep, exist_ok=True)
        for _, path in shots:
            shutil.copy(path, keep)
    dialog.close()


def test_closing_the_window_cancels_a_running_sync(new_window, qtbot, gui_server):
    gui_server.held.hold()
    main = new_window()
    main.show()
    main.sync_panel.sync_now()
    controller = main.sync
    qtbot.waitUntil(lambda: controller._job is not None, timeout=10_000)
    job = controller._job
    assert gui_server.held.arrived.wait(10)  # the push is in flight
    main.close()
    assert job.cancel_event.is_set() and controller.interval_min == 0
    gui_server.held.release()
    qtbot.waitUntil(lambda: not controller.running, timeout=30_000)
    assert controller.last.kind == "cancelled"


def test_refusals_and_errors_follow_the_ui_language(window, qtbot, gui_server):
    """The server's reason for a refused record and a sync error's own message are shown in the UI language
    (issue 12, item 6)."""
    from sync.client import SyncClient
    from sync.errors import RequestRefused
    from sync.server.login_guard import FREE_FAILURES
    from tests.ui_fixtures import wait_job
    from ui import operations
    from ui.sync_views.sync_text import error_text

    session = window.session
    case_uuid = session.ws.conn.execute("SELECT uuid FROM cases WHERE case_no = ?", (CASE,)).fetchone()[0]
    session.set_role("reviewer")  # moved as a reviewer on this device: the server knows inspector_a's role
    _, error = wait_job(qtbot, operations.transition_case(session=session, case_uuid=case_uuid, target="现场核查"))
    session.set_role("inspector")
    assert error is None, error
    window.sync_panel.sync_now()
    _finish(window, qtbot)

    def refused_reasons(dialog) -> list[str]:
        return [dialog.table.item(row, 4).text() for row in range(dialog.table.rowCount())
                if dialog.table.item(row, 0).text() in ("被拒绝", "Rejected")]

    dialog = window.sync_panel.result_dialog
    assert any("'reviewer' 不是你的角色" in reason for reason in refused_reasons(dialog)), refused_reasons(dialog)
    dialog.close()
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    dialog = window.sync_panel.show_result()
    assert any("'reviewer' is not your role" in reason for reason in refused_reasons(dialog)), refused_reasons(dialog)
    dialog.close()

    client = SyncClient(gui_server.url)
    try:
        for _ in range(FREE_FAILURES["user"]):
            with pytest.raises(Exception):
                client.login("county_c", "a wrong guess", remember=False)
        with pytest.raises(RequestRefused) as blocked:
            client.login("county_c", PASSWORD, remember=False)
    finally:
        client.close()
    assert error_text(blocked.value).startswith("too many failed logins; try again in")
    window.language_box.setCurrentIndex(window.language_box.findData("zh"))
    assert error_text(blocked.value).startswith("登录失败次数过多，请")
