"""Blob uploads over a real loopback server: several bundles (and a chunked blob) in flight at once, pipelined
with the push, each blob sent once; a bundle refused mid-way stops the sync, and the retry sends only the blobs
the server has not confirmed.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.store.workspace import Workspace
from sync import blob_transfer
from sync.errors import SyncError
from sync.server import durable_files
from tests.sync_fixtures import (  # noqa: F401
    FailNthRequest,
    client_workspace,
    db_url,
    server,
    start_server,
    stored_bytes,
    sync,
    use_test_keyring,
)

CASE = "LD-001"
CENTRE = (120.5, 33.5)


def field_work(root, tmp_path, findings: int = 3, photos: int = 4) -> list[str]:
    """Findings with small photos each, and one larger photo; returns every photo's SHA-256."""
    with Workspace.open(root) as ws:
        for f in range(findings):
            finding = add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description=f"塘 {f}")
            files = [make_geotagged_photo(tmp_path / f"p{f}-{i}.jpg", CENTRE[0] + (f * photos + i) * 1e-4, CENTRE[1])
                     for i in range(photos)]
            attach(ws, CASE, files, finding=finding["uuid"], actor="inspector_a")
        big = make_geotagged_photo(tmp_path / "big.jpg", *CENTRE, size=(1600, 1200))
        attach(ws, CASE, [big], actor="inspector_a")
        return [r[0] for r in ws.conn.execute("SELECT sha256 FROM evidence ORDER BY id")]


def count_bundled(store, monkeypatch) -> list[list[str]]:
    """The hashes of each bundle the server stores (recorded as they arrive)."""
    seen: list[list[str]] = []
    original = store.store_bundle

    def recording(body: bytes, user_name: str, *more) -> list[str]:
        stored = original(body, user_name, *more)
        seen.append(stored)
        return stored
    monkeypatch.setattr(store, "store_bundle", recording)
    return seen


def small_bundles(monkeypatch, shas: list[str], media_dir) -> int:
    """Bundles of about two photos, and the large photo sent chunked; returns the large photo's size."""
    sizes = sorted(blob_transfer.blob_path(media_dir, sha).stat().st_size for sha in shas)
    monkeypatch.setattr(blob_transfer, "BUNDLE_MAX_BLOB_BYTES", sizes[-1] - 1)
    monkeypatch.setattr(blob_transfer, "BUNDLE_TARGET_BYTES", 2 * sizes[-2])
    return sizes[-1]


def test_plan_uploads_sends_each_blob_once_in_order(monkeypatch):
    monkeypatch.setattr(blob_transfer, "BUNDLE_TARGET_BYTES", 100)
    monkeypatch.setattr(blob_transfer, "BUNDLE_MAX_BLOB_BYTES", 60)
    todo = [("a", 40), ("b", 40), ("c", 40), ("big", 61), ("d", 10), ("e", 60), ("f", 50)]
    jobs = blob_transfer.plan_uploads(todo)
    assert jobs == [[("a", 40), ("b", 40)], [("c", 40), ("d", 10)], [("big", 61)], [("e", 60)], [("f", 50)]]
    assert sorted(sha for job in jobs for sha, _ in job) == sorted(sha for sha, _ in todo)


def test_durable_write_all_places_every_file_and_leaves_no_temporary(tmp_path):
    root = tmp_path / "blobs"
    files = [(str(root / f"{i:02x}" / f"f{i}"), memoryview(bytes([i]) * (1000 + i))) for i in range(12)]
    (root / "00").mkdir(parents=True)
    (root / "00" / "f0").write_bytes(b"old")  # replaced
    durable_files.write_all(files)
    for final, data in files:
        assert Path(final).read_bytes() == bytes(data) and not Path(final).stat().st_mode & 0o222
    (root / "zz").write_bytes(b"a file where a directory should be")
    with pytest.raises(OSError):
        durable_files.write_all([(str(root / "01" / "g"), memoryview(b"x")),
                                 (str(root / "zz" / "g"), memoryview(b"y"))])
    assert not (root / "01" / "g").exists()
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == sorted(["zz", *(f"f{i}" for i in range(12))])


def test_parallel_bundles_pipelined_with_push(server, tmp_path, monkeypatch):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    shas = field_work(a, tmp_path)
    with Workspace.open(a) as ws:
        small_bundles(monkeypatch, shas, ws.media_dir)
        planned = blob_transfer.plan_uploads(blob_transfer.unconfirmed_blobs(ws, server.url))
    bundles = [job for job in planned if job[0][1] <= blob_transfer.BUNDLE_MAX_BLOB_BYTES]
    assert len(bundles) >= 4 and len(planned) == len(bundles) + 1  # and the large photo, chunked
    seen = count_bundled(server.app.state.blob_store, monkeypatch)

    report = sync(a, batch_size=2)  # findings go while blobs are in flight; evidence waits for its own
    assert report.blobs_uploaded == len(shas) and report.rejected == 0 and report.conflicts == 0
    assert report.verified and report.pending == 0
    assert len(seen) == len(bundles)
    bundled = [sha for stored in seen for sha in stored]
    assert len(bundled) == len(set(bundled)) == len(shas) - 1  # each sent once; the large one went chunked
    store = server.app.state.blob_store
    assert store.present(shas) == set(shas)
    for sha in shas:
        assert hashlib.sha256(stored_bytes(store, sha)).hexdigest() == sha


def test_refused_bundle_stops_sync_and_retry_sends_the_rest(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, None, wrap=lambda app: FailNthRequest(app, "/blobs/bundle", 2, after=False))
    try:
        a = client_workspace(tmp_path / "a", running.url, "inspector_a")
        sync(a)
        shas = field_work(a, tmp_path)
        with Workspace.open(a) as ws:
            small_bundles(monkeypatch, shas, ws.media_dir)
        seen = count_bundled(running.app.state.blob_store, monkeypatch)
        with pytest.raises(SyncError) as failure:
            sync(a, batch_size=2)
        assert failure.value.status == 503 and failure.value.is_retryable()
        with Workspace.open(a) as ws:  # what the server stored (in flight when one failed) is confirmed
            confirmed = {r[0] for r in ws.conn.execute("SELECT sha256 FROM sync_blob_uploads")}
            pushed = {r[0] for r in ws.conn.execute("SELECT sha256 FROM evidence WHERE dirty = 0")}
        assert confirmed == running.app.state.blob_store.present(shas) and len(confirmed) < len(shas)
        assert pushed <= confirmed  # no evidence went out before the server confirmed its blob
        before = len(seen)
        report = sync(a, batch_size=2)
        assert report.blobs_uploaded == len(shas) - len(confirmed)
        assert report.verified and report.pending == 0 and report.rejected == 0
        resent = [sha for stored in seen[before:] for sha in stored]
        assert not set(resent) & confirmed
    finally:
        running.stop()


@pytest.mark.parametrize("big", [False, True], ids=["bundled", "chunked"])
def test_a_blob_behind_a_symbolic_link_is_not_uploaded(server, tmp_path, monkeypatch, big):
    """The media store is never read through a link: the sync refuses, and the server stores nothing of it."""
    from inspector.errors import BadInput

    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    if big:
        monkeypatch.setattr(blob_transfer, "BUNDLE_MAX_BLOB_BYTES", 1024)  # this photo goes in chunks
    photo = make_geotagged_photo(tmp_path / "p.jpg", *CENTRE, size=(320, 240))
    with Workspace.open(a) as ws:
        attach(ws, CASE, [photo], actor="inspector_a")
        sha = ws.conn.execute("SELECT sha256 FROM evidence").fetchone()[0]
        blob = ws.media_dir / sha[:2] / sha[2:]
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(blob.read_bytes())
    blob.unlink()
    blob.symlink_to(outside)
    with pytest.raises(BadInput, match="符号链接"):
        sync(a)
    assert not server.app.state.blob_store.has_blob(sha)


def test_bundle_body_is_sent_as_read_never_joined(server, tmp_path, monkeypatch):  # noqa: F811
    """A bundle's body is its parts (length prefix, header, each file as read) with their total as its length:
    the bytes on the wire are the bundle's layout, and the server stores every blob from them."""
    root = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(root)  # the case
    shas = field_work(root, tmp_path, findings=1, photos=3)
    with Workspace.open(root) as ws:
        items = [(sha, blob_transfer.blob_path(ws.media_dir, sha).stat().st_size) for sha in shas]
        body = blob_transfer._bundle_body(ws.media_dir, items)
        files = [blob_transfer.blob_path(ws.media_dir, sha).read_bytes() for sha in shas]
    parts = list(body)
    header = parts[1]
    assert parts[0] == blob_transfer.BUNDLE_LENGTH.pack(len(header)) and parts[2:] == files
    assert len(body) == sum(len(part) for part in parts)
    seen = count_bundled(server.app.state.blob_store, monkeypatch)
    from sync.settings import client_for
    with Workspace.open(root) as ws:
        client, _ = client_for(ws)
    try:
        assert client.put_bundle(body)["stored"] == shas and seen == [shas]
    finally:
        client.close()
    for sha, data in zip(shas, files):
        assert stored_bytes(server.app.state.blob_store, sha) == data
