"""Workspace commands: init, summary, import-zones, import-ledger, import-patches, locate, cases."""
from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.context import Context, Handler, Subparsers
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, parents=[json_parent], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    add("init", cmd_init, "create a workspace")
    add("summary", cmd_summary, "what the workspace holds")

    zones = add("import-zones", cmd_import_zones, "import red-line / control-area / reserve polygons")
    zones.add_argument("file")
    zones.add_argument("--crs", help="source CRS when the file has none, e.g. EPSG:4549")
    zones.add_argument("--encoding", help="DBF text encoding, e.g. GBK or UTF-8")
    zones.add_argument("--map", dest="field_map", metavar="KEY=FIELD,...",
                       help="field mapping: name, code, kind, category, function_zone, level, adcode")
    zones.add_argument("--kind", help="zone kind for all features: 生态保护红线 / 生态空间管控区域 / 自然保护地")
    zones.add_argument("--layer", help="import only this layer")

    ledger = add("import-ledger", cmd_import_ledger, "import the problem ledger (.xlsx / .csv)")
    ledger.add_argument("file")
    ledger.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    ledger.add_argument("--map", dest="column_map", metavar="FIELD=HEADER,...",
                        help="column mapping overriding the detected one, e.g. case_no=编号,lon=X,lat=Y; fields: "
                             "case_no, lon, lat, description, problem_type, ledger_zone_name, ledger_function_zone, "
                             "discovered_on, deadline, responsible_unit, clue_source, ledger_city, ledger_county, "
                             "area_m2")

    patches = add("import-patches", cmd_import_patches, "import change patches (变化图斑) as cases with their extent")
    patches.add_argument("file")
    patches.add_argument("--crs", help="source CRS when the file has none, e.g. EPSG:4549")
    patches.add_argument("--encoding", help="DBF text encoding, e.g. GBK or UTF-8")
    patches.add_argument("--map", dest="field_map", metavar="KEY=FIELD,...",
                         help="field mapping: patch_no, case_no, area, imaged_before, imaged_after, change_type, "
                              "problem_type, description, ledger_city, ledger_county")
    patches.add_argument("--join", choices=("case_no", "patch_no"),
                         help="join existing cases by 问题编号 (case_no) or 图斑编号 (patch_no); default: either")

    locate = add("locate", cmd_locate, "zones and admin area at a point")
    locate.add_argument("lon", type=float)
    locate.add_argument("lat", type=float)

    cases = add("cases", cmd_cases, "list cases with their attribution")
    cases.add_argument("--status", help="only cases in this state")
    cases.add_argument("refs", nargs="*", metavar="CASE", help="问题编号 or UUID")


def cmd_init(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    ws = ctx.workspace(create=True)
    payload = {"workspace": str(ws.root), "schema_version": ws.schema_version,
               "workspace_id": ws.meta("workspace_id")}
    return payload, pick(f"工作空间已就绪：{ws.root}", f"workspace ready: {ws.root}")


def cmd_summary(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.cases import summary

    data = summary(ctx.workspace(demo_fallback=True))
    lines = [
        pick(f"工作空间：{data['workspace']}（版本 {data['schema_version']}）",
             f"Workspace: {data['workspace']} (schema {data['schema_version']})"),
        pick(f"区域 {data['zones']} 个：", f"{data['zones']} zones: ")
        + "，".join(f"{k} {v}" for k, v in data["zones_by_kind"].items()),
        pick(f"问题 {data['cases']} 个（位于区域内 {data['cases_in_zones']}，逾期 {data['cases_overdue']}）：",
             f"{data['cases']} cases ({data['cases_in_zones']} inside zones, {data['cases_overdue']} overdue): ")
        + "，".join(f"{k} {v}" for k, v in data["cases_by_status"].items()),
        pick("按城市：", "By city: ") + "，".join(f"{k} {v}" for k, v in data["cases_by_city"].items()),
    ]
    return data, "\n".join(lines)


def cmd_import_zones(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.importers.zone_import import import_zones, parse_field_map

    result = import_zones(
        ctx.workspace(create=True), args.file, crs=args.crs, encoding=args.encoding,
        field_map=parse_field_map(args.field_map), kind=args.kind, layer=args.layer,
        progress=ctx.progress,
    )
    text = pick(
        f"新增 {result.imported}，更新 {result.updated}，未变 {result.unchanged}，移除 {result.removed}，"
        f"修复 {len(result.repaired)}，拒绝 {len(result.rejected)}",
        f"imported {result.imported}, updated {result.updated}, unchanged {result.unchanged}, "
        f"removed {result.removed}, repaired {len(result.repaired)}, rejected {len(result.rejected)}",
    )
    details = [pick(f"  修复 {r['layer']}#{r['feature']} {r.get('name') or ''}：{r['reason']}",
                    f"  repaired {r['layer']}#{r['feature']} {r.get('name') or ''}: {r['reason']}")
               for r in result.repaired]
    details += [pick(f"  拒绝 {r['layer']}#{r['feature']}：{r['reason']}",
                     f"  rejected {r['layer']}#{r['feature']}: {r['reason']}") for r in result.rejected]
    details += [pick(f"  注意：{w}", f"  warning: {w}") for w in result.warnings]
    return result.as_dict(), "\n".join([text] + details)


def cmd_import_ledger(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.importers.ledger_import import import_ledger, parse_column_map, read_ledger

    column_map = parse_column_map(args.column_map)
    ws = ctx.workspace(create=True)
    if args.dry_run:
        records, result = read_ledger(args.file, ws, column_map=column_map)
        result.created = len(records)  # rows that would be imported
        payload = {**result.as_dict(), "dry_run": True}
    else:
        result = import_ledger(ws, args.file, progress=ctx.progress, column_map=column_map)
        payload = result.as_dict()
    text = pick(
        f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，拒绝 {len(result.rejected)}",
        f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
        f"rejected {len(result.rejected)}",
    )
    details = [pick(f"  {r['sheet']} 第 {r['row']} 行：{r['reason']}",
                    f"  {r['sheet']} row {r['row']}: {r['reason']}") for r in result.rejected]
    return payload, "\n".join([text] + details)


def cmd_import_patches(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.importers.patch_import import import_patches, parse_patch_map, patch_summary

    result = import_patches(ctx.workspace(create=True), args.file, crs=args.crs, encoding=args.encoding,
                            field_map=parse_patch_map(args.field_map), join=args.join)
    return result.as_dict(), patch_summary(result)


def cmd_locate(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.geo.attribution import locate

    result = locate(ctx.workspace(demo_fallback=True), args.lon, args.lat)
    admin = result["admin"]
    place = " ".join(filter(None, [admin.get("city"), admin.get("county")])) or pick("江苏省外", "outside Jiangsu")
    if result["zones"]:
        zones = "；".join(f"{z['name']}（{z['kind']}{'，' + z['function_zone'] if z['function_zone'] else ''}）"
                         for z in result["zones"])
        text = pick(f"{place}：位于 {zones}", f"{place}: inside {zones}")
    elif result["nearest"]:
        near = result["nearest"]
        text = pick(f"{place}：不在任何区域内，最近为 {near['name']}，距离 {near['distance_m']:.0f} 米",
                    f"{place}: in no zone; nearest {near['name']} at {near['distance_m']:.0f} m")
    else:
        text = pick(f"{place}：不在任何区域内", f"{place}: in no zone")
    return result, text


def cmd_cases(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.casework.cases import list_cases

    cases = list_cases(ctx.workspace(demo_fallback=True), status=args.status, refs=args.refs or None)
    lines = [
        f"{c['case_no']}\t{c['status']}\t{(c['zones'][0]['name'] if c['zones'] else '-')}\t"
        f"{c['function_zone'] or '-'}\t{c['city'] or '-'} {c['county'] or ''}\t"
        f"{pick('逾期', 'overdue') if c['overdue'] else ''}"
        for c in cases
    ]
    return cases, "\n".join(lines)
