"""Form commands: ``form`` (one PDF) and ``forms`` (a batch by status)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.i18n import pick

FORM_KIND_CHOICES = ("inspection", "notice", "closure")


def register(subparsers: Any, json_parent: argparse.ArgumentParser) -> None:
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


def _write(ws: Any, ref: str, kind: str, output: Path) -> dict[str, Any]:
    from inspector.form_data import gather_case
    from inspector.forms.render import render_form

    case = gather_case(ws, ref)
    pdf = render_form(case, kind)
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(output.name + ".part")
    temp.write_bytes(pdf)
    temp.replace(output)
    return {"case_no": case.case_no, "uuid": case.uuid, "kind": kind, "file": str(output),
            "bytes": len(pdf), "photos": len(case.photos)}


def cmd_form(args: argparse.Namespace, ctx: Any) -> tuple[Any, str]:
    result = _write(ctx.workspace(demo_fallback=True), args.case, args.kind, Path(args.output))
    return result, pick(f"已生成 {result['file']}", f"wrote {result['file']}")


def cmd_forms(args: argparse.Namespace, ctx: Any) -> tuple[Any, str]:
    from inspector.cases import list_cases

    ws = ctx.workspace(demo_fallback=True)
    cases = list_cases(ws, status=args.status)
    folder = Path(args.output)
    written = []
    for done, case in enumerate(cases, start=1):
        name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in case["case_no"])
        written.append(_write(ws, case["uuid"], args.kind, folder / f"{name}-{args.kind}.pdf"))
        ctx.progress(done, len(cases), pick("生成表单", "rendering forms"))
    payload = {"status": args.status, "kind": args.kind, "count": len(written), "forms": written}
    return payload, pick(f"已生成 {len(written)} 份表单到 {folder}", f"wrote {len(written)} forms to {folder}")
