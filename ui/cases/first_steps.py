"""What to do first in an empty workspace: shown in place of the case list while the workspace holds no case.

A new workspace has the administrative areas and nothing else; an empty
table would leave the user guessing. :class:`FirstSteps` says what comes
first and offers it as big buttons: 导入台账 (the problem ledger), 导入图层 (the
red-line, control-area and reserve maps) and 打开示例 (the demo workspace, sample
data). The window shows it while :func:`has_cases` is false and follows the
core's change summaries (an import that brings cases hides it).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from inspector.store.workspace import Workspace
from ui.layouts import STRETCH, vbox


def has_cases(ws: Workspace) -> bool:
    """Whether the workspace holds any case that is not deleted."""
    return ws.conn.execute("SELECT EXISTS(SELECT 1 FROM cases WHERE deleted = 0)").fetchone()[0] == 1


class FirstSteps(QWidget):
    """The placeholder of an empty workspace, with the first steps as buttons."""

    ledgerRequested = Signal()
    zonesRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstSteps")
        title = QLabel(self.tr("这个工作空间还没有问题"), self)
        title.setObjectName("firstStepsTitle")
        text = QLabel(self.tr("先导入问题台账（.xlsx / .csv），再导入生态保护红线、管控区域和自然保护地图层，"
                              "问题就会出现在列表和地图上。想先看看效果，可以打开示例工作空间（示例数据）。"), self)
        text.setWordWrap(True)
        self.ledger_button = QPushButton(self.tr("导入台账…"), self)
        self.ledger_button.setProperty("primary", True)
        self.ledger_button.clicked.connect(self.ledgerRequested)
        self.zones_button = QPushButton(self.tr("导入图层…"), self)
        self.zones_button.clicked.connect(self.zonesRequested)
        self.demo_button = QPushButton(self.tr("打开示例"), self)
        self.demo_button.clicked.connect(self.demoRequested)
        for label in (title, text):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        vbox(STRETCH, title, text, self.ledger_button, self.zones_button, self.demo_button, STRETCH,
             parent=self, margins=(32, 24, 32, 24)).setSpacing(14)
