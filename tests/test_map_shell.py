"""The page shell: a new map view loads its page before any document exists, and the first document is
posted into that page (no second page load); later documents load as pages of their own."""
from __future__ import annotations

import json
import uuid

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from inspector.casework.cases import list_cases  # noqa: E402
from inspector.maps.map_document import MapBundle, build_map_shell, build_workspace_map  # noqa: E402
from tests.test_map_view import READY_MS, demo_ws  # noqa: E402,F401
from tests.ui_fixtures import dispose, run_js, show_exposed  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402

pytestmark = pytest.mark.map_page


def test_the_first_document_is_posted_into_the_page_loaded_before_it(qtbot, demo_ws):  # noqa: F811
    view = MapView()
    loads: list[bool] = []
    view.page().loadFinished.connect(loads.append)
    try:
        show_exposed(qtbot, view)
        qtbot.waitUntil(lambda: loads == [True], timeout=READY_MS)  # the shell, with no document yet
        assert not view.is_ready() and run_js(qtbot, view, "LvdunMap.stats().drawn") is False
        with qtbot.waitSignal(view.mapReady, timeout=READY_MS):
            view.set_workspace(demo_ws)
        assert loads == [True]  # drawn in the page that was there
        stats = run_js(qtbot, view, "LvdunMap.stats()")
        assert stats["drawn"] and stats["cases"] == len(list_cases(demo_ws)) and stats["photos"] == 2

        with qtbot.waitSignal(view.mapReady, timeout=READY_MS):
            view.set_workspace(demo_ws)
        assert loads == [True, True]  # the next document is a page of its own
        assert run_js(qtbot, view, "LvdunMap.stats().cases") == len(list_cases(demo_ws))
    finally:
        dispose(qtbot, view)


def test_a_document_carries_its_configuration_for_the_shell(demo_ws):  # noqa: F811
    bundle = build_workspace_map(demo_ws)
    config = json.loads(bundle.resources["config.json"])
    assert config["token"] == bundle.token and config["shell"] is False and config["data"]["cases"]
    shell = build_map_shell()
    assert json.loads(shell.resources["config.json"])["shell"] is True and shell.token != bundle.token
    assert build_map_shell() is shell  # one per process


def test_a_page_that_is_not_a_map_document_loads_as_a_page_of_its_own(qtbot):
    view = MapView()
    loads: list[bool] = []
    view.page().loadFinished.connect(loads.append)
    try:
        show_exposed(qtbot, view)
        qtbot.waitUntil(lambda: loads == [True], timeout=READY_MS)  # the shell
        page = MapBundle("<!DOCTYPE html><html><body><p id=plain>plain</p></body></html>", {}, str(uuid.uuid4()))
        with qtbot.waitSignal(view.page().loadFinished, timeout=READY_MS):
            view.show_bundle(page)  # no config.json: the shell cannot open it
        assert run_js(qtbot, view, "document.getElementById('plain').textContent") == "plain"
    finally:
        dispose(qtbot, view)
