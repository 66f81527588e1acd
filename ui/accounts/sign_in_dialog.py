"""The sign-in dialog: who is working — a local account of this workspace, or a server account.

Two tabs. 本单位账号 lists the workspace's local accounts (display name,
roles, jurisdiction and its level) above a password field; it is there only
when the workspace has local accounts. 服务器账号 asks for the server
address (pre-filled by :func:`sync.settings.login_defaults`), user, password
and an optional CA bundle. Either sign-in runs off the GUI thread
(:mod:`ui.accounts.sign_in_work`, through :class:`ui.background.BackgroundCall`),
so a slow or unreachable server never freezes the window; a refusal (wrong
password, unreachable, too many attempts, an address a password must not go
to) is shown in the dialog and signs nobody in. ``signedIn(SignedIn)`` is
emitted once someone signed in, then the dialog closes.

The cancel button says what cancelling does: quit the program, or — on a
workspace with no accounts at all — go on as the device's own user.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.accounts.local_accounts import list_accounts
from inspector.casework.authority import jurisdiction_level
from inspector.store.workspace import Workspace
from sync.settings import login_defaults
from ui.accounts.sign_in_work import SignedIn, sign_in_local_account, sign_in_server_account
from ui.background import BackgroundCall
from ui.plain_text import plain_label
from ui.sync_views.sync_text import error_text

LOCAL_TAB, SERVER_TAB = "local", "server"


class SignInDialog(QDialog):
    """Who is working; ``signedIn(SignedIn)`` once an account signed in."""

    signedIn = Signal(object)

    def __init__(self, ws: Workspace, *, allow_device: bool, reason: str = "",
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.root: Path = ws.root
        self.call: Optional[BackgroundCall] = None
        self.setWindowTitle(self.tr("登录 — 谁在工作？"))
        self.setMinimumWidth(480)
        headline = plain_label(reason or self.tr("请选择您的账号并输入密码。记录、表单和签名都以登录的账号署名。"),
                               self)
        headline.setObjectName("notice")
        where = plain_label(self.tr("工作空间：{path}").format(path=self.root), self, object_name="muted")
        self.tabs = QTabWidget(self)
        self.accounts = QListWidget(self)
        self.local_password = self._password_field()
        for account in list_accounts(ws):
            item = QListWidgetItem(self._account_text(account.display_name, account.roles, account.jurisdiction))
            item.setData(Qt.ItemDataRole.UserRole, account.name)
            self.accounts.addItem(item)
        if self.accounts.count():
            self.accounts.setCurrentRow(0)
            self.tabs.addTab(self._local_tab(), self.tr("本单位账号"))
        defaults = login_defaults(ws)
        self.server = QLineEdit(defaults.server_url, self)
        self.server.setPlaceholderText("https://…")
        self.user = QLineEdit(defaults.user, self)
        self.server_password = self._password_field()
        self.ca_bundle = QLineEdit(defaults.ca_bundle or "", self)
        self.ca_bundle.setPlaceholderText(self.tr("不填则使用系统证书"))
        self.tabs.addTab(self._server_tab(), self.tr("服务器账号"))
        self.error = plain_label(parent=self, object_name="refusal")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            self.tr("以本机用户继续") if allow_device else self.tr("退出程序"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(where)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if self.accounts.count():
            self.local_password.setFocus()
        else:
            (self.server_password if defaults.server_url and defaults.user else self.server).setFocus()

    # -- building -------------------------------------------------------------------------
    def _password_field(self) -> QLineEdit:
        field = QLineEdit(self)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(self.tr("密码"))
        field.returnPressed.connect(self.submit)
        return field

    def _account_text(self, display_name: str, roles: tuple[str, ...], jurisdiction: str) -> str:
        role_names = {"inspector": self.tr("核查员"), "reviewer": self.tr("审核员"), "admin": self.tr("管理员")}
        level_names = {"province": self.tr("省级"), "city": self.tr("市级"), "county": self.tr("县级")}
        try:
            level = level_names[jurisdiction_level(jurisdiction)]
        except (KeyError, ValueError):
            level = ""
        roles_text = "、".join(role_names.get(r, r) for r in roles)
        return f"{display_name} · {roles_text} · {level} {jurisdiction}".strip()

    def _local_tab(self) -> QWidget:
        tab = QWidget(self)
        column = QVBoxLayout(tab)
        column.addWidget(plain_label(self.tr("本工作空间的账号（同一单位的同事共用此工作空间）："), tab))
        column.addWidget(self.accounts, 1)
        column.addWidget(self.local_password)
        self.accounts.itemDoubleClicked.connect(lambda item: self.local_password.setFocus())
        return tab

    def _server_tab(self) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        form.addRow(self.tr("服务器地址"), self.server)
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码"), self.server_password)
        form.addRow(self.tr("CA 证书"), self.ca_bundle)
        note = plain_label(self.tr("其他服务器账号在本机使用各自的工作空间（配置文件），互不可见；"
                                   "当前工作空间及其未同步的记录保持不变。"), tab, object_name="muted")
        form.addRow(note)
        return tab

    # -- signing in -------------------------------------------------------------------------
    def current_tab(self) -> str:
        return LOCAL_TAB if self.accounts.count() and self.tabs.currentIndex() == 0 else SERVER_TAB

    def show_server_tab(self) -> None:
        self.tabs.setCurrentIndex(self.tabs.count() - 1)

    def submit(self) -> Optional[BackgroundCall]:
        """Sign in off the GUI thread; the dialog closes only once an account signed in."""
        if self.call is not None:
            return None
        work = self._local_work() if self.current_tab() == LOCAL_TAB else self._server_work()
        if work is None:
            return None
        self.buttons.setEnabled(False)
        self.error.hide()
        self.call = BackgroundCall(work, self, name="inspector-sign-in")
        self.call.finished.connect(self._done)
        return self.call.start()

    def _local_work(self) -> Optional[Callable[[], SignedIn]]:
        item, password, root = self.accounts.currentItem(), self.local_password.text(), self.root
        if item is None or not password:
            self.show_error(self.tr("请选择账号并输入密码"))
            return None
        name = str(item.data(Qt.ItemDataRole.UserRole))
        return lambda: sign_in_local_account(root, name, password)

    def _server_work(self) -> Optional[Callable[[], SignedIn]]:
        server, user = self.server.text().strip(), self.user.text().strip()
        password, ca_bundle, root = self.server_password.text(), self.ca_bundle.text().strip() or None, self.root
        if not server.startswith(("https://", "http://")) or not user or not password:
            self.show_error(self.tr("请填写服务器地址（https://…）、用户名和密码"))
            return None
        return lambda: sign_in_server_account(root, server, user, password, ca_bundle)

    def _done(self, call: BackgroundCall) -> None:
        call.deleteLater()
        self.call = None
        self.buttons.setEnabled(True)
        if call.error is None:
            self.signedIn.emit(call.result)
            self.accept()
            return
        # wrong password, unreachable server, too many attempts, an unsafe address: the error says which
        self.local_password.clear()
        self.server_password.clear()
        self.show_error(error_text(call.error))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
