"""Basemap commands: ``basemap build`` (GeoTIFF → MBTiles, no workspace needed) and ``basemap add|list|remove``
(the workspace's offline basemaps)."""
from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.context import Context, Subparsers
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    basemap = subparsers.add_parser("basemap", parents=[json_parent],
                                    help="offline basemaps: build from a GeoTIFF, add, list, remove")
    actions = basemap.add_subparsers(dest="basemap_command", metavar="ACTION")
    actions.required = True

    build = actions.add_parser("build", parents=[json_parent],
                               help="tile a georeferenced GeoTIFF / COG (any CRS) into an MBTiles file")
    build.add_argument("file", metavar="SOURCE.tif")
    build.add_argument("-o", "--output", required=True, metavar="NAME.mbtiles")
    build.add_argument("--zooms", metavar="MIN-MAX", help="zoom levels written, e.g. 10-18 (default: the "
                       "source's resolution down to one tile)")
    build.set_defaults(handler=cmd_build)

    add = actions.add_parser("add", parents=[json_parent], help="store a raster MBTiles file as a basemap")
    add.add_argument("file", metavar="FILE.mbtiles")
    add.add_argument("--name", metavar="N", help="basemap name (default: the file name)")
    add.set_defaults(handler=cmd_add)

    listing = actions.add_parser("list", parents=[json_parent], help="the workspace's basemaps")
    listing.set_defaults(handler=cmd_list)

    remove = actions.add_parser("remove", parents=[json_parent], help="remove a basemap")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=cmd_remove)


def cmd_build(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.maps.basemap_store import build_basemap, parse_zooms

    result = build_basemap(args.file, args.output, zooms=parse_zooms(args.zooms), progress=ctx.progress)
    zooms = "–".join(map(str, result["zooms"] or []))
    return result, pick(f"已生成底图 {result['file']}（级别 {zooms}，{result['tiles']:,} 个切片）",
                        f"built basemap {result['file']} (zoom {zooms}, {result['tiles']:,} tiles)")


def cmd_add(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.maps.basemap_store import add_basemap

    entry = add_basemap(ctx.workspace(), args.file, args.name)
    zooms = "–".join(map(str, entry["zooms"] or []))
    return entry, pick(f"已添加底图 {entry['name']}（级别 {zooms}，{entry['size']:,} 字节）",
                       f"added basemap {entry['name']} (zoom {zooms}, {entry['size']:,} bytes)")


def cmd_list(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.maps.basemap_store import list_basemaps

    entries = list_basemaps(ctx.workspace())
    lines = [f"{e['name']}\t{e['label']}\t{'–'.join(map(str, e['zooms'] or []))}\t{e['format'] or '-'}\t{e['size']:,}"
             for e in entries]
    return entries, "\n".join(lines) or pick("没有底图", "no basemaps")


def cmd_remove(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.maps.basemap_store import remove_basemap

    result = remove_basemap(ctx.workspace(), args.name)
    return result, pick(f"已删除底图 {args.name}", f"removed basemap {args.name}")
