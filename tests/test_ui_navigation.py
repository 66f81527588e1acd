"""Navigation in the GUI (issue 16 item 2): a walk (NMEA written by the tests) replayed towards a demo case in
an alert zone — the map follows the position (the page's follow state read back), the distance to the case
shrinks, the geofence banner appears, arrival offers 现场核查 once and accepting opens the finding form with the
fix; a pan stops following and 定位到我 resumes it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from inspector.evidence.gps import offset_lonlat
from inspector.geo.attribution import locate
from tests.gnss_fixtures import walk_sentences
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import run_js

START = datetime(2026, 5, 1, 2, 30, tzinfo=timezone.utc)
STEP_M = 15.0  # metres between walk points
STEP_S = 0.1  # seconds between walk points


def _alert(zones: list[dict]) -> bool:
    return any(z["kind"] == "生态保护红线" or z["function_zone"] in ("核心保护区", "核心区") for z in zones)


def _walk_towards_case_in_alert_zone(ws) -> tuple[dict, list[tuple[float, float]]]:
    """A demo case inside a red line or core zone, and a walk from 150 m outside the zone, west of it, to it."""
    rows = ws.conn.execute(
        "SELECT c.uuid, c.case_no, c.lon, c.lat FROM cases c JOIN case_zones cz ON cz.case_id = c.id "
        "JOIN zones z ON z.id = cz.zone_id WHERE c.deleted = 0 AND c.geometry_geojson IS NULL AND "
        "(z.kind = '生态保护红线' OR z.function_zone IN ('核心保护区', '核心区')) ORDER BY c.id").fetchall()
    for row in rows:
        west = 0.0
        while west < 3000 and _alert(locate(ws, *offset_lonlat(row["lon"], row["lat"], -west, 0))["zones"]):
            west += STEP_M
        if west < 3000:
            start = west + 150.0
            steps = int(start // STEP_M)
            walk = [offset_lonlat(row["lon"], row["lat"], -start + i * (start / steps), 0) for i in range(steps + 1)]
            return dict(row), walk
    raise AssertionError("the demo has no point case in an alert zone")


def test_replayed_walk_follows_shrinks_arrives_and_offers_the_inspection(window, qtbot, tmp_path):
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)
    case, walk = _walk_towards_case_in_alert_zone(window.session.ws)
    window.select_case(case["uuid"])
    navigation = window.navigation
    assert case["case_no"] in navigation.route.text()
    log = tmp_path / "walk.nmea"
    log.write_text("\n".join(walk_sentences(walk, START, STEP_S, satellites=12, hdop=0.8)) + "\n")
    distances: list[float] = []
    navigation.updated.connect(lambda result: distances.append(result["distance_m"]))
    arrivals: list[str] = []
    navigation.arrived.connect(arrivals.append)
    assert window.banner.isHidden()
    assert window.replay_nmea(str(log))
    qtbot.waitUntil(lambda: len(distances) >= 1, timeout=10_000)
    navigation.locate_button.click()
    qtbot.waitUntil(lambda: (run_js(qtbot, window.map_view, "window.LvdunFollow ? LvdunFollow.state() : null")
                             or {}).get("following") is True, timeout=10_000)
    qtbot.waitUntil(lambda: bool(arrivals), timeout=60_000)
    assert arrivals == [case["uuid"]]
    assert distances[0] > 140 and distances[-1] <= 30
    assert all(later <= earlier + 0.5 for earlier, later in zip(distances, distances[1:]))  # straight at it
    assert navigation.arrival_bar.isVisible() and case["case_no"] in navigation.arrival_text.text()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)  # the geofence: entered an alert zone
    assert "已进入" in window.banner.label.text()
    assert "位于" in navigation.edge.text() and navigation.arrow.bearing == pytest.approx(90, abs=2)
    qtbot.waitUntil(lambda: len(distances) == len(walk), timeout=20_000)
    state = run_js(qtbot, window.map_view, "LvdunFollow.state()")
    assert state["following"] and state["recentres"] > 3
    assert state["centre"] == pytest.approx(list(walk[-1]), abs=2e-5)  # the map kept the position centred
    assert state["gps"] == pytest.approx(list(walk[-1]), abs=1e-6)
    assert arrivals == [case["uuid"]]  # once per arrival
    navigation.inspect_button.click()
    form = window.finding_form
    assert form.isVisible() and not navigation.arrival_bar.isVisible()
    values = form.values()
    assert values["position_source"] == "device_gps"
    assert (values["lon"], values["lat"]) == (pytest.approx(walk[-1][0], abs=1e-6), pytest.approx(walk[-1][1],
                                                                                                  abs=1e-6))
    assert (values["fix_type"], values["satellites"], values["hdop"]) == ("gps", 12, 0.8)
    form.reject()
    # a pan stops following; 定位到我 resumes it
    run_js(qtbot, window.map_view, "LvdunMap.leafletMap().fire('dragstart') && true")
    assert run_js(qtbot, window.map_view, "LvdunFollow.state()")["following"] is False
    navigation.locate_button.click()
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, "LvdunFollow.state()")["following"] is True,
                    timeout=10_000)


def test_navigation_text_without_fix_or_case(window, qtbot):
    navigation = window.navigation
    assert "未选择问题" in navigation.route.text()
    uuid = window.session.ws.conn.execute("SELECT uuid FROM cases WHERE deleted = 0 LIMIT 1").fetchone()[0]
    window.select_case(uuid)
    assert "等待定位" in navigation.route.text() and navigation.arrow.bearing is None
