"""Start the application: environment, QApplication, language, the main window, screenshots.

:func:`prepare_environment` runs before Qt loads: without a display it
falls back to the offscreen platform only for ``--screenshot`` (otherwise it
says clearly that no display is available), and as root it turns off the
Chromium sandbox QtWebEngine cannot use there. :func:`run_gui` opens the
main window on a workspace and, when the workspace has accounts and nobody
is signed in, asks who is working (:mod:`ui.accounts`); with ``screenshot`` it
never asks (the picture shows 未登录 then), waits for the map's
``mapReady`` (at most ``map_timeout_s``; not at all after ``mapFailed``, when
the window shows why the map cannot be shown), saves a PNG of the window and
returns 0.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from inspector.casework.workflow import INSPECTOR
from inspector.errors import SetupError
from inspector.store.workspace import Workspace

MAP_TIMEOUT_S = 30.0  # how long a screenshot waits for the map
SETTLE_MS = 800  # after mapReady, time for tiles and layout to paint
DEFAULT_SIZE = (1366, 768)
# What the main window imports, its heaviest parts first, in steps of up to about 100 ms each: between two of
# them the application serves the requests of the map page it prestarted (ui.map.map_panel.prestart_map_view),
# so that the page shell loads while the window's code is being imported. reportlab (~0.2 s) is imported here
# on purpose: imported on first use instead, the import fell in the middle of bench_gui's scripted session,
# a 50 ms GUI-thread stall while the list scrolled.
WINDOW_MODULES = ("requests", "sync.client", "ui.accounts.account_switcher", "reportlab.platypus",
                  "inspector.forms", "ui.cases.case_detail", "ui.main_window")


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def prepare_environment(*, screenshot: bool) -> None:
    """Pick the Qt platform and QtWebEngine flags before any Qt module is imported."""
    if not has_display():
        if not screenshot:
            raise SetupError(
                "没有可用的显示器（未设置 DISPLAY / WAYLAND_DISPLAY）。请在图形桌面中运行，"
                "或用 xvfb-run inspector gui，或加 --screenshot FILE.png 离屏截图",
                "no display is available (DISPLAY / WAYLAND_DISPLAY not set). Run it in a desktop "
                "session, with xvfb-run inspector gui, or with --screenshot FILE.png to render offscreen",
            )
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    wanted = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium's sandbox refuses root
        wanted += ["--no-sandbox", "--disable-gpu"]
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        # Without a GPU surface the page never composites and the map never reports ready.
        wanted += ["--disable-gpu", "--disable-gpu-compositing"]
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    for flag in dict.fromkeys(wanted):
        if flag not in flags:
            flags = f"{flags} {flag}".strip()
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = flags


def create_application(argv: list[str] | None = None):  # noqa: ANN201 - QApplication, imported lazily
    """The QApplication with the map scheme registered, style and saved language applied."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
    from PySide6.QtWidgets import QApplication

    from ui.map.map_panel import prestart_map_view, register_map_scheme

    app = QApplication.instance()
    if app is None:
        register_map_scheme()
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(argv or [sys.argv[0]])
        prestart_map_view()  # its renderer starts and its page shell loads while the main window is built
        for name in WINDOW_MODULES:
            importlib.import_module(name)
            app.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)  # the page's requests
    from ui import i18n
    from ui.main_window import APPLICATION, ORGANISATION, app_settings
    from ui.style import apply_style

    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    apply_style(app)
    i18n.set_language(str(app_settings().value("language", "zh")))
    return app


def last_workspace() -> Path | None:
    """The workspace the GUI had open last time, if it still exists."""
    from ui.main_window import app_settings

    value = app_settings().value("last_workspace")
    return Path(str(value)) if value and Workspace.exists(str(value)) else None


def run_gui(ws: Workspace, *, role: str | None = None, screenshot: str | None = None,
            size: tuple[int, int] | None = None, nmea: str | None = None,
            map_timeout_s: float = MAP_TIMEOUT_S) -> int:
    """Open the main window on ``ws``; returns the exit code."""
    from ui.main_window import MainWindow, app_settings
    from ui.session import Session

    app = create_application()
    session = Session(ws, role=role or str(app_settings().value("role", INSPECTOR)))
    window = MainWindow(session)
    if size or screenshot:
        width, height = size or DEFAULT_SIZE
        window.resize(width, height)
        window.show()
    elif window.start_maximised:
        window.showMaximized()
    else:
        window.show()
    if nmea:
        window.replay_nmea(nmea)
    if screenshot:  # never waits for a person: the resumed account, else 未登录 (see ui.accounts)
        save_when_ready(window, screenshot, map_timeout_s, on_done=app.quit)
    else:
        window.accounts.ask_if_needed()
    code = app.exec()
    if not screenshot:
        window.save_settings()
    session.pool.waitForDone()
    return code


def save_when_ready(window, path: str, timeout_s: float, *, on_done=None) -> None:  # noqa: ANN001
    """Save a PNG of ``window`` once its map is ready; at once when the map cannot be shown (the window shows
    why), or after ``timeout_s``; both with a message on stderr."""
    from PySide6.QtCore import QTimer

    state = {"saved": False}

    def save() -> None:
        if state["saved"]:
            return
        state["saved"] = True
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target)):
            print(f"inspector: could not write {target}", file=sys.stderr)
        if on_done is not None:
            on_done()

    def timed_out() -> None:
        if not window.map_ready and not state["saved"]:
            print(f"inspector: 地图在 {timeout_s:.0f} 秒内未加载完成，仍保存截图 / the map did not finish "
                  f"loading within {timeout_s:.0f} s; saving the screenshot anyway", file=sys.stderr)
            save()

    def failed(text: str) -> None:
        if not state["saved"]:
            print(f"inspector: {text}", file=sys.stderr)
            QTimer.singleShot(0, save)  # once the notice is laid out

    if window.map_ready:
        QTimer.singleShot(SETTLE_MS, save)
    elif window.map_failure:
        failed(window.map_failure)
    else:
        window.mapReady.connect(lambda: QTimer.singleShot(SETTLE_MS, save))
        window.mapFailed.connect(failed)
        QTimer.singleShot(int(timeout_s * 1000), timed_out)
