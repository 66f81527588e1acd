"""Report commands: ``export-ledger`` (the ledger with its progress) and ``report`` (statistics, charts)."""
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

    report = subparsers.add_parser("report", parents=[json_parent],
                                   help="statistics and overdue accountability (.pdf with charts / .xlsx)")
    report.add_argument("-o", "--output", required=True, metavar="FILE")
    report.add_argument("--by", choices=("city", "county", "unit", "zone"), default="city",
                        help="group by city, county, responsible unit or zone")
    report.add_argument("--from", dest="period_from", metavar="DATE", help="period start, YYYY-MM-DD")
    report.add_argument("--to", dest="period_to", metavar="DATE", help="period end, YYYY-MM-DD")
    report.set_defaults(handler=cmd_report)


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


def cmd_report(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.reports.report_export import export_report, rate_text
    from inspector.reports.statistics import parse_period_day

    start = parse_period_day(args.period_from, ("--from ", "--from "))
    end = parse_period_day(args.period_to, ("--to ", "--to "))
    result = export_report(ctx.workspace(demo_fallback=True), args.output, by=args.by, period_from=start,
                           period_to=end)
    totals = result["totals"]
    text = pick(f"已生成 {result['file']}：问题 {totals['cases']}，未办结 {totals['open']}，已办结 {totals['closed']}，"
                f"逾期 {totals['overdue']}，按期销号率 {rate_text(totals['closed_on_time_rate'])}",
                f"wrote {result['file']}: {totals['cases']} cases, {totals['open']} open, {totals['closed']} closed, "
                f"{totals['overdue']} overdue, closed on time {rate_text(totals['closed_on_time_rate'])}")
    return result, text
