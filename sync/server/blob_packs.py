"""Pack files: the small blobs of a bundle appended to one file with one ``fsync``, found through the database.

Writing each of a bundle's blobs as a file of its own costs a file, a rename
and a directory entry per blob. A filesystem backend (``DIR/packs/``) keeps
them the way git, restic and borg keep many small objects instead: a
bundle's verified blobs are appended, one after another, to a *pack* and
made durable with one ``fsync``; only then does the caller insert, in one
transaction, the ``blobs`` rows and the ``blob_pack_entries`` rows (pack,
start, size) that make them visible — nothing is acknowledged that is not
on disk. A pack holds raw bytes only; the index is the database's.

Every writer appends only to packs it created and holds: an open pack is
locked (``flock``, exclusive) from before it gets its ``.pack`` name until
its writer closes it, so writers in several threads and server processes
never share one, and compaction never touches a pack in use. A pack goes
back to its writer's free list only after the index rows of what it
appended are committed (:meth:`PackFiles.writing`), so an unlocked pack's
index is complete. An append starts at the file's end as found then, so a
crash or an error mid-append leaves at most an unreferenced tail (or, before
the first index row, a pack nothing refers to); a reader never sees either.

``inspector-server compact-blobs`` (:meth:`PackFiles.compact`) repairs them:
a pack no index row names is removed, one with unreferenced bytes (a torn
tail, a blob another writer stored at the same moment) is rewritten with
just its indexed blobs, each checked against its SHA-256 on the way, the
index moved in one transaction, and the old pack removed.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Optional

import sqlalchemy as sa

from sync.server import durable_files
from sync.server.storage import Storage, blob_pack_entries

PACK_SUFFIX = ".pack"
PACK_LIMIT_BYTES = 256 * 1024 * 1024  # a pack this large takes no further bundle
READ_BYTES = 256 * 1024  # bytes per read when a blob is streamed out of a pack


@dataclass
class _OpenPack:
    name: str
    fd: int
    pid: int  # the process that created it: a forked child never appends to its parent's packs
    placed: bool = False  # its directory entry made durable (done with the first append)


class PackWriter:
    """One pack held by one writer (see :meth:`PackFiles.writing`)."""

    def __init__(self, files: "PackFiles", pack: _OpenPack) -> None:
        self._files, self._pack = files, pack

    @property
    def name(self) -> str:
        return self._pack.name

    def append(self, blobs: list[memoryview]) -> list[int]:
        """Append the blobs and make them durable (one ``fsync``); returns where each starts in the pack."""
        pack = self._pack
        position = os.fstat(pack.fd).st_size  # after whatever an earlier failed append left
        starts = []
        for data in blobs:
            starts.append(position)
            while data:
                written = os.pwrite(pack.fd, data, position)
                data, position = data[written:], position + written
        os.fsync(pack.fd)
        if not pack.placed:
            durable_files.fsync_dir(self._files.directory)
            pack.placed = True
        return starts


class PackFiles:
    """The packs under one directory: appending (:meth:`writing`), reading (:meth:`open_range`), compaction."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._free: list[_OpenPack] = []  # packs this process holds and no writer uses now
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        return self.directory / name

    def _create(self) -> _OpenPack:
        """A new, empty pack, locked before it is given its ``.pack`` name (so compaction never sees it free)."""
        name = f"{os.getpid()}-{secrets.token_hex(8)}{PACK_SUFFIX}"
        temp = self.path(name + ".new")
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.replace(temp, self.path(name))
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        return _OpenPack(name, fd, os.getpid())

    @contextlib.contextmanager
    def writing(self) -> Iterator[PackWriter]:
        """A pack for this writer alone; it goes back to the free list when the block ends — the caller
        commits the index rows of what it appended inside the block. A pack that failed is closed."""
        with self._lock:
            if self._free and self._free[0].pid != os.getpid():  # forked: the parent's packs are not ours
                self._free = []
            pack = self._free.pop() if self._free else None
        if pack is None:
            pack = self._create()
        try:
            yield PackWriter(self, pack)
        except BaseException:
            os.close(pack.fd)
            raise
        if os.fstat(pack.fd).st_size >= PACK_LIMIT_BYTES:
            os.close(pack.fd)
        else:
            with self._lock:
                self._free.append(pack)

    def close(self) -> None:
        with self._lock:
            packs, self._free = self._free, []
        for pack in packs:
            os.close(pack.fd)

    def open_range(self, name: str, start: int, size: int) -> Optional[Iterator[bytes]]:
        """The ``size`` bytes at ``start`` of a pack, streamed; ``None`` when the pack is gone (compacted)."""
        try:
            handle = open(self.path(name), "rb")
        except FileNotFoundError:
            return None
        return _read_range(handle, start, size)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.directory.glob("*" + PACK_SUFFIX) if p.is_file())

    def report(self, storage: Storage) -> dict[str, int]:
        """``{"packs", "pack_bytes", "unreferenced_bytes", "unreferenced_packs"}``: what compaction would reclaim
        (a torn tail, a pack no index row names, a blob stored twice at once)."""
        used = _used_bytes(storage)
        total = unreferenced = orphans = 0
        names = self.names()
        for name in names:
            size = self.path(name).stat().st_size
            total += size
            unreferenced += size - used.get(name, 0)
            orphans += name not in used
        return {"packs": len(names), "pack_bytes": total, "unreferenced_bytes": unreferenced,
                "unreferenced_packs": orphans}

    def compact(self, storage: Storage) -> dict[str, int]:
        """Remove packs no index row names and rewrite those with unreferenced bytes (packs in use are left);
        returns ``{"removed", "rewritten", "reclaimed_bytes", "skipped_in_use", "skipped_damaged"}``."""
        result = dict.fromkeys(("removed", "rewritten", "reclaimed_bytes", "skipped_in_use", "skipped_damaged"), 0)
        for name in self.names():
            try:
                fd = os.open(self.path(name), os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    result["skipped_in_use"] += 1
                    continue
                self._compact_one(storage, name, fd, result)
            finally:
                os.close(fd)
        return result

    def _compact_one(self, storage: Storage, name: str, fd: int, result: dict[str, int]) -> None:
        """Compact one pack whose lock this process holds (so no writer appends to it)."""
        size = os.fstat(fd).st_size
        with storage.read() as conn:
            entries = conn.execute(sa.select(blob_pack_entries.c.sha256, blob_pack_entries.c.start,
                                             blob_pack_entries.c.size)
                                   .where(blob_pack_entries.c.pack == name)
                                   .order_by(blob_pack_entries.c.start)).fetchall()
        if sum(int(e.size) for e in entries) == size:
            return
        if not entries:
            self.path(name).unlink()
            durable_files.fsync_dir(self.directory)
            result["removed"] += 1
            result["reclaimed_bytes"] += size
            return
        blobs = [os.pread(fd, int(e.size), int(e.start)) for e in entries]
        if any(len(data) != e.size or hashlib.sha256(data).hexdigest() != e.sha256 for data, e in zip(blobs, entries)):
            result["skipped_damaged"] += 1  # never move a damaged blob: verify-blobs names it
            return
        with self.writing() as writer:
            starts = writer.append([memoryview(data) for data in blobs])
            with storage.write() as conn:
                for entry, start in zip(entries, starts):
                    conn.execute(blob_pack_entries.update()
                                 .where(blob_pack_entries.c.sha256 == entry.sha256, blob_pack_entries.c.pack == name)
                                 .values(pack=writer.name, start=start))
        self.path(name).unlink()
        durable_files.fsync_dir(self.directory)
        result["rewritten"] += 1
        result["reclaimed_bytes"] += size - sum(len(data) for data in blobs)


def _used_bytes(storage: Storage) -> dict[str, int]:
    """Indexed bytes per pack."""
    query = sa.select(blob_pack_entries.c.pack, sa.func.sum(blob_pack_entries.c.size)).group_by(
        blob_pack_entries.c.pack)
    with storage.read() as conn:
        return {row[0]: int(row[1]) for row in conn.execute(query)}


def _read_range(handle: BinaryIO, start: int, size: int) -> Iterator[bytes]:
    with handle:
        fd = handle.fileno()
        position, end = start, start + size
        while position < end:
            data = os.pread(fd, min(READ_BYTES, end - position), position)
            if not data:
                raise OSError(f"pack ends before its indexed blob ({position} of {end})")
            yield data
            position += len(data)
