"""Quality gates: pytest refuses unknown markers and passing xfails, the tests wait on conditions instead of
fixed times, ``ruff check`` passes (as ``.ci/run`` runs it) with no exemptions for ui/."""
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
# The one polling loop: sync_fixtures.wait_for (bounded, on a real condition such as "the server answers").
ALLOWED_WAITS = {("sync_fixtures.py", "        time.sleep(poll_s)")}
# Pairs of places that share six or more lines of the same shape, across the whole tree, tests included (issue 12).


def _pytest_options() -> dict:
    with (REPO / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["pytest"]["ini_options"]


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


def test_ci_runs_the_gates():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "ruff check ." in ci and "lint-imports" in ci


def test_ui_has_no_long_line_or_unused_import_exemptions():
    """ui/ is held to the whole rule set: no per-file ignores for long lines (E501) or unused imports (F401)."""
    with (REPO / "pyproject.toml").open("rb") as handle:
        ignores = tomllib.load(handle)["tool"]["ruff"]["lint"]["per-file-ignores"]
    exempt = {path: codes for path, codes in ignores.items()
              if path.startswith("ui/") and {"E501", "F401"} & set(codes)}
    assert exempt == {}
