"""GPS for the field: the position sources, the current fix and its freshness, and the geofence.

:class:`PositionFeed` runs one source at a time: the system's positioning
(QtPositioning, with what it gives: position and accuracy), or NMEA from a
serial receiver, from a receiver or phone bridge on TCP (reconnecting when
the connection drops) or from a log file replayed at the pace of its
timestamps (:mod:`ui.gps_sources`, read through the core's ``NmeaReader`` so
that fix type, satellites, HDOP and accuracy come with every fix). It
reports ``positionChanged(lon, lat, accuracy_m)`` and, with the receiver's
quality, ``fixChanged(GnssFix)``; :meth:`PositionFeed.current_fix` is the
latest fix while it is fresh (at most :data:`FRESH_FIX_S` old).
:class:`Geofence` looks each fix up in the workspace's zone index, reports
the zones you stand in, and ``entered(zones)`` when the position enters a
生态保护红线 or a core protection zone (核心保护区 / 核心区).
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QElapsedTimer, QIODevice, QObject, Signal
from PySide6.QtPositioning import QGeoPositionInfo, QGeoPositionInfoSource

from inspector.geo.attribution import lookup_for
from inspector.geo.gnss import GnssFix
from ui.gps_sources import NmeaDeviceSource, NmeaLineSource, NmeaReplaySource, NmeaTcpSource
from ui.labels import is_alert_zone
from ui.session import Session

FRESH_FIX_S = 5.0  # a fix older than this is no longer the current position, seconds
Fix = tuple[float, float, float | None]


class PositionFeed(QObject):
    """One active position source at a time; ``last_fix`` keeps the latest position, ``last_gnss`` its quality."""

    positionChanged = Signal(float, float, object)  # lon, lat, accuracy in metres or None
    fixChanged = Signal(object)  # GnssFix: the same position with its quality
    statusChanged = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source: QGeoPositionInfoSource | None = None
        self.nmea: NmeaLineSource | None = None
        self.last_fix: Fix | None = None
        self.last_gnss: GnssFix | None = None
        self.description = ""
        self._received = QElapsedTimer()  # since the last fix arrived

    def start_system(self) -> bool:
        """The platform's positioning (Windows location, GeoClue, …)."""
        source = QGeoPositionInfoSource.createDefaultSource(self)
        if source is None:
            self.statusChanged.emit(self.tr("没有可用的系统定位源"))
            return False
        self.stop()
        self.source, self.description = source, self.tr("系统定位")
        source.positionUpdated.connect(self._updated)
        source.errorOccurred.connect(lambda error: self.statusChanged.emit(
            self.tr("定位出错（{code}）").format(code=int(error.value) if hasattr(error, "value") else error)))
        source.startUpdates()
        self.statusChanged.emit(self.description)
        return True

    def start_nmea_log(self, path: str) -> bool:
        """Replay an NMEA log file at the pace of its timestamps."""
        try:
            handle = open(path, "rb")  # noqa: SIM115 - the replay source owns and closes it
        except OSError as exc:
            self.statusChanged.emit(self.tr("无法打开 NMEA 文件：{path}").format(path=f"{path}（{exc.strerror}）"))
            return False
        self._use(NmeaReplaySource(handle, self.tr("NMEA 回放"), self))
        return True

    def start_serial(self, port: str, baud: int = 9600) -> bool:
        """A GPS receiver speaking NMEA on a serial port (USB or Bluetooth SPP)."""
        from PySide6.QtSerialPort import QSerialPort

        device = QSerialPort(port, self)
        device.setBaudRate(baud)
        if not device.open(QIODevice.OpenModeFlag.ReadOnly):
            message = self.tr("无法打开串口 {port}：{error}")
            self.statusChanged.emit(message.format(port=port, error=device.errorString()))
            device.deleteLater()
            return False
        self._use(NmeaDeviceSource(device, self.tr("串口 GPS {port}").format(port=port), self))
        return True

    def start_tcp(self, host: str, port: int) -> bool:
        """A receiver or phone bridge serving NMEA on ``host:port`` (reconnects while it runs)."""
        if not host.strip() or not 0 < port < 65536:
            self.statusChanged.emit(self.tr("NMEA TCP 地址无效：{address}").format(address=f"{host}:{port}"))
            return False
        self._use(NmeaTcpSource(host.strip(), port, self))
        return True

    @property
    def receiver_connected(self) -> bool:
        """Whether an NMEA receiver (serial, TCP or a replayed log) is the current source."""
        return self.nmea is not None

    def current_fix(self, max_age_s: float = FRESH_FIX_S) -> GnssFix | None:
        """The latest fix with its quality while it is at most ``max_age_s`` old, else ``None``."""
        if self.last_gnss is None or not self._received.isValid():
            return None
        return self.last_gnss if self._received.elapsed() <= max_age_s * 1000 else None

    def receiver_fix(self) -> GnssFix | None:
        """The current fix when it comes from a connected NMEA receiver (photos record its quality), else ``None``."""
        return self.current_fix() if self.receiver_connected else None

    def _use(self, source: NmeaLineSource) -> None:
        self.stop()
        self.nmea = source
        self.description = getattr(source, "description", "")
        source.fix.connect(self.report)
        source.status.connect(self.statusChanged)
        source.start()  # type: ignore[attr-defined]  # every concrete NMEA source has start()

    def stop(self) -> None:
        if self.source is not None:
            self.source.stopUpdates()
            self.source.deleteLater()
        if self.nmea is not None:
            self.nmea.stop()
            self.nmea.deleteLater()
        self.source = self.nmea = None

    def _updated(self, info: QGeoPositionInfo) -> None:
        coordinate = info.coordinate()
        if not coordinate.isValid():
            return
        accuracy = None
        if info.hasAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy):
            value = info.attribute(QGeoPositionInfo.Attribute.HorizontalAccuracy)
            accuracy = value if math.isfinite(value) else None
        stamp = info.timestamp()
        when = None
        if stamp.isValid():
            when = datetime.fromtimestamp(stamp.toMSecsSinceEpoch() / 1000, timezone.utc)
        self.report(GnssFix(coordinate.longitude(), coordinate.latitude(), when, accuracy_m=accuracy))

    def report(self, fix: GnssFix) -> None:
        """A new fix from the current source: it becomes the current position."""
        self.last_gnss = fix
        self.last_fix = (fix.lon, fix.lat, fix.accuracy_m)
        self._received.start()
        self.positionChanged.emit(*self.last_fix)
        self.fixChanged.emit(fix)


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
