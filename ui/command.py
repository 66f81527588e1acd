"""The ``gui`` command: open the desktop application (imports Qt only when it runs).

``inspector [--workspace W] gui [--role inspector|reviewer] [--screenshot FILE.png]``
opens the main window on W, else ``$INSPECTOR_WORKSPACE``, else the
workspace the GUI had open last, else the default workspace, else the demo
workspace. With ``--screenshot`` it waits for the map, saves a PNG of the
window and exits 0 (offscreen when there is no display).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
from typing import Any

from inspector.casework.statuses import INSPECTOR, REVIEWER  # the workflow's roles, light to import
from inspector.cli.context import CommandResult, Context
from inspector.errors import BadInput, SetupError
from inspector.i18n import pick


def register(subparsers: Any, json_parent: argparse.ArgumentParser) -> None:
    gui = subparsers.add_parser("gui", parents=[json_parent], help="open the desktop application")
    gui.add_argument("--role", choices=(INSPECTOR, REVIEWER),  # ui.session.ROLES, named without importing Qt
                     help="start in this view (default: last used)")
    gui.add_argument("--screenshot", metavar="FILE.png",
                     help="save a PNG of the window once the map is ready, then exit")
    gui.add_argument("--size", metavar="WxH", help="window size, e.g. 1366x768 (default for screenshots)")
    gui.add_argument("--nmea", metavar="FILE", help="replay an NMEA log as the GPS position")
    gui.set_defaults(handler=cmd_gui)


def _size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise BadInput(f"--size 的写法是 宽x高，如 1366x768：{text}", f"--size takes WxH, e.g. 1366x768: {text}")
    return width, height


def cmd_gui(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    if importlib.util.find_spec("PySide6") is None:
        raise SetupError("未安装 PySide6：pip install -e '.[gui]'", "PySide6 is not installed: pip install -e '.[gui]'")
    size = _size(args.size)
    from ui.app import prepare_environment

    prepare_environment(screenshot=bool(args.screenshot))
    from ui.app import last_workspace, run_gui

    if not args.workspace and not os.environ.get("INSPECTOR_WORKSPACE"):
        previous = last_workspace()
        if previous is not None:
            args.workspace = str(previous)
    ws = ctx.workspace(demo_fallback=True)
    code = run_gui(ws, role=args.role, screenshot=args.screenshot, size=size, nmea=args.nmea)
    payload = {"workspace": str(ws.root), "screenshot": args.screenshot, "exit_code": code}
    text = pick(f"已保存截图 {args.screenshot}", f"saved screenshot {args.screenshot}") if args.screenshot else ""
    return CommandResult(payload, code), text
