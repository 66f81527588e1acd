"""The reviewer's queue: approve one acceptance step (after a confirmation), return with a reason,
buttons that never move, messages that say plainly what happened, refusals for inspectors."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from inspector.casework.case_queries import status_counts
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import account, move_to_closure_request, show_exposed, wait_job


def _place(ws, uuid: str) -> tuple[str, str]:
    row = ws.conn.execute("SELECT city_adcode, county_adcode FROM cases WHERE uuid = ?", (uuid,)).fetchone()
    return row[0], row[1]


def _confirm_button(box):
    return next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)


def _confirm(qtbot, queue):
    """Approve the selected case and answer 确认通过; returns the started job."""
    box = queue.approve()
    assert box is not None and queue.confirmation is box
    _confirm_button(box).click()
    assert queue.confirmation is None
    if queue.signature_dialog is not None:  # the county's and the city's acceptance ask for a signature
        queue.signature_dialog.skip_button.click()
    return queue.last_job


def _queue_in_every_review_state(session, tmp_path) -> dict[str, str]:
    """Three demo cases waiting at 申请销号, 县级验收 and 市级验收: state → case uuid."""
    from inspector.casework.workflow import transition

    ws = session.ws
    cases = {}
    for state, case_no in (("申请销号", "LD2026-320100-001"), ("县级验收", "LD2026-320100-002"),
                           ("市级验收", "LD2026-320100-003")):
        uuid = move_to_closure_request(ws, case_no, tmp_path)
        city, county = _place(ws, uuid)
        if state != "申请销号":
            transition(ws, case_no, "县级验收", role="reviewer", actor="县审核", jurisdiction=county)
        if state == "市级验收":
            transition(ws, case_no, "市级验收", role="reviewer", actor="市审核", jurisdiction=city)
        cases[state] = uuid
    return cases


def _button_geometry(queue) -> list:
    queue.layout().activate()  # lay out now what the selection changed (Qt otherwise defers it)
    return [(b.mapTo(queue, b.rect().topLeft()), b.size()) for b in (queue.approve_button, queue.return_button)]


def _pixel(widget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", [(1000, 700), (800, 1280)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_buttons_keep_their_place_and_size_whatever_is_selected(session, qtbot, tmp_path, language, size):
    from ui import i18n
    from ui.review.review_queue import ReviewQueuePanel

    cases = _queue_in_every_review_state(session, tmp_path)
    session.set_role("reviewer")
    i18n.set_language(language)
    queue = show_exposed(qtbot, ReviewQueuePanel(session), size)
    assert not queue.approve_button.isEnabled()
    before = _button_geometry(queue)
    for state, uuid in cases.items():
        assert queue.list.select_case(uuid)
        qtbot.waitUntil(lambda: queue.approve_button.isEnabled())
        assert queue.approve_button.text() != queue.tr("✔ 通过")  # names the target
        assert _button_geometry(queue) == before, state
        button = queue.approve_button
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()  # the label fits
    queue.close()


def test_disabled_buttons_look_disabled(session, qtbot):
    from ui.review.review_queue import ReviewQueuePanel
    from ui.style import ACCENT

    queue = show_exposed(qtbot, ReviewQueuePanel(session), (1000, 700))
    button = queue.approve_button
    assert not button.isEnabled()
    middle = button.height() // 2
    disabled = _pixel(button, 4, middle)
    button.setEnabled(True)
    enabled = _pixel(button, 4, middle)
    assert enabled.name() == QColor(ACCENT).name()
    assert disabled.name() != enabled.name() and disabled.lightness() > 200  # grey, not the live green
    queue.close()


def test_approval_is_confirmed_naming_case_and_target_and_cancel_changes_nothing(session, qtbot, tmp_path):
    from ui.review.review_queue import ReviewQueuePanel

    uuid = move_to_closure_request(session.ws, "LD2026-320100-001", tmp_path)
    moves = session.ws.conn.execute("SELECT count(*) FROM transitions").fetchone()[0]
    queue = show_exposed(qtbot, ReviewQueuePanel(session), (1000, 700))
    assert queue.list.select_case(uuid)
    box = queue.approve()
    assert "LD2026-320100-001" in box.text() and "县级验收" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert queue.confirmation is None and queue.last_job is None
    assert session.ws.conn.execute("SELECT count(*) FROM transitions").fetchone()[0] == moves
    status = session.ws.conn.execute("SELECT status FROM cases WHERE uuid = ?", (uuid,)).fetchone()[0]
    assert status == "申请销号"
    queue.close()


def _draw(pad) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(60, 60))
    QTest.mouseMove(pad, QPoint(160, 110))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(220, 80))


def test_acceptance_asks_for_the_reviewers_signature(session, qtbot, tmp_path, monkeypatch):
    from ui import operations
    from ui.review import office_operations
    from ui.review.review_queue import ReviewQueuePanel

    approvals = []

    def approve(**call):  # the signed transition is the records engineer's core API: record what is asked
        approvals.append(call)
        return operations.Job("transition")

    monkeypatch.setattr(office_operations, "approve", approve)
    cases = _queue_in_every_review_state(session, tmp_path)
    session.set_role("reviewer")
    queue = show_exposed(qtbot, ReviewQueuePanel(session), (1000, 700))
    queue.list.select_case(cases["申请销号"])
    _confirm_button(queue.approve()).click()
    pad = queue.signature_dialog
    assert pad is not None and "测试员" in pad.signer.text() and "县级验收" in pad.windowTitle()
    pad.cancel_button.click()  # cancelling the pad cancels the approval
    assert approvals == [] and queue.signature_dialog is None
    _confirm_button(queue.approve()).click()
    _draw(queue.signature_dialog.pad)
    assert queue.signature_dialog.confirm()
    signature = approvals[-1]["signature"]
    assert approvals[-1]["target"] == "县级验收" and approvals[-1]["case_uuid"] == cases["申请销号"]
    assert signature.signer_role == "county" and signature.signer_name == "测试员"
    assert signature.png.startswith(b"\x89PNG")
    queue.list.select_case(cases["县级验收"])
    _confirm_button(queue.approve()).click()
    queue.signature_dialog.skip_button.click()  # a clear choice to approve without signing
    assert approvals[-1]["target"] == "市级验收" and approvals[-1]["signature"] is None
    queue.list.select_case(cases["市级验收"])
    _confirm_button(queue.approve()).click()  # closing (→ 已销号) is not a signed acceptance step
    assert queue.signature_dialog is None and approvals[-1]["target"] == "已销号"
    queue.close()


def test_messages_differ_and_clear_when_the_selection_changes(session, qtbot, tmp_path):
    from ui.review.review_queue import ReviewQueuePanel

    first = move_to_closure_request(session.ws, "LD2026-320100-001", tmp_path)
    second = move_to_closure_request(session.ws, "LD2026-320100-002", tmp_path)
    session.set_role("reviewer")
    session.set_actor(account("测试员", jurisdiction=_place(session.ws, first)[1]))
    queue = show_exposed(qtbot, ReviewQueuePanel(session), (1000, 700))
    queue.list.select_case(second)
    assert queue.send_back() is None
    refusal = queue.message.text()
    assert refusal.startswith("✖ ") and "退回须填写原因" in refusal
    assert queue.message.objectName() == "refusal" and queue.message.isVisible()
    refusal_colour = _pixel(queue.message, queue.message.width() - 5, queue.message.height() // 2)
    assert refusal_colour.red() > refusal_colour.green() + 10  # a red box, not the panel's grey
    queue.list.select_case(first)
    assert not queue.message.isVisible() and queue.message.text() == ""

    result, error = wait_job(qtbot, _confirm(qtbot, queue))
    assert error is None and result["status"] == "县级验收"
    qtbot.waitUntil(lambda: queue.message.isVisible())
    assert queue.message.text().startswith("✔ ") and "县级验收" in queue.message.text()
    assert queue.message.objectName() == "notice"
    notice_colour = _pixel(queue.message, queue.message.width() - 5, queue.message.height() // 2)
    assert notice_colour.green() > notice_colour.red() + 10  # a green box
    queue.list.select_case(second)
    assert not queue.message.isVisible()
    queue.close()


def test_reviewer_approves_and_returns(session, new_window, qtbot, tmp_path):
    first = move_to_closure_request(session.ws, "LD2026-320100-001", tmp_path)
    second = move_to_closure_request(session.ws, "LD2026-320100-002", tmp_path)
    city, county = _place(session.ws, first)
    session.set_role("reviewer")
    window = new_window()
    window.show()
    queue = window.queue
    assert window.left.currentWidget() is queue
    assert queue.list.model.rowCount() == 2
    assert queue.list.select_case(first)
    assert queue.approve_button.text() == "✔ 通过 → 县级验收"
    session.set_actor(account("测试员", jurisdiction=county))  # the county accepts first
    result, error = wait_job(qtbot, _confirm(qtbot, queue))
    assert error is None and result["status"] == "县级验收"
    qtbot.waitUntil(lambda: "县级验收" in queue.message.text())
    assert queue.list.model.rowCount() == 2  # still waiting for the city
    queue.list.select_case(first)
    result, error = wait_job(qtbot, _confirm(qtbot, queue))
    assert error is not None and "市级" in error  # a county reviewer cannot accept for the city
    qtbot.waitUntil(lambda: queue.message.text().startswith("✖ "))
    session.set_actor(account("测试员", jurisdiction=city))
    result, error = wait_job(qtbot, _confirm(qtbot, queue))
    assert result["status"] == "市级验收"

    queue.list.select_case(second)
    assert queue.send_back() is None
    assert "退回须填写原因" in queue.message.text()
    queue.reason.setText("整改后照片看不清")
    session.set_actor(account("测试员", jurisdiction=_place(session.ws, second)[1]))
    result, error = wait_job(qtbot, queue.send_back())
    assert error is None and result["status"] == "整改中"
    qtbot.waitUntil(lambda: queue.list.model.rowCount() == 1)
    history = session.ws.conn.execute("SELECT reason FROM transitions WHERE action = '退回'").fetchone()
    assert history[0] == "整改后照片看不清"
    assert status_counts(session.ws)["市级验收"] == 1
    assert "市级验收" in window.summary.counts.text()


def test_inspector_sees_no_acceptance_moves(window, qtbot, tmp_path):
    uuid = move_to_closure_request(window.session.ws, "LD2026-320100-003", tmp_path)
    with qtbot.waitSignal(window.detail.loaded, timeout=10_000):
        window.select_case(uuid)
    assert window.detail.chip.text() == "申请销号"
    assert window.detail.findChild(QPushButton, "move:县级验收") is None
    assert any("当前角色无可用流转" in label.text() for label in window.detail.findChildren(QLabel))
    window.session.set_role("reviewer")
    qtbot.waitUntil(lambda: window.detail.findChild(QPushButton, "move:县级验收") is not None)
    assert window.left.currentWidget() is window.queue


def test_a_signature_drawn_at_acceptance_is_stamped_on_the_closure_form(session, qtbot, tmp_path):
    """The pad → the signed transition → the closure form: the drawn stroke is in the county's box of the rendered
    PDF (pdftoppm), under the signer's display name."""
    from inspector.forms.form_data import gather_case
    from inspector.forms.render import render_form
    from tests.test_records_forms import _dark_pixels_above
    from ui.review.review_queue import ReviewQueuePanel

    uuid = move_to_closure_request(session.ws, "LD2026-320100-001", tmp_path)
    session.set_actor(account("county_k", jurisdiction=_place(session.ws, uuid)[1], name="县审核员甲"))
    session.set_role("reviewer")
    queue = show_exposed(qtbot, ReviewQueuePanel(session), (1000, 700))
    assert queue.list.select_case(uuid)
    _confirm_button(queue.approve()).click()
    _draw(queue.signature_dialog.pad)
    assert queue.signature_dialog.confirm()
    result, error = wait_job(qtbot, queue.last_job)
    assert error is None and result["status"] == "县级验收" and len(result["signature_uuids"]) == 1
    pdf = tmp_path / "closure.pdf"
    pdf.write_bytes(render_form(gather_case(session.ws, uuid), "closure", generated_at="2026-02-01 10:00"))
    assert _dark_pixels_above(pdf, "县审核员甲", tmp_path / "raster") > 100
    queue.close()
