"""The form preview: it opens at a readable size, prints (to a PDF printer here, no dialog), and 选择表单照片…
chooses the closure form's pairs, which the re-rendered PDF then shows in that order."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from inspector.casework.evidence_attach import attach
from inspector.casework.form_evidence import form_evidence
from tests.evidence_fixtures import make_recent_photo
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_job


def _photographed_case(session, tmp_path) -> tuple[dict, dict[str, str]]:
    """A demo case with two 整改前 and two 整改后 photos: (case row, evidence uuid by name)."""
    case = dict(session.ws.conn.execute("SELECT uuid, case_no, lon, lat FROM cases WHERE deleted = 0 ORDER BY id "
                                        "LIMIT 1").fetchone())
    uuids = {}
    for day, (name, phase) in enumerate((("b1", "before"), ("b2", "before"), ("a1", "after"), ("a2", "after")), 1):
        photo = make_recent_photo(tmp_path / f"{name}.jpg", case["lon"], case["lat"],
                                  minutes_ago=(10 - day) * 24 * 60)  # clean evidence, in this order
        [item] = attach(session.ws, case["uuid"], [photo], phase=phase)
        uuids[name] = item["evidence_uuid"]
    return case, uuids


def _captions(pdf: bytes) -> list[str]:
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    return re.findall(r"SHA-256：([0-9a-f]{12})", text)


def _short(session, uuid: str) -> str:
    return session.ws.conn.execute("SELECT sha256 FROM evidence WHERE uuid = ?", (uuid,)).fetchone()[0][:12]


def test_preview_prints_and_chosen_pairs_reach_the_closure_form(session, qtbot, tmp_path):
    from ui.cases.form_preview import FormPreview, readable_size

    case, uuids = _photographed_case(session, tmp_path)
    preview = FormPreview(session, case["uuid"], case["case_no"], "closure")
    qtbot.addWidget(preview)
    assert preview.size() == readable_size(preview.screen())
    assert preview.width() >= min(790, preview.screen().availableGeometry().width() * 0.9 - 1)  # A4 at 96 dpi
    wait_job(qtbot, preview.job, timeout=60_000)
    qtbot.waitUntil(lambda: preview.print_button.isEnabled())

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert preview.print_pdf(printer) == preview.document.pageCount() >= 2
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == preview.document.pageCount()

    dialog = preview.choose_photos()
    assert dialog.pairs.count() == 2  # the default: b1↔a1, b2↔a2
    dialog.pairs.clear()
    dialog.before_box.setCurrentIndex(dialog.before_box.findData(uuids["b2"]))
    dialog.after_box.setCurrentIndex(dialog.after_box.findData(uuids["a1"]))
    qtbot.mouseClick(next(b for b in dialog.findChildren(type(preview.print_button)) if b.text() == "添加配对"),
                     Qt.MouseButton.LeftButton)
    for row in range(dialog.photos.count()):
        item = dialog.photos.item(row)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == uuids["b1"]
                           else Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_job(qtbot, dialog.job)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)
    shown = form_evidence(session.ws, case["uuid"], "closure")
    assert shown["chosen"] and shown["pairs"] == [{"before": uuids["b2"], "after": uuids["a1"]}]
    wait_job(qtbot, preview.job, timeout=60_000)  # rendered again with the choice
    qtbot.waitUntil(lambda: _captions(preview.pdf_bytes) == [_short(session, uuids[n]) for n in ("b2", "a1", "b1")])
