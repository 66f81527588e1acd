"""The conflicts the server keeps for this user's jurisdiction, each shown with both versions side by side.

A push of a record edited from a stale revision is never an overwrite: the
server stores both versions as a conflict for office review. This dialog
lists them (open ones, or all with 包括已处理) and shows the selected one
field by field — the server's version beside the version a device pushed —
with the differing fields first and marked. Reviewers (role switch) can keep one of
the two versions; the server checks the role and jurisdiction, and every
device takes the decision on its next sync. All server calls run off the
GUI thread (:class:`ui.background.BackgroundCall`).
"""
from __future__ import annotations

import json
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.casework.workflow import OFFICE_ROLES
from sync.client import SyncClient
from sync.errors import AuthError
from sync.protocol import Conflict
from sync.record_labels import case_no_of
from sync.settings import load_settings, with_client
from ui.background import BackgroundCall
from ui.labels import field_text
from ui.plain_text import plain_label, plain_tooltip
from ui.session import Session
from ui.sync_views.sync_text import error_text, record_detail, record_kind_text

DIFFERS_BACKGROUND = "#fff1d6"
DELETED_FIELD = "deleted"  # the tombstone flag, shown as the first row when either version deletes the record


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def diff_fields(server: dict[str, Any], client: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """``(field, server value, client value, differs)`` for every field of either version: the differing
    fields first, each group in the server's field order."""
    keys = list(server) + [key for key in client if key not in server]
    rows = [(key, show_value(server.get(key)), show_value(client.get(key)), server.get(key) != client.get(key))
            for key in keys]
    return sorted(rows, key=lambda row: not row[3])


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


class ConflictsDialog(QDialog):
    """Conflict list above, the selected conflict's two versions below; keep-buttons for reviewers."""

    resolved = Signal(object)  # the server's ResolveResult

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.conflicts: list[Conflict] = []
        self.call: Optional[BackgroundCall] = None
        self.setWindowTitle(self.tr("同步冲突"))
        self.resize(980, 640)
        self.include_resolved = QCheckBox(self.tr("包括已处理"), self)
        self.include_resolved.toggled.connect(lambda checked: self.refresh())
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.message = plain_label(parent=self)
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.include_resolved)
        top.addWidget(self.refresh_button)
        self.list = _table(self, ["#", self.tr("类型"), self.tr("案件编号"), self.tr("内容"), self.tr("提交人"),
                                  self.tr("收到时间"), self.tr("状态")])
        self.list.itemSelectionChanged.connect(self._show_selected)
        self.diff = _table(self, [self.tr("字段"), self.tr("服务器版本"), self.tr("提交的版本")])
        self.diff.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.diff)
        splitter.setSizes([220, 380])
        self.keep_server = QPushButton(self.tr("保留服务器版本"), self)
        self.keep_client = QPushButton(self.tr("保留提交的版本"), self)
        self.keep_server.clicked.connect(lambda: self.resolve("server"))
        self.keep_client.clicked.connect(lambda: self.resolve("client"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.keep_server)
        bottom.addWidget(self.keep_client)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._update_buttons()
        self.refresh()

    # -- server calls, off the GUI thread -------------------------------------------------
    def _run(self, call: Callable[[SyncClient], Any], done: Callable[[Any], None]) -> Optional[BackgroundCall]:
        if self.call is not None:
            return None
        try:
            settings = load_settings(self.session.ws)
        except AuthError:
            self._say(self.tr("未设置同步服务器，请先登录"), False)
            return None
        self.refresh_button.setEnabled(False)
        self._update_buttons()
        self.call = BackgroundCall(lambda: with_client(settings, call), self, name="inspector-conflicts")
        self.call.finished.connect(lambda finished: self._finished(finished, done))
        return self.call.start()

    def _finished(self, call: BackgroundCall, done: Callable[[Any], None]) -> None:
        self.call = None
        self.refresh_button.setEnabled(True)
        if call.error is not None:
            self._say(error_text(call.error), False)
            self._update_buttons()
        else:
            done(call.result)

    def refresh(self) -> Optional[BackgroundCall]:
        self._say(self.tr("正在读取服务器上的冲突…"), True)
        include = self.include_resolved.isChecked()
        return self._run(lambda client: client.conflicts(include_resolved=include), self._listed)

    def resolve(self, keep: str) -> Optional[BackgroundCall]:
        conflict = self.selected()
        if conflict is None or conflict.resolution is not None:
            return None
        return self._run(lambda client: client.resolve_conflict(conflict.id, keep), self._resolved)

    def _resolved(self, result: Any) -> None:
        self.resolved.emit(result)
        self.refresh()

    # -- showing ----------------------------------------------------------------------------
    def _listed(self, listing: Any) -> None:
        self.conflicts = list(listing.conflicts)
        self.list.setRowCount(len(self.conflicts))
        for row, conflict in enumerate(self.conflicts):
            content = conflict.client_content or conflict.server_content
            cells = [str(conflict.id), record_kind_text(conflict.kind),
                     case_no_of(self.session.ws, conflict.kind, content) or "",
                     record_detail(conflict.kind, content), conflict.user, conflict.received_at,
                     self._state_text(conflict)]
            for column, text in enumerate(cells):
                self.list.setItem(row, column, QTableWidgetItem(text))
        self.list.resizeColumnsToContents()
        self.list.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self._say(self.tr("{n} 个冲突").format(n=len(self.conflicts)) if self.conflicts
                  else self.tr("没有冲突"), True)
        if self.conflicts:
            self.list.selectRow(0)
        else:
            self.diff.setRowCount(0)
        self._update_buttons()

    def _state_text(self, conflict: Conflict) -> str:
        resolution = conflict.resolution
        if resolution is None:
            return self.tr("待审核")
        kept = self.tr("服务器版本") if resolution.keep == "server" else self.tr("提交的版本")
        return self.tr("已处理：保留{kept}（{by}）").format(kept=kept, by=resolution.by)

    def selected(self) -> Optional[Conflict]:
        rows = self.list.selectionModel().selectedRows()
        return self.conflicts[rows[0].row()] if rows and rows[0].row() < len(self.conflicts) else None

    def _show_selected(self) -> None:
        conflict = self.selected()
        self._update_buttons()
        if conflict is None:
            self.diff.setRowCount(0)
            return
        self.diff.setHorizontalHeaderLabels([
            self.tr("字段"), self.tr("服务器版本（修订 {rev}）").format(rev=conflict.server_revision),
            self.tr("{user} 提交的版本（基于修订 {base}）").format(user=conflict.user,
                                                              base=conflict.base_revision or "—")])
        rows = diff_fields(conflict.server_content, conflict.client_content)
        if conflict.server_deleted or conflict.client_deleted:
            yes, no = self.tr("已删除"), ""
            rows.insert(0, (DELETED_FIELD, yes if conflict.server_deleted else no,
                            yes if conflict.client_deleted else no, conflict.server_deleted != conflict.client_deleted))
        self.diff.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for row, (name, server, client, differs) in enumerate(rows):
            for column, text in enumerate((field_text(name), server, client)):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tooltip(text))
                if differs:
                    item.setBackground(QColor(DIFFERS_BACKGROUND))
                    item.setFont(bold)
                self.diff.setItem(row, column, item)
        self.diff.resizeColumnToContents(0)

    def _update_buttons(self) -> None:
        conflict = self.selected() if self.conflicts else None
        reviewer = self.session.role in OFFICE_ROLES
        for button in (self.keep_server, self.keep_client):
            button.setVisible(reviewer)
            button.setEnabled(self.call is None and conflict is not None and conflict.resolution is None)

    def _say(self, text: str, ok: bool) -> None:
        self.message.setObjectName("muted" if ok else "refusal")
        self.message.setStyleSheet("")  # re-apply the object-name style
        self.message.setText(text)
