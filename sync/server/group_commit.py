"""Group commit: small write transactions that arrive together share one transaction and one commit.

The blob store makes each bundle's blobs visible with a few inserts (the
``blobs`` and pack index rows, the caller's upload records) in a transaction
of its own; on SQLite each such commit takes the database's single write
lock and an ``fsync`` of the write-ahead log. Bundles arrive several at a
time, and while one push holds the write lock for its decisions they all
queue behind it. :meth:`GroupCommit.run` lets the first of them lead: once it
holds the write lock it takes every write queued by then (its own among them)
into its transaction, commits once, and only then does each caller return —
so what a caller was told is stored is durable, exactly as with a transaction
of its own. Calls that arrive while a leader is at work queue for the next
group.

A group's writes must be independent of one another (each only inserts rows
that are absent, say), because they may run in any group and in any order.
When a group's transaction fails, each of its writes is run again in a
transaction of its own, so that every caller gets its own outcome and one
failing write never takes the others down with it.
"""
from __future__ import annotations

import threading
from typing import Callable, Optional

from sqlalchemy.engine import Connection

from sync.server.storage import Storage

Write = Callable[[Connection], None]  # the statements of one caller, inside the group's transaction


class _Queued:
    """One caller's write, waiting for the transaction that commits it."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.finished = False
        self.error: Optional[BaseException] = None


class GroupCommit:
    """Writes to ``storage`` committed in groups (see the module's docstring)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._changed = threading.Condition()  # guards the queue and the leader flag
        self._queue: list[_Queued] = []
        self._leading = False

    def run(self, write: Write) -> None:
        """Run ``write`` in a transaction shared with the writes queued at the same moment; returns once that
        transaction has committed (raises what ``write``, or its own transaction, raised)."""
        mine = _Queued(write)
        with self._changed:
            self._queue.append(mine)
            while self._leading and not mine.finished:
                self._changed.wait()
            if not mine.finished:
                self._leading = True
        if not mine.finished:
            try:
                self._lead()
            finally:
                with self._changed:
                    self._leading = False
                    self._changed.notify_all()
        if mine.error is not None:
            raise mine.error

    def _lead(self) -> None:
        """Commit one group: every write queued by the time the write lock is held (the leader's own among them)."""
        group: list[_Queued] = []
        try:
            with self.storage.write() as conn:
                with self._changed:
                    group, self._queue = self._queue, []
                for queued in group:
                    queued.write(conn)
        except BaseException as exc:  # noqa: BLE001 - each write is run again alone, and reports its own outcome
            if not group:  # the transaction failed to begin: the writes queued by now share the outcome
                with self._changed:
                    group, self._queue = self._queue, []
            if len(group) == 1:
                group[0].error = exc
            else:
                for queued in group:
                    self._alone(queued)
        with self._changed:
            for queued in group:
                queued.finished = True

    def _alone(self, queued: _Queued) -> None:
        try:
            with self.storage.write() as conn:
                queued.write(conn)
        except BaseException as exc:  # noqa: BLE001 - handed to the write's caller
            queued.error = exc
