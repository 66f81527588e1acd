"""Zone import on real-world-shaped files: GBK shapefiles in Gauss-Krüger, repairs, formats."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from inspector.errors import BadInput
from inspector.geo.attribution import locate
from inspector.geo.vector_file_checks import detect_dbf_encoding
from inspector.importers.zone_import import import_zones, parse_field_map
from tests.vector_fixtures import lonlat_to_gk, polygon_wkt, square, write_layer

CENTRE = (120.5, 33.5)  # near 盐城, Gauss-Krüger zone CM 120 (EPSG:4549)


def gk_features() -> list[dict]:
    cx, cy = lonlat_to_gk(*CENTRE)
    bowtie = [(cx + 3000, cy), (cx + 5000, cy + 2000), (cx + 5000, cy), (cx + 3000, cy + 2000), (cx + 3000, cy)]
    return [
        {"wkt": polygon_wkt(square(cx, cy, 1000), square(cx, cy, 250)), "名称": "射阳河口湿地保护区",
         "编码": "Z-001", "类型": "自然保护地", "类别": "重要湿地", "功能分区": "一般控制区", "级别": "省级",
         "行政区": "320924"},
        {"wkt": polygon_wkt(square(cx, cy, 250)), "名称": "射阳河口湿地保护区", "编码": "Z-001",
         "类型": "自然保护地", "类别": "重要湿地", "功能分区": "核心保护区", "级别": "省级", "行政区": "320924"},
        {"wkt": polygon_wkt(bowtie), "名称": "蝶形红线（自交）", "编码": "R-002", "类型": "生态保护红线",
         "类别": "生态公益林"},
        {"wkt": f"MULTIPOLYGON ((({' ,'.join(f'{x} {y}' for x, y in square(cx - 6000, cy, 500))})),"
                f" (({' ,'.join(f'{x} {y}' for x, y in square(cx - 8000, cy, 500))})))",
         "名称": "清水通道（两块）", "编码": "C-003", "类型": "生态空间管控区域", "类别": "清水通道维护区"},
    ]


@pytest.fixture
def gbk_shapefile(tmp_path: Path) -> Path:
    path = write_layer(tmp_path / "红线.shp", "ESRI Shapefile", 4549, gk_features(),
                       layer_options=["ENCODING=CP936"])
    path.with_suffix(".cpg").unlink()
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language driver id either: the bytes themselves must tell
    dbf.write_bytes(bytes(data))
    return path


def test_gbk_shapefile_without_cpg_in_gauss_kruger(ws, gbk_shapefile):
    assert detect_dbf_encoding(gbk_shapefile.with_suffix(".dbf")) == "CP936"
    result = import_zones(ws, gbk_shapefile)
    assert result.imported == 4 and not result.rejected
    names = {r[0] for r in ws.conn.execute("SELECT name FROM zones")}
    assert "射阳河口湿地保护区" in names and "清水通道（两块）" in names
    general = ws.conn.execute(
        "SELECT area_km2, function_zone, kind, category, adcode, NumInteriorRings(GeometryN(geom, 1)) "
        "FROM zones WHERE function_zone = '一般控制区'").fetchone()
    # 2 km square minus a 0.5 km square hole, measured in the Gauss-Krüger zone
    assert general[0] == pytest.approx(4.0 - 0.25, rel=1e-4)
    assert tuple(general)[1:5] == ("一般控制区", "自然保护地", "重要湿地", "320924")
    assert general[5] == 1
    multi = tuple(ws.conn.execute("SELECT NumGeometries(geom), area_km2 FROM zones WHERE code = 'C-003'").fetchone())
    assert multi == (2, pytest.approx(2.0, rel=1e-4))
    srid = ws.conn.execute("SELECT DISTINCT ST_SRID(geom) FROM zones").fetchall()
    assert [tuple(r) for r in srid] == [(4490,)]


def test_bowtie_is_repaired_and_reported(ws, gbk_shapefile):
    result = import_zones(ws, gbk_shapefile)
    assert len(result.repaired) == 1
    repaired = result.repaired[0]
    assert repaired["name"] == "蝶形红线（自交）" and "Self-intersection" in repaired["reason"]
    valid, area, stored = ws.conn.execute(
        "SELECT ST_IsValid(geom), area_km2, repaired FROM zones WHERE code = 'R-002'").fetchone()
    assert valid == 1 and area == pytest.approx(2.0, rel=1e-3) and "Self-intersection" in stored


def test_reimport_updates_instead_of_duplicating(ws, gbk_shapefile, tmp_path):
    import_zones(ws, gbk_shapefile)
    again = import_zones(ws, gbk_shapefile)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 4)
    features = gk_features()
    features[2]["名称"] = "蝶形红线（已更名）"
    del features[3]
    folder = tmp_path / "v2"
    folder.mkdir()
    updated_file = write_layer(folder / "红线.shp", "ESRI Shapefile", 4549, features,
                               layer_options=["ENCODING=CP936"])
    third = import_zones(ws, updated_file)
    assert (third.imported, third.updated, third.unchanged, third.removed) == (0, 1, 2, 1)
    assert ws.conn.execute("SELECT count(*) FROM zones").fetchone()[0] == 4
    assert ws.conn.execute("SELECT count(*) FROM zones WHERE deleted = 0").fetchone()[0] == 3
    assert tuple(ws.conn.execute("SELECT revision, dirty FROM zones WHERE code = 'R-002'").fetchone()) == (2, 1)


def test_spatial_index_and_locate(ws, gbk_shapefile):
    import_zones(ws, gbk_shapefile)
    assert ws.conn.execute("SELECT count(*) FROM idx_zones_geom").fetchone()[0] == 4
    lon, lat = CENTRE
    core = locate(ws, lon, lat)
    assert [z["function_zone"] for z in core["zones"]] == ["核心保护区"]
    assert core["function_zone"] == "核心保护区" and core["admin"]["city_adcode"] == "320900"
    # 600 m north of the centre: in the general zone ring, outside the hole
    ring = locate(ws, lon, lat + 600 / 111_000)
    assert [z["function_zone"] for z in ring["zones"]] == ["一般控制区"]
    # 1,500 m north of the centre: 500 m from the general zone's edge
    outside = locate(ws, lon, lat + 1500 / 110_950)
    assert outside["zones"] == [] and outside["nearest"]["code"] == "Z-001"
    assert outside["nearest"]["distance_m"] == pytest.approx(500, abs=5)


def test_zipped_shapefile(ws, gbk_shapefile, tmp_path):
    archive = tmp_path / "红线.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in gbk_shapefile.parent.glob("红线.*"):
            zf.write(part, f"data/{part.name}")
    result = import_zones(ws, archive)
    assert result.imported == 4
    assert ws.conn.execute("SELECT count(*) FROM zones WHERE name = '射阳河口湿地保护区'").fetchone()[0] == 2


@pytest.mark.parametrize("driver,suffix,archive",
                         [("OpenFileGDB", ".gdb", "layers.zip"), ("KML", ".kml", "layers.kmz")])
def test_zipped_geodatabase_and_kmz(ws, tmp_path, driver, suffix, archive):
    """Archives are unpacked (under a size bound) to a temporary folder that is gone afterwards."""
    import tempfile

    lon, lat = CENTRE
    fields = ("名称", "编码") if driver != "KML" else ("Name",)
    data = {"wkt": polygon_wkt(square(lon, lat, 0.01)), "名称": "压缩包里的保护地", "编码": "A-1",
            "Name": "压缩包里的保护地"}
    source = write_layer(tmp_path / f"doc{suffix}", driver, 4326, [data], fields=fields)
    members = sorted(source.rglob("*")) if source.is_dir() else [source]
    with zipfile.ZipFile(tmp_path / archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in members:
            zf.write(member, f"导出/{member.relative_to(tmp_path)}" if driver != "KML" else "doc.kml")
    leftovers = set(Path(tempfile.gettempdir()).glob("inspector-unzip-*"))
    result = import_zones(ws, tmp_path / archive, kind="自然保护地")
    assert result.imported == 1 and not result.rejected, result.as_dict()
    assert ws.conn.execute("SELECT name FROM zones").fetchone()[0] == "压缩包里的保护地"
    assert set(Path(tempfile.gettempdir()).glob("inspector-unzip-*")) == leftovers


def test_unsupported_suffix_and_unsafe_member_names(ws, tmp_path, gbk_shapefile):
    csv = tmp_path / "zones.csv"
    csv.write_text("WKT,name\n\"POLYGON ((120 33, 121 33, 121 34, 120 33))\",x\n", encoding="utf-8")
    with pytest.raises(BadInput, match="不支持"):
        import_zones(ws, csv)
    archive = tmp_path / "escape.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in gbk_shapefile.parent.glob("红线.*"):
            zf.write(part, f"../../{part.name}")
    with pytest.raises(BadInput, match="不安全"):
        import_zones(ws, archive)
    assert ws.conn.execute("SELECT count(*) FROM zones").fetchone()[0] == 0


@pytest.mark.parametrize("driver,suffix", [("GPKG", ".gpkg"), ("GeoJSON", ".geojson"),
                                           ("KML", ".kml"), ("OpenFileGDB", ".gdb")])
def test_other_formats(ws, tmp_path, driver, suffix):
    lon, lat = CENTRE
    features = [{"wkt": polygon_wkt(square(lon, lat, 0.01)), "名称": "测试保护地", "编码": "F-1",
                 "类型": "自然保护地", "功能分区": "核心区"}]
    fields = ("名称", "编码", "类型", "功能分区") if driver != "KML" else ("Name",)
    if driver == "KML":
        features[0]["Name"] = "测试保护地"
    path = write_layer(tmp_path / f"layer{suffix}", driver, 4326, features, fields=fields)
    result = import_zones(ws, path, kind="自然保护地" if driver == "KML" else None)
    assert result.imported == 1, result.as_dict()
    name, area = ws.conn.execute("SELECT name, area_km2 FROM zones").fetchone()
    assert name == "测试保护地"
    assert area == pytest.approx(2.0 * 0.01 * 111.19 * 2.0 * 0.01 * 111.19 * 0.8339, rel=0.01)


def test_missing_crs_needs_option(ws, tmp_path):
    cx, cy = lonlat_to_gk(*CENTRE)
    path = write_layer(tmp_path / "noprj.shp", "ESRI Shapefile", None,
                       [{"wkt": polygon_wkt(square(cx, cy, 100)), "名称": "无坐标系"}],
                       layer_options=["ENCODING=UTF-8"])
    with pytest.raises(BadInput, match="--crs"):
        import_zones(ws, path)
    assert import_zones(ws, path, crs="EPSG:4549").imported == 1
    lon, lat = ws.conn.execute("SELECT X(Centroid(geom)), Y(Centroid(geom)) FROM zones").fetchone()
    assert (lon, lat) == (pytest.approx(CENTRE[0], abs=1e-6), pytest.approx(CENTRE[1], abs=1e-6))


def test_wrong_crs_rejects_features_with_reason(ws, tmp_path):
    cx, cy = lonlat_to_gk(*CENTRE)
    path = write_layer(tmp_path / "noprj.shp", "ESRI Shapefile", None,
                       [{"wkt": polygon_wkt(square(cx, cy, 100)), "名称": "坐标系错了"}],
                       layer_options=["ENCODING=UTF-8"])
    result = import_zones(ws, path, crs="EPSG:3857")
    assert result.imported == 0 and "江苏" in result.rejected[0]["reason"]


def test_field_map_and_unclosed_ring(ws, tmp_path):
    lon, lat = CENTRE
    ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01]]  # not closed
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"QYMC": "未闭合区域", "QYBM": "U-1", "KIND": "生态红线"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    path = tmp_path / "unclosed.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = import_zones(ws, path, field_map=parse_field_map("name=QYMC,code=QYBM,kind=KIND"))
    assert result.imported == 1
    assert "未闭合" in result.repaired[0]["reason"]
    stored = tuple(ws.conn.execute("SELECT name, code, kind FROM zones").fetchone())
    assert stored == ("未闭合区域", "U-1", "生态保护红线")
    with pytest.raises(BadInput):
        parse_field_map("colour=QYMC")
    with pytest.raises(BadInput, match="NOPE"):
        import_zones(ws, path, field_map={"name": "NOPE"})
