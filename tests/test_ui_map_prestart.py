"""The prestarted map view: made with the application, before the main window, so that its page shell loads
while the window's code is imported and built; the main window then takes that view."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from tests.ui_fixtures import *  # noqa: E402,F403 - fixtures
from tests.ui_fixtures import dispose, run_js  # noqa: E402
from ui.map import map_panel  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402


def test_the_prestarted_view_loads_its_shell_unshown_and_is_handed_out_once(qtbot):
    map_panel.prestart_map_view()
    map_panel.prestart_map_view()  # one is enough
    view, has_map = map_panel.create_map_view()
    try:
        assert has_map and isinstance(view, MapView) and not view.isVisible()
        qtbot.waitUntil(lambda: run_js(qtbot, view, "typeof LvdunMap") == "object", timeout=30_000)
        assert view.page().url().path().endswith("/index.html") and not view.is_ready()  # the shell, no document
        other, _ = map_panel.create_map_view()
        assert other is not view  # taken once; the next view is a new one
        dispose(qtbot, other)
    finally:
        dispose(qtbot, view)


def test_the_main_window_takes_the_prestarted_view_and_its_map_becomes_ready(session, qtbot):
    from ui.main_window import MainWindow

    map_panel.prestart_map_view()
    prestarted = map_panel._prestarted[-1]
    window = MainWindow(session)
    try:
        assert window.map_view is prestarted and window.map_view.parent() is not None
        window.show()
        qtbot.waitUntil(lambda: window.map_ready, timeout=30_000)
        assert run_js(qtbot, window.map_view, "LvdunMap.stats().cases") > 0
    finally:
        session.pool.waitForDone()
        window.gps.stop()
        dispose(qtbot, window)
