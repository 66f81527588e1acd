"""Moving media blobs between a workspace and the server.

Uploads (:class:`BlobUploads`): the client asks the server which blobs it
lacks and sends them from worker threads, several requests in flight, while
the sync goes on — the push waits (:meth:`BlobUploads.wait_for`) only before
a batch whose evidence needs a blob still on its way. Small blobs (up to
:data:`BUNDLE_MAX_BLOB_BYTES`) travel several to a request in a *bundle* (a
length-prefixed JSON header with each blob's SHA-256 and size, then the
bytes), which the server verifies blob by blob; larger blobs go in
checksummed chunks, resuming from the chunks the server already holds. A
blob counts as uploaded only when the server confirms the full SHA-256; the
local file is never deleted.

Downloads stream into ``media/.tmp``, are verified against the SHA-256 and
only then stored in the media store (:func:`inspector.store.media_store.store_file`).
"""
from __future__ import annotations

import hashlib
import json
import struct
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from inspector.store.db import atomic
from inspector.store.media_store import blob_path, open_no_follow, readable_blob, store_file
from inspector.store.workspace import Workspace, utc_now
from sync.client import SyncClient
from sync.errors import SyncCancelled, SyncError
from sync.protocol import DEFAULT_CHUNK_BYTES, BlobManifest

BUNDLE_MAX_BLOB_BYTES = 1024 * 1024  # blobs up to this size travel in bundles
# Payload per bundle request: a cut on a slow field link loses at most this per request in flight, so it
# stays at 4 MiB (which servers from before MAX_BUNDLE_BYTES grew also accept) rather than the limit.
BUNDLE_TARGET_BYTES = 4 * 1024 * 1024
BUNDLE_LENGTH = struct.Struct(">I")  # 4-byte big-endian length of the bundle's JSON header
UPLOAD_WORKERS = 4  # upload requests in flight at once (each on its own connection)

Tick = Callable[[int], None]


def _check_cancel(cancel: Optional[threading.Event]) -> None:
    if cancel is not None and cancel.is_set():
        raise SyncCancelled()


def unconfirmed_blobs(ws: Workspace, server_url: str) -> list[tuple[str, int]]:
    """(sha256, size) of blobs of dirty records (evidence, patrol tracks) the server has not confirmed yet, in the
    order the push sends their records (patrols first, then evidence: so the first batch's blobs go first)."""
    rows = ws.conn.execute(
        "SELECT m.sha256, m.size FROM (SELECT 0 AS part, id, track_sha256 AS sha256 FROM patrols WHERE dirty = 1 "
        "UNION ALL SELECT 1, id, sha256 FROM evidence WHERE dirty = 1) r JOIN media_blobs m ON m.sha256 = r.sha256 "
        "WHERE m.sha256 NOT IN (SELECT sha256 FROM sync_blob_uploads WHERE server_url = ?) "
        "GROUP BY m.sha256, m.size ORDER BY MIN(r.part), MIN(r.id)", (server_url,)).fetchall()
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
        with open_no_follow(path) as handle:
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
        raise SyncError(f"服务器没有确认收到照片 {sha256}", f"the server did not confirm blob {sha256}")
    return sent


class BundleBody:
    """A bundle's request body as its parts — the 4-byte header length, the JSON header, each blob's bytes — of
    known total length, sent one part after another: the blobs are never copied into one buffer."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts
        self.size = sum(len(part) for part in parts)

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.parts)


def _bundle_body(media_dir: Path, items: list[tuple[str, int]]) -> BundleBody:
    """The request body of a bundle: each file read once, and sent as read."""
    blobs = []
    for sha, _ in items:
        with open_no_follow(readable_blob(media_dir, sha)) as handle:
            blobs.append(handle.read())
    header = json.dumps({"blobs": [{"sha256": sha, "size": len(data)} for (sha, _), data in zip(items, blobs)]})
    encoded = header.encode("utf-8")
    return BundleBody([BUNDLE_LENGTH.pack(len(encoded)), encoded, *blobs])


def _send_bundle(client: SyncClient, media_dir: Path, items: list[tuple[str, int]]) -> None:
    """Send one bundle; returns once the server confirmed every one of its blobs."""
    answer = client.put_bundle(_bundle_body(media_dir, items))
    stored = set(answer.get("stored", []))
    missing = [sha for sha, _ in items if sha not in stored]
    if missing:
        raise SyncError(f"服务器没有确认收到照片 {missing[:3]}", f"the server did not confirm blobs {missing[:3]}")


Job = list[tuple[str, int]]  # one upload request's blobs: a bundle, or one large blob sent chunked


def plan_uploads(todo: list[tuple[str, int]]) -> list[Job]:
    """The blobs grouped into jobs, in the order given: bundles of small blobs, each up to
    :data:`BUNDLE_TARGET_BYTES`, and each large blob alone (sent chunked)."""
    jobs: list[Job] = []
    bundle: Job = []
    bundle_bytes = 0
    for sha, size in todo:
        if size > BUNDLE_MAX_BLOB_BYTES:
            jobs.append([(sha, size)])
            continue
        if not bundle or bundle_bytes + size > BUNDLE_TARGET_BYTES:
            bundle, bundle_bytes = [], 0
            jobs.append(bundle)  # filled in place
        bundle.append((sha, size))
        bundle_bytes += size
    return jobs


class _Skipped(Exception):
    """A job not started because another one failed."""


class BlobUploads:
    """The uploads of one sync, running in ``workers`` threads (each with its own connection) while the caller
    goes on; see the module docstring. Use as a context manager: leaving it stops the workers.

    Confirmations are recorded in ``sync_blob_uploads`` by the thread that owns the workspace connection,
    inside :meth:`wait_for` and :meth:`finish`, only after the server confirmed the blob. On the first
    failure no further job starts, and the error is raised once the jobs in flight have ended; confirmed
    blobs stay confirmed, so a retry sends only the rest."""

    def __init__(self, client: SyncClient, ws: Workspace, *, cancel: Optional[threading.Event] = None,
                 workers: int = UPLOAD_WORKERS) -> None:
        self.client, self.ws, self.cancel, self.workers = client, ws, cancel, workers
        self.uploaded = 0  # blobs the server lacked
        self._running: dict[Future, Job] = {}
        self._waiting: set[str] = set()  # blobs being uploaded and not confirmed yet
        self._pool: Optional[ThreadPoolExecutor] = None
        self._local = threading.local()
        self._spawned: list[SyncClient] = []
        self._spawned_lock = threading.Lock()
        self._stop = threading.Event()  # set on the first failure: jobs not yet started are skipped

    def __enter__(self) -> "BlobUploads":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> "BlobUploads":
        """Ask the server which blobs it lacks (confirming the others) and start sending those."""
        candidates = unconfirmed_blobs(self.ws, self.client.server_url)
        if not candidates:
            return self
        missing = set(self.client.blobs_missing([sha for sha, _ in candidates]))
        _confirm(self.ws, self.client.server_url, [sha for sha, _ in candidates if sha not in missing])
        todo = [(sha, size) for sha, size in candidates if sha in missing]
        self.uploaded = len(todo)
        self._waiting = {sha for sha, _ in todo}
        jobs = plan_uploads(todo)
        if jobs:
            self._pool = ThreadPoolExecutor(min(self.workers, len(jobs)), thread_name_prefix="sync-upload")
            self._running = {self._pool.submit(self._send, job): job for job in jobs}
        return self

    def _send(self, job: Job) -> Job:
        """In a worker thread: send one job; returns it once the server confirmed all its blobs."""
        if self._stop.is_set():
            raise _Skipped()
        _check_cancel(self.cancel)
        worker = getattr(self._local, "client", None)
        if worker is None:
            worker = self._local.client = self.client.spawn()
            with self._spawned_lock:
                self._spawned.append(worker)
        media_dir = self.ws.media_dir
        if len(job) == 1 and job[0][1] > BUNDLE_MAX_BLOB_BYTES:
            sha, size = job[0]
            upload_chunked(worker, readable_blob(media_dir, sha), sha, size, cancel=self.cancel)
        else:
            _send_bundle(worker, media_dir, job)
        return job

    def wait_for(self, hashes: Iterable[str]) -> None:
        """Return once every blob of ``hashes`` that this upload sends is confirmed (raises the first error)."""
        wanted = self._waiting.intersection(hashes)
        while wanted:
            if not self._running:
                raise SyncError(f"照片未上传：{sorted(wanted)[:3]}", f"blobs not uploaded: {sorted(wanted)[:3]}")
            done, _ = wait(list(self._running), return_when=FIRST_COMPLETED)
            failure = self._collect(done)
            if failure is not None:
                self._stop.set()  # no further job starts; confirm what the jobs in flight still deliver
                self._collect(wait(list(self._running))[0])
                raise failure
            wanted.intersection_update(self._waiting)

    def _collect(self, done: Iterable[Future]) -> Optional[BaseException]:
        """Confirm the blobs of finished jobs; returns the first error among them."""
        failure: Optional[BaseException] = None
        for future in done:
            job = self._running.pop(future)
            try:
                future.result()
            except _Skipped:
                continue
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                failure = failure or exc
                continue
            hashes = [sha for sha, _ in job]
            _confirm(self.ws, self.client.server_url, hashes)
            self._waiting.difference_update(hashes)
        return failure

    def finish(self) -> int:
        """Wait for every upload; returns how many blobs the server lacked."""
        self.wait_for(list(self._waiting))
        _check_cancel(self.cancel)
        if self.client.clock_skew_s is None and self._spawned:
            self.client.clock_skew_s = self._spawned[0].clock_skew_s
        return self.uploaded

    def close(self) -> None:
        """Start no further job, wait for the ones in flight, close the worker connections."""
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for worker in self._spawned:
            worker.close()
        self._spawned.clear()


def upload_missing(client: SyncClient, ws: Workspace, *, cancel: Optional[threading.Event] = None,
                   workers: int = UPLOAD_WORKERS) -> int:
    """Upload every unconfirmed blob of dirty evidence and wait for all; returns how many the server lacked."""
    with BlobUploads(client, ws, cancel=cancel, workers=workers) as uploads:
        return uploads.finish()


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
                raise SyncError(f"保存的照片 {stored.sha256} 不是所下载的 {sha}",
                                f"stored blob {stored.sha256} is not {sha}")
        sizes[sha] = final.stat().st_size
    return sizes
