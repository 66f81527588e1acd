"""The bureau build script (``packaging/build_bureau.py``) loaded as a module for the tests.

It lives beside ``build.spec``, outside the packages the field app ships, and
is run as a script; the name ``packaging`` belongs to the PyPI package, so
the tests load the file by its path.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "packaging" / "build_bureau.py"

_spec = importlib.util.spec_from_file_location("build_bureau", SCRIPT)
assert _spec is not None and _spec.loader is not None
build_bureau = importlib.util.module_from_spec(_spec)
sys.modules["build_bureau"] = build_bureau
_spec.loader.exec_module(build_bureau)
