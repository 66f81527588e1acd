"""Corrections in the GUI (issue 17, item 3): 作废… with a reason through the evidence gallery, the voided photo
shown struck through, and its void in the case's history."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog

from inspector.casework.corrections import case_history
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import make_geotagged_photo, wait_job
from ui.cases.correction_dialogs import CorrectionDialog


def test_void_a_photo_through_the_gallery_and_see_it_struck_through(window, qtbot, tmp_path, monkeypatch):
    window.case_list.table.selectRow(0)
    record = window.case_list.model.record_at(0)
    qtbot.waitUntil(lambda: window.detail.case_uuid == record["uuid"])
    case = window.session.ws.conn.execute("SELECT lon, lat FROM cases WHERE uuid = ?", (record["uuid"],)).fetchone()
    gallery = window.detail.gallery
    wait_job(qtbot, gallery.attach_files([str(make_geotagged_photo(tmp_path / "site.jpg", case["lon"], case["lat"]))]))
    qtbot.waitUntil(lambda: gallery.list.count() == 1)
    assert not gallery.list.item(0).font().strikeOut()

    def answer(dialog: CorrectionDialog) -> int:
        dialog.reason_edit.setText("<b>拍错</b> 地块")  # markup in a reason stays text
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(CorrectionDialog, "exec", answer)
    gallery.list.setCurrentRow(0)
    result, error = wait_job(qtbot, gallery.correct_selected("void"))
    assert error is None and result["voided_at"]
    qtbot.waitUntil(lambda: gallery.list.count() == 1 and gallery.list.item(0).font().strikeOut())
    assert "已作废：<b>拍错</b> 地块" in gallery.flags_label.text()
    assert gallery.flags_label.textFormat().name == "PlainText"
    [void] = [r for r in case_history(window.session.ws, record["uuid"]) if r["action"] == "作废"]
    assert void["reason"] == "<b>拍错</b> 地块" and void["actor"] == window.session.actor.user
