"""What a mutation changed: the :class:`Changes` summary and the journal that collects it.

Every public mutation (imports, finding, rectification, checklist, transition,
attach, a sync pull) returns a Qt-free summary of what it touched — which kinds
of record, and which cases (or every case) — so that views refresh exactly
that instead of guessing. The idea is Anki's ``OpChanges``; here the summary is
not written by hand in each mutation but collected from the writes themselves:

- write paths *note* what they touch on the connection: the record store for
  every audited insert and update (:func:`note_record`), and the bulk paths —
  ledger and zone imports, zone attribution, the workflow's case update, sync
  pulls — with :func:`note_cases`, :func:`note_all_cases` and :func:`note_kind`;
- a mutation runs inside :func:`recording`, which collects the notes made on
  its connection and, when the block ends without error, sets the journal's
  :attr:`ChangeJournal.changes`; notes made inside a savepoint that rolls back
  are dropped with it (:func:`inspector.store.db.atomic` calls :func:`rewind`);
- the mutation hands the summary back with its payload: a result object's
  ``changes`` attribute (left out of its JSON), or an :class:`Outcome` /
  :class:`OutcomeList` — the very dictionary or list the CLI prints, plus
  ``changes``.

Outside :func:`recording`, noting costs one dictionary lookup and keeps nothing.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

if TYPE_CHECKING:  # db imports this module
    from inspector.store.db import Connection

CASE_KINDS = ("cases", "findings", "evidence", "rectifications", "closure_checklists", "countersigns", "publicity",
              "transitions", "form_evidence")
KINDS = CASE_KINDS + ("zones", "patrols")  # what a summary may name; every case kind belongs to one case


@dataclass(frozen=True)
class Changes:
    """What one mutation (or several, merged with ``|``) changed.

    ``kinds``: the kinds of record written (:data:`KINDS`); ``case_uuids``: the cases whose row or
    records were written (created, changed or deleted); ``all_cases``: all cases may have changed
    (zones re-attributed every case), whatever ``case_uuids`` says."""

    kinds: frozenset[str] = frozenset()
    case_uuids: frozenset[str] = frozenset()
    all_cases: bool = False

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.case_uuids or self.all_cases)

    def touches(self, *kinds: str) -> bool:
        """Whether any of ``kinds`` was written."""
        return not self.kinds.isdisjoint(kinds)

    def affects(self, case_uuid: Optional[str]) -> bool:
        """Whether the case (or anything of it) may have changed."""
        return case_uuid is not None and (self.all_cases or case_uuid in self.case_uuids)

    def merge(self, other: "Changes") -> "Changes":
        return Changes(self.kinds | other.kinds, self.case_uuids | other.case_uuids,
                       self.all_cases or other.all_cases)

    __or__ = merge


class Outcome(dict[str, Any]):
    """A mutation's payload — the dictionary it always returned, printed by the CLI with the same keys —
    and what it changed (:attr:`changes`, not part of the dictionary)."""

    def __init__(self, payload: dict[str, Any], changes: Changes) -> None:
        super().__init__(payload)
        self.changes = changes


class OutcomeList(list[Any]):
    """A mutation's list payload (one entry per file, …) and what it changed (:attr:`changes`)."""

    def __init__(self, payload: Iterable[Any], changes: Changes) -> None:
        super().__init__(payload)
        self.changes = changes


# -- the journal -------------------------------------------------------------------------------------
# A note: (kind, case id or None, every case). Kept per connection only while a journal is open on it.
_Note = tuple[str, Optional[int], bool]


@dataclass
class _Log:
    notes: list[_Note] = field(default_factory=list)
    open_journals: int = 0


_logs: dict[int, _Log] = {}  # id(connection) → its notes; an entry lives only inside recording()


class ChangeJournal:
    """The notes collected by one :func:`recording` block; :attr:`changes` is set when it ends cleanly."""

    def __init__(self) -> None:
        self.changes = Changes()


@contextlib.contextmanager
def recording(conn: Connection) -> Iterator[ChangeJournal]:
    """Collect what is written on ``conn`` inside the block (blocks may nest: the outer one sees the
    inner one's notes too). On error nothing is summarised and the error goes on."""
    log = _logs.setdefault(id(conn), _Log())
    start = len(log.notes)
    log.open_journals += 1
    journal = ChangeJournal()
    try:
        yield journal
        journal.changes = _summary(conn, log.notes[start:])
    finally:
        log.open_journals -= 1
        if not log.open_journals:
            del _logs[id(conn)]


def mark(conn: Connection) -> Optional[int]:
    """Where the notes of ``conn`` stand now (``None`` when no journal is open), for :func:`rewind`."""
    log = _logs.get(id(conn))
    return len(log.notes) if log is not None else None


def rewind(conn: Connection, position: Optional[int]) -> None:
    """Forget the notes made since :func:`mark` returned ``position`` (their writes were rolled back)."""
    log = _logs.get(id(conn))
    if log is not None and position is not None:
        del log.notes[position:]


def note_cases(conn: Connection, kind: str, case_ids: Iterable[int]) -> None:
    """Records of ``kind`` belonging to these cases (or, for ``cases``, these case rows) were written."""
    log = _logs.get(id(conn))
    if log is not None:
        log.notes.extend((kind, int(case_id), False) for case_id in case_ids)


def note_all_cases(conn: Connection, kind: str) -> None:
    """Records of ``kind`` of every case may have been written (e.g. all cases re-attributed)."""
    log = _logs.get(id(conn))
    if log is not None:
        log.notes.append((kind, None, True))


def note_kind(conn: Connection, kind: str) -> None:
    """Records of ``kind`` that belong to no case (zones) were written."""
    log = _logs.get(id(conn))
    if log is not None:
        log.notes.append((kind, None, False))


def note_record(conn: Connection, table: str, uuid: str) -> None:
    """The record ``uuid`` of ``table`` (a case, or a record that belongs to one) was written."""
    if id(conn) not in _logs:
        return
    if table == "cases":
        row = conn.execute("SELECT id FROM cases WHERE uuid = ?", (uuid,)).fetchone()
    elif table in CASE_KINDS:
        row = conn.execute(f"SELECT case_id FROM {table} WHERE uuid = ?", (uuid,)).fetchone()
    else:
        note_kind(conn, table)
        return
    if row is not None:
        note_cases(conn, table, [row[0]])
    else:
        note_kind(conn, table)


def _summary(conn: Connection, notes: list[_Note]) -> Changes:
    kinds = {kind for kind, _, _ in notes}
    case_ids = sorted({case_id for _, case_id, _ in notes if case_id is not None})
    uuids: set[str] = set()
    if case_ids:
        uuids = {row[0] for row in conn.execute(
            "SELECT uuid FROM cases WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(case_ids),))}
    return Changes(frozenset(kinds), frozenset(uuids), any(every for _, _, every in notes))
