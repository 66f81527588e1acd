"""The server's content-addressed blob store with resumable, checksummed chunked uploads.

Layout under the data directory::

    blobs/ab/cdef…          assembled, verified blobs (read-only, never changed)
    blobs/ab/cdef….*.part   a bundle's blobs being written (renamed into place once durable)
    uploads/<sha256>/<n>    verified chunks of an upload in progress
    uploads/.tmp/           chunks and assembled blobs being written (moved into place only when complete)

An upload starts with a manifest (size, chunk size, SHA-256 of each chunk).
Each chunk body is checked against its manifest hash and length, written to
a temporary file, ``fsync``-ed and renamed into place, so the set of chunk
files is always the set of verified chunks — which is what the server
reports to a client resuming an upload. ``complete`` concatenates them into
a temporary file, checks the whole SHA-256, renames it to ``blobs/`` and only
then inserts the ``blobs`` row that makes it visible.

Small blobs come several to a request in a *bundle*; those verified and not
stored yet are written durably together (:mod:`sync.server.durable_files`),
then one transaction makes them all visible. A blob is visible — listed,
served, accepted as evidence — only through its ``blobs`` row.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from sync.protocol import BlobManifest
from sync.server import durable_files
from sync.server.storage import Storage, blobs, server_now, uploads

READ_BUFFER_BYTES = 1024 * 1024  # bytes read at a time while assembling and serving


class UploadProblem(Exception):
    """A chunk or manifest the server refuses (HTTP 400/409/422 with the message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def chunk_count(size: int, chunk_size: int) -> int:
    return (size + chunk_size - 1) // chunk_size


def _bundle_entries(body: memoryview) -> list[tuple[str, int, int]]:
    """``(sha256, start, end)`` of each blob of a bundle body, after checking the header and the sizes."""
    if len(body) < 4:
        raise UploadProblem(422, "bundle too short")
    header_length = int.from_bytes(body[:4], "big")
    try:
        header = json.loads(bytes(body[4:4 + header_length]))
        entries = [(str(e["sha256"]), int(e["size"])) for e in header["blobs"]]
    except (ValueError, KeyError, TypeError):
        raise UploadProblem(422, "unreadable bundle header") from None
    if any(size < 0 for _, size in entries):
        raise UploadProblem(422, "unreadable bundle header")
    offset = 4 + header_length
    if offset + sum(size for _, size in entries) != len(body):
        raise UploadProblem(422, "bundle sizes do not add up to the body")
    spans = []
    for sha256, size in entries:
        spans.append((sha256, offset, offset + size))
        offset += size
    return spans


class BlobStore:
    def __init__(self, data_dir: Path, storage: Storage) -> None:
        self.root = data_dir
        self.storage = storage
        self.blob_dir = data_dir / "blobs"
        self.upload_dir = data_dir / "uploads"
        self.tmp_dir = self.upload_dir / ".tmp"
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
        durable_files.fsync_dir(final.parent)
        with self.storage.write() as conn:
            if conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha256)).first() is None:
                conn.execute(blobs.insert().values(sha256=sha256, size=size, uploaded_by=user_name,
                                                   stored_at=server_now()))
            conn.execute(uploads.delete().where(uploads.c.sha256 == sha256))
        shutil.rmtree(self.upload_dir / sha256, ignore_errors=True)

    def store_bundle(self, body: bytes, user_name: str) -> list[str]:
        """Store each verified blob of a bundle (4-byte header length, JSON header, bytes); returns stored hashes.

        Blobs whose SHA-256 matches and that the store does not hold yet are written durably
        (:func:`durable_files.write_all`); only then does one transaction insert the ``blobs`` rows that
        make them visible — so what the answer lists is durable."""
        view = memoryview(body)
        verified: dict[str, memoryview] = {}
        for sha256, start, end in _bundle_entries(view):
            data = view[start:end]
            if sha256 not in verified and hashlib.sha256(data).hexdigest() == sha256:
                verified[sha256] = data
        held = self.present(list(verified))
        durable_files.write_all((str(self.blob_path(sha)), data) for sha, data in verified.items() if sha not in held)
        with self.storage.write() as conn:  # visible only now, all in one transaction
            known = {r[0] for r in conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(list(verified))))}
            now = server_now()
            new = [{"sha256": sha, "size": len(data), "uploaded_by": user_name, "stored_at": now}
                   for sha, data in verified.items() if sha not in known]
            if new:
                conn.execute(blobs.insert(), new)
        return list(verified)

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        with open(self.blob_path(sha256), "rb") as handle:
            while data := handle.read(READ_BUFFER_BYTES):
                yield data
