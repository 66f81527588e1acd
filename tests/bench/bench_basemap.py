"""Benchmark: ``basemap build`` of a 10,000 × 10,000 px GeoTIFF vs ``gdal_translate -of MBTILES`` + ``gdaladdo``.

Run: ``.venv/bin/python tests/bench/bench_basemap.py [--size 10000] [--runs 2] [--zooms 10-18]``. Not part of the
test run.

The scene and the peer are the imagery benchmark's (:mod:`tests.bench.bench_imagery`: a tiled 3-band 8-bit
GeoTIFF in EPSG:4549, 0.5 m pixels near 盐城; ``gdal_translate -of MBTILES`` then ``gdaladdo -r average`` down to
one tile). Ours: the ``inspector basemap build`` command in a child process, as an office runs it (checks,
reprojection and tiling, AVERAGE overviews; with ``--zooms``, clamped to those levels). Same file, same run,
alternating with the peer. Target: ours ≤ 1.2 × the peer (median of the runs).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_imagery import print_medians, run_peer, write_big_scene  # noqa: E402

TARGET_RATIO = 1.2


def run_ours(scene: Path, folder: Path, zooms: str | None) -> tuple[float, dict]:
    folder.mkdir(parents=True)
    command = [sys.executable, "-m", "inspector", "basemap", "build", str(scene), "-o", str(folder / "ours.mbtiles"),
               "--json", *(["--zooms", zooms] if zooms else [])]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="scene side, pixels")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--zooms", help="passed to basemap build, e.g. 10-18 (default: the scene's own levels)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-basemap-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        scene = write_big_scene(root / "scene.tif", args.size)
        print(f"scene {args.size} × {args.size} px, {scene.stat().st_size / 1e6:.0f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")
        ours, peer = [], []
        for run in range(args.runs):
            peer.append(run_peer(scene, root / f"peer{run}"))
            seconds, result = run_ours(scene, root / f"ours{run}", args.zooms)
            ours.append(seconds)
            size_ours = Path(result["file"]).stat().st_size
            size_peer = (root / f"peer{run}" / "peer.mbtiles").stat().st_size
            print(f"run {run + 1}: basemap build {ours[-1]:.1f} s ({size_ours / 1e6:.0f} MB, zooms {result['zooms']}, "
                  f"{result['tiles']:,} tiles), gdal_translate + gdaladdo {peer[-1]:.1f} s ({size_peer / 1e6:.0f} MB)")
        print_medians("basemap build", ours, peer, TARGET_RATIO)


if __name__ == "__main__":
    main()
