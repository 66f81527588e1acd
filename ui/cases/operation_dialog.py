"""The dialogs that record something about a case (a finding, a rectification, the 两断三清 checklist).

Submitting starts the dialog's operation (:mod:`ui.operations`) and turns its
submit control off; the dialog closes only when the operation succeeds. A
refusal from the core (its reason, in the UI language) is shown in the
dialog, as plain text, and the user can correct the values and submit again.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from ui import operations
from ui.plain_text import plain_label
from ui.session import Session


class OperationDialog(QDialog):
    """A dialog for one case whose submit starts :meth:`start`; ``job`` is that operation while it runs."""

    def __init__(self, session: Session, case_uuid: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session, self.case_uuid = session, case_uuid
        self.job: operations.Job | None = None
        self.errors = plain_label(parent=self, object_name="refusal")  # a refusal, or what to correct first
        self.errors.hide()

    def start(self) -> operations.Job:
        """Start the operation with the dialog's values."""
        raise NotImplementedError

    def submit_control(self) -> QWidget:
        """The button (or button box) that submits: off while the operation runs."""
        raise NotImplementedError

    def submit(self) -> operations.Job | None:
        """Start the operation (None while one runs already); the dialog closes once it succeeds."""
        if self.job is not None:
            return None
        self.submit_control().setEnabled(False)
        self.job = self.start()
        self.job.succeeded.connect(lambda result: self.accept())
        self.job.failed.connect(self._refused)
        return self.job

    def _refused(self, message: str) -> None:
        self.job = None
        self.errors.setText(message)
        self.errors.show()
        self.submit_control().setEnabled(True)
