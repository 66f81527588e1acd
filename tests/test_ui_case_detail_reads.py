"""The case detail reads a case on the session's reading thread: choosing a case returns to the event loop
at once, the previous case stays on show meanwhile, and only the case chosen last is shown when the answer
arrives by signal (held reading thread: :func:`tests.test_ui_background_reads.reading_thread_held`)."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout

from inspector.casework.case_queries import case_record
from tests.test_ui_background_reads import reading_thread_held
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_reads


def test_choosing_a_case_returns_before_its_read_ends(window, qtbot):
    detail, model = window.detail, window.case_list.model
    first, second = model.record_at(0), model.record_at(1)
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        detail.show_case(first["uuid"])
    assert detail.case_uuid == first["uuid"] and detail.title.text() == first["case_no"]
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        with reading_thread_held(window.session):
            detail.show_case(second["uuid"])
            assert detail.loading  # the call returned; the panel waits for the answer
            assert detail.case_uuid == first["uuid"] and detail.title.text() == first["case_no"]
    assert not detail.loading and detail.case_uuid == second["uuid"]
    assert detail.title.text() == second["case_no"] and detail.case == case_record(window.session.ws, second["uuid"])
    assert detail.history.text() and "审计日志中本问题的记录" in detail.audit.text()
    fields = {detail.problem.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text():
              detail.problem.itemAt(row, QFormLayout.ItemRole.FieldRole).widget().text()
              for row in range(detail.problem.rowCount())}
    assert len(fields) == detail.problem.rowCount() == 11  # the rows of one case, refilled for the next
    assert fields["问题描述"] == (detail.case["description"] or "—")
    assert fields["整改时限"] == (detail.case["deadline"] or "—")


def test_only_the_case_chosen_last_is_shown(window, qtbot):
    detail, model = window.detail, window.case_list.model
    records = [model.record_at(row) for row in range(3)]
    shown: list[str | None] = []
    detail.loaded.connect(lambda: shown.append(detail.case_uuid))
    with reading_thread_held(window.session):
        for record in records:
            detail.show_case(record["uuid"])
        detail.show_case(None)  # nothing chosen: empty at once, no answer shown afterwards
        assert shown == [None] and detail.empty.isVisibleTo(detail)
        detail.show_case(records[2]["uuid"])
    wait_reads(qtbot, window.session)
    assert shown == [None, records[2]["uuid"]] and detail.title.text() == records[2]["case_no"]
