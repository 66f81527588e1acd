"""The office dialogs: 会签, 公示 and 抽查 check their values and hand them on; signatures at sign-off.

The core calls behind 会签, 公示 and signed findings are the records engineer's API
(:mod:`ui.review.office_operations`); here the dialogs' own behaviour is tested — what they refuse and
what they produce — by recording what they ask of that module. 抽查 is a workflow transition and runs
for real.
"""
from __future__ import annotations

from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtTest import QTest

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import account, show_exposed, wait_job

DEPARTMENTS = ("自然资源", "林业", "水利", "农业农村", "其他")  # the core's list (design of issue 13)
CASE_NO = "LD2026-320100-001"


def _uuid(ws, case_no: str = CASE_NO) -> str:
    return ws.conn.execute("SELECT uuid FROM cases WHERE case_no = ?", (case_no,)).fetchone()[0]


def _draw(pad) -> None:
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(60, 60))
    QTest.mouseMove(pad, QPoint(160, 110))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(240, 70))


def _recorder(monkeypatch, name: str) -> list[dict]:
    from ui import operations
    from ui.review import office_operations

    calls: list[dict] = []

    def record(**call):
        calls.append(call)
        return operations.Job(name)

    monkeypatch.setattr(office_operations, name, record)
    return calls


def test_countersign_needs_signer_and_opinion_and_produces_its_values(session, qtbot, tmp_path, monkeypatch):
    from ui.review import office_operations
    from ui.review.office_dialogs import CountersignDialog

    monkeypatch.setattr(office_operations, "departments", lambda: DEPARTMENTS)
    calls = _recorder(monkeypatch, "add_countersign")
    dialog = show_exposed(qtbot, CountersignDialog(session, _uuid(session.ws)), (640, 600))
    assert [dialog.department.itemData(i) for i in range(dialog.department.count())] == list(DEPARTMENTS)
    assert not dialog.ok_button.isEnabled() and "签署人" in dialog.errors.text()
    assert dialog.save() is None and calls == []
    dialog.department.setCurrentIndex(1)
    dialog.signer.setText("林业局 王五")
    dialog.opinion.setPlainText("同意销号")
    dialog.signed_on.setDate(QDate.currentDate().addDays(3))
    assert "签署日期不能晚于今天" in dialog.errors.text() and not dialog.ok_button.isEnabled()
    dialog.signed_on.setDate(QDate(2026, 3, 2))
    dialog.choose_document(str(tmp_path / "missing.pdf"))
    assert "扫描件不存在" in dialog.errors.text()
    scan = tmp_path / "会签单.pdf"
    scan.write_bytes(b"%PDF-1.4\n")
    dialog.choose_document(str(scan))
    assert dialog.ok_button.isEnabled() and dialog.document_label.text() == "会签单.pdf"

    pad = dialog.signature.open_pad()
    assert "林业局 王五" in pad.signer.text()
    _draw(pad.pad)
    assert pad.confirm()
    assert dialog.signature.captured.signer_role == "countersign" and "已签名" in dialog.signature.state.text()
    dialog.ok_button.click()
    call = calls[-1]
    assert call["case_uuid"] == _uuid(session.ws)
    assert (call["department"], call["signer"], call["opinion"], call["signed_on"], call["document"]) == (
        "林业", "林业局 王五", "同意销号", "2026-03-02", str(scan))
    assert call["signature"].png.startswith(b"\x89PNG") and call["signature"].signer_name == "林业局 王五"
    assert not dialog.ok_button.isEnabled()  # while the operation runs


def test_a_signature_needs_the_signers_name_first(session, qtbot, monkeypatch):
    from ui.review import office_operations
    from ui.review.office_dialogs import CountersignDialog

    monkeypatch.setattr(office_operations, "departments", lambda: DEPARTMENTS)
    dialog = show_exposed(qtbot, CountersignDialog(session, _uuid(session.ws)), (640, 600))
    assert dialog.signature.open_pad() is None and "签名人姓名" in dialog.signature.state.text()
    dialog.signer.setText("赵六")
    pad = dialog.signature.open_pad()
    _draw(pad.pad)
    pad.confirm()
    dialog.signature.clear_button.click()
    assert dialog.signature.captured is None and dialog.signature.state.text() == "未签名"


def test_publicity_period_must_be_in_order_with_a_place(session, qtbot, monkeypatch):
    from ui.review.office_dialogs import PublicityDialog

    calls = _recorder(monkeypatch, "add_publicity")
    dialog = show_exposed(qtbot, PublicityDialog(session, _uuid(session.ws)), (560, 320))
    assert "请填写公示地点" in dialog.errors.text()
    dialog.where.setText("县政府网站")
    dialog.starts_on.setDate(QDate(2026, 4, 10))
    dialog.ends_on.setDate(QDate(2026, 4, 1))
    assert "不能早于开始日期" in dialog.errors.text() and dialog.save() is None
    dialog.ends_on.setDate(QDate(2026, 4, 17))
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert calls == [{"session": session, "case_uuid": _uuid(session.ws), "starts_on": "2026-04-10",
                      "ends_on": "2026-04-17", "where": "县政府网站"}]


def test_spot_check_only_on_closed_cases_and_reopening_needs_a_reason(session, qtbot):
    from ui.review.office_dialogs import SpotCheckDialog

    uuid = _uuid(session.ws)
    open_case = show_exposed(qtbot, SpotCheckDialog(session, uuid), (560, 360))
    assert "只能抽查已销号的问题" in open_case.errors.text() and not open_case.ok_button.isEnabled()
    open_case.close()
    session.ws.conn.execute("UPDATE cases SET status = '已销号' WHERE uuid = ?", (uuid,))  # a closed case
    session.ws.conn.commit()
    session.set_role("reviewer")
    session.set_actor(account("测试员", jurisdiction="320000"))  # 抽查 is the province's
    dialog = show_exposed(qtbot, SpotCheckDialog(session, uuid), (560, 360))
    assert dialog.ok_button.isEnabled() and dialog.values() == {"outcome": "confirmed", "reason": None}
    dialog.reopened.setChecked(True)
    assert "重新打开须填写原因" in dialog.errors.text() and not dialog.ok_button.isEnabled()
    dialog.reason.setPlainText("复核发现养殖塘复养")
    assert dialog.values() == {"outcome": "reopened", "reason": "复核发现养殖塘复养"}
    result, error = wait_job(qtbot, dialog.save())
    assert error is None and result["action"] == "抽查" and result["status"] == "整改中"
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)


def test_case_detail_opens_the_office_dialogs(session, qtbot, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    from ui.cases.case_detail import CaseDetailPanel
    from ui.review import office_operations
    from ui.review.office_dialogs import CountersignDialog, PublicityDialog, SpotCheckDialog

    monkeypatch.setattr(office_operations, "departments", lambda: DEPARTMENTS)
    uuid = _uuid(session.ws)
    session.ws.conn.execute("UPDATE cases SET status = '已销号' WHERE uuid = ?", (uuid,))
    session.ws.conn.commit()
    panel = show_exposed(qtbot, CaseDetailPanel(session), (700, 800))
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show_case(uuid)
    assert not panel.countersign_button.isVisible() and not panel.publicity_button.isVisible()  # the office's
    session.set_role("reviewer")
    assert panel.countersign_button.isVisible() and panel.publicity_button.isVisible()
    panel.findChild(QPushButton, "move:抽查").click()
    assert panel.findChild(SpotCheckDialog).isVisible()
    panel.countersign_button.click()
    panel.publicity_button.click()
    assert panel.findChild(CountersignDialog).isVisible() and panel.findChild(PublicityDialog).isVisible()


def test_finding_form_takes_the_inspectors_and_the_inspected_partys_signatures(session, qtbot, monkeypatch):
    from ui.cases.finding_form import FindingForm

    calls = _recorder(monkeypatch, "add_signed_finding")
    form = show_exposed(qtbot, FindingForm(session, _uuid(session.ws)), (900, 760))
    form.assessment.setCurrentIndex(form.assessment.findData("确认问题"))
    form.activity.setCurrentIndex(1)
    form.description.setPlainText("养殖塘")
    assert form.party_signature.open_pad() is None  # no name of the inspected party yet
    form.party.setText("某养殖场 陈七")
    for field in (form.inspector_signature, form.party_signature):
        pad = field.open_pad()
        _draw(pad.pad)
        assert pad.confirm()
    signatures = form.signatures()
    assert [(s.signer_role, s.signer_name) for s in signatures] == [("inspector", "测试员"),
                                                                     ("inspected_party", "某养殖场 陈七")]
    assert form.save() is not None
    assert calls[-1]["signatures"] == signatures and calls[-1]["values"]["description"] == "养殖塘"


def test_finding_without_signatures_is_saved_as_before(session, qtbot):
    from ui.cases.finding_form import FindingForm

    form = show_exposed(qtbot, FindingForm(session, _uuid(session.ws)), (900, 760))
    form.assessment.setCurrentIndex(form.assessment.findData("确认问题"))
    form.activity.setCurrentIndex(1)
    form.description.setPlainText("养殖塘")
    result, error = wait_job(qtbot, form.save())
    assert error is None and result["assessment"] == "确认问题"
