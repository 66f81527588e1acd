"""The map follows the case list's filter in the page: it shows exactly the cases the filter admits, and a
filter change starts no new map document."""
from __future__ import annotations

from inspector.casework.case_list_query import CaseFilter
from inspector.maps.map_layers import admitted_case_uuids
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import run_js, wait_job


def _shown(window, qtbot) -> list[str]:
    return sorted(run_js(qtbot, window.map_view, "LvdunMap.caseIds()"))


def _wait_shown(window, qtbot, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: _shown(window, qtbot) == expected, timeout=10_000)


def test_a_filter_change_shows_exactly_the_admitted_cases_without_a_new_document(window, session, qtbot):
    job = window.map_job
    wait_job(qtbot, job)
    qtbot.waitUntil(lambda: window.map_ready, timeout=30_000)
    everything = sorted(admitted_case_uuids(session.ws, CaseFilter()))
    assert len(everything) == 80 and _shown(window, qtbot) == everything
    panel = window.case_list

    panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
    nanjing = sorted(admitted_case_uuids(session.ws, CaseFilter(city_adcode="320100")))
    assert len(nanjing) == 5
    _wait_shown(window, qtbot, nanjing)
    assert run_js(qtbot, window.map_view, "LvdunMap.stats().cases") == 5

    state = session.ws.conn.execute("SELECT status FROM cases WHERE city_adcode = '320100'").fetchone()[0]
    panel.status_box.setCurrentIndex(panel.status_box.findData(state))
    _wait_shown(window, qtbot, sorted(admitted_case_uuids(session.ws, CaseFilter((state,), "320100"))))

    panel.status_box.setCurrentIndex(0)
    panel.city_box.setCurrentIndex(0)
    _wait_shown(window, qtbot, everything)
    assert window.map_job is job and window.map_ready  # the same document all along


def test_a_case_hidden_by_the_filter_cannot_be_selected_on_the_map(window, session, qtbot):
    qtbot.waitUntil(lambda: window.map_ready, timeout=30_000)
    panel = window.case_list
    panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
    nanjing = sorted(admitted_case_uuids(session.ws, CaseFilter(city_adcode="320100")))
    _wait_shown(window, qtbot, nanjing)
    outside = session.ws.conn.execute("SELECT uuid FROM cases WHERE city_adcode != '320100'").fetchone()[0]
    assert run_js(qtbot, window.map_view, f"LvdunMap.selectCase('{outside}')") is False
    assert run_js(qtbot, window.map_view, f"LvdunMap.selectCase('{nanjing[0]}')") is True
