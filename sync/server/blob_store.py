"""The server's content-addressed blob store with resumable, checksummed chunked uploads.

The bytes live in a backend (:mod:`sync.server.blob_backends`): the data
directory by default, or an S3-compatible object store shared by every server
machine. Keys (the same in both)::

    blobs/ab/cdef…                   assembled, verified blobs (never changed)
    uploads/<user id>/<sha256>/<n>   verified chunks of one user's upload in progress

An upload starts with a manifest (size, chunk size, SHA-256 of each chunk),
kept in the database, so any server process resumes it. Each chunk body is
checked against its manifest hash and length and only then written (whole or
not at all), so the set of chunk objects is always the set of verified
chunks — which is what the server reports to a client resuming an upload.
Uploads in progress belong to the user who started them: another user's
upload of the same blob is neither shown, resumed nor reset. ``complete``
has the backend concatenate the user's chunks and check the whole SHA-256 —
also when the blob is already stored, because an upload proves that its
sender holds the bytes — before the blob appears under its key, and only
then inserts the ``blobs`` row that makes it visible.

Small blobs come several to a request in a *bundle*; those verified and not
stored yet are written durably together — with the filesystem backend
appended to one pack file with one ``fsync`` (:mod:`sync.server.blob_packs`),
with an object store one object each — then one transaction makes them all
visible (with their pack index rows, and the caller's upload records),
shared with the bundles stored at the same moment (:mod:`sync.server.group_commit`:
one commit, one ``fsync`` of the database's log, for them all). A
blob is stored only through its ``blobs`` row; who may *see* it is
:mod:`sync.server.blob_access`'s decision, from the uploads the API records
after this store confirmed them. :meth:`BlobStore.verify` (``inspector-server
verify-blobs``) reads every stored blob back and checks it against its hash;
:meth:`BlobStore.compact` (``inspector-server compact-blobs``) reclaims what
crashed or racing pack writers left unreferenced.
"""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import BlobManifest
from sync.server.auth import User
from sync.server.blob_backends import BLOB_PREFIX, BlobBackend, FileBackend, blob_key, chunk_prefix
from sync.server.blob_packs import PackFiles
from sync.server.group_commit import GroupCommit
from sync.server.storage import Storage, blob_pack_entries, blobs, chunked_uploads, insert_new, server_now


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


VERIFY_THREADS = 8  # blobs read back at once by verify (an object store answers each after a round trip)
PACK_DIR = "packs"  # the filesystem backend's pack files, under the data directory

OnStored = Callable[[Connection, list[str]], None]  # more to write in the transaction that makes blobs visible


class BlobStore:
    def __init__(self, backend: BlobBackend, storage: Storage) -> None:
        self.backend = backend
        self.storage = storage
        # bundles go to pack files on a filesystem; an object store keeps one object per blob
        self.packs = PackFiles(backend.root / PACK_DIR) if isinstance(backend, FileBackend) else None
        self._visibility = GroupCommit(storage)  # bundles stored at the same moment share one commit

    def close(self) -> None:
        """Let go of the packs this process holds open (and the backend)."""
        if self.packs is not None:
            self.packs.close()
        self.backend.close()

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

    def _chunks(self, sha256: str, user: User) -> str:
        return chunk_prefix(user.id, sha256)

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
        return sorted(int(name) for name in self.backend.names(self._chunks(sha256, user)) if name.isdigit())

    def start(self, manifest: BlobManifest, user: User) -> list[int]:
        """Register (or resume) ``user``'s upload; returns the chunk indexes already received."""
        if len(manifest.chunks) != chunk_count(manifest.size, manifest.chunk_size):
            raise UploadProblem(422, "chunk list does not match size and chunk size")
        known = self._manifest(manifest.sha256, user)
        if known is not None and known == manifest:
            return self.received(manifest.sha256, user)
        self.backend.delete_prefix(self._chunks(manifest.sha256, user))
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
        self.backend.put_chunk(self._chunks(sha256, user) + str(index), body)
        return self.received(sha256, user)

    def complete(self, sha256: str, user: User) -> None:
        """Assemble and verify ``user``'s upload, and store the blob unless it is stored already."""
        manifest = self._manifest(sha256, user)
        if manifest is None:
            raise UploadProblem(409, "no upload started for this blob")
        session = self._chunks(sha256, user)
        missing = sorted(set(range(len(manifest.chunks))) - set(self.received(sha256, user)))
        if missing:
            raise UploadProblem(409, f"chunks missing: {missing[:20]}")
        parts = [session + str(index) for index in range(len(manifest.chunks))]
        # the same bytes stored already are kept, but the upload is still checked against the hash
        target = blob_key(sha256) if not self.has_blob(sha256) else session + "assembled"
        if not self.backend.assemble(parts, target, sha256, manifest.size):
            self.backend.delete_prefix(session)
            raise UploadProblem(422, "assembled blob does not match its SHA-256; upload again")
        with self.storage.write() as conn:
            insert_new(conn, blobs, [{"sha256": sha256, "size": manifest.size, "uploaded_by": user.name,
                                      "stored_at": server_now()}])
            conn.execute(chunked_uploads.delete().where(*self._session(sha256, user)))
        self.backend.delete_prefix(session)

    def store_bundle(self, body: bytes, user_name: str, on_stored: Optional[OnStored] = None) -> list[str]:
        """Store each verified blob of a bundle (4-byte header length, JSON header, bytes); returns stored hashes.

        Blobs whose SHA-256 matches and that the store does not hold yet are written durably
        (appended to a pack with one ``fsync``, or the backend's ``put_many``); only then does one transaction
        insert the ``blobs`` rows (and pack index rows) that make them visible, and run ``on_stored`` with the
        stored hashes — so what the answer lists is durable."""
        view = memoryview(body)
        verified: dict[str, memoryview] = {}
        for sha256, start, end in _bundle_entries(view):
            data = view[start:end]
            if sha256 not in verified and hashlib.sha256(data).hexdigest() == sha256:
                verified[sha256] = data
        held = self.present(list(verified))
        new = [(sha, data) for sha, data in verified.items() if sha not in held]
        if self.packs is None or not new:
            self.backend.put_many([(blob_key(sha), data) for sha, data in new])
            self._make_visible(verified, user_name, [], on_stored)
            return list(verified)
        with self.packs.writing() as pack:  # the pack stays this writer's until its index rows are committed
            starts = pack.append([data for _, data in new])
            self._make_visible(verified, user_name, [
                {"sha256": sha, "pack": pack.name, "start": start, "size": len(data)}
                for (sha, data), start in zip(new, starts)], on_stored)
        return list(verified)

    def _make_visible(self, verified: dict[str, memoryview], user_name: str, entries: list[dict[str, Any]],
                      on_stored: Optional[OnStored]) -> None:
        def write(conn: Connection) -> None:  # stored only now, all in one transaction (shared with other bundles)
            now = server_now()
            insert_new(conn, blobs, [{"sha256": sha, "size": len(data), "uploaded_by": user_name, "stored_at": now}
                                     for sha, data in verified.items()])
            insert_new(conn, blob_pack_entries, entries)
            if on_stored is not None:
                on_stored(conn, list(verified))
        self._visibility.run(write)

    def _located(self, sha256: str) -> Optional[tuple[int, Optional[str], int]]:
        """``(size, pack or None, start)`` of a stored blob; ``None`` when it is not stored."""
        query = sa.select(blobs.c.size, blob_pack_entries.c.pack, blob_pack_entries.c.start).select_from(
            blobs.outerjoin(blob_pack_entries, blob_pack_entries.c.sha256 == blobs.c.sha256)).where(
            blobs.c.sha256 == sha256)
        with self.storage.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else (int(row.size), row.pack, int(row.start or 0))

    def open_blob(self, sha256: str) -> Optional[tuple[int, Iterator[bytes]]]:
        """A stored blob's size and streamed bytes (``None`` when it is not stored)."""
        for _ in range(2):  # a pack compacted between the look-up and the open: look up again
            found = self._located(sha256)
            if found is None:
                return None
            size, pack, start = found
            if pack is None or self.packs is None:
                return self.backend.open(blob_key(sha256))
            chunks = self.packs.open_range(pack, start, size)
            if chunks is not None:
                return size, chunks
        return None

    def _check(self, sha256: str, size: int) -> Optional[str]:
        """What is wrong with one stored blob, else ``None``."""
        try:
            found = self.open_blob(sha256)
            if found is None:
                return "missing"
            digest, read = hashlib.sha256(), 0
            for data in found[1]:
                digest.update(data)
                read += len(data)
        except OSError as exc:  # a pack shorter than its index says
            return f"unreadable: {exc}"
        if read != size:
            return f"size {read} bytes, expected {size}"
        return None if digest.hexdigest() == sha256 else "content does not match its SHA-256"

    def verify(self) -> dict[str, Any]:
        """Read every stored blob back and check it against its hash and size: ``{"backend", "checked", "ok",
        "failed": [{"sha256", "problem"}], "unlisted"}`` (``unlisted``: objects under ``blobs/`` without a
        ``blobs`` row, e.g. left by a crash before the row was written; never served) and, with pack files,
        ``"packs"``: :meth:`PackFiles.report` (bytes no index row names: a torn tail, never served)."""
        with self.storage.read() as conn:
            rows = [(r.sha256, r.size) for r in conn.execute(sa.select(blobs.c.sha256, blobs.c.size))]
        with ThreadPoolExecutor(VERIFY_THREADS) as pool:
            problems = list(pool.map(lambda row: self._check(*row), rows))
        failed = [{"sha256": sha, "problem": problem} for (sha, _), problem in zip(rows, problems) if problem]
        listed = {sha for sha, _ in rows}
        unlisted = sum(1 for key in self.backend.iter_keys(BLOB_PREFIX)
                       if key[len(BLOB_PREFIX):].replace("/", "") not in listed)
        result: dict[str, Any] = {"backend": self.backend.description, "checked": len(rows),
                                  "ok": len(rows) - len(failed), "failed": sorted(failed, key=lambda i: i["sha256"]),
                                  "unlisted": unlisted}
        if self.packs is not None:
            result["packs"] = self.packs.report(self.storage)
        return result

    def compact(self) -> dict[str, Any]:
        """Reclaim what pack writers left unreferenced (see :mod:`sync.server.blob_packs`)."""
        if self.packs is None:
            return {"backend": self.backend.description, "packs": 0}
        return {"backend": self.backend.description, **self.packs.compact(self.storage)}
