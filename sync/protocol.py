"""The sync wire format shared by the client (:mod:`sync.client`) and the server (:mod:`sync.server`).

Records travel as JSON: a record kind, the UUID made on the device, the
server revision the edit was based on (``base_revision``, ``None`` for a
record the server has never seen), a tombstone flag and the record's
``content`` (its columns without local row ids; references to other records
go by UUID: ``case_uuid``, ``finding_uuid``).

- A **push** is a batch with an ``operation_id`` made by the client; the
  server stores the result under that id, so a retried batch (after a lost
  acknowledgement) changes nothing and gets the same answer.
- A **pull** returns changes after a cursor (the server's global change
  sequence), in pages with ``next_cursor`` and ``has_more``.
- **Blobs** go by SHA-256: a manifest (size, chunk size, per-chunk SHA-256),
  chunks uploaded in any order and resumably, then ``complete`` assembles
  and verifies the whole before the blob becomes visible.
- **Conflicts** are resolved by office users: the chosen version becomes a
  new server revision, and a pulled record lists the conflicts it
  ``resolves`` so a device still holding exactly a refused version adopts it.
- **Zone layers** are listed with their version and SHA-256; a device
  downloads the files it does not hold (see :mod:`inspector.importers.zone_layer_file`).
- **Record content** has one schema per kind (:data:`RECORD_MODELS`): the
  columns a workspace stores, with their types, ranges, enumerations (taken
  from the core's own constants) and text lengths, and nothing else
  (:mod:`sync.record_schema`). The server refuses a record that does not fit
  (:func:`validate_content`) before storing it, and a device can check what
  it pulls the same way.
- **Verify** ends a sync: the server compares the records the device holds
  (revision, and content hash of each live one) and the blobs with its own.

Every response carries the server's UTC time so the client can report clock
skew; the device clock never decides anything. A pushed record's answer says
why the server did not apply it in Chinese and English (``reason_zh``,
``reason_en``; ``reason`` repeats the English for older clients), so each
device shows it in its user's language.
"""
from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Literal, Optional, TypeAlias, TypedDict

from pydantic import BaseModel, Field

from inspector.casework.workflow import ROLES  # noqa: F401 - the roles a server user may have: the workflow's
from inspector.errors import Message
from inspector.store.record_store import SYNCED_KINDS
from sync.record_schema import RECORD_MODELS, is_uuid, validate_content, with_added_fields  # noqa: F401 - part of the protocol

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
SERVER_TIME_HEADER = "X-Server-Time"
PROTOCOL_HEADER = "X-Sync-Protocol"

# Kinds in the order a push sends them and a pull applies them (parents first): the core's synced tables.
RECORD_KINDS = SYNCED_KINDS
CHILD_KINDS = RECORD_KINDS[1:]
# The kinds whose record names a media blob, and the field that holds its SHA-256: a photo or document, a patrol's
# track. The blob uploads before its record is pushed and downloads before its record is applied.
BLOB_FIELDS = {"evidence": "sha256", "patrols": "track_sha256"}


def blob_of(kind: str, content: Any) -> Optional[str]:
    """The SHA-256 a record of ``kind`` names as its blob (whatever text is there), or ``None``."""
    field = BLOB_FIELDS.get(kind)
    value = content.get(field) if field is not None and isinstance(content, dict) else None
    return value if isinstance(value, str) else None

DEFAULT_CHUNK_BYTES = 1024 * 1024  # 1 MiB per blob chunk
MAX_CHUNK_BYTES = 4 * 1024 * 1024  # the server refuses larger chunk bodies (413)
MAX_BUNDLE_BYTES = 16 * 1024 * 1024  # the server refuses larger blob bundle bodies, header included (413)
MAX_JSON_BODY_BYTES = 8 * 1024 * 1024  # the server refuses larger JSON bodies (413)
MAX_PUSH_RECORDS = 500  # records per push batch
DEFAULT_PULL_PAGE = 200  # records per pull page when the client does not say
MAX_PULL_PAGE = 1000  # the most records a client may ask for per pull page
MAX_SKIP_RANGES = 200  # change-number ranges a pull may name as held already (``skip``)

if TYPE_CHECKING:  # pydantic checks a Literal of the core's tuple; mypy cannot read one and sees the text
    RecordKind: TypeAlias = str
else:
    RecordKind = Literal[RECORD_KINDS]
PushStatus = Literal["applied", "conflict", "rejected"]
KeepVersion = Literal["server", "client"]


def seq_ranges(seqs: list[int], limit: int = MAX_SKIP_RANGES) -> list[tuple[int, int]]:
    """The lowest ``limit`` runs of consecutive change numbers in ``seqs``, as ``(first, last)``."""
    ranges: list[tuple[int, int]] = []
    for seq in sorted(set(seqs)):
        if ranges and seq == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], seq)
        elif len(ranges) == limit:
            break
        else:
            ranges.append((seq, seq))
    return ranges


def format_ranges(ranges: list[tuple[int, int]]) -> str:
    """``first-last,…``: the ``skip`` parameter of a pull."""
    return ",".join(f"{first}-{last}" for first, last in ranges)


def parse_ranges(text: str, largest: int) -> Optional[list[tuple[int, int]]]:
    """The ranges of a ``skip`` parameter; ``None`` when it is not ``first-last,…`` (at most
    :data:`MAX_SKIP_RANGES`, each ``0 <= first <= last <= largest``)."""
    if not text:
        return []
    parts = text.split(",")
    if len(parts) > MAX_SKIP_RANGES:
        return None
    ranges = []
    for part in parts:
        first, dash, last = part.partition("-")
        if not dash or not (first.isdigit() and last.isdigit()) or len(first) > 19 or len(last) > 19:
            return None
        low, high = int(first), int(last)
        if not low <= high <= largest:
            return None
        ranges.append((low, high))
    return ranges


def canonical_json(value: Any, *, allow_nan: bool = True) -> str:
    """Deterministic JSON (sorted keys, no spaces, UTF-8 kept) used for every hash; ``allow_nan=False`` raises
    ``ValueError`` for a NaN or infinite number (which JSON has no text for) instead of writing ``NaN``."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=allow_nan)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


class RecordChange(BaseModel):
    """One record as pushed by a client."""

    kind: RecordKind
    uuid: str = Field(min_length=36, max_length=36)
    base_revision: Optional[int] = None
    deleted: bool = False
    content: dict[str, Any]


class PushBatch(BaseModel):
    protocol: int = PROTOCOL_VERSION
    operation_id: str = Field(min_length=8, max_length=64)
    records: list[RecordChange] = Field(max_length=MAX_PUSH_RECORDS)


class ReasonFields(TypedDict):
    """Why a record was not applied, as an answer's keys (``reason`` in English for older clients)."""

    reason: str
    reason_zh: str
    reason_en: str


class RecordResult(BaseModel):
    uuid: str
    kind: RecordKind
    status: PushStatus
    revision: Optional[int] = None  # the server revision after the push (applied) or now (conflict)
    server_seq: Optional[int] = None
    reason: Optional[str] = None  # why not applied, in English (what a client from before reason_zh shows)
    reason_zh: Optional[str] = None
    reason_en: Optional[str] = None
    conflict_id: Optional[int] = None

    @staticmethod
    def reason_fields(message: Message) -> ReasonFields:
        """The reason keys of an answer for ``message``."""
        return {"reason": message.en, "reason_zh": message.zh, "reason_en": message.en}

    def reason_message(self) -> Optional[Message]:
        """Why the record was not applied, in both languages (a server from before ``reason_zh`` gives its one
        text in both); ``None`` when there is no reason."""
        return Message.from_fields(self.model_dump(include={"reason", "reason_zh", "reason_en"},
                                                   exclude_none=True))


class PushResult(BaseModel):
    operation_id: str
    replayed: bool = False  # True when this answer is the stored result of an earlier identical push
    results: list[RecordResult]
    server_time: str


class ResolvedConflict(BaseModel):
    """A conflict that a record's current revision settled, with the refused version's identity."""

    id: int
    client_content_hash: str
    client_deleted: bool


class ServerRecord(BaseModel):
    """One record as the server holds it (pulls, conflicts)."""

    kind: RecordKind
    uuid: str
    revision: int
    server_seq: int
    deleted: bool
    content: dict[str, Any]
    city_adcode: Optional[str] = None
    county_adcode: Optional[str] = None
    resolves: Optional[list[ResolvedConflict]] = None  # conflicts this revision settled (office review)


class PullPage(BaseModel):
    changes: list[ServerRecord]
    parents: list[ServerRecord] = []  # cases/findings the changes refer to that come later in the sequence
    next_cursor: int
    has_more: bool
    server_time: str


class Resolution(BaseModel):
    keep: KeepVersion  # whose version of this conflict the record kept
    by: str
    at: str
    revision: int  # the server revision the resolution made
    decided_in: int  # the conflict an office user resolved (this one, or another of the same record)


class Conflict(BaseModel):
    id: int
    kind: RecordKind
    uuid: str
    base_revision: Optional[int]
    server_revision: int
    server_deleted: bool
    server_content: dict[str, Any]
    client_deleted: bool
    client_content: dict[str, Any]
    user: str
    received_at: str
    resolution: Optional[Resolution] = None  # None while the conflict is open


class ConflictList(BaseModel):
    conflicts: list[Conflict]
    server_time: str


class ResolveRequest(BaseModel):
    keep: KeepVersion


class ResolveResult(BaseModel):
    conflict: Conflict
    record: RecordResult  # the new server revision every device pulls
    also_closed: list[int]  # other open conflicts of the same record, settled by the same decision
    server_time: str


class AssignCaseNoRequest(BaseModel):
    """The official 问题编号 the office gives a case found in the field (``PATCH /cases/{uuid}``)."""
    case_no: str = Field(min_length=1, max_length=500)


class AssignCaseNoResult(BaseModel):
    uuid: str
    previous_case_no: Optional[str]
    case_no: str
    revision: int  # the new server revision every device pulls
    server_seq: int
    server_time: str


class ZoneLayerInfo(BaseModel):
    """The current published version of one zone layer."""

    layer_key: str
    version: int
    sha256: str
    size: int
    features: int
    published_at: str


class ZoneLayerList(BaseModel):
    layers: list[ZoneLayerInfo]
    server_time: str


class BlobQuery(BaseModel):
    sha256s: list[str] = Field(max_length=10000)


class BlobMissing(BaseModel):
    missing: list[str]
    server_time: str


class BlobManifest(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    chunk_size: int = Field(gt=0, le=MAX_CHUNK_BYTES)
    chunks: list[str]  # SHA-256 of each chunk, in order


class UploadState(BaseModel):
    sha256: str
    received: list[int]  # chunk indexes the server holds, verified
    complete: bool  # the whole blob is assembled, verified and visible
    server_time: str


class VerifyRequest(BaseModel):
    """What the client holds after a sync: ``[kind, uuid, server revision]`` per clean record, and the
    :func:`content_hash` of each one it holds live (not deleted)."""

    records: list[tuple[str, str, int]]
    pending: list[str] = []  # UUIDs with unpushed or conflicting local edits: left out of the comparison
    blobs: list[str] = []
    content_hashes: Optional[dict[str, str]] = None  # uuid -> content hash; None: not compared (older clients)


class VerifyResult(BaseModel):
    ok: bool
    server_count: int
    client_count: int
    missing_on_client: list[str]
    unknown_to_server: list[str]
    revision_mismatch: list[str]
    content_mismatch: list[str] = []  # same revision, different content (or deleted on one side only)
    blobs_missing_on_server: list[str]
    server_time: str


class LoginRequest(BaseModel):
    user: str
    password: str


class LoginResult(BaseModel):
    """A login's answer: the token and who it signs in. ``name`` (display name), ``roles``, ``level`` and
    ``expires_at`` (when the token lapses) are absent from servers older than accounts-as-identity."""

    token: str
    user: str
    role: str
    jurisdiction: str
    server_time: str
    name: Optional[str] = None
    roles: list[str] = []
    level: Optional[str] = None
    expires_at: Optional[str] = None

    @property
    def display_name(self) -> str:
        return self.name or self.user

    @property
    def all_roles(self) -> list[str]:
        return self.roles or [self.role]


class ServerInfo(BaseModel):
    protocol: int
    server_time: str
    max_chunk_bytes: int
    max_json_body_bytes: int
