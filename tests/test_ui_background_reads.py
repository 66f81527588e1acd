"""The views' queries run on the session's reading thread: the GUI thread returns to its event loop at once.

A gate held on the reading thread (a read that waits for it) stands for a query
of a 100,000-case workspace that has not finished yet: while it is held the
views show their busy state and their previous content; they fill when the
answer arrives by signal, and an answer to a question asked before the latest
one is never shown."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from inspector.casework.case_list_query import CaseFilter, case_ids
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_reads
from ui.background import reader_for
from ui.cases.case_model import CaseTableModel

NANJING = "320100"  # the demo's 南京市: 5 cases


@contextmanager
def reading_thread_held(session) -> Iterator[None]:
    """Keep the session's reading thread busy until the block ends (a query that takes its time)."""
    gate, entered = threading.Event(), threading.Event()

    def hold(ws) -> None:
        entered.set()
        gate.wait(30)

    reader_for(session).read(hold, lambda _: None, owner=session)
    assert entered.wait(10)
    try:
        yield
    finally:
        gate.set()


def test_a_filter_change_returns_to_the_event_loop_before_the_query_ends(session, qtbot):
    model = CaseTableModel(session)
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    everything = [model.uuid_at(row) for row in range(model.rowCount())]
    assert len(everything) == 80
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        with reading_thread_held(session):
            model.set_filter(CaseFilter(city_adcode=NANJING))
            assert model.loading  # the call returned; the list waits for its answer
            assert [model.uuid_at(row) for row in range(model.rowCount())] == everything
    assert not model.loading and model.rowCount() == 5
    wanted = case_ids(session.ws, CaseFilter(city_adcode=NANJING))
    assert [model.record_at(row)["id"] for row in range(5)] == wanted  # what the query gives, in its order


def test_only_the_answer_to_the_latest_filter_is_shown(session, qtbot):
    model = CaseTableModel(session)
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    resets, counts = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.countChanged.connect(counts.append)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        with reading_thread_held(session):
            model.set_filter(CaseFilter(city_adcode=NANJING))
            model.set_filter(CaseFilter(text="宜兴龙池山"))
            model.set_filter(CaseFilter(overdue_only=True))
    wait_reads(qtbot, session)
    assert resets == [1] and counts == [11] and model.rowCount() == 11  # the demo's overdue cases


def test_the_panel_shows_it_is_busy_and_keeps_the_selected_case(window, qtbot):
    panel = window.case_list
    assert panel.count_label.text() == "共 80 条问题"
    row = next(r for r in range(80) if panel.model.record_at(r)["case_no"].startswith("LD2026-3201"))
    uuid = panel.model.uuid_at(row)
    panel.select_case(uuid)
    with qtbot.waitSignal(panel.model.loaded, timeout=10_000):
        with reading_thread_held(window.session):
            panel.city_box.setCurrentIndex(panel.city_box.findData(NANJING))
            assert panel.busy and panel.count_label.text() == "正在查询…"
    assert panel.count_label.text() == "共 5 条问题"
    assert panel.selected_uuid() == uuid  # selected again in its new row


def test_status_counts_arrive_by_signal(window, qtbot):
    summary = window.summary
    before = summary.counts.text()
    assert "待核查" in before
    with qtbot.waitSignal(summary.refreshed, timeout=10_000):
        with reading_thread_held(window.session):
            summary.refresh()
            assert summary.pending_refresh and summary.counts.text() == before
    assert summary.counts.text() == before and not summary.pending_refresh
