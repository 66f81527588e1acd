"""Where the server's evidence bytes live: the backend interface, the filesystem backend and the choice of one.

The blob store (:mod:`sync.server.blob_store`) decides *what* is stored and
when it becomes visible (a ``blobs`` row, written only after the bytes are
verified and durable); a backend only keeps named objects. Keys are paths
with ``/``, the same in every backend, so a bucket and a data directory hold
the same layout::

    blobs/ab/cdef…                   verified blobs, named by SHA-256 (never changed)
    uploads/<user id>/<sha256>/<n>   verified chunks of a chunked upload in progress
    zone_layers/<sha256>.jsonl.gz    published zone layer files

Every write is whole or absent: a reader never finds a half-written object
under its key. :meth:`BlobBackend.assemble` concatenates chunks into a final
object only when their SHA-256 and size match — the filesystem writes a
temporary file and renames it, the object store completes a multipart upload
(or puts a small object) only after the check.

The filesystem (``DIR/``) is the default, for one bureau, the demo and the
tests; ``s3://BUCKET?endpoint=…`` names an S3-compatible object store
(:mod:`sync.server.s3_backend`), so any number of server machines share it.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Optional, Protocol

from inspector.store.media_store import file_chunks, write_hashed_temp
from sync.server import durable_files

BLOB_PREFIX = "blobs/"
UPLOAD_PREFIX = "uploads/"
LAYER_PREFIX = "zone_layers/"


def blob_key(sha256: str) -> str:
    return f"{BLOB_PREFIX}{sha256[:2]}/{sha256[2:]}"


def chunk_prefix(user_id: int, sha256: str) -> str:
    return f"{UPLOAD_PREFIX}{user_id}/{sha256}/"


def layer_key(sha256: str) -> str:
    return f"{LAYER_PREFIX}{sha256}.jsonl.gz"


class BlobBackend(Protocol):
    """Named objects, each written whole or not at all."""

    description: str  # what and where, for logs and JSON (never a credential)

    def put(self, key: str, data: memoryview) -> None:
        """Store ``data`` under ``key`` durably (replacing what is there)."""

    def put_many(self, items: list[tuple[str, memoryview]]) -> None:
        """Store several objects durably; returns when all are."""

    def names(self, prefix: str) -> list[str]:
        """The last path part of every object whose key starts with ``prefix`` (a "directory" ending in ``/``)."""

    def exists(self, key: str) -> bool: ...

    def iter_keys(self, prefix: str) -> Iterator[str]:
        """Every key that starts with ``prefix``."""

    def put_chunk(self, key: str, body: bytes) -> None:
        """One verified chunk of an upload in progress, durably."""

    def open(self, key: str) -> Optional[tuple[int, Iterator[bytes]]]:
        """The object's size and its bytes, streamed; ``None`` when absent."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object whose key starts with ``prefix``."""

    def assemble(self, parts: list[str], key: str, sha256: str, size: int) -> bool:
        """Store the concatenation of the ``parts`` objects under ``key`` when its SHA-256 and size match;
        ``False`` (nothing stored) when they do not."""

    def close(self) -> None: ...


class FileBackend:
    """Objects as read-only files under a data directory (temporary file, ``fsync``, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"file://{root.resolve()}"
        self.blob_dir = root / "blobs"
        self.upload_dir = root / "uploads"
        self.tmp_dir = self.upload_dir / ".tmp"  # chunks and assembled blobs being written
        for directory in (self.blob_dir, self.tmp_dir):
            directory.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / key

    def blob_path(self, sha256: str) -> Path:
        return self.path(blob_key(sha256))

    def put(self, key: str, data: memoryview) -> None:
        self.put_many([(key, data)])

    def put_many(self, items: list[tuple[str, memoryview]]) -> None:
        durable_files.write_all((str(self.path(key)), data) for key, data in items)

    def names(self, prefix: str) -> list[str]:
        directory = self.path(prefix)
        if not directory.is_dir():
            return []
        return [p.name for p in directory.iterdir() if p.is_file() and not p.name.endswith(".part")]

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def open(self, key: str) -> Optional[tuple[int, Iterator[bytes]]]:
        path = self.path(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        return size, file_chunks(path)

    def delete_prefix(self, prefix: str) -> None:
        target = self.path(prefix)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)

    def put_chunk(self, key: str, body: bytes) -> None:
        """One chunk, written in the temporary directory and renamed into place once durable."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.tmp_dir, delete=False, suffix=".part") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)

    def assemble(self, parts: list[str], key: str, sha256: str, size: int) -> bool:
        chunks = itertools.chain.from_iterable(file_chunks(self.path(part)) for part in parts)
        temp, digest, written = write_hashed_temp(chunks, self.tmp_dir)
        if digest != sha256 or written != size:
            temp.unlink(missing_ok=True)
            return False
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp, 0o444)
        os.replace(temp, final)
        durable_files.fsync_dir(final.parent)
        return True

    def iter_keys(self, prefix: str) -> Iterator[str]:
        base = self.path(prefix)
        if base.is_dir():
            for path in base.rglob("*"):
                if path.is_file() and not path.name.endswith(".part"):
                    yield path.relative_to(self.root).as_posix()

    def close(self) -> None:
        return None


def open_backend(data_dir: Path, blobs_url: Optional[str], credentials_file: Optional[str] = None) -> BlobBackend:
    """The backend ``blobs_url`` names: ``None`` (or ``file:``) the data directory, ``s3://…`` an object store."""
    if not blobs_url or blobs_url == "file:":
        return FileBackend(data_dir)
    if blobs_url.startswith("s3://"):
        from sync.server.s3_backend import S3Backend

        return S3Backend.from_url(blobs_url, credentials_file)
    raise ValueError("--blobs must be s3://BUCKET?endpoint=URL (or omitted for the data directory)")

