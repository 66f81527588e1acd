"""Benchmark: change-patch import with overlap attribution vs ogr2ogr plus a shapely STRtree overlay.

Run: ``.venv/bin/python tests/bench/bench_patches.py [--patches 10000] [--zones 5000] [--profile]``.
Not part of the test run. Writes the red-line zones exactly as ``bench_workspace.py`` does (EPSG:4549
shapefile, GBK attributes without ``.cpg``) and imports them into a workspace, then writes a patch
layer the same way (EPSG:4549, GBK, 图斑编号 / 面积（亩） / 变化类型 / 前时相 / 后时相, >= 1,000,000
vertices at the default size): half of the patches sit on a zone's boundary (partly inside), a quarter
at a zone's centre, the rest anywhere. Timed in the same run:

- ours: ``inspector import-patches FILE --json`` (the CLI, a fresh process) on the workspace of zones. A
  file this large is read and checked (GDAL, validity and repair, stored GeoJSON, representative points,
  areas, reported-area flags) in a second, bounded process while the first attributes the parts received
  (overlaps, containing and nearest zone, city/county) and then stores them with the journal in one
  transaction: two processes, whose CPU times are both counted;
- peer: ``ogr2ogr`` loading the same file into SpatiaLite (to EPSG:4490), plus a shapely 2 ``STRtree``
  of the zones and ``intersection`` of every candidate pair, areas in the GK projection of the files,
  geometries read with GDAL: one process at a time, no validity check or repair, no GeoJSON, points,
  nearest zone or county; it intersects the pairs where a patch lies wholly inside a zone, which ours
  measures by the patch's own area.

Both must find the same overlapping (patch, zone) pairs and the same total overlap area (within 0.1 %).
The target is on wall time; the CPU time (user + system) of both sides and the load average are printed
beside it, because on a shared machine the wall times move with what else runs.
``--profile`` then imports the patches once more in-process, on a fresh workspace, under cProfile.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench_workspace import EXTENT, cpu_seconds, make_polygons, timed, write_shapefile  # noqa: E402
from osgeo import gdal, ogr, osr  # noqa: E402
from summary import ratio_row  # noqa: E402

from inspector.importers.patch_import import import_patches  # noqa: E402
from inspector.importers.zone_import import import_zones  # noqa: E402
from inspector.store.workspace import Workspace  # noqa: E402
from tests.vector_fixtures import gk_to_lonlat_srs  # noqa: E402

SQUARE_METRES_PER_MU = 10_000 / 15  # 1 亩 = 1/15 公顷
OVERLAP_TOLERANCE = 0.001  # relative difference allowed between the two total overlap areas
TARGET_RATIO = 1.5  # ours / peer, issue 15
CHANGE_TYPES = ("耕地变建设用地", "林地变裸地", "水域变养殖坑塘", "草地变建设用地")


def make_patches(count: int, vertices: int, zones: list[shapely.Polygon],
                 rng: np.random.Generator) -> list[shapely.Polygon]:
    """Star-shaped patches of 50-400 m radius: half centred on a zone's boundary, a quarter at a zone's
    centre, the rest anywhere in the extent."""
    patches = []
    for i in range(count):
        zone = zones[int(rng.integers(len(zones)))]
        if i % 4 < 2:
            ring = zone.exterior.coords
            lon, lat = ring[int(rng.integers(len(ring) - 1))]
        elif i % 4 == 2:
            lon, lat = zone.centroid.x, zone.centroid.y
        else:
            lon, lat = rng.uniform(EXTENT[0], EXTENT[2]), rng.uniform(EXTENT[1], EXTENT[3])
        radius = rng.uniform(0.0005, 0.004)  # degrees
        angles = np.sort(rng.uniform(0, 2 * math.pi, vertices - 1))
        radii = radius * (0.6 + 0.4 * rng.random(vertices - 1))
        patches.append(shapely.Polygon(np.column_stack([
            lon + radii * np.cos(angles) / math.cos(math.radians(lat)), lat + radii * np.sin(angles)])))
    return patches


def write_patch_shapefile(path: Path, patches: list[shapely.Polygon]) -> int:
    """The patches as an EPSG:4549 shapefile with GBK attributes and no ``.cpg``; returns the vertices."""
    gk, geo = gk_to_lonlat_srs()
    to_gk = osr.CoordinateTransformation(geo, gk)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(path))
    layer = ds.CreateLayer("patches", gk, ogr.wkbPolygon, options=["ENCODING=CP936"])
    for name, kind in (("图斑编号", ogr.OFTString), ("面积（亩）", ogr.OFTReal), ("变化类型", ogr.OFTString),
                       ("前时相", ogr.OFTString), ("后时相", ogr.OFTString)):
        field = ogr.FieldDefn(name, kind)
        if kind == ogr.OFTReal:
            field.SetWidth(14)
            field.SetPrecision(2)
        else:
            field.SetWidth(40)
        layer.CreateField(field)
    vertices = 0
    for i, patch in enumerate(patches):
        geom = ogr.CreateGeometryFromWkb(shapely.to_wkb(patch))
        geom.Transform(to_gk)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("图斑编号", f"TB-{i:06d}")
        feature.SetField("面积（亩）", round(geom.GetArea() / SQUARE_METRES_PER_MU, 2))
        feature.SetField("变化类型", CHANGE_TYPES[i % len(CHANGE_TYPES)])
        feature.SetField("前时相", "2025-10-01")
        feature.SetField("后时相", "2026-04-01")
        feature.SetGeometry(geom)
        layer.CreateFeature(feature)
        vertices += len(patch.exterior.coords)
    ds = None
    path.with_suffix(".cpg").unlink()
    return vertices


def read_layer(path: Path, field: str) -> tuple[list[str], np.ndarray]:
    """(the ``field`` value, the shapely geometry in the file's CRS) of every feature, read with GDAL."""
    ds = gdal.OpenEx(str(path), gdal.OF_VECTOR, open_options=["ENCODING=CP936"])  # GBK, no .cpg
    layer = ds.GetLayer(0)
    labels, wkbs = [], []
    for feature in layer:
        labels.append(feature.GetField(field))
        wkbs.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    return labels, shapely.from_wkb(wkbs)


def peer_overlay(patch_shp: Path, zone_shp: Path) -> dict[tuple[str, str], float]:
    """(patch number, zone code) → overlap m² for every overlapping pair: STRtree + intersection in GK."""
    patch_nos, patches = read_layer(patch_shp, "图斑编号")
    zone_codes, zones = read_layer(zone_shp, "编码")
    tree = shapely.STRtree(zones)
    patch_idx, zone_idx = tree.query(patches, predicate="intersects")
    areas = shapely.area(shapely.intersection(patches[patch_idx], zones[zone_idx]))
    return {(patch_nos[p], zone_codes[z]): float(a) for p, z, a in zip(patch_idx, zone_idx, areas) if a > 0}


def our_overlaps(ws_dir: Path) -> dict[tuple[str, str], float]:
    """(patch number, zone code) → overlap m² as the import stored them."""
    ws = Workspace.open(ws_dir)
    try:
        rows = ws.conn.execute(
            "SELECT c.patch_no, z.code, cz.overlap_m2 FROM case_zones cz JOIN cases c ON c.id = cz.case_id "
            "JOIN zones z ON z.id = cz.zone_id WHERE c.origin = 'patch'").fetchall()
    finally:
        ws.close()
    return {(patch_no, code): float(m2) for patch_no, code, m2 in rows}


def zone_workspace(path: Path, zone_shp: Path, zones: int) -> Path:
    ws = Workspace.create(path)
    try:
        result = import_zones(ws, zone_shp)
        assert result.imported == zones, result.as_dict()
    finally:
        ws.close()
    return path


def compare(ours: dict[tuple[str, str], float], peer: dict[tuple[str, str], float]) -> bool:
    only_ours, only_peer = len(ours.keys() - peer.keys()), len(peer.keys() - ours.keys())
    total_ours, total_peer = sum(ours.values()), sum(peer.values())
    difference = abs(total_ours - total_peer) / total_peer if total_peer else 0.0
    same = only_ours == only_peer == 0 and difference <= OVERLAP_TOLERANCE
    print(f"overlaps: ours {len(ours):,} pairs, {total_ours / 1e6:,.4f} km²   peer {len(peer):,} pairs, "
          f"{total_peer / 1e6:,.4f} km²   pairs only ours {only_ours}, only peer {only_peer}, "
          f"total area differs by {difference * 100:.4f} % (<= {OVERLAP_TOLERANCE * 100:g} %): "
          f"{'same' if same else 'DIFFERENT'}")
    return same


def timed_with_cpu(fn):
    """(wall seconds, CPU seconds, result): on a shared machine the CPU time says what the wall time hides."""
    cpu = cpu_seconds()
    wall, result = timed(fn)
    return wall, cpu_seconds() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patches", type=int, default=10_000)
    parser.add_argument("--patch-vertices", type=int, default=101)
    parser.add_argument("--zones", type=int, default=5000)
    parser.add_argument("--vertices", type=int, default=201, help="vertices of a zone")
    parser.add_argument("--profile", action="store_true", help="then profile an in-process import")
    args = parser.parse_args()
    rng = np.random.default_rng(20261124)  # the zones come out as bench_workspace's
    tmp = Path(tempfile.mkdtemp(prefix="bench-patches-"))
    try:
        zones = make_polygons(args.zones, args.vertices, rng)
        zone_shp = tmp / "redline.shp"
        zone_vertices = write_shapefile(zone_shp, zones)
        patch_shp = tmp / "patches.shp"
        patch_vertices = write_patch_shapefile(patch_shp, make_patches(args.patches, args.patch_vertices,
                                                                       zones, rng))
        print(f"zones: {args.zones} polygons, {zone_vertices:,} vertices; patches: {args.patches} polygons, "
              f"{patch_vertices:,} vertices; EPSG:4549 shapefiles, GBK without .cpg")
        ws_dir = zone_workspace(tmp / "ws", zone_shp, args.zones)

        ogr_time, ogr_cpu, _ = timed_with_cpu(lambda: subprocess.run(
            ["ogr2ogr", "-f", "SQLite", "-dsco", "SPATIALITE=YES", "-t_srs", "EPSG:4490",
             str(tmp / "ogr2ogr.sqlite"), str(patch_shp)], check=True, capture_output=True))
        overlay_time, overlay_cpu, peer = timed_with_cpu(lambda: peer_overlay(patch_shp, zone_shp))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        import_time, import_cpu, done = timed_with_cpu(lambda: subprocess.run(
            [sys.executable, "-m", "inspector", "--workspace", str(ws_dir), "import-patches", str(patch_shp),
             "--json"], check=True, capture_output=True, env=env, text=True))
        summary = json.loads(done.stdout)
        assert summary["created"] == args.patches, {k: summary[k] for k in ("created", "updated", "rejected")}
        peer_time = ogr_time + overlay_time
        ratio = import_time / peer_time
        print(f"import-patches: {import_time:.2f} s   peer: {peer_time:.2f} s (ogr2ogr {ogr_time:.2f} s + "
              f"STRtree/intersection overlay {overlay_time:.2f} s)   ratio {ratio:.2f}x "
              f"(target <= {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'}); "
              f"{args.patches / import_time:,.0f} patches/s, {len(summary['area_flags'])} area flags")
        ratio_row("import-patches 10,000 patches + overlap", import_time, peer_time,
                  "ogr2ogr + STRtree overlay", TARGET_RATIO)
        peer_cpu = ogr_cpu + overlay_cpu
        print(f"CPU (user + system): import-patches {import_cpu:.2f} s   peer {peer_cpu:.2f} s "
              f"(ogr2ogr {ogr_cpu:.2f} s + overlay {overlay_cpu:.2f} s)   ratio {import_cpu / peer_cpu:.2f}x; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        same = compare(our_overlaps(ws_dir), peer)

        if args.profile:
            fresh = zone_workspace(tmp / "ws-profile", zone_shp, args.zones)
            ws = Workspace.open(fresh)
            profiler = cProfile.Profile()
            profiler.runcall(import_patches, ws, patch_shp)
            ws.close()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        if not same:
            sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
