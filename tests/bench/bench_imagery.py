"""Benchmark: ``imagery add`` of a 10,000 × 10,000 px GeoTIFF vs ``gdal_translate -of MBTILES`` + ``gdaladdo``.

Run: ``.venv/bin/python tests/bench/bench_imagery.py [--size 10000] [--runs 2]``. Not part of the test run.

The scene: a tiled 3-band 8-bit GeoTIFF in CGCS2000 / 3-degree Gauss-Krüger CM 120 (EPSG:4549), 0.5 m pixels
near 盐城, with smooth fields and texture (so PNG tiles compress like imagery, not like noise or a flat colour).
Ours: :func:`inspector.imagery.imagery_store.add_epoch` into a fresh workspace (checks, reprojection to Web
Mercator and tiling, AVERAGE overviews down to one tile, the index written, the file linked into place).
Peer, same file, same run, alternating with ours: ``gdal_translate -of MBTILES`` then ``gdaladdo -r average``
with the same overview factors. Target: ours ≤ 1.3 × the peer (median of the runs).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from summary import ratio_row  # noqa: E402

from inspector.geo.gdal_bindings import load_gdal  # noqa: E402
from inspector.imagery.imagery_store import add_epoch  # noqa: E402
from inspector.maps.raster_tiles import overview_factors  # noqa: E402
from inspector.store.workspace import Workspace  # noqa: E402
from tests.imagery_fixtures import gk_origin  # noqa: E402

CENTRE = (120.5, 33.5)  # lon, lat near 盐城
PIXEL_M = 0.5  # metres
TARGET_RATIO = 1.3
STRIP_ROWS = 500  # rows written at a time


def write_big_scene(path: Path, size: int) -> Path:
    gdal, _ogr, osr = load_gdal()
    x, y = gk_origin(*CENTRE, 4549)
    half = size * PIXEL_M / 2
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), size, size, 3, gdal.GDT_Byte,
                                                   options=["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.SetGeoTransform((x - half, PIXEL_M, 0, y + half, 0, -PIXEL_M))
    rng = np.random.default_rng(15)
    cols = np.arange(size)[None, :]
    for top in range(0, size, STRIP_ROWS):
        rows = np.arange(top, min(size, top + STRIP_ROWS))[:, None]
        fields = ((rows // 700 * 7 + cols // 900 * 13) % 5) * 25  # field parcels
        texture = rng.integers(0, 18, size=(len(rows), size))
        for band, base in enumerate((70, 110, 60), start=1):
            value = (base + fields + texture + (band * rows // 97) % 9).clip(0, 255).astype(np.uint8)
            dataset.GetRasterBand(band).WriteArray(value, 0, top)
    dataset = None
    return path


def run_ours(scene: Path, folder: Path) -> float:
    started = time.perf_counter()
    with Workspace.create(folder) as ws:
        add_epoch(ws, scene, "bench", date="2024-10-01")
    return time.perf_counter() - started


def run_peer(scene: Path, folder: Path) -> float:
    folder.mkdir(parents=True)
    target = folder / "peer.mbtiles"
    started = time.perf_counter()
    subprocess.run(["gdal_translate", "-q", "-of", "MBTILES", str(scene), str(target)], check=True)
    gdal = load_gdal()[0]
    tiles = gdal.Open(str(target))
    factors = overview_factors(tiles.RasterXSize, tiles.RasterYSize)
    tiles = None
    subprocess.run(["gdaladdo", "-q", "-r", "average", str(target), *map(str, factors)], check=True)
    return time.perf_counter() - started


def print_medians(label: str, ours: list[float], peer: list[float], target: float) -> None:
    """The medians of both sides, their ratio and whether it meets ``target``."""
    ratio = statistics.median(ours) / statistics.median(peer)
    verdict = "OK" if ratio <= target else "SLOWER THAN TARGET"
    print(f"median: {label} {statistics.median(ours):.1f} s, peer {statistics.median(peer):.1f} s, "
          f"ratio {ratio:.2f} (target ≤ {target}) {verdict}")
    ratio_row(label, statistics.median(ours), statistics.median(peer), "gdal_translate + gdaladdo", target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="scene side, pixels")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-imagery-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        scene = write_big_scene(root / "scene.tif", args.size)
        print(f"scene {args.size} × {args.size} px, {scene.stat().st_size / 1e6:.0f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")
        ours, peer = [], []
        for run in range(args.runs):
            peer.append(run_peer(scene, root / f"peer{run}"))
            ours.append(run_ours(scene, root / f"ws{run}"))
            size_ours = (root / f"ws{run}" / "imagery" / "bench.mbtiles").stat().st_size
            size_peer = (root / f"peer{run}" / "peer.mbtiles").stat().st_size
            print(f"run {run + 1}: imagery add {ours[-1]:.1f} s ({size_ours / 1e6:.0f} MB), "
                  f"gdal_translate + gdaladdo {peer[-1]:.1f} s ({size_peer / 1e6:.0f} MB)")
        print_medians("imagery add", ours, peer, TARGET_RATIO)


if __name__ == "__main__":
    main()
