"""GNSS sources on the core's NMEA reader (issue 16 item 3): a receiver on TCP (a real local socket server)
that refuses, then drops the connection and comes back; a log replayed at the pace of its timestamps; every
fix carries its fix type, satellites, HDOP and accuracy."""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timezone

import pytest

import tests.qt_env  # noqa: F401
from tests.gnss_fixtures import walk_sentences

START = datetime(2026, 5, 1, 2, 30, tzinfo=timezone.utc)
WALK = [(120.43 + i * 0.0001, 33.6 + i * 0.00005) for i in range(20)]


@pytest.fixture
def feed(qapp):
    from ui.gps import PositionFeed

    position_feed = PositionFeed()
    yield position_feed
    position_feed.stop()
    position_feed.deleteLater()


class NmeaServer(threading.Thread):
    """Bound at once, listening only when told: serves the first half of the walk, drops the connection,
    then serves the rest (with a junk line) on the next connection and holds it open until closed."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(daemon=True)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lines = lines
        self.listening = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        self.listening.wait(30)
        self.server.listen(2)
        self.server.settimeout(30)
        half = len(self.lines) // 2
        first, _ = self.server.accept()
        with first:
            first.sendall(("\r\n".join(self.lines[:half]) + "\r\n").encode())
        second, _ = self.server.accept()
        with second:
            junk = "$" + "X" * 5000 + "\r\n" + "$GNGGA,bad*00\r\n"
            second.sendall((junk + "\r\n".join(self.lines[half:]) + "\r\n").encode())
            self.done.wait(30)
        self.server.close()


def test_tcp_source_reconnects_and_reads_every_fix_with_its_quality(feed, qtbot):
    from ui.gps_sources import NmeaTcpSource

    server = NmeaServer(walk_sentences(WALK, START, 1.0, satellites=14, hdop=0.7, gst_sigma_m=0.02, quality=4))
    fixes, statuses = [], []
    feed.fixChanged.connect(fixes.append)
    feed.statusChanged.connect(statuses.append)
    server.start()
    try:
        assert feed.start_tcp("127.0.0.1", server.port)
        source = feed.nmea
        assert isinstance(source, NmeaTcpSource) and feed.receiver_connected
        qtbot.waitUntil(lambda: any("连接断开" in s for s in statuses), timeout=10_000)  # refused: not listening
        assert source.connections == 0
        server.listening.set()
        qtbot.waitUntil(lambda: len(fixes) >= len(WALK) // 2, timeout=20_000)
        qtbot.waitUntil(lambda: len(fixes) == len(WALK), timeout=20_000)  # after the dropped connection
        assert source.connections == 2
        assert [(f.lon, f.lat) for f in fixes] == [pytest.approx(p, abs=1e-7) for p in WALK]
        last = fixes[-1]
        assert (last.fix_type, last.satellites, last.hdop) == ("rtk_fixed", 14, 0.7)
        assert last.accuracy_m == pytest.approx(0.028, abs=1e-3)  # GST: hypot(0.02, 0.02)
        assert last.time_utc == START.replace(second=19)
        assert source.reader.rejected >= 2  # the over-long line and the bad checksum
        assert feed.current_fix() == last and feed.last_fix == (last.lon, last.lat, last.accuracy_m)
        assert statuses[-1] == f"NMEA TCP 127.0.0.1:{server.port}"
    finally:
        server.done.set()
        feed.stop()
    server.join(10)
    assert not feed.receiver_connected


def test_replay_keeps_the_pace_of_the_timestamps(feed, qtbot, tmp_path):
    from PySide6.QtCore import QElapsedTimer

    log = tmp_path / "walk.nmea"
    log.write_text("\n".join(["garbage", "$" + "Y" * 2000] + walk_sentences(WALK[:6], START, 0.2, hdop=1.2)) + "\n")
    fixes, times = [], []
    clock = QElapsedTimer()
    clock.start()
    feed.fixChanged.connect(lambda fix: (fixes.append(fix), times.append(clock.elapsed())))
    assert feed.start_nmea_log(str(log))
    qtbot.waitUntil(lambda: len(fixes) == 6, timeout=10_000)
    assert times[-1] - times[0] >= 950  # five 0.2 s steps
    assert [f.satellites for f in fixes] == [9] * 6 and fixes[0].accuracy_m == pytest.approx(6.0)
    assert feed.nmea.reader.rejected == 1  # the over-long line; "garbage" is not a sentence
    assert not feed.start_nmea_log(str(tmp_path / "missing.nmea"))


def test_bad_tcp_address_is_refused(feed):
    statuses = []
    feed.statusChanged.connect(statuses.append)
    assert not feed.start_tcp("", 9001) and not feed.start_tcp("127.0.0.1", 0)
    assert statuses and "无效" in statuses[-1]
