"""Sign-off record commands: countersign (会签), publicity (公示), spot-check (省级抽查).

A CASE argument is the case's 问题编号 or its UUID. Each command acts as the
workspace's signed-in user (:meth:`Context.actor`); countersigns and 公示 are
recorded by the office, so that user needs a reviewer or admin role. ``countersign --signature
FILE.png`` records the signer's handwritten signature with it; ``--document``
attaches the scanned document (PDF, JPEG or PNG). ``spot-check`` is the
workflow's 抽查 on a closed case: ``--outcome confirmed`` keeps it closed,
``reopened`` sends it back to 整改中 and needs ``--reason``; the rule table
lets only provincial reviewers make it. A refusal exits 2 with the reason.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.casework.authority import Actor
from inspector.casework.statuses import OFFICE_ROLES, REVIEWER, ROLES
from inspector.cli.context import Context, Handler, Subparsers
from inspector.cli.evidence_commands import add_actor_option
from inspector.i18n import pick

DEPARTMENT_CHOICES = ("自然资源", "林业", "水利", "农业农村", "其他")  # the core's DEPARTMENTS (checked in a test)
SPOT_CHECK_OUTCOMES = ("confirmed", "reopened")


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    actor_parent = add_actor_option(argparse.ArgumentParser(add_help=False))

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, parents=[json_parent, actor_parent], help=help_text)
        parser.set_defaults(handler=handler)
        parser.add_argument("case", metavar="CASE", help="问题编号 or UUID")
        return parser

    sign = add("countersign", cmd_countersign, "record a department's countersign (会签) of a case")
    sign.add_argument("--department", required=True, choices=DEPARTMENT_CHOICES)
    sign.add_argument("--signer", required=True, metavar="NAME", help="who signed for the department")
    sign.add_argument("--opinion", required=True, metavar="TEXT", help="the department's opinion")
    sign.add_argument("--date", dest="signed_on", metavar="YYYY-MM-DD", help="day of signing (default: today)")
    sign.add_argument("--document", type=Path, metavar="FILE", help="the scanned countersign document (PDF/JPEG/PNG)")
    sign.add_argument("--signature", type=Path, metavar="FILE.png", help="the signer's handwritten signature")

    notice = add("publicity", cmd_publicity, "record the 公示 of a case's closure (needed before 已销号)")
    notice.add_argument("--from", dest="starts_on", required=True, metavar="YYYY-MM-DD", help="first day")
    notice.add_argument("--to", dest="ends_on", required=True, metavar="YYYY-MM-DD", help="last day")
    notice.add_argument("--where", required=True, metavar="TEXT", help="where it was published")

    spot = add("spot-check", cmd_spot_check, "省级抽查 of a closed case: confirmed, or reopened with a reason")
    spot.add_argument("--outcome", required=True, choices=SPOT_CHECK_OUTCOMES)
    spot.add_argument("--reason", metavar="TEXT")
    spot.add_argument("--as", dest="role", choices=ROLES, default=REVIEWER, help="role acting (default: reviewer)")


def _office_actor(ctx: Context) -> Actor:
    """The acting user, who must hold an office role (reviewer or admin) to record an office sign-off."""
    from inspector.errors import BadInput

    actor = ctx.actor()
    if not set(actor.roles) & set(OFFICE_ROLES):
        raise BadInput(f"会签和公示由审核员或管理员记录；{actor.name} 的角色是 {'/'.join(actor.roles)}",
                       f"countersigns and 公示 are recorded by a reviewer or admin; {actor.name} is "
                       f"{'/'.join(actor.roles)}")
    return actor


def cmd_countersign(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.countersigns import add_countersign
    from inspector.casework.signatures import read_signature_file

    signature = read_signature_file(args.signature) if args.signature is not None else None
    result = add_countersign(ctx.workspace(), args.case, department=args.department, signer=args.signer,
                             opinion=args.opinion, signed_on=args.signed_on, document=args.document,
                             signature=signature, actor=_office_actor(ctx).user)
    return result, pick(f"{result['case_no']}：已记录{result['department']}会签（{result['signer']}，"
                        f"{result['signed_on']}）",
                        f"{result['case_no']}: countersign of {result['department']} recorded ({result['signer']}, "
                        f"{result['signed_on']})")


def cmd_publicity(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.publicity import add_publicity

    result = add_publicity(ctx.workspace(), args.case, starts_on=args.starts_on, ends_on=args.ends_on,
                           where=args.where, actor=_office_actor(ctx).user)
    return result, pick(f"{result['case_no']}：已记录公示 {result['starts_on']} 至 {result['ends_on']}",
                        f"{result['case_no']}: 公示 recorded, {result['starts_on']} to {result['ends_on']}")


def cmd_spot_check(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.workflow import SPOT_CHECK, transition

    actor = ctx.actor(args.role)
    result = transition(ctx.workspace(), args.case, SPOT_CHECK, role=args.role, actor=actor.user,
                        actor_name=actor.name, jurisdiction=actor.jurisdiction, reason=args.reason,
                        recurred=args.outcome == "reopened")
    result["outcome"] = args.outcome
    return result, pick(f"{result['case_no']}：抽查{'确认' if args.outcome == 'confirmed' else '重新打开'}，"
                        f"状态 {result['status']}",
                        f"{result['case_no']}: spot check {args.outcome}, status {result['status']}")
