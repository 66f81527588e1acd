"""新建问题 in the GUI: a problem found in the field, at a position picked on the map or the GPS position."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QToolButton

from inspector.casework.workflow import STATES
from inspector.geo.gnss import GnssFix
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import run_js, show_exposed, wait_job


def _demo_case(window) -> dict:
    """A demo case of the test county: its position is inside the acting user's jurisdiction and zones."""
    from tests.ui_fixtures import DEMO_TEST_COUNTY

    return window.session.ws.conn.execute(
        "SELECT lon, lat, city_adcode, county_adcode FROM cases WHERE county_adcode = ? ORDER BY id LIMIT 1",
        (DEMO_TEST_COUNTY,)).fetchone()


@pytest.mark.map_page
def test_a_case_created_at_a_point_picked_on_the_map_is_listed_selected_and_attributed(window, qtbot):
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)
    near = _demo_case(window)
    window.actions_by_name["new_case"].trigger()
    dialog = window.new_case_dialog
    assert dialog.isVisible()
    dialog.problem_type.setEditText("非法采砂")
    dialog.description.setPlainText("河滩新发现采砂点 <img src=x onerror=alert(1)>")
    # Without a position the dialog refuses, says why, and keeps what was typed.
    count = window.session.ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    assert dialog.save() is None
    assert dialog.isVisible() and dialog.job is None
    assert "请选择位置" in dialog.errors.text() and dialog.errors.isVisible()
    assert dialog.description.toPlainText().startswith("河滩新发现采砂点")
    assert window.session.ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == count
    # Pick the position on the map.
    dialog.map_button.click()
    assert dialog.isHidden()
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, "LvdunMap.stats().picking") is True, timeout=10_000)
    lon, lat = near["lon"] + 0.0002, near["lat"] + 0.0001
    window.map_view.page().runJavaScript(f"LvdunMap.pickAt({lon!r}, {lat!r})")
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)
    assert "地图选点" in dialog.position_label.text() and f"{lon:.6f}" in dialog.position_label.text()
    assert not dialog.errors.isVisible()
    with qtbot.waitSignal(dialog.created, timeout=30_000) as created:
        job = dialog.save()
    uuid = created.args[0]
    case, error = wait_job(qtbot, job)
    assert error is None and case["uuid"] == uuid and not dialog.isVisible()
    # In the list at once, selected, with its 临- number and attribution.
    assert window.case_list.selected_uuid() == uuid and window.current_uuid == uuid
    row = window.case_list.model.row_of_uuid(uuid)
    record = window.case_list.model.record_at(row)
    assert record["case_no"].startswith("临-") and record["case_no"] == case["case_no"]
    assert record["problem_type"] == "非法采砂"
    stored = window.session.ws.conn.execute(
        "SELECT lon, lat, city_adcode, county_adcode, origin FROM cases WHERE uuid = ?", (uuid,)).fetchone()
    assert (stored["lon"], stored["lat"]) == pytest.approx((lon, lat))
    assert stored["origin"] == "field"
    assert (stored["city_adcode"], stored["county_adcode"]) == (near["city_adcode"], near["county_adcode"])
    assert record["city"] and record["county"]  # 市 / 县 shown in the list
    admin = window.case_list.model.index(row, 5).data()
    assert record["county"] in admin
    assert window.detail.case_uuid == uuid and record["case_no"] in window.detail.title.text()
    # On the map, selected.
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, f"LvdunMap.statusOf('{uuid}')") == STATES.index("待核查"),
                    timeout=20_000)
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, "LvdunMap.stats().selected") is not None, timeout=20_000)
    assert run_js(qtbot, window.map_view, "LvdunMap.stats().selected") == pytest.approx([lon, lat], abs=1e-6)


def test_the_gps_position_with_its_accuracy_and_a_refusal_from_the_core(window, qtbot):
    window.actions_by_name["new_case"].trigger()
    dialog = window.new_case_dialog
    dialog.use_gps()  # no fix yet: said in the dialog
    assert "还没有 GPS 定位" in dialog.errors.text() and dialog.position is None
    window.gps.report(GnssFix(116.5, 39.5, fix_type="gps", satellites=8, hdop=0.8, accuracy_m=4.0))  # outside Jiangsu
    dialog.gps_button.click()
    assert "GPS" in dialog.position_label.text() and "±4 米" in dialog.position_label.text()
    dialog.problem_type.setEditText("养殖")
    dialog.description.setPlainText("新建鱼塘")
    result, error = wait_job(qtbot, dialog.save())
    assert error and "江苏" in error  # the core's reason, shown in the dialog; nothing typed is lost
    assert dialog.isVisible() and dialog.errors.text() == error and dialog.save_button.isEnabled()
    assert dialog.description.toPlainText() == "新建鱼塘"


def test_new_case_is_on_the_toolbar_of_the_inspector_view_at_tablet_width(new_window, qtbot):
    window = show_exposed(qtbot, new_window(), (1024, 768))
    button = window.toolbar.widgetForAction(window.actions_by_name["new_case"])
    assert isinstance(button, QToolButton) and button.isVisible()
    assert window.actions_by_name["nmea"].text() == "回放 NMEA"  # in the GPS button's menu
    window.session.set_role("reviewer")
    assert not window.actions_by_name["new_case"].isVisible()
    window.session.set_role("inspector")
    window.switch_language("en")
    assert window.actions_by_name["new_case"].text() == "New problem"
    window.actions_by_name["new_case"].trigger()
    assert window.new_case_dialog.windowTitle() == "New problem"
    assert window.new_case_dialog.save() is None
    assert "Choose a position" in window.new_case_dialog.errors.text()
