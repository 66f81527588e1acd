"""Every benchmark behind one command, and one table: work, ours, peer, ratio, target, met.

Run: ``.venv/bin/python tests/bench/run_all.py [--only workspace,sync] [--log-dir DIR]``.
Not part of the test run. The benchmarks run one after another, each in its
own process with its default (issue-sized) arguments, so no two compete for
the cores; each one's full output goes to ``DIR/<name>.log`` (and is echoed
with ``--verbose``). Each target a benchmark measures arrives as a row through
:mod:`summary`; a benchmark that fails or cannot run (a missing system tool)
is listed under the table with its exit code. Exit 1 when a target is missed
or a benchmark failed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from summary import SUMMARY_FILE_VARIABLE, Row, read_rows  # noqa: E402

# name → extra arguments; the order puts the issue-19 rows first.
BENCHMARKS: dict[str, list[str]] = {
    "workspace": [],
    "sync": [],
    "gui": [],
    "patches": [],
    "map": [],
    "object_store": [],
    "imagery": [],
    "basemap": [],
    "patrol": [],
    "reports": [],
    "forms": [],
}
HEADERS = ("work", "ours", "peer", "ratio", "target", "met")


def run_one(name: str, args: list[str], log_dir: Path, verbose: bool) -> tuple[list[Row], int, float]:
    """Run ``bench_<name>.py``; its rows, its exit code and its wall time."""
    summary_file = log_dir / f"{name}.rows.jsonl"
    summary_file.unlink(missing_ok=True)
    env = dict(os.environ, **{SUMMARY_FILE_VARIABLE: str(summary_file)})
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    with open(log_dir / f"{name}.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, str(BENCH_DIR / f"bench_{name}.py"), *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if verbose:
                print(f"[{name}] {line}", end="", flush=True)
        code = process.wait()
    return read_rows(str(summary_file)), code, time.perf_counter() - start


def format_table(rows: list[Row]) -> str:
    cells = [HEADERS] + [(r.work, r.ours, r.peer, r.ratio, r.target, "yes" if r.met else "NO") for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(HEADERS))]
    lines = []
    for index, row in enumerate(cells):
        lines.append(" | ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            lines.append("-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated names: " + ", ".join(BENCHMARKS))
    parser.add_argument("--log-dir", type=Path, help="where each benchmark's output goes (default: a temp dir)")
    parser.add_argument("--verbose", action="store_true", help="echo every benchmark's output")
    options = parser.parse_args()
    names = options.only.split(",") if options.only else list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    log_dir = options.log_dir or Path(tempfile.mkdtemp(prefix="lvdun-bench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    failures: list[str] = []
    for name in names:
        print(f"running bench_{name}.py …", flush=True)
        found, code, seconds = run_one(name, BENCHMARKS[name], log_dir, options.verbose)
        rows.extend(found)
        print(f"  {len(found)} row(s), exit {code}, {seconds:.0f} s", flush=True)
        if code != 0:
            failures.append(f"bench_{name}.py exited {code}: see {log_dir / (name + '.log')}")
        elif not found:
            failures.append(f"bench_{name}.py measured no target (a peer tool missing?): see "
                            f"{log_dir / (name + '.log')}")
    print()
    print(format_table(rows))
    for failure in failures:
        print(failure)
    print(f"logs: {log_dir}")
    return 0 if rows and all(row.met for row in rows) and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
