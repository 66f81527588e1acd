"""Banners across the top of the window: the geofence's alert and the demo workspace's 示例数据 notice.

:class:`Banner` shows a message in white on red with a dismiss button and
never takes the focus, so the inspector keeps working while it is visible.
The message names zones (data), so it is plain text. :class:`DemoNotice`
stays while the demo workspace is open.
"""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.plain_text import plain_label
from ui.session import Session


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


class DemoNotice(QFrame):
    """示例数据: a calm strip across the top while the open workspace is the demo (its meta ``demo`` is 1), so
    that nobody mistakes the generated sample cases for real enforcement records."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("demoBanner")
        self.label = QLabel(self.tr("示例数据：这是生成的示例工作空间，不是真实的执法记录。"
                                    "新建或打开自己的工作空间：文件 → 新建工作空间…"), self)
        self.label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 14, 6)
        layout.addWidget(self.label, 1)
        session.workspaceChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.setVisible(self.session.ws.meta("demo") == "1")
