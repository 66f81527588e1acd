"""Dialogs for rectification (整改) records and the 两断三清 closure checklist.

Both collect values, check what the core would refuse (measure type, date
format) and hand them to :mod:`ui.operations`; the core's refusal text is
shown in the dialog when it still refuses.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from inspector.casework.rectification import CHECKLIST_ITEMS, MEASURE_TYPES, checklist
from ui import operations
from ui.cases.operation_dialog import OperationDialog
from ui.i18n import current_language
from ui.layouts import form_layout, vbox
from ui.session import Session


class _OkCancelDialog(OperationDialog):
    """OK submits, Cancel closes; a refusal shows above the buttons."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None) -> None:
        super().__init__(session, case_uuid, parent)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def submit_control(self) -> QWidget:
        return self.buttons


class RectificationDialog(_OkCancelDialog):
    """Add a rectification record: measure type, measures, deadline, who is responsible."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.setWindowTitle(self.tr("添加整改记录"))
        self.resize(560, 420)
        self.measure_type = QComboBox(self)
        for value in MEASURE_TYPES:
            self.measure_type.addItem(value, value)
        self.measures = QPlainTextEdit(self)
        self.measures.setPlaceholderText(self.tr("例如：拆除违建、退养还湿、复绿"))
        self.deadline = QDateEdit(QDate.currentDate().addMonths(3), self)
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.unit = QLineEdit(self)
        self.person = QLineEdit(self)
        fields = form_layout([(self.tr("整改类型"), self.measure_type), (self.tr("整改措施"), self.measures),
                              (self.tr("整改时限"), self.deadline), (self.tr("责任单位"), self.unit),
                              (self.tr("责任人"), self.person)])
        vbox(fields, self.errors, self.buttons, parent=self)

    def values(self) -> dict[str, Any]:
        return {"measure_type": self.measure_type.currentData(), "measures": self.measures.toPlainText().strip(),
                "deadline": self.deadline.date().toString("yyyy-MM-dd"),
                "responsible_unit": self.unit.text().strip() or None,
                "responsible_person": self.person.text().strip() or None}

    def start(self) -> operations.Job:
        return operations.add_rectification(session=self.session, case_uuid=self.case_uuid, values=self.values())


class ChecklistDialog(_OkCancelDialog):
    """Tick the 两断三清 items (断水、断电、清除原料、清除产品、清除设备)."""

    def __init__(self, session: Session, case_uuid: str, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.setWindowTitle(self.tr("两断三清"))
        current = checklist(session.ws, case_id) or {}
        english = current_language() == "en"
        self.boxes: dict[str, QCheckBox] = {}
        for key, (zh, en) in CHECKLIST_ITEMS.items():
            self.boxes[key] = QCheckBox(en if english else zh, self)
            self.boxes[key].setChecked(bool(current.get(key)))
        self.note = QLineEdit(current.get("note") or "", self)
        self.note.setPlaceholderText(self.tr("备注"))
        vbox(*self.boxes.values(), self.note, self.errors, self.buttons, parent=self)

    def start(self) -> operations.Job:
        return operations.set_checklist(session=self.session, case_uuid=self.case_uuid,
                                        items={k: b.isChecked() for k, b in self.boxes.items()},
                                        note=self.note.text().strip() or None)
