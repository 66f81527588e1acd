"""Who is working, in the GUI: the sign-in dialog at start (a wrong password signs nobody in), the view dropdown
following the signed-in account, and 切换用户 between two server accounts on one laptop — each works in its
own profile workspace, never sees the other's jurisdiction or unsynced work, and finds its own again."""
from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from inspector.accounts.profiles import account_workspace_dir, profile_dir, profiles_root
from inspector.accounts.sign_in import current_actor
from inspector.casework.findings import add_finding
from inspector.demo.workspace import DEMO_PASSWORD
from inspector.store.workspace import Workspace
from tests.sync_fixtures import PASSWORD, start_server, sync, use_test_keyring
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import dispose, show_exposed, wait_job, wait_reads

A, B = "inspector_a", "inspector_b"  # 盐城 (320900) and 南京 (320100) in tests.sync_fixtures.USERS
A_CITY, B_CITY = "320900", "320100"


@contextlib.contextmanager
def resumed_window(qapp, qtbot, root: Path):
    """The main window on ``root`` as the GUI opens it: acting as whoever is signed in there (nobody: 未登录)."""
    from ui import i18n
    from ui.main_window import MainWindow, app_settings
    from ui.session import Session

    i18n.set_language("zh")
    app_settings().setValue("sync/interval_min", 0)  # only the test starts syncs
    session = Session(Workspace.open(root))
    window = show_exposed(qtbot, MainWindow(session))
    wait_reads(qtbot, session)
    try:
        yield window
    finally:
        wait_job(qtbot, window.map_job)  # its result reaches the window before the window goes
        session.pool.waitForDone()
        window.gps.stop()
        dispose(qtbot, window)
        session.close()


def sign_in(qtbot, dialog, *, password: str, account: str | None = None,
            server: tuple[str, str] | None = None):
    """Fill the dialog (a local ``account`` or a ``server`` (URL, user)) and submit; returns the finished call."""
    from PySide6.QtCore import Qt

    if account is not None:
        dialog.tabs.setCurrentIndex(0)
        row = next(i for i in range(dialog.accounts.count())
                   if dialog.accounts.item(i).data(Qt.ItemDataRole.UserRole) == account)
        dialog.accounts.setCurrentRow(row)
        dialog.local_password.setText(password)
    else:
        assert server is not None
        dialog.show_server_tab()
        dialog.server.setText(server[0])
        dialog.user.setText(server[1])
        dialog.server_password.setText(password)
    call = dialog.submit()
    assert call is not None
    with qtbot.waitSignal(call.finished, timeout=30_000):
        pass
    return call


def test_the_gui_asks_who_is_working_and_refuses_a_wrong_password(demo_ws, qapp, qtbot, qt_settings):
    from PySide6.QtCore import Qt

    with resumed_window(qapp, qtbot, demo_ws.root) as window:
        assert window.session.needs_sign_in()  # the demo has accounts, nobody signed in
        assert "未登录" in window.user_label.text()
        dialog = window.accounts.ask_if_needed()
        assert dialog is not None and dialog.isVisible()
        assert dialog.windowModality() == Qt.WindowModality.WindowModal  # the window is not usable behind it
        listed = [dialog.accounts.item(i).text() for i in range(dialog.accounts.count())]
        assert any("示例县级审核员（连云区）" in text and "320703" in text for text in listed)

        sign_in(qtbot, dialog, account="demo_county", password="not the password")
        assert dialog.isVisible() and dialog.error.isVisible() and "密码" in dialog.error.text()
        assert current_actor(window.session.ws) is None and window.session.needs_sign_in()

        with qtbot.waitSignal(dialog.signedIn, timeout=30_000):
            sign_in(qtbot, dialog, account="demo_county", password=DEMO_PASSWORD)
        assert not dialog.isVisible()
        assert window.session.actor.user == "demo_county"
        assert window.user_label.text() == "用户：示例县级审核员（连云区）（320703）"
        # the view dropdown offers only this account's roles: a county reviewer has the review view only
        assert [window.role_box.itemData(i) for i in range(window.role_box.count())] == ["reviewer"]
        assert window.session.role == "reviewer"

        with qtbot.waitSignal(window.accounts.switch_user().finished, timeout=10_000):
            pass  # 切换用户: signed out first
        assert current_actor(window.session.ws) is None and "未登录" in window.user_label.text()
        dialog = window.accounts.dialog
        with qtbot.waitSignal(dialog.signedIn, timeout=30_000):
            sign_in(qtbot, dialog, account="demo_inspector", password=DEMO_PASSWORD)
        assert [window.role_box.itemData(i) for i in range(window.role_box.count())] == ["inspector"]
        assert "示例核查员（连云区）" in window.user_label.text()


def test_cancelling_the_sign_in_quits_unless_the_workspace_has_no_account(demo_ws, tmp_path, qapp, qtbot,
                                                                         qt_settings):
    with resumed_window(qapp, qtbot, demo_ws.root) as window:
        dialog = window.accounts.ask_if_needed()
        dialog.reject()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    Workspace.create(tmp_path / "fresh").close()
    with resumed_window(qapp, qtbot, tmp_path / "fresh") as window:
        assert window.accounts.ask_if_needed() is None  # no account: the device's own user works
        dialog = window.accounts.ask()
        assert dialog.tabs.count() == 1  # no local accounts: only the server tab
        dialog.reject()
        assert window.isVisible() and window.session.actor.source == "device"


@pytest.fixture
def two_accounts_server(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, None)
    yield running
    running.stop()


def _finding_count(root: Path, case_no: str) -> int:
    with Workspace.open(root) as ws:
        return ws.conn.execute("SELECT count(*) FROM findings f JOIN cases c ON c.id = f.case_id "
                               "WHERE c.case_no = ?", (case_no,)).fetchone()[0]


def _cities(window) -> set[str]:
    model = window.case_list.model
    uuids = [model.uuid_at(row) for row in range(model.rowCount())]
    rows = window.session.ws.conn.execute(
        f"SELECT DISTINCT city_adcode FROM cases WHERE uuid IN ({','.join('?' * len(uuids))})", uuids).fetchall()
    return {r[0] for r in rows}


def test_switching_user_opens_the_other_accounts_own_profile_and_back(two_accounts_server, tmp_path, qapp, qtbot,
                                                                      qt_settings):
    from sync.settings import log_in

    url = two_accounts_server.url
    a_root = tmp_path / "a"
    with Workspace.create(a_root) as ws:
        log_in(ws, url, A, PASSWORD, None)
    sync(a_root)
    with Workspace.open(a_root) as ws:  # recorded offline by A, not synced
        add_finding(ws, "LD-001", assessment="确认问题", activity_type="养殖", description="A 未同步的核查",
                    inspector=A)
    with resumed_window(qapp, qtbot, a_root) as window:
        assert window.session.actor.user == A and _cities(window) == {A_CITY}

        with qtbot.waitSignal(window.accounts.switch_user().finished, timeout=10_000):
            pass
        dialog = window.accounts.dialog
        wrong = sign_in(qtbot, dialog, server=(url, B), password="wrong")
        assert "密码" in dialog.error.text() and window.session.root == a_root
        assert not profile_dir(url, B).exists()  # a refused login leaves no profile behind
        assert wrong.error is not None
        with qtbot.waitSignal(dialog.signedIn, timeout=30_000):
            sign_in(qtbot, dialog, server=(url, B), password=PASSWORD)
        b_root = profile_dir(url, B)
        assert window.session.root == b_root and str(b_root).startswith(str(profiles_root()))
        assert window.session.actor.user == B and window.session.actor.jurisdiction == B_CITY
        offer = window.accounts.sync_offer  # a new profile is empty: 立即同步 is offered
        assert offer is not None and offer.isVisible()
        sync_button = next(b for b in offer.buttons() if b.text() == "立即同步")
        with qtbot.waitSignal(window.sync.finished, timeout=60_000) as synced:
            sync_button.click()
        assert synced.args[0].kind == "done"
        if window.sync_panel.result_dialog is not None:
            window.sync_panel.result_dialog.close()
        wait_reads(qtbot, window.session)
        assert window.case_list.model.rowCount() > 0 and _cities(window) == {B_CITY}
        cities = {r[0] for r in window.session.ws.conn.execute("SELECT DISTINCT city_adcode FROM cases")}
        assert cities == {B_CITY}  # nothing of 盐城 in B's profile, in the view or the database
        assert window.session.ws.conn.execute("SELECT count(*) FROM findings").fetchone()[0] == 0
        assert _finding_count(a_root, "LD-001") == 1  # A's unsynced finding stays in A's workspace

        with qtbot.waitSignal(window.accounts.switch_user().finished, timeout=10_000):
            pass
        dialog = window.accounts.dialog
        with qtbot.waitSignal(dialog.signedIn, timeout=30_000):
            sign_in(qtbot, dialog, server=(url, A), password=PASSWORD)
        assert window.session.root.resolve() == a_root.resolve()  # back in A's own workspace
        assert account_workspace_dir(url, A).resolve() == a_root.resolve()
        wait_reads(qtbot, window.session)  # the list of the workspace switched to
        assert window.session.actor.user == A and _cities(window) == {A_CITY}
        assert _finding_count(window.session.root, "LD-001") == 1
        descriptions = [r[0] for r in window.session.ws.conn.execute("SELECT description FROM findings")]
        assert "A 未同步的核查" in descriptions


def test_logging_in_to_the_server_from_the_sync_menu_makes_the_window_act_as_that_account(
        two_accounts_server, tmp_path, qapp, qtbot, qt_settings):
    Workspace.create(tmp_path / "device").close()
    with resumed_window(qapp, qtbot, tmp_path / "device") as window:
        assert window.session.actor.source == "device" and "本机用户" in window.user_label.text()
        dialog = window.sync_panel.open_login()
        dialog.server.setText(two_accounts_server.url)
        dialog.user.setText(A)
        dialog.password.setText(PASSWORD)
        with qtbot.waitSignal(dialog.loggedIn, timeout=30_000):
            dialog.submit()
        assert window.session.actor.user == A and window.session.actor.jurisdiction == A_CITY
        assert "320900" in window.user_label.text() and "本机用户" not in window.user_label.text()
        qtbot.waitUntil(lambda: not window.sync.running, timeout=60_000)  # the sync the login started
