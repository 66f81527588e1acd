"""Countersigns, 公示 and signatures as records: the migration that adds them, the core APIs and what they refuse.

A workspace made before the migration keeps every evidence row (ids,
indexes) and then accepts signatures and scanned documents as evidence; a
signature PNG is decoded only inside bounds; every record is in the audit
chain.
"""
from __future__ import annotations

import io
import shutil
import struct
import zlib

import pytest
from PIL import Image

from evidence_fixtures import make_geotagged_photo
from inspector.casework.countersigns import DEPARTMENTS, add_countersign
from inspector.casework.findings import add_finding
from inspector.casework.publicity import add_publicity, jiangsu_today
from inspector.casework.signatures import SIGNER_ROLES, Signature, add_signature, checked_png
from inspector.casework.workflow import transition
from inspector.errors import BadInput
from inspector.store import audit, db
from inspector.store.migrations import MIGRATIONS, _v7_countersigns_publicity_signatures, migrate
from inspector.store.workspace import Workspace
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace
from tests.signature_fixtures import signature_png, write_scanned_pdf
from tests.test_workspace import OLD_WORKSPACE

BEFORE_RECORDS = MIGRATIONS.index(_v7_countersigns_publicity_signatures)  # the schema version before it


@pytest.fixture
def case_ws(tmp_path):
    workspace = build_case_workspace(tmp_path / "case")
    yield workspace
    workspace.close()


def test_migration_keeps_every_evidence_row_and_index_and_takes_the_new_kinds(tmp_path):
    root = tmp_path / "old"
    shutil.copytree(OLD_WORKSPACE, root)
    conn = db.connect(root / "workspace.sqlite")
    migrate(conn, root / "workspace.sqlite", target=BEFORE_RECORDS)
    case_id = conn.execute("SELECT id FROM cases").fetchone()[0]
    conn.execute("INSERT INTO media_blobs VALUES (?, 3, 'image/jpeg', 'x')", ("a" * 64,))
    for row_id, phase in ((7, "before"), (9, "after")):
        conn.execute("INSERT INTO evidence (id, case_id, sha256, kind, phase, uuid, created_at, updated_at) "
                     "VALUES (?, ?, ?, 'photo', ?, ?, 't', 't')", (row_id, case_id, "a" * 64, phase, f"u{row_id}"))
    conn.commit()
    before = conn.execute("SELECT * FROM evidence ORDER BY id").fetchall()
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                          "'evidence' AND sql IS NOT NULL")}
    conn.close()
    with Workspace.open(root) as ws:
        conn = ws.conn
        after = conn.execute("SELECT * FROM evidence ORDER BY id").fetchall()
        assert [tuple(r)[:len(before[0])] for r in after] == [tuple(r) for r in before]
        now = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                          "'evidence' AND sql IS NOT NULL")}
        assert indexes <= now and {"evidence_case", "evidence_sha"} <= now
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for kind in ("signature", "document"):
            conn.execute("INSERT INTO evidence (case_id, sha256, kind, phase, uuid, created_at, updated_at) "
                         "VALUES (?, ?, ?, 'after', ?, 't', 't')", (case_id, "a" * 64, kind, kind))
        with pytest.raises(db.IntegrityError):
            conn.execute("INSERT INTO evidence (case_id, sha256, kind, phase, uuid, created_at, updated_at) "
                         "VALUES (?, ?, 'video', 'after', 'v', 't', 't')", (case_id, "a" * 64))
        assert list((root / "backups").glob(f"workspace-v{BEFORE_RECORDS}-*.sqlite"))


def test_countersign_publicity_and_signatures_are_audited_records(case_ws, tmp_path):
    transition(case_ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
    finding = add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘",
                          actor="张三", signatures=[Signature(signature_png(), "inspector", "张三"),
                                                   Signature(signature_png((300, 120)), "inspected_party", "李老板")])
    assert len(finding["signature_uuids"]) == 2
    signed = add_countersign(case_ws, CORE_CASE, department="水利", signer="水利站 <b>钱七</b>",
                             opinion="同意 & 无异议",
                             document=write_scanned_pdf(tmp_path / "scan.pdf"), signature=signature_png(), actor="县局")
    assert signed["department"] == "水利" and signed["signed_on"] == jiangsu_today().isoformat()
    assert signed["document_uuid"] and len(signed["signature_uuids"]) == 1
    shown = add_publicity(case_ws, CORE_CASE, starts_on="2026-01-01", ends_on=" 2026-01-07", where="公告栏",
                          actor="县局")
    assert shown["ended"] and shown["ends_on"] == "2026-01-07"
    extra = add_signature(case_ws, CORE_CASE, signature_png(), signs_uuid=signed["uuid"], signer_role="countersign",
                          signer_name="钱七", actor="县局")
    assert extra["signs_kind"] == "countersigns" and extra.changes.touches("evidence")
    conn = case_ws.conn
    kinds = [tuple(r) for r in conn.execute("SELECT kind, signer_role, phase FROM evidence ORDER BY id")]
    assert kinds == [("signature", "inspector", "inspection"), ("signature", "inspected_party", "inspection"),
                     ("document", None, "after"), ("signature", "countersign", "after"),
                     ("signature", "countersign", "after")]
    report = audit.verify(case_ws)
    assert report["ok"], report
    audited = {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM audit_log")}
    assert {"countersigns", "publicity", "evidence"} <= audited


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with a tiny compressed body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + \
        chunk(b"IEND", b"")


def test_hostile_signatures_and_records_are_refused(case_ws, tmp_path):
    jpeg = io.BytesIO()
    Image.new("RGB", (50, 20)).save(jpeg, "JPEG")
    truncated = signature_png()[:200]
    for data, why in ((b"", "empty"), (jpeg.getvalue(), "not a PNG"), (truncated, "cannot be decoded"),
                      (_png_header_claiming(7_000, 100), "size out of bounds"),
                      (_png_header_claiming(100_000, 100_000), "decompression bomb"),
                      (b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "too large")):
        with pytest.raises(BadInput) as info:
            checked_png(data)
        assert why in info.value.en, (why, info.value.en)
    assert checked_png(signature_png()) == (600, 240)
    before = case_ws.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    refusals = [
        (lambda: add_countersign(case_ws, CORE_CASE, department="环保", signer="x", opinion="y", actor="a"),
         "department must be one of"),
        (lambda: add_countersign(case_ws, CORE_CASE, department="林业", signer=" ", opinion="y", actor="a"),
         "the signer"),
        (lambda: add_countersign(case_ws, CORE_CASE, department="林业", signer="x", opinion="y", signed_on="2999-01-01",
                                 actor="a"), "after today"),
        (lambda: add_countersign(case_ws, CORE_CASE, department="林业", signer="x", opinion="y",
                                 document=make_geotagged_photo(tmp_path / "p.txt", *CENTRE), actor="a"),
         "must be a PDF, JPEG or PNG"),
        (lambda: add_countersign(case_ws, CORE_CASE, department="林业", signer="x", opinion="y",
                                 document=_fake_pdf(tmp_path), actor="a"), "not a PDF"),
        (lambda: add_countersign(case_ws, CORE_CASE, department="林业", signer="x", opinion="y",
                                 signature=b"GIF89a", actor="a"), "invalid signature image"),
        (lambda: add_publicity(case_ws, CORE_CASE, starts_on="2026-02-01", ends_on="2026-01-01", where="x", actor="a"),
         "ends (2026-01-01) before it starts"),
        (lambda: add_publicity(case_ws, CORE_CASE, starts_on="2026-02-30", ends_on="2026-03-01", where="x", actor="a"),
         "must be a date"),
        (lambda: add_publicity(case_ws, CORE_CASE, starts_on="2026-01-01", ends_on="2026-01-02", where="", actor="a"),
         "say where"),
        (lambda: add_signature(case_ws, CORE_CASE, signature_png(), signs_uuid="no-such", signer_role="city",
                               signer_name="x", actor="a"), "no record no-such to sign"),
        (lambda: transition(case_ws, CORE_CASE, "现场核查", role="inspector", actor="a",
                            signatures=[Signature(signature_png(), "mayor", "x")]), "signer role must be one of"),
    ]
    for call, why in refusals:
        with pytest.raises(BadInput) as info:
            call()
        assert why in info.value.en, (why, info.value.en)
    conn = case_ws.conn
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before  # nothing recorded
    assert conn.execute("SELECT status FROM cases WHERE case_no = ?", (CORE_CASE,)).fetchone()[0] == "待核查"
    assert len(DEPARTMENTS) == 5 and "inspected_party" in SIGNER_ROLES


def _fake_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"<html>not a pdf</html>")
    return path
