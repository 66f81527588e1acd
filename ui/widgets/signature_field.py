"""A form row for one optional signature: 签名… opens the pad, the row says whether it is signed.

The signer's name is read when the pad opens (it is usually typed in the
same form); the captured signature (:class:`ui.widgets.signature_pad.Captured`)
is kept until the form is saved, or dropped with 清除签名.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ui.plain_text import plain_label
from ui.widgets.signature_pad import Captured, SignatureDialog


class SignatureField(QWidget):
    """签名… / 清除签名 and the state (未签名 / 已签名：name); :attr:`captured` is the signature, if any."""

    changed = Signal()

    def __init__(self, signer_role: str, signer_label: str, signer_name: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signer_role, self.signer_label, self.signer_name = signer_role, signer_label, signer_name
        self.captured: Captured | None = None
        self.dialog: SignatureDialog | None = None  # the open pad, if any
        self.sign_button = QPushButton(self.tr("签名…"), self)
        self.clear_button = QPushButton(self.tr("清除签名"), self)
        self.state = plain_label(parent=self, wrap=False, object_name="muted")
        self.sign_button.clicked.connect(self.open_pad)
        self.clear_button.clicked.connect(lambda: self._set(None))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sign_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.state, 1)
        self._set(None)

    def open_pad(self) -> SignatureDialog | None:
        name = self.signer_name().strip()
        if not name:
            self.state.setText(self.tr("请先填写签名人姓名"))
            return None
        dialog = SignatureDialog(self.signer_label, name, self)
        dialog.accepted.connect(lambda: self._set(Captured(dialog.png, self.signer_role, name) if dialog.png
                                                  else None))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _set(self, captured: Captured | None) -> None:
        self.captured = captured
        self.clear_button.setEnabled(captured is not None)
        self.state.setText(self.tr("已签名：{name}").format(name=captured.signer_name) if captured
                           else self.tr("未签名"))
        self.changed.emit()
