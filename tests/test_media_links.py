"""The media store stays inside the workspace: symbolic links under media/ are refused and reported.

Each test plants links that point outside the workspace at *identical* content
(so a hash check alone would pass): a blob replaced by a link, a linked shard
directory (``media/ab``), ``media/`` itself as a link, a linked quarantine
folder. verify-audit reports them with their paths (not ok, exit 1); attach and
quarantine refuse with a bilingual BadInput and write nothing outside; a form
and a thumbnail refuse to read a linked blob.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.errors import BadInput
from inspector.forms.form_data import gather_case
from inspector.store.media_store import blob_path, quarantine_orphans, thumbnail_path
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")


@pytest.fixture
def stored(tmp_path):
    """A workspace with one attached photo, and an empty folder outside it."""
    ws = build_case_workspace(tmp_path / "case")
    [photo] = attach(ws, CORE_CASE, [make_geotagged_photo(tmp_path / "p.jpg", *CENTRE)])
    outside = tmp_path / "outside"
    outside.mkdir()
    yield ws, photo["sha256"], outside
    ws.close()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def link_blob(ws, sha: str, outside: Path) -> Path:
    """Replace the stored blob by a link to an identical copy outside the workspace."""
    blob = blob_path(ws.media_dir, sha)
    copy = shutil.copy2(blob, outside / "copy.jpg")
    blob.chmod(0o644)
    blob.unlink()
    blob.symlink_to(copy)
    return blob


def link_shard(ws, sha: str, outside: Path) -> Path:
    """Move the blob's shard directory (``media/ab``) outside and leave a link in its place."""
    shard = blob_path(ws.media_dir, sha).parent
    moved = Path(shutil.move(str(shard), str(outside / shard.name)))
    shard.symlink_to(moved, target_is_directory=True)
    return shard


def link_media(ws, outside: Path) -> Path:
    moved = Path(shutil.move(str(ws.media_dir), str(outside / "media")))
    ws.media_dir.symlink_to(moved, target_is_directory=True)
    return ws.media_dir


def verify_cli(ws) -> tuple[int, dict]:
    result = run_cli("--workspace", str(ws.root), "verify-audit", "--json")
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("plant", [link_blob, link_shard])
def test_verify_audit_reports_a_linked_blob_or_shard_with_its_path(stored, plant):
    ws, sha, outside = stored
    link = plant(ws, sha, outside)
    code, result = verify_cli(ws)
    assert code == 1 and result["ok"] is False
    problems = result["media_problems"]
    assert {"sha256": sha, "path": str(blob_path(ws.media_dir, sha)),
            "reason": f"symbolic link, not followed: {link}"} in problems
    assert str(link) in {p["path"] for p in problems}
    assert result["quarantined"] == [] and str(link) in result["quarantine_refused"]


def test_verify_audit_reports_a_linked_media_folder(stored):
    ws, sha, outside = stored
    media = link_media(ws, outside)
    code, result = verify_cli(ws)
    assert code == 1 and not result["ok"]
    assert [p["path"] for p in result["media_problems"]] == [str(blob_path(media, sha)), str(media)]


@pytest.mark.parametrize("plant", [link_blob, link_shard])
def test_attach_refuses_to_store_through_a_link(stored, plant, tmp_path):
    ws, sha, outside = stored
    plant(ws, sha, outside)
    before = files_under(outside)
    photo = make_geotagged_photo(tmp_path / "p.jpg", *CENTRE)  # the same content: its blob is the link
    [result] = attach(ws, "LD-002", [photo])
    assert "symbolic link" in result["error"] or "符号链接" in result["error"]
    assert files_under(outside) == before
    assert ws.conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 1


def test_attach_through_a_linked_media_folder_is_bad_input_and_writes_nothing_outside(stored, tmp_path):
    ws, _, outside = stored
    link_media(ws, outside)
    before = files_under(outside)
    new_photo = make_geotagged_photo(tmp_path / "new.jpg", *CENTRE, bearing=33.0)
    result = run_cli("--workspace", str(ws.root), "attach", CORE_CASE, str(new_photo), "--json")
    assert result.returncode == 2
    assert "符号链接" in json.loads(result.stdout)[0]["error"]
    english = run_cli("--workspace", str(ws.root), "attach", CORE_CASE, str(new_photo), "--json",
                      env={"INSPECTOR_LANG": "en"})
    assert english.returncode == 2 and "symbolic link" in json.loads(english.stdout)[0]["error"]
    assert files_under(outside) == before


def test_quarantine_refuses_with_a_linked_shard_and_moves_nothing(stored, tmp_path):
    ws, sha, outside = stored
    orphan_dir = outside / "ff"
    orphan_dir.mkdir()
    (orphan_dir / ("0" * 62)).write_bytes(b"someone else's file")
    (ws.media_dir / "ff").symlink_to(orphan_dir, target_is_directory=True)
    stray = ws.media_dir / ".tmp" / "incoming-stale.part"
    stray.write_bytes(b"half a copy")
    with pytest.raises(BadInput, match="符号链接|symbolic link"):
        quarantine_orphans(ws)
    assert (orphan_dir / ("0" * 62)).read_bytes() == b"someone else's file" and stray.is_file()


def test_quarantine_never_moves_files_into_a_linked_quarantine_folder(stored):
    ws, sha, outside = stored
    (ws.media_dir / "quarantine").symlink_to(outside, target_is_directory=True)
    stray = ws.media_dir / ".tmp" / "incoming-stale.part"
    stray.write_bytes(b"half a copy")
    with pytest.raises(BadInput):
        quarantine_orphans(ws)
    assert files_under(outside) == [] and stray.is_file()


@pytest.mark.parametrize("plant", [link_blob, link_shard])
def test_forms_and_thumbnails_refuse_a_linked_blob(stored, plant, tmp_path):
    ws, sha, outside = stored
    plant(ws, sha, outside)
    with pytest.raises(BadInput, match="符号链接|symbolic link"):
        gather_case(ws, CORE_CASE)
    with pytest.raises(BadInput):
        thumbnail_path(ws, sha, 64)
    result = run_cli("--workspace", str(ws.root), "form", CORE_CASE, "--kind", "inspection",
                     "-o", str(tmp_path / "form.pdf"))
    assert result.returncode == 2 and "符号链接" in result.stderr
    assert not (tmp_path / "form.pdf").exists()
