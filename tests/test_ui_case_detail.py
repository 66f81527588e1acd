"""The case detail: attach a photo, record a finding (validation, undo), workflow moves and refusals,
form preview and export."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QPushButton

from evidence_fixtures import make_recent_photo
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import make_geotagged_photo, run_js, wait_job


def _select_first(window, qtbot) -> dict:
    window.case_list.table.selectRow(0)
    record = window.case_list.model.record_at(0)
    qtbot.waitUntil(lambda: window.detail.case_uuid == record["uuid"])
    return record


def _move_button(window, action: str) -> QPushButton:
    return window.detail.findChild(QPushButton, f"move:{action}")


def test_attach_a_photo_at_the_case_position(window, qtbot, tmp_path):
    record = _select_first(window, qtbot)
    case = window.session.ws.conn.execute("SELECT lon, lat FROM cases WHERE uuid = ?", (record["uuid"],)).fetchone()
    photo = make_recent_photo(tmp_path / "site.jpg", case["lon"], case["lat"])
    gallery = window.detail.gallery
    job = gallery.attach_files([str(photo)])
    result, error = wait_job(qtbot, job)
    assert error is None and result[0]["evidence_uuid"]
    qtbot.waitUntil(lambda: gallery.list.count() == 1)
    assert "现场核查" in gallery.list.item(0).text()
    assert "已添加 1 个文件" in window.detail.message.text()
    assert not gallery.flags_label.isVisible()


def test_dropped_file_outside_jiangsu_is_flagged_in_chinese(window, qtbot, tmp_path):
    _select_first(window, qtbot)
    photo = make_geotagged_photo(tmp_path / "hebei.jpg", 116.5, 39.5)
    gallery = window.detail.gallery
    gallery.phase_box.setCurrentIndex(gallery.phase_box.findData("before"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    gallery.list.dropEvent(event)
    qtbot.waitUntil(lambda: gallery.list.count() == 1, timeout=10_000)
    assert "照片位置不在江苏省内" in gallery.flags_label.text()
    assert gallery.list.item(0).text().startswith("⚠") and "整改前" in gallery.list.item(0).text()


def test_transition_and_refusal_with_the_reason(window, qtbot):
    record = _select_first(window, qtbot)
    assert window.detail.chip.text() == "待核查"
    _move_button(window, "现场核查").click()
    qtbot.waitUntil(lambda: window.detail.chip.text() == "现场核查")
    assert "已转为：现场核查" in window.detail.message.text()
    assert window.case_list.model.record_at(0)["status"] == "现场核查"
    _move_button(window, "确认问题").click()
    qtbot.waitUntil(lambda: "缺少" in window.detail.message.text())
    assert "结论为“确认问题”的核查记录" in window.detail.message.text()
    assert window.detail.message.objectName() == "refusal"
    assert window.detail.chip.text() == "现场核查"
    assert "现场核查" in window.detail.history.text()
    assert record["case_no"] in window.detail.title.text()


def test_finding_form_validates_undoes_and_saves(window, qtbot, tmp_path):
    record = _select_first(window, qtbot)
    window.detail.finding_button.click()
    form = window.finding_form
    assert not form.save_button.isEnabled()
    assert "请选择核查结论" in form.errors.text()
    form.assessment.setCurrentIndex(form.assessment.findData("确认问题"))
    form.activity.setCurrentIndex(form.activity.findData("养殖"))
    form.description.setPlainText("鱼塘 3 处")
    form.area.setText("abc")
    form._edited("area")
    assert "面积须为不小于 0 的数字" in form.errors.text()
    form.undo_stack.undo()
    assert form.area.text() == "" and form.errors.isHidden()
    form.undo_stack.undo()
    assert form.description.toPlainText() == ""
    form.undo_stack.redo()
    assert form.description.toPlainText() == "鱼塘 3 处"
    case = window.session.ws.conn.execute("SELECT lon, lat FROM cases WHERE uuid = ?", (record["uuid"],)).fetchone()
    photo = make_geotagged_photo(tmp_path / "p.jpg", case["lon"] + 0.0005, case["lat"])
    form.use_photo(str(photo))
    assert "照片" in form.position_label.text()
    assert form.undo_stack.count() >= 4
    assert form.save_button.isEnabled()
    job = form.save()
    result, error = wait_job(qtbot, job)
    assert error is None and result["position_source"] == "photo_exif"
    qtbot.waitUntil(lambda: "鱼塘 3 处" in window.detail.findings.text())


def test_form_preview_and_export(window, qtbot, tmp_path):
    record = _select_first(window, qtbot)
    window.open_form_preview(record["uuid"], "inspection")
    preview = window.form_preview
    wait_job(qtbot, preview.job, timeout=60_000)
    qtbot.waitUntil(lambda: preview.pdf_bytes is not None)
    assert preview.pdf_bytes.startswith(b"%PDF")
    assert preview.document.pageCount() >= 1
    saved = preview.save(str(tmp_path / "form.pdf"))
    assert Path(saved).read_bytes().startswith(b"%PDF")
    preview.close()


def test_batch_export_with_progress(window, qtbot, tmp_path):
    from ui.cases.form_preview import BatchExport

    dialog = BatchExport(window.session, window)
    dialog.status_box.setCurrentIndex(dialog.status_box.findData("待核查"))
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("notice"))
    window.session.ws.conn.execute("UPDATE cases SET status = '已销号' WHERE case_no NOT LIKE 'LD2026-320100-%'")
    (tmp_path / "out" / "LD2026-320100-001-notice.pdf").mkdir(parents=True)  # one case cannot be written
    job = dialog.start(str(tmp_path / "out"))
    outcome, error = wait_job(qtbot, job, timeout=120_000)
    files = [form["file"] for form in outcome["forms"]]
    assert error is None and len(files) == 4
    assert [failure["case_no"] for failure in outcome["failed"]] == ["LD2026-320100-001"]
    assert dialog.progress.value() == dialog.progress.maximum() == 5
    assert all(Path(f).read_bytes().startswith(b"%PDF") for f in files)
    assert "已导出 4 份表单" in dialog.message.text() and "LD2026-320100-001" in dialog.message.text()
    QApplication.processEvents()


def _wait_map(window, qtbot) -> None:
    assert window.has_map
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)


@pytest.mark.map_page
def test_finding_form_takes_a_position_picked_on_the_map(window, qtbot):
    _wait_map(window, qtbot)
    record = _select_first(window, qtbot)
    case = window.session.ws.conn.execute("SELECT lon, lat FROM cases WHERE uuid = ?", (record["uuid"],)).fetchone()
    window.detail.finding_button.click()
    form = window.finding_form
    assert form.map_button.isEnabled()
    # Esc cancels: the form comes back with the ledger position.
    form.map_button.click()
    assert form.isHidden() and window.map_view.is_picking()
    window.pick_escape.activated.emit()
    assert form.isVisible() and not window.map_view.is_picking()
    assert "台账" in form.position_label.text()
    form.map_button.click()
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, "LvdunMap.stats().picking") is True, timeout=10_000)
    lon, lat = case["lon"] + 0.0005, case["lat"] - 0.0003
    window.map_view.page().runJavaScript(f"LvdunMap.pickAt({lon!r}, {lat!r})")
    qtbot.waitUntil(form.isVisible, timeout=10_000)
    assert "地图选点" in form.position_label.text() and f"{lon:.6f}" in form.position_label.text()
    values = form.values()
    assert values["position_source"] == "map_pick"
    assert values["lon"] == pytest.approx(lon) and values["lat"] == pytest.approx(lat)
    form.undo_stack.undo()
    assert "台账" in form.position_label.text()
    form.reject()


@pytest.mark.map_page
def test_a_workflow_step_recolours_the_case_on_the_map(window, qtbot):
    from inspector.casework.workflow import STATES

    _wait_map(window, qtbot)
    record = _select_first(window, qtbot)
    uuid = record["uuid"]
    assert run_js(qtbot, window.map_view, f"LvdunMap.statusOf('{uuid}')") == STATES.index("待核查")
    reloads = []
    window.map_view.mapReady.connect(lambda: reloads.append(1))
    _move_button(window, "现场核查").click()
    qtbot.waitUntil(lambda: run_js(qtbot, window.map_view, f"LvdunMap.statusOf('{uuid}')") == STATES.index("现场核查"),
                    timeout=10_000)
    assert reloads == [] and window.map_ready  # in place: no new map document


def test_rectification_dialog_shows_a_refusal_and_closes_once_saved(session, qtbot):
    from ui.cases.rectification_dialogs import RectificationDialog

    case_uuid = session.ws.conn.execute("SELECT uuid FROM cases ORDER BY id LIMIT 1").fetchone()[0]
    missing = RectificationDialog(session, "00000000-0000-4000-8000-000000000000")
    qtbot.addWidget(missing)
    missing.show()
    missing.measures.setPlainText("拆除")
    wait_job(qtbot, missing.submit())
    assert missing.isVisible() and missing.errors.isVisible() and missing.errors.text()
    assert missing.buttons.isEnabled() and missing.job is None  # can be corrected and submitted again
    dialog = RectificationDialog(session, case_uuid)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.measures.setPlainText("拆除违建")
    dialog.unit.setText("射阳县农业农村局")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        job = dialog.submit()
        assert not dialog.buttons.isEnabled() and dialog.submit() is None  # one operation at a time
    assert dialog.errors.isHidden() and job.result is not None
    stored = session.ws.conn.execute("SELECT measures, responsible_unit FROM rectifications").fetchall()
    assert [tuple(row) for row in stored] == [("拆除违建", "射阳县农业农村局")]


def test_case_detail_shows_the_before_and_after_chips(window, qtbot, tmp_path):
    from inspector.imagery.chips import CHIP_PX
    from inspector.imagery.imagery_store import add_epoch
    from tests.imagery_fixtures import write_scene

    ws = window.session.ws
    record = window.case_list.model.record_at(0)
    case = ws.conn.execute("SELECT lon, lat FROM cases WHERE uuid = ?", (record["uuid"],)).fetchone()
    for label, date in (("2023秋", "2023-10-01"), ("2024秋", "2024-10-01")):
        add_epoch(ws, write_scene(tmp_path / f"{label}.tif", (case["lon"], case["lat"]), size_px=800), label, date=date)
    _select_first(window, qtbot)
    panel = window.detail.imagery
    qtbot.waitUntil(lambda: panel.captions["after"].text().startswith("后时相："))
    assert not panel.note.isVisible()
    assert panel.captions["before"].text() == "前时相：2023秋（2023-10-01）"
    assert panel.captions["after"].text() == "后时相：2024秋（2024-10-01）"
    for role in ("before", "after"):
        pixmap = panel.images[role].pixmap()
        assert not pixmap.isNull() and pixmap.width() <= CHIP_PX
