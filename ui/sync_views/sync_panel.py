"""Sync in the main window: the 同步 tool button, the status bar line, and which dialog a sync outcome opens.

:class:`SyncPanel` owns the window's :class:`ui.sync_views.sync_controller.SyncController`
(kept across a language switch, which rebuilds only the toolbar and the
status bar) and decides what the user sees:

- 同步 (and 立即同步 in its menu) starts a sync at once; the timer runs
  one every QSettings ``sync/interval_min`` minutes (0: off) when a server
  is configured and reachable;
- a manual sync that ran ends in :class:`ui.sync_views.sync_dialogs.SyncResultDialog`
  (counts and per-record answers); a timed one only updates the status line,
  whose 详情 button opens the same dialog;
- no server yet (manual), no token, or a token the server revoked opens
  :class:`ui.sync_views.sync_dialogs.LoginDialog` — for timed syncs once per session,
  not every few minutes — and a successful login starts the sync again;
- offline is the quiet status line, never a popup;
- 同步冲突… opens :class:`ui.sync_views.conflicts_view.ConflictsDialog`; a reviewer's
  decision there is pulled by a sync started right after.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QToolBar, QToolButton, QWidget

from sync.settings import LoggedIn
from ui.session import Session
from ui.sync_views.sync_controller import DEFAULT_INTERVAL_MIN, SyncController, SyncOutcome
from ui.sync_views.sync_status import SyncStatus
from ui.sync_views.sync_text import error_text

INTERVAL_KEY = "sync/interval_min"


def interval_setting(settings: QSettings) -> float:
    """Minutes between automatic syncs from QSettings (default :data:`DEFAULT_INTERVAL_MIN`, 0 = off)."""
    try:
        return max(0.0, float(settings.value(INTERVAL_KEY, DEFAULT_INTERVAL_MIN)))
    except (TypeError, ValueError):
        return DEFAULT_INTERVAL_MIN


class SyncPanel(QObject):
    """The window's sync controller and the sync actions, status line and dialogs around it."""

    def __init__(self, session: Session, window: QWidget, settings: QSettings) -> None:
        super().__init__(window)
        self.session, self.window = session, window
        self.controller = SyncController(session, self, interval_min=interval_setting(settings))
        self.controller.finished.connect(self._finished)
        self.login_dialog: Optional[QDialog] = None
        self.result_dialog: Optional[QDialog] = None
        self.conflicts_dialog: Optional[QDialog] = None
        self._asked_login = False  # a timed sync asks for a login once, not every few minutes

    # -- building (again after a language switch) ----------------------------------------------
    def add_actions(self, toolbar: QToolBar, actions: dict[str, QAction]) -> None:
        """同步 on the toolbar, with a menu: sync now, log in, conflicts."""
        sync = toolbar.addAction(self.tr("同步"), self.sync_now)
        menu = QMenu(toolbar)
        for name, text, slot in (("sync_now", self.tr("立即同步"), self.sync_now),
                                 ("login", self.tr("登录同步服务器…"), lambda: self.open_login()),
                                 ("conflicts", self.tr("同步冲突…"), self.open_conflicts)):
            actions[name] = menu.addAction(text, slot)
        button = toolbar.widgetForAction(sync)
        if isinstance(button, QToolButton):
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        actions["sync"] = sync

    def status_widget(self, parent: QWidget) -> SyncStatus:
        status = SyncStatus(self.controller, parent)
        status.detailsRequested.connect(self.show_result)
        return status

    def stop(self) -> None:
        self.controller.stop()

    # -- actions --------------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """Start a sync now; False when one runs already or no server is set up (the login opens)."""
        return self.controller.sync_now(manual=True)

    def _finished(self, outcome: SyncOutcome) -> None:
        if outcome.kind == "login" or (outcome.kind == "unconfigured" and outcome.manual):
            if outcome.manual or not self._asked_login:
                self._asked_login = self._asked_login or not outcome.manual
                reason = error_text(outcome.error) if outcome.kind == "login" else \
                    self.tr("登录同步服务器后即可同步；本地数据不受影响。")
                self.open_login(reason, resume_manual=outcome.manual)
        elif outcome.manual and outcome.kind in ("done", "failed"):
            self.show_result()

    def open_login(self, reason: str = "", *, resume_manual: bool = True) -> Optional[QDialog]:
        """The login dialog (one at a time); after a successful login the sync starts."""
        from ui.sync_views.sync_dialogs import LoginDialog

        if self.login_dialog is not None and self.login_dialog.isVisible():
            return self.login_dialog
        dialog = LoginDialog(self.session, reason, self.window)
        dialog.loggedIn.connect(lambda done: self._logged_in(done, resume_manual))
        self.login_dialog = dialog
        dialog.open()
        return dialog

    def _logged_in(self, done: LoggedIn, manual: bool) -> None:
        self._asked_login = False
        self.session.set_actor(done.actor)  # the window now works as the server's account
        self.controller.sync_now(manual=manual)

    def show_result(self) -> Optional[QDialog]:
        from ui.sync_views.sync_dialogs import SyncResultDialog

        if self.controller.last is None:
            return None
        _discard(self.result_dialog)
        self.result_dialog = SyncResultDialog(self.controller.last, self.session, self.window)
        self.result_dialog.conflictsRequested.connect(self.open_conflicts)
        self.result_dialog.open()
        return self.result_dialog

    def open_conflicts(self) -> QDialog:
        from ui.sync_views.conflicts_view import ConflictsDialog

        _discard(self.conflicts_dialog)
        self.conflicts_dialog = ConflictsDialog(self.session, self.window)
        self.conflicts_dialog.resolved.connect(lambda result: self.controller.sync_now(manual=False))
        self.conflicts_dialog.open()
        return self.conflicts_dialog


def _discard(dialog: Optional[QDialog]) -> None:
    """Close and delete a dialog shown earlier (one result / conflicts dialog at a time)."""
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()
