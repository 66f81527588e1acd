"""Office review of stored conflicts: listing them, and resolving one by keeping the server's or the client's version.

A conflict holds both versions of a record (see :mod:`sync.server.records`).
A reviewer or admin whose jurisdiction covers the record resolves it:

- ``keep="client"`` makes the conflict's client version the record's next
  server revision; ``keep="server"`` keeps the server's current content but
  still makes a new revision. Either way the record gets a new
  ``server_seq``, so every device in scope pulls the decision.
- The decision settles the *record*: every other open conflict of the same
  record is closed with it (``keep="server"`` for them — their version was
  not chosen — and ``decided_in`` naming the conflict that was resolved).
  Nothing is deleted: both versions stay in every conflict row.
- Keeping the client's version is refused (409) when the record changed on
  the server after the conflict was stored: the reviewer compared it with a
  version that is no longer current.

Pulled records list the conflicts settled for them (``resolves``: id and the
refused version's content hash), so a device still holding exactly a
refused version drops it for the server's revision; a device that pushes
such a version again is told ``rejected`` with the decision as the reason.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from inspector.errors import Message
from sync.protocol import (
    Conflict,
    KeepVersion,
    RecordResult,
    Resolution,
    ResolvedConflict,
    ResolveResult,
    ServerRecord,
    validate_content,
)
from sync.server.auth import User
from sync.server.case_workflow import case_state
from sync.server.push_context import PushContext
from sync.server.storage import conflict_resolutions, conflicts, next_seq, records, server_now

LOOKUP_SLICE = 500  # uuids per IN (...) lookup


class ReviewProblem(Exception):
    """A resolution the server refuses (HTTP 404/409 with the message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _resolution(row: Any) -> Optional[Resolution]:
    if row is None or row.decided_in is None:
        return None
    return Resolution(keep=row.keep, by=row.resolved_by, at=row.resolved_at, revision=row.revision,
                      decided_in=row.decided_in)


def _conflict(row: Any) -> Conflict:
    """A conflict row joined with its resolution columns (``None`` while open)."""
    return Conflict(id=row.id, kind=row.kind, uuid=row.uuid, base_revision=row.base_revision,
                    server_revision=row.server_revision, server_deleted=bool(row.server_deleted),
                    server_content=json.loads(row.server_content), client_deleted=bool(row.client_deleted),
                    client_content=json.loads(row.client_content), user=row.user_name,
                    received_at=row.received_at, resolution=_resolution(row))


def _joined() -> Any:
    r = conflict_resolutions.c
    return (sa.select(conflicts, r.keep, r.decided_in, r.revision, r.resolved_by, r.resolved_at)
            .select_from(conflicts.outerjoin(conflict_resolutions, r.conflict_id == conflicts.c.id)))


def list_conflicts(conn: Connection, user: User, *, office: bool, include_resolved: bool) -> list[Conflict]:
    """Conflicts in the user's jurisdiction (an inspector sees only their own), open ones unless asked."""
    query = _joined().where(user.scope_clause(conflicts)).order_by(conflicts.c.id)
    if not office:
        query = query.where(conflicts.c.user_name == user.name)
    if not include_resolved:
        query = query.where(conflict_resolutions.c.conflict_id.is_(None))
    return [_conflict(row) for row in conn.execute(query)]


def decision(conn: Connection, conflict_id: int) -> Optional[Resolution]:
    row = conn.execute(_joined().where(conflicts.c.id == conflict_id)).first()
    return _resolution(row)


def decided_reason(conflict_id: int, resolution: Resolution) -> Message:
    """Why a re-pushed version of a settled conflict is refused."""
    chosen_zh, chosen_en = ("这一版本", "this version") if resolution.keep == "client" else \
        ("服务器的版本", "the server's version")
    return Message(f"冲突 #{conflict_id} 已由 {resolution.by} 处理（保留了{chosen_zh}）；下次同步时服务器版本 "
                   f"{resolution.revision} 将取代这次修改",
                   f"conflict #{conflict_id} was resolved by {resolution.by} (kept {chosen_en}); "
                   f"the server's revision {resolution.revision} replaces this edit on the next pull")


def _client_version_problem(conn: Connection, row: Any) -> Optional[str]:
    """Why a conflict's client version may not become the record (it must fit the record schema, and a case's
    status must be its workflow state on the server), or ``None``."""
    content = json.loads(row.client_content)
    problem = validate_content(row.kind, content, deleted=False)
    if problem is not None:
        return problem.en
    if row.kind == "cases":
        state = case_state(PushContext(conn, []), row.uuid)
        if content.get("status") != state:
            return f"its status {content.get('status')!r} is not the case's workflow state ({state})"
    return None


def resolve(conn: Connection, user: User, conflict_id: int, keep: KeepVersion) -> ResolveResult:
    """Resolve a conflict in the user's jurisdiction (office roles; the caller checks the role)."""
    row = conn.execute(sa.select(conflicts).where(conflicts.c.id == conflict_id,
                                                  user.scope_clause(conflicts))).first()
    record = None if row is None else conn.execute(  # locked before the counter, like a push
        sa.select(records).where(records.c.uuid == row.uuid).with_for_update()).first()
    if row is None or record is None:
        raise ReviewProblem(404, "no such conflict")
    if decision(conn, conflict_id) is not None:
        raise ReviewProblem(409, "conflict already resolved")
    if keep == "client" and record.revision != row.server_revision:
        raise ReviewProblem(409, f"the record changed on the server after this conflict (revision "
                                 f"{row.server_revision} → {record.revision}); only the server version can be kept")
    if keep == "client":
        problem = _client_version_problem(conn, row)
        if problem:
            raise ReviewProblem(409, f"the client version cannot be kept: {problem}")
    seq, now, revision = next_seq(conn), server_now(), record.revision + 1
    values: dict[str, Any] = {"revision": revision, "server_seq": seq, "updated_by": user.name, "received_at": now}
    if keep == "client":
        content = json.loads(row.client_content)
        values.update(content=row.client_content, content_hash=row.client_content_hash,
                      deleted=bool(row.client_deleted),
                      blob_sha256=content.get("sha256") if row.kind == "evidence" else None)
    conn.execute(records.update().where(records.c.uuid == row.uuid).values(**values))
    still_open = [r[0] for r in conn.execute(
        sa.select(conflicts.c.id).select_from(conflicts.outerjoin(
            conflict_resolutions, conflict_resolutions.c.conflict_id == conflicts.c.id))
        .where(conflicts.c.uuid == row.uuid, conflict_resolutions.c.conflict_id.is_(None)))]
    conn.execute(conflict_resolutions.insert(), [
        {"conflict_id": cid, "uuid": row.uuid, "keep": keep if cid == conflict_id else "server",
         "decided_in": conflict_id, "revision": revision, "server_seq": seq, "resolved_by": user.name,
         "resolved_at": now} for cid in still_open])
    resolved = conn.execute(_joined().where(conflicts.c.id == conflict_id)).first()
    return ResolveResult(conflict=_conflict(resolved),
                         record=RecordResult(uuid=row.uuid, kind=row.kind, status="applied", revision=revision,
                                             server_seq=seq),
                         also_closed=sorted(cid for cid in still_open if cid != conflict_id),
                         server_time=server_now())


def attach_resolutions(conn: Connection, pulled: list[ServerRecord]) -> None:
    """Fill ``resolves`` of pulled records with every settled conflict of theirs."""
    by_uuid = {record.uuid: record for record in pulled}
    ordered = sorted(by_uuid)
    for start in range(0, len(ordered), LOOKUP_SLICE):
        part = ordered[start:start + LOOKUP_SLICE]
        rows = conn.execute(
            sa.select(conflicts.c.id, conflicts.c.uuid, conflicts.c.client_content_hash, conflicts.c.client_deleted)
            .join(conflict_resolutions, conflict_resolutions.c.conflict_id == conflicts.c.id)
            .where(conflicts.c.uuid.in_(part)).order_by(conflicts.c.id))
        for row in rows:
            record = by_uuid[row.uuid]
            record.resolves = [*(record.resolves or []), ResolvedConflict(
                id=row.id, client_content_hash=row.client_content_hash, client_deleted=bool(row.client_deleted))]
