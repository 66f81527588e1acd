"""The map's case layer (resources/web/app/case_layer.js) in the real page (pytest-qt, offscreen QtWebEngine).

The cases are clustered by one supercluster index, queried per view: every case is counted in exactly
one cluster or drawn alone, a cluster is ringed in the most urgent status of its cases, live changes
(status, move, add, remove) reach the clusters, a selected case is shown alone, a click on a cluster
zooms in. The zone and patch levels other than the first view's are fetched after the first view is
drawn. Nothing here waits a fixed time."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from inspector.casework.workflow import STATES  # noqa: E402
from inspector.maps.map_document import STATUS_CODE_COLOURS, build_map_document  # noqa: E402
from inspector.maps.map_layers import ZONE_LEVELS, CaseRecord, LayerSet  # noqa: E402
from tests.ui_fixtures import dispose, run_js, show_exposed  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402

pytestmark = pytest.mark.map_page
GROUPS = 12  # tight groups of cases spread over Jiangsu, one cluster each at the first view
PER_GROUP = 250
CASE_COUNT = "LvdunMap.stats().cases"


def _uuid(group: int, i: int) -> str:
    return f"20000000-0000-4000-8000-{group:06d}{i:06d}"


def _centre(group: int) -> tuple[float, float]:
    return 117.3 + 4.0 * (group % 4) / 3, 31.6 + 2.8 * (group // 4) / 2


def _cases() -> list[CaseRecord]:
    """GROUPS groups of PER_GROUP cases within ~40 m; group g's most urgent status code is g % 5 (its case 7),
    the others' are g % 5 + 1 + i % 3."""
    rng = np.random.default_rng(19)
    cases = []
    for group in range(GROUPS):
        lon, lat = _centre(group)
        for i in range(PER_GROUP):
            code = group % 5 if i == 7 else group % 5 + 1 + i % 3
            cases.append(CaseRecord(_uuid(group, i), lon + 4e-4 * rng.random(), lat + 4e-4 * rng.random(),
                                    STATES[code]))
    return cases


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.fixture
def case_map(qtbot):
    view = show_exposed(qtbot, MapView())
    bundle = build_map_document(LayerSet(cases=_cases()))
    with qtbot.waitSignal(view.mapReady, timeout=60_000):
        view.show_bundle(bundle)
    yield view
    dispose(qtbot, view)


def shown(qtbot, view) -> list[dict]:
    return run_js(qtbot, view, "LvdunMap.shownCases()")


def clusters_by_group(items: list[dict]) -> dict[int, dict]:
    """The shown clusters by the group whose centre is nearest."""
    def group_of(item: dict) -> int:
        lon, lat = item["at"]
        return min(range(GROUPS), key=lambda g: (lon - _centre(g)[0]) ** 2 + (lat - _centre(g)[1]) ** 2)
    return {group_of(item): item for item in items if item["cluster"]}


def test_every_case_is_in_one_cluster_ringed_in_its_most_urgent_status(qtbot, case_map):
    items = shown(qtbot, case_map)
    assert sum(item["count"] for item in items) == GROUPS * PER_GROUP == run_js(qtbot, case_map, CASE_COUNT)
    clusters = clusters_by_group(items)
    assert len(clusters) == GROUPS and {item["count"] for item in clusters.values()} == {PER_GROUP}
    assert {group: item["status"] for group, item in clusters.items()} == {g: g % 5 for g in range(GROUPS)}
    # The ring is the status palette's fill of that status; the count is text, not markup.
    rings = run_js(qtbot, case_map, "Array.from(document.querySelectorAll('.lv-cluster div')).map(function (d) {"
                                    " return [d.style.borderColor, d.textContent, d.children.length]; })")
    assert sorted(ring[0] for ring in rings) == sorted(_rgb(STATUS_CODE_COLOURS[g % 5].fill) for g in range(GROUPS))
    assert all(text == str(PER_GROUP) and children == 1 for _colour, text, children in rings)


def test_status_changes_moves_additions_and_removals_reach_the_clusters(qtbot, case_map):
    urgent = _uuid(1, 7)  # group 1's one case in status 1; its others are in 2, 3 and 4
    assert run_js(qtbot, case_map, f"LvdunMap.setCaseStatus({json.dumps(urgent)}, 4)") is True
    assert run_js(qtbot, case_map, f"LvdunMap.markerFor({json.dumps(urgent)}).options.fillColor") == \
        STATUS_CODE_COLOURS[4].fill
    qtbot.waitUntil(lambda: clusters_by_group(shown(qtbot, case_map))[1]["status"] == 2, timeout=10_000)
    # A new case far from the groups is drawn alone; a moved case leaves its cluster; a removed one is gone.
    new = "30000000-0000-4000-8000-000000000001"
    assert run_js(qtbot, case_map, f"LvdunMap.putCase({json.dumps(new)}, 120.9, 34.6, 0)") is True
    moved, removed = _uuid(0, 3), _uuid(2, 5)
    assert run_js(qtbot, case_map, f"LvdunMap.putCase({json.dumps(moved)}, 118.2, 34.7, 2)") is True
    assert run_js(qtbot, case_map, f"LvdunMap.removeCase({json.dumps(removed)})") is True

    def singles():
        return {item["id"]: item["status"] for item in shown(qtbot, case_map) if not item["cluster"]}
    qtbot.waitUntil(lambda: singles() == {new: 0, moved: 2}, timeout=10_000)
    items = shown(qtbot, case_map)
    assert sum(item["count"] for item in items) == GROUPS * PER_GROUP == run_js(qtbot, case_map, CASE_COUNT)
    counts = {group: item["count"] for group, item in clusters_by_group(items).items()}
    assert counts == {g: PER_GROUP - (g in (0, 2)) for g in range(GROUPS)}
    assert run_js(qtbot, case_map, f"LvdunMap.markerFor({json.dumps(removed)})") is None


def test_a_selected_case_is_shown_alone_and_a_cluster_click_zooms_in(qtbot, case_map):
    start_zoom = run_js(qtbot, case_map, "LvdunMap.stats().zoom")
    case_map.page().runJavaScript("LvdunMap.caseLayer().shownItems().filter(function (i) { return i.cluster; })[0]"
                                  ".layer.fire('click')")
    qtbot.waitUntil(lambda: run_js(qtbot, case_map, "LvdunMap.stats().zoom") > start_zoom + 3, timeout=10_000)
    target = _uuid(5, 100)
    assert case_map.select_case(target)
    qtbot.waitUntil(lambda: target in {item["id"] for item in shown(qtbot, case_map)}, timeout=10_000)
    assert run_js(qtbot, case_map, "LvdunMap.stats().zoom") >= 16
    selected = run_js(qtbot, case_map, "LvdunMap.stats().selected")
    assert selected == run_js(qtbot, case_map, f"(function (m) {{ return [m.lng, m.lat]; }})("
                                               f"LvdunMap.markerFor({json.dumps(target)}).getLatLng())")
    with qtbot.waitSignal(case_map.caseSelected, timeout=10_000) as clicked:
        case_map.page().runJavaScript(f"LvdunMap.markerFor({json.dumps(target)}).fire('click')")
    assert clicked.args == [target]


def test_the_other_zone_and_patch_levels_load_after_the_first_view(qtbot, case_map):
    assert run_js(qtbot, case_map, "LvdunMap.stats().zoneLevel") == 0
    qtbot.waitUntil(lambda: run_js(qtbot, case_map, "LvdunMap.stats().levelsLoaded") == 2 * len(ZONE_LEVELS),
                    timeout=10_000)
    assert run_js(qtbot, case_map, "LvdunMap.stats().zoneLevel") == 0  # fetched, not shown
