"""Without the npm web assets the map says what is missing and how to install it, and the map tests fail at
once with that message instead of waiting out their timeouts. The resource lookup is pointed at a copy of
``resources/`` whose ``web/`` holds only the project's own ``app/`` folder."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

import inspector.resources  # noqa: E402
from inspector.maps.map_document import MapBundle  # noqa: E402
from tests.ui_fixtures import dispose, show_exposed  # noqa: E402
from ui.app import MAP_TIMEOUT_S  # noqa: E402
from ui.map.map_scheme import PAGE_ASSETS, web_assets_problem  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LEAFLET = "node_modules/leaflet/dist/leaflet.js"
HIDE_PLUGIN = """\
from pathlib import Path

import inspector.resources

inspector.resources.resources_root = lambda: Path({root!r})
"""


@pytest.fixture
def resources_without_web_assets(tmp_path) -> Path:
    """A resources folder like the real one, but with no ``web/node_modules``."""
    real = inspector.resources.resources_root()
    root = tmp_path / "resources"
    (root / "web").mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name != "web":
            (root / entry.name).symlink_to(entry)
    (root / "web" / "app").symlink_to(real / "web" / "app")
    return root


def test_the_problem_names_the_missing_files_and_the_install_command(resources_without_web_assets, monkeypatch):
    assert web_assets_problem() is None  # this checkout has them
    monkeypatch.setattr(inspector.resources, "resources_root", lambda: resources_without_web_assets)
    problem = web_assets_problem()
    assert problem is not None and problem.exit_code == 3
    for text in (problem.zh, problem.en):
        assert LEAFLET in text and "supercluster.min.js" in text and "app/map.js" not in text
        assert "bash scripts/setup.sh" in text and "npm ci" in text
    assert "缺少网页资源" in problem.zh and "web assets missing" in problem.en


def test_the_map_view_shows_the_problem_instead_of_waiting(qtbot, resources_without_web_assets, monkeypatch):
    monkeypatch.setattr(inspector.resources, "resources_root", lambda: resources_without_web_assets)
    view = show_exposed(qtbot, MapView(), (800, 600))
    try:
        with qtbot.waitSignal(view.mapFailed, timeout=5_000) as failed:
            view.show_bundle(MapBundle(html="<!DOCTYPE html><html></html>", token=str(uuid.uuid4())))
        notice = view.findChild(QLabel, "mapNotice")
        assert failed.args == [view.failure()] and LEAFLET in view.failure() and "npm ci" in view.failure()
        assert notice.isVisible() and notice.text() == view.failure() and not view.web_view().isVisible()
        assert not view.is_ready()
        monkeypatch.undo()  # installed again: the next document loads as usual
        view.show_bundle(MapBundle(html="<!DOCTYPE html><html></html>", token=str(uuid.uuid4())))
        assert view.failure() == "" and not notice.isVisible() and view.web_view().isVisible()
    finally:
        dispose(qtbot, view)


def test_map_tests_fail_at_once_with_the_message(resources_without_web_assets, tmp_path):
    """The map view tests, run with the assets hidden: every one fails in setup (an error, not a skip) with the
    map's message, before any fixture has built a workspace or opened a page."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hide_web_assets.py").write_text(HIDE_PLUGIN.format(root=str(resources_without_web_assets)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugins), str(REPO), os.environ.get("PYTHONPATH", "")])}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "hide_web_assets",
                             "tests/test_map_view.py"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    elapsed = time.monotonic() - started
    summary = re.fullmatch(r"(\d+) errors? in .*", result.stdout.splitlines()[-1])  # failed in setup
    assert result.returncode == 1 and summary, result.stdout[-2000:]
    assert result.stdout.count(LEAFLET) >= int(summary.group(1)) >= 10
    assert "bash scripts/setup.sh" in result.stdout
    assert "npm ci" in result.stdout and "the map cannot be shown" in result.stdout
    # Each map test would otherwise wait 60 s for a page that never draws.
    assert elapsed < 60, f"the map tests took {elapsed:.0f} s to fail"


def test_gui_screenshot_is_saved_at_once_when_the_map_cannot_be_shown(resources_without_web_assets, ws, tmp_path):
    """``inspector gui --screenshot`` with the assets hidden: the window shows the map's message, and the command
    saves the PNG and exits 0 without waiting out its map timeout."""
    shot = tmp_path / "shot.png"
    argv = ["--workspace", str(ws.root), "gui", "--screenshot", str(shot), "--size", "1024x700"]
    script = HIDE_PLUGIN.format(root=str(resources_without_web_assets)) + (
        f"\nfrom inspector.cli.main import main\n\nraise SystemExit(main({argv!r}))\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1024, 700)
    assert LEAFLET in result.stderr and "did not finish loading" not in result.stderr
    assert elapsed < MAP_TIMEOUT_S, f"the screenshot took {elapsed:.0f} s"


def test_the_packaged_build_bundles_every_npm_package_the_page_loads():
    """build.spec copies the ``dist`` folders of a list of npm packages: each one a map page loads is in it (the
    frozen app's map would otherwise say that files are missing), and the files it copies include the page's."""
    spec = (REPO / "build.spec").read_text(encoding="utf-8")
    listed = set(re.findall(r'"([^"]+)"', re.search(r"for package in \(([^)]*)\):", spec).group(1)))
    needed = {re.match(r"node_modules/(.+)/dist/", path).group(1) for path in PAGE_ASSETS
              if path.startswith("node_modules/")}
    assert needed == {"leaflet", "supercluster", "@geoman-io/leaflet-geoman-free"}
    assert needed <= listed
