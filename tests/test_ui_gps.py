"""GPS: replay the NMEA log of a walk into the demo's core zone; the geofence banner and status bar."""
from __future__ import annotations

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import NMEA_WALK


def test_walk_into_core_zone_raises_the_geofence_alert(window, qtbot):
    entered = []
    window.geofence.entered.connect(entered.append)
    assert window.banner.isHidden()
    assert window.replay_nmea(str(NMEA_WALK))
    qtbot.waitUntil(lambda: window.gps.last_fix is not None, timeout=5000)
    qtbot.waitUntil(lambda: "一般控制区" in window.summary.zone.text(), timeout=5000)
    assert window.banner.isHidden()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert len(entered) == 1 and entered[0][0]["function_zone"] == "核心保护区"
    text = window.banner.label.text()
    assert "已进入" in text and "盐城湿地珍禽" in text and "核心保护区" in text
    assert "核心保护区" in window.summary.zone.text()
    qtbot.waitUntil(lambda: abs(window.gps.last_fix[0] - 120.4372) < 1e-6, timeout=10_000)
    assert len(entered) == 1  # staying inside does not alert again
    window.banner.dismiss.click()
    assert window.banner.isHidden()


def test_geofence_alerts_for_red_lines_not_ordinary_zones(session, qtbot):
    from ui.gps import Geofence

    fence = Geofence(session)
    entered = []
    fence.entered.connect(entered.append)
    row = session.ws.conn.execute(
        "SELECT X(PointOnSurface(geom)), Y(PointOnSurface(geom)) FROM zones WHERE kind = '生态保护红线' "
        "LIMIT 1").fetchone()
    ordinary = session.ws.conn.execute(
        "SELECT X(PointOnSurface(geom)), Y(PointOnSurface(geom)) FROM zones WHERE kind = '生态空间管控区域' "
        "LIMIT 1").fetchone()
    fence.update(*ordinary)
    assert not entered and fence.current
    fence.update(*row)
    assert entered and entered[0][0]["kind"] == "生态保护红线"
