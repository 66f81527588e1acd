"""Patches on the real map page (issue 15 item 7, pytest-qt, offscreen QtWebEngine): drawn per zoom level in
their status colour, a click selects the case, ledger text stays inert; hidden and shown with the cases."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from inspector.casework.cases import list_cases  # noqa: E402
from inspector.maps.map_document import STATUS_CODE_COLOURS  # noqa: E402
from inspector.maps.map_layers import ZONE_LEVELS, status_code  # noqa: E402
from inspector.store.workspace import Workspace  # noqa: E402
from tests.test_map_patches import XSS_CASE, patch_ws  # noqa: E402,F401 (a fixture)
from tests.ui_fixtures import dispose, run_js, show_exposed  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402

pytestmark = pytest.mark.map_page
READY_MS = 60_000


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
