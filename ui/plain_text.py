"""Data shown as text, never as markup: plain labels, line lists, tooltips and message boxes.

Ledger, zone, EXIF/XMP, finding, user and server text is data. Qt guesses
rich text from content in a QLabel (``Qt.AutoText``), a tooltip and a
QMessageBox, so ``<b style="font-size:80px">`` or ``<img src=x>`` in a
description would be rendered. Every widget in ``ui/`` that shows such text
goes through this module: :func:`plain_label` and :class:`PlainLines` set
``Qt.PlainText`` (emphasis comes from the widget's style sheet, never from the
text), :func:`plain_tooltip` turns text into markup that shows it literally,
and :func:`warn` opens a plain-text message box.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWidget

# Line role → style sheet of its label (our styling; the text itself stays plain)
LINE_STYLES = {
    "": "",
    "strong": "font-weight: bold;",
    "alert": "font-weight: bold; color: #b71c1c;",
    "zone": "font-weight: bold; color: #1b6e4f;",
    "muted": "color: #555555;",
    "indent": "color: #555555; margin-left: 12px;",
    "gap": "margin-top: 6px;",
}


def make_plain(label: QLabel) -> QLabel:
    """``label`` set to show its text literally."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True, selectable: bool = False,
                object_name: str | None = None) -> QLabel:
    """A QLabel that shows ``text`` literally (never parsed as markup)."""
    label = make_plain(QLabel(parent))
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


def plain_tooltip(text: str) -> str:
    """Tooltip markup that shows ``text`` literally (tooltips guess rich text from content)."""
    return GuiQt.convertFromPlainText(text) if text else ""


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A modal warning whose text is shown literally."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


@dataclass(frozen=True)
class Line:
    """One line of a :class:`PlainLines`: its text and a role of :data:`LINE_STYLES`."""

    text: str
    role: str = ""


class PlainLines(QWidget):
    """A column of plain-text labels, one per line, each styled by its role (not by markup)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(1)
        self.labels: list[QLabel] = []

    def set_lines(self, lines: list[Line]) -> None:
        while len(self.labels) > len(lines):
            label = self.labels.pop()
            self._column.removeWidget(label)
            label.deleteLater()
        while len(self.labels) < len(lines):
            label = plain_label(parent=self, selectable=True)
            self._column.addWidget(label)
            self.labels.append(label)
        for label, line in zip(self.labels, lines):
            label.setText(line.text)
            label.setStyleSheet(LINE_STYLES[line.role])

    def set_text(self, text: str) -> None:
        self.set_lines([Line(text)])

    def text(self) -> str:
        """Every line, joined with newlines (what the panel shows)."""
        return "\n".join(label.text() for label in self.labels)
