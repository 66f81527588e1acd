"""The map widget (pytest-qt, offscreen QtWebEngine): layers drawn, XSS inert, validated bridge,
pick mode, in-place case recolouring.

Nothing here waits a fixed time. The page talks to Python over one ordered
QWebChannel transport, so "a message was dropped" is proved by sending a
later message that must arrive and checking that the dropped one did not come
before it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from evidence_fixtures import make_dji_still, make_geotagged_photo  # noqa: E402
from inspector.casework.cases import list_cases  # noqa: E402
from inspector.casework.evidence_attach import attach  # noqa: E402
from inspector.maps.map_layers import admin_document, read_layers  # noqa: E402
from inspector.store.workspace import Workspace  # noqa: E402
from tests.ui_fixtures import dispose, run_js, show_exposed  # noqa: E402
from ui.map.map_scheme import register_map_scheme  # noqa: E402
from ui.map.map_view import LAYER_NAMES, MapBridge, MapView, valid_point  # noqa: E402

pytestmark = pytest.mark.map_page
XSS_CASE = "LD2026-320900-002"
OTHER_CASE = "LD2026-320100-001"
SCREENSHOT = Path("/tmp/map-view.png")
READY_MS = 60_000


@pytest.fixture
def demo_ws(demo_template, tmp_path):  # the session's demo workspace, with a photo and a drone still
    shutil.copytree(demo_template, tmp_path / "demo")
    ws = Workspace.open(tmp_path / "demo")
    case = list_cases(ws, refs=[XSS_CASE])[0]
    photo = make_geotagged_photo(tmp_path / "IMG_0001.JPG", case["lon"] + 0.0004, case["lat"] - 0.0003, bearing=300.0)
    still = make_dji_still(tmp_path / "DJI_0001.JPG", case["lon"], case["lat"], 120.0, -90.0, 30.0)
    attach(ws, XSS_CASE, [photo, still], actor="tester")
    yield ws
    ws.close()


@pytest.fixture
def map_view(qtbot, demo_ws):
    view = show_exposed(qtbot, MapView())
    with qtbot.waitSignal(view.mapReady, timeout=READY_MS):
        view.set_workspace(demo_ws)
    yield view
    dispose(qtbot, view)  # now, while an event loop runs: the page must go before its profile


def case_uuid(ws, case_no: str) -> str:
    return list_cases(ws, refs=[case_no])[0]["uuid"]


def wait_painted(qtbot, view: MapView) -> None:
    """Wait until the page has rendered two more frames (what it shows now is on screen)."""
    view.page().runJavaScript("window.__painted = false; requestAnimationFrame(function () {"
                              " requestAnimationFrame(function () { window.__painted = true; }); });")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "window.__painted") is True, timeout=10_000)


def test_register_scheme_is_idempotent():
    register_map_scheme()
    register_map_scheme()


def test_layers_are_drawn(qtbot, map_view, demo_ws):
    stats = run_js(qtbot, map_view, "LvdunMap.stats()")
    n_zones = demo_ws.conn.execute("SELECT count(*) FROM zones WHERE deleted = 0").fetchone()[0]
    assert stats["drawn"] and map_view.is_ready()
    assert stats["cases"] == len(list_cases(demo_ws))
    assert stats["zones"] == n_zones and stats["zonePaths"] >= n_zones
    assert stats["photos"] == 2 and stats["footprints"] == 1
    assert set(stats["visible"]) == set(LAYER_NAMES)
    # the admin outlines and city labels follow once the cases are drawn (map-ready does not wait for them)
    admin = admin_document(read_layers(demo_ws).admin)
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().admin") > 0, timeout=READY_MS)
    assert run_js(qtbot, map_view, "LvdunMap.stats().admin") == len(admin["polys"]) + len(admin["labels"])
    assert run_js(qtbot, map_view, "document.querySelectorAll('.lv-city-label span').length") == 13


def test_xss_payload_stays_inert(qtbot, map_view):
    # The layers are drawn (mapReady): markup parsed from ledger text would be in the DOM by now.
    assert run_js(qtbot, map_view, "LvdunMap.stats().drawn") is True
    assert run_js(qtbot, map_view, "typeof window.__xss") == "undefined"
    assert run_js(qtbot, map_view, "document.querySelectorAll('img[src=\"x\"]').length") == 0
    html = run_js(qtbot, map_view, "document.documentElement.outerHTML")
    assert "onerror" not in html and "${x}" not in html


def test_clicking_a_case_marker_emits_its_uuid(qtbot, map_view, demo_ws):
    case_uuid = list_cases(demo_ws, refs=[XSS_CASE])[0]["uuid"]
    with qtbot.waitSignal(map_view.caseSelected, timeout=10_000) as blocker:
        map_view.page().runJavaScript(f"LvdunMap.markerFor({json.dumps(case_uuid)}).fire('click')")
    assert blocker.args == [case_uuid]


def test_bridge_ignores_anything_but_a_uuid(qtbot, map_view, demo_ws):
    seen: list[str] = []
    map_view.caseSelected.connect(seen.append)
    map_view.zoneSelected.connect(seen.append)
    script = """
    new QWebChannel(qt.webChannelTransport, function (ch) {
      var b = ch.objects.lvdunBridge;
      window.__bridgeMethods = Object.keys(b).filter(function (k) { return typeof b[k] === 'function'; }).sort();
      b.caseClicked('not-a-uuid'); b.caseClicked('<img src=x onerror=alert(1)>');
      b.zoneClicked('12345678-1234-1234-1234-1234567890ab; drop'); b.caseClicked(42);
      b.layersDrawn('00000000-0000-4000-8000-000000000000');
      b.deleteLater();
      b.caseClicked('AAAAAAAA-1111-4111-8111-ABCDEFABCDEF');
    });"""
    map_view.page().runJavaScript(script)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    # The valid call was sent last: every refused one before it has been handled by now.
    assert seen == ["aaaaaaaa-1111-4111-8111-abcdefabcdef"]
    # Only our slots take arguments; QWebChannel also lists QObject's own members
    # (Qt refuses deleteLater() on a registered object: the bridge answered after it).
    methods = {m.split("(")[0] for m in run_js(qtbot, map_view, "window.__bridgeMethods")}
    qt_members = {"deleteLater", "destroyed", "objectNameChanged"}
    js_helpers = {"unwrapQObject", "unwrapProperties", "propertyUpdate", "signalEmitted"}
    assert methods - qt_members - js_helpers == {"caseClicked", "zoneClicked", "layersDrawn", "pointClicked",
                                                 "extentEdited"}
    map_view.page().runJavaScript("""new QWebChannel(qt.webChannelTransport, function (ch) {
      ch.objects.lvdunBridge.zoneClicked('bbbbbbbb-1111-4111-8111-abcdefabcdef'); });""")
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen == ["aaaaaaaa-1111-4111-8111-abcdefabcdef", "bbbbbbbb-1111-4111-8111-abcdefabcdef"]


def test_select_gps_and_layer_toggles(qtbot, map_view, demo_ws):
    case = list_cases(demo_ws, refs=[XSS_CASE])[0]
    assert map_view.select_case(case["uuid"].upper())
    assert not map_view.select_case("LD2026-320900-002")
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().selected") is not None, timeout=10_000)
    lon, lat = run_js(qtbot, map_view, "LvdunMap.stats().selected")
    assert abs(lon - case["lon"]) < 1e-4 and abs(lat - case["lat"]) < 1e-4
    map_view.set_gps_position(case["lon"] + 0.001, case["lat"], 8.0)
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().gps") is not None, timeout=5_000)
    assert run_js(qtbot, map_view, "LvdunMap.stats().gps")[0] == pytest.approx(case["lon"] + 0.001)
    with pytest.raises(ValueError):
        map_view.set_gps_position(float("nan"), 33.0, 5.0)
    map_view.set_layer_visible("zones", False)
    qtbot.waitUntil(lambda: "zones" not in run_js(qtbot, map_view, "LvdunMap.stats().visible"), timeout=5_000)
    with pytest.raises(ValueError):
        map_view.set_layer_visible("<script>", True)
    map_view.set_layer_visible("zones", True)
    qtbot.waitUntil(lambda: "zones" in run_js(qtbot, map_view, "LvdunMap.stats().visible"), timeout=5_000)


def test_valid_point_accepts_only_finite_numbers_in_jiangsu():
    assert valid_point(119.5, 33.0) == (119.5, 33.0)
    assert valid_point(120, 31) == (120.0, 31.0)
    for lon, lat in ((float("nan"), 33.0), (119.5, float("inf")), (116.4, 39.9), (0.0, 0.0), (True, 33.0),
                     ("119.5", "33.0"), (None, 33.0), (124.0, 33.0), (119.5, 29.9)):
        assert valid_point(lon, lat) is None, (lon, lat)
    picked = []
    bridge = MapBridge(print, print, print, lambda lon, lat: picked.append((lon, lat)))
    bridge.pointClicked(200.0, 33.0)
    bridge.pointClicked(float("nan"), 33.0)
    bridge.pointClicked(119.25, 32.5)
    assert picked == [(119.25, 32.5)]


def test_pick_mode_reports_the_clicked_position(qtbot, map_view, demo_ws):
    picked: list = []
    map_view.pointPicked.connect(lambda lon, lat: picked.append((lon, lat)))
    marker = f"LvdunMap.markerFor({json.dumps(case_uuid(demo_ws, OTHER_CASE))})"
    # Not in pick mode: a click (the map's own handler) picks nothing.
    assert run_js(qtbot, map_view, "LvdunMap.pickAt(119.5, 33.0)") is False
    map_view.start_pick()
    assert map_view.is_picking()
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().picking") is True, timeout=5_000)
    assert run_js(qtbot, map_view, "document.querySelector('.lv-map').classList.contains('lv-picking')")
    # Outside the Jiangsu box: the page sends it, the bridge drops it, pick mode stays in Python.
    # The page has left pick mode, so a click on a marker then selects its case: that later
    # message arriving proves the earlier point was handled (and dropped).
    assert run_js(qtbot, map_view, "LvdunMap.pickAt(116.4, 39.9)") is True
    with qtbot.waitSignal(map_view.caseSelected, timeout=10_000):
        map_view.page().runJavaScript(f"{marker}.fire('click')")
    assert picked == [] and map_view.is_picking()
    map_view.start_pick()
    with qtbot.waitSignal(map_view.pointPicked, timeout=10_000) as blocker:
        map_view.page().runJavaScript("LvdunMap.pickAt(119.1234, 33.4567)")
    assert blocker.args == [pytest.approx(119.1234), pytest.approx(33.4567)]
    assert not map_view.is_picking() and run_js(qtbot, map_view, "LvdunMap.stats().picking") is False
    # A second click after the pick, and a click on a case marker, do not pick again.
    assert run_js(qtbot, map_view, "LvdunMap.pickAt(119.2, 33.2)") is False
    map_view.start_pick()
    map_view.cancel_pick()
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().picking") is False, timeout=5_000)
    # Out of pick mode a point sent straight to the bridge is dropped; the case sent after it arrives.
    with qtbot.waitSignal(map_view.caseSelected, timeout=10_000):
        map_view.page().runJavaScript("""new QWebChannel(qt.webChannelTransport, function (ch) {
          ch.objects.lvdunBridge.pointClicked(119.3, 33.3);
          ch.objects.lvdunBridge.caseClicked('cccccccc-1111-4111-8111-abcdefabcdef'); });""")
    assert picked == [(pytest.approx(119.1234), pytest.approx(33.4567))]


def test_pick_mode_click_on_a_case_marker_picks_instead_of_selecting(qtbot, map_view, demo_ws):
    case = list_cases(demo_ws, refs=[XSS_CASE])[0]
    other = case_uuid(demo_ws, OTHER_CASE)
    selected: list = []
    map_view.caseSelected.connect(selected.append)
    map_view.start_pick()
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().picking") is True, timeout=5_000)
    with qtbot.waitSignal(map_view.pointPicked, timeout=10_000) as blocker:
        map_view.page().runJavaScript(
            f"var m = LvdunMap.markerFor({json.dumps(case['uuid'])}); m.fire('click', {{latlng: m.getLatLng()}}, true)")
    assert blocker.args[0] == pytest.approx(case["lon"], abs=1e-4)
    assert blocker.args[1] == pytest.approx(case["lat"], abs=1e-4)
    # Out of pick mode now: a click on another marker selects it, and that is all that was selected.
    with qtbot.waitSignal(map_view.caseSelected, timeout=10_000):
        map_view.page().runJavaScript(f"LvdunMap.markerFor({json.dumps(other)}).fire('click')")
    assert selected == [other]


def test_update_case_recolours_one_marker_in_place(qtbot, map_view, demo_ws):
    from inspector.casework.workflow import STATES, status_colours

    case = list_cases(demo_ws, refs=[XSS_CASE])[0]
    code = STATES.index("整改中")
    assert run_js(qtbot, map_view, f"LvdunMap.statusOf({json.dumps(case['uuid'])})") == STATES.index(case["status"])
    assert map_view.update_case(case["uuid"].upper(), "整改中")
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, f"LvdunMap.statusOf({json.dumps(case['uuid'])})") == code,
                    timeout=5_000)
    marker = f"LvdunMap.markerFor({json.dumps(case['uuid'])}).options"
    colours = run_js(qtbot, map_view, f"[{marker}.fillColor, {marker}.color]")
    assert colours == [status_colours("整改中").fill, status_colours("整改中").text]
    assert not map_view.update_case("not-a-uuid", "整改中")
    assert not map_view.update_case(case["uuid"], "<script>")
    assert run_js(qtbot, map_view, f"LvdunMap.setCaseStatus({json.dumps(case['uuid'])}, 99)") is False
    assert run_js(qtbot, map_view, "LvdunMap.stats().cases") == len(list_cases(demo_ws))


def test_put_and_remove_case_add_move_and_drop_markers_in_place(qtbot, map_view, demo_ws):
    from inspector.casework.workflow import STATES

    total = len(list_cases(demo_ws))
    case = list_cases(demo_ws, refs=[XSS_CASE])[0]
    uuid = json.dumps(case["uuid"])
    map_view.select_case(case["uuid"])
    assert map_view.put_case(case["uuid"], case["lon"] + 0.01, case["lat"] - 0.01, "申请销号")
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, f"LvdunMap.statusOf({uuid})") == STATES.index("申请销号"),
                    timeout=5_000)
    moved = run_js(qtbot, map_view, f"LvdunMap.markerFor({uuid}).getLatLng()")
    assert (moved["lng"], moved["lat"]) == pytest.approx((case["lon"] + 0.01, case["lat"] - 0.01))
    new = "0a1b2c3d-0000-4000-8000-00000000abcd"
    assert map_view.put_case(new, 120.1, 32.5, "待核查")
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().cases") == total + 1, timeout=5_000)
    assert map_view.remove_case(new) and map_view.remove_case(case["uuid"])
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().cases") == total - 1, timeout=5_000)
    assert run_js(qtbot, map_view, "LvdunMap.stats().selected") is None  # its highlight went with it
    for bad in (("not-a-uuid", 120.1, 32.5, "待核查"), (new, float("nan"), 32.5, "待核查"),
                (new, 120.1, 95.0, "待核查"), (new, True, 32.5, "待核查"), (new, 120.1, 32.5, "<script>")):
        assert not map_view.put_case(*bad), bad
    assert not map_view.remove_case("<img src=x onerror=alert(1)>")
    assert run_js(qtbot, map_view, f"LvdunMap.putCase({json.dumps(new)}, 'x', 32.5, 0)") is False
    assert run_js(qtbot, map_view, "LvdunMap.stats().cases") == total - 1


def test_network_requests_are_blocked(qtbot, map_view):
    map_view.page().runJavaScript(
        "fetch('https://example.com/x').then(function () { window.__net = 'ok'; },"
        " function () { window.__net = 'blocked'; })")
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "window.__net || null") is not None, timeout=10_000)
    assert run_js(qtbot, map_view, "window.__net") == "blocked"


def test_screenshot(qtbot, map_view, demo_ws):
    case = list_cases(demo_ws, refs=[XSS_CASE])[0]
    map_view.set_gps_position(case["lon"] - 0.003, case["lat"] + 0.002, 25.0)
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().gps") is not None, timeout=10_000)
    wait_painted(qtbot, map_view)
    image = map_view.grab()
    assert not image.isNull() and image.width() == 1366
    image.save(str(SCREENSHOT))
    map_view.select_case(case["uuid"])
    # Selected, and zoomed in to it (the zoom changes when the animation ends).
    qtbot.waitUntil(lambda: run_js(qtbot, map_view, "LvdunMap.stats().selected") is not None
                    and run_js(qtbot, map_view, "LvdunMap.stats().zoom") >= 16, timeout=10_000)
    wait_painted(qtbot, map_view)
    map_view.grab().save(str(SCREENSHOT.with_name("map-view-case.png")))
