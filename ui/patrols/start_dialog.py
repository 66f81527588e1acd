"""开始巡查: the patrol's purpose, team members and area, asked before it starts.

The core checks the values again (:func:`inspector.patrols.patrols.start_patrol`); this dialog only refuses an
empty purpose. Team members are typed as one line of names separated by 、 , ， ; or ；.
"""
from __future__ import annotations

import re

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from inspector.patrols.patrols import MAX_AREA_CHARS, MAX_PURPOSE_CHARS

_NAME_SEPARATORS = re.compile(r"[、,，;；]+")


def team_names(text: str) -> list[str]:
    """The names in one line of team members."""
    return [name.strip() for name in _NAME_SEPARATORS.split(text or "") if name.strip()]


class StartPatrolDialog(QDialog):
    """Purpose, team members, area; ``accepted`` when the purpose is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPatrolDialog")
        self.setWindowTitle(self.tr("开始巡查"))
        self.purpose = QLineEdit(self)
        self.purpose.setMaxLength(MAX_PURPOSE_CHARS)
        self.purpose.setPlaceholderText(self.tr("如：常态化巡查、线索核查沿线踏勘"))
        self.team = QLineEdit(self)
        self.team.setPlaceholderText(self.tr("姓名，以顿号或逗号分隔"))
        self.area = QLineEdit(self)
        self.area.setMaxLength(MAX_AREA_CHARS)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("开始巡查"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("巡查目的"), self.purpose)
        form.addRow(self.tr("巡查人员"), self.team)
        form.addRow(self.tr("巡查区域"), self.area)
        form.addRow(self.buttons)
        self.purpose.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.purpose.text().strip()))

    def values(self) -> tuple[str, list[str], str | None]:
        """(purpose, team members, area or None)."""
        return self.purpose.text().strip(), team_names(self.team.text()), self.area.text().strip() or None
