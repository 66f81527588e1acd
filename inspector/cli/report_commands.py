"""Report commands: ``export-ledger`` (the ledger with its progress) and ``report`` (statistics)."""
from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.context import Context, Subparsers
from inspector.errors import BadInput
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    ledger = subparsers.add_parser("export-ledger", parents=[json_parent],
                                   help="export the ledger with its progress (.xlsx / .csv / .gpkg)")
    ledger.add_argument("-o", "--output", required=True, metavar="FILE")
    ledger.add_argument("--status", action="append", default=[], help="only cases in this state (repeatable)")
    ledger.add_argument("--city", metavar="ADCODE", help="only cases of this city")
    ledger.add_argument("--county", metavar="ADCODE", help="only cases of this county")
    ledger.add_argument("--overdue", action="store_true", help="only overdue cases")
    ledger.add_argument("--encoding", help="CSV text encoding: utf-8 (with BOM, the default) or gbk")
    ledger.set_defaults(handler=cmd_export_ledger)


def case_filter_from(args: argparse.Namespace) -> Any:
    """The case filter the options give; an unknown state is bad input."""
    from inspector.casework.case_list_query import CaseFilter
    from inspector.casework.statuses import STATES

    unknown = [s for s in args.status if s not in STATES]
    if unknown:
        raise BadInput(f"未知状态：{'、'.join(unknown)}（状态：{'、'.join(STATES)}）",
                       f"unknown state: {', '.join(unknown)} (states: {', '.join(STATES)})")
    return CaseFilter(statuses=tuple(dict.fromkeys(args.status)), city_adcode=args.city,
                      county_adcode=args.county, overdue_only=args.overdue)


def cmd_export_ledger(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.reports.ledger_export import export_ledger

    case_filter = case_filter_from(args)
    result = export_ledger(ctx.workspace(demo_fallback=True), args.output, case_filter,
                           encoding=args.encoding, progress=ctx.progress)
    text = pick(f"已导出 {result.rows} 个问题到 {result.file}", f"exported {result.rows} cases to {result.file}")
    for warning in result.warnings:
        text += "\n" + pick(f"  注意 {warning['case_no']}「{warning['column']}」：{warning['reason']}",
                            f"  note {warning['case_no']} \"{warning['column']}\": {warning['reason']}")
    return result.as_dict(), text
