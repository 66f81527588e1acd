"""Writing a ledger's new cases while the rest of the ledger is still being checked.

:class:`NewCaseWriter` takes the checked rows of :func:`~inspector.importers.ledger_import.import_ledger` run
by run: it hashes them, attributes the new cases of each run in bulk, inserts each attributed run in a
writer thread while the next rows are checked, and at the end updates the changed cases and records the
import — all in one transaction on the workspace's connection, which only one thread uses at a time.
"""
from __future__ import annotations

import contextlib
import json
import operator
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from inspector.geo.attribution import (
    ATTRIBUTION_COLUMNS,
    Attribution,
    Lookup,
    attribute_cases,
    lookup_attributions,
    lookup_for,
    write_zone_links,
)
from inspector.i18n import pick
from inspector.importers.ledger_attributor import AttributionProcess
from inspector.importers.ledger_rows import LEDGER_FIELDS, UNIT_FIELDS, ledger_hash
from inspector.store.changes import ChangeJournal, Changes, note_cases, recording
from inspector.store.db import Connection, atomic, insert_rows
from inspector.store.workspace import Workspace, utc_now

if TYPE_CHECKING:
    from inspector.importers.ledger_import import LedgerImportResult

Progress = Callable[[int, int, str], None]  # (done, total, what): the import reports its progress
EXTENT_FIELDS = ("lon", "lat", "area_m2")  # a case with a polygon keeps its own
# SQLite's page cache while the import writes, KiB: the default 2 MB is too small for the case indexes of a
# large ledger (their pages are evicted and read again row after row); memory only, durability unchanged.
WRITE_CACHE_KIB = 65_536
STORED_FIELDS = LEDGER_FIELDS + UNIT_FIELDS + ("source_sheet", "source_row", "source_record", "ledger_hash")
_stored_values = operator.itemgetter(*STORED_FIELDS, "area_m2")  # a record's stored fields and reported area


@contextlib.contextmanager
def page_cache(conn: Connection, kib: int) -> Iterator[None]:
    """``kib`` KiB of page cache on ``conn`` inside the block, its own size again after it."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]  # pages, or KiB when negative
    conn.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def new_uuids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs in their text form, as :func:`~inspector.store.workspace.new_uuid`
    makes them one by one (16 bytes of ``os.urandom`` each, version and variant bits set), made together:
    one system call and one hex conversion for a run of new cases instead of a UUID object per case."""
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # variant RFC 4122
    text = raw.tobytes().hex()
    return [f"{text[i:i + 8]}-{text[i + 8:i + 12]}-{text[i + 12:i + 16]}-{text[i + 16:i + 20]}-{text[i + 20:i + 32]}"
            for i in range(0, 32 * count, 32)]


class NewCaseWriter:
    """The writing side of :func:`~inspector.importers.ledger_import.import_ledger`, in two threads: the
    caller's thread checks the rows and hands them to :meth:`take` run by run, which hashes them and
    attributes the run's new cases in bulk (shapely 2.0 holds the GIL: a thread of its own would only wait
    for it; with ``attribution_process`` a helper process does it and the writer thread takes its answer);
    a writer thread inserts each attributed run with its attribution and zone links (one prepared
    statement per run; SQLite steps outside the GIL) while the caller checks the next rows, in the import's
    one transaction, opened by the caller's thread before the first insert. Until :meth:`finish` has waited
    for the writer, the caller's thread does not use the connection; :meth:`finish` then updates the
    changed cases, records the run and commits."""

    def __init__(self, ws: Workspace, path: Path, existing: dict[str, tuple[int, str]], *,
                 attribution_process: bool = False) -> None:
        self._ws, self._path, self._existing = ws, path, existing
        self.lookup: Lookup = lookup_for(ws)
        # the new cases attributed by a helper process (started now, while the ledger is parsed), or here
        self._attributor = AttributionProcess(ws.root, self.lookup) if attribution_process else None
        self._writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")
        self._written: list[Future[None]] = []
        self._transaction = contextlib.ExitStack()
        self._journal: ChangeJournal | None = None
        self._first_id = self._next_id = 0
        self._now = utc_now()
        self.changes = Changes()

    def __enter__(self) -> NewCaseWriter:
        return self

    def __exit__(self, *exc: Any) -> bool | None:
        # the writer thread does not touch the connection any more before the transaction ends (commit or rollback)
        self._writing.shutdown(wait=True, cancel_futures=True)
        if self._attributor is not None:
            self._attributor.close()
        return self._transaction.__exit__(*exc)

    def take(self, run: list[dict[str, Any]]) -> None:
        """A run of rows that passed every check, in ledger order."""
        for record in run:
            record["ledger_hash"] = ledger_hash(record)
        fresh = [record for record in run if record["case_no"] not in self._existing]
        if not fresh:
            return
        lons = np.array([r["lon"] for r in fresh], dtype=float)
        lats = np.array([r["lat"] for r in fresh], dtype=float)
        attributor = self._attributor
        if attributor is None and not self._written:  # before the writer takes the connection: no lookup
            self.lookup.load_all()  # reads the database after
        self._begin()
        ids = list(range(self._next_id, self._next_id + len(fresh)))
        self._next_id += len(fresh)
        if attributor is not None:  # the helper attributes the run while the writer inserts the earlier ones
            attributor.submit(lons, lats)
            self._written.append(self._writing.submit(lambda: self._insert(fresh, ids, attributor.result())))
        else:
            found = lookup_attributions(self.lookup, lons, lats, [None] * len(fresh))
            self._written.append(self._writing.submit(self._insert, fresh, ids, found))

    def _begin(self) -> Connection:
        """The import's transaction (opened on first use) with the journal of what it writes."""
        conn = self._ws.conn
        if self._journal is None:
            self._journal = self._transaction.enter_context(recording(conn))
            self._transaction.enter_context(page_cache(conn, WRITE_CACHE_KIB))
            self._transaction.enter_context(atomic(conn))
            # ids as SQLite would give them (one more than the largest), so the zone links need no read back
            self._first_id = self._next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
        return conn

    def _insert(self, run: list[dict[str, Any]], ids: list[int], found: list[Attribution]) -> None:
        """In the writer thread: insert a run of new cases with their attribution and zone links."""
        conn = self._ws.conn
        insert_rows(
            conn, f"INSERT INTO cases (id, {', '.join(STORED_FIELDS)}, reported_area_m2, source_file, uuid, "
                  f"created_at, updated_at, {', '.join(ATTRIBUTION_COLUMNS)})",
            [(case_id, *_stored_values(r), self._path.name, uuid, self._now, self._now, *where.columns)
             for case_id, r, where, uuid in zip(ids, run, found, new_uuids(len(ids)))])
        write_zone_links(conn, ids, found)

    def finish(self, records: list[dict[str, Any]], result: LedgerImportResult, progress: Progress | None) -> None:
        """After the last run: wait for the writer, update the changed cases, count, record the run, commit."""
        for written in self._written:
            written.result()
        conn = self._begin()
        updates = []
        for record in records:
            known = self._existing.get(record["case_no"])
            if known is not None and known[1] != record["ledger_hash"]:
                updates.append((known[0], record))
            elif known is not None:
                result.unchanged += 1
        inserted = list(range(self._first_id, self._next_id))
        # The ledger's area is the reported one; it is the case's area, and its point the case's position,
        # unless the case has a polygon (a joined change patch): its computed area and representative point stay.
        assignments = ", ".join(f"{c} = ?" if c not in EXTENT_FIELDS else
                                f"{c} = CASE WHEN geometry_geojson IS NULL THEN ? ELSE {c} END"
                                for c in STORED_FIELDS)
        conn.executemany(
            f"UPDATE cases SET {assignments}, reported_area_m2 = ?, source_file = ?, "
            f"revision = revision + 1, dirty = 1, updated_at = ? WHERE id = ?",
            [_stored_values(r) + (self._path.name, self._now, case_id) for case_id, r in updates],
        )
        result.created, result.updated = len(inserted), len(updates)
        changed = [case_id for case_id, _ in updates]
        changed += [row[0] for row in conn.execute("SELECT id FROM cases WHERE attributed_generation IS NULL")]
        if progress:
            progress(len(records), len(records), pick("写入问题", "writing cases"))
        conn.execute(
            "INSERT INTO import_runs (kind, source_file, started_at, summary) VALUES ('ledger', ?, ?, ?)",
            (str(self._path), self._now, json.dumps(result.as_dict(), ensure_ascii=False)),
        )
        note_cases(conn, "cases", inserted + changed)
        attribute_cases(self._ws, changed)
        journal = self._journal
        self._transaction.close()  # commits
        if journal is not None:
            self.changes = journal.changes
