"""Crash safety of attach: SIGKILL at several points, then reopen and check all-or-nothing.

``tests/crash_attach.py`` (a harness, not product code) kills the process at
the point named by ``CRASH_AT``. After each crash the workspace must open,
pass ``PRAGMA integrity_check``, and hold either the evidence with its blob,
media row and audit entry (hashes matching) or none of them; leftovers are
moved to ``media/quarantine/`` by ``quarantine_orphans``, never deleted.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.store.audit import verify
from inspector.store.media_store import QUARANTINE_DIR, hash_file, quarantine_orphans, verify_blob
from inspector.store.workspace import Workspace
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli

HARNESS = Path(__file__).resolve().parent / "crash_attach.py"
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

# crash point -> (evidence committed?, what quarantine_orphans must find)
CRASH_POINTS = {
    "mid_copy": (False, "unfinished copy"),
    "before_rename": (False, "unfinished copy"),
    "after_rename": (False, "not referenced"),
    "before_commit": (False, "not referenced"),
    "after_commit": (True, None),
}


def _blob_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file() and QUARANTINE_DIR not in p.relative_to(media).parts]


@pytest.mark.parametrize("point", list(CRASH_POINTS))
def test_attach_killed_is_all_or_nothing(tmp_path, point):
    ws = build_case_workspace(tmp_path / "case")
    root = ws.root
    ws.close()
    photo = make_geotagged_photo(tmp_path / "photo.jpg", *CENTRE, size=(1600, 1200))
    source_hash = hash_file(photo)[0]
    run = subprocess.run([sys.executable, str(HARNESS), "--workspace", str(root), "attach", CORE_CASE,
                          str(photo), "--json"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "CRASH_AT": point})
    assert run.returncode == -signal.SIGKILL, (run.returncode, run.stderr)
    assert hash_file(photo)[0] == source_hash  # the original is never modified

    committed, leftover = CRASH_POINTS[point]
    with Workspace.open(root) as reopened:
        assert reopened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        moved = quarantine_orphans(reopened)
        assert all(Path(m["moved_to"]).is_file() for m in moved)  # moved, never deleted
        if leftover:
            assert [m["reason"] for m in moved] == [leftover]
        evidence = reopened.conn.execute("SELECT sha256 FROM evidence").fetchall()
        blobs = reopened.conn.execute("SELECT sha256 FROM media_blobs").fetchall()
        files = _blob_files(reopened.media_dir)
        if committed:
            assert [r[0] for r in evidence] == [r[0] for r in blobs] == [source_hash]
            assert verify_blob(reopened, source_hash) is None and len(files) == 1
        else:
            assert evidence == [] and blobs == [] and files == []
        check = verify(reopened)
        assert check["ok"], check
        assert check["entries"] == (1 if committed else 0)

    # the workspace is usable again: attaching now succeeds
    again = run_cli("--workspace", str(root), "attach", CORE_CASE, str(photo), "--json")
    assert again.returncode == 0, again.stderr
    verified = run_cli("--workspace", str(root), "verify-audit", "--json")
    assert verified.returncode == 0, verified.stdout


def test_verify_audit_quarantines_orphans(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    stray = ws.media_dir / "ab" / ("c" * 62)
    stray.parent.mkdir()
    stray.write_bytes(b"orphan")
    (ws.media_dir / ".tmp").mkdir()
    (ws.media_dir / ".tmp" / "incoming-x.part").write_bytes(b"half")
    root = str(ws.root)
    ws.close()
    import json

    result = json.loads(run_cli("--workspace", root, "verify-audit", "--json").stdout)
    assert sorted(m["reason"] for m in result["quarantined"]) == ["not referenced", "unfinished copy"]
    assert not stray.exists() and all(Path(m["moved_to"]).is_file() for m in result["quarantined"])
