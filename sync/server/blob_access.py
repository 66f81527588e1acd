"""Who may see which blob: reads through evidence, uploads recorded per user, references from pushed evidence.

A blob's SHA-256 is no secret (every PDF form prints it), so knowing a hash
proves nothing. The server therefore records each *upload* — the bytes
verified against the hash — as ``(blob, user, the user's jurisdiction)`` in
``blob_uploads``, and decides everything from those rows and the evidence
records:

- an upload **covers** a case when it was made from the case's jurisdiction
  or above it: the province, the case's city or the case's county;
- a blob is **readable** by a user through an evidence record — or a patrol,
  whose track it is — the user may read whose blob an upload covers
  (:func:`readable`); nothing else serves it;
- a user **holds** a blob — it is not "missing" to them, their upload of it is
  complete, their evidence may name it in any case of their jurisdiction —
  when an upload covering their whole jurisdiction exists and it is their own
  or the blob is readable to them (:func:`held`); everyone else uploads it
  (verified against the hash, stored once, recorded as their upload);
- a pushed evidence record may name a blob only when an upload covers its
  case and that upload is the pusher's or the blob is readable to them
  (:func:`may_reference`) — so evidence the server accepts is readable by
  whoever may read it;
- the end-of-sync check counts a device's blob as on the server when the
  device's user uploaded it or can read it (:func:`known`).

So no answer, status code or message depends on whether a blob the caller
cannot see exists elsewhere on the server.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from inspector.casework.authority import PROVINCE_ADCODE
from inspector.errors import Message
from sync.protocol import BLOB_FIELDS
from sync.server.auth import User
from sync.server.storage import blob_uploads, insert_new, records, server_now

# the push's reason, the same whether or not the blob exists elsewhere
NOT_UPLOADED = Message("照片尚未上传", "blob not uploaded yet")
LOOKUP_SLICE = 500  # hashes per IN (...) query
BLOB_KINDS = tuple(BLOB_FIELDS)  # the records a blob is read through: evidence, a patrol (its track)


def _codes_above(user: User) -> list[str]:
    """The jurisdictions an upload may come from to cover all of ``user``'s jurisdiction."""
    codes = {PROVINCE_ADCODE, user.jurisdiction}
    if user.level == "county":
        codes.add(user.jurisdiction[:4] + "00")
    return sorted(codes)


def _covers_record(upload: Any, table: sa.Table) -> Any:
    """SQL: the upload alias ``upload`` was made from the province, the city or the county of ``table``'s row."""
    return sa.or_(upload.c.jurisdiction == PROVINCE_ADCODE, upload.c.jurisdiction == table.c.city_adcode,
                  upload.c.jurisdiction == table.c.county_adcode)


def _readable_hashes(user: User) -> Any:
    """SQL: the hashes of the blobs ``user`` may read (through covered evidence or patrols in their scope)."""
    upload = blob_uploads.alias("covering")
    return (sa.select(records.c.blob_sha256)
            .join(upload, upload.c.sha256 == records.c.blob_sha256)
            .where(records.c.kind.in_(BLOB_KINDS), user.scope_clause(records), _covers_record(upload, records)))


def _slices(sha256s: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(sha256s))
    for start in range(0, len(wanted), LOOKUP_SLICE):
        yield wanted[start:start + LOOKUP_SLICE]


def readable(conn: Connection, user: User, sha256: str) -> bool:
    """Whether ``GET /blobs/{sha256}`` may serve the blob to ``user``."""
    found = conn.execute(_readable_hashes(user).where(records.c.blob_sha256 == sha256).limit(1)).first()
    return found is not None


def held(conn: Connection, user: User, sha256s: Iterable[str]) -> set[str]:
    """The hashes ``user`` need not upload: an upload from above their whole jurisdiction that is their own
    or whose blob they can read."""
    found: set[str] = set()
    for part in _slices(sha256s):
        query = sa.select(blob_uploads.c.sha256).where(
            blob_uploads.c.sha256.in_(part), blob_uploads.c.jurisdiction.in_(_codes_above(user)),
            sa.or_(blob_uploads.c.user_id == user.id,
                   blob_uploads.c.sha256.in_(_readable_hashes(user).where(records.c.blob_sha256.in_(part)))))
        found.update(row[0] for row in conn.execute(query.distinct()))
    return found


def known(conn: Connection, user: User, sha256s: Iterable[str]) -> set[str]:
    """The hashes the server holds as far as ``user`` may know: uploaded by them, or readable to them."""
    found: set[str] = set()
    for part in _slices(sha256s):
        own = sa.select(blob_uploads.c.sha256).where(blob_uploads.c.sha256.in_(part),
                                                     blob_uploads.c.user_id == user.id)
        seen = _readable_hashes(user).where(records.c.blob_sha256.in_(part))
        found.update(row[0] for row in conn.execute(sa.union(own, seen)))
    return found


def may_reference(conn: Connection, user: User, sha256: Any, city_adcode: Optional[str],
                  county_adcode: Optional[str], uploads: Callable[[str], list[tuple[int, str]]]) -> Optional[Message]:
    """``None`` when a pushed evidence record of ``user`` in a case of this city/county may name the blob,
    else the reason to reject it (:data:`NOT_UPLOADED`, whether or not the blob exists elsewhere);
    ``uploads``: the recorded ``(user id, jurisdiction)`` of each upload of a blob (the push reads them
    for its whole batch at once)."""
    if not isinstance(sha256, str) or not sha256:
        return NOT_UPLOADED
    covering = {(user_id, jurisdiction) for user_id, jurisdiction in uploads(sha256)
                if jurisdiction in (PROVINCE_ADCODE, city_adcode, county_adcode)}
    if not covering:
        return NOT_UPLOADED
    if any(user_id == user.id for user_id, _ in covering) or readable(conn, user, sha256):
        return None
    return NOT_UPLOADED


def record_uploads(conn: Connection, user: User, sha256s: Iterable[str]) -> None:
    """Note that ``user`` uploaded these blobs (bytes verified and stored) from their jurisdiction."""
    now = server_now()
    insert_new(conn, blob_uploads, [{"sha256": sha, "user_id": user.id, "jurisdiction": user.jurisdiction,
                                     "uploaded_at": now} for sha in sorted(set(sha256s))])
