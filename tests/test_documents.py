"""Documents as evidence (issue 17 item 4): PDF, DOCX, XLSX, OFD and scans attach with a type, a PDF's first page
is its thumbnail, hostile documents get a clear per-file error (or a flag) and nothing crashes, 生态修复 needs its
documents for 申请销号, and the record schema checks ``document_type``."""
from __future__ import annotations

import io
import json
import os
import uuid as uuid_lib
import zipfile

import openpyxl
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from evidence_fixtures import attach_closure_photos
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification
from inspector.casework.workflow import transition
from inspector.errors import BadInput
from inspector.evidence.documents import MAX_DOCUMENT_BYTES
from inspector.store.media_store import thumbnail_path
from sync.protocol import validate_content
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, cli_json
from tests.hostile import assert_sound, run_bounded
from tests.sync_fixtures import db_url, server  # noqa: F401 - fixtures

STAMP = "2026-01-01T00:00:00Z"


def write_pdf(path, text="整改方案 rectification plan", *, javascript: bool = False):
    out = canvas.Canvas(str(path))
    out.drawString(72, 720, text)
    out.save()
    if javascript:  # an /OpenAction with JavaScript, as forms in the wild carry
        data = path.read_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript "
                                                           b"/JS (app.alert\\(1\\)) >>", 1)
        path.write_bytes(data)
    return path


def write_docx(path, extra: dict[str, bytes] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document>验收报告</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def write_ofd(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", '<?xml version="1.0"?><ofd:OFD/>')
    return path


def write_xlsx(path):
    book = openpyxl.Workbook()
    book.active.append(["项目", "金额"])
    book.save(path)
    return path


def write_scan(path):
    Image.new("RGB", (300, 420), (250, 250, 245)).save(path)
    return path


@pytest.fixture
def case_ws(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    yield ws
    ws.close()


def test_documents_attach_with_their_type_and_a_pdf_thumbnail(case_ws, tmp_path):
    files = [write_pdf(tmp_path / "plan.pdf"), write_docx(tmp_path / "report.docx"), write_xlsx(tmp_path / "t.xlsx"),
             write_ofd(tmp_path / "approval.ofd"), write_scan(tmp_path / "scan.png")]
    results = cli_json("--workspace", str(case_ws.root), "attach", CORE_CASE, *map(str, files),
                       "--document-type", "验收报告", "--phase", "after")
    assert [r["kind"] for r in results] == ["document"] * 5, results
    assert {r["document_type"] for r in results} == {"验收报告"} and all(not r["flags"] for r in results)
    assert results[0]["mime"] == "application/pdf" and results[3]["mime"] == "application/ofd"
    rows = case_ws.conn.execute("SELECT kind, document_type, original_name FROM evidence ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("document", "验收报告", f.name) for f in files]
    thumb = thumbnail_path(case_ws, results[0]["sha256"], 200)
    with Image.open(thumb) as image:
        assert image.format == "JPEG" and max(image.size) <= 200
    with pytest.raises(BadInput):
        thumbnail_path(case_ws, results[1]["sha256"], 200)  # a DOCX has none: the GUI shows a document icon
    again = attach(case_ws, CORE_CASE, [files[0]], phase="after", document_type="验收报告")
    assert again[0]["already_attached"]


def test_hostile_documents_get_a_per_file_error_and_nothing_crashes(case_ws, tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/media/zeros.bin", b"\0" * (64 * 1024 * 1024))
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: refused by its size before it is read
    jpeg_as_pdf = tmp_path / "photo.pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "JPEG")
    jpeg_as_pdf.write_bytes(buffer.getvalue())
    hostile = {
        "bomb.docx": bomb, "huge.pdf": huge, "photo.pdf": jpeg_as_pdf,
        "macro.docm": write_docx(tmp_path / "macro.docm", {"word/vbaProject.bin": b"VBA"}),
        "hidden_macro.docx": write_docx(tmp_path / "hidden_macro.docx", {"word/vbaProject.bin": b"VBA"}),
        "noise.xlsx": tmp_path / "noise.xlsx", "script.exe": tmp_path / "script.exe",
    }
    hostile["noise.xlsx"].write_bytes(os.urandom(4096))
    hostile["script.exe"].write_bytes(b"MZ" + os.urandom(100))
    scripted = write_pdf(tmp_path / "scripted.pdf", javascript=True)
    run = run_bounded("--workspace", str(case_ws.root), "attach", CORE_CASE, *map(str, hostile.values()),
                      str(scripted), "--document-type", "整改方案", "--json")
    assert run.returncode == 2 and not run.timed_out, run.stderr
    assert "Traceback" not in run.stderr
    results = {os.path.basename(r["file"]): r for r in json.loads(run.stdout)}
    for name in hostile:
        assert results[name].get("error_zh") and results[name].get("error_en"), results[name]
    assert "压缩炸弹" in results["bomb.docx"]["error_zh"] and "too large" in results["huge.pdf"]["error_en"]
    assert "不是 PDF" in results["photo.pdf"]["error_zh"] and "macro" in results["macro.docm"]["error_en"]
    assert "macro" in results["hidden_macro.docx"]["error_en"]
    assert results["scripted.pdf"]["flags"] == ["pdf_javascript"]  # kept, flagged, never run
    assert results["scripted.pdf"]["flag_texts"]["pdf_javascript"]["en"].startswith("PDF contains scripts")
    count = case_ws.conn.execute("SELECT count(*) FROM evidence").fetchone()[0]
    assert count == 1
    assert_sound(case_ws.root)


def test_restoration_needs_its_plan_and_acceptance_report(case_ws, tmp_path):
    transition(case_ws, CORE_CASE, "现场核查", role="inspector", actor="t")
    add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
    transition(case_ws, CORE_CASE, "确认问题", role="inspector", actor="t")
    add_rectification(case_ws, CORE_CASE, measure_type="生态修复", measures="补植芦苇")
    transition(case_ws, CORE_CASE, "整改中", role="inspector", actor="t")
    attach_closure_photos(case_ws, CORE_CASE, tmp_path / "closure", *CENTRE)
    attach(case_ws, CORE_CASE, [write_pdf(tmp_path / "plan.pdf")], phase="after", document_type="整改方案")
    with pytest.raises(BadInput) as refused:
        transition(case_ws, CORE_CASE, "申请销号", role="inspector", actor="t")
    assert "验收报告" in refused.value.zh and "整改方案" not in refused.value.zh
    attach(case_ws, CORE_CASE, [write_docx(tmp_path / "acceptance.docx")], phase="after", document_type="验收报告")
    assert transition(case_ws, CORE_CASE, "申请销号", role="inspector", actor="t")["status"] == "申请销号"


def test_the_record_schema_checks_the_document_type():
    base = {"case_uuid": str(uuid_lib.uuid4()), "sha256": "a" * 64, "phase": "after", "created_at": STAMP,
            "updated_at": STAMP}
    assert validate_content("evidence", {**base, "kind": "document", "document_type": "验收报告"}, False) is None
    assert validate_content("evidence", {**base, "kind": "document"}, False) is None  # a countersign's scan
    bad_type = validate_content("evidence", {**base, "kind": "document", "document_type": "<script>"}, False)
    assert bad_type is not None and "document_type" in bad_type.en
    on_photo = validate_content("evidence", {**base, "kind": "photo", "document_type": "其他"}, False)
    assert on_photo is not None and "only a document has a document_type" in on_photo.en


def test_a_document_syncs_with_its_type_and_blob(server, tmp_path):  # noqa: F811
    from inspector.store.workspace import Workspace
    from tests.sync_fixtures import CASE, client_workspace, sync

    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    b = client_workspace(tmp_path / "b", server.url, "inspector_a")
    sync(a)
    with Workspace.open(a) as ws:
        [result] = attach(ws, CASE, [write_pdf(tmp_path / "plan.pdf")], phase="after", document_type="整改方案",
                          actor="inspector_a")
    pushed = sync(a)
    assert pushed.rejected == 0 and pushed.blobs_uploaded == 1 and pushed.verified
    pulled = sync(b)
    assert pulled.blobs_downloaded == 1 and pulled.verified
    with Workspace.open(b) as ws:
        row = ws.conn.execute("SELECT kind, document_type, sha256 FROM evidence WHERE uuid = ?",
                              (result["evidence_uuid"],)).fetchone()
        assert tuple(row) == ("document", "整改方案", result["sha256"])
