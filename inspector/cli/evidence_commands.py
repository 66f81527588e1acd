"""Evidence and workflow commands: attach, finding, rectification, checklist, transition (``--signature``),
history, verify-audit, thumbnail; the ``edit`` / ``void`` corrections of evidence, findings and rectifications
come from :mod:`inspector.cli.correction_commands`.

A CASE argument is the case's 问题编号 or its UUID. Every command that writes
acts as the workspace's acting user (:meth:`Context.actor`: the signed-in
account, or the device's local user on a workspace without accounts); its
account name is what the audit log and the transition history record.
``--by NAME`` is kept for scripts: it may only name that user. ``--as ROLE``
must be one of the user's roles.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.casework.statuses import ROLES  # the workflow's roles, without importing its rules
from inspector.cli.context import CommandResult, Context, Handler, Subparsers
from inspector.i18n import pick
from inspector.vocabulary import DOCUMENT_TYPES

PHASE_CHOICES = ("inspection", "before", "after")


def add_actor_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--by NAME`` on a parent parser of the commands that record who acted (checked by :meth:`Context.actor`)."""
    parser.add_argument("--by", dest="actor", default=None, metavar="NAME",
                        help="who is acting: only the signed-in user (default: the signed-in user, or the "
                             "device's local user on a workspace without accounts)")
    return parser


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    actor_parent = add_actor_option(argparse.ArgumentParser(add_help=False))

    def add(container: Subparsers, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = container.add_parser(name, parents=[json_parent, actor_parent], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    def group(name: str, help_text: str) -> Any:
        """A command whose first argument is an ACTION (``finding add``); its actions are added to the result."""
        actions = subparsers.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_command", metavar="ACTION")
        actions.required = True
        return actions

    attach = add(subparsers, "attach", cmd_attach,
                 "attach photos, drone stills, orthophotos or (with --document-type) documents to a case")
    attach.add_argument("case", metavar="CASE", help="问题编号 or UUID")
    attach.add_argument("files", nargs="+", metavar="FILE")
    attach.add_argument("--finding", metavar="ID", help="finding UUID (or local id) the files document")
    attach.add_argument("--phase", choices=PHASE_CHOICES, default="inspection")
    attach.add_argument("--document-type", choices=DOCUMENT_TYPES, metavar="TYPE",
                        help="attach the files as documents of this type: " + " | ".join(DOCUMENT_TYPES)
                             + " (PDF, DOCX, XLSX, OFD, scanned images)")

    finding_sub = group("finding", "record and list findings (核查记录)")
    finding_add = add(finding_sub, "add", cmd_finding_add, "record a finding")
    finding_add.add_argument("case", metavar="CASE")
    finding_add.add_argument("--assessment", required=True, help="确认问题 / 排除 / 待定")
    finding_add.add_argument("--activity", required=True, help="activity type, e.g. 养殖")
    finding_add.add_argument("--description", default="")
    finding_add.add_argument("--lon", type=float)
    finding_add.add_argument("--lat", type=float)
    finding_add.add_argument("--position-source", choices=("device_gps", "photo_exif", "map_pick", "ledger"))
    finding_add.add_argument("--accuracy-m", type=float)
    finding_add.add_argument("--fix-type", metavar="TYPE",
                             help="GNSS fix type of the position: gps, dgps, rtk_fixed, rtk_float, …")
    finding_add.add_argument("--satellites", type=int, help="satellites used in the fix")
    finding_add.add_argument("--hdop", type=float, help="horizontal dilution of precision of the fix")
    finding_add.add_argument("--basis", help="legal or factual basis of the assessment")
    finding_add.add_argument("--area-m2", type=float)
    finding_add.add_argument("--area-measured", action="store_true", help="the area was measured, not estimated")
    finding_add.add_argument("--inspector", metavar="NAME")
    finding_add.add_argument("--signature", type=Path, metavar="FILE.png", help="the inspector's signature")
    finding_add.add_argument("--party-signature", type=Path, metavar="FILE.png",
                             help="the inspected party's signature (with --party-name)")
    finding_add.add_argument("--party-name", metavar="NAME", help="who signed for the inspected party")
    finding_list = add(finding_sub, "list", cmd_finding_list, "list a case's findings")
    finding_list.add_argument("case", metavar="CASE")

    rect_sub = group("rectification", "rectification (整改) records")
    rect_add = add(rect_sub, "add", cmd_rectification_add, "record a rectification plan")
    rect_add.add_argument("case", metavar="CASE")
    rect_add.add_argument("--measure-type", required=True, help="退出 / 整治 / 生态修复")
    rect_add.add_argument("--measures", default="")
    rect_add.add_argument("--deadline", help="YYYY-MM-DD")
    rect_add.add_argument("--unit", dest="responsible_unit")
    rect_add.add_argument("--person", dest="responsible_person")
    rect_note = add(rect_sub, "note", cmd_rectification_note, "add a progress note")
    rect_note.add_argument("uuid", metavar="RECTIFICATION_UUID")
    rect_note.add_argument("note")

    from inspector.cli.correction_commands import add_correction_actions

    add_correction_actions(add, group("evidence", "correct (edit) or void evidence"), finding_sub, rect_sub)

    check = add(subparsers, "checklist", cmd_checklist, "set the 两断三清 closure checklist of a case")
    check.add_argument("case", metavar="CASE")
    from inspector.casework.rectification import CHECKLIST_ITEMS

    for item in CHECKLIST_ITEMS:
        flag = "--" + item.replace("_", "-")
        check.add_argument(flag, dest=item, action=argparse.BooleanOptionalAction, default=None)
    check.add_argument("--note")

    move = add(subparsers, "transition", cmd_transition, "move a case to another state (or 退回 / 回头看)")
    move.add_argument("case", metavar="CASE")
    move.add_argument("state", metavar="STATE")
    move.add_argument("--as", dest="role", required=True, choices=ROLES)
    move.add_argument("--reason")
    move.add_argument("--recurred", action="store_true", help="回头看: the problem has come back (reopens)")
    move.add_argument("--signature", type=Path, metavar="FILE.png", help="the acting person's signature")

    hist = add(subparsers, "history", cmd_history, "a case's transitions")
    hist.add_argument("case", metavar="CASE")

    verify = add(subparsers, "verify-audit", cmd_verify_audit,
                 "check the audit chain, audited records and media files; quarantine orphan media")
    verify.add_argument("--orphan-min-age", type=float, default=0.0, metavar="SECONDS",
                        help="quarantine only orphan media older than this")

    thumb = add(subparsers, "thumbnail", cmd_thumbnail, "path of a cached thumbnail of a stored image")
    thumb.add_argument("sha256")
    thumb.add_argument("--size", type=int, default=320)


def _actor(ctx: Context) -> str:
    """The account name the command records (see :meth:`Context.actor`)."""
    return ctx.actor().user


def cmd_attach(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.evidence_attach import attach

    results = attach(ctx.workspace(), args.case, args.files, finding=args.finding, phase=args.phase,
                     actor=_actor(ctx), document_type=args.document_type)
    lines = []
    for r in results:
        if "error" in r:
            lines.append(pick(f"失败 {r['file']}：{r['error']}", f"failed {r['file']}: {r['error']}"))
        else:
            where = (r.get("document_type") or "-") if r["kind"] == "document" else (
                f"{r['lon']:.6f}, {r['lat']:.6f}" if r["lon"] is not None else "-")
            texts = [pick(t["zh"], t["en"]) for t in r["flag_texts"].values()]
            lines.append(f"{r['sha256'][:12]} {r['kind']} {where} {'、'.join(r['zones'])}"
                         + "".join(f"\n  ⚠ {text}" for text in texts))
    failed = any("error" in r for r in results)
    return (CommandResult(results, 2) if failed else results), "\n".join(lines)


def _finding_signatures(args: argparse.Namespace, inspector: str) -> list[Any]:
    from inspector.casework.signatures import Signature, read_signature_file
    from inspector.errors import BadInput

    signatures = []
    if args.signature is not None:
        signatures.append(Signature(read_signature_file(args.signature), "inspector", inspector))
    if (args.party_signature is None) != (args.party_name is None):
        raise BadInput("被检查单位的签名须同时给出 --party-signature 和 --party-name",
                       "the inspected party's signature needs both --party-signature and --party-name")
    if args.party_signature is not None:
        signatures.append(Signature(read_signature_file(args.party_signature), "inspected_party", args.party_name))
    return signatures


def cmd_finding_add(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.findings import add_finding

    actor = ctx.actor()
    inspector = args.inspector or actor.name
    signatures = _finding_signatures(args, inspector)
    result = add_finding(
        ctx.workspace(), args.case, assessment=args.assessment, activity_type=args.activity,
        description=args.description, lon=args.lon, lat=args.lat, position_source=args.position_source,
        accuracy_m=args.accuracy_m, area_m2=args.area_m2, area_is_estimate=not args.area_measured,
        basis=args.basis, inspector=inspector, actor=actor.user, signatures=signatures,
        fix_type=args.fix_type, satellites=args.satellites, hdop=args.hdop,
    )
    zones = "、".join(result["zone_names"]) or pick("不在区域内", "in no zone")
    return result, pick(f"已记录核查 {result['uuid']}：{result['assessment']}，{zones}",
                        f"finding {result['uuid']} recorded: {result['assessment']}, {zones}")


def cmd_finding_list(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.findings import list_findings

    findings = list_findings(ctx.workspace(), args.case)
    return findings, "\n".join(f"{f['uuid']}\t{f['assessment']}\t{f['activity_type']}\t{f['observed_at_utc']}"
                               for f in findings)


def cmd_rectification_add(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.rectification import add_rectification

    result = add_rectification(ctx.workspace(), args.case, measure_type=args.measure_type, measures=args.measures,
                               deadline=args.deadline, responsible_unit=args.responsible_unit,
                               responsible_person=args.responsible_person, actor=_actor(ctx))
    return result, pick(f"已记录整改 {result['uuid']}（{result['measure_type']}）",
                        f"rectification {result['uuid']} recorded ({result['measure_type']})")


def cmd_rectification_note(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.rectification import add_progress_note

    result = add_progress_note(ctx.workspace(), args.uuid, args.note, actor=_actor(ctx))
    return result, pick(f"已添加进展（共 {len(result['progress_notes'])} 条）",
                        f"note added ({len(result['progress_notes'])} in all)")


def cmd_checklist(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.rectification import CHECKLIST_ITEMS, set_checklist

    items = {k: getattr(args, k) for k in CHECKLIST_ITEMS if getattr(args, k) is not None}
    result = set_checklist(ctx.workspace(), args.case, items=items, note=args.note, actor=_actor(ctx))
    done = pick("两断三清已完成", "closure checklist complete") if result["complete"] else (
        pick("未完成：", "incomplete: ") + ", ".join(result["missing"]))
    return result, done


def cmd_transition(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.cases import resolve_case
    from inspector.casework.signatures import Signature, read_signature_file
    from inspector.casework.workflow import signer_role_for, transition

    actor = ctx.actor(args.role)
    ws = ctx.workspace()
    signatures = []
    if args.signature is not None:
        png = read_signature_file(args.signature)
        signatures.append(Signature(png, signer_role_for(resolve_case(ws, args.case)["status"]), actor.name))
    result = transition(ws, args.case, args.state, role=args.role, actor=actor.user, actor_name=actor.name,
                        jurisdiction=actor.jurisdiction, reason=args.reason, recurred=args.recurred,
                        signatures=signatures)
    return result, pick(f"{result['case_no']}：{result['from_state']} → {result['to_state']}",
                        f"{result['case_no']}: {result['from_state']} → {result['to_state']}")


def cmd_history(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.corrections import case_history, describe_changes

    rows = case_history(ctx.workspace(), args.case)

    def line(r: dict[str, Any]) -> str:
        if r["record_kind"] != "transitions":  # a correction: which record, what changed from what to what
            return (f"{r['at_utc']}\t{r['action']} {r['record_kind']} {r['record_uuid']}\t"
                    f"{describe_changes(r['changes'])}\t{r['actor_name'] or r['actor']}\t{r['reason'] or ''}")
        return (f"{r['at_utc']}\t{r['from_state']} → {r['to_state']}\t{r['action']}\t"
                f"{r['actor_name'] or r['actor']} ({r['role']})\t{r['reason'] or ''}")
    return rows, "\n".join(line(r) for r in rows)


def cmd_verify_audit(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.errors import BadInput
    from inspector.store.audit import verify
    from inspector.store.media_store import quarantine_orphans

    ws = ctx.workspace()
    refusal = None
    try:
        quarantined = quarantine_orphans(ws, min_age_s=args.orphan_min_age)
    except BadInput as exc:  # symbolic links under media/: reported below as media problems
        quarantined, refusal = [], exc.message.text
    result = {**verify(ws), "quarantined": quarantined}
    if refusal:
        result["quarantine_refused"] = refusal
    if result["ok"]:
        text = pick(f"审计日志完好（{result['entries']} 条）", f"audit log intact ({result['entries']} entries)")
    else:
        broken = result["first_broken"]
        parts = [f"chain broken at #{broken['seq']}: {broken['reason']}"] if broken else []
        parts += [f"{p['table']} {p['uuid']}: {p['reason']}" for p in result["record_problems"]]
        parts += [f"media {p['sha256'] or p['path']}: {p['reason']}" for p in result["media_problems"]]
        text = pick("审计校验失败：", "audit verification failed: ") + "; ".join(parts)
    if quarantined:
        text += "\n" + pick(f"已隔离 {len(quarantined)} 个孤立文件", f"{len(quarantined)} orphan files quarantined")
    if refusal:
        text += "\n" + refusal
    return (result if result["ok"] else CommandResult(result, 1)), text


def cmd_thumbnail(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.store.media_store import thumbnail_path

    path = thumbnail_path(ctx.workspace(), args.sha256.lower(), args.size)
    return {"sha256": args.sha256.lower(), "path": str(path)}, str(path)
