"""GPS for the field: position sources through QtPositioning, and the geofence.

:class:`PositionFeed` reads the system's position source, NMEA from a serial
GPS receiver (real time) or an NMEA log file (replayed in simulation mode,
at the pace of its timestamps), and reports ``positionChanged(lon, lat,
accuracy_m)`` and, with the receiver's quality, ``fixChanged(GnssFix)``.
:class:`Geofence` looks each fix up in the workspace's zone index, reports
the zones you stand in, and ``entered(zones)`` when the position enters a
生态保护红线 or a core protection zone (核心保护区 / 核心区).
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QFile, QIODevice, QObject, Signal
from PySide6.QtPositioning import QGeoPositionInfo, QGeoPositionInfoSource, QNmeaPositionInfoSource

from inspector.geo.attribution import lookup_for
from inspector.geo.gnss import GnssFix
from ui.labels import is_alert_zone
from ui.session import Session

NMEA_UERE_M = 5.0  # user equivalent range error: accuracy = HDOP × this, metres
Fix = tuple[float, float, float | None]


class PositionFeed(QObject):
    """One active position source at a time; ``last_fix`` keeps the latest position."""

    positionChanged = Signal(float, float, object)  # lon, lat, accuracy in metres or None
    fixChanged = Signal(object)  # GnssFix: the same position with its quality
    statusChanged = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source: QGeoPositionInfoSource | None = None
        self.device: QIODevice | None = None
        self.last_fix: Fix | None = None
        self.description = ""

    def start_system(self) -> bool:
        """The platform's positioning (Windows location, GeoClue, …)."""
        source = QGeoPositionInfoSource.createDefaultSource(self)
        if source is None:
            self.statusChanged.emit(self.tr("没有可用的系统定位源"))
            return False
        self._use(source, None, self.tr("系统定位"))
        return True

    def start_nmea_log(self, path: str) -> bool:
        """Replay an NMEA log file at the pace of its timestamps."""
        device = QFile(path, self)
        if not device.open(QIODevice.OpenModeFlag.ReadOnly):
            self.statusChanged.emit(self.tr("无法打开 NMEA 文件：{path}").format(path=path))
            return False
        source = QNmeaPositionInfoSource(QNmeaPositionInfoSource.UpdateMode.SimulationMode, self)
        source.setUserEquivalentRangeError(NMEA_UERE_M)
        source.setDevice(device)
        self._use(source, device, self.tr("NMEA 回放"))
        return True

    def start_serial(self, port: str, baud: int = 9600) -> bool:
        """A GPS receiver speaking NMEA on a serial port (USB or Bluetooth SPP)."""
        from PySide6.QtSerialPort import QSerialPort

        device = QSerialPort(port, self)
        device.setBaudRate(baud)
        if not device.open(QIODevice.OpenModeFlag.ReadOnly):
            message = self.tr("无法打开串口 {port}：{error}")
            self.statusChanged.emit(message.format(port=port, error=device.errorString()))
            return False
        source = QNmeaPositionInfoSource(QNmeaPositionInfoSource.UpdateMode.RealTimeMode, self)
        source.setUserEquivalentRangeError(NMEA_UERE_M)
        source.setDevice(device)
        self._use(source, device, self.tr("串口 GPS {port}").format(port=port))
        return True

    def _use(self, source: QGeoPositionInfoSource, device: QIODevice | None, description: str) -> None:
        self.stop()
        self.source, self.device, self.description = source, device, description
        source.positionUpdated.connect(self._updated)
        source.errorOccurred.connect(lambda error: self.statusChanged.emit(
            self.tr("定位出错（{code}）").format(code=int(error.value) if hasattr(error, "value") else error)))
        source.startUpdates()
        self.statusChanged.emit(description)

    def stop(self) -> None:
        if self.source is not None:
            self.source.stopUpdates()
            self.source.deleteLater()
        if self.device is not None:
            self.device.close()
            self.device.deleteLater()
        self.source = self.device = None

    def _updated(self, info: QGeoPositionInfo) -> None:
        coordinate = info.coordinate()
        if not coordinate.isValid():
            return
        accuracy = None
        if info.hasAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy):
            value = info.attribute(QGeoPositionInfo.Attribute.HorizontalAccuracy)
            accuracy = value if math.isfinite(value) else None
        self.last_fix = (coordinate.longitude(), coordinate.latitude(), accuracy)
        self.positionChanged.emit(*self.last_fix)
        stamp = info.timestamp()
        when = None
        if stamp.isValid():
            when = datetime.fromtimestamp(stamp.toMSecsSinceEpoch() / 1000, timezone.utc)
        self.fixChanged.emit(GnssFix(coordinate.longitude(), coordinate.latitude(), when, accuracy_m=accuracy))


class Geofence(QObject):
    """Zones at the current position; ``entered`` fires once per entry into an alert zone."""

    zonesChanged = Signal(list)  # every zone at the position, strictest first
    entered = Signal(list)  # alert zones newly entered

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.current: list[dict[str, Any]] = []
        self._inside_alert: set[int] = set()
        session.workspaceChanged.connect(self.reset)

    def reset(self) -> None:
        self.current, self._inside_alert = [], set()
        self.zonesChanged.emit([])

    def update(self, lon: float, lat: float) -> list[dict[str, Any]]:
        lookup = lookup_for(self.session.ws)
        zones = lookup.zone_records(lookup.zones.containing(lon, lat))
        if [z["id"] for z in zones] != [z["id"] for z in self.current]:
            self.current = zones
            self.zonesChanged.emit(zones)
        alert = {z["id"] for z in zones if is_alert_zone(z)}
        new = alert - self._inside_alert
        self._inside_alert = alert
        if new:
            self.entered.emit([z for z in zones if z["id"] in new])
        return zones
