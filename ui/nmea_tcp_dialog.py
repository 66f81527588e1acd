"""The GPS menu's "NMEA TCP…" dialog: the host and port of a receiver or phone bridge serving NMEA on TCP.

Many RTK receivers and phone GNSS bridges (e.g. "NMEA over TCP" apps, ntrip
clients that forward the rover's NMEA) listen on a TCP port. The last address
used is remembered in the application settings.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

DEFAULT_HOST = "192.168.1.1"  # a typical receiver's own Wi-Fi address
DEFAULT_PORT = 9001  # a common NMEA TCP port of RTK receivers
HOST_KEY, PORT_KEY = "gps/nmea_tcp_host", "gps/nmea_tcp_port"


class NmeaTcpDialog(QDialog):
    """Asks for host and port; :meth:`address` gives them once accepted."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("NMEA TCP 数据源"))
        self.host = QLineEdit(str(settings.value(HOST_KEY, DEFAULT_HOST)), self)
        self.host.setMaxLength(253)
        self.host.setPlaceholderText(self.tr("接收机或手机的地址，如 192.168.1.1"))
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        try:
            self.port.setValue(int(str(settings.value(PORT_KEY, DEFAULT_PORT))))
        except ValueError:
            self.port.setValue(DEFAULT_PORT)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("主机"), self.host)
        form.addRow(self.tr("端口"), self.port)
        form.addRow(buttons)

    def _accept(self) -> None:
        if not self.host.text().strip():
            self.host.setFocus()
            return
        self.settings.setValue(HOST_KEY, self.host.text().strip())
        self.settings.setValue(PORT_KEY, self.port.value())
        self.accept()

    def address(self) -> tuple[str, int]:
        return self.host.text().strip(), self.port.value()
