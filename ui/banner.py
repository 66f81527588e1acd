"""A non-modal alert banner across the top of the window (used by the geofence).

It shows a message in white on red with a dismiss button and never takes
the focus, so the inspector keeps working while it is visible. The message
names zones (data), so it is plain text.
"""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QPushButton, QWidget

from ui.plain_text import plain_label


class Banner(QFrame):
    """A red bar with a message; :meth:`alert` shows it and beeps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("geofenceBanner")
        self.label = plain_label(parent=self)
        self.dismiss = QPushButton(self.tr("知道了"), self)
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss)
        self.hide()

    def alert(self, text: str, *, beep: bool = True) -> None:
        self.label.setText(text)
        self.show()
        if beep:
            QApplication.beep()
