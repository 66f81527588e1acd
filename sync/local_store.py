"""The workspace side of a sync: what to push, acknowledging pushes, applying pulled pages.

- :func:`dirty_changes` lists records with unpushed local edits, parents first.
- :func:`write_outbox` stores a batch before it is sent; :func:`acknowledge`
  applies the server's per-record answer and removes the batch, in one
  transaction. A record is marked clean only when the server applied the
  very revision that was pushed (an edit made meanwhile stays dirty).
- :func:`apply_page` writes a pulled page — records and the pull cursor — in
  ONE transaction, through the audit log (action ``sync.pull``), so the
  hash chain stays valid and ``verify-audit`` knows every pulled record. A
  record with unpushed local edits is never overwritten by a pull: it stays
  as the device has it, and the server holds both versions as a conflict —
  until office review settles that conflict: a pulled record lists the
  versions its review refused (``resolves``), and a device still holding
  exactly one of them takes the server's revision (action ``sync.resolve``).
  A local edit made after the refused push is still kept.
- Each pulled record is written in its own savepoint inside that
  transaction: one this workspace cannot hold is rolled back alone and
  quarantined (:mod:`sync.quarantine`), and the rest of the page and the
  cursor still commit. A deletion of a record never held is skipped, not
  inserted. :func:`retry_quarantined` tries the quarantine again.
- Both return their counts together with what they changed
  (:class:`inspector.store.changes.Outcome`): the kinds of record and the
  cases applied, so that views refresh exactly those.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Optional

from inspector.casework.statuses import STATES
from inspector.patrols.track_blob import TRACK_MIME
from inspector.store import audit
from inspector.store.changes import Outcome, note_record, recording
from inspector.store.db import Connection, atomic
from inspector.store.workspace import Workspace, utc_now
from sync import pulled_track, quarantine
from sync.protocol import RECORD_KINDS, PullPage, PushResult, RecordChange, ServerRecord, blob_of, content_hash
from sync.record_codec import UuidMemo, from_wire, to_wire

# Evidence before the transitions whose rules count it, 公示 before the 销号 that needs it, countersigns after the
# documents they name; a signature may reach the server before the transition or countersign it signs. Patrols
# first: the findings and cases recorded during one name it.
PUSH_ORDER = ("patrols", "findings", "rectifications", "closure_checklists", "evidence", "countersigns", "publicity",
              "form_evidence", "transitions", "cases")
CURSOR_KEY = "pull_cursor:{server}"
# A running patrol that has no track yet (it gets one at its first pause or its end) waits: the server places a
# patrol by its track.
NOT_DOWNLOADED = {  # why a pulled record whose blob the server did not serve is set aside
    "evidence": ("照片文件未能从服务器下载", "the photo could not be downloaded from the server"),
    "patrols": ("巡查轨迹文件未能从服务器下载", "the patrol's track could not be downloaded from the server")}
BLOB_MIME = {"patrols": TRACK_MIME}  # the media type noted for a pulled blob (photos: read from the file)
HELD_BACK = {"patrols": "AND NOT (status = 'running' AND track_sha256 IS NULL)"}


def _new_cases(ws: Workspace) -> list[tuple[RecordChange, int]]:
    """A case this device created (found in the field) and the server has never acknowledged goes first, so
    that its findings and transitions find it: in the workflow's first state, as it was created. When it has
    moved on here, the case follows again in its place after its transitions, from that first revision."""
    changes = []
    for row in ws.conn.execute("SELECT * FROM cases WHERE dirty = 1 AND base_revision IS NULL AND deleted = 0 "
                               "ORDER BY id"):
        content = {**to_wire(ws.conn, "cases", row), "status": STATES[0]}
        changes.append((RecordChange(kind="cases", uuid=row["uuid"], base_revision=None, content=content),
                        int(row["revision"])))
    return changes


def dirty_changes(ws: Workspace) -> list[tuple[RecordChange, int]]:
    """(change, local revision) for every dirty record, in push order (see :func:`_new_cases`)."""
    changes = _new_cases(ws)
    created = {change.uuid: change for change, _ in changes}
    memo: UuidMemo = {}  # each case's and finding's uuid looked up once
    for kind in PUSH_ORDER:
        for row in ws.conn.execute(f"SELECT * FROM {kind} WHERE dirty = 1 {HELD_BACK.get(kind, '')} ORDER BY id"):
            change = RecordChange(kind=kind, uuid=row["uuid"], base_revision=row["base_revision"],
                                  deleted=bool(row["deleted"]), content=to_wire(ws.conn, kind, row, memo))
            first = created.get(row["uuid"]) if kind == "cases" else None
            if first is not None:
                if change.content == first.content:
                    continue
                change = change.model_copy(update={"base_revision": 1})
            changes.append((change, int(row["revision"])))
    return changes


def write_outbox(ws: Workspace, server_url: str, operation_id: str, batch_json: dict[str, Any],
                 local_revisions: dict[str, int]) -> None:
    body = json.dumps({"batch": batch_json, "local_revisions": local_revisions}, ensure_ascii=False)
    with atomic(ws.conn):
        ws.conn.execute("INSERT INTO sync_outbox (operation_id, server_url, body, created_at) VALUES (?, ?, ?, ?)",
                        (operation_id, server_url, body, utc_now()))


def outbox(ws: Workspace, server_url: str) -> list[tuple[str, dict[str, Any], dict[str, int]]]:
    # in the order written (created_at has whole seconds: the next batch is written while one is on its way)
    rows = ws.conn.execute("SELECT operation_id, body FROM sync_outbox WHERE server_url = ? ORDER BY created_at, rowid",
                           (server_url,)).fetchall()
    result = []
    for operation_id, body in rows:
        data = json.loads(body)
        result.append((operation_id, data["batch"], data["local_revisions"]))
    return result


def acknowledge(ws: Workspace, result: PushResult, local_revisions: dict[str, int]) -> dict[str, int]:
    """Apply the server's answers and drop the batch from the outbox, in one transaction; returns counts by
    status."""
    counts = {"applied": 0, "conflict": 0, "rejected": 0}
    now = utc_now()
    applied: dict[str, list[tuple[Any, ...]]] = {}
    refused: list[tuple[Any, ...]] = []
    # a record sent twice (a new case, then its later state) is clean only when every part was applied
    refused_uuids = {answer.uuid for answer in result.results if answer.status != "applied"}
    for answer in result.results:
        counts[answer.status] += 1
        if answer.status == "applied":
            local_revision = None if answer.uuid in refused_uuids else local_revisions.get(answer.uuid)
            applied.setdefault(answer.kind, []).append(
                (answer.revision, answer.server_seq, local_revision, answer.uuid))
        else:
            refused.append((answer.uuid, answer.kind, f"{answer.status}: {answer.reason}", answer.conflict_id,
                            answer.revision, now))
    with atomic(ws.conn):
        for kind, rows in applied.items():
            if kind not in RECORD_KINDS:
                raise ValueError(f"unknown record kind {kind!r}")
            ws.conn.executemany(
                f"UPDATE {kind} SET base_revision = ?, server_seq = ?, "
                f"dirty = CASE WHEN revision = ? THEN 0 ELSE 1 END WHERE uuid = ?", rows)
            ws.conn.executemany("DELETE FROM sync_conflicts WHERE record_uuid = ?", [(row[3],) for row in rows])
        if refused:
            ws.conn.executemany(
                "INSERT INTO sync_conflicts (record_uuid, kind, reason, conflict_id, server_revision, "
                "reported_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_uuid) DO UPDATE SET "
                "reason = excluded.reason, conflict_id = excluded.conflict_id, "
                "server_revision = excluded.server_revision, reported_at = excluded.reported_at", refused)
        ws.conn.execute("DELETE FROM sync_outbox WHERE operation_id = ?", (result.operation_id,))
    return counts


def cursor(ws: Workspace, server_url: str) -> int:
    row = ws.conn.execute("SELECT value FROM sync_state WHERE key = ?",
                          (CURSOR_KEY.format(server=server_url),)).fetchone()
    return int(row[0]) if row else 0


def evidence_blobs_needed(ws: Workspace, records: Iterable[ServerRecord]) -> list[str]:
    """SHA-256 of the blobs of pulled records (evidence, a patrol's track: :data:`sync.protocol.BLOB_FIELDS`) this
    workspace does not hold yet (a malformed hash is not asked for: that record is quarantined when applied; nor
    the blob of a deletion of a record never held)."""
    wanted = set()
    for record in records:
        sha = blob_of(record.kind, record.content)
        if not (isinstance(sha, str) and quarantine.SHA256_PATTERN.match(sha)):
            continue
        if record.deleted and ws.conn.execute(f"SELECT 1 FROM {record.kind} WHERE uuid = ?",
                                              (record.uuid,)).fetchone() is None:
            continue
        if ws.conn.execute("SELECT 1 FROM media_blobs WHERE sha256 = ?", (sha,)).fetchone() is None:
            wanted.add(sha)
    return sorted(wanted)


def _settled_by_review(conn: Connection, record: ServerRecord) -> bool:
    """Whether the device's unpushed version of ``record`` is exactly one that office review settled."""
    if not record.resolves:
        return False
    row = conn.execute(f"SELECT * FROM {record.kind} WHERE uuid = ?", (record.uuid,)).fetchone()
    held = (content_hash(to_wire(conn, record.kind, row)), bool(row["deleted"]))
    return any((c.client_content_hash, c.client_deleted) == held for c in record.resolves)


def _apply_record(ws: Workspace, record: ServerRecord, actor: str, blob_sizes: dict[str, int]) -> str:
    """Write one pulled record; returns ``applied``, ``same``, ``held`` (local edits kept) or ``skipped`` (the
    deletion of a record never held here). Raises one of :data:`sync.quarantine.RECORD_ERRORS` for a record
    this workspace cannot hold — evidence too, unless its blob is held or was just downloaded (``blob_sizes``)."""
    quarantine.check_numbers(record)
    conn = ws.conn
    local = conn.execute(f"SELECT id, dirty, base_revision FROM {record.kind} WHERE uuid = ?",
                         (record.uuid,)).fetchone() if record.kind in RECORD_KINDS else None
    if local is None and record.deleted:
        return "skipped"
    quarantine.check_content(conn, record)
    settled = False
    if local is not None and local["dirty"]:
        settled = _settled_by_review(conn, record)
        if not settled:
            return "held"
    if local is not None and local["base_revision"] is not None and local["base_revision"] >= record.revision:
        return "same"  # this revision (or a later one) is here already
    values = from_wire(conn, record.kind, record.content)
    values.update(base_revision=record.revision, server_seq=record.server_seq, dirty=0,
                  deleted=int(record.deleted))
    sha = blob_of(record.kind, values)
    if sha in blob_sizes:
        conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) VALUES (?, ?, ?, ?)",
                     (sha, blob_sizes[sha], BLOB_MIME.get(record.kind), utc_now()))
    elif sha and conn.execute("SELECT 1 FROM media_blobs WHERE sha256 = ?", (sha,)).fetchone() is None:
        raise quarantine.RecordProblem(*NOT_DOWNLOADED.get(record.kind, NOT_DOWNLOADED["evidence"]))
    if local is None:
        values["uuid"] = record.uuid
        columns = list(values)
        conn.execute(f"INSERT INTO {record.kind} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     [values[c] for c in columns])
    else:
        conn.execute(f"UPDATE {record.kind} SET {', '.join(f'{c} = ?' for c in values)} WHERE uuid = ?",
                     [*values.values(), record.uuid])
    if record.kind == "patrols" and not record.deleted:
        pulled_track.fill_points(ws, record.uuid, sha)
    _audit(conn, record, actor, "sync.resolve" if settled else "sync.delete" if record.deleted else "sync.pull",
           [sha] if sha else [])
    note_record(conn, record.kind, record.uuid)
    return "applied"


def _delete_held(ws: Workspace, record: ServerRecord, actor: str) -> str:
    """A pulled deletion of a record held here whose content cannot be applied: mark the record deleted
    at that server revision and keep its last good content (so an office purge of a bad revision reaches
    this device too)."""
    conn = ws.conn
    local = conn.execute(f"SELECT dirty, base_revision FROM {record.kind} WHERE uuid = ?", (record.uuid,)).fetchone()
    if local["dirty"]:
        return "held"
    if local["base_revision"] is not None and local["base_revision"] >= record.revision:
        return "same"
    conn.execute(f"UPDATE {record.kind} SET deleted = 1, base_revision = ?, server_seq = ?, dirty = 0 WHERE uuid = ?",
                 (record.revision, record.server_seq, record.uuid))
    _audit(conn, record, actor, "sync.delete", [])
    note_record(conn, record.kind, record.uuid)
    return "applied"


def _audit(conn: Connection, record: ServerRecord, actor: str, action: str, evidence_hashes: list[str]) -> None:
    if record.kind in audit.AUDITED_TABLES:
        audit.append(conn, actor, action, record.kind, record.uuid, evidence_hashes=evidence_hashes)
    conn.execute("DELETE FROM sync_conflicts WHERE record_uuid = ?", (record.uuid,))


class _PageWriter:
    """Applies pulled records one savepoint each, inside the caller's transaction: a record that fails with
    one of :data:`sync.quarantine.RECORD_ERRORS` is rolled back alone and quarantined; one that applies
    leaves the quarantine and lets the records waiting for it try again."""

    def __init__(self, ws: Workspace, server_url: str, actor: str, blob_sizes: dict[str, int]) -> None:
        self.ws, self.server_url, self.actor, self.blob_sizes = ws, server_url, actor, blob_sizes
        self.counts = dict.fromkeys(("applied", "same", "held", "skipped", "quarantined", "quarantined_new",
                                     "released"), 0)
        self.quarantined = set(quarantine.quarantined_uuids(ws.conn, server_url))
        self.skipped = {uuid for _, uuid, _ in quarantine.skipped_tombstones(ws.conn, server_url)}
        self.touched_cases: list[int] = []
        self.arrived: list[str] = []  # records now held here that quarantined children may be waiting for

    def write(self, records: Iterable[ServerRecord]) -> None:
        order = {kind: i for i, kind in enumerate(RECORD_KINDS)}
        for record in sorted(records, key=lambda r: (order.get(r.kind, len(order)), r.server_seq)):
            self._write_one(record)
        while self.arrived and self.quarantined:
            arrived, self.arrived = self.arrived, []
            for record in quarantine.waiting_for(self.ws.conn, self.server_url, arrived):
                self._write_one(record)

    def _attempt(self, apply: Callable[[], str]) -> str:
        with atomic(self.ws.conn):
            return apply()

    def _write_one(self, record: ServerRecord) -> None:
        conn = self.ws.conn
        try:
            outcome = self._attempt(lambda: _apply_record(self.ws, record, self.actor, self.blob_sizes))
        except quarantine.RECORD_ERRORS as error:
            fallback = self._delete_or_quarantine(record, error)
            if fallback is None:
                return
            outcome = fallback
        if record.uuid in self.quarantined:
            quarantine.release(conn, self.server_url, record.uuid)
            self.quarantined.discard(record.uuid)
            self.counts["released"] += 1
        if outcome == "skipped":
            quarantine.note_skipped_tombstone(conn, self.server_url, record)
            self.skipped.add(record.uuid)
        elif outcome == "applied":
            if record.uuid in self.skipped:
                quarantine.forget_skipped_tombstone(conn, self.server_url, record.uuid)
                self.skipped.discard(record.uuid)
            if not record.deleted:
                self.arrived.append(record.uuid)
            if record.kind == "cases":
                self.touched_cases.append(conn.execute("SELECT id FROM cases WHERE uuid = ?",
                                                       (record.uuid,)).fetchone()[0])
        self.counts[outcome] += 1

    def _delete_or_quarantine(self, record: ServerRecord, error: BaseException) -> Optional[str]:
        """A deletion of a record held here still deletes it; anything else is quarantined (``None``)."""
        conn = self.ws.conn
        if record.deleted and record.kind in RECORD_KINDS and conn.execute(
                f"SELECT 1 FROM {record.kind} WHERE uuid = ?", (record.uuid,)).fetchone() is not None:
            try:
                return self._attempt(lambda: _delete_held(self.ws, record, self.actor))
            except quarantine.RECORD_ERRORS:
                pass
        new = quarantine.put(conn, self.server_url, record, quarantine.reason(conn, self.server_url, record, error))
        self.quarantined.add(record.uuid)
        self.counts["quarantined"] += 1
        self.counts["quarantined_new"] += int(new)
        return None

    def finish(self) -> dict[str, int]:
        from inspector.geo.attribution import attribute_cases

        if self.touched_cases:
            attribute_cases(self.ws, self.touched_cases)
        return self.counts


def apply_page(ws: Workspace, server_url: str, page: PullPage, actor: str,
               blob_sizes: dict[str, int]) -> Outcome:
    """Apply a pulled page and advance the cursor, all in one transaction; returns counts (``applied``,
    ``same``, ``held``, ``skipped``, ``quarantined``, ``quarantined_new``, ``released``) and, as ``changes``,
    the records and cases it applied."""
    with recording(ws.conn) as journal, atomic(ws.conn):
        writer = _PageWriter(ws, server_url, actor, blob_sizes)
        writer.write([*page.parents, *page.changes])
        counts = writer.finish()
        ws.conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                        "value = excluded.value", (CURSOR_KEY.format(server=server_url), str(page.next_cursor)))
    return Outcome(counts, journal.changes)


def retry_quarantined(ws: Workspace, server_url: str, actor: str, blob_sizes: dict[str, int]) -> Outcome:
    """Try every quarantined record of this server again (this program may have learnt to apply it), in one
    transaction; those that apply leave the quarantine. Returns counts and changes as :func:`apply_page` does."""
    with recording(ws.conn) as journal, atomic(ws.conn):
        writer = _PageWriter(ws, server_url, actor, blob_sizes)
        writer.write(quarantine.stored_records(ws.conn, server_url))
        counts = writer.finish()
    return Outcome(counts, journal.changes)


def quarantined_records(ws: Workspace, server_url: str) -> list[ServerRecord]:
    return quarantine.stored_records(ws.conn, server_url)


def held_versions(ws: Workspace, since: int) -> set[tuple[str, int]]:
    """``(uuid, change number)`` after ``since`` of the server versions this device holds as they are (clean
    records, as the last push or pull left them)."""
    held: set[tuple[str, int]] = set()
    for kind in RECORD_KINDS:
        held.update((r[0], int(r[1])) for r in ws.conn.execute(
            f"SELECT uuid, server_seq FROM {kind} WHERE dirty = 0 AND base_revision IS NOT NULL AND server_seq > ?",
            (since,)))
    return held


def held_records(ws: Workspace) -> list[tuple[str, str, int]]:
    """``[kind, uuid, server revision]`` of every clean record that came from (or reached) the server."""
    held = []
    for kind in RECORD_KINDS:
        for uuid, revision in ws.conn.execute(
                f"SELECT uuid, base_revision FROM {kind} WHERE dirty = 0 AND base_revision IS NOT NULL"):
            held.append((kind, uuid, int(revision)))
    return held


def held_content_hashes(ws: Workspace) -> dict[str, str]:
    """The wire content hash of every clean, live record that came from (or reached) the server, so the
    server's verify catches a copy that differs at the same revision."""
    hashes: dict[str, str] = {}
    memo: UuidMemo = {}  # each case's and finding's uuid looked up once
    for kind in RECORD_KINDS:
        for row in ws.conn.execute(f"SELECT * FROM {kind} WHERE dirty = 0 AND deleted = 0 "
                                   "AND base_revision IS NOT NULL"):
            hashes[row["uuid"]] = content_hash(to_wire(ws.conn, kind, row, memo))
    return hashes


def pending_uuids(ws: Workspace) -> list[str]:
    return [uuid for kind in RECORD_KINDS
            for (uuid,) in ws.conn.execute(f"SELECT uuid FROM {kind} WHERE dirty = 1")]
