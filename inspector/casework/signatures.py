"""Handwritten signatures: PNG images stored as evidence of kind ``signature``, each naming the record it signs.

A signature is captured at a sign-off — the 现场核查 finding (by the
inspector and by the inspected party), the county's and the city's
acceptance transitions, a countersign — on the GUI's pad or given to the CLI
as a PNG file. It is stored like a photo (content-addressed in ``media/``,
hashed, in the audit chain, synced with its blob) as an ``evidence`` row of
kind ``signature`` with ``signs_uuid`` (the transition, finding or
countersign it signs), ``signer_role`` (:data:`SIGNER_ROLES`) and
``signer_name``.

The PNG is hostile until it decoded inside bounds (:func:`checked_png`): a
size limit in bytes, a PNG signature, a pixel limit checked from the header
before any pixel is decoded, and Pillow's decompression-bomb warning as an
error.

:func:`add_signature` signs an existing record; :func:`record_signatures` is
what :func:`inspector.casework.workflow.transition`, :func:`add_finding` and
:func:`add_countersign` call inside their own transaction, after
:func:`store_signatures` put the images into the media store.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from PIL import Image, UnidentifiedImageError

from inspector.casework.cases import resolve_case
from inspector.errors import BadInput
from inspector.store.changes import Outcome, recording
from inspector.store.db import Row, atomic
from inspector.store.media_store import StoredBlob, store_bytes
from inspector.store.record_store import insert_record, to_json
from inspector.store.workspace import Workspace, utc_now

SIGNER_ROLES = ("inspector", "inspected_party", "county", "city", "countersign")
SIGNER_ROLE_NAMES = {"inspector": "检查人员", "inspected_party": "被检查单位（人）", "county": "县级验收",
                     "city": "市级验收", "countersign": "会签"}
SIGNED_KINDS = ("transitions", "findings", "countersigns")  # what a signature may sign
MAX_SIGNATURE_BYTES = 4 * 1024 * 1024  # bytes of one signature PNG
MAX_SIGNATURE_SIDE_PX = 6000  # pixels: a tablet-wide pad at high density fits easily
MAX_SIGNATURE_PIXELS = 16_000_000  # pixels (width × height)
MAX_SIGNER_NAME_CHARS = 100  # characters
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Signature:
    """A signature to record with a sign-off: the PNG bytes, who signed, in which role."""

    png: bytes
    signer_role: str
    signer_name: str


def _bad_png(why_zh: str, why_en: str) -> BadInput:
    return BadInput(f"签名图像无效：{why_zh}", f"invalid signature image: {why_en}")


def checked_png(data: bytes) -> tuple[int, int]:
    """(width, height) of a signature PNG that decoded completely inside the bounds; :class:`BadInput`
    otherwise."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise _bad_png("没有内容", "empty")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise _bad_png(f"文件过大（上限 {MAX_SIGNATURE_BYTES // (1024 * 1024)} MiB）",
                       f"file too large (limit {MAX_SIGNATURE_BYTES // (1024 * 1024)} MiB)")
    if not bytes(data[:8]) == PNG_MAGIC:
        raise _bad_png("不是 PNG 图像", "not a PNG image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(bytes(data)), formats=["PNG"]) as image:
                width, height = image.size  # from the header: nothing decoded yet
                if not (0 < width <= MAX_SIGNATURE_SIDE_PX and 0 < height <= MAX_SIGNATURE_SIDE_PX
                        and width * height <= MAX_SIGNATURE_PIXELS):
                    raise _bad_png(f"尺寸超出范围（{width}×{height}）", f"size out of bounds ({width}×{height})")
                image.load()
    except BadInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bad_png("像素过多，可能是解压炸弹", "too many pixels; possible decompression bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _bad_png(f"无法解码（{exc}）", f"cannot be decoded ({exc})") from None
    return width, height


def read_signature_file(path: str | Path) -> bytes:
    """The bytes of a signature PNG file (size checked before reading, content by :func:`checked_png`)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SIGNATURE_BYTES:
            raise _bad_png(f"文件过大（上限 {MAX_SIGNATURE_BYTES // (1024 * 1024)} MiB）：{path.name}",
                           f"file too large (limit {MAX_SIGNATURE_BYTES // (1024 * 1024)} MiB): {path.name}")
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"无法读取签名文件：{path}（{exc.strerror}）",
                       f"cannot read the signature file: {path} ({exc.strerror})") from None
    checked_png(data)
    return data


def _checked_signature(signature: Signature) -> tuple[int, int]:
    if signature.signer_role not in SIGNER_ROLES:
        raise BadInput(f"签名人身份须为 {'/'.join(SIGNER_ROLES)}，而不是：{signature.signer_role}",
                       f"signer role must be one of {'/'.join(SIGNER_ROLES)}, not: {signature.signer_role}")
    name = (signature.signer_name or "").strip()
    if not name or len(name) > MAX_SIGNER_NAME_CHARS:
        raise BadInput(f"签名人姓名须为 1–{MAX_SIGNER_NAME_CHARS} 个字符",
                       f"the signer's name must be 1–{MAX_SIGNER_NAME_CHARS} characters")
    return checked_png(signature.png)


StoredSignature = tuple[Signature, StoredBlob, dict[str, int]]  # the signature, its blob, its size in pixels


def store_signatures(ws: Workspace, signatures: Iterable[Signature]) -> list[StoredSignature]:
    """Check each signature and put its PNG into the media store (before any row references it)."""
    stored = []
    for signature in signatures:
        width, height = _checked_signature(signature)
        blob = store_bytes(ws, bytes(signature.png), f"signature-{signature.signer_role}.png")
        stored.append((signature, blob, {"width": width, "height": height}))
    return stored


def record_signatures(ws: Workspace, case_id: int, signs_uuid: str, phase: str,
                      stored: Sequence[StoredSignature], *, actor: str) -> list[str]:
    """Write the evidence rows of stored signatures that sign ``signs_uuid`` (inside the caller's
    transaction); returns their UUIDs."""
    conn = ws.conn
    uuids = []
    for signature, blob, size in stored:
        conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) VALUES (?, ?, ?, ?)",
                     (blob.sha256, blob.size, "image/png", utc_now()))
        values = {"case_id": case_id, "finding_id": None, "sha256": blob.sha256, "kind": "signature",
                  "phase": phase, "original_name": f"signature-{signature.signer_role}.png",
                  "flags": "[]", "metadata": to_json({"signature": size}), "zones": "[]", "footprint_zones": "[]",
                  "signs_uuid": signs_uuid, "signer_role": signature.signer_role,
                  "signer_name": signature.signer_name.strip()}
        _, uuid = insert_record(conn, "evidence", values, actor=actor, action="signature.add",
                                evidence_hashes=[blob.sha256])
        uuids.append(uuid)
    return uuids


def signed_record(ws: Workspace, case_id: int, uuid: str) -> Optional[tuple[str, Row]]:
    """(kind, row) of the live transition, finding or countersign ``uuid`` of the case, else ``None``."""
    for kind in SIGNED_KINDS:
        row = ws.conn.execute(f"SELECT * FROM {kind} WHERE uuid = ? AND case_id = ? AND deleted = 0",
                              ((uuid or "").strip().lower(), case_id)).fetchone()
        if row is not None:
            return kind, row
    return None


def phase_of(kind: str) -> str:
    """The evidence phase a signature of a ``kind`` record belongs to: on site, or after rectification."""
    return "inspection" if kind == "findings" else "after"


def add_signature(ws: Workspace, case_ref: str, png: bytes, *, signs_uuid: str, signer_role: str,
                  signer_name: str, actor: str) -> Outcome:
    """Record a signature of an existing transition, finding or countersign of the case; returns the stored
    signature (``evidence_uuid``, ``sha256``, …) and what changed."""
    case = resolve_case(ws, case_ref)
    found = signed_record(ws, case["id"], signs_uuid)
    if found is None:
        raise BadInput(f"问题 {case['case_no']} 没有可签名的记录 {signs_uuid}（流转、核查记录或会签）",
                       f"case {case['case_no']} has no record {signs_uuid} to sign (transition, finding or "
                       f"countersign)")
    kind, row = found
    signature = Signature(png, signer_role, signer_name)
    stored = store_signatures(ws, [signature])
    with recording(ws.conn) as journal, atomic(ws.conn):
        (uuid,) = record_signatures(ws, case["id"], row["uuid"], phase_of(kind), stored, actor=actor)
    return Outcome({"evidence_uuid": uuid, "case_no": case["case_no"], "sha256": stored[0][1].sha256,
                    "signs_uuid": row["uuid"], "signs_kind": kind, "signer_role": signer_role,
                    "signer_name": signature.signer_name.strip()}, journal.changes)


def signatures_of(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    """The case's live signatures, oldest first: uuid, sha256, signs_uuid, signer_role, signer_name,
    created_at."""
    return [dict(row) for row in ws.conn.execute(
        "SELECT uuid, sha256, signs_uuid, signer_role, signer_name, created_at FROM evidence "
        "WHERE case_id = ? AND kind = 'signature' AND deleted = 0 ORDER BY id", (case_id,))]
