"""Test harness (not product code): run ``inspector`` and SIGKILL itself at a chosen point.

``CRASH_AT`` selects where the process dies while attaching evidence:

- ``mid_copy``: while copying the source into ``media/.tmp`` (second read);
- ``before_rename``: the copy is complete and verified, not yet renamed;
- ``after_rename``: the blob is in place, the database not yet written;
- ``before_commit``: the rows and audit entry are written, not committed;
- ``after_commit``: right after the transaction committed.

Usage: ``python tests/crash_attach.py --workspace DIR attach CASE FILE``.
"""
from __future__ import annotations

import builtins
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import inspector.casework.evidence_attach as evidence_attach  # noqa: E402
import inspector.store.media_store as media_store  # noqa: E402
from inspector.cli.main import main  # noqa: E402

CRASH_AT = os.environ.get("CRASH_AT", "")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _DyingReader:
    """A source file whose second read kills the process."""

    def __init__(self, handle) -> None:
        self._handle = handle
        self._reads = 0

    def read(self, size: int = -1) -> bytes:
        self._reads += 1
        if self._reads == 2:
            die()
        return self._handle.read(size)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def _install() -> None:
    real_replace = os.replace
    if CRASH_AT == "mid_copy":
        media_store.CHUNK_BYTES = 4096

        def dying_open(path, mode="r", *args, **kwargs):
            handle = builtins.open(path, mode, *args, **kwargs)
            is_source = "b" in mode and "r" in mode and ".tmp" not in str(path) and "media" not in Path(path).parts
            return _DyingReader(handle) if is_source else handle

        media_store.open = dying_open  # type: ignore[attr-defined]
    elif CRASH_AT in ("before_rename", "after_rename"):
        def replace(src, dst, *args, **kwargs):
            if CRASH_AT == "before_rename":
                die()
            real_replace(src, dst, *args, **kwargs)
            die()

        media_store.os = type(os)("os_with_dying_replace")
        media_store.os.__dict__.update(os.__dict__)
        media_store.os.replace = replace
    elif CRASH_AT == "before_commit":
        real_insert = evidence_attach.insert_record

        def insert_then_die(*args, **kwargs):
            real_insert(*args, **kwargs)
            die()

        evidence_attach.insert_record = insert_then_die
    elif CRASH_AT == "after_commit":
        evidence_attach._public = lambda *args, **kwargs: die()


if __name__ == "__main__":
    _install()
    sys.exit(main(sys.argv[1:]))
