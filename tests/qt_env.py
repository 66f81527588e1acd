"""Environment for Qt WebEngine tests: offscreen, no GPU, no sandbox when running as root.

Import this module before PySide6 creates the QApplication (the map tests
and the map benchmark do it at import time). It also registers the ``lvdun``
URL scheme, which Qt allows only before the application exists.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_FLAGS = ["--disable-gpu", "--disable-gpu-compositing"]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    _FLAGS.append("--no-sandbox")
_existing = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join([_existing] + [f for f in _FLAGS if f not in _existing]).strip()

from ui.map.map_scheme import register_map_scheme  # noqa: E402

register_map_scheme()
