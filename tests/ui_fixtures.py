"""Fixtures for the GUI tests: Qt environment, a demo workspace per test, the main window.

Importing this module sets the offscreen/WebEngine environment and registers
the map's URL scheme (through ``tests.qt_env``) before pytest-qt creates the
QApplication. The demo workspace is built once per session and copied for
each test (it is closed before copying, so the files are consistent).
QSettings go to a per-test folder.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Iterator

import pytest

import tests.qt_env  # noqa: F401  (environment + map scheme before the QApplication)
from evidence_fixtures import attach_closure_photos, make_geotagged_photo
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification
from inspector.casework.workflow import transition
from inspector.store.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
NMEA_WALK = REPO / "tests" / "data" / "walk_into_core_zone.nmea"
__all__ = ["qt_settings", "session", "new_window", "window", "wait_job", "wait_reads", "move_to_closure_request",
           "make_geotagged_photo", "run_js", "show_exposed", "NMEA_WALK"]


@pytest.fixture
def qt_settings(tmp_path, qapp):
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qt-settings"))
    yield tmp_path / "qt-settings"


DEMO_TEST_COUNTY = "320116"  # the county (of 南京) where the demo cases the GUI tests move lie


def account(user: str, roles: tuple[str, ...] = ("inspector", "reviewer"), jurisdiction: str | None = None,
            name: str | None = None):
    """An acting account for a GUI session (default: inspector and reviewer, no jurisdiction)."""
    from inspector.casework.authority import Actor

    return Actor(user, name or user, roles, jurisdiction, "local", "2999-01-01T00:00:00Z")


OPEN_SESSIONS: list = []  # the sessions open_session has open: wait_reads waits for their views' reads


@contextlib.contextmanager
def open_session(qapp, root: Path, actor, *, auto_sync: bool = True) -> Iterator:
    """A GUI session on the workspace at ``root`` in the Chinese UI acting as ``actor`` (an Actor, or an account
    name for :func:`account`), closed (its jobs done) afterwards; ``auto_sync=False`` leaves every sync to the
    test."""
    from ui import i18n
    from ui.main_window import app_settings
    from ui.session import Session
    from ui.style import apply_style

    apply_style(qapp)
    i18n.set_language("zh")
    if not auto_sync:
        app_settings().setValue("sync/interval_min", 0)
    opened = Session(Workspace.open(root), actor=account(actor) if isinstance(actor, str) else actor)
    OPEN_SESSIONS.append(opened)
    try:
        yield opened
    finally:
        OPEN_SESSIONS.remove(opened)
        opened.pool.waitForDone()
        opened.close()
        i18n.set_language("zh")


@pytest.fixture
def session(demo_ws, qapp, qt_settings):
    with open_session(qapp, demo_ws.root, account("测试员", jurisdiction=DEMO_TEST_COUNTY)) as opened:
        yield opened


def dispose(qtbot, widget) -> None:
    """Close and delete a window while the event loop runs: a WebEngine page must be
    gone before its profile, or Qt crashes at interpreter exit."""
    import shiboken6

    widget.close()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget), timeout=10_000)


@pytest.fixture
def new_window(session, qtbot):
    """A factory of main windows on the session, each disposed of after the test."""
    from ui.main_window import MainWindow

    made = []

    def create():
        made.append(MainWindow(session))
        wait_reads(qtbot)
        return made[-1]

    yield create
    session.pool.waitForDone()
    for main in made:
        main.gps.stop()
        dispose(qtbot, main)


def show_exposed(qtbot, widget, size: tuple[int, int] = (1366, 768)):
    """``widget`` resized, shown and exposed on the (offscreen) screen."""
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    wait_reads(qtbot)
    return widget


@pytest.fixture
def window(new_window, qtbot):
    return show_exposed(qtbot, new_window())


def run_js(qtbot, map_view, code: str):
    """Evaluate ``code`` in the map page and return its (JSON-decoded) value."""
    results: list = []
    map_view.page().runJavaScript(f"JSON.stringify({code})", 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0]) if results[0] is not None else None


def wait_reads(qtbot, session=None, timeout: int = 10_000):
    """Wait until the views have the answers to every query they sent to the reading thread
    (:func:`ui.background.reader_for`) of ``session`` (default: of every session open_session opened):
    the case list's rows, the filter choices, the status counts."""
    from ui.background import reader_for

    sessions = [session] if session is not None else OPEN_SESSIONS
    qtbot.waitUntil(lambda: not any(reader_for(s).busy for s in sessions), timeout=timeout)


def wait_job(qtbot, job, timeout: int = 30_000):
    """Wait until an operation has delivered its result; returns (result, error)."""
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=timeout)
    wait_reads(qtbot)  # the views' queries after the change summary the job announced
    return job.result, job.error


def move_to_closure_request(ws: Workspace, case_no: str, tmp_path: Path) -> str:
    """Take a demo case through the inspector's steps to 申请销号 (with the core, no GUI)."""
    row = ws.conn.execute("SELECT uuid, lon, lat FROM cases WHERE case_no = ?", (case_no,)).fetchone()
    transition(ws, case_no, "现场核查", role="inspector", actor="张三")
    add_finding(ws, case_no, assessment="确认问题", activity_type="养殖", description="养殖塘")
    transition(ws, case_no, "确认问题", role="inspector", actor="张三")
    add_rectification(ws, case_no, measure_type="整治", measures="拆除", deadline="2026-12-31")
    transition(ws, case_no, "整改中", role="inspector", actor="张三")
    attach_closure_photos(ws, case_no, tmp_path / "closure", row["lon"], row["lat"])
    transition(ws, case_no, "申请销号", role="inspector", actor="张三")
    return row["uuid"]
