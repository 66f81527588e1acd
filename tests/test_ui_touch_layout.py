"""The touch (tablet) layout: one pane at a time below 1100 px or in portrait, every action reachable, finger-sized
rows, kinetic scrolling, wheel-proof fields, finger-sized map controls; the desktop layout above that."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import run_js, show_exposed

SIZES = {(800, 1280): True, (1024, 768): True, (1920, 1080): False}  # size → touch layout


def _inside(window, widget: QWidget) -> bool:
    """``widget`` is shown and lies wholly inside the window (nothing clipped)."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    return widget.isVisible() and window.rect().contains(QRect(top_left, widget.size()))


def _reachable(window, action) -> bool:
    """An action is on the toolbar, inside the window, or in a menu of the menu bar."""
    button = window.toolbar.widgetForAction(action)
    if action.isVisible() and button is not None and _inside(window, button):
        return True
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    for button in window.toolbar.findChildren(QToolButton):  # a tool button's own menu (同步 ▾, GPS 定位 ▾)
        if button.menu() is not None and _inside(window, button):
            menus.append(button.menu())
    def same(other) -> bool:  # the action itself, or the menu's entry for the same command (导入台账 / 导入台账…)
        return other is action or other.text().rstrip("…") == action.text().rstrip("…")

    return _inside(window, window.menuBar()) and any(same(a) for menu in menus for a in menu.actions())


@pytest.mark.parametrize("size", list(SIZES), ids=lambda s: f"{s[0]}x{s[1]}")
def test_layout_and_reachable_actions(new_window, qtbot, size):
    window = show_exposed(qtbot, new_window(), size)
    touch = SIZES[size]
    assert window.layout_switch.touch is touch
    assert window.minimumWidth() <= 800
    switch = window.layout_switch
    panes = [window.left, window.map_view, window.detail]
    if touch:
        assert [p.isVisible() for p in panes] == [True, False, False]
        for name in ("list", "map", "detail"):
            button = switch.button(name)
            assert _inside(window, button) and button.height() >= 44, name
    else:
        assert all(p.isVisible() for p in panes) and not switch.bar.isVisible()
        assert all(width > 200 for width in window.splitter.sizes())
    for name, action in window.actions_by_name.items():
        if name == "new_case" and window.session.role != "inspector":
            continue
        assert _reachable(window, action), name
    for widget in (window.role_box, window.language_box, window.case_list.search, window.case_list.status_box):
        assert _inside(window, widget)
        if touch:
            assert widget.height() >= 44


def test_touch_panes_follow_the_user(new_window, qtbot, demo_ws):
    window = show_exposed(qtbot, new_window(), (800, 1280))
    switch = window.layout_switch
    row = demo_ws.conn.execute("SELECT uuid FROM cases ORDER BY case_no LIMIT 1 OFFSET 2").fetchone()
    table = window.case_list.table
    assert table.rowHeight(0) >= 44
    with qtbot.waitSignal(window.detail.loaded, timeout=10_000):
        table.selectRow(2)  # choosing a case in the list shows its 详情, with ‹ 列表 above it
    assert window.current_uuid == row["uuid"]
    assert window.detail.isVisible() and not window.left.isVisible() and switch.back.isVisible()
    assert _inside(window, window.detail.finding_button)
    qtbot.mouseClick(switch.back, Qt.MouseButton.LeftButton)
    assert window.left.isVisible() and not window.detail.isVisible()
    qtbot.mouseClick(switch.button("map"), Qt.MouseButton.LeftButton)
    assert window.map_view.isVisible() and not window.left.isVisible()
    switch.show_pane("list")
    picked = []
    if window.pick_on_map(picked.append):  # 地图选点 shows the map
        assert window.map_view.isVisible()
        window.cancel_map_pick()
    # widening the window gives the desktop layout with the selection kept, and back again
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: not switch.touch)
    assert all(p.isVisible() for p in (window.left, window.map_view, window.detail))
    assert window.case_list.selected_uuid() == row["uuid"] and window.detail.case_uuid == row["uuid"]
    window.resize(900, 1200)
    qtbot.waitUntil(lambda: switch.touch)
    assert window.case_list.selected_uuid() == row["uuid"] and window.detail.case_uuid == row["uuid"]


def test_kinetic_scrolling_in_touch_layout(new_window, qtbot):
    from ui.touch import has_kinetic

    window = show_exposed(qtbot, new_window(), (800, 1280))
    for area in (window.case_list.table, window.detail.scroll, window.detail.gallery.list):
        assert has_kinetic(area)


def test_wheel_over_unfocused_phase_box_scrolls_instead(new_window, qtbot, demo_ws):
    window = show_exposed(qtbot, new_window(), (1366, 768))
    uuid = demo_ws.conn.execute("SELECT uuid FROM cases ORDER BY case_no LIMIT 1").fetchone()["uuid"]
    window.select_case(uuid)
    phase_box = window.detail.gallery.phase_box
    window.detail.scroll.ensureWidgetVisible(phase_box)
    qtbot.waitUntil(phase_box.isVisible)
    window.case_list.search.setFocus()
    before = phase_box.currentIndex()
    centre = QPointF(phase_box.rect().center())
    for _ in range(3):  # a real wheel event at the box, scrolling down
        event = QWheelEvent(centre, QPointF(phase_box.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(phase_box, event)
    assert phase_box.currentIndex() == before
    phase_box.setFocus()  # a focused box takes the wheel as always
    qtbot.waitUntil(phase_box.hasFocus)
    event = QWheelEvent(centre, QPointF(phase_box.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(phase_box, event)
    assert phase_box.currentIndex() != before


@pytest.mark.map_page
def test_map_controls_finger_sized_in_touch_layout(new_window, qtbot):
    window = show_exposed(qtbot, new_window(), (800, 1280))
    qtbot.mouseClick(window.layout_switch.button("map"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.map_ready, timeout=30_000)
    height = "document.querySelector('.leaflet-control-zoom-in').getBoundingClientRect().height"
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, height) >= 44, timeout=10_000)
    label = "document.querySelector('.leaflet-control-layers label').getBoundingClientRect().height"
    assert run_js(qtbot, window.map_view, label) >= 44
    window.resize(1920, 1080)  # the desktop's controls again
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, height) < 44, timeout=10_000)
