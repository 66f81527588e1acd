"""The map view's filter (MapView.show_only): only the admitted cases, their photos and footprints are shown,
in the page as it is, and a document loaded later keeps the filter."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from inspector.casework.cases import list_cases  # noqa: E402
from tests.test_map_view import OTHER_CASE, READY_MS, XSS_CASE, case_uuid, demo_ws, map_view  # noqa: E402,F401
from tests.ui_fixtures import run_js  # noqa: E402
from ui.map.map_view import AdmittedCases  # noqa: E402

pytestmark = pytest.mark.map_page


def _shown(qtbot, view) -> list[str]:
    return sorted(run_js(qtbot, view, "LvdunMap.caseIds()"))


def test_show_only_hides_the_other_cases_and_their_evidence_in_place(qtbot, map_view, demo_ws):  # noqa: F811
    everything = sorted(c["uuid"] for c in list_cases(demo_ws))
    before = run_js(qtbot, map_view, "LvdunMap.stats()")
    assert before["photos"] >= 1 and before["footprints"] >= 1 and _shown(qtbot, map_view) == everything
    other, with_photos = case_uuid(demo_ws, OTHER_CASE), case_uuid(demo_ws, XSS_CASE)

    map_view.show_only(AdmittedCases.of([other, "not-a-uuid", "<img src=x onerror=alert(1)>"]))
    assert _shown(qtbot, map_view) == [other]
    stats = run_js(qtbot, map_view, "LvdunMap.stats()")
    assert stats["cases"] == 1 and stats["photos"] == 0 and stats["footprints"] == 0
    assert run_js(qtbot, map_view, f"LvdunMap.selectCase('{with_photos}')") is False

    map_view.show_only(AdmittedCases.of([with_photos]))
    stats = run_js(qtbot, map_view, "LvdunMap.stats()")
    assert (stats["photos"], stats["footprints"]) == (before["photos"], before["footprints"])
    assert _shown(qtbot, map_view) == [with_photos]

    with qtbot.waitSignal(map_view.mapReady, timeout=READY_MS):  # a new document keeps the filter
        map_view.set_workspace(demo_ws)
    assert _shown(qtbot, map_view) == [with_photos]

    map_view.show_only(None)
    assert _shown(qtbot, map_view) == everything
    assert run_js(qtbot, map_view, "LvdunMap.stats()")["photos"] == before["photos"]


def test_admitted_cases_keep_only_canonical_uuids():
    upper = "A1B2C3D4-0000-4000-8000-00000000000F"
    admitted = AdmittedCases.of([upper, "x", "", "a1b2c3d4-0000-4000-8000-00000000000f\n"])
    assert admitted.json_text == '["a1b2c3d4-0000-4000-8000-00000000000f"]' and admitted.count == 1
