"""Sync dialogs: the result of a sync (counts and a per-record list) and the login to the sync server.

:class:`SyncResultDialog` shows one :class:`ui.sync_views.sync_controller.SyncOutcome`:
a headline (done, or the failure and that local data was kept), the counts,
and one row per pushed record — kind, case number, what it is, the server's
answer (已接收 / 冲突 / 被拒绝) and its reason — and one per pulled record
this device could not apply (已隔离, with the reason), refused and
quarantined records first, at most :data:`MAX_ROWS` rows. Every text is
plain text. 查看冲突 asks for the conflicts view.

:class:`LoginDialog` asks for the server URL, user, password and an optional
CA bundle (file picker), pre-filled by :func:`sync.settings.login_defaults`.
The login runs off the GUI thread through :func:`sync.settings.log_in` with
its own workspace connection: the token goes to the OS keyring, and the
workspace records the server only after the server said yes — a failed
login changes nothing.
"""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.store.workspace import Workspace
from sync.record_labels import local_records
from sync.settings import LoggedIn, log_in, login_defaults
from ui.background import BackgroundCall
from ui.plain_text import plain_label
from ui.session import Session
from ui.sync_views.sync_controller import SyncOutcome
from ui.sync_views.sync_text import (
    STATUS_COLOURS,
    counts_text,
    error_text,
    push_status_text,
    record_detail,
    record_kind_text,
    record_reason,
)

MAX_ROWS = 2000  # per-record rows shown; refused and quarantined records come first, so none of them is cut
STATUS_ORDER = {"rejected": 0, "conflict": 1, "quarantined": 2, "applied": 3}


class SyncResultDialog(QDialog):
    """Counts and per-record answers of one sync."""

    conflictsRequested = Signal()

    def __init__(self, outcome: SyncOutcome, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("同步结果"))
        self.resize(860, 520)
        self.outcome = outcome
        report = outcome.report
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        failed = outcome.kind != "done"
        self.headline.setObjectName("refusal" if failed or (report and report.verified is False) else "notice")
        if failed:
            self.headline.setText(self.tr("同步未完成：{reason}。已完成的步骤已保存，本地数据已保留。").format(
                reason=error_text(outcome.error)))
        elif report is not None and (report.conflicts or report.rejected):
            headline = self.tr("{time} 同步完成；{n} 条记录未被接收（冲突交办公室审核，被拒绝的见原因）")
            self.headline.setText(headline.format(time=outcome.at, n=report.conflicts + report.rejected))
        else:
            self.headline.setText(self.tr("{time} 同步完成").format(time=outcome.at))
        if report is not None and report.quarantined:
            self.headline.setText(self.headline.text() + self.tr(
                "。{n} 条服务器记录无法在本机应用，已隔离（其余记录已正常下载；原因见下表，请告知办公室）").format(
                n=len(report.quarantined)))
        self.counts = QLabel(self._counts(report) if report else "", self)
        self.counts.setWordWrap(True)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([self.tr("结果"), self.tr("类型"), self.tr("案件编号"),
                                              self.tr("内容"), self.tr("原因")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(self)
        self.note.setObjectName("muted")
        for label in (self.headline, self.counts, self.note):
            label.setTextFormat(Qt.TextFormat.PlainText)  # server text is data, never markup
        self._fill(session, report.records if report else [], report.quarantined if report else [])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.conflicts_button = buttons.addButton(self.tr("查看冲突"), QDialogButtonBox.ButtonRole.ActionRole)
        self.conflicts_button.setVisible(bool(report and report.conflicts))
        self.conflicts_button.clicked.connect(self.conflictsRequested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def _counts(self, report: Any) -> str:
        parts = [counts_text(report),
                 self.tr("照片上传 {up}、下载 {down}").format(up=report.blobs_uploaded, down=report.blobs_downloaded)]
        if report.zones_updated:
            parts.append(self.tr("区域图层更新 {n}").format(n=report.zones_updated))
        if report.held_local:
            parts.append(self.tr("保留本机修改 {n}").format(n=report.held_local))
        if self.outcome.kind == "done":
            parts.append(self.tr("待同步 {n}").format(n=report.pending))
        return " · ".join(parts)

    def _fill(self, session: Session, records: list[dict[str, Any]], quarantined: list[dict[str, Any]]) -> None:
        rows = [*records, *({**entry, "status": "quarantined"} for entry in quarantined)]
        shown = sorted(rows, key=lambda r: STATUS_ORDER.get(r["status"], len(STATUS_ORDER)))[:MAX_ROWS]
        held = local_records(session.ws, [(r["kind"], r["uuid"]) for r in shown if r["status"] != "quarantined"])
        self.table.setRowCount(len(shown))
        for row, record in enumerate(shown):
            values = _pulled_values(record) if record["status"] == "quarantined" else held.get(record["uuid"], {})
            status = QTableWidgetItem(push_status_text(record["status"]))
            status.setForeground(QColor(STATUS_COLOURS.get(record["status"], "#111111")))
            status.setData(Qt.ItemDataRole.UserRole, record["uuid"])
            reason = record_reason(record)
            if record.get("conflict_id") is not None:
                reason = self.tr("冲突 #{id}，已交办公室审核").format(id=record["conflict_id"]) + \
                    (f"（{reason}）" if reason else "")
            cells = [status, QTableWidgetItem(record_kind_text(record["kind"])),
                     QTableWidgetItem(values.get("case_no") or ""),
                     QTableWidgetItem(record_detail(record["kind"], values) or record["uuid"]),
                     QTableWidgetItem(reason)]
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if len(rows) > len(shown):
            self.note.setText(self.tr("共 {total} 条记录，显示前 {shown} 条").format(total=len(rows),
                                                                          shown=len(shown)))
        elif not rows:
            self.note.setText(self.tr("本次没有上传记录"))
        else:
            self.note.hide()


def _pulled_values(record: dict[str, Any]) -> dict[str, Any]:
    """What a quarantined record's row shows: its case number and the string fields of the server's
    content (values of any other type are left out, so no content a server sends can break the row)."""
    content = record.get("content")
    values = {k: v for k, v in content.items() if isinstance(v, str)} if isinstance(content, dict) else {}
    values["case_no"] = record.get("case_no")
    return values


class LoginDialog(QDialog):
    """Server, user, password, CA bundle; ``loggedIn(LoggedIn)`` once the server accepted them."""

    loggedIn = Signal(object)

    def __init__(self, session: Session, reason: str = "", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.call: Optional[BackgroundCall] = None
        self.setWindowTitle(self.tr("登录同步服务器"))
        self.setMinimumWidth(520)
        defaults = login_defaults(session.ws)
        self.reason = plain_label(reason, self)
        self.reason.setWordWrap(True)
        self.reason.setObjectName("notice")
        self.reason.setVisible(bool(reason))
        self.server = QLineEdit(defaults.server_url, self)
        self.server.setPlaceholderText("https://…")
        self.user = QLineEdit(defaults.user, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_bundle = QLineEdit(defaults.ca_bundle or "", self)
        self.ca_bundle.setPlaceholderText(self.tr("不填则使用系统证书"))
        browse = QPushButton(self.tr("选择…"), self)
        browse.clicked.connect(self.choose_ca_bundle)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("服务器地址"), self.server)
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码"), self.password)
        form.addRow(self.tr("CA 证书"), ca_row)
        self.error = plain_label(parent=self)
        self.error.setObjectName("refusal")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("登录令牌保存在系统密钥环中；登录失败不会改动本地数据。"), self))
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.password if defaults.server_url and defaults.user else self.server).setFocus()

    def choose_ca_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择 CA 证书"), "",
                                              self.tr("证书 (*.pem *.crt *.cer);;所有文件 (*)"))
        if path:
            self.ca_bundle.setText(path)

    def submit(self) -> Optional[BackgroundCall]:
        """Log in off the GUI thread; the dialog closes only when the server said yes."""
        if self.call is not None:
            return None
        server, user = self.server.text().strip(), self.user.text().strip()
        password, ca_bundle = self.password.text(), self.ca_bundle.text().strip() or None
        if not server.startswith(("https://", "http://")) or not user or not password:
            self._show(self.tr("请填写服务器地址（https://…）、用户名和密码"))
            return None
        root = self.session.root

        def work() -> LoggedIn:
            with Workspace.open(root) as ws:
                return log_in(ws, server, user, password, ca_bundle)

        self.buttons.setEnabled(False)
        self.error.hide()
        self.call = BackgroundCall(work, self, name="inspector-login")
        self.call.finished.connect(self._done)
        return self.call.start()

    def _done(self, call: BackgroundCall) -> None:
        self.call = None
        self.buttons.setEnabled(True)
        if call.error is None:
            self.loggedIn.emit(call.result)
            self.accept()
        else:  # wrong password, no usable OS keyring, unreachable server: the error says which
            self._show(error_text(call.error))

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
