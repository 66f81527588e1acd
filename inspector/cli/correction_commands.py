"""Correction commands: ``evidence edit|void``, ``finding edit|void``, ``rectification edit|void`` (``--reason R``).

Each acts as the workspace's acting user (:meth:`Context.actor`) with all of that user's roles, checked against
the correction rule (:mod:`inspector.casework.correction_rules`); the answer is the corrected record's UUID,
revision, void fields and its whole ``corrections`` history.
"""
from __future__ import annotations

import argparse
from typing import Any, Callable

from inspector.cli.context import Context, Handler, Subparsers
from inspector.cli.evidence_commands import PHASE_CHOICES
from inspector.i18n import pick

AddCommand = Callable[[Subparsers, str, Handler, str], argparse.ArgumentParser]


def add_correction_actions(add: AddCommand, evidence_sub: Subparsers, finding_sub: Subparsers,
                           rectification_sub: Subparsers) -> None:
    """Add ``edit`` and ``void`` to the ``evidence``, ``finding`` and ``rectification`` command groups."""
    def void(container: Subparsers, kind: str, help_text: str) -> None:
        parser = add(container, "void", _void_handler(kind), help_text)
        parser.add_argument("uuid", metavar="UUID")
        parser.add_argument("--reason", required=True, help="why it is voided (kept in its history)")

    evidence_edit = add(evidence_sub, "edit", cmd_evidence_edit, "correct an evidence item's phase, caption or finding")
    evidence_edit.add_argument("uuid", metavar="UUID")
    evidence_edit.add_argument("--phase", choices=PHASE_CHOICES)
    evidence_edit.add_argument("--caption")
    evidence_edit.add_argument("--finding", metavar="FINDING", help="finding UUID it supports ('' to unlink)")
    evidence_edit.add_argument("--reason", required=True, help="why it is corrected (kept in its history)")
    void(evidence_sub, "evidence", "void an evidence item (it stays, struck through, off the forms)")

    finding_edit = add(finding_sub, "edit", cmd_finding_edit, "correct a finding")
    finding_edit.add_argument("uuid", metavar="UUID")
    finding_edit.add_argument("--assessment", help="确认问题 / 排除 / 待定")
    finding_edit.add_argument("--activity", help="activity type, e.g. 养殖")
    finding_edit.add_argument("--description")
    finding_edit.add_argument("--basis")
    finding_edit.add_argument("--area-m2", type=float)
    finding_edit.add_argument("--reason", required=True, help="why it is corrected (kept in its history)")
    void(finding_sub, "findings", "void a finding (it stays, struck through, off the forms)")

    rect_edit = add(rectification_sub, "edit", cmd_rectification_edit, "correct a rectification record")
    rect_edit.add_argument("uuid", metavar="UUID")
    rect_edit.add_argument("--measure-type", help="退出 / 整治 / 生态修复")
    rect_edit.add_argument("--measures")
    rect_edit.add_argument("--deadline", help="YYYY-MM-DD")
    rect_edit.add_argument("--unit", dest="responsible_unit")
    rect_edit.add_argument("--person", dest="responsible_person")
    rect_edit.add_argument("--reason", required=True, help="why it is corrected (kept in its history)")
    void(rectification_sub, "rectifications", "void a rectification record (it stays, struck through)")


def _text(result: dict[str, Any]) -> str:
    if result["voided_at"]:
        return pick(f"已作废 {result['uuid']}：{result['void_reason']}", f"voided {result['uuid']}: "
                    f"{result['void_reason']}")
    from inspector.casework.corrections import describe_changes

    latest = result["corrections"][-1]
    return pick(f"已更正 {result['uuid']}（第 {result['revision']} 版）：", f"corrected {result['uuid']} "
                f"(revision {result['revision']}): ") + describe_changes(latest["changes"])


def _void_handler(kind: str) -> Handler:
    def handler(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
        from inspector.casework.corrections import void_record

        result = void_record(ctx.workspace(), kind, args.uuid, reason=args.reason, actor=ctx.actor())
        return result, _text(result)
    return handler


def cmd_evidence_edit(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.corrections import edit_evidence

    result = edit_evidence(ctx.workspace(), args.uuid, reason=args.reason, actor=ctx.actor(), phase=args.phase,
                           caption=args.caption, finding=args.finding)
    return result, _text(result)


def cmd_finding_edit(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.corrections import edit_finding

    result = edit_finding(ctx.workspace(), args.uuid, reason=args.reason, actor=ctx.actor(),
                          assessment=args.assessment, activity_type=args.activity, description=args.description,
                          basis=args.basis, area_m2=args.area_m2)
    return result, _text(result)


def cmd_rectification_edit(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.corrections import edit_rectification

    result = edit_rectification(ctx.workspace(), args.uuid, reason=args.reason, actor=ctx.actor(),
                                measure_type=args.measure_type, measures=args.measures, deadline=args.deadline,
                                responsible_unit=args.responsible_unit, responsible_person=args.responsible_person)
    return result, _text(result)
