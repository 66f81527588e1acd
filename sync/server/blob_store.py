"""The server's content-addressed blob store with resumable, checksummed chunked uploads.

Layout under the data directory::

    blobs/ab/cdef…              assembled, verified blobs (read-only, never changed)
    blobs/ab/cdef….*.part       a bundle's blobs being written (renamed into place once durable)
    uploads/<user id>/<sha256>/<n>   verified chunks of one user's upload in progress
    uploads/.tmp/               chunks and assembled blobs being written (moved into place only when complete)

An upload starts with a manifest (size, chunk size, SHA-256 of each chunk).
Each chunk body is checked against its manifest hash and length, written to
a temporary file, ``fsync``-ed and renamed into place, so the set of chunk
files is always the set of verified chunks — which is what the server
reports to a client resuming an upload. Uploads in progress belong to the
user who started them: another user's upload of the same blob is neither
shown, resumed nor reset. ``complete`` concatenates the user's chunks into a
temporary file and checks the whole SHA-256 — also when the blob is already
stored, because an upload proves that its sender holds the bytes — then
renames it to ``blobs/`` (or drops it: a blob is stored once) and only then
inserts the ``blobs`` row that makes it visible.

Small blobs come several to a request in a *bundle*; those verified and not
stored yet are written durably together (:mod:`sync.server.durable_files`),
then one transaction makes them all visible. A blob is stored only through
its ``blobs`` row; who may *see* it is :mod:`sync.server.blob_access`'s
decision, from the uploads the API records after this store confirmed them.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa

from inspector.store.media_store import file_chunks, write_hashed_temp
from sync.protocol import BlobManifest
from sync.server import durable_files
from sync.server.auth import User
from sync.server.storage import Storage, blobs, chunked_uploads, insert_new, server_now


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

    def _session_dir(self, sha256: str, user: User) -> Path:
        return self.upload_dir / str(user.id) / sha256

    def _session(self, sha256: str, user: User) -> tuple[Any, Any]:
        """The WHERE clauses of ``user``'s upload of the blob."""
        return chunked_uploads.c.sha256 == sha256, chunked_uploads.c.user_id == user.id

    def _manifest(self, sha256: str, user: User) -> BlobManifest | None:
        with self.storage.read() as conn:
            row = conn.execute(sa.select(chunked_uploads).where(*self._session(sha256, user))).first()
        if row is None:
            return None
        return BlobManifest(sha256=row.sha256, size=row.size, chunk_size=row.chunk_size,
                            chunks=json.loads(row.chunk_hashes))

    def received(self, sha256: str, user: User) -> list[int]:
        """The chunk indexes of ``user``'s upload of the blob that the server holds, verified."""
        directory = self._session_dir(sha256, user)
        if not directory.is_dir():
            return []
        return sorted(int(p.name) for p in directory.iterdir() if p.name.isdigit())

    def start(self, manifest: BlobManifest, user: User) -> list[int]:
        """Register (or resume) ``user``'s upload; returns the chunk indexes already received."""
        if len(manifest.chunks) != chunk_count(manifest.size, manifest.chunk_size):
            raise UploadProblem(422, "chunk list does not match size and chunk size")
        known = self._manifest(manifest.sha256, user)
        if known is not None and known == manifest:
            return self.received(manifest.sha256, user)
        shutil.rmtree(self._session_dir(manifest.sha256, user), ignore_errors=True)
        with self.storage.write() as conn:
            conn.execute(chunked_uploads.delete().where(*self._session(manifest.sha256, user)))
            conn.execute(chunked_uploads.insert().values(sha256=manifest.sha256, user_id=user.id, size=manifest.size,
                                                         chunk_size=manifest.chunk_size,
                                                         chunk_hashes=json.dumps(manifest.chunks),
                                                         started_at=server_now()))
        return []

    def put_chunk(self, sha256: str, index: int, body: bytes, user: User) -> list[int]:
        """Store one verified chunk of ``user``'s upload; returns the received chunk indexes."""
        manifest = self._manifest(sha256, user)
        if manifest is None:
            raise UploadProblem(409, "no upload started for this blob; send the manifest first")
        if not 0 <= index < len(manifest.chunks):
            raise UploadProblem(422, "chunk index out of range")
        expected = min(manifest.chunk_size, manifest.size - index * manifest.chunk_size)
        if len(body) != expected:
            raise UploadProblem(422, f"chunk {index} must be {expected} bytes, got {len(body)}")
        if hashlib.sha256(body).hexdigest() != manifest.chunks[index]:
            raise UploadProblem(422, f"chunk {index} does not match its SHA-256")
        target_dir = self._session_dir(sha256, user)
        target_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.tmp_dir, delete=False, suffix=".part") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target_dir / str(index))
        return self.received(sha256, user)

    def complete(self, sha256: str, user: User) -> None:
        """Assemble and verify ``user``'s upload, and store the blob unless it is stored already."""
        manifest = self._manifest(sha256, user)
        if manifest is None:
            raise UploadProblem(409, "no upload started for this blob")
        session = self._session_dir(sha256, user)
        missing = sorted(set(range(len(manifest.chunks))) - set(self.received(sha256, user)))
        if missing:
            raise UploadProblem(409, f"chunks missing: {missing[:20]}")
        parts = (file_chunks(session / str(index)) for index in range(len(manifest.chunks)))
        temp, digest, size = write_hashed_temp(itertools.chain.from_iterable(parts), self.tmp_dir)
        if digest != sha256 or size != manifest.size:
            temp.unlink(missing_ok=True)
            shutil.rmtree(session, ignore_errors=True)
            raise UploadProblem(422, "assembled blob does not match its SHA-256; upload again")
        if self.has_blob(sha256):  # the same bytes are stored already: keep those
            temp.unlink()
        else:
            final = self.blob_path(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temp, 0o444)
            os.replace(temp, final)
            durable_files.fsync_dir(final.parent)
        with self.storage.write() as conn:
            insert_new(conn, blobs, [{"sha256": sha256, "size": size, "uploaded_by": user.name,
                                      "stored_at": server_now()}])
            conn.execute(chunked_uploads.delete().where(*self._session(sha256, user)))
        shutil.rmtree(session, ignore_errors=True)

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
        with self.storage.write() as conn:  # stored only now, all in one transaction
            now = server_now()
            insert_new(conn, blobs, [{"sha256": sha, "size": len(data), "uploaded_by": user_name, "stored_at": now}
                                     for sha, data in verified.items()])
        return list(verified)

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        return file_chunks(self.blob_path(sha256))
