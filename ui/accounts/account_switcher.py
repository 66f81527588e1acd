"""Who works in the window: the sign-in at start, 切换用户 / 退出登录, and moving to an account's own profile.

:class:`AccountSwitcher` belongs to the main window (like the sync panel):

- :meth:`AccountSwitcher.ask_if_needed` opens :class:`ui.accounts.sign_in_dialog.SignInDialog`
  (window-modal: the window is not usable behind it) when the workspace has
  accounts and nobody is signed in (or the sign-in expired). The GUI calls it
  at start and after opening another workspace; ``gui --screenshot`` never
  does: its picture shows the resumed account, else 未登录 (the device user's
  name beside it, never an account's).
- 切换用户 signs the current user out (on the session's writer thread, after the
  operations they started), then asks who is working; 退出登录 signs out and
  closes the window, leaving nobody signed in.
- A signed-in account is applied to the session (:meth:`ui.session.Session.set_actor`);
  a server account that works in another workspace (its own profile, see
  :mod:`inspector.accounts.profiles`) opens that workspace in the window, and a
  profile created just now offers 立即同步 to fill it.
- Cancelling the dialog quits, except on a workspace without any account,
  where the device's own user goes on.
"""
from __future__ import annotations

from typing import Optional

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QToolBar, QToolButton, QWidget

from inspector.accounts.profiles import remember_account_workspace
from inspector.accounts.sign_in import has_accounts, sign_out
from inspector.store.workspace import Workspace
from ui import operations
from ui.accounts.sign_in_dialog import SignInDialog
from ui.accounts.sign_in_work import SignedIn
from ui.plain_text import plain_label
from ui.session import Session


class AccountSwitcher(QObject):
    """The window's sign-in, user switch and sign-out (see the module docstring)."""

    def __init__(self, session: Session, window: QMainWindow) -> None:
        super().__init__(window)
        self.session, self.window = session, window
        self.dialog: Optional[SignInDialog] = None
        self.sync_offer: Optional[QMessageBox] = None
        self.quit_on_cancel = False
        self.label: Optional[QLabel] = None
        remember_account_workspace(session.ws)
        session.workspaceChanged.connect(lambda: remember_account_workspace(session.ws))
        session.actorChanged.connect(self._show_user)

    # -- building (again after a language switch) -----------------------------------------
    def add_actions(self, toolbar: QToolBar, actions: dict[str, QAction]) -> None:
        """切换用户 on the toolbar, with 退出登录 in its menu."""
        switch = toolbar.addAction(self.tr("切换用户"), self.switch_user)
        switch.setToolTip(self.tr("退出当前账号并选择谁在工作"))
        menu = QMenu(toolbar)
        actions["sign_out"] = menu.addAction(self.tr("退出登录（关闭窗口）"), self.sign_out_and_close)
        button = toolbar.widgetForAction(switch)
        if isinstance(button, QToolButton):
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        actions["switch_user"] = switch

    def user_label(self, parent: QWidget) -> QLabel:
        """The window's 用户 label, kept up to date as the acting user changes."""
        self.label = plain_label("", parent, wrap=False)
        self._show_user()
        return self.label

    def _show_user(self) -> None:
        """The 用户 label's text, and its look: a visible 未登录 state while nobody is signed in."""
        if self.label is not None and shiboken6.isValid(self.label):
            self.label.setText(self.user_text())
            self.label.setObjectName("refusal" if self.session.needs_sign_in() else "muted")
            self.label.setStyleSheet("")  # apply the style of the new object name

    def user_text(self) -> str:
        """The 用户 line: the account's name and jurisdiction, or 未登录 when nobody is signed in."""
        actor = self.session.actor
        text = self.tr("用户：{name}").format(name=actor.name) + (f"（{actor.jurisdiction}）"
                                                                 if actor.jurisdiction else "")
        return self.tr("未登录") + " · " + text if self.session.needs_sign_in() else text

    # -- asking who is working ----------------------------------------------------------------
    def ask_if_needed(self) -> Optional[SignInDialog]:
        """The sign-in dialog when the workspace has accounts and nobody is signed in; else ``None``."""
        return self.ask() if self.session.needs_sign_in() else None

    def ask(self, reason: str = "") -> SignInDialog:
        """Ask who is working (one dialog at a time)."""
        if self.dialog is not None and self.dialog.isVisible():
            return self.dialog
        allow_device = not has_accounts(self.session.ws)
        self.quit_on_cancel = not allow_device
        dialog = SignInDialog(self.session.ws, allow_device=allow_device, reason=reason, parent=self.window)
        dialog.signedIn.connect(self.apply)
        dialog.rejected.connect(self._cancelled)
        self.dialog = dialog
        dialog.open()
        return dialog

    def switch_user(self) -> operations.Job:
        """Sign the current user out (after their running operations), then ask who is working."""
        job = self._sign_out()
        job.finished.connect(lambda: self.ask(self.tr("已退出登录。请选择下一位用户。")))
        return job

    def sign_out_and_close(self) -> operations.Job:
        """Sign out and close the window: nobody stays signed in on this workspace."""
        job = self._sign_out()
        job.finished.connect(self.window.close)
        return job

    def _sign_out(self) -> operations.Job:
        session = self.session
        job = operations.start(session, "sign-out", lambda job: sign_out(session.writer()))
        job.finished.connect(session.resume_actor)
        return job

    # -- the answer ---------------------------------------------------------------------------
    def apply(self, signed: SignedIn) -> None:
        """Work as the signed-in account, in its own workspace when that is another one."""
        if not signed.moved:
            self.session.set_actor(signed.actor)
            return
        self.window.use_workspace(Workspace.open(signed.root), signed.actor)  # type: ignore[attr-defined]
        if signed.fresh:
            self.offer_sync()

    def offer_sync(self) -> QMessageBox:
        """A new profile is empty until it syncs: offer 立即同步."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("新的工作空间"),
                          self.tr("{name} 的工作空间是新建的，还没有案件。现在从服务器同步本辖区的数据吗？").format(
                              name=self.session.actor.name), parent=self.window)
        sync = box.addButton(self.tr("立即同步"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("稍后"), QMessageBox.ButtonRole.RejectRole)
        sync.clicked.connect(lambda: self.window.sync.sync_now(manual=True))  # type: ignore[attr-defined]
        self.sync_offer = box
        box.open()
        return box

    def _cancelled(self) -> None:
        if self.quit_on_cancel:
            self.window.close()
