"""Case commands: ``case new`` records a problem found in the field (现场发现) with a provisional number.

``inspector case new --lon X --lat Y [--polygon FILE.geojson] --problem-type T
--description D`` acts as the workspace's signed-in user (:meth:`Context.actor`,
role inspector) and prints the new case as ``cases --json`` shows it. With
``--polygon`` the position may be left out: the case's point is then the
polygon's representative point. Bad input (a position outside Jiangsu, a
malformed polygon, an empty description) exits 2 with the reason.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.casework.statuses import INSPECTOR
from inspector.cli.context import Context, Subparsers
from inspector.cli.evidence_commands import add_actor_option
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    actor_parent = add_actor_option(argparse.ArgumentParser(add_help=False))
    actions = subparsers.add_parser("case", help="record cases found in the field").add_subparsers(
        dest="case_command", metavar="ACTION")
    actions.required = True
    new = actions.add_parser("new", parents=[json_parent, actor_parent],
                             help="a problem found in the field (provisional number 临-<device>-<n>)")
    new.set_defaults(handler=cmd_case_new)
    new.add_argument("--lon", type=float, help="longitude (CGCS2000/WGS84)")
    new.add_argument("--lat", type=float, help="latitude (CGCS2000/WGS84)")
    new.add_argument("--polygon", type=Path, metavar="FILE.geojson",
                     help="the problem's extent: a GeoJSON Polygon/MultiPolygon in lon/lat")
    new.add_argument("--problem-type", required=True, metavar="TYPE", help="问题类型")
    new.add_argument("--description", required=True, metavar="TEXT", help="问题描述")


def cmd_case_new(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.field_cases import create_field_case, read_polygon_file

    polygon = read_polygon_file(args.polygon) if args.polygon is not None else None
    actor = ctx.actor(INSPECTOR)
    case = create_field_case(ctx.workspace(), lon=args.lon, lat=args.lat, polygon=polygon,
                             problem_type=args.problem_type, description=args.description, actor=actor.user)
    place = " ".join(filter(None, [case["city"], case["county"]])) or "-"
    return dict(case), pick(f"已新建问题 {case['case_no']}（{place}），同步后由办公室给出正式编号",
                            f"case {case['case_no']} recorded ({place}); the office gives its official number "
                            f"after a sync")
