"""Layering: the domain core and the sync layer never import Qt."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_and_sync_sources_do_not_import_qt():
    offenders = [
        f"{path.relative_to(REPO)} imports {name}"
        for package in ("inspector", "sync")
        for path in sorted((REPO / package).rglob("*.py"))
        for name in _imports(path)
        if name in QT_MODULES
    ]
    assert not offenders, offenders


def test_importing_every_core_module_loads_no_qt():
    modules = [
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in ("inspector", "sync")
        for path in sorted((REPO / package).rglob("*.py"))
        if path.name not in ("__main__.py",)
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
