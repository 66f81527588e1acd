"""The map document (no Qt): local assets only, ledger text never in the page, compact layers, MBTiles tiles."""
from __future__ import annotations

import json
import re
import sqlite3

import folium
import numpy as np
import pytest
import shapely

from inspector.casework.cases import list_cases
from inspector.casework.workflow import STATES
from inspector.demo.form_case import write_demo_mbtiles
from inspector.demo.workspace import build_demo_workspace
from inspector.maps.basemap_tiles import TileSource, tile_mime
from inspector.maps.map_document import build_map_document, build_workspace_map, export_map_html, json_for_script
from inspector.maps.map_layers import (
    POINT_QUANTUM,
    AdminRecord,
    CaseRecord,
    LayerSet,
    ZoneRecord,
    case_document,
    encode_ring,
    status_code,
    zone_level_document,
)

XSS_CASE = "LD2026-320900-002"  # its description carries <img src=x onerror=alert(1)> and ${x}
XSS_MARKERS = ("<img", "onerror", "${x}", "alert(1)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(tmp_path_factory.mktemp("map") / "demo")
    yield ws
    ws.close()


def test_demo_case_really_carries_the_payloads(demo):
    [case] = list_cases(demo, refs=[XSS_CASE])
    assert "<img src=x onerror=" in case["description"] and "${x}" in case["description"]


def test_document_loads_nothing_from_the_network(demo):
    bundle = build_workspace_map(demo)
    assert not re.search(r"(?i)\b(https?:)?//(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}/", bundle.html)
    assert "http://" not in bundle.html and "https://" not in bundle.html
    sources = re.findall(r'<script src="([^"]+)"', bundle.html) + re.findall(r'href="([^"]+)"', bundle.html)
    assert sources and all(s.startswith("lvdun://web/") for s in sources), sources
    assert "node_modules/leaflet/dist/leaflet.js" in bundle.html
    assert "supercluster.min.js" in bundle.html and "app/case_layer.js" in bundle.html
    assert "Content-Security-Policy" in bundle.html
    assert "'unsafe-inline'" not in bundle.html.split("script-src")[1].split(";")[0]


def test_ledger_text_never_enters_the_page(demo):
    bundle = build_workspace_map(demo)
    everything = bundle.html + "".join(data.decode("utf-8") for data in bundle.resources.values())
    for marker in XSS_MARKERS:
        assert marker not in everything
    case = list_cases(demo, refs=[XSS_CASE])[0]
    for text in (case["description"], case["case_no"], case["responsible_unit"]):
        if text:
            assert text not in everything
    assert case["uuid"] in bundle.resources["data/cases.json"].decode()


def test_export_inlines_data_and_links_assets_in_place(demo, tmp_path):
    out = export_map_html(demo, tmp_path / "map.html")
    html = out.read_text(encoding="utf-8")
    assert "file://" in html and "lvdun://web" not in html and "http://" not in html
    assert 'id="lvdun-data/cases.json"' in html
    for marker in XSS_MARKERS:
        assert marker not in html


def test_json_for_script_cannot_close_the_script_tag():
    text = json_for_script({"a": "</script><img src=x onerror=alert(1)>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><img src=x onerror=alert(1)>&"}


def _decode(flat: list[int], quantum: float) -> np.ndarray:
    return np.cumsum(np.array(flat, dtype=np.int64).reshape(-1, 2), axis=0) * quantum


def test_ring_encoding_round_trips_within_the_quantum():
    ring = np.array([[120.123456, 33.654321], [120.2, 33.65], [120.25, 33.7], [120.123456, 33.654321]])
    flat = encode_ring(ring, POINT_QUANTUM)
    decoded = _decode(flat, POINT_QUANTUM)
    assert len(decoded) == 3  # closing vertex dropped
    assert np.abs(decoded - ring[:3]).max() <= POINT_QUANTUM / 2 + 1e-12
    assert encode_ring([[0, 0], [0, 0], [0, 0], [0, 0]], POINT_QUANTUM) == []


def test_layer_documents_hold_ids_codes_and_numbers(demo):
    bundle = build_workspace_map(demo)
    cases = json.loads(bundle.resources["data/cases.json"])
    expected = list_cases(demo)
    assert cases["ids"] == [c["uuid"] for c in expected]
    assert cases["s"] == [status_code(c["status"]) for c in expected]
    assert abs(cases["x"][0] * cases["q"] - expected[0]["lon"]) < 1e-5
    zones = json.loads(bundle.resources["data/zones-0.json"])
    assert len(zones["ids"]) == demo.conn.execute("SELECT count(*) FROM zones WHERE deleted = 0").fetchone()[0]
    assert set(zones["kind"]) <= {0, 1, 2, 3} and 1 in zones["fz"]
    coarse, fine = (len(bundle.resources[f"data/zones-{i}.json"]) for i in (0, 2))
    assert coarse < fine


def _synthetic_layers(n_cases: int, n_zones: int, vertices_per_zone: int) -> LayerSet:
    rng = np.random.default_rng(7)
    zones = []
    for i in range(n_zones):
        cx, cy = 117 + 4 * rng.random(), 31 + 3.5 * rng.random()
        angles = np.linspace(0, 2 * np.pi, vertices_per_zone, endpoint=False)
        radius = 0.05 * (1 + 0.15 * np.sin(angles * 37) + 0.05 * rng.random(vertices_per_zone))
        ring = np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])
        zones.append(ZoneRecord(f"00000000-0000-4000-8000-{i:012d}", "自然保护地", "核心保护区" if i % 3 else None,
                                shapely.Polygon(ring)))
    cases = [CaseRecord(f"10000000-0000-4000-8000-{i:012d}", 117 + 4 * rng.random(), 31 + 3.5 * rng.random(), "待核查")
             for i in range(n_cases)]
    return LayerSet(zones=zones, cases=cases)


def test_payload_is_ten_times_smaller_than_naive_folium():
    layers = _synthetic_layers(2_000, 50, 4_000)  # 200,000 vertices
    ours = build_map_document(layers, token="00000000-0000-4000-8000-000000000000")
    first_view = len(ours.html) + sum(len(v) for k, v in ours.resources.items() if k != "data/zones-1.json"
                                      and k != "data/zones-2.json")
    naive = folium.Map(location=[33, 119], zoom_start=8, tiles=None)
    folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(z.geometry)} for z in layers.zones
    ]}).add_to(naive)
    for case in layers.cases:
        folium.Marker([case.lat, case.lon]).add_to(naive)
    naive_size = len(naive.get_root().render().encode("utf-8"))
    assert naive_size >= 10 * first_view, (naive_size, first_view)
    assert ours.size_bytes() * 3 < naive_size  # even with every zoom level loaded


def test_zone_levels_simplify_but_keep_every_zone():
    layers = _synthetic_layers(0, 5, 2_000)
    counts = [sum(len(r) // 2 for p in zone_level_document(layers.zones, level)["polys"] for poly in p for r in poly)
              for level in range(3)]
    assert counts[0] < counts[1] < counts[2] <= 10_000
    assert len(zone_level_document(layers.zones, 0)["ids"]) == 5


def test_tiles_from_tms_and_xyz_mbtiles(tmp_path):
    lon, lat = 120.5, 33.5
    tms = write_demo_mbtiles(tmp_path / "coast.mbtiles", lon, lat, zooms=(14,), radius_tiles=1)
    xyz = tmp_path / "xyz.mbtiles"
    xyz.write_bytes(tms.read_bytes())
    with sqlite3.connect(xyz) as conn:
        conn.execute("UPDATE metadata SET value = 'xyz' WHERE name = 'scheme'")
        conn.execute("UPDATE tiles SET tile_row = (1 << zoom_level) - 1 - tile_row")
    n = 1 << 14
    column = int((lon + 180.0) / 360.0 * n)
    row = int((1.0 - np.arcsinh(np.tan(np.radians(lat))) / np.pi) / 2.0 * n)
    source = TileSource([tms, xyz, tmp_path / "bad name<x>.mbtiles"])
    assert source.names() == ["coast", "xyz"]
    data, mime = source.tile("coast", 14, column, row)
    assert mime == "image/png" and tile_mime(data) == "image/png"
    assert source.tile("xyz", 14, column, row)[0] == data
    assert source.tile_for_path(f"/coast/14/{column}/{row}.png")[0] == data
    assert source.tile("coast", 14, column + 5, row) is None
    assert source.tile("coast", 14, -1, row) is None and source.tile("coast", 40, 0, 0) is None
    assert source.tile("../coast", 14, column, row) is None and source.tile_for_path("/coast/a/b/c") is None
    [info, _other] = source.info()
    assert (info.name, info.min_zoom, info.max_zoom, info.raster) == ("coast", 14, 14, True)
    source.close()


def test_basemaps_appear_as_tile_urls(demo, tmp_path):
    write_demo_mbtiles(demo.root / "coast.mbtiles", zooms=(14,), radius_tiles=1)
    try:
        bundle = build_workspace_map(demo)
    finally:
        (demo.root / "coast.mbtiles").unlink()
    config = json.loads(re.search(r'id="lvdun-config">(.*?)</script>', bundle.html).group(1))
    assert config["basemaps"][0]["url"] == "lvdun://tiles/coast/{z}/{x}/{y}"


def test_bounds_span_cases_and_zones_else_the_admin_areas():
    layers = _synthetic_layers(300, 4, 50)
    points = [(c.lon, c.lat, c.lon, c.lat) for c in layers.cases] + [z.geometry.bounds for z in layers.zones]
    expected = tuple(f(b[i] for b in points) for i, f in enumerate((min, min, max, max)))
    assert layers.bounds() == expected
    only_cases = LayerSet(cases=layers.cases[:1])
    assert only_cases.bounds() == (layers.cases[0].lon, layers.cases[0].lat) * 2
    only_zones = LayerSet(zones=layers.zones)
    assert only_zones.bounds() == tuple(f(z.geometry.bounds[i] for z in layers.zones)
                                        for i, f in enumerate((min, min, max, max)))
    admin = [AdminRecord("320000", "江苏省", "province", shapely.box(116.3, 30.7, 122.0, 35.2))]
    assert LayerSet(admin=admin).bounds() == (116.3, 30.7, 122.0, 35.2)
    assert LayerSet().bounds() is None


def test_case_document_codes_every_status_as_status_code():
    cases = [CaseRecord(f"10000000-0000-4000-8000-{i:012d}", 119.123456 + i * 1e-5, 32.5 - i * 1e-5, status)
             for i, status in enumerate([*STATES, "不存在的状态", ""])]
    document = case_document(cases)
    assert document["s"] == [status_code(c.status) for c in cases] == [*range(len(STATES)), len(STATES), len(STATES)]
    assert document["x"] == [round(c.lon / POINT_QUANTUM) for c in cases]
    assert document["y"] == [round(c.lat / POINT_QUANTUM) for c in cases]
    assert case_document([]) == {"q": POINT_QUANTUM, "ids": [], "x": [], "y": [], "s": []}


def test_layer_json_is_the_bytes_json_dumps_gives_when_its_lists_are_encoded_a_slice_at_a_time():
    from inspector.maps.map_layers import JSON_SLICE, to_json_bytes

    rng = np.random.default_rng(7)
    document = {
        "q": 1e-5,
        "ids": [f"案件-{i:06d}" for i in range(3 * JSON_SLICE + 17)],
        "x": rng.integers(-10**9, 10**9, JSON_SLICE + 1).tolist(),
        "s": [0] * JSON_SLICE,
        "polys": [[[1, 2, 3], [4, -5]]] * (JSON_SLICE + 3),
        "empty": [],
        "text": "<b>&\"引号\"</b>",
    }
    assert to_json_bytes(document) == json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    assert json.loads(to_json_bytes(document)) == document
