"""Imagery commands: ``imagery add|list|remove`` (epochs stored as MBTiles) and ``imagery chips`` (a case's
前时相 / 后时相 clipped around its extent)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.cli.context import Context, Subparsers
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    imagery = subparsers.add_parser("imagery", parents=[json_parent],
                                    help="before/after imagery epochs (GeoTIFF → MBTiles) and case chips")
    actions = imagery.add_subparsers(dest="imagery_command", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", parents=[json_parent], help="store a georeferenced GeoTIFF / COG as an epoch")
    add.add_argument("file", metavar="FILE.tif")
    add.add_argument("--epoch", required=True, metavar="LABEL", help="epoch label, e.g. 2024Q3")
    add.add_argument("--date", metavar="YYYY-MM-DD", help="imaging date")
    add.set_defaults(handler=cmd_add)

    listing = actions.add_parser("list", parents=[json_parent], help="the workspace's epochs")
    listing.set_defaults(handler=cmd_list)

    remove = actions.add_parser("remove", parents=[json_parent], help="remove an epoch")
    remove.add_argument("epoch", metavar="LABEL")
    remove.set_defaults(handler=cmd_remove)

    chips = actions.add_parser("chips", parents=[json_parent],
                               help="write a case's before/after chips (PNG, outline drawn)")
    chips.add_argument("case", metavar="CASE", help="问题编号 or UUID")
    chips.add_argument("-o", "--output", required=True, metavar="DIR")
    chips.set_defaults(handler=cmd_chips)


def cmd_add(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.imagery.imagery_store import add_epoch

    entry = add_epoch(ctx.workspace(), args.file, args.epoch, date=args.date, progress=ctx.progress)
    zooms = f"{entry['min_zoom']}–{entry['max_zoom']}"
    return entry, pick(f"已添加时相 {entry['epoch']}（级别 {zooms}，{entry['size']:,} 字节）",
                       f"added epoch {entry['epoch']} (zoom {zooms}, {entry['size']:,} bytes)")


def cmd_list(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.imagery.imagery_store import list_epochs

    entries = list_epochs(ctx.workspace())
    lines = [f"{e['epoch']}\t{e['date'] or '-'}\t{e['min_zoom']}–{e['max_zoom']}\t{e['size']:,}" for e in entries]
    return entries, "\n".join(lines) or pick("没有影像时相", "no imagery epochs")


def cmd_remove(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.imagery.imagery_store import remove_epoch

    result = remove_epoch(ctx.workspace(), args.epoch)
    return result, pick(f"已删除时相 {args.epoch}", f"removed epoch {args.epoch}")


def cmd_chips(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.imagery.chips import write_case_chips

    result = write_case_chips(ctx.workspace(), args.case, Path(args.output))
    written = [chip["file"] for chip in (result["before"], result["after"]) if chip]
    return result, pick(f"已生成 {len(written)} 张影像切片：{'、'.join(written)}",
                        f"wrote {len(written)} chips: {', '.join(written)}")
