"""Patches on the real map page (issue 15 item 7, pytest-qt, offscreen QtWebEngine): drawn per zoom level in
their status colour, a click selects the case, ledger text stays inert; hidden and shown with the cases."""
from __future__ import annotations

import json
import shutil

import pytest
import shapely

pytest.importorskip("PySide6.QtWebEngineWidgets")

from inspector.casework.cases import list_cases  # noqa: E402
from inspector.maps.map_document import STATUS_CODE_COLOURS  # noqa: E402
from inspector.maps.map_layers import ZONE_LEVELS, status_code  # noqa: E402
from inspector.store.workspace import Workspace  # noqa: E402
from patch_fixtures import give_patch  # noqa: E402
from tests.test_map_patches import XSS_CASE  # noqa: E402
from tests.ui_fixtures import dispose, run_js, show_exposed  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402

pytestmark = pytest.mark.map_page
READY_MS = 60_000


@pytest.fixture
def patch_ws(demo_template, tmp_path):
    shutil.copytree(demo_template, tmp_path / "demo")
    ws = Workspace.open(tmp_path / "demo")
    give_patch(ws, XSS_CASE)
    yield ws
    ws.close()


@pytest.fixture
def patch_map(qtbot, patch_ws):
    view = show_exposed(qtbot, MapView())
    with qtbot.waitSignal(view.mapReady, timeout=READY_MS):
        view.set_workspace(patch_ws)
    yield view
    dispose(qtbot, view)


def case_uuid(ws: Workspace) -> str:
    return list_cases(ws, refs=[XSS_CASE])[0]["uuid"]


def test_the_page_draws_the_patch_per_zoom_and_clicks_select_its_case(qtbot, patch_map, patch_ws):
    uuid = case_uuid(patch_ws)
    stats = run_js(qtbot, patch_map, "LvdunMap.stats()")
    assert stats["patchPaths"] == 1 and stats["patchLevel"] == 0
    coarse = run_js(qtbot, patch_map, f"LvdunMap.patchVertices({json.dumps(uuid)})")
    assert patch_map.select_case(uuid)
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.stats().patchLevel") == len(ZONE_LEVELS) - 1,
                    timeout=10_000)
    fine = run_js(qtbot, patch_map, f"LvdunMap.patchVertices({json.dumps(uuid)})")
    assert coarse <= 12 and fine >= 30
    # Ledger text never became markup (the case's description carries the payloads).
    assert run_js(qtbot, patch_map, "typeof window.__xss") == "undefined"
    html = run_js(qtbot, patch_map, "document.documentElement.outerHTML")
    assert "onerror" not in html and "${x}" not in html
    with qtbot.waitSignal(patch_map.caseSelected, timeout=10_000) as clicked:
        patch_map.page().runJavaScript(f"LvdunMap.patchFor({json.dumps(uuid)}).fire('click')")
    assert clicked.args == [uuid]


def test_a_status_change_recolours_the_patch_and_hiding_cases_hides_it(qtbot, patch_map, patch_ws):
    uuid = case_uuid(patch_ws)
    assert patch_map.update_case(uuid, "已销号")
    colour = run_js(qtbot, patch_map, f"LvdunMap.patchFor({json.dumps(uuid)}).options.fillColor")
    assert colour == STATUS_CODE_COLOURS[status_code("已销号")].fill
    patch_map.set_layer_visible("cases", False)
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.stats().patchPaths") == 0, timeout=10_000)
    patch_map.set_layer_visible("cases", True)
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.stats().patchPaths") == 1, timeout=10_000)


# -- editing the verified extent (核实范围, issue 15 item 5) ------------------------------------------------------
DRAW_SQUARE = """(function () {
  var map = LvdunMap.leafletMap(), lon = %(lon)r, lat = %(lat)r, d = 0.001;
  LvdunMap.redrawExtent();  // geoman's polygon tool, as the 重画 button starts it
  [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]].forEach(function (p) {
    map.fire('click', { latlng: L.latLng(p[1], p[0]) });  // a click adds a vertex
  });
  map.pm.Draw.Polygon._finishShape();  // as a click on the first vertex does
  return LvdunMap.editLayers().length;
})()"""


def test_an_extent_drawn_with_the_plugin_is_stored_with_its_area(qtbot, patch_map, patch_ws):
    from inspector.casework.verified_extent import set_verified_extent
    from inspector.geo.geodesy import central_meridian, project

    [case] = list_cases(patch_ws, refs=[XSS_CASE])
    delivered = patch_ws.conn.execute("SELECT geometry_geojson FROM cases WHERE uuid = ?",
                                      (case["uuid"],)).fetchone()[0]
    assert patch_map.start_extent_edit(case["uuid"], delivered)
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.editing()") == case["uuid"], timeout=10_000)
    assert run_js(qtbot, patch_map, "LvdunMap.editLayers().length") == 1  # the delivered outline, editable
    assert run_js(qtbot, patch_map, "LvdunMap.editLayers()[0].pm.enabled()") is True
    assert run_js(qtbot, patch_map, DRAW_SQUARE % {"lon": case["lon"], "lat": case["lat"]}) == 1
    with qtbot.waitSignal(patch_map.extentEdited, timeout=10_000) as sent:
        patch_map.page().runJavaScript("LvdunMap.saveExtent()")
    assert sent.args[0] == case["uuid"]
    outcome = set_verified_extent(patch_ws, case["uuid"], sent.args[1], actor="tester")
    row = patch_ws.conn.execute("SELECT verified_geometry_geojson, verified_area_m2, area_m2, geometry_geojson "
                                "FROM cases WHERE uuid = ?", (case["uuid"],)).fetchone()
    geom = shapely.geometry.shape(json.loads(row[0]))
    assert row[1] == outcome["verified_area_m2"] == pytest.approx(project(geom, central_meridian(case["lon"])).area)
    assert 30_000 < row[1] < 50_000 and row[3] == delivered  # ≈ 200 m × 200 m; the delivered extent stays
    assert patch_map.show_verified(case["uuid"], row[0])
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.stats().verifiedPaths") == 1, timeout=10_000)
    assert run_js(qtbot, patch_map, "LvdunMap.editing()") is None and patch_map.editing_case() is None
    patch_map.page().runJavaScript("LvdunMap.leafletMap().setZoom(8)")  # another level: the outline stays
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.stats().patchLevel") == 0, timeout=10_000)
    assert run_js(qtbot, patch_map, "LvdunMap.stats().verifiedPaths") == 1


def test_hostile_extent_messages_are_refused_and_nothing_is_stored(qtbot, patch_map, patch_ws):
    [case] = list_cases(patch_ws, refs=[XSS_CASE])
    other = list_cases(patch_ws, refs=["LD2026-320100-001"])[0]["uuid"]
    before = [tuple(r) for r in patch_ws.conn.execute("SELECT uuid, revision, verified_geometry_geojson FROM cases")]
    edited: list = []
    refused: list = []
    patch_map.extentEdited.connect(lambda *args: edited.append(args))
    patch_map.extentRefused.connect(refused.append)
    patch_map.start_extent_edit(case["uuid"], None)
    qtbot.waitUntil(lambda: run_js(qtbot, patch_map, "LvdunMap.editing()") == case["uuid"], timeout=10_000)
    uuid = json.dumps(case["uuid"])
    script = f"""new QWebChannel(qt.webChannelTransport, function (ch) {{
      var b = ch.objects.lvdunBridge;
      b.extentEdited({uuid}, 42); b.extentEdited({uuid}, [1, 2, 3]); b.extentEdited({uuid}, null);
      b.extentEdited({uuid}, {{type: 'Polygon'}}); b.extentEdited({uuid}, 'x'.repeat(2000000));
      b.extentEdited({uuid}, new Array(300000).fill(1.5));
      b.extentEdited({json.dumps(other)}, '{{"type": "Polygon", "coordinates": []}}');
      b.extentEdited('<img src=x onerror=alert(1)>', '{{}}'); b.extentEdited(42, '{{}}');
      b.extentEdited({uuid}, '<img src=x onerror=window.__xss=1>');
    }});"""
    patch_map.page().runJavaScript(script)
    # The last message is well-formed text for the case being edited: once it arrived, every earlier one
    # had been handled (one ordered transport). The core then refuses its content.
    qtbot.waitUntil(lambda: bool(edited), timeout=10_000)
    assert edited == [(case["uuid"], "<img src=x onerror=window.__xss=1>")]
    assert len(refused) == 6 and all("核实范围无效" in text for text in refused)
    from inspector.casework.verified_extent import set_verified_extent
    from inspector.errors import BadInput

    with pytest.raises(BadInput):
        set_verified_extent(patch_ws, case["uuid"], edited[0][1], actor="tester")
    assert [tuple(r) for r in patch_ws.conn.execute(
        "SELECT uuid, revision, verified_geometry_geojson FROM cases")] == before
    assert run_js(qtbot, patch_map, "typeof window.__xss") == "undefined"
