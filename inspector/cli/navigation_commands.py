"""Navigation commands: ``inspector navigate CASE --from LON LAT`` — how far, which way, which zones.

Prints the geodesic distance (metres) and initial bearing (degrees, 0 = north,
clockwise) from the position to the case's point, the zones the position lies
in (as ``cases --json`` summarises them) and the distance to the nearest zone
boundary (:func:`inspector.geo.navigation.navigate`), plus the case's
``case_no``/``uuid``, ``target`` and ``arrived`` (within the workspace's arrival
radius). CASE is the 问题编号 or the UUID; an unknown case or an invalid
position exits 2.
"""
from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.context import Context, Subparsers
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    navigate = subparsers.add_parser("navigate", parents=[json_parent],
                                     help="distance and bearing from a position to a case, zones at the position")
    navigate.set_defaults(handler=cmd_navigate)
    navigate.add_argument("case", metavar="CASE", help="问题编号 or UUID")
    navigate.add_argument("--from", dest="position", nargs=2, type=float, required=True, metavar=("LON", "LAT"),
                          help="the current position (CGCS2000/WGS84 lon lat)")


def cmd_navigate(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.cases import resolve_case
    from inspector.geo.field_settings import arrival_radius_m
    from inspector.geo.navigation import compass_point, navigate

    ws = ctx.workspace(demo_fallback=True)
    case = resolve_case(ws, args.case)
    lon, lat = args.position
    result = navigate(ws, case["lon"], case["lat"], lon, lat)
    radius = arrival_radius_m(ws)
    payload = {"case_no": case["case_no"], "uuid": case["uuid"], **result,
               "arrival_radius_m": radius, "arrived": result["distance_m"] <= radius}
    zh_dir, en_dir = compass_point(result["bearing_deg"])
    zones = "、".join(z["name"] or "-" for z in result["inside_zones"])
    edge = result["nearest_edge_m"]
    text = pick(
        f"{case['case_no']}：{result['distance_m']:.0f} 米，方位 {result['bearing_deg']:.0f}°（{zh_dir}）"
        + (f"；位于 {zones}" if zones else "；不在任何区域内")
        + (f"；距最近区域边界 {edge:.0f} 米" if edge is not None else ""),
        f"{case['case_no']}: {result['distance_m']:.0f} m, bearing {result['bearing_deg']:.0f}° ({en_dir})"
        + (f"; inside {zones}" if zones else "; in no zone")
        + (f"; nearest zone edge {edge:.0f} m" if edge is not None else ""))
    return payload, text
