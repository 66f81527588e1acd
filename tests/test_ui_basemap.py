"""添加底图 in the GUI (pytest-qt, offscreen): a GeoTIFF chosen in the file dialog is tiled and added in the
background, the map reloads and its layer switcher lists the basemap, and the page gets its tiles through the
lvdun: scheme."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from inspector.casework.cases import list_cases  # noqa: E402
from inspector.maps.basemap_store import list_basemaps  # noqa: E402
from tests.imagery_fixtures import write_scene  # noqa: E402
from tests.ui_fixtures import *  # noqa: E402,F403 - fixtures
from tests.ui_fixtures import run_js  # noqa: E402
from ui.map.basemap_dialogs import BasemapAdder  # noqa: E402

pytestmark = pytest.mark.map_page
BASE_LABELS = "Array.from(document.querySelectorAll('.leaflet-control-layers-base label')).map(function (l) " \
              "{ return l.textContent.trim(); })"


def test_add_a_geotiff_basemap_through_the_gui(window, qtbot, tmp_path, monkeypatch):
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)
    case = list_cases(window.session.ws)[0]
    scene = write_scene(tmp_path / "无人机正射.tif", (case["lon"], case["lat"]), size_px=400, pixel_m=2.0)
    monkeypatch.setattr("ui.map.basemap_dialogs.QFileDialog.getOpenFileName",
                        lambda *args, **kwargs: (str(scene), ""))
    window.actions_by_name["basemap"].trigger()
    adder: BasemapAdder = window.basemap_adder
    qtbot.waitUntil(lambda: adder.call is not None and adder.call.done, timeout=120_000)
    assert adder.call.error is None, adder.call.error
    assert [e["name"] for e in list_basemaps(window.session.ws)] == ["无人机正射", "示例底图-连云港"]
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)  # reloaded with the new base layer
    qtbot.waitUntil(lambda: "底图 无人机正射" in (run_js(qtbot, window.map_view, BASE_LABELS) or []), timeout=30_000)
    labels = run_js(qtbot, window.map_view, BASE_LABELS)
    assert labels[:3] == ["无底图", "底图 无人机正射", "示例底图-连云港"]  # the real one first, shown by default
    entry = [e for e in list_basemaps(window.session.ws) if e["name"] == "无人机正射"][0]
    zoom = entry["zooms"][1]
    run_js(qtbot, window.map_view, f"""(function () {{
        window.__tile = null;
        var m = LvdunMap.leafletMap(), p = m.project([{case['lat']}, {case['lon']}], {zoom}).divideBy(256).floor();
        fetch('lvdun://tiles/无人机正射/{zoom}/' + p.x + '/' + p.y).then(function (r) {{
            return Promise.all([r.headers.get('content-type'), r.arrayBuffer()]); }})
          .then(function (got) {{ window.__tile = [got[0], Array.from(new Uint8Array(got[1]).slice(0, 4))]; }})
          .catch(function (e) {{ window.__tile = ['error', String(e)]; }});
        return true; }})()""")
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, "window.__tile") is not None, timeout=10_000)
    mime, head = run_js(qtbot, window.map_view, "window.__tile")
    assert mime == "image/png" and head == [0x89, 0x50, 0x4E, 0x47], (mime, head)
