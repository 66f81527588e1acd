"""Layering: ``ui -> sync -> inspector`` and nothing upward; the core and the sync layer never import Qt.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and
``lint-imports`` checks them over every import, lazy ones inside functions
included; the tests below also import every module of the core and the sync
layer and look for Qt among what got loaded, and check that the core's command
line works without the packages that contribute commands to it.
"""
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


def test_import_contracts_hold():
    lint = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    result = subprocess.run([sys.executable, "-c", lint], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_core_command_line_works_without_sync_and_ui(tmp_path):
    """The sync and gui commands come from their packages' entry points; with those packages gone the core
    still runs its own commands (``init`` here) and simply has no ``sync`` or ``gui``."""
    code = (
        "import sys\n"
        "class Absent:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('sync', 'ui'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Absent())\n"
        "from inspector.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    workspace = tmp_path / "ws"
    made = subprocess.run([sys.executable, "-c", code, "--workspace", str(workspace), "init", "--json"],
                          cwd=REPO, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert (workspace / "workspace.sqlite").is_file()
    missing = subprocess.run([sys.executable, "-c", code, "--workspace", str(workspace), "sync"],
                             cwd=REPO, capture_output=True, text=True)
    assert missing.returncode == 2 and "invalid choice: 'sync'" in missing.stderr


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
