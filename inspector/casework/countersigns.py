"""Countersigns (会签): another department's sign-off on a case's closure, recorded — never guessed.

A countersign records the department (:data:`DEPARTMENTS`: 自然资源 / 林业 /
水利 / 农业农村 / 其他), the person who signed for it, the day, the
department's opinion, who recorded it and, optionally, the scanned document
it was given on (stored as evidence of kind ``document``: hashed, audited
and synced like a photo; the countersign names it by UUID) and the signer's
handwritten signature (evidence of kind ``signature`` signing the
countersign, :mod:`inspector.casework.signatures`). It is a synced record of
its case (table ``countersigns``). The closure form prints each countersign
that exists in its department's box and leaves the other boxes blank.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional

from inspector.casework.cases import resolve_case
from inspector.casework.publicity import calendar_day, jiangsu_today
from inspector.casework.signatures import Signature, record_signatures, store_signatures
from inspector.errors import BadInput
from inspector.evidence.imaging import decoded_size
from inspector.store.changes import Outcome, recording
from inspector.store.db import atomic
from inspector.store.media_store import StoredBlob, open_no_follow, store_file
from inspector.store.record_store import insert_record
from inspector.store.workspace import Workspace, utc_now

DEPARTMENTS = ("自然资源", "林业", "水利", "农业农村", "其他")
MAX_SIGNER_CHARS = 100  # characters: the signer's name
MAX_OPINION_CHARS = 5_000  # characters: the department's opinion
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # bytes: a scanned document (PDF or image)
PDF_MAGIC = b"%PDF-"
DOCUMENT_MIME = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
COUNTERSIGN_COLUMNS = ("uuid", "department", "signer", "signed_on", "opinion", "document_uuid", "recorded_by",
                       "created_at")


def _checked_document(path: Path) -> str:
    """The MIME type of a scanned document this program accepts (PDF, JPEG or PNG that decodes); else
    :class:`BadInput`."""
    mime = DOCUMENT_MIME.get(path.suffix.lower())
    if mime is None:
        raise BadInput(f"会签文件须为 PDF、JPEG 或 PNG：{path.name}",
                       f"the countersign document must be a PDF, JPEG or PNG: {path.name}")
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise BadInput(f"会签文件过大（上限 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB）：{path.name}",
                           f"the countersign document is too large (limit {MAX_DOCUMENT_BYTES // (1024 * 1024)} "
                           f"MiB): {path.name}")
        if mime == "application/pdf":
            with open_no_follow(path) as handle:
                if handle.read(len(PDF_MAGIC)) != PDF_MAGIC:
                    raise BadInput(f"不是 PDF 文件：{path.name}", f"not a PDF file: {path.name}")
        else:
            decoded_size(path)
    except OSError as exc:
        raise BadInput(f"无法读取会签文件：{path}（{exc.strerror}）",
                       f"cannot read the countersign document: {path} ({exc.strerror})") from None
    return mime


def _checked_text(text: Optional[str], limit: int, what: tuple[str, str]) -> str:
    value = (text or "").strip()
    if not value or len(value) > limit:
        raise BadInput(f"须填写{what[0]}（1–{limit} 个字符）", f"give {what[1]} (1–{limit} characters)")
    return value


def add_countersign(ws: Workspace, case_ref: str, *, department: str, signer: str, opinion: str,
                    signed_on: Optional[str] = None, document: Optional[Path] = None,
                    signature: Optional[bytes] = None, actor: str) -> Outcome:
    """Record a countersign of the case (with its scanned document and the signer's signature, when given);
    returns the stored countersign and what changed."""
    case = resolve_case(ws, case_ref)
    if department not in DEPARTMENTS:
        raise BadInput(f"会签部门须为 {'/'.join(DEPARTMENTS)}，而不是：{department}",
                       f"department must be one of {'/'.join(DEPARTMENTS)}, not: {department}")
    signer = _checked_text(signer, MAX_SIGNER_CHARS, ("签署人（--signer）", "the signer (--signer)"))
    opinion = _checked_text(opinion, MAX_OPINION_CHARS, ("会签意见（--opinion）", "the opinion (--opinion)"))
    day = calendar_day(signed_on, ("会签日期", "the countersign date")) if signed_on else jiangsu_today().isoformat()
    if dt.date.fromisoformat(day) > jiangsu_today():
        raise BadInput(f"会签日期 {day} 晚于今天", f"the countersign date {day} is after today")
    document_blob: Optional[tuple[Path, StoredBlob, str]] = None
    if document is not None:
        path = Path(document)
        if not path.is_file():
            raise BadInput(f"找不到会签文件：{path}", f"countersign document not found: {path}")
        mime = _checked_document(path)
        document_blob = (path, store_file(ws, path), mime)
    signatures = store_signatures(ws, [Signature(signature, "countersign", signer)]) if signature is not None else []
    conn = ws.conn
    with recording(conn) as journal, atomic(conn):
        document_uuid = None
        if document_blob is not None:
            path, blob, mime = document_blob
            conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) VALUES (?, ?, ?, ?)",
                         (blob.sha256, blob.size, mime, utc_now()))
            _, document_uuid = insert_record(conn, "evidence", {
                "case_id": case["id"], "sha256": blob.sha256, "kind": "document", "phase": "after",
                "original_name": path.name[:200]}, actor=actor, action="document.add", evidence_hashes=[blob.sha256])
        values = {"case_id": case["id"], "department": department, "signer": signer, "signed_on": day,
                  "opinion": opinion, "document_uuid": document_uuid, "recorded_by": actor}
        _, uuid = insert_record(conn, "countersigns", values, actor=actor, action="countersign.add")
        signature_uuids = record_signatures(ws, case["id"], uuid, "after", signatures, actor=actor)
    return Outcome({"uuid": uuid, "case_no": case["case_no"], "case_uuid": case["uuid"],
                    **{k: v for k, v in values.items() if k != "case_id"},
                    "document_sha256": document_blob[1].sha256 if document_blob else None,
                    "signature_uuids": signature_uuids}, journal.changes)


def countersigns_of(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    """The case's live countersigns, oldest first."""
    return [dict(row) for row in ws.conn.execute(
        f"SELECT {', '.join(COUNTERSIGN_COLUMNS)} FROM countersigns WHERE case_id = ? AND deleted = 0 ORDER BY id",
        (case_id,))]
