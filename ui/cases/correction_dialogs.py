"""Corrections in the GUI: 编辑… and 作废… with a reason, and how a voided record looks (struck through).

:class:`CorrectionDialog` asks for the reason (and, for an evidence edit, the new phase and caption); the
correction runs as a core mutation on the session's worker (:func:`correct_record`), as the session's acting
user, so the device checks the same authority rule the server checks again on sync. A voided record stays
in the lists, struck through with a font (plain text, never markup from data).
"""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from inspector.casework.evidence_attach import PHASES
from ui import labels, operations
from ui.session import Session

EDIT, VOID = "edit", "void"


def struck_font(font: QFont, voided: bool) -> QFont:
    """``font`` struck through when the record is voided."""
    struck = QFont(font)
    struck.setStrikeOut(voided)
    return struck


def correct_record(*, session: Session, kind: str, uuid: str, action: str, reason: str,
                   values: Optional[dict[str, Any]] = None) -> operations.Job:
    """Edit (``values``: the fields to change) or void a record of ``kind`` (findings, evidence, rectifications)."""
    from inspector.casework import corrections

    editors = {"evidence": corrections.edit_evidence, "findings": corrections.edit_finding,
               "rectifications": corrections.edit_rectification}

    def work(job: operations.Job) -> Any:
        if action == VOID:
            return corrections.void_record(session.writer(), kind, uuid, reason=reason, actor=session.actor)
        return editors[kind](session.writer(), uuid, reason=reason, actor=session.actor, **(values or {}))
    return operations.start(session, f"correction-{action}", work, mutation=True)


class CorrectionDialog(QDialog):
    """The reason for an edit or void; for an evidence edit also its phase and caption."""

    def __init__(self, action: str, *, evidence: Optional[dict[str, Any]] = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.setWindowTitle(self.tr("作废") if action == VOID else self.tr("编辑"))
        form = QFormLayout(self)
        self.phase_box: Optional[QComboBox] = None
        self.caption_edit: Optional[QLineEdit] = None
        self.original = evidence or {}
        if action == EDIT and evidence is not None:
            self.phase_box = QComboBox(self)
            for phase in PHASES:
                self.phase_box.addItem(labels.phase_text(phase), phase)
            self.phase_box.setCurrentIndex(max(self.phase_box.findData(evidence.get("phase")), 0))
            self.caption_edit = QLineEdit(evidence.get("caption") or "", self)
            form.addRow(self.tr("阶段"), self.phase_box)
            form.addRow(self.tr("说明"), self.caption_edit)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(self.tr("必填：为什么更正或作废（保留在历史中）"))
        form.addRow(self.tr("原因"), self.reason_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        parent=self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.reason_edit.textChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason().strip()))

    def reason(self) -> str:
        return self.reason_edit.text()

    def values(self) -> dict[str, Any]:
        """The evidence fields the user changed (wire names of :func:`inspector.casework.corrections.edit_evidence`)."""
        changed: dict[str, Any] = {}
        if self.phase_box is not None and self.phase_box.currentData() != self.original.get("phase"):
            changed["phase"] = self.phase_box.currentData()
        if self.caption_edit is not None and self.caption_edit.text() != (self.original.get("caption") or ""):
            changed["caption"] = self.caption_edit.text()
        return changed
