"""Running the CLI on hostile input files under a time and memory bound, and checking the workspace after.

The hostile-input tests (ledgers, zone files) generate their corpus in
``tmp_path`` and feed each file to ``inspector`` in its own process:

- :func:`run_bounded` runs the command, kills it after ``timeout_s`` and
  reports its peak resident memory (``ru_maxrss`` of that very child, read
  with ``os.wait4``), so a test can assert "within 30 s and 1 GB";
- :func:`fingerprint` summarises what a workspace holds (row counts and a
  hash of every synced table's rows) so a test can assert that a refused file
  changed nothing;
- :func:`assert_sound` checks ``PRAGMA integrity_check`` and ``verify-audit``.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.case_fixtures import REPO, cli_json

TIME_BOUND_S = 30.0  # each hostile file: answered within this many seconds
MEMORY_BOUND_BYTES = 1024 ** 3  # ... and within this much resident memory
ADDRESS_SPACE_GUARD_BYTES = 16 * 1024 ** 3  # RLIMIT_AS for the child: a runaway allocation fails, the host survives
FINGERPRINT_TABLES = ("zones", "cases", "findings", "evidence", "transitions", "audit_log", "media_blobs")


@dataclass
class BoundedRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_bytes: int
    timed_out: bool


def _guard_address_space() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_GUARD_BYTES, ADDRESS_SPACE_GUARD_BYTES))


def run_bounded(*args: str, timeout_s: float = TIME_BOUND_S, env: dict[str, str] | None = None) -> BoundedRun:
    """``python -m inspector ARGS`` in its own process; its exit code, output, wall time and peak RSS
    (``ru_maxrss`` of that child alone, from ``os.wait4``)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "inspector", *args], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=_guard_address_space,
                               env={**os.environ, "INSPECTOR_USER": "测试员", **(env or {})},
                               start_new_session=True)
    output: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda name, pipe: output.__setitem__(name, pipe.read()), args=item)
               for item in (("stdout", process.stdout), ("stderr", process.stderr))]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout_s, os.killpg, (process.pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timed_out = not timer.is_alive() and time.monotonic() - started >= timeout_s
        timer.cancel()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return BoundedRun(process.returncode, output["stdout"].decode("utf-8", "replace"),
                      output["stderr"].decode("utf-8", "replace"), time.monotonic() - started,
                      usage.ru_maxrss * 1024, timed_out)


def fingerprint(workspace: Path) -> dict[str, tuple[int, str]]:
    """(row count, SHA-256 of the rows in id order) of each table a refused import must not change."""
    conn = sqlite3.connect(workspace / "workspace.sqlite")
    try:
        summary = {}
        for table in FINGERPRINT_TABLES:
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode("utf-8"))
                count += 1
            summary[table] = (count, digest.hexdigest())
        return summary
    finally:
        conn.close()


def assert_sound(workspace: Path) -> None:
    """The database passes ``PRAGMA integrity_check`` and the audit chain and media verify."""
    conn = sqlite3.connect(workspace / "workspace.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    report = cli_json("--workspace", str(workspace), "verify-audit")
    assert report["ok"], report
