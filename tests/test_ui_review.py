"""The reviewer's queue: approve one acceptance step, return with a reason, refusals for inspectors."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import account, move_to_closure_request, wait_job


def test_reviewer_approves_and_returns(session, new_window, qtbot, tmp_path):
    first = move_to_closure_request(session.ws, "LD2026-320100-001", tmp_path)
    second = move_to_closure_request(session.ws, "LD2026-320100-002", tmp_path)
    session.set_role("reviewer")
    window = new_window()
    window.show()
    queue = window.queue
    assert window.left.currentWidget() is queue
    assert queue.list.model.rowCount() == 2
    assert queue.list.select_case(first)
    assert queue.approve_button.text() == "✔ 通过 → 县级验收"
    result, error = wait_job(qtbot, queue.approve())
    assert error is None and result["status"] == "县级验收"
    qtbot.waitUntil(lambda: "县级验收" in queue.message.text())
    assert queue.list.model.rowCount() == 2  # still waiting for the city
    session.set_actor(account("city_nj", jurisdiction="320100", name="南京市审核员"))  # the city accepts next
    queue.list.select_case(first)
    result, error = wait_job(qtbot, queue.approve())
    assert error is None and result["status"] == "市级验收"
    assert result["actor_name"] == "南京市审核员" and result["jurisdiction"] == "320100"
    session.set_actor(account("测试员", jurisdiction="320116"))

    queue.list.select_case(second)
    assert queue.send_back() is None
    assert "退回须填写原因" in queue.message.text()
    queue.reason.setText("整改后照片看不清")
    result, error = wait_job(qtbot, queue.send_back())
    assert error is None and result["status"] == "整改中"
    qtbot.waitUntil(lambda: queue.list.model.rowCount() == 1)
    history = session.ws.conn.execute("SELECT reason FROM transitions WHERE action = '退回'").fetchone()
    assert history[0] == "整改后照片看不清"
    assert session.status_counts()["市级验收"] == 1
    assert "市级验收" in window.summary.counts.text()


def test_inspector_sees_no_acceptance_moves(window, qtbot, tmp_path):
    uuid = move_to_closure_request(window.session.ws, "LD2026-320100-003", tmp_path)
    window.select_case(uuid)
    assert window.detail.chip.text() == "申请销号"
    assert window.detail.findChild(QPushButton, "move:县级验收") is None
    assert any("当前角色无可用流转" in label.text() for label in window.detail.findChildren(QLabel))
    window.session.set_role("reviewer")
    qtbot.waitUntil(lambda: window.detail.findChild(QPushButton, "move:县级验收") is not None)
    assert window.left.currentWidget() is window.queue
