"""Server-side record logic: validated, atomic, idempotent pushes; conflicts; scoped pulls; tombstones; verification.

Every pushed record is first checked against the record schema
(:func:`sync.protocol.validate_content`): a record that does not fit is
**rejected** with the fields at fault, and nothing invalid is ever stored.
A valid record is **applied** when the server has never seen its UUID (and
its case is inside the pusher's jurisdiction; a new case only when it was found
in the field and lies in that jurisdiction by the server's own reading of its
position, :mod:`sync.server.field_cases`; a patrol when its own track places
it there, :mod:`sync.server.patrol_scope`), when its content is what the
server already holds (a harmless repeat), or when its ``base_revision`` is the
server's current revision. Otherwise it is a **conflict**: the server keeps
its own version, stores the client's next to it in ``conflicts`` for office
review and says so — nothing is overwritten and nothing is dropped.
Office review resolves conflicts (:mod:`sync.server.conflict_review`); a
version pushed again after its conflict was resolved is ``rejected``.

A record is also **rejected** (with a reason) when it would widen the
pusher's scope — a case or child record outside their jurisdiction,
jurisdiction fields that differ from what the server assigned, a record
moved to another case, evidence naming a blob the pusher may not reference
(:mod:`sync.server.blob_access`) — or when the workflow refuses it (:mod:`sync.server.case_workflow`:
a transition the rule table does not allow from the case's state on the
server, a case status changed without one).

Every reason is a :class:`~inspector.errors.Message`: the answer carries it in
Chinese and English (:meth:`RecordResult.reason_fields`).

The revision check and the write are one atomic step in the database
(:mod:`sync.server.push_context`): for any number of concurrent pushes of
one record from one base, exactly one is applied and every other becomes a
stored conflict, with any number of server processes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from inspector.casework.form_evidence import FORM_PHOTO_KINDS, choice_uuid
from inspector.errors import Message
from sync.protocol import (
    PushBatch,
    PushResult,
    RecordChange,
    RecordResult,
    ServerRecord,
    VerifyRequest,
    VerifyResult,
    blob_of,
    canonical_json,
    content_hash,
    is_uuid,
    validate_content,
    with_added_fields,
)
from sync.server import blob_access, case_workflow, conflict_review, field_cases, patrol_scope
from sync.server.auth import User
from sync.server.blob_store import BlobStore
from sync.server.push_context import PushContext, StaleRead, record_row
from sync.server.storage import Storage, conflicts, counters, next_seq, push_ops, records, server_now

CASE_EDITABLE_FIELDS = frozenset({"status", "revision", "updated_at"})  # what a device may change on a case
JURISDICTION_FIELDS = ("city_adcode", "county_adcode")
OUTSIDE = Message("在你的辖区内没有找到该案件", "case not found in your jurisdiction")
DELETED_ON_SERVER = Message("已在服务器上删除", "deleted on the server")
EDITED_ON_SERVER = Message("自你所依据的版本之后已在服务器上修改", "edited on the server since your base revision")
# References a pushed record may carry besides its case and finding, and the kinds of record they may name
NAMED_RECORD_KINDS = {"signs_uuid": ("transitions", "findings", "countersigns"), "document_uuid": ("evidence",)}
MAX_PUSH_ATTEMPTS = 5  # runs of one push that lost a race (a new record's primary key, a deadlock) before giving up
RETRYABLE_SQLSTATES = ("40001", "40P01")  # PostgreSQL: serialization failure, deadlock detected


class OperationReused(Exception):
    """An operation id was sent again with different records, or by another user."""


def server_record(row: Any) -> ServerRecord:
    return ServerRecord(kind=row.kind, uuid=row.uuid, revision=row.revision, server_seq=row.server_seq,
                        deleted=bool(row.deleted), content=json.loads(row.content),
                        city_adcode=row.city_adcode, county_adcode=row.county_adcode)


def schema_problem(change: RecordChange) -> Optional[Message]:
    """Why a pushed record does not fit the record schema, or ``None``. A device sends a tombstone with the
    record's whole content (only the server's own purge leaves a bare one), so tombstones are checked whole."""
    if not is_uuid(change.uuid):
        return Message("uuid：不是小写的 UUID", "uuid: not a lower-case UUID")
    if change.kind != "cases" and any(field in change.content for field in JURISDICTION_FIELDS):
        return Message("辖区字段由服务器指定", "jurisdiction fields are assigned by the server")
    return validate_content(change.kind, change.content, deleted=False)


def _scope_problem(ctx: PushContext, user: User, change: RecordChange,
                   existing: Any) -> tuple[Optional[Message], Optional[str], Optional[str]]:
    """(reason to reject or None, city adcode, county adcode) for a pushed record."""
    content = change.content
    if existing is not None and existing.kind != change.kind:
        return Message("该 uuid 属于另一种记录", "this uuid belongs to another kind of record"), None, None
    if change.kind == "patrols":
        return patrol_scope.patrol_problem(ctx, user, change, existing, ctx.tracks)
    if change.kind == "cases":
        if existing is None:
            return field_cases.new_case_problem(user, content)
        if change.deleted:
            return (Message("案件由办公室删除，不能由设备上传删除", "cases are deleted by the office, not pushed"),
                    None, None)
        if not user.covers(existing.city_adcode, existing.county_adcode):
            return OUTSIDE, None, None
        stored = json.loads(existing.content)
        for field in JURISDICTION_FIELDS:
            if content.get(field) != stored.get(field):
                return (Message(f"辖区字段 {field} 由服务器指定",
                                f"jurisdiction field {field} is assigned by the server"), None, None)
        changed = {k for k in set(content) | set(stored) if content.get(k) != stored.get(k)}
        if changed - CASE_EDITABLE_FIELDS:
            fields = ", ".join(sorted(changed))
            return Message(f"台账字段由办公室发布：{fields}", f"ledger fields are published by the office: {fields}"), \
                None, None
        return None, existing.city_adcode, existing.county_adcode
    case = ctx.row(content.get("case_uuid"))
    if case is None or case.kind != "cases" or not user.covers(case.city_adcode, case.county_adcode):
        return OUTSIDE, None, None
    if existing is not None:
        if not user.covers(existing.city_adcode, existing.county_adcode):
            return OUTSIDE, None, None
        if existing.case_uuid != case.uuid:
            return Message("记录不能移到另一个案件", "a record cannot move to another case"), None, None
    if content.get("finding_uuid"):
        finding = ctx.row(content["finding_uuid"])
        if finding is None or finding.kind != "findings" or finding.case_uuid != case.uuid:
            return Message("finding_uuid 不是该案件的核查记录", "finding_uuid does not name a finding of this case"), \
                None, None
    problem = _named_record_problem(ctx, content, case.uuid) or _form_evidence_problem(ctx, change, case.uuid)
    if problem:
        return problem, None, None
    if change.kind == "evidence":
        problem = blob_access.may_reference(ctx.conn, user, content.get("sha256"), case.city_adcode,
                                            case.county_adcode, ctx.uploads)
        if problem:
            return problem, None, None
    return None, case.city_adcode, case.county_adcode


def _named_record_problem(ctx: PushContext, content: dict[str, Any], case_uuid: str) -> Optional[Message]:
    """Why a record's reference to a signed record or a scanned document is refused: a record the server
    holds must be of the right kind and of the same case. One not held yet passes — a signature is pushed
    before the transition it signs — and never names a record of another case: forms look signatures up
    within their case."""
    for key, kinds in NAMED_RECORD_KINDS.items():
        value = content.get(key)
        if not value:
            continue
        named = ctx.row(value)
        if named is None:
            continue
        if named.kind not in kinds or named.case_uuid != case_uuid or (
                key == "document_uuid" and json.loads(named.content).get("kind") != "document"):
            return Message(f"{key} 不是该案件的{'、'.join(kinds)}记录", f"{key} does not name a "
                           f"{'/'.join(kinds)} record of this case")
    return None


def _form_evidence_problem(ctx: PushContext, change: RecordChange, case_uuid: str) -> Optional[Message]:
    """Why a form's photo choice is refused: its UUID is not the one derived from its case and form (a second
    choice for the same form), or it names a record the server holds that is not a photo of this case."""
    if change.kind != "form_evidence":
        return None
    content = change.content
    if change.uuid != choice_uuid(case_uuid, str(content.get("form"))):
        return Message("表单照片选择的 uuid 须由案件和表单导出", "a form's photo choice has the uuid derived from its "
                       "case and form")
    named = [*json.loads(content.get("photos") or "[]"),
             *(uuid for pair in json.loads(content.get("pairs") or "[]") for uuid in pair)]
    for uuid in named:
        row = ctx.row(uuid)
        if row is not None and (row.kind != "evidence" or row.case_uuid != case_uuid
                                or json.loads(row.content).get("kind") not in FORM_PHOTO_KINDS):
            return Message(f"{uuid} 不是该案件的照片", f"{uuid} is not a photo of this case")
    return None


def _store_conflict(conn: Connection, user: User, prepared: Prepared, existing: Any, operation_id: str,
                    now: str) -> int:
    change, chash = prepared.change, prepared.content_hash
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
        client_deleted=change.deleted, client_content=prepared.content_json,
        client_content_hash=chash, user_name=user.name, operation_id=operation_id, received_at=now))
    return int(result.inserted_primary_key[0])  # type: ignore[index]  # a one-row INSERT has its key


@dataclass(frozen=True)
class Prepared:
    """What a valid pushed record is, worked out before the push's transaction takes the write lock."""
    change: RecordChange  # with the fields later schema versions added
    content_hash: str
    content_json: str  # the content as stored


def canonical_contents(batch: PushBatch) -> list[Optional[str]]:
    """Each pushed record's content as canonical JSON, made once for the batch's hash and the content hashes;
    ``None`` for content with a NaN or infinite number (whose JSON text the model's dump and ``json`` write
    differently: such a record takes the long way, see :func:`request_hash`)."""
    texts: list[Optional[str]] = []
    for change in batch.records:
        try:
            texts.append(canonical_json(change.content, allow_nan=False))
        except (ValueError, TypeError):  # TypeError: a value JSON has no text for (only from a caller in-process)
            texts.append(None)
    return texts


def request_hash(batch: PushBatch, contents: list[Optional[str]]) -> str:
    """SHA-256 of ``canonical_json(batch.model_dump(mode="json"))`` — also over text that is not valid Unicode
    (refused later, but still part of the request) — put together from the records' canonical contents, which
    the push makes anyway (:func:`canonical_contents`)."""
    if any(text is None for text in contents):
        whole = canonical_json(batch.model_dump(mode="json"))
    else:
        # base_revision an int or None, deleted a bool, kind one of RECORD_KINDS (plain names: no escapes)
        records = ",".join(
            f'{{"base_revision":{"null" if change.base_revision is None else int(change.base_revision)},'
            f'"content":{text},"deleted":{"true" if change.deleted else "false"},"kind":"{change.kind}",'
            f'"uuid":{canonical_json(change.uuid)}}}' for change, text in zip(batch.records, contents))
        whole = (f'{{"operation_id":{canonical_json(batch.operation_id)},"protocol":{canonical_json(batch.protocol)},'
                 f'"records":[{records}]}}')
    return hashlib.sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()


def prepare(change: RecordChange, canonical: Optional[str] = None) -> Prepared:
    """``canonical``: the content's canonical JSON when already made (:func:`canonical_contents`)."""
    content = change.content if change.deleted else with_added_fields(change.kind, change.content)
    if content is not change.content:  # fields added: a new content, and its own hash
        change, canonical = change.model_copy(update={"content": content}), None
    chash = content_hash(content) if canonical is None else hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return Prepared(change, chash, json.dumps(content, ensure_ascii=False))


def apply_change(ctx: PushContext, user: User, prepared: Prepared, operation_id: str) -> RecordResult:
    """Apply, refuse or record as conflict one valid pushed record (inside the push's transaction)."""
    change, chash = prepared.change, prepared.content_hash
    existing = ctx.row(change.uuid)
    problem, city, county = _scope_problem(ctx, user, change, existing)
    answer: dict[str, Any] = {"uuid": change.uuid, "kind": change.kind}
    if problem:
        return RecordResult(**answer, status="rejected", **RecordResult.reason_fields(problem))
    if existing is not None and existing.content_hash == chash and bool(existing.deleted) == change.deleted:
        return RecordResult(**answer, status="applied", revision=existing.revision, server_seq=existing.server_seq)
    problem = case_workflow.workflow_problem(ctx, user, change, existing)
    if problem:
        return RecordResult(**answer, status="rejected", **RecordResult.reason_fields(problem))
    if existing is not None and (existing.deleted or change.base_revision != existing.revision):
        conflict_id = _store_conflict(ctx.conn, user, prepared, existing, operation_id, ctx.now)
        decided = conflict_review.decision(ctx.conn, conflict_id)
        if decided is not None:  # this very version was already reviewed and not kept
            return RecordResult(**answer, status="rejected", revision=existing.revision, conflict_id=conflict_id,
                                **RecordResult.reason_fields(conflict_review.decided_reason(conflict_id, decided)))
        reason = DELETED_ON_SERVER if existing.deleted else EDITED_ON_SERVER
        return RecordResult(**answer, status="conflict", revision=existing.revision,
                            **RecordResult.reason_fields(reason), conflict_id=conflict_id)
    if existing is None and change.base_revision is not None:
        return RecordResult(**answer, status="rejected", **RecordResult.reason_fields(Message(
            "服务器上没有这条记录，它却带有所依据的版本号", "unknown record with a base revision")))
    seq = ctx.next_seq()
    values = {"city_adcode": city, "county_adcode": county, "deleted": change.deleted,
              "content": prepared.content_json, "content_hash": chash,
              "blob_sha256": blob_of(change.kind, change.content),
              "server_seq": seq, "updated_by": user.name, "received_at": ctx.now}
    if existing is None:
        ctx.insert({"uuid": change.uuid, "kind": change.kind, "case_uuid": change.content.get("case_uuid"),
                    "finding_uuid": change.content.get("finding_uuid"), "revision": 1, **values})
        revision = 1
    else:
        revision = existing.revision + 1
        ctx.update(change.uuid, {"revision": revision, **values}, decided_on=existing.revision)
    return RecordResult(**answer, status="applied", revision=revision, server_seq=seq)


def _push_once(conn: Connection, user: User, batch: PushBatch, batch_hash: str, invalid: dict[int, Message],
               prepared: dict[int, Prepared], tracks: dict[str, Optional[patrol_scope.TrackReading]]) -> PushResult:
    stored = conn.execute(sa.select(push_ops).where(push_ops.c.operation_id == batch.operation_id)).first()
    if stored is not None:
        if stored.user_id != user.id or stored.request_hash != batch_hash:
            raise OperationReused(batch.operation_id)
        return PushResult(**json.loads(stored.result), replayed=True, server_time=server_now())
    valid = [change for index, change in enumerate(batch.records) if index not in invalid]
    ctx = PushContext(conn, valid, tracks)
    results = [RecordResult(uuid=change.uuid, kind=change.kind, status="rejected",
                            **RecordResult.reason_fields(invalid[index]))
               if index in invalid else apply_change(ctx, user, prepared[index], batch.operation_id)
               for index, change in enumerate(batch.records)]
    ctx.finish()
    body: dict[str, Any] = {"operation_id": batch.operation_id, "results": [r.model_dump(mode="json") for r in results]}
    conn.execute(push_ops.insert().values(operation_id=batch.operation_id, user_id=user.id,
                                          request_hash=batch_hash, result=json.dumps(body),
                                          received_at=ctx.now))
    return PushResult(operation_id=batch.operation_id, results=results, server_time=server_now())  # as stored


def _lost_a_race(exc: Exception) -> bool:
    """Whether a failed push transaction lost a race that running it again settles."""
    if isinstance(exc, (StaleRead, sa.exc.IntegrityError)):
        return True
    return isinstance(exc, sa.exc.OperationalError) and getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def push(storage: Storage, blob_store: BlobStore, user: User, batch: PushBatch) -> PushResult:
    """Apply a batch once, in one transaction; a repeat of the same operation id returns the stored result.

    The schema check needs no database and runs first, and so do each valid record's content hash and stored
    text (:func:`prepare`), so the write lock is held only for the decisions; so does reading the tracks of
    pushed patrols from the blob store (:func:`sync.server.patrol_scope.read_tracks`), which may be an object
    store. A transaction that lost a race — another push inserted one of its new records, or the same operation,
    first — is run again from the start: it then finds that record (a conflict, or a repeat) or the stored
    result."""
    contents = canonical_contents(batch)
    batch_hash = request_hash(batch, contents)
    invalid = {index: reason for index, change in enumerate(batch.records)
               if (reason := schema_problem(change)) is not None}
    tracks = patrol_scope.read_tracks(blob_store, [change for index, change in enumerate(batch.records)
                                                   if index not in invalid])
    prepared = {index: prepare(change, contents[index]) for index, change in enumerate(batch.records)
                if index not in invalid}
    attempt = 1
    while True:
        try:
            with storage.write() as conn:
                return _push_once(conn, user, batch, batch_hash, invalid, prepared, tracks)
        except (StaleRead, sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
            if not _lost_a_race(exc) or attempt == MAX_PUSH_ATTEMPTS:
                raise
        attempt += 1


def pull(conn: Connection, user: User, since: int, limit: int,
         skip: Sequence[tuple[int, int]] = ()) -> tuple[list[ServerRecord], list[ServerRecord], int, bool]:
    """(changes after ``since`` in scope, parents they need that come later, next cursor, has_more).

    ``skip``: ranges of change numbers whose versions the device holds already (its own just pushed, which
    it acknowledged): left out of the page. The cursor still moves past them — on the last page up to the
    highest skipped number drawn when the pull began: every change numbered up to it was committed by then
    (numbers are drawn in commit order), so the page holds every change up to it that was not skipped."""
    drawn = int(conn.execute(sa.select(counters.c.value).where(counters.c.name == "seq")).scalar_one())
    query = sa.select(records).where(records.c.server_seq > since, user.scope_clause(records),
                                     *(~records.c.server_seq.between(low, high) for low, high in skip if high > since))
    rows = conn.execute(query.order_by(records.c.server_seq).limit(limit + 1)).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [server_record(r) for r in rows]
    next_cursor = rows[-1].server_seq if rows else since
    if not has_more and skip:
        next_cursor = max(next_cursor, min(max(high for _, high in skip), drawn))
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
    row = record_row(conn, uuid, lock=True)  # the row before the counter, like a push
    if row is None or not user.covers(row.city_adcode, row.county_adcode):
        return None
    if not row.deleted:
        seq = next_seq(conn)
        conn.execute(records.update().where(records.c.uuid == uuid).values(
            deleted=True, revision=row.revision + 1, server_seq=seq, updated_by=user.name,
            received_at=server_now()))
        return RecordResult(uuid=uuid, kind=row.kind, status="applied", revision=row.revision + 1, server_seq=seq)
    return RecordResult(uuid=uuid, kind=row.kind, status="applied", revision=row.revision, server_seq=row.server_seq)


def _content_differs(row: Any, held: dict[str, str]) -> bool:
    """Whether the client's copy of a record at the server's revision differs: a live record's content hash, or
    a record the server deleted that the client still holds live (a tombstone's content does not matter)."""
    if row.deleted:
        return row.uuid in held
    return held.get(row.uuid) != row.content_hash


def _same_with_added_fields(conn: Connection, row: Any, held: dict[str, str]) -> bool:
    """Whether a live record stored before a workspace migration added fields (so without them) is what the
    client holds with those fields at their defaults (:func:`sync.record_schema.with_added_fields`). Read only
    for records whose stored hash differs, so a sound sync reads no content."""
    if row.deleted or row.uuid not in held:
        return False
    stored = conn.execute(sa.select(records.c.content).where(records.c.uuid == row.uuid)).scalar_one_or_none()
    try:
        content = json.loads(stored) if stored else None
    except ValueError:
        return False
    if not isinstance(content, dict):
        return False
    return content_hash(with_added_fields(row.kind, content)) == held[row.uuid]


def verify(conn: Connection, user: User, request: VerifyRequest) -> VerifyResult:
    """Compare what a client holds with what the server holds in the client's scope: which records, at which
    revision and — when the client sends its content hashes — with which content."""
    pending = set(request.pending)
    server = {r.uuid: r for r in conn.execute(
        sa.select(records.c.uuid, records.c.kind, records.c.revision, records.c.deleted, records.c.content_hash)
        .where(user.scope_clause(records))) if r.uuid not in pending}
    client = {uuid: (kind, revision) for kind, uuid, revision in request.records if uuid not in pending}
    wanted = sorted(set(request.blobs))
    present = blob_access.known(conn, user, wanted)  # a blob the user may not know of counts as missing
    missing = sorted(set(server) - set(client))
    unknown = sorted(set(client) - set(server))
    both = set(server) & set(client)
    mismatch = sorted(u for u in both if (server[u].kind, server[u].revision) != client[u])
    content_mismatch: list[str] = []
    if request.content_hashes is not None:
        held = request.content_hashes
        differing = [u for u in both - set(mismatch) if _content_differs(server[u], held)]
        content_mismatch = sorted(u for u in differing if not _same_with_added_fields(conn, server[u], held))
    lost_blobs = [sha for sha in wanted if sha not in present]
    return VerifyResult(ok=not (missing or unknown or mismatch or content_mismatch or lost_blobs),
                        server_count=len(server), client_count=len(client), missing_on_client=missing,
                        unknown_to_server=unknown, revision_mismatch=mismatch, content_mismatch=content_mismatch,
                        blobs_missing_on_server=lost_blobs, server_time=server_now())
