"""Quality gates: pytest refuses unknown markers and passing xfails, the tests wait on conditions instead of
fixed times, ``ruff check`` passes with no exemption left in the core, sync and ui packages, and ``mypy`` passes
on the core and sync with a typed workspace connection (as ``.ci/run`` runs both)."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTEST_BUILTIN_MARKERS = {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings"}
# Waiting a fixed time: Qt's and pytest-qt's waits, sleeps. A test waits on a signal, an event or a condition.
FIXED_WAIT = re.compile(r"\bqtbot\.wait\(|\bqWait\(|\btime\.sleep\(|\basyncio\.sleep\(")
# The polling loops, each bounded and on a real condition: sync_fixtures.wait_for ("the server answers"), and the
# patrol benchmark's (not a test: it feeds the window as fast as it takes fixes, waiting for the map and the logger).
ALLOWED_WAITS = {("sync_fixtures.py", "        time.sleep(poll_s)"),
                 ("bench_patrol.py", "            time.sleep(0.005)"), ("bench_patrol.py", "        time.sleep(0.001)")}


# A database connection passed around untyped: `conn: Any`, `dbapi_conn: Any`, `connection: Any`
UNTYPED_CONNECTION = re.compile(r"(conn|connection): Any\b")
TYPED_PACKAGES = ("inspector", "sync")


def _tool_options() -> dict:
    with (REPO / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]


def _pytest_options() -> dict:
    return _tool_options()["pytest"]["ini_options"]


def test_pytest_refuses_unknown_markers_and_passing_xfails():
    options = _pytest_options()
    assert "--strict-markers" in options["addopts"].split()
    assert options["xfail_strict"] is True
    declared = {marker.split(":")[0] for marker in options["markers"]}
    used = {name for path in (REPO / "tests").rglob("*.py")
            for name in re.findall(r"pytest\.mark\.(\w+)", path.read_text(encoding="utf-8"))}
    assert used - PYTEST_BUILTIN_MARKERS <= declared


def test_an_undeclared_marker_is_an_error(tmp_path):
    typo = "slwo"  # for "slow"
    (tmp_path / "test_typo.py").write_text(f"import pytest\n\n@pytest.mark.{typo}\ndef test_x():\n    pass\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(REPO),
                             "-c", str(REPO / "pyproject.toml"), str(tmp_path / "test_typo.py")],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "'slwo' not found in `markers`" in result.stdout + result.stderr


def test_no_test_waits_a_fixed_time():
    found = [(path.relative_to(REPO).as_posix(), number, line.rstrip())
             for path in sorted((REPO / "tests").rglob("*.py")) if path.name != Path(__file__).name
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if FIXED_WAIT.search(line) and (path.name, line.rstrip()) not in ALLOWED_WAITS]
    assert found == []


def test_ruff_check_passes():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_exempts_nothing_in_the_core_and_sync():
    exempt = _tool_options()["ruff"]["lint"]["per-file-ignores"]
    assert [path for path in exempt if path.startswith(tuple(f"{package}/" for package in TYPED_PACKAGES))] == []


def test_mypy_passes_on_the_core_and_sync(tmp_path):
    options = _tool_options()["mypy"]
    assert options["files"] == list(TYPED_PACKAGES) and options["check_untyped_defs"] is True
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_workspace_connection_is_typed():
    found = [(path.relative_to(REPO).as_posix(), number, line.strip())
             for package in TYPED_PACKAGES for path in sorted((REPO / package).rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if UNTYPED_CONNECTION.search(line)]
    assert found == []


def test_ci_runs_the_gates():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "ruff check ." in ci and "lint-imports" in ci
    assert "\n.venv/bin/mypy\n" in ci and ci.index(".venv/bin/mypy") < ci.index("-m pytest")


def test_ui_has_no_long_line_or_unused_import_exemptions():
    """ui/ is held to the whole rule set: no per-file ignores for long lines (E501) or unused imports (F401)."""
    ignores = _tool_options()["ruff"]["lint"]["per-file-ignores"]
    exempt = {path: codes for path, codes in ignores.items()
              if path.startswith("ui/") and {"E501", "F401"} & set(codes)}
    assert exempt == {}
