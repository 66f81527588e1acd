"""Build ``resources/admin/jiangsu_admin.geojson`` from the public GCJ-02 boundary files.

Input: Jiangsu's 13 cities (``province-320000-cities.json``) and their counties
(``counties-by-city/3201xx.json`` …) from github.com/lyhmyd1211/GeoMapData_CN
(commit 4871c5a3), whose coordinates are GCJ-02. Every vertex is converted to
WGS84 (taken as CGCS2000 at this accuracy) with :mod:`inspector.geo.gcj02`, each
geometry is made valid (polygonal parts only) and snapped to a 1e-6 degree
grid, and the province is built as the union of the cities.

Output: one GeoJSON FeatureCollection (province, cities, counties) whose
features carry exactly ``adcode``, ``name``, ``level`` and ``parent_adcode``
and always a MultiPolygon geometry. The boundaries are approximate and are
meant for jurisdiction (which bureau a case belongs to) only.

Usage: ``python scripts/build_admin_areas.py [--source DIR] [--output FILE]``
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from inspector.geo.gcj02 import gcj02_to_wgs84_coords  # noqa: E402

DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "jiangsu"
DEFAULT_OUTPUT = REPO_ROOT / "resources" / "admin" / "jiangsu_admin.geojson"
CITIES_FILE = "province-320000-cities.json"
COUNTIES_DIR = "counties-by-city"

PROVINCE_ADCODE = "320000"
PROVINCE_NAME = "江苏省"
COORDINATE_DECIMALS = 6
GRID_SIZE_DEG = 1e-6  # snapping grid, degrees (matches the 6 decimals written)
# Holes smaller than this in the province union are gaps between the source's
# city outlines, not real enclaves; square degrees (1e-5 ≈ 0.1 km²).
PROVINCE_SLIVER_HOLE_DEG2 = 1e-5
MAX_OUTPUT_BYTES = 2_000_000  # size budget of the bundled file
SOURCE_NOTE = (
    "Source: github.com/lyhmyd1211/GeoMapData_CN commit 4871c5a3 (Jiangsu cities and "
    "counties). Coordinates converted from GCJ-02 to WGS84 (≈CGCS2000, EPSG:4490 lon/lat) "
    "by scripts/build_admin_areas.py. Approximate boundaries, for jurisdiction only, "
    "not for metre-level checks. 来源：GeoMapData_CN，GCJ-02 已转换为 WGS84，边界为近似值，仅用于确定管辖行政区。"
)


def polygonal_parts(geom: BaseGeometry) -> MultiPolygon:
    """Valid polygonal content of ``geom`` as a MultiPolygon (lines and points dropped)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(p for p in part.geoms if not p.is_empty)
        elif part.geom_type == "GeometryCollection":
            polygons.extend(polygonal_parts(part).geoms)
    return MultiPolygon(polygons)


def clean(geom: BaseGeometry, simplify_tolerance: float = 0.0) -> MultiPolygon:
    """Make valid, optionally simplify, snap to the output grid, and make valid again."""
    geom = polygonal_parts(geom)
    if simplify_tolerance > 0:
        geom = polygonal_parts(geom.simplify(simplify_tolerance, preserve_topology=True))
    snapped = shapely.set_precision(geom, GRID_SIZE_DEG)
    return polygonal_parts(snapped)


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """Convert every vertex of a GCJ-02 geometry to WGS84."""
    return shapely.transform(geom, gcj02_to_wgs84_coords)


def drop_small_holes(geom: MultiPolygon, min_hole_area: float) -> MultiPolygon:
    """Fill interior rings smaller than ``min_hole_area`` (square degrees)."""
    polygons = []
    for polygon in geom.geoms:
        holes = [ring for ring in polygon.interiors if Polygon(ring).area >= min_hole_area]
        polygons.append(Polygon(polygon.exterior, holes))
    return MultiPolygon(polygons)


def rounded_geometry(geom: MultiPolygon) -> dict[str, Any]:
    """GeoJSON geometry dict with coordinates rounded to the output precision."""
    def round_ring(ring: Any) -> list[list[float]]:
        return [[round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)] for x, y, *_ in ring]

    coordinates = [[round_ring(ring) for ring in polygon] for polygon in mapping(geom)["coordinates"]]
    return {"type": "MultiPolygon", "coordinates": coordinates}


def make_feature(adcode: str, name: str, level: str, parent_adcode: str | None,
                 geom: MultiPolygon) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"adcode": adcode, "name": name, "level": level, "parent_adcode": parent_adcode},
        "geometry": rounded_geometry(geom),
    }


def read_features(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [f for f in data["features"] if f.get("geometry")]


def build(source: Path, simplify_tolerance: float = 0.0) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return the output features and a small report of what was done."""
    report: dict[str, Any] = {"invalid_in_source": [], "province_holes_filled": 0}
    city_features: list[dict[str, Any]] = []
    county_features: list[dict[str, Any]] = []
    city_geoms: list[MultiPolygon] = []

    for raw in read_features(source / CITIES_FILE):
        props = raw["properties"]
        adcode, name = str(props["adcode"]), props["name"]
        source_geom = shape(raw["geometry"])
        if not source_geom.is_valid:
            report["invalid_in_source"].append(f"{adcode} {name}")
        geom = clean(to_wgs84(source_geom), simplify_tolerance)
        city_geoms.append(geom)
        city_features.append(make_feature(adcode, name, "city", PROVINCE_ADCODE, geom))

        county_file = source / COUNTIES_DIR / f"{adcode}.json"
        if not county_file.exists():
            report.setdefault("missing_county_files", []).append(county_file.name)
            continue
        for raw_county in read_features(county_file):
            county_props = raw_county["properties"]
            county_adcode = str(county_props["adcode"])
            parent = str((county_props.get("parent") or {}).get("adcode", adcode))
            if parent != adcode:
                report.setdefault("parent_mismatch", []).append(county_adcode)
            county_source = shape(raw_county["geometry"])
            if not county_source.is_valid:
                report["invalid_in_source"].append(f"{county_adcode} {county_props['name']}")
            county_geom = clean(to_wgs84(county_source), simplify_tolerance)
            county_features.append(make_feature(county_adcode, county_props["name"], "county", adcode, county_geom))

    union = polygonal_parts(shapely.union_all(city_geoms))
    holes_before = sum(len(p.interiors) for p in union.geoms)
    province = clean(drop_small_holes(union, PROVINCE_SLIVER_HOLE_DEG2))
    report["province_holes_filled"] = holes_before - sum(len(p.interiors) for p in province.geoms)
    report["province_parts"] = len(province.geoms)
    province_feature = make_feature(PROVINCE_ADCODE, PROVINCE_NAME, "province", None, province)
    report["cities"] = len(city_features)
    report["counties"] = len(county_features)
    return [province_feature, *city_features, *county_features], report


def write_collection(features: list[dict[str, Any]], output: Path, note: str) -> int:
    collection = {"type": "FeatureCollection", "name": "jiangsu_admin", "note": note, "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    return output.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"folder with {CITIES_FILE} and {COUNTIES_DIR}/ (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="GeoJSON to write (default: %(default)s)")
    parser.add_argument("--simplify", type=float, default=0.0, metavar="DEG",
                        help="simplification tolerance in degrees (default: none; ~0.0005 if the file is too big)")
    args = parser.parse_args(argv)

    features, report = build(args.source, args.simplify)
    note = SOURCE_NOTE
    if args.simplify > 0:
        note += f" Simplified with tolerance {args.simplify} degree (topology preserved per feature)."
    size = write_collection(features, args.output, note)
    print(f"wrote {args.output} ({size / 1e6:.2f} MB): 1 province, {report['cities']} cities, "
          f"{report['counties']} counties")
    if report["invalid_in_source"]:
        print("made valid (invalid in source): " + ", ".join(report["invalid_in_source"]))
    if report["province_holes_filled"]:
        print(f"filled {report['province_holes_filled']} sliver holes between city outlines in the province")
    for key in ("missing_county_files", "parent_mismatch"):
        if report.get(key):
            print(f"{key}: {report[key]}")
    if size > MAX_OUTPUT_BYTES:
        print(f"warning: output exceeds {MAX_OUTPUT_BYTES} bytes; rerun with --simplify 0.0005", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
