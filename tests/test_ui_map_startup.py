"""The map at start-up: its document is built while the window is still being built, not after it is shown."""
from __future__ import annotations

import threading

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import dispose, wait_job
from ui import operations


def test_an_operation_with_its_handlers_connected_starts_without_the_event_loop(session, qtbot):
    started, delivered = threading.Event(), []

    def work(job):
        started.set()
        return 42

    job = operations.start(session, "probe", work, connect=lambda job: job.succeeded.connect(delivered.append))
    assert started.wait(10)  # the work ran although the GUI thread never returned to its event loop
    assert wait_job(qtbot, job) == (42, None) and delivered == [42]


def test_the_map_document_job_runs_before_the_window_returns_to_the_event_loop(session, qtbot):
    from ui.main_window import MainWindow

    window = MainWindow(session)  # not new_window: its factory waits for the views' reads, in an event loop
    try:
        assert session.pool.waitForDone(30_000)  # without the event loop: the job was queued, not deferred
        assert window.map_job is not None and window.map_job.result is not None and not window.map_job.done
        bundle, _tiles = wait_job(qtbot, window.map_job)[0]
        assert bundle.token
        qtbot.waitUntil(lambda: window.map_ready, timeout=30_000)
    finally:
        session.pool.waitForDone()
        window.gps.stop()
        dispose(qtbot, window)
