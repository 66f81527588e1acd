"""Moving media blobs between a workspace and the server.

Uploads: the client asks the server which blobs it lacks. Small blobs (up
to :data:`BUNDLE_MAX_BLOB_BYTES`) travel several to a request in a *bundle*
(a length-prefixed JSON header with each blob's SHA-256 and size, then the
bytes), which the server verifies blob by blob; larger blobs go in
checksummed chunks, resuming from the chunks the server already holds. A
blob counts as uploaded only when the server confirms the full SHA-256; the
local file is never deleted.

Downloads stream into ``media/.tmp``, are verified against the SHA-256 and
only then stored in the media store (:func:`inspector.media_store.store_file`).
"""
from __future__ import annotations

import hashlib
import json
import struct
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Optional

from inspector.db import atomic
from inspector.media_store import blob_path, store_file
from inspector.workspace import Workspace, utc_now
from sync.client import SyncClient
from sync.errors import SyncCancelled, SyncError
from sync.protocol import DEFAULT_CHUNK_BYTES, BlobManifest

BUNDLE_MAX_BLOB_BYTES = 1024 * 1024  # blobs up to this size travel in bundles
BUNDLE_TARGET_BYTES = 4 * 1024 * 1024 - 64 * 1024  # payload per bundle request (under the chunk limit)
BUNDLE_LENGTH = struct.Struct(">I")  # 4-byte big-endian length of the bundle's JSON header
UPLOAD_WORKERS = 4  # bundles in flight at once (each on its own connection)

Tick = Callable[[int], None]


def _check_cancel(cancel: Optional[threading.Event]) -> None:
    if cancel is not None and cancel.is_set():
        raise SyncCancelled("sync cancelled")


def unconfirmed_blobs(ws: Workspace, server_url: str) -> list[tuple[str, int]]:
    """(sha256, size) of blobs of dirty evidence the server has not confirmed yet."""
    rows = ws.conn.execute(
        "SELECT DISTINCT m.sha256, m.size FROM evidence e JOIN media_blobs m ON m.sha256 = e.sha256 "
        "WHERE e.dirty = 1 AND m.sha256 NOT IN (SELECT sha256 FROM sync_blob_uploads WHERE server_url = ?) "
        "ORDER BY m.sha256", (server_url,)).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def _confirm(ws: Workspace, server_url: str, hashes: list[str]) -> None:
    with atomic(ws.conn):
        ws.conn.executemany(
            "INSERT OR IGNORE INTO sync_blob_uploads (server_url, sha256, confirmed_at) VALUES (?, ?, ?)",
            [(server_url, sha, utc_now()) for sha in hashes])


def chunk_hashes(path: Path, chunk_size: int) -> list[str]:
    hashes = []
    with open(path, "rb") as handle:
        while data := handle.read(chunk_size):
            hashes.append(hashlib.sha256(data).hexdigest())
    return hashes


def upload_chunked(client: SyncClient, path: Path, sha256: str, size: int, *, chunk_size: int = DEFAULT_CHUNK_BYTES,
                   cancel: Optional[threading.Event] = None, tick: Optional[Tick] = None) -> int:
    """Upload one blob in chunks, skipping chunks the server holds; returns chunks sent."""
    manifest = BlobManifest(sha256=sha256, size=size, chunk_size=chunk_size, chunks=chunk_hashes(path, chunk_size))
    state = client.start_upload(manifest)
    sent = 0
    if not state.complete:
        held = set(state.received)
        with open(path, "rb") as handle:
            for index in range(len(manifest.chunks)):
                if index in held:
                    continue
                _check_cancel(cancel)
                handle.seek(index * chunk_size)
                data = handle.read(chunk_size)
                client.put_chunk(sha256, index, data)
                sent += 1
                if tick:
                    tick(len(data))
        state = client.complete_upload(sha256)
    if not state.complete:
        raise SyncError(f"the server did not confirm blob {sha256}")
    return sent


def _bundle_body(media_dir: Path, items: list[tuple[str, int]]) -> bytes:
    """The request body of a bundle: each file read once, straight into the body."""
    parts = [blob_path(media_dir, sha).read_bytes() for sha, _ in items]
    header = json.dumps({"blobs": [{"sha256": sha, "size": len(data)} for (sha, _), data in zip(items, parts)]})
    encoded = header.encode("utf-8")
    return b"".join([BUNDLE_LENGTH.pack(len(encoded)), encoded, *parts])


def _send_bundle(client: SyncClient, media_dir: Path, items: list[tuple[str, int]],
                 cancel: Optional[threading.Event] = None) -> list[str]:
    """Send one bundle; returns its hashes once the server confirmed every one of them."""
    _check_cancel(cancel)
    answer = client.put_bundle(_bundle_body(media_dir, items))
    stored = set(answer.get("stored", []))
    missing = [sha for sha, _ in items if sha not in stored]
    if missing:
        raise SyncError(f"the server did not confirm blobs {missing[:3]}")
    return [sha for sha, _ in items]


def plan_bundles(todo: list[tuple[str, int]]) -> tuple[list[list[tuple[str, int]]], list[tuple[str, int]]]:
    """(bundles of small blobs, each up to :data:`BUNDLE_TARGET_BYTES`; large blobs to send chunked)."""
    bundles: list[list[tuple[str, int]]] = []
    large: list[tuple[str, int]] = []
    bundle: list[tuple[str, int]] = []
    bundle_bytes = 0
    for sha, size in todo:
        if size > BUNDLE_MAX_BLOB_BYTES:
            large.append((sha, size))
            continue
        if bundle and bundle_bytes + size > BUNDLE_TARGET_BYTES:
            bundles.append(bundle)
            bundle, bundle_bytes = [], 0
        bundle.append((sha, size))
        bundle_bytes += size
    if bundle:
        bundles.append(bundle)
    return bundles, large


def upload_missing(client: SyncClient, ws: Workspace, *, cancel: Optional[threading.Event] = None,
                   tick: Optional[Tick] = None, workers: int = UPLOAD_WORKERS) -> int:
    """Upload every unconfirmed blob of dirty evidence; returns how many the server lacked.

    Bundles go ``workers`` at a time (each worker thread reads its bundle's files and sends them over its
    own connection, so reading, sending and the server's writing overlap); this thread records each
    bundle in ``sync_blob_uploads`` only after the server confirmed it. On the first failure no further
    bundle starts and the error is raised once the ones in flight have ended; confirmed bundles stay
    confirmed, so a retry sends only the rest."""
    candidates = unconfirmed_blobs(ws, client.server_url)
    if not candidates:
        return 0
    missing = set(client.blobs_missing([sha for sha, _ in candidates]))
    _confirm(ws, client.server_url, [sha for sha, _ in candidates if sha not in missing])
    todo = [(sha, size) for sha, size in candidates if sha in missing]
    bundles, large = plan_bundles(todo)
    for sha, size in large:
        _check_cancel(cancel)
        upload_chunked(client, blob_path(ws.media_dir, sha), sha, size, cancel=cancel, tick=tick)
        _confirm(ws, client.server_url, [sha])
    if not bundles:
        return len(todo)
    if workers <= 1 or len(bundles) == 1:
        for bundle in bundles:
            _confirm(ws, client.server_url, _send_bundle(client, ws.media_dir, bundle, cancel))
            if tick:
                tick(sum(size for _, size in bundle))
        return len(todo)
    _upload_parallel(client, ws, bundles, min(workers, len(bundles)), cancel, tick)
    return len(todo)


class _Skipped(Exception):
    """A bundle not started because another one failed."""


def _upload_parallel(client: SyncClient, ws: Workspace, bundles: list[list[tuple[str, int]]], workers: int,
                     cancel: Optional[threading.Event], tick: Optional[Tick]) -> None:
    local = threading.local()
    spawned: list[SyncClient] = []
    spawned_lock = threading.Lock()
    stop = threading.Event()  # set on the first failure (or cancel): bundles not yet started are skipped

    def send(bundle: list[tuple[str, int]]) -> list[str]:
        if stop.is_set():
            raise _Skipped()
        _check_cancel(cancel)
        worker = getattr(local, "client", None)
        if worker is None:
            worker = local.client = client.spawn()
            with spawned_lock:
                spawned.append(worker)
        return _send_bundle(worker, ws.media_dir, bundle, cancel)

    first_error: Optional[BaseException] = None
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-upload") as pool:
            futures = {pool.submit(send, bundle): bundle for bundle in bundles}
            try:
                for future in as_completed(futures):
                    try:
                        hashes = future.result()
                    except _Skipped:
                        continue
                    except BaseException as exc:  # noqa: BLE001 - the first one is raised below
                        stop.set()
                        if first_error is None:
                            first_error = exc
                        continue
                    _confirm(ws, client.server_url, hashes)
                    if tick:
                        tick(sum(size for _, size in futures[future]))
            except BaseException:
                stop.set()  # this thread failed (e.g. confirming): start no further bundle
                raise
    finally:
        for worker in spawned:
            worker.close()
    if cancel is not None and cancel.is_set():
        raise SyncCancelled("sync cancelled")
    if first_error is not None:
        raise first_error
    if client.clock_skew_s is None and spawned:
        client.clock_skew_s = spawned[0].clock_skew_s


def download(client: SyncClient, ws: Workspace, hashes: list[str], *,
             cancel: Optional[threading.Event] = None) -> dict[str, int]:
    """Fetch and store each blob; returns ``{sha256: size}`` (the media store keeps them, unreferenced until the
    pulled page commits)."""
    sizes: dict[str, int] = {}
    for sha in hashes:
        _check_cancel(cancel)
        final = blob_path(ws.media_dir, sha)
        if not final.is_file():
            temp = client.download_blob(sha, ws.media_dir / ".tmp")
            try:
                stored = store_file(ws, temp)
            finally:
                temp.unlink(missing_ok=True)
            if stored.sha256 != sha:
                raise SyncError(f"stored blob {stored.sha256} is not {sha}")
        sizes[sha] = final.stat().st_size
    return sizes
