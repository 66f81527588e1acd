"""Field settings: ``inspector config get [KEY]`` and ``inspector config set KEY VALUE``.

The settings are the workspace's GNSS capture threshold and arrival radius
(:mod:`inspector.geo.field_settings`): ``config set gnss_max_accuracy_m 10``
refuses positions worse than 10 m as captured positions from then on. An
unknown key or a value that is not a positive number of metres exits 2.
"""
from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.context import Context, Subparsers
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    actions = subparsers.add_parser("config", help="field settings (GNSS capture threshold, arrival radius)"
                                    ).add_subparsers(dest="config_command", metavar="ACTION")
    actions.required = True
    get = actions.add_parser("get", parents=[json_parent], help="show the settings, or one")
    get.set_defaults(handler=cmd_config_get)
    get.add_argument("key", nargs="?", metavar="KEY")
    put = actions.add_parser("set", parents=[json_parent], help="change a setting")
    put.set_defaults(handler=cmd_config_set)
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE")


def cmd_config_get(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.geo.field_settings import SETTINGS, all_settings, setting

    ws = ctx.workspace(demo_fallback=True)
    values = {args.key: setting(ws, args.key)} if args.key else all_settings(ws)
    lines = [f"{key} = {value:g}\t{pick(SETTINGS[key][1], SETTINGS[key][2])}" for key, value in values.items()]
    return values, "\n".join(lines)


def cmd_config_set(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.geo.field_settings import set_setting

    value = set_setting(ctx.workspace(), args.key, args.value)
    return {args.key: value}, pick(f"已设置 {args.key} = {value:g}", f"{args.key} set to {value:g}")
