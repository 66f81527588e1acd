"""The server's content-addressed blob store with resumable, checksummed chunked uploads.

Layout under the data directory::

    blobs/ab/cdef…          assembled, verified blobs (read-only, never changed)
    uploads/<sha256>/<n>    verified chunks of an upload in progress
    uploads/.tmp/           files being written (moved into place only when complete)

An upload starts with a manifest (size, chunk size, SHA-256 of each chunk).
Each chunk body is checked against its manifest hash and length, written to
a temporary file, ``fsync``-ed and renamed into place, so the set of chunk
files is always the set of verified chunks — which is what the server
reports to a client resuming an upload. ``complete`` concatenates them into
a temporary file, checks the whole SHA-256, renames it to ``blobs/`` and only
then inserts the ``blobs`` row that makes it visible.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from sync.protocol import BlobManifest
from sync.server.storage import Storage, blobs, server_now, uploads

READ_BUFFER_BYTES = 1024 * 1024  # bytes read at a time while assembling and serving


class UploadProblem(Exception):
    """A chunk or manifest the server refuses (HTTP 400/409/422 with the message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def chunk_count(size: int, chunk_size: int) -> int:
    return (size + chunk_size - 1) // chunk_size


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


FSYNC_THREADS = 16  # fsyncs in flight at once: the file system commits concurrent ones together
_fsync_pool = ThreadPoolExecutor(max_workers=FSYNC_THREADS, thread_name_prefix="blob-fsync")


_temp_names = itertools.count()  # unique temporary names within this process (next() is atomic)


def _fsync_one(target: int | str) -> None:
    """``fsync`` an open descriptor, or a path (a directory) opened for it."""
    if isinstance(target, int):
        os.fsync(target)
        return
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(targets: list) -> None:
    """``fsync`` every descriptor or directory in ``targets``; returns only when all are durable, raises the
    first error."""
    if len(targets) <= 1:
        for target in targets:
            _fsync_one(target)
        return
    for future in [_fsync_pool.submit(_fsync_one, target) for target in targets]:
        future.result()


class BlobStore:
    def __init__(self, data_dir: Path, storage: Storage) -> None:
        self.root = data_dir
        self.storage = storage
        self.blob_dir = data_dir / "blobs"
        self.upload_dir = data_dir / "uploads"
        self.tmp_dir = self.upload_dir / ".tmp"
        self._known_dirs: set[str] = set()  # blob directories known to exist (saves a mkdir per blob)
        for directory in (self.blob_dir, self.tmp_dir):
            directory.mkdir(parents=True, exist_ok=True)

    def blob_path(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256[2:]

    def has_blob(self, sha256: str) -> bool:
        with self.storage.read() as conn:
            return conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha256)).first() is not None

    def present(self, sha256s: list[str]) -> set[str]:
        """The hashes of ``sha256s`` that are stored and visible (a few ``IN`` queries, not one per hash)."""
        found: set[str] = set()
        wanted = sorted(set(sha256s))
        with self.storage.read() as conn:
            for start in range(0, len(wanted), 500):
                part = wanted[start:start + 500]
                found.update(r[0] for r in conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(part))))
        return found

    def _manifest(self, sha256: str) -> BlobManifest | None:
        with self.storage.read() as conn:
            row = conn.execute(sa.select(uploads).where(uploads.c.sha256 == sha256)).first()
        if row is None:
            return None
        return BlobManifest(sha256=row.sha256, size=row.size, chunk_size=row.chunk_size,
                            chunks=json.loads(row.chunk_hashes))

    def received(self, sha256: str) -> list[int]:
        directory = self.upload_dir / sha256
        if not directory.is_dir():
            return []
        return sorted(int(p.name) for p in directory.iterdir() if p.name.isdigit())

    def start(self, manifest: BlobManifest, user_name: str) -> list[int]:
        """Register (or resume) an upload; returns the chunk indexes already received."""
        if len(manifest.chunks) != chunk_count(manifest.size, manifest.chunk_size):
            raise UploadProblem(422, "chunk list does not match size and chunk size")
        known = self._manifest(manifest.sha256)
        if known is not None and known == manifest:
            return self.received(manifest.sha256)
        shutil.rmtree(self.upload_dir / manifest.sha256, ignore_errors=True)
        with self.storage.write() as conn:
            conn.execute(uploads.delete().where(uploads.c.sha256 == manifest.sha256))
            conn.execute(uploads.insert().values(sha256=manifest.sha256, size=manifest.size,
                                                 chunk_size=manifest.chunk_size,
                                                 chunk_hashes=json.dumps(manifest.chunks),
                                                 started_by=user_name, started_at=server_now()))
        return []

    def put_chunk(self, sha256: str, index: int, body: bytes) -> list[int]:
        """Store one verified chunk; returns the received chunk indexes."""
        manifest = self._manifest(sha256)
        if manifest is None:
            raise UploadProblem(409, "no upload started for this blob; send the manifest first")
        if not 0 <= index < len(manifest.chunks):
            raise UploadProblem(422, "chunk index out of range")
        expected = min(manifest.chunk_size, manifest.size - index * manifest.chunk_size)
        if len(body) != expected:
            raise UploadProblem(422, f"chunk {index} must be {expected} bytes, got {len(body)}")
        if hashlib.sha256(body).hexdigest() != manifest.chunks[index]:
            raise UploadProblem(422, f"chunk {index} does not match its SHA-256")
        target_dir = self.upload_dir / sha256
        target_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.tmp_dir, delete=False, suffix=".part") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target_dir / str(index))
        return self.received(sha256)

    def complete(self, sha256: str, user_name: str) -> None:
        """Assemble, verify and publish a blob (no-op when already stored)."""
        if self.has_blob(sha256):
            return
        manifest = self._manifest(sha256)
        if manifest is None:
            raise UploadProblem(409, "no upload started for this blob")
        missing = sorted(set(range(len(manifest.chunks))) - set(self.received(sha256)))
        if missing:
            raise UploadProblem(409, f"chunks missing: {missing[:20]}")
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.tmp_dir, delete=False, suffix=".part") as handle:
            for index in range(len(manifest.chunks)):
                with open(self.upload_dir / sha256 / str(index), "rb") as part:
                    while data := part.read(READ_BUFFER_BYTES):
                        digest.update(data)
                        size += len(data)
                        handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp = Path(handle.name)
        if digest.hexdigest() != sha256 or size != manifest.size:
            temp.unlink(missing_ok=True)
            shutil.rmtree(self.upload_dir / sha256, ignore_errors=True)
            raise UploadProblem(422, "assembled blob does not match its SHA-256; upload again")
        final = self.blob_path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp, 0o444)
        os.replace(temp, final)
        _fsync_dir(final.parent)
        with self.storage.write() as conn:
            if conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha256)).first() is None:
                conn.execute(blobs.insert().values(sha256=sha256, size=size, uploaded_by=user_name,
                                                   stored_at=server_now()))
            conn.execute(uploads.delete().where(uploads.c.sha256 == sha256))
        shutil.rmtree(self.upload_dir / sha256, ignore_errors=True)

    def store_bundle(self, body: bytes, user_name: str) -> list[str]:
        """Store each verified blob of a bundle (4-byte header length, JSON header, bytes); returns stored hashes.

        Each blob whose SHA-256 matches is written to a temporary file; then all those files are
        ``fsync``-ed (a few at a time, so the file system commits them together), renamed into place and
        their directories ``fsync``-ed; only then does one transaction insert the ``blobs`` rows that make
        them visible — so what the answer lists is durable."""
        if len(body) < 4:
            raise UploadProblem(422, "bundle too short")
        header_length = int.from_bytes(body[:4], "big")
        try:
            header = json.loads(body[4:4 + header_length])
            entries = [(str(e["sha256"]), int(e["size"])) for e in header["blobs"]]
        except (ValueError, KeyError, TypeError):
            raise UploadProblem(422, "unreadable bundle header") from None
        if any(size < 0 for _, size in entries):
            raise UploadProblem(422, "unreadable bundle header")
        offset = 4 + header_length
        if offset + sum(size for _, size in entries) != len(body):
            raise UploadProblem(422, "bundle sizes do not add up to the body")
        view = memoryview(body)
        written: dict[str, int] = {}
        to_place: list[tuple[str, str]] = []  # (temporary file, sha256)
        unplaced: set[str] = set()  # temporary files not renamed into place yet (removed if anything fails)
        open_fds: dict[str, int] = {}
        directories: set[str] = set()
        try:
            for sha256, size in entries:
                data = view[offset:offset + size]
                offset += size
                if sha256 in written or hashlib.sha256(data).hexdigest() != sha256:
                    continue
                written[sha256] = size
                final = self.blob_path(sha256)
                if final.is_file():  # already in place: make sure its directory entry is durable too
                    directories.add(str(final.parent))
                    continue
                name = os.path.join(self.tmp_dir, f"{sha256}.{os.getpid()}.{next(_temp_names)}.part")
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)  # read-only once closed
                unplaced.add(name)
                open_fds[name] = fd
                to_place.append((name, sha256))
                while data:
                    data = data[os.write(fd, data):]
            _fsync_all(list(open_fds.values()))
            for name in list(open_fds):
                os.close(open_fds.pop(name))
            for name, sha256 in to_place:
                final = self.blob_path(sha256)
                parent = str(final.parent)
                if parent not in self._known_dirs:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    self._known_dirs.add(parent)
                os.replace(name, final)
                unplaced.discard(name)
                directories.add(parent)
            _fsync_all(sorted(directories))
        finally:
            for fd in open_fds.values():
                with contextlib.suppress(OSError):
                    os.close(fd)
            for name in unplaced:  # an error on the way: no partial file is left behind
                with contextlib.suppress(OSError):
                    os.unlink(name)
        with self.storage.write() as conn:  # visible only now, all in one transaction
            known = {r[0] for r in conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(list(written))))}
            now = server_now()
            new = [{"sha256": sha, "size": size, "uploaded_by": user_name, "stored_at": now}
                   for sha, size in written.items() if sha not in known]
            if new:
                conn.execute(blobs.insert(), new)
        return list(written)

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        with open(self.blob_path(sha256), "rb") as handle:
            while data := handle.read(READ_BUFFER_BYTES):
                yield data
