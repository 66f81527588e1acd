"""Find bundled, non-code assets (web assets, admin areas, demo data, fonts).

One :func:`resource_path` serves both a source checkout (``<repo>/resources``)
and a PyInstaller bundle (``sys._MEIPASS/resources``).
"""
from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("admin", "jiangsu_admin.geojson")``."""
    return resources_root().joinpath(*parts)
