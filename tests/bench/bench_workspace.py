"""Benchmark: zone import vs ogr2ogr, point lookups vs shapely STRtree, ledger rows per second.

Run: ``.venv/bin/python tests/bench/bench_workspace.py [--zones 5000] [--rows 50000]``.
Not part of the test run. Generates a realistic red-line layer (EPSG:4549
shapefile, GBK attributes, >= 1,000,000 vertices) and a ledger, then prints
each measurement next to its peer measured in the same run.

The zone import's peer is ``ogr2ogr -f SQLite -dsco SPATIALITE=YES -t_srs EPSG:4490 -makevalid``: both
sides read the shapefile, transform it to CGCS2000, repair invalid geometries (GEOS MakeValid) and write
SpatiaLite with a spatial index. Only ours also: detects the GBK encoding of a DBF without ``.cpg``
(ogr2ogr is given none and reads it as the driver guesses); checks every coordinate (finite, plausible,
inside Jiangsu) and reports each rejection and repair with the feature and GEOS's reason; measures each
zone's area in its Gauss-Krüger zone; maps the attributes to zone fields and hashes each zone's content;
upserts by (layer, feature key) against the zones already there (a re-import updates, never
duplicates); records the run and the changes for sync, and re-attributes the cases to the zones — all in
one transaction with ``synchronous=FULL``. Only ogr2ogr: repairs every geometry (``-makevalid`` runs
MakeValid on each; ours checks validity and repairs the invalid ones).
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from osgeo import ogr, osr  # noqa: E402
from summary import floor_row, ratio_row  # noqa: E402

from inspector.geo.attribution import attributions, lookup_for  # noqa: E402
from inspector.importers.ledger_attributor import ATTRIBUTION_PROCESS_MIN_BYTES  # noqa: E402
from inspector.importers.ledger_import import import_ledger  # noqa: E402
from inspector.importers.ledger_reader import read_sheets  # noqa: E402
from inspector.importers.ledger_writer import WRITE_CACHE_KIB  # noqa: E402
from inspector.importers.zone_import import import_zones  # noqa: E402
from inspector.store.db import atomic, backup_to, insert_rows  # noqa: E402
from inspector.store.workspace import DB_NAME, Workspace  # noqa: E402
from tests.vector_fixtures import gk_to_lonlat_srs  # noqa: E402

CATEGORIES = ("自然保护区", "森林公园", "风景名胜区", "湿地公园", "饮用水水源保护区", "重要湿地", "生态公益林")
EXTENT = (118.6, 31.2, 121.4, 34.6)  # lon/lat, inside Gauss-Krüger zone CM 120
LEDGER_TARGET_ROWS_S = 20_000  # ledger rows imported per second, attribution included


def make_polygons(count: int, vertices: int, rng: np.random.Generator) -> list[shapely.Polygon]:
    polygons = []
    for _ in range(count):
        lon = rng.uniform(EXTENT[0], EXTENT[2])
        lat = rng.uniform(EXTENT[1], EXTENT[3])
        radius = rng.uniform(0.004, 0.03)  # degrees
        angles = np.sort(rng.uniform(0, 2 * math.pi, vertices - 1))
        radii = radius * (0.7 + 0.3 * rng.random(vertices - 1))
        ring = np.column_stack([lon + radii * np.cos(angles) / math.cos(math.radians(lat)),
                                lat + radii * np.sin(angles)])
        polygons.append(shapely.Polygon(ring))
    return polygons


def write_shapefile(path: Path, polygons: list[shapely.Polygon]) -> int:
    gk, geo = gk_to_lonlat_srs()
    to_gk = osr.CoordinateTransformation(geo, gk)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(path))
    layer = ds.CreateLayer("redline", gk, ogr.wkbPolygon, options=["ENCODING=CP936"])
    for name in ("名称", "编码", "类型", "类别"):
        field = ogr.FieldDefn(name, ogr.OFTString)
        field.SetWidth(60)
        layer.CreateField(field)
    vertices = 0
    for i, polygon in enumerate(polygons):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("名称", f"基准测试红线区域{i:05d}")
        feature.SetField("编码", f"HX-{i:05d}")
        feature.SetField("类型", "生态保护红线")
        feature.SetField("类别", CATEGORIES[i % len(CATEGORIES)])
        geom = ogr.CreateGeometryFromWkb(shapely.to_wkb(polygon))
        geom.Transform(to_gk)
        feature.SetGeometry(geom)
        layer.CreateFeature(feature)
        vertices += len(polygon.exterior.coords)
    ds = None
    path.with_suffix(".cpg").unlink()  # like files from Chinese desktop GIS: GBK, no .cpg
    return vertices


def points_in_jiangsu(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random points inside the bundled province outline (and the benchmark extent)."""
    import json

    from inspector.resources import resource_path

    data = json.loads(resource_path("admin", "jiangsu_admin.geojson").read_text(encoding="utf-8"))
    province = next(shapely.geometry.shape(f["geometry"]) for f in data["features"]
                    if f["properties"]["level"] == "province")
    shapely.prepare(province)
    lons, lats = np.empty(0), np.empty(0)
    while len(lons) < count:
        x = rng.uniform(EXTENT[0], EXTENT[2], count)
        y = rng.uniform(EXTENT[1], EXTENT[3], count)
        inside = shapely.contains_xy(province, x, y)
        lons, lats = np.concatenate([lons, x[inside]]), np.concatenate([lats, y[inside]])
    return lons[:count], lats[:count]


def write_ledger_csv(path: Path, rows: int, rng: np.random.Generator) -> None:
    lines = ["问题编号,所在市,保护地名称,问题类型,问题描述,经度,纬度,发现时间,整改时限,责任单位"]
    for i, (lon, lat) in enumerate(zip(*points_in_jiangsu(rows, rng))):
        lines.append(f"BM-{i:06d},盐城市,基准测试保护地,养殖,基准测试问题描述第{i}条,{lon:.6f},{lat:.6f},"
                     f"2026-03-01,2026-12-31,某县人民政府")
    path.write_text("\n".join(lines), encoding="utf-8")


def cpu_seconds() -> float:
    """User + system CPU seconds of this process (all its threads) and of its finished children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=5000)
    parser.add_argument("--vertices", type=int, default=201)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    args = parser.parse_args()
    rng = np.random.default_rng(20261124)
    tmp = Path(tempfile.mkdtemp(prefix="bench-ws-"))
    try:
        polygons = make_polygons(args.zones, args.vertices, rng)
        shp = tmp / "redline.shp"
        vertices = write_shapefile(shp, polygons)
        print(f"layer: {args.zones} polygons, {vertices:,} vertices, EPSG:4549 shapefile, GBK without .cpg")

        # --- import vs ogr2ogr --------------------------------------------------
        ogr_out = tmp / "ogr2ogr.sqlite"
        cpu = cpu_seconds()
        ogr_time, _ = timed(lambda: subprocess.run(
            ["ogr2ogr", "-f", "SQLite", "-dsco", "SPATIALITE=YES", "-t_srs", "EPSG:4490", "-makevalid",
             str(ogr_out), str(shp)], check=True, capture_output=True))
        ogr_cpu = cpu_seconds() - cpu
        ws = Workspace.create(tmp / "ws")
        cpu = cpu_seconds()
        import_time, result = timed(lambda: import_zones(ws, shp))
        import_cpu = cpu_seconds() - cpu
        assert result.imported == args.zones, result.as_dict()
        print(f"import-zones: {import_time:.2f} s   ogr2ogr -makevalid: {ogr_time:.2f} s   "
              f"ratio {import_time / ogr_time:.2f}x (target <= 1.2x); CPU (user + system) {import_cpu:.2f} s vs "
              f"{ogr_cpu:.2f} s = {import_cpu / ogr_cpu:.2f}x; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        print("  both: read, transform to EPSG:4490, repair with MakeValid, write SpatiaLite + spatial index; "
              "only ours: GBK detection, coordinate checks, per-feature rejects and repairs reported, "
              "GK areas, field mapping, content hashes, upsert, run log + change journal, case attribution, "
              "synchronous=FULL; only ogr2ogr: MakeValid on every geometry, valid or not")
        ratio_row(f"import-zones {args.zones:,} polygons", import_time, ogr_time, "ogr2ogr -makevalid", 1.2)

        # --- lookups vs shapely STRtree + prepared contains ------------------------
        lons = rng.uniform(EXTENT[0], EXTENT[2], args.lookups)
        lats = rng.uniform(EXTENT[1], EXTENT[3], args.lookups)
        cold_time, _ = timed(lambda: lookup_for(ws).zones.containing(float(lons[0]), float(lats[0])))
        index = lookup_for(ws).zones
        load_time, _ = timed(index.load_all)
        ours = []
        hits_ours = 0
        for lon, lat in zip(lons, lats):
            start = time.perf_counter()
            hits_ours += len(index.containing(lon, lat))
            ours.append(time.perf_counter() - start)

        peer_build, (tree, prepared) = timed(lambda: _shapely_index(polygons))
        peer = []
        hits_peer = 0
        for lon, lat in zip(lons, lats):
            start = time.perf_counter()
            point = shapely.Point(lon, lat)
            hits_peer += sum(1 for i in tree.query(point) if prepared[i].contains(point))
            peer.append(time.perf_counter() - start)
        assert hits_ours >= hits_peer, (hits_ours, hits_peer)  # boundary points count as inside for us
        p50, p99 = _pct(ours, 50), _pct(ours, 99)
        q50, q99 = _pct(peer, 50), _pct(peer, 99)
        print(f"lookup (first, cold index): {cold_time * 1000:.1f} ms; preparing all zones: "
              f"{load_time:.2f} s vs shapely STRtree build + prepare {peer_build:.2f} s")
        print(f"lookup p50 {p50 * 1e6:.0f} us  p99 {p99 * 1e6:.0f} us (target p99 < 1000 us)   "
              f"shapely STRtree+prepared p50 {q50 * 1e6:.0f} us  p99 {q99 * 1e6:.0f} us   "
              f"ratio p50 {p50 / q50:.2f}x  p99 {p99 / q99:.2f}x (target <= 2x); "
              f"{hits_ours} hits in {args.lookups} points")
        bulk_time, _ = timed(lambda: index.containing_many(lons, lats))
        floor_row("zone lookup p99", p99 * 1e6, "µs", 1000, higher_is_better=False)
        print(f"bulk lookup: {args.lookups / bulk_time:,.0f} points/s")

        # --- ledger ------------------------------------------------------------
        ledger = tmp / "ledger.csv"
        write_ledger_csv(ledger, args.rows, rng)
        backup_to(ws.conn, tmp / "floor-ws" / DB_NAME)  # the zones without the cases, for the floor's write
        cpu = cpu_seconds()
        ledger_time, summary = timed(lambda: import_ledger(ws, ledger))
        ledger_cpu = cpu_seconds() - cpu  # this process's threads, the parsing child and the attribution helper
        assert summary.created == args.rows, (summary.created, summary.rejected[:3])
        print(f"import-ledger: {args.rows:,} rows in {ledger_time:.2f} s = "
              f"{args.rows / ledger_time:,.0f} rows/s including attribution (target >= {LEDGER_TARGET_ROWS_S:,})")
        reimport_time, again = timed(lambda: import_ledger(ws, ledger))
        assert again.unchanged == args.rows, again.as_dict()
        print(f"re-import (all unchanged): {args.rows / reimport_time:,.0f} rows/s")
        read_time, attribution_time, write_time = _ledger_floor(ws, ledger, tmp)
        if ledger.stat().st_size >= ATTRIBUTION_PROCESS_MIN_BYTES:  # the import's helper process attributes
            floor_time = max(read_time, attribution_time) + write_time  # while the child parses
            parts = (f"max(reading in the bounded child {read_time:.2f} s, bulk attribution {attribution_time:.2f} s"
                     f" in a process beside it)")
        else:
            floor_time = read_time + attribution_time + write_time
            parts = f"reading in the bounded child {read_time:.2f} s + bulk attribution {attribution_time:.2f} s"
        print(f"import-ledger floor: {parts} + INSERT of the final rows (statements of many rows) and COMMIT "
              f"{write_time:.2f} s = {floor_time:.2f} s = {args.rows / floor_time:,.0f} rows/s (no validation, "
              f"hashing or audit); the import takes {ledger_time / floor_time:.2f}x that")
        floor_row(f"import-ledger {args.rows:,} rows with attribution", args.rows / ledger_time, "rows/s",
                  LEDGER_TARGET_ROWS_S, higher_is_better=True, peer=f"floor {args.rows / floor_time:,.0f} rows/s")
        cores = os.cpu_count() or 1
        print(f"import-ledger work: {ledger_cpu:.2f} CPU s (checking and writing threads, parsing child, attribution "
              f"helper) on {cores} CPUs: however well they overlapped, at least {ledger_cpu / cores:.2f} s = "
              f"{args.rows * cores / ledger_cpu:,.0f} rows/s; the import takes {ledger_time * cores / ledger_cpu:.2f}x "
              "that")
        floor_row("import-ledger floor: its CPU s ÷ CPUs", args.rows * cores / ledger_cpu, "rows/s",
                  LEDGER_TARGET_ROWS_S, higher_is_better=True, peer=f"ours {args.rows / ledger_time:,.0f} rows/s")
        ws.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _ledger_floor(ws: Workspace, ledger: Path, tmp: Path) -> tuple[float, float, float]:
    """What no ledger import can go below, in seconds: reading the file in the bounded child process, the
    bulk attribution of its points (for a large ledger the import's helper process does it while the child
    parses: the caller takes the larger of the two), and writing its final rows (as the import stored them)
    into the workspace as it was before the import, with INSERT statements of as many rows as SQLite binds
    (:func:`insert_rows`, as the import writes) and a durable COMMIT."""
    read_time, _ = timed(lambda: read_sheets(ledger))
    points = np.array(ws.conn.execute("SELECT lon, lat FROM cases").fetchall(), dtype=float)
    attribution_time, _ = timed(lambda: attributions(ws, points[:, 0], points[:, 1], [None] * len(points)))
    columns = ", ".join(r[1] for r in ws.conn.execute("PRAGMA table_info(cases)"))
    rows = [tuple(r) for r in ws.conn.execute(f"SELECT {columns} FROM cases")]
    target = Workspace.open(tmp / "floor-ws")
    target.conn.execute(f"PRAGMA cache_size = {-WRITE_CACHE_KIB}")  # the page cache the import writes with

    def write() -> None:
        with atomic(target.conn):
            insert_rows(target.conn, f"INSERT INTO cases ({columns})", rows)

    write_time, _ = timed(write)
    target.close()
    return read_time, attribution_time, write_time


def _shapely_index(polygons):
    tree = shapely.STRtree(polygons)
    prepared = list(polygons)
    for geom in prepared:
        shapely.prepare(geom)
    return tree, prepared


def _pct(values: list[float], pct: int) -> float:
    return float(np.percentile(values, pct))


if __name__ == "__main__":
    main()
