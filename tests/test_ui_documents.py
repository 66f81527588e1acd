"""The gallery attaches documents with a type (添加文件/文档) and shows them with their type (issue 17 item 4)."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog

from tests.test_documents import write_docx, write_pdf
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_job
from ui.cases.evidence_gallery import EvidenceGallery, EvidenceViewer


def test_gallery_attaches_documents_with_their_type(session, qtbot, tmp_path, monkeypatch):
    case = session.ws.conn.execute("SELECT id, uuid FROM cases ORDER BY id LIMIT 1").fetchone()
    gallery = EvidenceGallery(session)
    qtbot.addWidget(gallery)
    gallery.show_case(case["uuid"], case["id"])
    plan, report = write_pdf(tmp_path / "plan.pdf"), write_docx(tmp_path / "report.docx")
    jobs = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kw: ("验收报告", True))  # the type chooser
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kw: ([str(report)], ""))
    original = gallery.attach_files
    monkeypatch.setattr(gallery, "attach_files", lambda files, document_type=None: jobs.append(
        original(files, document_type=document_type)))
    gallery.document_button.click()
    [job] = jobs
    [result], error = wait_job(qtbot, job)
    assert error is None and result["kind"] == "document" and result["document_type"] == "验收报告"
    [pdf], error = wait_job(qtbot, original([str(plan)], document_type="整改方案"))
    assert error is None
    gallery.show_case(case["uuid"], case["id"])
    texts = [gallery.list.item(i).text() for i in range(gallery.list.count())]
    assert "验收报告\nreport.docx" in texts and "整改方案\nplan.pdf" in texts
    icons = {gallery.list.item(i).text(): gallery.list.item(i).icon() for i in range(gallery.list.count())}
    assert not icons["验收报告\nreport.docx"].isNull()  # the generic document icon
    assert not icons["整改方案\nplan.pdf"].isNull()  # the first page
    viewer = EvidenceViewer(session, pdf["evidence_uuid"])
    qtbot.addWidget(viewer)
    assert "整改方案" in viewer.fields["类型"].text() and viewer.image.pixmap() is not None
    assert not viewer.image.pixmap().isNull()
