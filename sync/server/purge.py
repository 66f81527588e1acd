"""Clearing records an older server stored although they do not fit the record schema.

A server from before the schema check could store a record every device
then fails to apply. ``inspector-server check-records`` lists the stored
records that fail the current schema (:func:`invalid_records`);
``inspector-server purge-record UUID --reason TEXT`` clears one
(:func:`purge_record`): its stored row is copied verbatim into
``purged_records`` with who, when and why — nothing is lost — and the
record becomes a tombstone whose content is only its reference to its case
(valid under the tombstone schema), with a new revision and change number,
so every device in scope pulls the deletion and drops or skips the record.
"""
from __future__ import annotations

import getpass
import json
from typing import Any, Optional

import sqlalchemy as sa

from inspector.errors import Message
from sync.protocol import content_hash, is_uuid, validate_content
from sync.server.push_context import record_row
from sync.server.storage import Storage, next_seq, purged_records, records, server_now

SCAN_BATCH = 1000  # stored records read per round trip by check-records


def stored_problem(row: Any) -> Optional[Message]:
    """Why a stored record fails the current schema, or ``None``."""
    if not is_uuid(row.uuid):
        return Message("uuid：不是小写的 UUID", "uuid: not a lower-case UUID")
    try:
        content = json.loads(row.content)
    except ValueError:
        return Message("内容不是 JSON", "content is not JSON")
    return validate_content(row.kind, content, bool(row.deleted))


def invalid_records(storage: Storage) -> list[dict[str, Any]]:
    """``[{"uuid", "kind", "reason", "reason_zh", "reason_en"}]`` of every stored record that fails the current
    schema, in change order (``reason`` in the current language)."""
    found = []
    query = sa.select(records.c.uuid, records.c.kind, records.c.deleted, records.c.content).order_by(
        records.c.server_seq)
    with storage.read() as conn:
        for row in conn.execution_options(yield_per=SCAN_BATCH).execute(query):
            reason = stored_problem(row)
            if reason is not None:
                found.append({"uuid": row.uuid, "kind": row.kind, **reason.fields()})
    return found


def tombstone_content(row: Any) -> dict[str, Any]:
    """The bare content a purged record keeps: the case it belongs to (a case keeps nothing)."""
    return {} if row.kind == "cases" else {"case_uuid": row.case_uuid}


def default_purger() -> str:
    """Who purges when ``--by`` is not given: the administrator running the server command."""
    try:
        return f"inspector-server ({getpass.getuser()})"
    except (KeyError, OSError):  # no login name in this environment
        return "inspector-server"


def purge_record(storage: Storage, uuid: str, reason: str, by: str) -> dict[str, Any]:
    """Archive a stored record verbatim and replace it by a bare tombstone; returns what was done."""
    if not reason.strip():
        raise ValueError("give the reason for the purge (--reason)")
    with storage.write() as conn:
        row = record_row(conn, uuid, lock=True)  # the row before the counter, like a push
        if row is None:
            raise ValueError(f"no record {uuid} on this server")
        content = tombstone_content(row)
        problem = validate_content(row.kind, content, True)
        if problem is not None:
            raise ValueError(f"cannot make a valid tombstone of {uuid}: {problem.en}")
        now = server_now()
        archived = conn.execute(purged_records.insert().values(
            uuid=row.uuid, kind=row.kind, city_adcode=row.city_adcode, county_adcode=row.county_adcode,
            revision=row.revision, server_seq=row.server_seq, deleted=bool(row.deleted), content=row.content,
            content_hash=row.content_hash, updated_by=row.updated_by, received_at=row.received_at,
            purged_by=by, purged_at=now, reason=reason.strip())
        ).inserted_primary_key[0]  # type: ignore[index]  # a one-row INSERT has its key
        seq, revision = next_seq(conn), row.revision + 1
        conn.execute(records.update().where(records.c.uuid == uuid).values(
            deleted=True, content=json.dumps(content), content_hash=content_hash(content), blob_sha256=None,
            revision=revision, server_seq=seq, updated_by=by, received_at=now))
    return {"uuid": uuid, "kind": row.kind, "revision": revision, "server_seq": seq, "purged": int(archived),
            "purged_by": by, "purged_at": now, "reason": reason.strip()}
