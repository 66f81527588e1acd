"""The reviewer's queue: cases waiting for acceptance (申请销号 / 县级验收 / 市级验收).

A second :class:`ui.cases.case_model.CaseTableModel` restricted to those states;
*Approve* moves the selected case one acceptance step on (申请销号 → 县级验收
→ 市级验收 → 已销号) and *Return* sends it back to 整改中 with the reason typed
in the box (required). Both go through :func:`ui.operations.transition_case`
with the session's role, so the core decides whether the move is allowed.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from inspector.casework.case_queries import case_brief
from inspector.casework.workflow import APPROVAL_TARGET, RETURN, REVIEW_STATES
from ui import labels, operations
from ui.cases.case_list import CaseListPanel
from ui.plain_text import plain_label
from ui.session import Session


class ReviewQueuePanel(QWidget):
    """Queue table, reason box and the approve / return buttons."""

    caseSelected = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.last_job: operations.Job | None = None
        self.list = CaseListPanel(session, self, fixed_statuses=REVIEW_STATES)
        self.list.layout().setContentsMargins(0, 0, 0, 0)
        self.list.caseSelected.connect(self._selected)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("退回原因（退回时必填）"))
        self.approve_button = QPushButton(self.tr("✔ 通过"), self)
        self.approve_button.setProperty("primary", True)
        self.return_button = QPushButton(self.tr("↩ 退回整改"), self)
        self.return_button.setProperty("danger", True)
        self.approve_button.clicked.connect(lambda: self.approve())
        self.return_button.clicked.connect(lambda: self.send_back())
        self.message = plain_label(parent=self)
        self.message.hide()
        title = QLabel(self.tr("待审核"), self)
        title.setObjectName("caseTitle")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._update_buttons()

    def _selected(self, uuid: str) -> None:
        self._update_buttons()
        self.caseSelected.emit(uuid)

    def _selected_status(self) -> str | None:
        uuid = self.list.selected_uuid()
        case = case_brief(self.session.ws, uuid) if uuid else None
        return case["status"] if case else None

    def _update_buttons(self) -> None:
        status = self._selected_status()
        self.approve_button.setEnabled(status in APPROVAL_TARGET)
        self.return_button.setEnabled(status in APPROVAL_TARGET)
        if status in APPROVAL_TARGET:
            self.approve_button.setText(self.tr("✔ 通过 → {state}").format(
                state=labels.status_text(APPROVAL_TARGET[status])))

    def approve(self) -> operations.Job | None:
        status, uuid = self._selected_status(), self.list.selected_uuid()
        if not uuid or status not in APPROVAL_TARGET:
            return None
        return self._run(uuid, APPROVAL_TARGET[status], None)

    def send_back(self) -> operations.Job | None:
        uuid = self.list.selected_uuid()
        if not uuid:
            return None
        if not self.reason.text().strip():
            self._show(self.tr("退回须填写原因"), False)
            self.reason.setFocus()
            return None
        return self._run(uuid, RETURN, self.reason.text().strip())

    def _run(self, uuid: str, target: str, reason: str | None) -> operations.Job:
        job = operations.transition_case(session=self.session, case_uuid=uuid, target=target, reason=reason)
        job.succeeded.connect(lambda r: self._done(r))
        job.failed.connect(lambda text: self._show(text, False))
        self.last_job = job
        return job

    def _done(self, result: dict) -> None:
        self.reason.clear()
        self._show(self.tr("{case}：{old} → {new}").format(
            case=result["case_no"], old=labels.status_text(result["from_state"]),
            new=labels.status_text(result["status"])), True)
        self._update_buttons()

    def _show(self, text: str, ok: bool) -> None:
        self.message.setObjectName("notice" if ok else "refusal")
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.show()
