"""前后两期影像对比 in the case detail: the case's 前时相 / 后时相 chips side by side, with their epochs and dates.

A view over the core's :func:`inspector.imagery.chips.case_chips` (clipped from the workspace's local
MBTiles epochs, a few tile reads), which the case detail reads on the reading thread
(:mod:`ui.cases.case_detail_read`) and hands to :meth:`ImageryComparison.show_chips`; when no epoch
covers the case, a one-line note says so.
The chips carry the outline already drawn (yellow: the delivered patch, cyan: the verified extent).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGroupBox, QLabel, QWidget

from ui.cases.case_detail_read import CHIP_VIEW_PX, ChipView
from ui.layouts import hbox, vbox
from ui.plain_text import plain_label


class ImageryComparison(QGroupBox):
    """Two chips with their captions, or a note that no imagery covers the patch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("前后两期影像对比"), parent)
        self.setObjectName("imageryComparison")
        self.images: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        columns = []
        for role in ("before", "after"):
            image = QLabel(self)
            image.setFixedSize(CHIP_VIEW_PX, CHIP_VIEW_PX)
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            image.setObjectName(f"chip:{role}")
            caption = plain_label(parent=self, object_name="muted")
            self.images[role], self.captions[role] = image, caption
            columns.append(vbox(image, caption))
        self.note = plain_label(parent=self, object_name="muted")
        vbox(hbox(*columns), self.note, parent=self)

    def role_text(self, role: str) -> str:
        return self.tr("前时相") if role == "before" else self.tr("后时相")

    def show_chips(self, shown: dict[str, ChipView | None]) -> None:
        """Show the chips read for a case (``before`` / ``after``, either None)."""
        any_chip = any(shown.values())
        self.note.setText("" if any_chip else self.tr("没有覆盖该图斑的影像时相（imagery add）"))
        self.note.setVisible(not any_chip)
        for role, chip in shown.items():
            self.images[role].setVisible(any_chip)
            self.captions[role].setVisible(any_chip)
            self.images[role].setPixmap(QPixmap.fromImage(chip.image) if chip else QPixmap())
            if chip is None:
                self.images[role].setText(self.tr("（无影像）"))
            dated = f"{chip.epoch}（{chip.date}）" if chip and chip.date else chip.epoch if chip else ""
            self.captions[role].setText(f"{self.role_text(role)}：{dated}" if chip else self.role_text(role))

