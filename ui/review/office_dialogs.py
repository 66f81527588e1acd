"""The office's record dialogs for a case: 会签 (countersign), 公示 (publicity) and 省级抽查 (spot check).

Each collects and checks its values (what the core would refuse: required
text, date order, a readable document file, a closed case for 抽查), shows
what to correct as plain text, and starts its operation from
:mod:`ui.review.office_operations`; like every :class:`OperationDialog` it
closes only when the core accepted, and shows the core's refusal otherwise.
"""
from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from inspector.casework.case_queries import case_brief
from inspector.casework.workflow import SPOT_CHECK, find_rule
from ui import labels, operations
from ui.cases.operation_dialog import OperationDialog
from ui.layouts import form_layout, hbox, vbox
from ui.plain_text import plain_label
from ui.review import office_operations
from ui.review.office_operations import COUNTERSIGN_SIGNS, SPOT_CONFIRMED, SPOT_REOPENED
from ui.session import Session
from ui.widgets.signature_field import SignatureField

DATE_FORMAT = "yyyy-MM-dd"


def _date_edit(parent: QWidget, date: QDate) -> QDateEdit:
    edit = QDateEdit(date, parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


class _CheckedDialog(OperationDialog):
    """OK submits once :meth:`problems` is empty; the problems are listed above the buttons meanwhile."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None) -> None:
        super().__init__(session, case_uuid, parent)
        case = case_brief(session.ws, case_uuid)
        if case is None:
            raise ValueError(f"no case {case_uuid}")
        self.case = dict(case)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setProperty("primary", True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def problems(self) -> list[str]:
        raise NotImplementedError

    def validate(self) -> bool:
        found = self.problems()
        self.errors.setText("；".join(found))
        self.errors.setVisible(bool(found))
        self.ok_button.setEnabled(not found and self.job is None)
        return not found

    def save(self) -> operations.Job | None:
        return self.submit() if self.validate() else None

    def submit_control(self) -> QWidget:
        return self.ok_button


class CountersignDialog(_CheckedDialog):
    """会签: department, signer, date, opinion, an optional scanned document and signature."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.setWindowTitle(self.tr("会签 — {case}").format(case=self.case["case_no"]))
        self.resize(640, 560)
        self.department = QComboBox(self)
        for name in office_operations.departments():
            self.department.addItem(name, name)
        self.signer = QLineEdit(self)
        self.signed_on = _date_edit(self, QDate.currentDate())
        self.opinion = QPlainTextEdit(self)
        self.opinion.setPlaceholderText(self.tr("会签部门的意见"))
        self.document: str | None = None
        self.document_label = plain_label(self.tr("未附扫描件"), self, object_name="muted")
        self.document_button = QPushButton(self.tr("选择扫描件…"), self)
        self.document_button.clicked.connect(lambda: self.choose_document())
        self.signature = SignatureField(COUNTERSIGN_SIGNS, self.tr("会签人"), self.signer.text, self)
        fields = form_layout([
            (self.tr("会签部门 *"), self.department), (self.tr("签署人 *"), self.signer),
            (self.tr("签署日期 *"), self.signed_on), (self.tr("会签意见 *"), self.opinion),
            (self.tr("扫描件"), hbox((self.document_label, 1), self.document_button)),
            (self.tr("签名"), self.signature)])
        vbox(fields, self.errors, self.buttons, parent=self)
        for signal in (self.signer.textChanged, self.opinion.textChanged, self.signed_on.dateChanged):
            signal.connect(self.validate)
        self.validate()

    def choose_document(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("选择会签扫描件"), "",
                                                  self.tr("扫描件") + " (*.pdf *.jpg *.jpeg *.png *.tif *.tiff)")
        if path:
            self.document = path
            self.document_label.setText(os.path.basename(path))
        self.validate()

    def problems(self) -> list[str]:
        found = []
        if not self.signer.text().strip():
            found.append(self.tr("请填写签署人"))
        if not self.opinion.toPlainText().strip():
            found.append(self.tr("请填写会签意见"))
        if self.signed_on.date() > QDate.currentDate():
            found.append(self.tr("签署日期不能晚于今天"))
        if self.document and not os.path.isfile(self.document):
            found.append(self.tr("扫描件不存在：{path}").format(path=self.document))
        return found

    def values(self) -> dict[str, Any]:
        return {"department": self.department.currentData(), "signer": self.signer.text().strip(),
                "opinion": self.opinion.toPlainText().strip(),
                "signed_on": self.signed_on.date().toString(DATE_FORMAT), "document": self.document,
                "signature": self.signature.captured}

    def start(self) -> operations.Job:
        return office_operations.add_countersign(session=self.session, case_uuid=self.case_uuid, **self.values())


class PublicityDialog(_CheckedDialog):
    """公示: the period (from, to) and where it was published."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.setWindowTitle(self.tr("公示 — {case}").format(case=self.case["case_no"]))
        self.resize(560, 300)
        today = QDate.currentDate()
        self.starts_on = _date_edit(self, today)
        self.ends_on = _date_edit(self, today.addDays(7))
        self.where = QLineEdit(self)
        self.where.setPlaceholderText(self.tr("例如：县政府网站、村务公开栏"))
        fields = form_layout([(self.tr("公示开始 *"), self.starts_on), (self.tr("公示结束 *"), self.ends_on),
                              (self.tr("公示地点 *"), self.where)])
        vbox(fields, self.errors, self.buttons, parent=self)
        for signal in (self.starts_on.dateChanged, self.ends_on.dateChanged, self.where.textChanged):
            signal.connect(self.validate)
        self.validate()

    def problems(self) -> list[str]:
        found = []
        if self.ends_on.date() < self.starts_on.date():
            found.append(self.tr("公示结束日期不能早于开始日期"))
        if not self.where.text().strip():
            found.append(self.tr("请填写公示地点"))
        return found

    def values(self) -> dict[str, str]:
        return {"starts_on": self.starts_on.date().toString(DATE_FORMAT),
                "ends_on": self.ends_on.date().toString(DATE_FORMAT), "where": self.where.text().strip()}

    def start(self) -> operations.Job:
        return office_operations.add_publicity(session=self.session, case_uuid=self.case_uuid, **self.values())


class SpotCheckDialog(_CheckedDialog):
    """省级抽查 of a closed case: confirmed, or reopened with a reason."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.setWindowTitle(self.tr("省级抽查 — {case}").format(case=self.case["case_no"]))
        self.resize(560, 360)
        self.confirmed = QRadioButton(self.tr("抽查确认：整改到位，维持销号"), self)
        self.reopened = QRadioButton(self.tr("重新打开：问题未整改到位，退回整改中"), self)
        self.confirmed.setChecked(True)
        self.outcomes = QButtonGroup(self)
        self.outcomes.addButton(self.confirmed)
        self.outcomes.addButton(self.reopened)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(self.tr("抽查情况（重新打开时必填）"))
        self.state = plain_label(self.tr("当前状态：{state}").format(state=labels.status_text(self.case["status"])),
                                 self, object_name="muted")
        vbox(self.state, self.confirmed, self.reopened, (self.reason, 1), self.errors, self.buttons, parent=self)
        self.outcomes.buttonToggled.connect(lambda *_: self.validate())
        self.reason.textChanged.connect(self.validate)
        self.validate()

    def outcome(self) -> str:
        return SPOT_REOPENED if self.reopened.isChecked() else SPOT_CONFIRMED

    def problems(self) -> list[str]:
        found = []
        if find_rule(self.case["status"], SPOT_CHECK) is None:  # the rule table says which cases
            found.append(self.tr("只能抽查已销号的问题"))
        if self.outcome() == SPOT_REOPENED and not self.reason.toPlainText().strip():
            found.append(self.tr("重新打开须填写原因"))
        return found

    def values(self) -> dict[str, Any]:
        return {"outcome": self.outcome(), "reason": self.reason.toPlainText().strip() or None}

    def start(self) -> operations.Job:
        return office_operations.spot_check(session=self.session, case_uuid=self.case_uuid, **self.values())
