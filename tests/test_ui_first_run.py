"""First run: the demo's 示例数据 banner, a new workspace from the GUI, the first window's size, what an empty
workspace says to do, and new photos and status changes on the map at once."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSize

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import make_geotagged_photo, run_js, show_exposed, wait_job


def test_demo_banner_only_on_the_demo(new_window, qtbot, tmp_path):
    window = show_exposed(qtbot, new_window())
    assert window.demo_notice.isVisible() and "示例数据" in window.demo_notice.label.text()
    assert window.file_menu.create_in(str(tmp_path / "mine"))  # 文件 → 新建工作空间… after its folder dialog
    assert (tmp_path / "mine" / "workspace.sqlite").is_file() and window.session.root == tmp_path / "mine"
    assert not window.demo_notice.isVisible()
    assert "新建工作空间…" in [a.text() for a in window.file_menu.menu.actions()]


def test_empty_workspace_shows_first_steps(new_window, qtbot, tmp_path, demo_ws):
    window = show_exposed(qtbot, new_window())
    assert window.left.currentWidget() is window.case_list
    assert window.file_menu.create_in(str(tmp_path / "empty"))
    steps = window.first_steps
    assert window.left.currentWidget() is steps and steps.isVisible()
    for button in (steps.ledger_button, steps.zones_button, steps.demo_button):
        assert button.isVisible() and button.height() >= 40
    job = window.file_menu.open_demo()  # 打开示例 opens the demo (built when missing) with its cases
    wait_job(qtbot, job, timeout=120_000)
    qtbot.waitUntil(lambda: window.left.currentWidget() is window.case_list, timeout=10_000)
    assert window.demo_notice.isVisible()


@pytest.mark.parametrize("available, maximised", [((1920, 1080), False), ((1366, 768), True), ((800, 1280), True),
                                                  ((3840, 2160), False)])
def test_first_window_size(available, maximised):
    from ui.window_layout import LARGEST_FIRST, MIN_WINDOW, first_window_size

    size, small = first_window_size(QSize(*available))
    assert small is maximised
    assert size.width() <= available[0] and size.height() <= available[1]
    assert size.width() >= min(MIN_WINDOW.width(), available[0])
    assert size.width() <= LARGEST_FIRST.width() and size.height() <= LARGEST_FIRST.height()
    if available == (1920, 1080):
        assert (size.width(), size.height()) == (1536, 864)


@pytest.mark.map_page
def test_new_photo_and_status_reach_the_map_at_once(new_window, qtbot, tmp_path, demo_ws):
    from ui import operations

    window = show_exposed(qtbot, new_window())
    qtbot.waitUntil(lambda: window.map_ready, timeout=30_000)
    row = demo_ws.conn.execute("SELECT case_no, uuid, lon, lat FROM cases ORDER BY case_no LIMIT 1").fetchone()
    photos = "LvdunMap.stats().photos"
    before = run_js(qtbot, window.map_view, photos)
    photo = make_geotagged_photo(tmp_path / "new.jpg", row["lon"], row["lat"])
    with qtbot.waitSignal(window.detail.loaded, timeout=10_000):
        window.select_case(row["uuid"])
    job = window.detail.gallery.attach_files([str(photo)])  # the gallery's own operation
    assert wait_job(qtbot, job)[1] is None
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, photos) == before + 1, timeout=10_000)
    status = f"LvdunMap.statusOf({row['uuid']!r})"
    code = run_js(qtbot, window.map_view, status)
    job = operations.transition_case(session=window.session, case_uuid=row["uuid"], target="现场核查")
    assert wait_job(qtbot, job)[1] is None
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, status) != code, timeout=10_000)
    assert window.map_job is not None and window.map_ready  # in place: the document was not reloaded
