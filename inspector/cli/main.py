"""The ``inspector`` command line: global options, dispatch, JSON output, exit codes.

Every command prints one JSON document with ``--json`` and a short human
summary otherwise. Exit codes: 0 success, 2 bad input (reason on stderr),
3 a missing system component, 1 anything else.

The core's commands live beside this module (workspace, evidence and form
commands). Other packages contribute theirs through the ``inspector.commands``
entry-point group (``sync``: login, sync, conflicts; ``ui``: gui), the way
pytest or flask plugins add commands, so the core imports neither and
``inspector`` works with its own commands when they are absent.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import entry_points

from inspector import __version__
from inspector.bureau import bundled
from inspector.cli import (
    account_commands,
    basemap_commands,
    case_commands,
    config_commands,
    evidence_commands,
    form_commands,
    imagery_commands,
    navigation_commands,
    patrol_commands,
    record_commands,
    report_commands,
    workspace_commands,
)
from inspector.cli.context import CommandResult, Context, Register
from inspector.errors import InspectorError
from inspector.i18n import pick

PLUGIN_GROUP = "inspector.commands"  # entry points: name = "package.module:register"
CORE_COMMANDS: tuple[Register, ...] = (workspace_commands.register, evidence_commands.register,
                                       record_commands.register, form_commands.register, report_commands.register,
                                       account_commands.register, case_commands.register,
                                       imagery_commands.register, basemap_commands.register,
                                       patrol_commands.register, navigation_commands.register,
                                       config_commands.register)


def version_text() -> str:
    """``inspector 0.1.0``, plus the bureau a packaged build was made for."""
    bureau = bundled()
    return f"inspector {__version__}" + (f" — {bureau.describe()}" if bureau else "")


def contributed_commands() -> list[Register]:
    """The ``register`` functions other installed packages contribute (skipping a package that is absent)."""
    found = []
    for entry in entry_points(group=PLUGIN_GROUP):  # in the order pyproject.toml declares them
        try:
            found.append(entry.load())
        except ImportError:  # the contributing package is not installed in this build
            continue
    return found


def build_parser() -> argparse.ArgumentParser:
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
    for register in (*CORE_COMMANDS, *contributed_commands()):
        register(subparsers, json_parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle is also its own parse child (importers.bounded_parse)
        import multiprocessing

        multiprocessing.freeze_support()
    parser = build_parser()
    args = parser.parse_args(argv)
    as_json = getattr(args, "json", False)
    ctx = Context(args)
    try:
        payload, text = args.handler(args, ctx)
    except InspectorError as exc:
        print(f"inspector: {exc.message.text}", file=sys.stderr)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
