"""Shared fixtures and checks: fresh workspaces, the demo workspace (built once per session, copied for each
test), the public test data, and the map page's web assets.

Tests marked ``map_page`` load the real map page, which needs Leaflet from the
npm registry (``resources/web/node_modules``). Without it the page would never
report ready and each such test would wait out its timeout; instead they fail
at once with the map's own message (what is missing, how to install it). They
fail rather than skip: CI must install the assets.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sample_data import SHARED_DATA

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("INSPECTOR_LANG", "zh")

REPO = Path(__file__).resolve().parents[1]
MAP_PAGE_MARKER = "map_page"
_web_assets: dict[str, str] = {}  # "problem": the map's message, computed once per session


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def ws(tmp_path):
    from inspector.store.workspace import Workspace

    workspace = Workspace.create(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo workspace (80 cases, real zones and admin areas), built once and closed: tests copy it."""
    from inspector.demo.workspace import build_demo_workspace

    root = tmp_path_factory.mktemp("demo-template") / "demo"
    build_demo_workspace(root).close()
    return root


@pytest.fixture
def demo_ws(demo_template, tmp_path):
    """This test's own copy of the demo workspace, open."""
    from inspector.store.workspace import Workspace

    root = tmp_path / "demo"
    shutil.copytree(demo_template, root)
    ws = Workspace.open(root)
    yield ws
    ws.close()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path, monkeypatch):
    """Keep every test away from the real user's data dir and keyring."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("INSPECTOR_WORKSPACE", raising=False)


def web_assets_problem() -> str:
    """The map's message about missing web assets in both languages, or "" when they are installed."""
    if "problem" not in _web_assets:
        from ui.map.map_scheme import web_assets_problem as problem_of_the_map

        problem = problem_of_the_map()
        _web_assets["problem"] = f"{problem.zh}\n{problem.en}" if problem is not None else ""
    return _web_assets["problem"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(MAP_PAGE_MARKER) is not None and web_assets_problem():
        pytest.fail(web_assets_problem(), pytrace=False)
