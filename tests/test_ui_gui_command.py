"""``inspector gui``: a screenshot run on a workspace exits 0 with a PNG; no display → a clear message."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.ui_fixtures import *  # noqa: F403 - fixtures

REPO = Path(__file__).resolve().parents[1]


def _headless_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


@pytest.mark.map_page
def test_screenshot_without_a_display_falls_back_to_offscreen(demo_ws, tmp_path):
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "inspector", "--workspace", str(demo_ws.root), "gui", "--role", "reviewer",
         "--screenshot", str(shot), "--size", "1024x700"],
        cwd=REPO, env=_headless_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1024, 700)
    assert "未加载完成" not in result.stderr


def test_gui_without_a_display_says_so(demo_ws, tmp_path):
    result = subprocess.run([sys.executable, "-m", "inspector", "--workspace", str(demo_ws.root), "gui"],
                            cwd=REPO, env=_headless_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "没有可用的显示器" in result.stderr and "--screenshot" in result.stderr


def test_core_cli_does_not_import_qt():
    code = ("import sys; from inspector.cli.main import build_parser; build_parser(); "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
