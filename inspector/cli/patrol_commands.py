"""Patrol commands: ``patrol import|list|export|form|start|pause|resume|end``.

``patrol import LOG.nmea|TRACK.gpx [--purpose P]`` records a recorded track as an ended patrol →
``{"uuid", "points", "distance_m", "duration_s", "started_at", "ended_at", ...}``; ``patrol list`` lists every
patrol; ``patrol export UUID -o FILE.gpx|.gpkg`` writes its track; ``patrol form UUID -o FILE.pdf`` its 巡查记录表.
``start`` / ``pause`` / ``resume`` / ``end`` drive a patrol from a script (the GUI logs its track). Every command
that writes acts as the signed-in user (:meth:`Context.actor`). A bad file or argument exits 2 with the reason.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.cli.context import Context, Subparsers
from inspector.cli.evidence_commands import add_actor_option
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    actor_parent = add_actor_option(argparse.ArgumentParser(add_help=False))
    patrol = subparsers.add_parser("patrol", parents=[json_parent], help="routine patrols (常态化巡查) and tracks")
    commands = patrol.add_subparsers(dest="patrol_command", metavar="STEP")
    commands.required = True

    importing = commands.add_parser("import", parents=[json_parent, actor_parent],
                                    help="record an NMEA log or GPX track as an ended patrol")
    importing.add_argument("file", type=Path, metavar="LOG.nmea|TRACK.gpx")
    importing.add_argument("--purpose", metavar="P", help="巡查目的 (default: from the file name)")
    importing.set_defaults(handler=cmd_import)

    listing = commands.add_parser("list", parents=[json_parent], help="every patrol, newest first")
    listing.set_defaults(handler=cmd_list)

    export = commands.add_parser("export", parents=[json_parent], help="write a patrol's track as GPX or GeoPackage")
    export.add_argument("uuid", metavar="UUID")
    export.add_argument("-o", "--output", required=True, metavar="FILE.gpx|FILE.gpkg")
    export.set_defaults(handler=cmd_export)

    form = commands.add_parser("form", parents=[json_parent], help="the patrol record form (巡查记录表) as PDF")
    form.add_argument("uuid", metavar="UUID")
    form.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    form.set_defaults(handler=cmd_form)

    start = commands.add_parser("start", parents=[json_parent, actor_parent], help="start a patrol now")
    start.add_argument("--purpose", required=True, metavar="P")
    start.add_argument("--member", dest="members", action="append", default=[], metavar="NAME",
                       help="a team member (repeat)")
    start.add_argument("--area", metavar="TEXT", help="巡查区域")
    start.set_defaults(handler=cmd_start)
    for step in ("pause", "resume", "end"):
        parser = commands.add_parser(step, parents=[json_parent, actor_parent], help=f"{step} a patrol")
        parser.add_argument("uuid", metavar="UUID")
        parser.set_defaults(handler=cmd_step, step=step)


def _summary(patrol: dict[str, Any]) -> str:
    return pick(f"巡查 {patrol['uuid']}（{patrol['purpose']}）：{patrol['status']}，{patrol['point_count']} 个点，"
                f"{patrol['distance_m']:.0f} 米，{patrol['duration_s'] / 60:.1f} 分钟",
                f"patrol {patrol['uuid']} ({patrol['purpose']}): {patrol['status']}, {patrol['point_count']} points, "
                f"{patrol['distance_m']:.0f} m, {patrol['duration_s'] / 60:.1f} min")


def cmd_import(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.patrols.track_import import import_track

    result = import_track(ctx.workspace(), args.file, purpose=args.purpose, actor=ctx.actor())
    return dict(result), _summary(result)


def cmd_list(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.patrols.patrols import list_patrols

    patrols = list_patrols(ctx.workspace())
    return patrols, "\n".join(_summary(patrol) for patrol in patrols) or pick("没有巡查记录", "no patrols")


def cmd_export(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.patrols.track_export import export_track

    result = export_track(ctx.workspace(), args.uuid, args.output)
    return result, pick(f"已写出 {result['file']}（{result['points']} 个点）",
                        f"wrote {result['file']} ({result['points']} points)")


def cmd_form(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.patrols.patrol_form import write_patrol_form

    result = write_patrol_form(ctx.workspace(), args.uuid, Path(args.output))
    return result, pick(f"已生成 {result['file']}", f"wrote {result['file']}")


def cmd_start(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.patrols.patrols import start_patrol

    result = start_patrol(ctx.workspace(), purpose=args.purpose, team_members=args.members, area=args.area,
                          actor=ctx.actor())
    return dict(result), _summary(result)


def cmd_step(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.patrols.patrols import end_patrol, pause_patrol, resume_patrol

    step = {"pause": pause_patrol, "resume": resume_patrol, "end": end_patrol}[args.step]
    result = step(ctx.workspace(), args.uuid, actor=ctx.actor())
    return dict(result), _summary(result)
