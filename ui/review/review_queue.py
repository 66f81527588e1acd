"""The reviewer's queue: cases waiting for acceptance (申请销号 / 县级验收 / 市级验收).

A second :class:`ui.cases.case_model.CaseTableModel` restricted to those states;
*Approve* moves the selected case one acceptance step on (申请销号 → 县级验收
→ 市级验收 → 已销号) and *Return* sends it back to 整改中 with the reason typed
in the box (required). Both go through :func:`ui.operations.transition_case`
with the session's role, so the core decides whether the move is allowed.

Decisions here have legal weight, so the panel is built not to be mis-aimed:
the two buttons keep one size and place whatever is selected (each is as wide
as its longest label in the UI language: the panel is rebuilt on a language
switch), they sit at the two ends of their row, and approving first asks for
confirmation naming the case and the target state (the default answer is
cancel); at the county's and the city's acceptance the reviewer then signs on
the pad (or chooses 不签名). Success and refusal messages differ in colour and prefix (✔ / ✖) and
are cleared when another case is selected.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from inspector.casework.case_queries import case_brief
from inspector.casework.workflow import APPROVAL_TARGET, RETURN, REVIEW_STATES
from ui import labels, operations
from ui.cases.case_list import CaseListPanel
from ui.layouts import STRETCH, hbox, vbox
from ui.plain_text import plain_label
from ui.review import office_operations
from ui.review.office_operations import SIGN_OFF_ROLES
from ui.session import Session
from ui.widgets.signature_pad import Captured, SignatureDialog

OK_PREFIX, REFUSAL_PREFIX = "✔ ", "✖ "  # told apart without colour, too


def fix_width(button: QPushButton, texts: list[str]) -> None:
    """Give ``button`` one fixed width: that of the widest of ``texts`` in its own (styled) font."""
    button.ensurePolished()
    shown = button.text()
    width = 0
    for text in texts:
        button.setText(text)
        width = max(width, button.sizeHint().width())
    button.setText(shown)
    button.setFixedWidth(width)


class ReviewQueuePanel(QWidget):
    """Queue table, reason box and the approve / return buttons."""

    caseSelected = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.last_job: operations.Job | None = None
        self.confirmation: QMessageBox | None = None  # the open approval confirmation, if any
        self.signature_dialog: SignatureDialog | None = None  # the reviewer's signature pad, while open
        self._message_case: str | None = None  # the case the shown message is about
        self.list = CaseListPanel(session, self, fixed_statuses=REVIEW_STATES)
        self.list.layout().setContentsMargins(0, 0, 0, 0)
        self.list.caseSelected.connect(self._selected)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("退回原因（退回时必填）"))
        self.approve_button = QPushButton(self.tr("✔ 通过"), self)
        self.approve_button.setObjectName("approve")
        self.approve_button.setProperty("primary", True)
        self.return_button = QPushButton(self.tr("↩ 退回整改"), self)
        self.return_button.setObjectName("return")
        self.return_button.setProperty("danger", True)
        fix_width(self.approve_button, [self.tr("✔ 通过"), *map(self._approve_text, APPROVAL_TARGET.values())])
        fix_width(self.return_button, [self.return_button.text()])
        self.approve_button.clicked.connect(lambda: self.approve())
        self.return_button.clicked.connect(lambda: self.send_back())
        self.message = plain_label(parent=self)
        self.message.hide()
        title = QLabel(self.tr("待审核"), self)
        title.setObjectName("caseTitle")
        vbox(title, (self.list, 1), self.message, self.reason,
             hbox(self.return_button, STRETCH, self.approve_button), parent=self, margins=(6, 6, 6, 6))
        self._update_buttons()

    def _approve_text(self, target: str) -> str:
        return self.tr("✔ 通过 → {state}").format(state=labels.status_text(target))

    def _selected(self, uuid: str) -> None:
        if uuid != self._message_case:
            self.clear_message()
        self._update_buttons()
        self.caseSelected.emit(uuid)

    def _selected_case(self) -> dict | None:
        uuid = self.list.selected_uuid()
        case = case_brief(self.session.ws, uuid) if uuid else None
        return dict(case) if case and case["status"] in APPROVAL_TARGET else None

    def _update_buttons(self) -> None:
        case = self._selected_case()
        self.approve_button.setEnabled(case is not None)
        self.return_button.setEnabled(case is not None)
        self.approve_button.setText(self._approve_text(APPROVAL_TARGET[case["status"]]) if case
                                    else self.tr("✔ 通过"))

    # -- decisions --------------------------------------------------------------
    def approve(self) -> QMessageBox | None:
        """Ask to confirm approving the selected case; the move starts only on 确认通过."""
        case = self._selected_case()
        if case is None:
            return None
        target = APPROVAL_TARGET[case["status"]]
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("确认通过"), "", QMessageBox.StandardButton.NoButton,
                          self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the case number is data
        box.setText(self.tr("通过问题 {case}：{old} → {new}？\n通过后将以您的名义记录，不能撤销。").format(
            case=case["case_no"], old=labels.status_text(case["status"]), new=labels.status_text(target)))
        confirm = box.addButton(self.tr("确认通过"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.finished.connect(lambda _result: self._confirmed(box, confirm, case["uuid"], target))
        self.confirmation = box
        box.open()
        return box

    def _confirmed(self, box: QMessageBox, confirm: QPushButton, uuid: str, target: str) -> None:
        self.confirmation = None
        if box.clickedButton() is confirm:
            if target in SIGN_OFF_ROLES:
                self._ask_signature(uuid, target)
            else:
                self._approve(uuid, target, None)
        box.deleteLater()

    def _ask_signature(self, uuid: str, target: str) -> SignatureDialog:
        """The reviewer signs the acceptance (or chooses 不签名); cancelling the pad cancels the approval."""
        signer = office_operations.signer_name(self.session)
        dialog = SignatureDialog(labels.status_text(target), signer, self, allow_skip=True)
        dialog.accepted.connect(lambda: self._approve(uuid, target, Captured(dialog.png, SIGN_OFF_ROLES[target],
                                                                            signer) if dialog.png else None))
        dialog.finished.connect(lambda _result: setattr(self, "signature_dialog", None))
        self.signature_dialog = dialog
        dialog.open()
        return dialog

    def _approve(self, uuid: str, target: str, signature: Captured | None) -> operations.Job:
        job = office_operations.approve(session=self.session, case_uuid=uuid, target=target, signature=signature)
        return self._follow(job, uuid)

    def send_back(self) -> operations.Job | None:
        uuid = self.list.selected_uuid()
        if not uuid:
            return None
        if not self.reason.text().strip():
            self._show(uuid, self.tr("退回须填写原因"), False)
            self.reason.setFocus()
            return None
        return self._run(uuid, RETURN, self.reason.text().strip())

    def _run(self, uuid: str, target: str, reason: str | None) -> operations.Job:
        job = operations.transition_case(session=self.session, case_uuid=uuid, target=target, reason=reason)
        return self._follow(job, uuid)

    def _follow(self, job: operations.Job, uuid: str) -> operations.Job:
        job.succeeded.connect(lambda r: self._done(r))
        job.failed.connect(lambda text: self._show(uuid, text, False))
        self.last_job = job
        return job

    def _done(self, result: dict) -> None:
        self.reason.clear()
        self._show(result.get("case_uuid"), self.tr("{case}：{old} → {new}").format(
            case=result["case_no"], old=labels.status_text(result["from_state"]),
            new=labels.status_text(result["status"])), True)
        self._update_buttons()

    # -- messages -----------------------------------------------------------------
    def _show(self, case_uuid: str | None, text: str, ok: bool) -> None:
        self._message_case = case_uuid
        self.message.setObjectName("notice" if ok else "refusal")
        self.message.style().unpolish(self.message)  # the style sheet's rule for the new object name
        self.message.style().polish(self.message)
        self.message.setText((OK_PREFIX if ok else REFUSAL_PREFIX) + text)
        self.message.show()

    def clear_message(self) -> None:
        self._message_case = None
        self.message.clear()
        self.message.hide()
