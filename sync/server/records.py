"""Server-side record logic: idempotent pushes, conflicts, scoped pulls, tombstones, verification.

A pushed record is **applied** when the server has never seen its UUID (and
its case is inside the pusher's jurisdiction), when its content is what the
server already holds (a harmless repeat), or when its ``base_revision`` is the
server's current revision. Otherwise it is a **conflict**: the server keeps
its own version, stores the client's next to it in ``conflicts`` for office
review and says so — nothing is overwritten and nothing is dropped.
Office review resolves conflicts (:mod:`sync.server.conflict_review`); a
version pushed again after its conflict was resolved is ``rejected``.

A record is **rejected** (with a reason) when it would widen the pusher's
scope: a case or child record outside their jurisdiction, jurisdiction
fields that differ from what the server assigned, a record moved to another
case, a transition the workflow does not allow for the pusher's role, or
evidence whose blob has not been uploaded and verified yet.
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.protocol import (PushBatch, PushResult, RecordChange, RecordResult, ServerRecord, VerifyRequest,
                           VerifyResult, content_hash)
from sync.server import blob_access, conflict_review
from sync.server.auth import User
from sync.server.storage import blobs, conflicts, counters, next_seq, push_ops, records, server_now

CASE_EDITABLE_FIELDS = frozenset({"status", "revision", "updated_at"})  # what a device may change on a case
JURISDICTION_FIELDS = ("city_adcode", "county_adcode")
OUTSIDE = "case not found in your jurisdiction"


class OperationReused(Exception):
    """An operation id was sent again with different records, or by another user."""


def server_record(row: Any) -> ServerRecord:
    return ServerRecord(kind=row.kind, uuid=row.uuid, revision=row.revision, server_seq=row.server_seq,
                        deleted=bool(row.deleted), content=json.loads(row.content),
                        city_adcode=row.city_adcode, county_adcode=row.county_adcode)


def _record_row(conn: Connection, uuid: Optional[str]) -> Any:
    if not uuid:
        return None
    return conn.execute(sa.select(records).where(records.c.uuid == uuid)).first()


LOOKUP_SLICE = 500  # uuids per IN (...) lookup


class _PushContext:
    """Per-batch state inside the push's single transaction: the records and blobs the batch refers to
    (read with a few ``IN`` queries instead of several queries per record), change numbers drawn from
    the counter once, and new rows inserted together at the end.

    The cache is kept current with every row the batch writes, so a record later in the batch sees
    the records earlier in it, exactly as with one query per record."""

    def __init__(self, conn: Connection, changes: list[RecordChange]) -> None:
        self.conn = conn
        self.now = server_now()
        wanted: set[str] = set()
        shas: set[str] = set()
        for change in changes:
            wanted.add(change.uuid)
            for key in ("case_uuid", "finding_uuid"):
                value = change.content.get(key)
                if isinstance(value, str) and value:
                    wanted.add(value)
            sha = change.content.get("sha256") if change.kind == "evidence" else None
            if isinstance(sha, str) and sha:
                shas.add(sha)
        self.rows: dict[str, Any] = dict.fromkeys(wanted)  # None: not on the server
        ordered = sorted(wanted)
        for start in range(0, len(ordered), LOOKUP_SLICE):
            part = ordered[start:start + LOOKUP_SLICE]
            for row in conn.execute(sa.select(records).where(records.c.uuid.in_(part))):
                self.rows[row.uuid] = row
        self.blobs: set[str] = set()
        ordered_shas = sorted(shas)
        for start in range(0, len(ordered_shas), LOOKUP_SLICE):
            part = ordered_shas[start:start + LOOKUP_SLICE]
            self.blobs.update(r[0] for r in conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(part))))
        self.pending_inserts: dict[str, dict[str, Any]] = {}
        self._first_seq: Optional[int] = None
        self._last_seq = 0

    def row(self, uuid: Optional[str]) -> Any:
        if not uuid:
            return None
        if not isinstance(uuid, str):
            return _record_row(self.conn, uuid)
        if uuid in self.rows:
            return self.rows[uuid]
        found = _record_row(self.conn, uuid)  # not referenced up front (defensive; normally cached)
        self.rows[uuid] = found
        return found

    def has_blob(self, sha: str) -> bool:
        return sha in self.blobs

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

    def update(self, uuid: str, values: dict[str, Any]) -> None:
        if uuid in self.pending_inserts:
            self.pending_inserts[uuid].update(values)
        else:
            self.conn.execute(records.update().where(records.c.uuid == uuid).values(**values))
        merged = dict(self.rows[uuid]._asdict()) if hasattr(self.rows[uuid], "_asdict") \
            else dict(vars(self.rows[uuid]))
        merged.update(values)
        self.rows[uuid] = SimpleNamespace(**merged)

    def finish(self) -> None:
        """Write the new rows and the counter (still inside the push's transaction)."""
        if self.pending_inserts:
            self.conn.execute(records.insert(), list(self.pending_inserts.values()))
            self.pending_inserts = {}
        if self._first_seq is not None and self._last_seq != self._first_seq:
            self.conn.execute(counters.update().where(counters.c.name == "seq").values(value=self._last_seq))


def _check_transition(user: User, content: dict[str, Any]) -> Optional[str]:
    from inspector.workflow import FOLLOW_UP, RULES

    if content.get("role") != user.role:
        return f"transition role {content.get('role')!r} is not your role ({user.role})"
    for rule in RULES:
        if rule.from_state == content.get("from_state") and rule.action == content.get("action"):
            targets = {rule.to_state, "整改中"} if rule.action == FOLLOW_UP else {rule.to_state}
            if content.get("to_state") not in targets:
                return "transition target does not match the workflow"
            if user.role not in rule.roles:
                return f"the workflow does not allow role {user.role} to do {rule.action}"
            if rule.reason_required and not content.get("reason"):
                return "this transition needs a reason"
            return None
    return "transition not allowed by the workflow"


def _scope_problem(ctx: _PushContext, user: User, change: RecordChange,
                   existing: Any) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(reason to reject or None, city adcode, county adcode) for a pushed record."""
    content = change.content
    if existing is not None and existing.kind != change.kind:
        return "this uuid belongs to another kind of record", None, None
    if change.kind == "cases":
        if existing is None:
            return "cases are published by the office (publish-ledger), not pushed", None, None
        if not user.covers(existing.city_adcode, existing.county_adcode):
            return OUTSIDE, None, None
        stored = json.loads(existing.content)
        for field in JURISDICTION_FIELDS:
            if content.get(field) != stored.get(field):
                return f"jurisdiction field {field} is assigned by the server", None, None
        changed = {k for k in set(content) | set(stored) if content.get(k) != stored.get(k)}
        if changed - CASE_EDITABLE_FIELDS:
            return f"ledger fields are published by the office: {', '.join(sorted(changed))}", None, None
        return None, existing.city_adcode, existing.county_adcode
    if any(field in content for field in JURISDICTION_FIELDS):
        return "jurisdiction fields are assigned by the server", None, None
    case = ctx.row(content.get("case_uuid"))
    if case is None or case.kind != "cases" or not user.covers(case.city_adcode, case.county_adcode):
        return OUTSIDE, None, None
    if existing is not None:
        if not user.covers(existing.city_adcode, existing.county_adcode):
            return OUTSIDE, None, None
        if existing.case_uuid != case.uuid:
            return "a record cannot move to another case", None, None
    if content.get("finding_uuid"):
        finding = ctx.row(content["finding_uuid"])
        if finding is None or finding.kind != "findings" or finding.case_uuid != case.uuid:
            return "finding_uuid does not name a finding of this case", None, None
    if change.kind == "evidence":
        problem = blob_access.may_reference(ctx.conn, user, content.get("sha256"), case.city_adcode,
                                            case.county_adcode)
        if problem:
            return problem, None, None
    if change.kind == "transitions" and existing is None:
        problem = _check_transition(user, content)
        if problem:
            return problem, None, None
    return None, case.city_adcode, case.county_adcode


def _store_conflict(conn: Connection, user: User, change: RecordChange, existing: Any, chash: str,
                    operation_id: str, now: str) -> int:
    found = conn.execute(sa.select(conflicts.c.id).where(
        conflicts.c.uuid == change.uuid, conflicts.c.client_content_hash == chash,
        conflicts.c.client_deleted == change.deleted,
        (conflicts.c.base_revision == change.base_revision) if change.base_revision is not None
        else conflicts.c.base_revision.is_(None))).first()
    if found is not None:
        return int(found[0])
    result = conn.execute(conflicts.insert().values(
        kind=change.kind, uuid=change.uuid, city_adcode=existing.city_adcode, county_adcode=existing.county_adcode,
        base_revision=change.base_revision, server_revision=existing.revision,
        server_deleted=bool(existing.deleted), server_content=existing.content,
        client_deleted=change.deleted, client_content=json.dumps(change.content, ensure_ascii=False),
        client_content_hash=chash, user_name=user.name, operation_id=operation_id, received_at=now))
    return int(result.inserted_primary_key[0])


def apply_change(ctx: _PushContext, user: User, change: RecordChange, operation_id: str) -> RecordResult:
    """Apply, refuse or record as conflict one pushed record (inside the push's transaction)."""
    existing = ctx.row(change.uuid)
    problem, city, county = _scope_problem(ctx, user, change, existing)
    answer = {"uuid": change.uuid, "kind": change.kind}
    if problem:
        return RecordResult(**answer, status="rejected", reason=problem)
    chash = content_hash(change.content)
    if existing is not None and existing.content_hash == chash and bool(existing.deleted) == change.deleted:
        return RecordResult(**answer, status="applied", revision=existing.revision, server_seq=existing.server_seq)
    if existing is not None and (existing.deleted or change.base_revision != existing.revision):
        conflict_id = _store_conflict(ctx.conn, user, change, existing, chash, operation_id, ctx.now)
        decided = conflict_review.decision(ctx.conn, conflict_id)
        if decided is not None:  # this very version was already reviewed and not kept
            return RecordResult(**answer, status="rejected", revision=existing.revision, conflict_id=conflict_id,
                                reason=conflict_review.decided_reason(conflict_id, decided))
        reason = "deleted on the server" if existing.deleted else "edited on the server since your base revision"
        return RecordResult(**answer, status="conflict", revision=existing.revision, reason=reason,
                            conflict_id=conflict_id)
    if existing is None and change.base_revision is not None:
        return RecordResult(**answer, status="rejected", reason="unknown record with a base revision")
    seq = ctx.next_seq()
    values = {"city_adcode": city, "county_adcode": county, "deleted": change.deleted,
              "content": json.dumps(change.content, ensure_ascii=False), "content_hash": chash,
              "blob_sha256": change.content.get("sha256") if change.kind == "evidence" else None,
              "server_seq": seq, "updated_by": user.name, "received_at": ctx.now}
    if existing is None:
        ctx.insert({"uuid": change.uuid, "kind": change.kind, "case_uuid": change.content.get("case_uuid"),
                    "finding_uuid": change.content.get("finding_uuid"), "revision": 1, **values})
        revision = 1
    else:
        revision = existing.revision + 1
        ctx.update(change.uuid, {"revision": revision, **values})
    return RecordResult(**answer, status="applied", revision=revision, server_seq=seq)


def push(conn: Connection, user: User, batch: PushBatch) -> PushResult:
    """Apply a batch once, in the caller's single transaction; a repeat of the same operation id returns the
    stored result."""
    request_hash = content_hash(batch.model_dump(mode="json"))
    stored = conn.execute(sa.select(push_ops).where(push_ops.c.operation_id == batch.operation_id)).first()
    if stored is not None:
        if stored.user_id != user.id or stored.request_hash != request_hash:
            raise OperationReused(batch.operation_id)
        return PushResult(**json.loads(stored.result), replayed=True, server_time=server_now())
    ctx = _PushContext(conn, batch.records)
    results = [apply_change(ctx, user, change, batch.operation_id) for change in batch.records]
    ctx.finish()
    body = {"operation_id": batch.operation_id, "results": [r.model_dump(mode="json") for r in results]}
    conn.execute(push_ops.insert().values(operation_id=batch.operation_id, user_id=user.id,
                                          request_hash=request_hash, result=json.dumps(body),
                                          received_at=ctx.now))
    return PushResult(**body, server_time=server_now())


def pull(conn: Connection, user: User, since: int, limit: int) -> tuple[list[ServerRecord], list[ServerRecord], int, bool]:
    """(changes after ``since`` in scope, parents they need that come later, next cursor, has_more)."""
    rows = conn.execute(sa.select(records).where(records.c.server_seq > since, user.scope_clause(records))
                        .order_by(records.c.server_seq).limit(limit + 1)).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [server_record(r) for r in rows]
    next_cursor = rows[-1].server_seq if rows else since
    in_page = {r.uuid for r in rows}
    wanted = {u for r in rows for u in (r.case_uuid, r.finding_uuid) if u and u not in in_page}
    parents: list[ServerRecord] = []
    if wanted:
        parent_rows = conn.execute(sa.select(records).where(records.c.uuid.in_(sorted(wanted)),
                                                            records.c.server_seq > next_cursor,
                                                            user.scope_clause(records))).fetchall()
        parents = [server_record(r) for r in parent_rows]
    conflict_review.attach_resolutions(conn, [*changes, *parents])
    return changes, parents, next_cursor, has_more


def tombstone(conn: Connection, user: User, uuid: str) -> Optional[RecordResult]:
    """Delete a record on the server (office roles); ``None`` when not found in scope."""
    row = _record_row(conn, uuid)
    if row is None or not user.covers(row.city_adcode, row.county_adcode):
        return None
    if not row.deleted:
        seq = next_seq(conn)
        conn.execute(records.update().where(records.c.uuid == uuid).values(
            deleted=True, revision=row.revision + 1, server_seq=seq, updated_by=user.name,
            received_at=server_now()))
        return RecordResult(uuid=uuid, kind=row.kind, status="applied", revision=row.revision + 1, server_seq=seq)
    return RecordResult(uuid=uuid, kind=row.kind, status="applied", revision=row.revision, server_seq=row.server_seq)


def verify(conn: Connection, user: User, request: VerifyRequest) -> VerifyResult:
    """Compare what a client holds with what the server holds in the client's scope."""
    pending = set(request.pending)
    server = {r.uuid: (r.kind, r.revision) for r in conn.execute(
        sa.select(records.c.uuid, records.c.kind, records.c.revision).where(user.scope_clause(records)))
        if r.uuid not in pending}
    client = {uuid: (kind, revision) for kind, uuid, revision in request.records if uuid not in pending}
    wanted = sorted(set(request.blobs))
    present = blob_access.known(conn, user, wanted)  # a blob the user may not know of counts as missing
    missing = sorted(set(server) - set(client))
    unknown = sorted(set(client) - set(server))
    mismatch = sorted(u for u in set(server) & set(client) if server[u] != client[u])
    lost_blobs = [sha for sha in wanted if sha not in present]
    return VerifyResult(ok=not (missing or unknown or mismatch or lost_blobs), server_count=len(server),
                        client_count=len(client), missing_on_client=missing, unknown_to_server=unknown,
                        revision_mismatch=mismatch, blobs_missing_on_server=lost_blobs, server_time=server_now())
