"""Patches on the map (issue 15 item 7): a case with a polygon is drawn like a zone — pre-simplified per zoom
level, in its status colour, never with ledger text as markup — and its marker sits at its representative
point. The real page draws it: tests/test_map_patches_page.py."""
from __future__ import annotations

import json
import shutil

import pytest

from inspector.casework.cases import list_cases
from inspector.maps.map_document import build_workspace_map
from inspector.maps.map_layers import POINT_QUANTUM, ZONE_LEVELS, status_code
from inspector.store.workspace import Workspace
from patch_fixtures import PATCH_VERTICES, give_patch

XSS_CASE = "LD2026-320900-002"  # its description carries <img src=x onerror=alert(1)> and ${x}
XSS_MARKERS = ("<img", "onerror", "${x}", "alert(1)")


@pytest.fixture
def patch_ws(demo_template, tmp_path):
    shutil.copytree(demo_template, tmp_path / "demo")
    ws = Workspace.open(tmp_path / "demo")
    give_patch(ws, XSS_CASE)
    yield ws
    ws.close()


def vertices(polys: list) -> int:
    return sum(len(ring) // 2 for rings in polys for ring in rings)


def test_a_patch_is_in_every_level_simplified_at_low_zoom(patch_ws):
    [case] = list_cases(patch_ws, refs=[XSS_CASE])
    bundle = build_workspace_map(patch_ws)
    config = json.loads(bundle.html.split('id="lvdun-config">', 1)[1].split("</script>", 1)[0])
    assert config["patchLevels"] == [f"data/patches-{level}.json" for level in range(len(ZONE_LEVELS))]
    counts = []
    for level in range(len(ZONE_LEVELS)):
        document = json.loads(bundle.resources[f"data/patches-{level}.json"])
        assert document["ids"] == [case["uuid"]] and document["s"] == [status_code(case["status"])]
        counts.append(vertices(document["polys"][0]))
    assert counts[0] < counts[1] < counts[-1] < PATCH_VERTICES  # each level coarser than the next
    assert counts[0] <= 12 and counts[-1] >= 30  # a few vertices for the province, the waves in the field
    cases = json.loads(bundle.resources["data/cases.json"])
    i = cases["ids"].index(case["uuid"])  # the marker stays at the representative point
    assert (cases["x"][i], cases["y"][i]) == (round(case["lon"] / POINT_QUANTUM), round(case["lat"] / POINT_QUANTUM))


def test_point_cases_have_no_patch_and_ledger_text_stays_out(patch_ws):
    bundle = build_workspace_map(patch_ws)
    everything = bundle.html + "".join(data.decode("utf-8") for data in bundle.resources.values())
    for marker in XSS_MARKERS:
        assert marker not in everything
    assert all(len(json.loads(bundle.resources[f"data/patches-{level}.json"])["ids"]) == 1
               for level in range(len(ZONE_LEVELS)))


def test_a_broken_stored_polygon_is_left_off_the_map(patch_ws):
    patch_ws.conn.execute("UPDATE cases SET geometry_geojson = ? WHERE case_no = ?",
                          ('{"type": "Polygon", "coordinates": "<img src=x onerror=alert(1)>"}', XSS_CASE))
    patch_ws.conn.commit()
    bundle = build_workspace_map(patch_ws)
    assert json.loads(bundle.resources["data/patches-2.json"])["ids"] == []
    assert "onerror" not in "".join(data.decode("utf-8") for data in bundle.resources.values())
