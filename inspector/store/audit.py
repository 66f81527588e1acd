"""The append-only, hash-chained audit log, and its verification.

Every mutation of a finding, evidence item, rectification, checklist or
workflow transition appends one entry (inside the same transaction as the
change) with:

- ``content_hash``: SHA-256 of the record's canonical JSON (:func:`record_content`:
  every column except the local row id and the sync bookkeeping that a sync
  may change without an edit);
- ``evidence_hashes``: SHA-256 of the media files the change concerns;
- ``prev_hash`` / ``entry_hash``: ``entry_hash = sha256(prev_hash + canonical
  JSON of the entry)``, so editing, inserting or removing an entry breaks
  the chain from there on.

``audit_log`` refuses UPDATE and DELETE through triggers (migration v3).
:func:`verify` recomputes the chain from the stored rows, re-hashes every
referenced media file and compares each audited record's current content
with its latest audit entry, so an edit made behind the program's back
(with the sqlite3 shell, or after dropping the triggers) is reported. A
symbolic link anywhere under ``media/`` (or ``media/`` itself being one) is a
media problem with its path, even when it points at identical content: the
store must hold the evidence itself, inside the workspace.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from inspector.store.db import Connection, Row
from inspector.store.workspace import Workspace, utc_now

GENESIS_HASH = "0" * 64
AUDITED_TABLES = ("findings", "evidence", "rectifications", "closure_checklists", "countersigns", "publicity",
                  "transitions", "form_evidence", "patrols")
# Columns a sync may change without a user edit: not part of a record's audited content.
UNAUDITED_COLUMNS = frozenset({"id", "server_seq", "dirty", "base_revision"})
# Columns later migrations added to audited tables, with the value they hold until a record uses them (v9: a
# document's type; v10: corrections; v12: GNSS quality; v13: the patrol a finding was made on): while a column
# holds it, it is left out of the record's audited content, so a record audited before the column existed still
# matches its entry; any other value (a void, a correction) is part of the content like every column. Per table:
# ``findings.accuracy_m`` is as old as the table, ``evidence.accuracy_m`` came with v12.
_CORRECTION_DEFAULTS: dict[str, Any] = {"recorded_by": None, "voided_at": None, "voided_by": None,
                                        "void_reason": None, "corrections": "[]"}
_GNSS_DEFAULTS: dict[str, Any] = dict.fromkeys(("fix_type", "satellites", "hdop"))
LATER_COLUMN_DEFAULTS: dict[str, dict[str, Any]] = {
    "findings": {**_CORRECTION_DEFAULTS, **_GNSS_DEFAULTS, "patrol_uuid": None},
    "evidence": {**_CORRECTION_DEFAULTS, **_GNSS_DEFAULTS, "caption": None, "document_type": None,
                 "accuracy_m": None},
    "rectifications": _CORRECTION_DEFAULTS,
}
_ENTRY_FIELDS = ("seq", "at_utc", "actor", "action", "table_name", "record_uuid", "content_hash",
                 "evidence_hashes", "prev_hash")


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_content(conn: Connection, table: str, uuid: str) -> dict[str, Any] | None:
    """The audited content of one record (``None`` if no row has that UUID)."""
    if table not in AUDITED_TABLES:
        raise ValueError(f"not an audited table: {table}")
    row = conn.execute(f"SELECT * FROM {table} WHERE uuid = ?", (uuid,)).fetchone()
    if row is None:
        return None
    later = LATER_COLUMN_DEFAULTS.get(table, {})
    return {key: row[key] for key in row.keys() if key not in UNAUDITED_COLUMNS
            and not (key in later and row[key] == later[key])}


def _entry_hash(entry: dict[str, Any]) -> str:
    body = {field: entry[field] for field in _ENTRY_FIELDS if field != "prev_hash"}
    return sha256_text(entry["prev_hash"] + canonical_json(body))


def append(conn: Connection, actor: str, action: str, table: str, uuid: str,
           content: dict[str, Any] | None = None, evidence_hashes: Iterable[str] = ()) -> dict[str, Any]:
    """Append one entry; ``content`` defaults to the record's current row. Returns the entry.

    Call inside the transaction that made the change (``db.atomic``), so the
    change and its entry commit together.
    """
    if content is None:
        content = record_content(conn, table, uuid)
        if content is None:
            raise ValueError(f"no {table} record {uuid} to audit")
    last = conn.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    entry = {
        "seq": (last[0] + 1) if last else 1,
        "at_utc": utc_now(),
        "actor": actor,
        "action": action,
        "table_name": table,
        "record_uuid": uuid,
        "content_hash": sha256_text(canonical_json(content)),
        "evidence_hashes": canonical_json(sorted(set(evidence_hashes))),
        "prev_hash": last[1] if last else GENESIS_HASH,
    }
    entry["entry_hash"] = _entry_hash(entry)
    conn.execute(
        f"INSERT INTO audit_log ({', '.join(_ENTRY_FIELDS)}, entry_hash) "
        f"VALUES ({', '.join('?' * (len(_ENTRY_FIELDS) + 1))})",
        [entry[f] for f in _ENTRY_FIELDS] + [entry["entry_hash"]],
    )
    return entry


def _check_chain(rows: list[Row]) -> dict[str, Any] | None:
    """The first broken entry as ``{"seq", "reason"}``, or ``None``."""
    previous_hash, expected_seq = GENESIS_HASH, 1
    for row in rows:
        entry = {field: row[field] for field in _ENTRY_FIELDS}
        if row["seq"] != expected_seq:
            return {"seq": row["seq"], "reason": f"entry {expected_seq} is missing (sequence gap)"}
        if entry["prev_hash"] != previous_hash:
            return {"seq": row["seq"], "reason": "prev_hash does not match the previous entry"}
        if _entry_hash(entry) != row["entry_hash"]:
            return {"seq": row["seq"], "reason": "entry_hash does not match the entry's content"}
        previous_hash, expected_seq = row["entry_hash"], expected_seq + 1
    return None


def _record_problems(conn: Connection, rows: list[Row]) -> list[dict[str, Any]]:
    latest: dict[tuple[str, str], Row] = {}
    for row in rows:
        latest[(row["table_name"], row["record_uuid"])] = row
    problems: list[dict[str, Any]] = []
    for (table, uuid), row in latest.items():
        if table not in AUDITED_TABLES:
            continue
        content = record_content(conn, table, uuid)
        if content is None:
            problems.append({"table": table, "uuid": uuid, "seq": row["seq"], "reason": "record removed"})
        elif sha256_text(canonical_json(content)) != row["content_hash"]:
            problems.append({"table": table, "uuid": uuid, "seq": row["seq"],
                             "reason": "record changed since its last audit entry"})
    for table in AUDITED_TABLES:
        for (uuid,) in conn.execute(f"SELECT uuid FROM {table}"):
            if (table, uuid) not in latest:
                problems.append({"table": table, "uuid": uuid, "seq": None, "reason": "record never audited"})
    return problems


def _media_problems(ws: Workspace, rows: list[Row]) -> list[dict[str, Any]]:
    from inspector.store.media_store import blob_path, media_links, verify_blob

    hashes: set[str] = {r[0] for r in ws.conn.execute("SELECT sha256 FROM media_blobs")}
    for row in rows:
        try:
            hashes.update(json.loads(row["evidence_hashes"]))
        except ValueError:
            continue  # a mangled entry is already reported by the chain check
    problems: list[dict[str, Any]] = []
    for sha in sorted(hashes):
        problem = verify_blob(ws, sha)
        if problem is not None:
            problems.append({"sha256": sha, "path": str(blob_path(ws.media_dir, sha)), "reason": problem})
    reported = {problem["path"] for problem in problems}
    for link in media_links(ws.media_dir):
        if str(link) not in reported:
            problems.append({"sha256": None, "path": str(link), "reason": "symbolic link, not followed"})
    return problems


def verify(ws: Workspace) -> dict[str, Any]:
    """Check the chain, every audited record and every referenced media file."""
    rows = ws.conn.execute(
        f"SELECT {', '.join(_ENTRY_FIELDS)}, entry_hash FROM audit_log ORDER BY seq").fetchall()
    first_broken = _check_chain(rows)
    record_problems = _record_problems(ws.conn, rows)
    media_problems = _media_problems(ws, rows)
    return {
        "ok": first_broken is None and not record_problems and not media_problems,
        "entries": len(rows),
        "first_broken": first_broken,
        "record_problems": record_problems,
        "media_problems": media_problems,
    }
