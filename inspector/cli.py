"""The ``inspector`` command line: global options, dispatch, JSON output, exit codes.

Every command prints one JSON document with ``--json`` and a short human
summary otherwise. Exit codes: 0 success, 2 bad input (reason on stderr),
3 a missing system component, 1 anything else. Commands live in
``inspector/commands/``; each module registers its own subcommands.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from inspector import __version__
from inspector.errors import InspectorError
from inspector.i18n import pick


class Context:
    """What a command needs besides its arguments: the workspace and progress output."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._workspace = None

    def workspace(self, *, create: bool = False, demo_fallback: bool = False) -> Any:
        from inspector.workspace import Workspace, default_workspace_dir

        if self._workspace is None:
            root = Path(self.args.workspace) if self.args.workspace else default_workspace_dir()
            if create:
                self._workspace = Workspace.create(root)
            elif demo_fallback and not self.args.workspace and not Workspace.exists(root):
                from inspector.demo import ensure_demo_workspace

                self._workspace = ensure_demo_workspace(progress=self.progress)
                demo = self._workspace.root
                self.note(pick(f"未配置工作空间，使用示例工作空间（示例数据）：{demo}",
                               f"no workspace configured; using the demo workspace (sample data): {demo}"))
            else:
                self._workspace = Workspace.open(root)
        return self._workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()

    def note(self, message: str) -> None:
        print(message, file=sys.stderr)

    def progress(self, done: int, total: int, message: str) -> None:
        """A one-line progress bar on stderr when it is a terminal."""
        if not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total) if total else width
        end = "\n" if total and done >= total else ""
        print(f"\r{message} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end,
              file=sys.stderr, flush=True)


Handler = Callable[[argparse.Namespace, Context], tuple[Any, str]]


def version_text() -> str:
    """``inspector 0.1.0``, plus the bureau a packaged build was made for."""
    from inspector.bureau import bundled

    bureau = bundled()
    return f"inspector {__version__}" + (f" — {bureau.describe()}" if bureau else "")


def build_parser() -> argparse.ArgumentParser:
    from inspector.commands import COMMAND_MODULES

    json_parent = argparse.ArgumentParser(add_help=False)
    json_parent.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                             help="print one JSON document")
    parser = argparse.ArgumentParser(
        prog="inspector", description="绿盾 Inspector — 生态保护红线与自然保护地现场核查",
        parents=[json_parent],
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--workspace", "-w", metavar="DIR",
                        help="workspace folder (default: the user's data dir)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in COMMAND_MODULES:
        module.register(subparsers, json_parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: it is also the parse child (inspector.bounded_parse)
        import multiprocessing

        multiprocessing.freeze_support()
    parser = build_parser()
    args = parser.parse_args(argv)
    as_json = getattr(args, "json", False)
    ctx = Context(args)
    try:
        payload, text = args.handler(args, ctx)
    except InspectorError as exc:
        print(f"inspector: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(pick("inspector: 已取消", "inspector: cancelled"), file=sys.stderr)
        return 130
    finally:
        ctx.close()
    exit_code = 0
    if isinstance(payload, CommandResult):
        payload, exit_code = payload.payload, payload.exit_code
    try:
        if as_json:
            json.dump(payload, sys.stdout, ensure_ascii=False, indent=1, default=str)
            sys.stdout.write("\n")
        elif text:
            print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # piped into `head`: silence the flush at exit (Python docs' recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return exit_code


class CommandResult:
    """A payload with a non-zero exit code (e.g. some files of several failed)."""

    def __init__(self, payload: Any, exit_code: int) -> None:
        self.payload = payload
        self.exit_code = exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
