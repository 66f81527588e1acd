"""巡查 in the GUI (issue 16, item 4): start → a replayed walk logged and drawn live → pause / resume → end,
and a patrol that survives the app being killed: every committed point kept, the patrol resumed on start-up."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from inspector.cli.main import main as cli_main
from inspector.store.db import connect
from inspector.store.workspace import Workspace
from tests.gnss_fixtures import walk_sentences
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import DEMO_TEST_COUNTY, account, open_session, run_js, show_exposed, wait_job

REPO = Path(__file__).resolve().parents[1]
USER = "测试员"
ORIGIN = (120.4300, 33.5977)  # the demo's wetland reserve, where tests/data/walk_into_core_zone.nmea walks
STEP_DEG = 0.00012  # degrees of longitude between fixes: about 11 m at 33.6° N, over the 5 m spacing


def write_walk(path: Path, count: int, *, first: int = 0, step_s: float = 0.05) -> Path:
    """An NMEA log of ``count`` fixes walking east from the origin (fix ``first`` onwards), ``step_s`` apart."""
    points = [(ORIGIN[0] + (first + index) * STEP_DEG, ORIGIN[1]) for index in range(count)]
    start = dt.datetime(2026, 5, 1, 2, 30, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=first)
    path.write_text("\n".join(walk_sentences(points, start, step_s)) + "\n", encoding="ascii")
    return path


def committed_points(root: Path) -> list[tuple[int, int, float, float]]:
    conn = connect(root / "workspace.sqlite", readonly=True)
    try:
        return [tuple(row) for row in conn.execute("SELECT seq, segment, lon, lat FROM patrol_points ORDER BY seq")]
    finally:
        conn.close()


def track_on_map(qtbot, window) -> dict:
    return run_js(qtbot, window.map_view, "LvdunMap.trackStats()")


def test_patrol_start_walk_pause_resume_end(window, qtbot, tmp_path, capsys):
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)
    assert window.actions_by_name["patrol_start"].isEnabled()
    assert not window.actions_by_name["patrol_pause"].isEnabled()
    result, error = wait_job(qtbot, window.patrols.start("常态化巡查", ["张三", "李四"], "盐城湿地"))
    assert error is None and result["status"] == "running" and result["recorded_by"] == USER
    assert window.actions_by_name["patrol_pause"].isEnabled() and not window.actions_by_name["patrol_start"].isEnabled()

    assert window.replay_nmea(str(write_walk(tmp_path / "walk1.nmea", 12)))
    qtbot.waitUntil(lambda: track_on_map(qtbot, window)["points"] == 12, timeout=30_000)
    assert len(committed_points(window.session.root)) == 12
    drawn = track_on_map(qtbot, window)
    assert drawn["segments"] == 1 and abs(drawn["last"][0] - (ORIGIN[0] + 11 * STEP_DEG)) < 1e-6
    qtbot.waitUntil(lambda: "12 点" in window.patrols.status.text(), timeout=5_000)
    assert window.patrols.status.text().startswith("巡查中")

    # a problem recorded meanwhile links to the patrol
    from ui import operations

    case, error = wait_job(qtbot, operations.create_field_case(
        session=window.session, lon=ORIGIN[0], lat=ORIGIN[1], problem_type="其他", description="巡查中发现"))
    assert error is None
    linked = window.session.ws.conn.execute("SELECT patrol_uuid FROM cases WHERE uuid = ?",
                                            (case["uuid"],)).fetchone()[0]
    assert linked == window.patrols.patrol["uuid"]

    paused, error = wait_job(qtbot, window.patrols.pause())
    assert error is None and paused["status"] == "paused" and paused["point_count"] == 12
    assert window.patrols.status.text().startswith("巡查已暂停")
    assert window.actions_by_name["patrol_resume"].isEnabled()
    resumed, error = wait_job(qtbot, window.patrols.resume())
    assert error is None and resumed["status"] == "running"
    assert window.replay_nmea(str(write_walk(tmp_path / "walk2.nmea", 8, first=30)))
    qtbot.waitUntil(lambda: track_on_map(qtbot, window)["points"] == 20, timeout=30_000)
    assert track_on_map(qtbot, window)["segments"] == 2
    assert {segment for _, segment, _, _ in committed_points(window.session.root)} == {1, 2}

    ended, error = wait_job(qtbot, window.patrols.end())
    assert error is None and ended["status"] == "ended" and ended["point_count"] == 20
    assert window.patrols.patrol is None and window.patrols.status.isHidden()
    assert "巡查已结束" in window.statusBar().currentMessage()
    assert track_on_map(qtbot, window)["points"] == 0
    window.session.pool.waitForDone()

    capsys.readouterr()
    assert cli_main(["--workspace", str(window.session.root), "patrol", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    patrols = listed if isinstance(listed, list) else listed.get("patrols", listed)
    mine = [p for p in patrols if p["uuid"] == ended["uuid"]][0]
    # 11 steps of ~11.1 m in the first segment, 7 in the second: the gap between segments is not walked
    assert 18 * 11.0 < mine["distance_m"] < 18 * 11.3
    assert mine["duration_s"] > 0 and mine["point_count"] == 20 and mine["team_members"] == ["张三", "李四"]


def test_killed_mid_patrol_keeps_every_point_and_resumes(demo_ws, qapp, qt_settings, qtbot, tmp_path):
    root = demo_ws.root
    demo_ws.close()
    log = write_walk(tmp_path / "long.nmea", 2000, step_s=0.1)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, str(REPO / "tests" / "patrol_gui_driver.py"), str(root), USER,
                                str(log)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen: list = []

        def enough_or_exited() -> bool:  # the condition: the driver committed 25 points (or died)
            seen[:] = committed_points(root)
            return len(seen) >= 25 or process.poll() is not None
        qtbot.waitUntil(enough_or_exited, timeout=120_000)
        assert process.poll() is None, process.communicate()[1].decode(errors="replace")[-3000:]
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
    after = committed_points(root)
    assert after[:len(seen)] == seen  # every point committed before the kill is there, unchanged
    assert [seq for seq, *_ in after] == list(range(1, len(after) + 1))  # no hole
    with Workspace.open(root) as ws:
        rows = ws.conn.execute("SELECT status, recorded_by FROM patrols").fetchall()
        assert [tuple(row) for row in rows] == [("running", USER)]

    with open_session(qapp, root, account(USER, jurisdiction=DEMO_TEST_COUNTY)) as session:
        from tests.ui_fixtures import dispose
        from ui.main_window import MainWindow

        window = show_exposed(qtbot, MainWindow(session))
        try:
            assert window.patrols.patrol is not None and window.patrols.patrol["status"] == "running"
            assert window.patrols.resumed and "已恢复进行中的巡查" in window.statusBar().currentMessage()
            qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)
            qtbot.waitUntil(lambda: track_on_map(qtbot, window)["points"] == len(after), timeout=30_000)
            assert window.replay_nmea(str(write_walk(tmp_path / "more.nmea", 5, first=3000)))
            qtbot.waitUntil(lambda: len(committed_points(root)) == len(after) + 5, timeout=30_000)
            assert committed_points(root)[:len(after)] == after
            assert {segment for _, segment, _, _ in committed_points(root)[len(after):]} == {2}
            qtbot.waitUntil(lambda: track_on_map(qtbot, window)["segments"] == 2, timeout=10_000)
        finally:
            window.gps.stop()
            window.patrols.stop()
            dispose(qtbot, window)


def test_patrol_menu_and_dialog_in_english(window, qtbot):
    window.switch_language("en")
    assert window.patrols.menu.title() == "Patrol"
    assert window.actions_by_name["patrol_start"].text() == "Start patrol…"
    dialog = window.patrols.ask_start()
    assert dialog is not None and dialog.windowTitle() == "Start patrol"
    dialog.reject()
