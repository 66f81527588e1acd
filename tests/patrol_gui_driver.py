"""A small driver of the real GUI for the patrol crash test: the main window on a workspace, a patrol running,
an NMEA log replayed into it — and then nothing but the event loop, until the test kills the process.

``python tests/patrol_gui_driver.py WORKSPACE USER NMEA_LOG``: starts a patrol as ``USER`` (unless one is in
progress, which the window takes up itself) and replays ``NMEA_LOG``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from PySide6.QtWidgets import QApplication  # noqa: E402

import tests.qt_env  # noqa: E402,F401  (offscreen, map scheme: before the QApplication)
from inspector.casework.authority import Actor  # noqa: E402
from inspector.store.workspace import Workspace  # noqa: E402


def main(root: str, user: str, nmea: str) -> int:
    from ui.main_window import MainWindow
    from ui.session import Session

    app = QApplication(sys.argv[:1])
    session = Session(Workspace.open(root), actor=Actor(user, user, ("inspector",), None, "local",
                                                        "2999-01-01T00:00:00Z"))
    window = MainWindow(session)
    window.resize(1024, 700)
    window.show()

    def started() -> None:
        window.replay_nmea(nmea)

    if window.patrols.patrol is None:
        job = window.patrols.start("崩溃测试巡查", ["张三"], None)
        assert job is not None
        job.succeeded.connect(started)
    else:
        started()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
