"""Form commands: ``form`` (one PDF), ``forms`` (a batch by status) and ``form-evidence`` (which photos a form
shows: without options the current choice or default; ``--photos``/``--pair`` set the choice as the signed-in
user, ``--clear`` returns to the default)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.cli.context import CommandResult, Context, Subparsers
from inspector.cli.evidence_commands import add_actor_option
from inspector.errors import BadInput
from inspector.i18n import pick

FORM_KIND_CHOICES = ("inspection", "notice", "closure")
CHOSEN_FORM_CHOICES = ("closure", "inspection")  # the forms whose photos are chosen (the core's FORMS)


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

    chosen = subparsers.add_parser("form-evidence", parents=[json_parent, add_actor_option(
        argparse.ArgumentParser(add_help=False))], help="the photos a form shows: show, choose or clear")
    chosen.add_argument("case", metavar="CASE", help="问题编号 or UUID")
    chosen.add_argument("--form", choices=CHOSEN_FORM_CHOICES, required=True)
    chosen.add_argument("--photos", metavar="UUID,...", help="evidence shown on their own, in this order")
    chosen.add_argument("--pair", action="append", default=[], metavar="BEFORE=AFTER",
                        help="a before/after pair of evidence UUIDs (closure form; repeat, in order)")
    chosen.add_argument("--clear", action="store_true", help="choose nothing: the form shows its default")
    chosen.set_defaults(handler=cmd_form_evidence)


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


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        before, sep, after = value.partition("=")
        if not sep or not before.strip() or not after.strip():
            raise BadInput(f"--pair 须为 整改前UUID=整改后UUID：{value}",
                           f"--pair must be BEFORE_UUID=AFTER_UUID: {value}")
        pairs.append((before, after))
    return pairs


def cmd_form_evidence(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.form_evidence import choose_form_evidence, form_evidence

    photos = [uuid for uuid in (args.photos or "").split(",") if uuid.strip()]
    if args.clear and (photos or args.pair):
        raise BadInput("--clear 不能与 --photos/--pair 同用", "--clear cannot be combined with --photos/--pair")
    if args.clear or photos or args.pair:
        result: dict[str, Any] = choose_form_evidence(ctx.workspace(), args.case, args.form, photos=photos,
                                                      pairs=_pairs(args.pair), actor=ctx.actor().user)
    else:
        result = form_evidence(ctx.workspace(demo_fallback=True), args.case, args.form)
    source = pick("已选择" if result["chosen"] else "默认", "chosen" if result["chosen"] else "default")
    return result, pick(f"{result['case_no']} {args.form}：{source}，{len(result['pairs'])} 对配对，"
                        f"{len(result['photos'])} 张单独照片",
                        f"{result['case_no']} {args.form}: {source}, {len(result['pairs'])} pairs, "
                        f"{len(result['photos'])} photos on their own")
