"""Hostile zone files: each gets exit 2 with a reason, or per-feature rejections, in bounded time and memory.

The corpus is generated in ``tmp_path``: valid files written with OGR, then corrupted with ``struct``
(NaN and out-of-range coordinates, .shp/.shx/.dbf disagreeing on the record count, truncated records,
a polygon claiming 2^31 points), hand-made zips whose .dbf inflates to 4 GiB (about 4 MB on disk) or
whose .prj inflates to 1.5 GiB,
GeoJSON with NaN/Infinity/1e400 or 100,000 nested arrays, KML with external entities or billion laughs,
broken GeoPackages and a VRT posing as GeoJSON. Every file is imported by the CLI in its own process
(:func:`tests.hostile.run_bounded`) into a copy of the case workspace, which must stay sound and, when
the file is refused, unchanged.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from inspector.importers.ledger_import import import_ledger
from tests.case_fixtures import CORE_CASE, CORE_ZONE, build_case_workspace
from tests.hostile import MEMORY_BOUND_BYTES, TIME_BOUND_S, BoundedRun, assert_sound, fingerprint, run_bounded
from tests.test_ledger_import import write_xlsx
from tests.vector_fixtures import (
    SHP_HEADER_BYTES,
    deflated_member,
    lonlat_to_gk,
    patch,
    polygon_point_offset,
    polygon_wkt,
    shx_entries,
    square,
    write_layer,
    write_zip,
)

HUAIAN_CASE = "LD-HA1"  # a case in 洪泽区 (淮安), 135 km west of the 盐城 test reserves, in the wedge
HUAIAN_POINT = (119.0, 33.232)  # that a vertex at (0, 0) draws from the first reserve (lon/lat)
FIELDS = ("名称", "编码", "类型")
RESERVE_CENTRES = [(120.40, 33.62), (120.46, 33.62), (120.52, 33.62)]  # lon/lat near 盐城, one per feature
HALF_SIDE_DEG = 0.01  # half the side of a test reserve, degrees
HALF_SIDE_M = 1000.0  # the same in a Gauss-Krüger file, metres
GIB = 1 << 30


# --- the corpus --------------------------------------------------------------------------------------

def reserves(ring_of: Callable[[int], list[tuple[float, float]]] | None = None) -> list[dict]:
    features = []
    for i, (lon, lat) in enumerate(RESERVE_CENTRES):
        ring = ring_of(i) if ring_of else square(lon, lat, HALF_SIDE_DEG)
        features.append({"wkt": polygon_wkt(ring), "名称": f"盐城测试保护区{i}", "编码": f"H-{i}",
                         "类型": "自然保护地"})
    return features


def lonlat_shapefile(folder: Path, stem: str, features: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_layer(folder / f"{stem}.shp", "ESRI Shapefile", 4490, features or reserves(),
                       fields=FIELDS, layer_options=["ENCODING=UTF-8"])


def gk_shapefile(folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    features = reserves(lambda i: square(*lonlat_to_gk(*RESERVE_CENTRES[i]), HALF_SIDE_M))
    return write_layer(folder / f"{stem}.shp", "ESRI Shapefile", 4549, features, fields=FIELDS,
                       layer_options=["ENCODING=UTF-8"])


def with_point(make: Callable[[Path, str], Path], stem: str, point: int, axis: int, value: float):
    """A builder: feature 0's ``point`` gets ``value`` as its x (axis 0) or y (axis 1)."""
    def build(folder: Path) -> Path:
        shp = make(folder, stem)
        return patch(shp, polygon_point_offset(shp, 0, point) + 8 * axis, "<d", value)
    return build


def with_stray_vertex(stem: str, vertex: tuple[float, float]) -> Callable[[Path], Path]:
    """Feature 0's ring runs out to ``vertex`` and back to its reserve near 盐城."""
    def build(folder: Path) -> Path:
        ring = square(*RESERVE_CENTRES[0], HALF_SIDE_DEG)
        stray = ring[:4] + [vertex, ring[0]]
        return lonlat_shapefile(folder, stem, reserves(lambda i: stray if i == 0 else
                                                       square(*RESERVE_CENTRES[i], HALF_SIDE_DEG)))
    return build


def dbf_record_count(count_delta: int) -> Callable[[Path], Path]:
    """The .dbf header and records: one record fewer (the file cut after it) or one more (a copy)."""
    def build(folder: Path) -> Path:
        shp = lonlat_shapefile(folder, f"dbf{count_delta:+d}")
        dbf = shp.with_suffix(".dbf")
        data = bytearray(dbf.read_bytes())
        count, header, record = struct.unpack("<IHH", data[4:12])
        body = data[header : header + count * record]
        body = body[: (count - 1) * record] if count_delta < 0 else body + body[:record]
        struct.pack_into("<I", data, 4, count + count_delta)
        dbf.write_bytes(bytes(data[:header]) + bytes(body) + b"\x1a")
        return shp
    return build


def shx_one_record_short(folder: Path) -> Path:
    shp = lonlat_shapefile(folder, "shx_short")
    shx = shp.with_suffix(".shx")
    data = bytearray(shx.read_bytes()[:-8])
    struct.pack_into(">i", data, 24, len(data) // 2)
    shx.write_bytes(bytes(data))
    return shp


def truncated_shp(folder: Path) -> Path:
    """The .shp ends 40 bytes into its last record; .shx and .dbf still count three records."""
    shp = lonlat_shapefile(folder, "truncated")
    last_offset, _ = shx_entries(shp)[-1]
    shp.write_bytes(shp.read_bytes()[: last_offset + 48])
    return shp


def claims_2_31_points(folder: Path) -> Path:
    shp = lonlat_shapefile(folder, "points_2_31")
    offset, _ = shx_entries(shp)[0]
    return patch(shp, offset + 8 + 40, "<i", 2**31 - 1)


def shx_entry_patched(stem: str, offset: int, words: int) -> Callable[[Path], Path]:
    """The .shx gets ``words`` (16-bit words, big-endian) at byte ``offset``."""
    def build(folder: Path) -> Path:
        shp = lonlat_shapefile(folder, stem)
        patch(shp.with_suffix(".shx"), offset, ">i", words)
        return shp
    return build


def zipped_shapefile(folder: Path, stem: str, padding: dict[str, int] | None = None,
                     declared: dict[str, int] | None = None) -> Path:
    """A zipped Shapefile whose parts get ``padding[suffix]`` zero bytes after their real content and,
    with ``declared[suffix]``, headers that claim that inflated size instead."""
    shp = lonlat_shapefile(folder / "parts", stem)
    padding, declared = padding or {}, declared or {}
    members = [deflated_member(f"{stem}/{stem}{suffix}", shp.with_suffix(suffix).read_bytes(),
                               zero_padding=padding.get(suffix, 0), declared_size=declared.get(suffix))
               for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
    return write_zip(folder / f"{stem}.zip", members)


def zip_bomb(folder: Path) -> Path:
    """The .dbf honestly declares and inflates to 4 GiB (zeros after the real records)."""
    return zipped_shapefile(folder, "bomb", padding={".dbf": 4 * GIB})


def zip_size_lies(folder: Path) -> Path:
    """The .dbf declares its real size (with the matching CRC) but its stream inflates 4 GiB more."""
    shp = lonlat_shapefile(folder / "probe", "probe")
    return zipped_shapefile(folder, "liar", padding={".dbf": 4 * GIB},
                            declared={".dbf": shp.with_suffix(".dbf").stat().st_size})


def zip_prj_bomb(folder: Path) -> Path:
    """The .prj (which GDAL reads whole) inflates to 1.5 GiB: under the archive's bound, not a .prj's."""
    return zipped_shapefile(folder, "prj_bomb", padding={".prj": 3 * GIB // 2})


def truncated_zip(folder: Path) -> Path:
    archive = zipped_shapefile(folder, "cut")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return archive


GEOJSON_RING = "[[{x0},33.61],[{x1},33.61],[{x1},33.63],[{x0},33.63],[{x0},33.61]]"


def geojson_with(value: str) -> Callable[[Path], Path]:
    """Two reserves; the first has ``value`` (written as is) for one longitude."""
    def build(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        features = []
        for i, (lon, _lat) in enumerate(RESERVE_CENTRES[:2]):
            ring = GEOJSON_RING.format(x0=lon - HALF_SIDE_DEG, x1=lon + HALF_SIDE_DEG)
            if i == 0:
                ring = ring.replace(f"[{lon + HALF_SIDE_DEG},33.63]", f"[{value},33.63]")
            features.append('{"type":"Feature","properties":{"名称":"盐城测试保护区%d","编码":"H-%d"},'
                            '"geometry":{"type":"Polygon","coordinates":[%s]}}' % (i, i, ring))
        path = folder / f"value_{len(value)}.geojson"
        path.write_text('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}", encoding="utf-8")
        return path
    return build


def written(name: str, content: Callable[[Path], str | bytes]) -> Callable[[Path], Path]:
    """A builder writing ``content(folder)`` (text as UTF-8) to ``folder / name``."""
    def build(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        data = content(folder)
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path
    return build


def kml_document(entities: str, name: str) -> str:
    ring = " ".join(f"{x},{y}" for x, y in square(*RESERVE_CENTRES[0], HALF_SIDE_DEG))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE kml [\n{entities}\n]>\n'
            '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
            f"<name>{name}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>\n")


def external_entity(folder: Path) -> str:
    """A KML whose name is an external entity: a file elsewhere on the machine."""
    secret = folder / "secret.txt"
    secret.write_text("另一辖区的秘密", encoding="utf-8")
    return kml_document(f'<!ENTITY xxe SYSTEM "file://{secret}">', "&xxe;")


BILLION_LAUGHS = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
NESTING = 100_000  # arrays nested in one GeoJSON geometry


def kmz_external_entity(folder: Path) -> Path:
    kml = written("doc.kml", external_entity)(folder / "src")
    return write_zip(folder / "xxe.kmz", [deflated_member("doc.kml", kml.read_bytes())])


def gpkg_with_garbage(folder: Path, stem: str, pages_hit: Callable[[bytes, int], range]) -> Path:
    """A real GeoPackage of 400 reserves with the pages ``pages_hit(data, page_size)`` overwritten with 0xFF."""
    folder.mkdir(parents=True, exist_ok=True)
    features = [{"wkt": "MULTI" + polygon_wkt(square(120.0 + (i % 20) * 0.02, 33.0 + (i // 20) * 0.02, 0.005))
                 .replace("((", "(((").replace("))", ")))"), "名称": f"保护区{i}", "编码": f"G-{i}",
                 "类型": "自然保护地"} for i in range(400)]
    path = write_layer(folder / f"{stem}.gpkg", "GPKG", 4490, features, fields=FIELDS)
    data = bytearray(path.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    for number in pages_hit(bytes(data), page):
        data[number * page : (number + 1) * page] = b"\xff" * page
    path.write_bytes(bytes(data))
    return path


def gpkg_second_half_garbage(folder: Path) -> Path:
    return gpkg_with_garbage(folder, "half", lambda data, page: range(len(data) // page // 2, len(data) // page))


def gpkg_feature_page_garbage(folder: Path) -> Path:
    """Only the page holding feature G-200 is overwritten: the file opens, reading fails half-way."""
    return gpkg_with_garbage(folder, "middle", lambda data, page: range(data.index("G-200".encode()) // page,
                                                                        data.index("G-200".encode()) // page + 1))


def vrt_posing_as_geojson(folder: Path) -> Path:
    """XML for GDAL's VRT driver, named .geojson, pointing at a file elsewhere on the machine."""
    folder.mkdir(parents=True, exist_ok=True)
    other = folder / "elsewhere"
    other.mkdir()
    (other / "other.csv").write_text(
        'WKT,名称\n"' + polygon_wkt(square(120.4, 33.6, 0.01)) + '",别处的文件\n', encoding="utf-8")
    path = folder / "zones.geojson"
    path.write_text(f'<OGRVRTDataSource><OGRVRTLayer name="other"><SrcDataSource>{other / "other.csv"}'
                    "</SrcDataSource><GeometryField encoding=\"WKT\" field=\"WKT\"/><LayerSRS>EPSG:4490</LayerSRS>"
                    "</OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Hostile:
    build: Callable[[Path], Path]
    refused: str | None = None  # a phrase of the reason on stderr (exit 2)
    rejected: dict[int, str] = field(default_factory=dict)  # feature id → a phrase of its rejection reason
    imported: int = 0


NAN, INF = float("nan"), float("inf")
CORPUS = {
    "nan_x_gauss_kruger_shp": Hostile(with_point(gk_shapefile, "nan_gk", 1, 0, NAN),
                                      rejected={0: "non-finite"}, imported=2),
    "nan_y_lonlat_shp": Hostile(with_point(lonlat_shapefile, "nan_ll", 2, 1, NAN),
                                rejected={0: "non-finite"}, imported=2),
    "nan_first_point_lonlat_shp": Hostile(with_point(lonlat_shapefile, "nan_first", 0, 0, NAN),
                                          rejected={0: "non-finite"}, imported=2),
    "infinity_lonlat_shp": Hostile(with_point(lonlat_shapefile, "inf_ll", 1, 0, INF),
                                   rejected={0: "non-finite"}, imported=2),
    "infinity_gauss_kruger_shp": Hostile(with_point(gk_shapefile, "inf_gk", 2, 1, -INF),
                                         rejected={0: "non-finite"}, imported=2),
    "1e300_gauss_kruger_shp": Hostile(with_point(gk_shapefile, "huge_gk", 1, 1, 1e300),
                                      rejected={0: "out of range"}, imported=2),
    # a vertex at (0, 0): the wedge crosses 洪泽区 (淮安); one in Yunnan: plausible, but not in Jiangsu
    "wedge_to_origin_shp": Hostile(with_stray_vertex("wedge", (0.0, 0.0)), rejected={0: "out of range"},
                                   imported=2),
    "vertex_in_yunnan_shp": Hostile(with_stray_vertex("yunnan", (100.0, 25.0)), rejected={0: "Jiangsu"},
                                    imported=2),
    "dbf_one_record_short": Hostile(dbf_record_count(-1), refused="记录数不一致"),
    "dbf_one_record_more": Hostile(dbf_record_count(+1), refused="记录数不一致"),
    "shx_one_record_short": Hostile(shx_one_record_short, refused="记录数不一致"),
    "shp_truncated": Hostile(truncated_shp, rejected={2: "truncated"}, imported=2),
    "polygon_claims_2_31_points": Hostile(claims_2_31_points, rejected={0: "cannot read"}, imported=2),
    # record 1 said to start 2 GiB into a .shp of a few hundred bytes; record 0 said to be 2 GiB long
    "shx_offset_beyond_end": Hostile(shx_entry_patched("offset_lies", SHP_HEADER_BYTES + 8, 2**30),
                                     rejected={1: "truncated"}, imported=2),
    "shx_length_lies": Hostile(shx_entry_patched("length_lies", SHP_HEADER_BYTES + 4, 2**30), refused=".shx"),
    "zip_dbf_inflates_to_4_gib": Hostile(zip_bomb, refused="压缩炸弹"),
    "zip_dbf_inflates_beyond_declared": Hostile(zip_size_lies, refused="压缩炸弹"),
    "zip_prj_inflates_to_1_5_gib": Hostile(zip_prj_bomb, refused="prj_bomb.prj"),
    "zip_truncated": Hostile(truncated_zip, refused="zip"),
    "geojson_nan": Hostile(geojson_with("NaN"), rejected={0: "non-finite"}, imported=1),
    "geojson_infinity": Hostile(geojson_with("-Infinity"), rejected={0: "non-finite"}, imported=1),
    "geojson_1e400": Hostile(geojson_with("1e400"), rejected={0: "non-finite"}, imported=1),
    "geojson_string_coordinate": Hostile(geojson_with('"东经120度"'), refused="读取失败"),
    "geojson_invalid_json": Hostile(written("broken.geojson", lambda _: (
        '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon",'
        '"coordinates":[[[120.4,33.6],[120.5,')), refused="broken.geojson"),
    "geojson_100000_nested_arrays": Hostile(written("nested.geojson", lambda _: (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":'
        '{"type":"Polygon","coordinates":' + "[" * NESTING + "]" * NESTING + "}}]}")), refused="nested.geojson"),
    "kml_external_entity": Hostile(written("xxe.kml", external_entity), refused="DTD"),
    "kml_billion_laughs": Hostile(written("laughs.kml", lambda _: kml_document("\n".join(BILLION_LAUGHS), "&lol9;")),
                                  refused="DTD"),
    "kmz_external_entity": Hostile(kmz_external_entity, refused="DTD"),
    "gpkg_not_sqlite": Hostile(written("fake.gpkg", lambda _: b"SQLite format 3\x00" + bytes(range(256)) * 64),
                               refused="fake.gpkg"),
    "gpkg_second_half_garbage": Hostile(gpkg_second_half_garbage, refused="half.gpkg"),
    "gpkg_feature_page_garbage": Hostile(gpkg_feature_page_garbage, refused="读取失败"),
    "vrt_posing_as_geojson": Hostile(vrt_posing_as_geojson, refused="zones.geojson"),
}


# --- the tests ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The case workspace plus a case in 淮安, closed so that its folder can be copied."""
    root = tmp_path_factory.mktemp("hostile-zones")
    ws = build_case_workspace(root)
    row = [9, HUAIAN_CASE, "淮安市", "洪泽区", "洪泽湖", None, "养殖", "淮安的问题", *HUAIAN_POINT, None, None, None]
    import_ledger(ws, write_xlsx(root / "huaian.xlsx", [row]))
    ws.close()
    assert not (root / "ws" / "workspace.sqlite-wal").exists()
    return root / "ws"


def import_hostile(template: Path, tmp_path: Path, name: str) -> tuple[Path, BoundedRun, dict]:
    ws = tmp_path / "ws"
    shutil.copytree(template, ws)
    path = CORPUS[name].build(tmp_path / "input")
    before = fingerprint(ws)
    run = run_bounded("--workspace", str(ws), "import-zones", str(path), "--json")
    assert not run.timed_out and run.seconds < TIME_BOUND_S, (name, run.seconds)
    assert run.peak_rss_bytes < MEMORY_BOUND_BYTES, (name, run.peak_rss_bytes)
    assert "Traceback" not in run.stderr, run.stderr
    if run.returncode == 2:
        assert fingerprint(ws) == before
    assert_sound(ws)
    return ws, run, json.loads(run.stdout) if run.returncode == 0 else {}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_zone_file(template, tmp_path, name):
    case = CORPUS[name]
    _ws, run, result = import_hostile(template, tmp_path, name)
    if case.refused:
        assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
        assert case.refused in run.stderr, run.stderr
        assert run.stderr.startswith("inspector: ")
        return
    assert run.returncode == 0, run.stderr
    rejected = {entry["feature"]: entry for entry in result["rejected"]}
    assert set(rejected) == set(case.rejected), result["rejected"]
    for fid, phrase in case.rejected.items():  # each language on its own; "reason" is the current one's
        assert phrase in rejected[fid]["reason_en"] and rejected[fid]["reason"] == rejected[fid]["reason_zh"], \
            rejected[fid]
        assert rejected[fid]["layer"] and "code" in rejected[fid] and "name" in rejected[fid]
    assert result["imported"] == case.imported, result


@pytest.mark.parametrize("name", ["nan_x_gauss_kruger_shp", "nan_y_lonlat_shp", "wedge_to_origin_shp"])
def test_rejected_polygon_does_not_claim_the_huaian_case(template, tmp_path, name):
    ws, run, result = import_hostile(template, tmp_path, name)
    assert run.returncode == 0, run.stderr
    conn = sqlite3.connect(ws / "workspace.sqlite")
    try:
        def zones_of(case_no: str) -> list[str]:
            return [r[0] for r in conn.execute(
                "SELECT z.name FROM cases c JOIN case_zones cz ON cz.case_id = c.id JOIN zones z ON z.id = cz.zone_id"
                " WHERE c.case_no = ? AND z.deleted = 0", (case_no,))]
        assert zones_of(HUAIAN_CASE) == []
        assert zones_of(CORE_CASE) == [CORE_ZONE]
        city = conn.execute("SELECT city_adcode FROM cases WHERE case_no = ?", (HUAIAN_CASE,)).fetchone()[0]
        assert city == "320800"
        codes = [r[0] for r in conn.execute("SELECT code FROM zones WHERE code LIKE 'H-%' ORDER BY code")]
        assert codes == ["H-1", "H-2"]
    finally:
        conn.close()
    assert [(r["feature"], r["code"], r["name"]) for r in result["rejected"]] == [(0, "H-0", "盐城测试保护区0")]


@pytest.mark.parametrize("name", ["zip_dbf_inflates_to_4_gib", "dbf_one_record_short", "nan_x_gauss_kruger_shp"])
def test_publish_zones_gets_the_same_protection(tmp_path, capsys, name):
    """The server's ``publish-zones`` goes through the same importer: refused, or the feature rejected."""
    from sync.server.cli import main as server_main

    case = CORPUS[name]
    path = case.build(tmp_path / "input")
    code = server_main(["--data", str(tmp_path / "server"), "publish-zones", str(path)])
    out, err = capsys.readouterr()
    if case.refused:
        assert code == 2 and case.refused in err, (code, err)
        return
    assert code == 0, err
    rejected = json.loads(out)["import"]["rejected"]
    assert [(r["feature"], r["code"]) for r in rejected] == [(0, "H-0")]
    assert case.rejected[0] in rejected[0]["reason_en"]
