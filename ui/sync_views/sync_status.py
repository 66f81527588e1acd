"""The sync line of the status bar: the running phase with a progress bar and Cancel, or how the last sync ended.

Wraps a :class:`ui.sync_views.sync_controller.SyncController`: ``started`` and
``progress`` show the phase and a bar (busy while the total is unknown),
``finished`` a one-line outcome — grey when merely offline or not set up,
amber when records were refused or quarantined, red when it failed or needs
a login — and a 详情 button that asks for the result dialog. Built from the
controller's current state, so a language switch that rebuilds the status
bar loses nothing.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ui.plain_text import plain_tooltip
from ui.sync_views.sync_controller import SyncController, SyncOutcome
from ui.sync_views.sync_text import error_text, outcome_text, phase_text

BAR_WIDTH_PX = 140
QUIET = ("offline", "unconfigured", "cancelled")


class SyncStatus(QWidget):
    """Phase label, progress bar, Cancel and 详情 for the status bar."""

    detailsRequested = Signal()

    def __init__(self, controller: SyncController, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(BAR_WIDTH_PX)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(self.tr("取消同步"), self)
        self.cancel_button.clicked.connect(controller.cancel)
        self.details_button = QPushButton(self.tr("详情"), self)
        self.details_button.clicked.connect(self.detailsRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for widget in (self.label, self.bar, self.cancel_button, self.details_button):
            layout.addWidget(widget)
        controller.started.connect(self.show_started)
        controller.progress.connect(self.show_progress)
        controller.finished.connect(self.show_outcome)
        if controller.running and controller.phase is not None:
            self.show_started()
            self.show_progress(*controller.phase)
        elif controller.last is not None:
            self.show_outcome(controller.last)
        else:
            self._idle()

    def _idle(self) -> None:
        self.label.clear()
        for widget in (self.bar, self.cancel_button, self.details_button):
            widget.hide()

    def show_started(self) -> None:
        self.label.setStyleSheet("color: #1b6e4f;")
        self.label.setToolTip("")
        self.details_button.hide()
        self.bar.show()
        self.cancel_button.show()

    def show_progress(self, phase: str, done: int, total: int) -> None:
        self.label.setText(self.tr("同步中：{phase}").format(phase=phase_text(phase)))
        if phase in ("push", "zones") and 0 < total and done <= total:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        else:
            self.bar.setRange(0, 0)  # busy: no meaningful total (connecting, photos, pull pages)

    def show_outcome(self, outcome: SyncOutcome) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        self.label.setText(outcome_text(outcome))
        self.label.setToolTip(plain_tooltip(error_text(outcome.error)))
        if outcome.kind in QUIET:
            colour = "#6b7570"
        elif outcome.kind == "done" and not (outcome.report and (outcome.report.conflicts or outcome.report.rejected
                                                                  or outcome.report.quarantined)):
            colour = "#1b6e4f"
        elif outcome.kind == "done":
            colour = "#a14d00"
        else:
            colour = "#b71c1c"
        self.label.setStyleSheet(f"color: {colour};")
        self.details_button.setVisible(outcome.kind in ("done", "failed"))
