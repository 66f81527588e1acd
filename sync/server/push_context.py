"""The state of one push inside its transaction: the rows it decides on, read once and locked.

A push refers to a few thousand records at most (its own, and the cases and
findings they name). :class:`PushContext` reads them with a few ``IN``
queries — on PostgreSQL with ``SELECT … FOR UPDATE`` in UUID order, so a
concurrent push of the same records waits until this one commits and then
reads what it wrote; on SQLite the write transaction already holds the
database's write lock (``BEGIN IMMEDIATE``, see :mod:`sync.server.storage`).
Either way what the push reads stays current until it commits, and every
decision is also re-checked by the write itself: an update names the
revision it was decided on (``WHERE uuid = :u AND revision = :r``) and a
new record is an insert guarded by the primary key; a write that finds the
row changed raises :class:`StaleRead` and the whole push is run again.

The context is kept current with every row the batch writes, so a record
later in the batch sees the records earlier in it (also for the workflow's
evidence checks: :meth:`children`).
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import RecordChange, blob_of
from sync.server.storage import blob_uploads, counters, next_seq, records, server_now

LOOKUP_SLICE = 500  # uuids per IN (...) lookup


class StaleRead(Exception):
    """A row changed between the push's read and its write (the push is retried from the start)."""


def record_row(conn: Connection, uuid: Optional[str], *, lock: bool = False) -> Optional[sa.Row[Any]]:
    """The stored row of a record (``FOR UPDATE`` with ``lock``), or ``None``."""
    if not uuid or not isinstance(uuid, str):
        return None
    query = sa.select(records).where(records.c.uuid == uuid)
    return conn.execute(query.with_for_update() if lock else query).first()


def _slices(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), LOOKUP_SLICE):
        yield ordered[start:start + LOOKUP_SLICE]


class PushContext:
    """Rows, change numbers and pending writes of one push (see the module docstring)."""

    def __init__(self, conn: Connection, changes: list[RecordChange], tracks: Optional[dict[str, Any]] = None) -> None:
        self.conn = conn
        self.tracks: dict[str, Any] = tracks or {}  # the pushed patrols' track readings (sync.server.patrol_scope)
        self.now = server_now()
        wanted: set[str] = set()
        for change in changes:
            wanted.add(change.uuid)
            for key in ("case_uuid", "finding_uuid", "signs_uuid", "document_uuid"):  # the records it names
                value = change.content.get(key)
                if isinstance(value, str) and value:
                    wanted.add(value)
        self.rows: dict[str, Any] = dict.fromkeys(wanted)  # None: not on the server
        for part in _slices(wanted):  # in UUID order: two pushes lock shared rows in the same order
            query = sa.select(records).where(records.c.uuid.in_(part)).order_by(records.c.uuid).with_for_update()
            for row in conn.execute(query):
                self.rows[row.uuid] = row
        self.pending_inserts: dict[str, dict[str, Any]] = {}
        self.written: set[str] = set()  # uuids this push inserted or updated
        # (case uuid, kind) -> that case's child rows of that kind as stored before this push
        self._children: dict[tuple[str, str], dict[str, Any]] = {}
        self._written_under: dict[tuple[str, str], set[str]] = {}  # (case uuid, kind) -> uuids written under it
        self._written_key: dict[str, tuple[str, str]] = {}  # uuid written -> its (case uuid, kind) now
        self._blob_shas = {sha for change in changes if (sha := blob_of(change.kind, change.content))}
        self._uploads: Optional[dict[str, list[tuple[int, str]]]] = None  # blob -> (user id, jurisdiction)
        self._first_seq: Optional[int] = None
        self._last_seq = 0

    def row(self, uuid: Any) -> Any:
        if not uuid or not isinstance(uuid, str):
            return None
        if uuid not in self.rows:  # not named by the batch up front (defensive; normally read in __init__)
            self.rows[uuid] = record_row(self.conn, uuid, lock=True)
        return self.rows[uuid]

    def children(self, case_uuid: str, kind: str) -> list[Any]:
        """Every child record of ``kind`` of a case as this push sees it (stored rows, then this push's writes),
        tombstones included. The case's row is locked by this push, so no other push adds to it meanwhile.
        Indexed by case and kind, so a batch of thousands of records of one case costs each only its kind's."""
        stored = self._children.get((case_uuid, kind))
        if stored is None:
            stored = self._children[(case_uuid, kind)] = {row.uuid: row for row in self.conn.execute(
                sa.select(records).where(records.c.case_uuid == case_uuid, records.c.kind == kind))}
        found = dict(stored)
        for uuid in self._written_under.get((case_uuid, kind), ()):
            found[uuid] = self.rows[uuid]
        return list(found.values())

    def _wrote(self, uuid: str) -> None:
        """Note a row this push wrote under the case and kind it has now (for :meth:`children`)."""
        self.written.add(uuid)
        row = self.rows[uuid]
        key = (row.case_uuid, row.kind)
        before = self._written_key.get(uuid)
        if before != key:
            if before is not None:
                self._written_under[before].discard(uuid)
            self._written_under.setdefault(key, set()).add(uuid)
            self._written_key[uuid] = key

    def uploads(self, sha256: str) -> list[tuple[int, str]]:
        """``(user id, jurisdiction)`` of every recorded upload of a blob the batch names (read for all of them
        with the first question, a few ``IN`` queries rather than one per record)."""
        if self._uploads is None:
            self._uploads = {}
            for part in _slices(self._blob_shas):
                for row in self.conn.execute(sa.select(blob_uploads.c.sha256, blob_uploads.c.user_id,
                                                       blob_uploads.c.jurisdiction)
                                             .where(blob_uploads.c.sha256.in_(part))):
                    self._uploads.setdefault(row.sha256, []).append((row.user_id, row.jurisdiction))
        if sha256 not in self._blob_shas:  # not named by the batch up front (defensive)
            return [(row.user_id, row.jurisdiction) for row in self.conn.execute(
                sa.select(blob_uploads.c.user_id, blob_uploads.c.jurisdiction).where(blob_uploads.c.sha256 == sha256))]
        return self._uploads.get(sha256, [])

    def next_seq(self) -> int:
        """The next change number; the first draw locks the counter row until commit, later ones count on."""
        if self._first_seq is None:
            self._first_seq = self._last_seq = next_seq(self.conn)
        else:
            self._last_seq += 1
        return self._last_seq

    def insert(self, values: dict[str, Any]) -> None:
        self.pending_inserts[values["uuid"]] = values
        self.rows[values["uuid"]] = SimpleNamespace(**values)
        self._wrote(values["uuid"])

    def update(self, uuid: str, values: dict[str, Any], *, decided_on: int) -> None:
        """Write new values of a record whose revision this push read as ``decided_on``."""
        if uuid in self.pending_inserts:
            self.pending_inserts[uuid].update(values)
        else:
            done = self.conn.execute(records.update().where(records.c.uuid == uuid,
                                                            records.c.revision == decided_on).values(**values))
            if done.rowcount != 1:
                raise StaleRead(uuid)
        current = self.rows[uuid]
        merged = dict(current._asdict()) if hasattr(current, "_asdict") else dict(vars(current))
        merged.update(values)
        self.rows[uuid] = SimpleNamespace(**merged)
        self._wrote(uuid)

    def finish(self) -> None:
        """Write the new rows and the counter (still inside the push's transaction)."""
        if self.pending_inserts:
            self.conn.execute(records.insert(), list(self.pending_inserts.values()))
            self.pending_inserts = {}
        if self._first_seq is not None and self._last_seq != self._first_seq:
            self.conn.execute(counters.update().where(counters.c.name == "seq").values(value=self._last_seq))


def content_of(row: Any) -> dict[str, Any]:
    """The decoded content of a stored (or just written) record row."""
    return json.loads(row.content)
