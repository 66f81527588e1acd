"""Shared fixtures: fresh workspaces and the public test data (tests/sample_data.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sample_data import SHARED_DATA

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("INSPECTOR_LANG", "zh")

REPO = Path(__file__).resolve().parents[1]


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


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path, monkeypatch):
    """Keep every test away from the real user's data dir and keyring."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("INSPECTOR_WORKSPACE", raising=False)
