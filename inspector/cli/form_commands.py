"""Form commands: ``form`` (one PDF) and ``forms`` (a batch by status)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.cli.context import CommandResult, Context, Subparsers
from inspector.i18n import pick

FORM_KIND_CHOICES = ("inspection", "notice", "closure")


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    one = subparsers.add_parser("form", parents=[json_parent], help="render one PDF form of a case")
    one.add_argument("case", metavar="CASE", help="问题编号 or UUID")
    one.add_argument("--kind", choices=FORM_KIND_CHOICES, required=True)
    one.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    one.set_defaults(handler=cmd_form)

    batch = subparsers.add_parser("forms", parents=[json_parent], help="render forms for all cases in a state")
    batch.add_argument("--status", required=True, help="e.g. 申请销号")
    batch.add_argument("--kind", choices=FORM_KIND_CHOICES, default="closure")
    batch.add_argument("-o", "--output", required=True, metavar="DIR")
    batch.set_defaults(handler=cmd_forms)


def cmd_form(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.forms.form_export import write_case_form

    result = write_case_form(ctx.workspace(demo_fallback=True), args.case, args.kind, Path(args.output))
    return result, pick(f"已生成 {result['file']}", f"wrote {result['file']}")


def cmd_forms(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    """Every case in the state gets its form; a case that fails is listed under ``failed`` (with
    the reason) after all the others are written, and the command then exits with 2."""
    from inspector.casework.cases import list_cases
    from inspector.forms.form_export import export_forms

    ws = ctx.workspace(demo_fallback=True)
    cases = [(case["uuid"], case["case_no"]) for case in list_cases(ws, status=args.status)]
    folder = Path(args.output)
    outcome = export_forms(ws, cases, args.kind, folder, progress=ctx.progress)
    written, failed = outcome["forms"], outcome["failed"]
    payload = {"status": args.status, "kind": args.kind, "count": len(written), "forms": written,
               "failed": failed}
    text = pick(f"已生成 {len(written)} 份表单到 {folder}", f"wrote {len(written)} forms to {folder}")
    for failure in failed:
        text += "\n" + pick(f"失败 {failure['case_no']}：{failure['reason']}",
                            f"failed {failure['case_no']}: {failure['reason']}")
    return (CommandResult(payload, 2) if failed else payload), text
