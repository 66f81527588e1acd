"""Writing many small files durably, fast: the server's blob store writes a bundle's blobs through here.

:func:`write_all` writes each file under a temporary name beside its final
one (``<name>.<pid>.<n>.part``: one directory per file, not one shared by all
writers, whose lock they would queue on), ``fsync``-s all of them, renames
each into place and then ``fsync``-s the directories touched (and the parent
of any directory it had to create). Each round runs several ``fsync``-s at a
time, so the file system commits them together: a round costs about one
commit, not one per file. A file is renamed into place only once its bytes
are durable, so whatever another writer finds in place — even one racing to
store the same content — is complete. A failure removes the temporary files
not yet renamed (a crash may leave some: they are never visible, and safe to
delete). The caller makes the files visible (a database row) only after
:func:`write_all` returns.
"""
from __future__ import annotations

import contextlib
import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Union

FSYNC_THREADS = 16  # fsyncs in flight at once: the file system commits concurrent ones together
FSYNC_PER_TASK = 4  # descriptors or directories per pool task (fewer hand-offs between threads)
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL

_fsync_pool = ThreadPoolExecutor(max_workers=FSYNC_THREADS, thread_name_prefix="durable-fsync")
_temp_names = itertools.count()  # unique temporary names within this process (next() is atomic)

Target = Union[int, str]  # an open descriptor, or a directory path


def fsync_dir(directory: Union[str, os.PathLike]) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_each(targets: list[Target]) -> None:
    for target in targets:
        if isinstance(target, int):
            os.fsync(target)
        else:
            fsync_dir(target)


def fsync_all(targets: list[Target]) -> None:
    """``fsync`` every descriptor and directory; returns only when all are durable, raises the first error."""
    if len(targets) <= FSYNC_PER_TASK:
        _fsync_each(targets)
        return
    tasks = [targets[start:start + FSYNC_PER_TASK] for start in range(0, len(targets), FSYNC_PER_TASK)]
    for future in [_fsync_pool.submit(_fsync_each, task) for task in tasks]:
        future.result()


def _create(path: str, mode: int, directories: set[str]) -> int:
    """A new file open for writing, its directory made when missing (one try, not a ``mkdir`` per file; the
    new directory's entry goes to ``directories`` to be made durable)."""
    try:
        return os.open(path, CREATE_FLAGS, mode)
    except FileNotFoundError:
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        directories.add(os.path.dirname(directory))
        return os.open(path, CREATE_FLAGS, mode)


def write_all(files: Iterable[tuple[str, memoryview]], mode: int = 0o444) -> None:
    """Write each ``(final path, bytes)`` and make all of them durable, replacing what is there."""
    written: list[tuple[str, str, int]] = []  # (temporary file, final path, open descriptor)
    unplaced: set[str] = set()
    directories: set[str] = set()
    try:
        for final, data in files:
            temp = f"{final}.{os.getpid()}.{next(_temp_names)}.part"
            fd = _create(temp, mode, directories)
            unplaced.add(temp)
            written.append((temp, final, fd))
            while data:
                data = data[os.write(fd, data):]
        fsync_all([fd for _, _, fd in written])
        for temp, final, _ in written:
            os.replace(temp, final)
            unplaced.discard(temp)
            directories.add(os.path.dirname(final))
        fsync_all(sorted(directories))
    finally:
        for _, _, fd in written:
            with contextlib.suppress(OSError):
                os.close(fd)
        for temp in unplaced:  # an error on the way: no temporary file is left behind
            with contextlib.suppress(OSError):
                os.unlink(temp)
