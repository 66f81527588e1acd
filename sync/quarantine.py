"""Pulled records this device cannot apply: checked, set aside with the reason, listed, retried.

A server may hold a record this device cannot write — stored by an older
server that checked less, sent by a hostile one, or of a kind a newer server
knows and this program does not. One such record must never stop a sync, so
:mod:`sync.local_store` applies every pulled record in its own savepoint and,
when it fails with one of :data:`RECORD_ERRORS`, rolls back that record only
and keeps it here (table ``sync_quarantine``, migration v5) with the server's
content verbatim and the reason (a :class:`~inspector.errors.Message`) in its Chinese and English
columns.

- :func:`check_numbers` and :func:`check_content` refuse what the workspace
  cannot hold as it is (an unknown kind, a nested or non-finite value, an
  integer beyond SQLite's range, a case position that is not a number, a
  photo hash that is not SHA-256) before anything is written; the
  database's own constraints (NOT NULL, CHECK, UNIQUE, foreign keys) and a
  parent this workspace does not hold
  (:class:`sync.record_codec.MissingParent`) are the other two errors.
  Anything else is a fault of this program and still stops the sync.
- :func:`put` keeps one entry per server and record UUID (first seen kept,
  last seen updated); :func:`release` drops it once a revision applied.
- A child whose parent is quarantined (or deleted on the server) waits for
  it (``waiting_for``); :func:`waiting_for` finds the children to retry once
  the parent applied.
- A deletion pulled for a record this device never held is skipped, not
  inserted; :func:`note_skipped_tombstone` remembers it so that the end-of-sync
  check can report the record as known at that revision.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable, NamedTuple, Optional

from inspector.errors import InspectorError, Message
from inspector.store.db import Connection, IntegrityError, Row
from inspector.store.workspace import utc_now
from sync.protocol import RECORD_KINDS, ResolvedConflict, ServerRecord
from sync.record_codec import REFERENCES, MissingParent, table_columns, wire_columns

SQLITE_INTEGER_RANGE = (-2 ** 63, 2 ** 63 - 1)  # what an SQLite INTEGER holds
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
UUID_PATTERN = re.compile(r"^[0-9A-Fa-f-]{36}$")  # a reference worth naming in a reason
POSITION_RANGES = {"lon": (-180.0, 180.0), "lat": (-90.0, 90.0)}  # a case's position, degrees
PARENT_NAMES = {"cases": ("案件", "case"), "findings": ("核查记录", "finding")}


class RecordProblem(InspectorError):
    """A pulled record holds a value this workspace cannot store as it is."""


# What a malformed or hostile server record can raise while it is applied; nothing else is caught.
RECORD_ERRORS = (IntegrityError, MissingParent, RecordProblem)


class Reason(NamedTuple):
    message: Message
    waiting_for: Optional[str] = None  # the parent UUID the record waits for


def _check_value(key: str, value: Any) -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        if not SQLITE_INTEGER_RANGE[0] <= value <= SQLITE_INTEGER_RANGE[1]:
            raise RecordProblem(f"字段 {key} 的整数超出范围", f"field {key}: integer out of range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordProblem(f"字段 {key} 不是有限数值", f"field {key}: not a finite number")
        return
    raise RecordProblem(f"字段 {key} 的值类型不对（{type(value).__name__}）",
                        f"field {key}: wrong type of value ({type(value).__name__})")


def check_numbers(record: ServerRecord) -> None:
    """Raise :class:`RecordProblem` unless the server revision and sequence number fit this workspace."""
    for key, value in (("revision", record.revision), ("server_seq", record.server_seq)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordProblem(f"{key} 不是整数", f"{key} is not an integer")
        _check_value(key, value)


def check_content(conn: Connection, record: ServerRecord) -> None:
    """Raise :class:`RecordProblem` for a record whose kind, or a value this workspace would write, it cannot
    hold (fields this program does not know are ignored when the record is applied, so they are not checked)."""
    if record.kind not in RECORD_KINDS:
        raise RecordProblem("本程序不认识的记录类型（可能需要升级程序）",
                            "a record kind this program does not know (an upgrade may be needed)")
    if not isinstance(record.content, dict):
        raise RecordProblem("记录内容不是对象", "the record's content is not an object")
    for column in wire_columns(conn, record.kind):
        key = REFERENCES[column][1] if column in REFERENCES else column
        _check_value(key, record.content.get(key))
    if record.kind == "cases":
        for key, (low, high) in POSITION_RANGES.items():
            value = record.content.get(key)
            if key in record.content and value is not None and (
                    isinstance(value, (str, bool)) or not low <= value <= high):
                raise RecordProblem(f"案件坐标 {key} 不是有效的经纬度", f"case position {key} is not a valid degree")
    if record.kind == "evidence":
        sha = record.content.get("sha256")
        if not (isinstance(sha, str) and SHA256_PATTERN.match(sha)):
            raise RecordProblem("照片的 SHA-256 无效", "the photo's SHA-256 is not valid")
    if record.kind == "patrols":
        sha = record.content.get("track_sha256")
        if sha is not None and not (isinstance(sha, str) and SHA256_PATTERN.match(sha)):
            raise RecordProblem("巡查轨迹的 SHA-256 无效", "the patrol track's SHA-256 is not valid")


def _named(ref: Any) -> str:
    """A reference as it may appear in a reason: a UUID, or a note that it is not one."""
    return ref if isinstance(ref, str) and UUID_PATTERN.match(ref) else "(?)"


def reason(conn: Connection, server_url: str, record: ServerRecord, error: BaseException) -> Reason:
    """Why ``record`` could not be applied, for a person: Chinese, English and the parent it waits for."""
    if isinstance(error, RecordProblem):
        return Reason(error.message)
    if isinstance(error, MissingParent):
        for column, (table, key) in REFERENCES.items():
            ref = record.content.get(key)
            if column not in table_columns(conn, record.kind):
                continue
            if ref is None or (isinstance(ref, str) and conn.execute(
                    f"SELECT 1 FROM {table} WHERE uuid = ?", (ref,)).fetchone() is not None):
                continue
            zh_name, en_name = PARENT_NAMES[table]
            waiting = ref if isinstance(ref, str) else None
            if waiting and is_quarantined(conn, server_url, waiting):
                return Reason(Message(f"所属{zh_name} {_named(ref)} 也已隔离",
                                      f"its {en_name} {_named(ref)} is quarantined too"), waiting)
            if waiting and conn.execute("SELECT 1 FROM sync_skipped_tombstones WHERE server_url = ? AND "
                                        "record_uuid = ?", (server_url, waiting)).fetchone():
                return Reason(Message(f"所属{zh_name} {_named(ref)} 已在服务器上删除",
                                      f"its {en_name} {_named(ref)} was deleted on the server"), waiting)
            return Reason(Message(f"本机没有所属{zh_name} {_named(ref)}",
                                  f"its {en_name} {_named(ref)} is not held here"), waiting)
        return Reason(Message("所属记录不在本机", "a record it refers to is not held here"))
    return Reason(Message("本机数据库拒绝了这条记录", "the workspace database refused this record").detailed(error))


def put(conn: Connection, server_url: str, record: ServerRecord, why: Reason) -> bool:
    """Keep ``record`` aside (or refresh its entry); True when it was not quarantined before."""
    new = not is_quarantined(conn, server_url, record.uuid)
    now = utc_now()
    resolves = json.dumps([r.model_dump() for r in record.resolves]) if record.resolves else None
    conn.execute(
        "INSERT INTO sync_quarantine (server_url, record_uuid, kind, server_revision, server_seq, deleted, content, "
        "resolves, reason_zh, reason_en, waiting_for, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (server_url, record_uuid) DO UPDATE SET "
        "kind = excluded.kind, server_revision = excluded.server_revision, server_seq = excluded.server_seq, "
        "deleted = excluded.deleted, content = excluded.content, resolves = excluded.resolves, "
        "reason_zh = excluded.reason_zh, reason_en = excluded.reason_en, waiting_for = excluded.waiting_for, "
        "last_seen = excluded.last_seen",
        (server_url, record.uuid, str(record.kind), _storable(record.revision), _storable(record.server_seq),
         int(bool(record.deleted)), json.dumps(record.content, ensure_ascii=False), resolves, why.message.zh,
         why.message.en, why.waiting_for, now, now))
    return new


def _storable(number: Any) -> Any:
    """A revision or sequence number as a column value (text when SQLite's INTEGER cannot hold it)."""
    fits = isinstance(number, int) and SQLITE_INTEGER_RANGE[0] <= number <= SQLITE_INTEGER_RANGE[1]
    return number if fits else str(number)


def is_quarantined(conn: Connection, server_url: str, uuid: str) -> bool:
    return conn.execute("SELECT 1 FROM sync_quarantine WHERE server_url = ? AND record_uuid = ?",
                        (server_url, uuid)).fetchone() is not None


def release(conn: Connection, server_url: str, uuid: str) -> bool:
    """Drop a record's entry (a revision of it applied, or it was deleted); True when there was one."""
    return conn.execute("DELETE FROM sync_quarantine WHERE server_url = ? AND record_uuid = ?",
                        (server_url, uuid)).rowcount > 0


def quarantined_uuids(conn: Connection, server_url: str) -> list[str]:
    return [uuid for (uuid,) in conn.execute(
        "SELECT record_uuid FROM sync_quarantine WHERE server_url = ? ORDER BY record_uuid", (server_url,))]


def _stored_record(row: Row) -> ServerRecord:
    resolves = [ResolvedConflict(**r) for r in json.loads(row["resolves"])] if row["resolves"] else None
    # Built without validation: a kind this program does not know must come back as it was kept.
    return ServerRecord.model_construct(kind=row["kind"], uuid=row["record_uuid"], revision=row["server_revision"],
                                        server_seq=row["server_seq"], deleted=bool(row["deleted"]),
                                        content=json.loads(row["content"]), resolves=resolves)


def stored_records(conn: Connection, server_url: str) -> list[ServerRecord]:
    """Every quarantined record of this server, as it was pulled."""
    rows = conn.execute("SELECT * FROM sync_quarantine WHERE server_url = ? ORDER BY server_seq", (server_url,))
    return [_stored_record(row) for row in rows]


def waiting_for(conn: Connection, server_url: str, parents: Iterable[str]) -> list[ServerRecord]:
    """Quarantined records that wait for one of ``parents``."""
    wanted = sorted(set(parents))
    found: list[ServerRecord] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        rows = conn.execute(f"SELECT * FROM sync_quarantine WHERE server_url = ? AND waiting_for IN "
                            f"({','.join('?' * len(part))}) ORDER BY server_seq", (server_url, *part))
        found += [_stored_record(row) for row in rows]
    return found


def _case_no(conn: Connection, kind: str, content: dict[str, Any]) -> Optional[str]:
    value = content.get("case_no") if kind == "cases" else None
    if kind != "cases" and isinstance(content.get("case_uuid"), str):
        row = conn.execute("SELECT case_no FROM cases WHERE uuid = ?", (content["case_uuid"],)).fetchone()
        value = row[0] if row else None
    return value if isinstance(value, str) else None


def entries(conn: Connection, server_url: str) -> list[dict[str, Any]]:
    """The quarantine of this server for reports: uuid, kind, server_revision, reason (in the message
    language; reason_zh and reason_en beside it), first_seen, last_seen, case_no (when this workspace knows
    the case) and the content."""
    listing = []
    for row in conn.execute("SELECT * FROM sync_quarantine WHERE server_url = ? ORDER BY first_seen, server_seq",
                            (server_url,)):
        content = json.loads(row["content"], parse_constant=str)  # NaN, Infinity: kept as their names
        listing.append({"uuid": row["record_uuid"], "kind": row["kind"], "server_revision": row["server_revision"],
                        **Message(row["reason_zh"], row["reason_en"]).fields(), "first_seen": row["first_seen"],
                        "last_seen": row["last_seen"], "case_no": _case_no(conn, row["kind"], content),
                        "content": content})
    return listing


def note_skipped_tombstone(conn: Connection, server_url: str, record: ServerRecord) -> None:
    conn.execute("INSERT INTO sync_skipped_tombstones (server_url, record_uuid, kind, server_revision, skipped_at) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (server_url, record_uuid) DO UPDATE SET "
                 "kind = excluded.kind, server_revision = excluded.server_revision, skipped_at = excluded.skipped_at",
                 (server_url, record.uuid, record.kind, record.revision, utc_now()))


def forget_skipped_tombstone(conn: Connection, server_url: str, uuid: str) -> None:
    conn.execute("DELETE FROM sync_skipped_tombstones WHERE server_url = ? AND record_uuid = ?", (server_url, uuid))


def skipped_tombstones(conn: Connection, server_url: str) -> list[tuple[str, str, int]]:
    """``[kind, uuid, server revision]`` of the deletions skipped for records never held here."""
    return [(kind, uuid, int(revision)) for kind, uuid, revision in conn.execute(
        "SELECT kind, record_uuid, server_revision FROM sync_skipped_tombstones WHERE server_url = ?",
        (server_url,))]
