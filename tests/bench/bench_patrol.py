"""Benchmark: a patrol logging 10 Hz × 8 h of fixes (288,000) in the real main window, against the logger alone.

Run: ``.venv/bin/python tests/bench/bench_patrol.py [--fixes 288000] [--step-m 1.5]``. Not part of the test run.

Ours: the main window (offscreen, map page loaded) on a copy of the demo workspace, a patrol started through
:class:`ui.patrols.patrol_controller.PatrolController`, and a feeder on the GUI thread (where a receiver's fixes arrive)
emitting ``PositionFeed.fixChanged`` :data:`FEED_CHUNK` at a time as fast as the logger absorbs them (it
keeps at most :data:`MAX_IN_FLIGHT` fixes emitted and not yet logged, since a real receiver never outruns the
logger). The fixes mow a 2 km × N field in ``--step-m`` steps, 0.1 s
apart, 4.5 m accuracy; with the 5 m spacing about one in four is kept at 1.5 m. A probe ``QTimer`` every
:data:`PROBE_MS` ms on the GUI thread measures the worst stall (gap between ticks beyond the interval), its 99th
percentile and how many probes went over the target; RSS of
the main process is sampled at the start, the peak and the end. Target: worst stall ≤ 50 ms, RSS flat.

Peer (same run, same fixes, a fresh copy of the workspace): the core's
:class:`inspector.patrols.track_logger.TrackLogger` in a plain loop without the GUI, and as a floor the kept
points written by plain ``sqlite3`` ``executemany`` in one transaction.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from summary import floor_row  # noqa: E402

import tests.qt_env  # noqa: E402,F401  (offscreen, map scheme: before the QApplication)
from inspector.casework.authority import Actor  # noqa: E402
from inspector.geo.gnss import GnssFix  # noqa: E402

PROBE_MS = 10  # probe timer interval, milliseconds
STALL_TARGET_MS = 50  # worst GUI-thread stall allowed, milliseconds
MAX_IN_FLIGHT = 2_000  # fixes emitted and not yet looked at by the logger
FEED_CHUNK = 50  # fixes emitted per turn of the event loop
FIELD_M = 2_000.0  # metres per row of the mowing pattern
ROW_SPACING_M = 20.0  # metres between rows
ORIGIN = (120.30, 33.55)  # lon, lat near 盐城
M_PER_DEG_LAT = 110_950.0  # metres per degree of latitude at 33.5° N
M_PER_DEG_LON = 92_700.0  # metres per degree of longitude at 33.5° N
ACTOR = Actor("bench", "bench", ("inspector",), None, "local", "2999-01-01T00:00:00Z")


def fixes(count: int, step_m: float) -> list[GnssFix]:
    start = dt.datetime(2026, 5, 1, 0, 0, tzinfo=dt.timezone.utc)
    made = []
    for index in range(count):
        along = index * step_m
        row, offset = divmod(along, FIELD_M)
        east = offset if int(row) % 2 == 0 else FIELD_M - offset
        made.append(GnssFix(ORIGIN[0] + east / M_PER_DEG_LON, ORIGIN[1] + row * ROW_SPACING_M / M_PER_DEG_LAT,
                            start + dt.timedelta(milliseconds=100 * index), "gps", 12, 0.9, 4.5, 3.0))
    return made


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_gui(root: Path, feed: list[GnssFix]) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector.store.workspace import Workspace
    from ui.main_window import MainWindow
    from ui.session import Session

    app = QApplication.instance() or QApplication(sys.argv[:1])
    session = Session(Workspace.open(root), actor=ACTOR)
    window = MainWindow(session)
    window.resize(1366, 768)
    window.show()
    result: dict = {}

    def wait_for(condition, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.005)

    wait_for(lambda: window.map_ready, 120)
    job = window.patrols.start("基准巡查", [], None)
    wait_for(lambda: job.done, 60)
    controller = window.patrols
    wait_for(lambda: controller.worker is not None and controller.worker.ready.is_set(), 60)
    worker = controller.worker
    clock = QElapsedTimer()
    stalls: list[float] = []
    last = [0]

    def probe() -> None:
        now = clock.elapsed()
        stalls.append(max(now - last[0] - PROBE_MS, 0))
        last[0] = now

    timer = QTimer()
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    position = [0]

    def feed_some() -> None:  # on the GUI thread, as a receiver's fixes arrive there
        if position[0] - (worker.offered - worker.backlog()) > MAX_IN_FLIGHT:
            return
        signal = window.gps.fixChanged
        for fix in feed[position[0]:position[0] + FEED_CHUNK]:
            signal.emit(fix)
        position[0] += FEED_CHUNK
        if position[0] >= len(feed):
            feeder.stop()

    feeder = QTimer()
    feeder.setInterval(0)
    feeder.timeout.connect(feed_some)
    rss_start, rss_peak = rss_mb(), 0.0
    started = time.perf_counter()
    clock.start()
    timer.start()
    feeder.start()
    samples = 0
    while not (worker.offered == len(feed) and worker.backlog() == 0):
        app.processEvents()
        time.sleep(0.001)
        samples += 1
        if samples % 1000 == 0:
            rss_peak = max(rss_peak, rss_mb())
    timer.stop()
    fed_s = time.perf_counter() - started
    result["rss_end_mb"] = rss_mb()
    ranked = sorted(stalls)
    result.update(seconds=fed_s, worst_stall_ms=ranked[-1], p99_stall_ms=ranked[len(ranked) * 99 // 100],
                  stalls_over_target=sum(1 for ms in ranked if ms > STALL_TARGET_MS), probes=len(stalls),
                  rss_start_mb=rss_start, rss_peak_mb=max(rss_peak, result["rss_end_mb"]))
    end = controller.end()
    wait_for(lambda: end.done, 600)
    result["ended"] = dict(end.result)
    result["committed"] = session.ws.conn.execute("SELECT count(*) FROM patrol_points").fetchone()[0]
    session.pool.waitForDone()
    window.gps.stop()
    import shiboken6

    window.close()
    window.deleteLater()  # the WebEngine page must be gone before its profile
    from PySide6.QtCore import QEvent

    def deleted() -> bool:
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        return not shiboken6.isValid(window)
    wait_for(deleted, 60)
    session.close()
    return result


def run_logger_alone(root: Path, feed: list[GnssFix]) -> tuple[float, list[tuple]]:
    from inspector.patrols.patrols import start_patrol
    from inspector.patrols.track_logger import TrackLogger
    from inspector.store.db import connect
    from inspector.store.workspace import Workspace

    with Workspace.open(root) as ws:
        uuid = start_patrol(ws, purpose="基准巡查", actor=ACTOR)["uuid"]
    conn = connect(root / "workspace.sqlite")
    logger = TrackLogger(conn, uuid)
    started = time.perf_counter()
    for fix in feed:
        logger.offer(fix)
    seconds = time.perf_counter() - started
    rows = conn.execute("SELECT patrol_id, seq + 1000000, segment, lon, lat, time_utc, fix_type, satellites, hdop, "
                        "accuracy_m, altitude_m FROM patrol_points").fetchall()
    conn.close()
    return seconds, [tuple(row) for row in rows]


def run_executemany(root: Path, rows: list[tuple]) -> float:
    conn = sqlite3.connect(root / "workspace.sqlite", isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO patrol_points (patrol_id, seq, segment, lon, lat, time_utc, fix_type, satellites, "
                     "hdop, accuracy_m, altitude_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    from inspector.demo.workspace import build_demo_workspace

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=int, default=288_000, help="fixes fed (10 Hz × 8 h = 288,000)")
    parser.add_argument("--step-m", type=float, default=1.5, help="metres between consecutive fixes")
    args = parser.parse_args()
    feed = fixes(args.fixes, args.step_m)
    with tempfile.TemporaryDirectory(prefix="bench-patrol-") as tmp:
        template = Path(tmp) / "demo"
        build_demo_workspace(template).close()
        shutil.copytree(template, Path(tmp) / "gui")
        shutil.copytree(template, Path(tmp) / "peer")
        gui = run_gui(Path(tmp) / "gui", feed)
        alone_s, rows = run_logger_alone(Path(tmp) / "peer", feed)
        many_s = run_executemany(Path(tmp) / "peer", rows)
    kept = gui["committed"]
    print(f"fixes fed: {args.fixes:,} ({args.step_m} m apart, 0.1 s apart); points committed: {kept:,} "
          f"(logger alone: {len(rows):,}); patrol distance {gui['ended']['distance_m'] / 1000:.1f} km")
    print(f"ours (main window, patrol running, map live): {gui['seconds']:.1f} s = "
          f"{args.fixes / gui['seconds']:,.0f} fixes/s, {1000 * gui['seconds'] / max(kept, 1):.2f} ms per point")
    print(f"peer 1, TrackLogger alone (no GUI): {alone_s:.1f} s = {args.fixes / alone_s:,.0f} fixes/s; "
          f"ours / peer = {gui['seconds'] / alone_s:.2f}")
    print(f"peer 2, sqlite3 executemany of the kept points in one transaction: {many_s:.2f} s; "
          f"ours / peer = {gui['seconds'] / many_s:.0f}")
    print(f"GUI thread worst stall: {gui['worst_stall_ms']:.0f} ms over {gui['probes']:,} probes "
          f"(target ≤ {STALL_TARGET_MS} ms): {'OK' if gui['worst_stall_ms'] <= STALL_TARGET_MS else 'OVER'}; "
          f"99th percentile {gui['p99_stall_ms']:.0f} ms; {gui['stalls_over_target']} probe(s) over the target")
    floor_row("patrol 10 Hz × 8 h: worst GUI stall", gui["worst_stall_ms"], "ms", STALL_TARGET_MS,
              higher_is_better=False, peer=f"99th percentile {gui['p99_stall_ms']:.0f} ms")
    print(f"RSS main process: start {gui['rss_start_mb']:.0f} MB, peak {gui['rss_peak_mb']:.0f} MB, "
          f"end {gui['rss_end_mb']:.0f} MB (growth {gui['rss_end_mb'] - gui['rss_start_mb']:+.0f} MB)")


if __name__ == "__main__":
    main()
