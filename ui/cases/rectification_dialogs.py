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
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.casework.rectification import CHECKLIST_ITEMS, MEASURE_TYPES, checklist
from ui import operations
from ui.i18n import current_language
from ui.plain_text import plain_label
from ui.session import Session


class _OperationDialog(QDialog):
    """A dialog whose OK starts an operation and closes only when it succeeds."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session, self.case_uuid = session, case_uuid
        self.job: operations.Job | None = None
        self.error = plain_label(parent=self, object_name="refusal")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def start(self) -> operations.Job:
        raise NotImplementedError

    def submit(self) -> operations.Job | None:
        if self.job is not None:
            return None
        self.buttons.setEnabled(False)
        self.job = self.start()
        self.job.succeeded.connect(lambda result: self.accept())
        self.job.failed.connect(self._failed)
        return self.job

    def _failed(self, message: str) -> None:
        self.job = None
        self.buttons.setEnabled(True)
        self.error.setText(message)
        self.error.show()


class RectificationDialog(_OperationDialog):
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
        form = QFormLayout()
        form.addRow(self.tr("整改类型"), self.measure_type)
        form.addRow(self.tr("整改措施"), self.measures)
        form.addRow(self.tr("整改时限"), self.deadline)
        form.addRow(self.tr("责任单位"), self.unit)
        form.addRow(self.tr("责任人"), self.person)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        return {"measure_type": self.measure_type.currentData(), "measures": self.measures.toPlainText().strip(),
                "deadline": self.deadline.date().toString("yyyy-MM-dd"),
                "responsible_unit": self.unit.text().strip() or None,
                "responsible_person": self.person.text().strip() or None}

    def start(self) -> operations.Job:
        return operations.add_rectification(session=self.session, case_uuid=self.case_uuid, values=self.values())


class ChecklistDialog(_OperationDialog):
    """Tick the 两断三清 items (断水、断电、清除原料、清除产品、清除设备)."""

    def __init__(self, session: Session, case_uuid: str, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.setWindowTitle(self.tr("两断三清"))
        current = checklist(session.ws, case_id) or {}
        english = current_language() == "en"
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        for key, (zh, en) in CHECKLIST_ITEMS.items():
            box = QCheckBox(en if english else zh, self)
            box.setChecked(bool(current.get(key)))
            self.boxes[key] = box
            layout.addWidget(box)
        self.note = QLineEdit(current.get("note") or "", self)
        self.note.setPlaceholderText(self.tr("备注"))
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def start(self) -> operations.Job:
        return operations.set_checklist(session=self.session, case_uuid=self.case_uuid,
                                        items={k: b.isChecked() for k, b in self.boxes.items()},
                                        note=self.note.text().strip() or None)
