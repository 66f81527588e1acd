"""Server records that a device cannot apply, written the way an older server stored them.

An older server answered ``applied`` to a finding whose content was only
``{"case_uuid": ...}`` and to a transition without ``at_utc``. These helpers
write such rows straight into the server's ``records`` table through
:mod:`sync.server.storage` (a new ``server_seq`` from ``next_seq``, the
jurisdiction of the record's case), and later a valid newer revision or a
tombstone of them, as an office fix would.
"""
from __future__ import annotations

import json
import uuid as uuid_lib
from typing import Any, Optional

import sqlalchemy as sa

from sync.protocol import content_hash
from sync.server.storage import next_seq, records, server_now

VALID_FINDING = {"inspector": "inspector_a", "observed_at_utc": "2026-05-01T02:00:00Z", "lon": 120.5, "lat": 33.5,
                 "position_source": "device_gps", "accuracy_m": 5.0, "activity_type": "养殖",
                 "description": "办公室补录：养殖塘", "area_m2": None, "area_is_estimate": 1, "assessment": "确认问题",
                 "basis": None, "function_zone": None, "zones": "[]", "revision": 1,
                 "created_at": "2026-05-01T02:00:00Z", "updated_at": "2026-05-01T02:00:00Z",
                 # the columns later migrations added (v10 corrections, v12 GNSS quality), as a current server
                 # stores them (its pushes gain their defaults)
                 "recorded_by": None, "voided_at": None, "voided_by": None, "void_reason": None, "corrections": "[]",
                 "fix_type": None, "satellites": None, "hdop": None}
TRANSITION_WITHOUT_TIME = {"action": "现场核查", "from_state": "待核查", "to_state": "现场核查",
                           "actor": "inspector_a", "role": "inspector", "reason": None, "revision": 1,
                           "created_at": "2026-05-01T02:00:00Z", "updated_at": "2026-05-01T02:00:00Z"}


def server_row(server: Any, uuid: str) -> Any:
    with server.storage.read() as conn:
        return conn.execute(sa.select(records).where(records.c.uuid == uuid)).first()


def case_uuid(server: Any, case_no: str) -> str:
    with server.storage.read() as conn:
        for row in conn.execute(sa.select(records.c.uuid, records.c.content).where(records.c.kind == "cases")):
            if json.loads(row.content)["case_no"] == case_no:
                return row.uuid
    raise LookupError(case_no)


def plant(server: Any, kind: str, content: dict[str, Any], *, case: str, uuid: Optional[str] = None,
          deleted: bool = False) -> str:
    """Store ``content`` as the next revision of record ``uuid`` (new when None) of the case ``case`` (its
    UUID), unchecked, with a fresh ``server_seq``; returns the record's UUID."""
    uuid = uuid or str(uuid_lib.uuid4())
    case_row = server_row(server, case)
    sha = content.get("sha256") if kind == "evidence" else None
    with server.storage.write() as conn:
        existing = conn.execute(sa.select(records.c.revision).where(records.c.uuid == uuid)).first()
        values = dict(kind=kind, case_uuid=case, finding_uuid=content.get("finding_uuid"),
                      city_adcode=case_row.city_adcode, county_adcode=case_row.county_adcode, deleted=deleted,
                      content=json.dumps(content, ensure_ascii=False), content_hash=content_hash(content),
                      blob_sha256=sha, server_seq=next_seq(conn), updated_by="older-server",
                      received_at=server_now())
        if existing is None:
            conn.execute(records.insert().values(uuid=uuid, revision=1, **values))
        else:
            conn.execute(records.update().where(records.c.uuid == uuid).values(revision=existing.revision + 1,
                                                                             **values))
    return uuid


def plant_malformed(server: Any, case_no: str = "LD-001") -> dict[str, str]:
    """The issue's two records on ``case_no``: a finding that is only its case reference and a transition
    without ``at_utc``; returns their UUIDs by name."""
    case = case_uuid(server, case_no)
    return {"finding": plant(server, "findings", {"case_uuid": case}, case=case),
            "transition": plant(server, "transitions", {**TRANSITION_WITHOUT_TIME, "case_uuid": case}, case=case)}
