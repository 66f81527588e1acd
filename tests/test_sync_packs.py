"""The server's pack files (:mod:`sync.server.blob_packs`): a bundle's blobs appended to one pack, served byte for
byte; a crash (or a failed index write) mid-pack leaves nothing visible and only unreferenced bytes, which
``verify-blobs`` reports and ``compact-blobs`` reclaims; writers in several processes never share a pack; a pack
in use is never compacted.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path
from typing import Optional

import pytest
import sqlalchemy as sa

from sync.blob_transfer import BUNDLE_LENGTH
from sync.server.blob_backends import FileBackend
from sync.server.blob_store import BlobStore
from sync.server.cli import main as server_main
from sync.server.storage import Storage, blob_pack_entries
from tests.sync_fixtures import db_url, reset_postgres, stored_bytes  # noqa: F401


def bundle(blobs: list[bytes]) -> bytes:
    header = json.dumps({"blobs": [{"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for b in blobs]})
    return BUNDLE_LENGTH.pack(len(header)) + header.encode() + b"".join(blobs)


def open_store(data_dir: Path, url: Optional[str]) -> BlobStore:
    return BlobStore(FileBackend(data_dir), Storage.for_data_dir(data_dir, url))


@pytest.fixture
def store(tmp_path, db_url):  # noqa: F811
    if db_url:
        reset_postgres(db_url)
    opened = open_store(tmp_path / "server", db_url)
    yield opened
    opened.close()
    opened.storage.dispose()


def pack_files(store: BlobStore) -> list[Path]:
    return sorted(store.packs.directory.glob("*.pack"))


def test_bundle_goes_to_one_pack_and_is_served_byte_for_byte(store):
    blobs = [os.urandom(1000 + i) for i in range(5)] + [b""]
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    assert store.store_bundle(bundle(blobs + [blobs[0]]), "a") == shas  # a repeated blob is stored once
    assert len(pack_files(store)) == 1 and pack_files(store)[0].stat().st_size == sum(map(len, blobs))
    assert not list(store.backend.blob_dir.rglob("*.*")) and not [p for p in store.backend.blob_dir.rglob("*")
                                                                  if p.is_file()]
    for sha, data in zip(shas, blobs):
        assert stored_bytes(store, sha) == data
    # a second bundle with one known blob: only the new one is appended, to the same (free) pack
    extra = os.urandom(3000)
    store.store_bundle(bundle([blobs[1], extra]), "b")
    assert len(pack_files(store)) == 1 and pack_files(store)[0].stat().st_size == sum(map(len, blobs)) + 3000
    assert stored_bytes(store, hashlib.sha256(extra).hexdigest()) == extra
    report = store.verify()
    assert report["checked"] == report["ok"] == 7 and not report["failed"]
    assert report["packs"] == {"packs": 1, "pack_bytes": sum(map(len, blobs)) + 3000, "unreferenced_bytes": 0,
                               "unreferenced_packs": 0}


def test_failed_index_write_leaves_nothing_visible_and_compact_reclaims_the_tail(store, monkeypatch):
    kept = [os.urandom(2000), os.urandom(2500)]
    store.store_bundle(bundle(kept), "a")
    lost = os.urandom(4000)
    real_write = store.storage.write

    def crashing_write():
        raise RuntimeError("the process died before the index rows were committed")
    monkeypatch.setattr(store.storage, "write", crashing_write)
    with pytest.raises(RuntimeError):
        store.store_bundle(bundle([lost]), "a")
    monkeypatch.setattr(store.storage, "write", real_write)
    lost_sha = hashlib.sha256(lost).hexdigest()
    assert store.present([lost_sha]) == set() and store.open_blob(lost_sha) is None

    torn = pack_files(store)
    assert len(torn) == 1 and torn[0].stat().st_size == 4500 + 4000  # the failed pack was let go, not reused
    with open(store.packs.directory / "9-crashed.pack", "wb") as handle:  # a crash before any index row
        handle.write(b"half a bundle")
    report = store.verify()
    assert report["ok"] == 2 and not report["failed"]
    assert report["packs"]["unreferenced_bytes"] == 4000 + len(b"half a bundle")
    assert report["packs"]["unreferenced_packs"] == 1

    store.store_bundle(bundle([lost]), "a")  # the client retries: a fresh pack
    compacted = store.compact()
    assert compacted["removed"] == 1 and compacted["rewritten"] == 1 and compacted["skipped_in_use"] == 1
    assert compacted["reclaimed_bytes"] == 4000 + len(b"half a bundle")
    store.close()  # the writer lets go of its pack
    store.compact()
    for data in kept + [lost]:
        assert stored_bytes(store, hashlib.sha256(data).hexdigest()) == data
    report = store.verify()
    assert report["ok"] == report["checked"] == 3 and report["packs"]["unreferenced_bytes"] == 0


def test_a_pack_shorter_than_its_index_is_reported_not_served_wrong(store):
    data = os.urandom(5000)
    sha = hashlib.sha256(data).hexdigest()
    store.store_bundle(bundle([data]), "a")
    store.close()
    pack = pack_files(store)[0]
    os.chmod(pack, 0o644)
    os.truncate(pack, 100)
    problem = store.verify()["failed"]
    assert [p["sha256"] for p in problem] == [sha] and "unreadable" in problem[0]["problem"]
    assert store.compact()["skipped_damaged"] == 1 and pack.exists()  # a damaged blob is never moved or dropped


def _writer(data_dir: str, url: Optional[str], seed: int, ready, go) -> None:
    store = open_store(Path(data_dir), url)
    ready.set()
    go.wait()
    for round_ in range(6):
        blobs = [hashlib.sha256(f"{seed}-{round_}-{i}".encode()).digest() * (100 + i) for i in range(8)]
        blobs.append(b"shared by every writer " * 50)  # the same blob from every process at once
        store.store_bundle(bundle(blobs), f"writer{seed}")
    store.close()
    store.storage.dispose()


def test_writer_processes_at_once_each_append_to_their_own_packs(tmp_path, db_url):  # noqa: F811
    if db_url:
        reset_postgres(db_url)
    data_dir = tmp_path / "server"
    open_store(data_dir, db_url).storage.dispose()  # the schema, once
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    readies = [context.Event() for _ in range(3)]
    workers = [context.Process(target=_writer, args=(str(data_dir), db_url, seed, ready, go))
               for seed, ready in enumerate(readies)]
    for worker in workers:
        worker.start()
    for ready in readies:
        assert ready.wait(60)
    go.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    store = open_store(data_dir, db_url)
    try:
        report = store.verify()
        assert report["checked"] == report["ok"] == 3 * 6 * 8 + 1 and not report["failed"]
        with store.storage.read() as conn:
            by_pack = conn.execute(sa.select(blob_pack_entries.c.pack).distinct()).scalars().all()
        assert {name.split("-")[0] for name in by_pack} == {str(w.pid) for w in workers}  # one pack per writer
        # the shared blob, appended by writers racing to store it, is indexed once: the other copies are
        # unreferenced, which compaction reclaims
        shared = len(b"shared by every writer " * 50)
        assert report["packs"]["unreferenced_bytes"] in (0, shared, 2 * shared)
        assert server_main(["--data", str(data_dir), "compact-blobs", *(["--db", db_url] if db_url else [])]) == 0
        assert store.verify()["packs"]["unreferenced_bytes"] == 0
        assert server_main(["--data", str(data_dir), "verify-blobs"]) == 0  # the --db given is remembered
    finally:
        store.close()
        store.storage.dispose()


def test_bundles_stored_at_the_same_moment_share_one_commit(tmp_path):
    """Bundles whose blobs are durable in their packs while the write lock is taken (by a push, say) are made
    visible by one transaction, one commit, once the lock is free; each caller returns only after it."""
    import threading

    from tests.sync_fixtures import wait_for

    store = open_store(tmp_path / "server", None)
    commits: list[int] = []
    sa.event.listen(store.storage.engine, "commit", lambda conn: commits.append(1))
    bodies = [[os.urandom(3000 + 100 * i + j) for j in range(3)] for i in range(4)]
    stored: dict[int, list[str]] = {}
    with store.storage.write():  # the write lock, as a push holds it
        threads = [threading.Thread(target=lambda i=i: stored.update({i: store.store_bundle(bundle(bodies[i]), "a")}))
                   for i in range(len(bodies))]
        for thread in threads:
            thread.start()
        total = sum(len(b) for blobs in bodies for b in blobs)
        wait_for(lambda: sum(p.stat().st_size for p in pack_files(store)) == total, "every bundle in its pack",
                 seconds=30)
        assert not stored  # durable in the packs, but not visible yet: no caller was answered
        commits.clear()
    for thread in threads:
        thread.join(30)
    assert len(commits) == 1 + 1  # the lock holder's own, then one for all four bundles
    for i, blobs in enumerate(bodies):
        assert stored[i] == [hashlib.sha256(b).hexdigest() for b in blobs]
        for data in blobs:
            assert stored_bytes(store, hashlib.sha256(data).hexdigest()) == data
    store.close()
    store.storage.dispose()


def test_a_failing_write_in_a_group_fails_alone(tmp_path):
    """A group whose transaction fails runs each write again alone: the others commit, the failing one raises."""
    import threading

    from sync.server.group_commit import GroupCommit
    from sync.server.storage import blobs
    from tests.sync_fixtures import wait_for

    storage = Storage.for_data_dir(tmp_path / "server")
    group = GroupCommit(storage)
    row = {"size": 1, "uploaded_by": "a", "stored_at": "2026-01-01T00:00:00Z"}

    def good(name: str):
        return lambda conn: conn.execute(blobs.insert().values(sha256=name, **row))

    def bad(conn):
        raise ValueError("refused")
    outcomes: dict[str, object] = {}

    def run(name, write):
        try:
            group.run(write)
            outcomes[name] = "ok"
        except ValueError as exc:
            outcomes[name] = exc
    with storage.write():
        threads = [threading.Thread(target=run, args=args) for args in (("a", good("a" * 64)), ("bad", bad),
                                                                        ("b", good("b" * 64)))]
        for thread in threads:
            thread.start()
        wait_for(lambda: len(group._queue) == 3, "three writes queued", seconds=30)
    for thread in threads:
        thread.join(30)
    assert outcomes["a"] == outcomes["b"] == "ok" and isinstance(outcomes["bad"], ValueError)
    with storage.read() as conn:
        assert sorted(r[0] for r in conn.execute(sa.select(blobs.c.sha256))) == ["a" * 64, "b" * 64]
    storage.dispose()
