"""GNSS sources that speak NMEA: a serial receiver, a receiver or phone bridge on TCP, a replayed log.

Each source reads NMEA lines from its device and turns them into
:class:`inspector.geo.gnss.GnssFix` values through the core's one
:class:`~inspector.geo.gnss.NmeaReader`, so that the fix type, satellites,
HDOP and accuracy come with every position, whatever the source. Every
source emits ``fix(GnssFix)`` and ``status(str)`` (plain text for the status
bar) and is stopped with :meth:`stop`.

- :class:`NmeaDeviceSource` reads an open ``QIODevice`` as bytes arrive
  (a ``QSerialPort``): lines longer than :data:`MAX_LINE_BYTES` are dropped
  whole, never buffered without bound.
- :class:`NmeaTcpSource` connects to ``host:port`` with a ``QTcpSocket`` and,
  when the connection fails or drops, reconnects after a delay that doubles
  from :data:`RECONNECT_FIRST_S` up to :data:`RECONNECT_MAX_S` (back to the
  first after a connection that delivered a fix), saying so in its status.
- :class:`NmeaReplaySource` replays a log file at the pace of its fixes'
  timestamps (a gap is capped at :data:`REPLAY_MAX_GAP_S`; fixes without a
  time come :data:`REPLAY_UNTIMED_STEP_S` apart), reading the file a line at
  a time so that a day-long log costs no memory.
"""
from __future__ import annotations

from typing import BinaryIO

from PySide6.QtCore import QElapsedTimer, QIODevice, QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QTcpSocket

from inspector.geo.gnss import GnssFix, NmeaReader

MAX_LINE_BYTES = 512  # a longer "line" is junk, dropped: NMEA sentences are at most 82 characters
RECONNECT_FIRST_S = 0.5  # first delay before reconnecting to a TCP source, seconds
RECONNECT_MAX_S = 30.0  # longest delay between reconnection attempts, seconds
CONNECT_TIMEOUT_MS = 10_000  # a TCP connection not established by then counts as failed, milliseconds
REPLAY_MAX_GAP_S = 5.0  # a longer pause in a replayed log is shortened to this, seconds
REPLAY_UNTIMED_STEP_S = 1.0  # pace of replayed fixes that carry no time, seconds


class NmeaLineSource(QObject):
    """What every NMEA source shares: the reader, the line buffer, the signals."""

    fix = Signal(object)  # GnssFix
    status = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = NmeaReader()
        self._partial = b""

    def feed_bytes(self, data: bytes) -> None:
        """Split arriving bytes into lines and read each; a fix goes out as soon as it is complete."""
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE_BYTES:
            self._partial = b""
            self.reader.rejected += 1
        for line in lines:
            if len(line) > MAX_LINE_BYTES:
                self.reader.rejected += 1
                continue
            found = self.reader.feed(line)
            if found is not None:
                self.fix.emit(found)

    def stop(self) -> None:
        """Stop reading (subclasses close their device)."""


class NmeaDeviceSource(NmeaLineSource):
    """NMEA from an open device (a serial port), read as it arrives."""

    def __init__(self, device: QIODevice, description: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device = device
        self.description = description
        device.readyRead.connect(self._read)

    def start(self) -> None:
        self.status.emit(self.description)
        self._read()

    def _read(self) -> None:
        data = bytes(self.device.readAll().data())
        if data:
            self.feed_bytes(data)

    def stop(self) -> None:
        self.device.readyRead.disconnect(self._read)
        self.device.close()


class NmeaTcpSource(NmeaLineSource):
    """NMEA from ``host:port`` over TCP, reconnecting with backoff while it runs."""

    def __init__(self, host: str, port: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.port = host, port
        self.socket = QTcpSocket(self)
        self.socket.readyRead.connect(self._read)
        self.socket.connected.connect(self._connected)
        self.socket.disconnected.connect(self._lost)
        self.socket.errorOccurred.connect(self._failed)
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.timeout.connect(self._connect)
        self.watchdog = QTimer(self)
        self.watchdog.setSingleShot(True)
        self.watchdog.timeout.connect(self._connect_timed_out)
        self.delay_s = RECONNECT_FIRST_S
        self.connections = 0  # connections established so far (the first and every reconnection)
        self._running = False
        self._had_fix = False
        self.fix.connect(self._got_fix)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> None:
        self._running = True
        self._connect()

    def stop(self) -> None:
        self._running = False
        self.retry.stop()
        self.watchdog.stop()
        self.socket.abort()

    def _connect(self) -> None:
        if not self._running:
            return
        self._partial, self._had_fix = b"", False
        self.status.emit(self.tr("NMEA TCP {address}：正在连接…").format(address=self.address))
        self.socket.abort()
        self.socket.connectToHost(self.host, self.port, QIODevice.OpenModeFlag.ReadOnly)
        self.watchdog.start(CONNECT_TIMEOUT_MS)

    def _connected(self) -> None:
        self.watchdog.stop()
        self.connections += 1
        self.status.emit(self.tr("NMEA TCP {address}").format(address=self.address))

    def _got_fix(self, _fix: GnssFix) -> None:
        if not self._had_fix:
            self._had_fix, self.delay_s = True, RECONNECT_FIRST_S

    def _read(self) -> None:
        data = bytes(self.socket.readAll().data())
        if data:
            self.feed_bytes(data)

    def _connect_timed_out(self) -> None:
        self.socket.abort()
        self._schedule_retry()

    def _failed(self, error: QAbstractSocket.SocketError) -> None:
        if error != QAbstractSocket.SocketError.RemoteHostClosedError:  # a close also emits disconnected
            self.watchdog.stop()
            self._schedule_retry()

    def _lost(self) -> None:
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if not self._running or self.retry.isActive():
            return
        self.status.emit(self.tr("NMEA TCP {address}：连接断开，{s:.0f} 秒后重连").format(
            address=self.address, s=max(self.delay_s, 1.0)))
        self.retry.start(int(self.delay_s * 1000))
        self.delay_s = min(self.delay_s * 2, RECONNECT_MAX_S)


class NmeaReplaySource(NmeaLineSource):
    """A log file's fixes, one at a time, as far apart as their timestamps say."""

    finished = Signal()

    def __init__(self, handle: BinaryIO, description: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.handle = handle
        self.description = description
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._emit_next)
        self.clock = QElapsedTimer()
        self._next: GnssFix | None = None
        self._schedule_s = 0.0  # when the next fix is due, seconds since the first

    def start(self) -> None:
        self.status.emit(self.description)
        self.clock.start()
        self._next = self._read_fix()
        self._emit_next()

    def stop(self) -> None:
        self.timer.stop()
        self.handle.close()

    def _read_fix(self) -> GnssFix | None:
        if self.handle.closed:
            return None
        while True:
            line = self.handle.readline(MAX_LINE_BYTES + 1)
            if not line:
                return self.reader.flush()
            if len(line) > MAX_LINE_BYTES:
                self.reader.rejected += 1
                while line and not line.endswith(b"\n"):  # skip the rest of the over-long line
                    line = self.handle.readline(MAX_LINE_BYTES + 1)
                continue
            found = self.reader.feed(line)
            if found is not None:
                return found

    def _emit_next(self) -> None:
        current = self._next
        if current is None:
            self.finished.emit()
            return
        self.fix.emit(current)
        self._next = self._read_fix()
        if self._next is None:
            self.finished.emit()
            return
        self._schedule_s += _gap_s(current, self._next)
        self.timer.start(max(0, int(self._schedule_s * 1000 - self.clock.elapsed())))


def _gap_s(earlier: GnssFix, later: GnssFix) -> float:
    """Seconds between two replayed fixes, as the log's timestamps say (bounded)."""
    if earlier.time_utc is None or later.time_utc is None:
        return REPLAY_UNTIMED_STEP_S
    gap = (later.time_utc - earlier.time_utc).total_seconds()
    return min(max(gap, 0.0), REPLAY_MAX_GAP_S)
