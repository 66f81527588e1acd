"""A patch file read in a bounded child process imports exactly as one read in-process: the same result
(rejections with their reasons and order, repairs, area flags, layers), the same cases and zone links, the
same bad input for a file that is not a layer."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from inspector.errors import BadInput
from inspector.importers import patch_import
from inspector.importers.patch_import import import_patches
from inspector.importers.patch_reading import PART_FEATURES
from inspector.store.workspace import Workspace
from tests.test_patch_import import CENTRE, PATCH_FIELDS, zoned_workspace
from tests.vector_fixtures import lonlat_to_gk, patch, polygon_point_offset, polygon_wkt, square, write_layer

CASE_COLUMNS = ("id", "case_no", "patch_no", "geometry_geojson", "lon", "lat", "area_m2", "reported_area_m2",
                "area_unit", "imaged_before", "imaged_after", "change_type", "city_adcode", "county_adcode",
                "nearest_zone_id", "nearest_distance_m", "attributed_generation", "ledger_hash", "origin")


def many_patches(path: Path) -> Path:
    """More than one part of patches around the zones of ``zoned_workspace`` (in, across, outside), with a
    self-intersecting one, an empty one, one without a number, bad and repeated dates, areas 20 % off, and
    numbers repeated across parts; one vertex is made NaN after writing."""
    cx, cy = lonlat_to_gk(*CENTRE)
    features = []
    for i in range(PART_FEATURES + 300):
        x, y = cx - 1500 + (i % 60) * 70, cy - 1500 + (i // 60) * 140
        shape = square(x, y, 20 + i % 7)
        area_mu = (2 * (20 + i % 7)) ** 2 / (10000 / 15) * (1.2 if i % 11 == 0 else 1.0)
        features.append({"wkt": polygon_wkt(shape), "图斑编号": f"TB-{i % (PART_FEATURES + 200):05d}",
                         "面积（亩）": f"{area_mu:.4f}", "前时相": "2025-13-45" if i % 97 == 0 else "2025-10-01",
                         "后时相": "2026-04-01", "变化类型": "耕地→建设用地"})
    features[5]["wkt"] = polygon_wkt([(cx, cy), (cx + 50, cy + 50), (cx + 50, cy), (cx, cy + 50), (cx, cy)])
    features[PART_FEATURES + 3]["wkt"] = "POLYGON EMPTY"
    features[PART_FEATURES + 4]["图斑编号"] = None
    shp = write_layer(path, "ESRI Shapefile", 4549, features, fields=PATCH_FIELDS,
                      layer_options=["ENCODING=CP936"], layer_name="patches")
    patch(shp, polygon_point_offset(shp, 7, 1), "<d", math.nan)
    return shp


def imported(root: Path, shp: Path, child: bool, monkeypatch) -> tuple[dict, list, list]:
    monkeypatch.setattr(patch_import, "CHILD_READ_MIN_BYTES", 0 if child else 2 ** 62)
    ws = zoned_workspace(root)
    try:
        result = import_patches(ws, shp)
        cases = ws.conn.execute(f"SELECT {', '.join(CASE_COLUMNS)} FROM cases ORDER BY id").fetchall()
        links = ws.conn.execute("SELECT case_id, zone_id, overlap_m2, overlap_share FROM case_zones "
                                "ORDER BY case_id, zone_id").fetchall()
    finally:
        ws.close()
    return result.as_dict(), [tuple(row) for row in cases], [tuple(row) for row in links]


def test_a_file_read_in_a_child_imports_exactly_as_one_read_in_process(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    shp = many_patches(tmp_path / "patches.shp")
    in_process = imported(tmp_path / "in-process", shp, False, monkeypatch)
    in_child = imported(tmp_path / "child", shp, True, monkeypatch)
    result = in_process[0]
    assert result["created"] > PART_FEATURES and len(in_process[2]) > 100  # cases across parts, overlaps
    reasons = [r["reason"] for r in result["rejected"]]
    assert any("non-finite" in r for r in reasons) and any("twice" in r for r in reasons)
    assert any("imaging date" in r for r in reasons) and any("patch number" in r for r in reasons)
    assert result["repaired"] and result["area_flags"]
    assert in_child == in_process


def test_a_file_that_is_not_a_layer_is_the_same_bad_input_from_the_child(tmp_path, monkeypatch):
    bogus = tmp_path / "patches.shp"
    bogus.write_bytes(b"not a shapefile" * 10)
    said = []
    for threshold in (2 ** 62, 0):
        monkeypatch.setattr(patch_import, "CHILD_READ_MIN_BYTES", threshold)
        ws = Workspace.create(tmp_path / f"ws-{threshold}")
        with pytest.raises(BadInput) as caught:
            import_patches(ws, bogus)
        said.append((caught.value.zh, caught.value.en))
        ws.close()
    assert said[0] == said[1] and "patches.shp" in said[0][1]


def test_a_part_crosses_processes_with_its_polygons_exactly(tmp_path):
    import pickle

    import shapely

    from inspector.importers.patch_reading import PatchPart, patch_parts

    parts = [p for p in patch_parts(str(many_patches(tmp_path / "patches.shp")), None, None, {})
             if isinstance(p, PatchPart)]
    for part in parts + [PatchPart()]:
        copy = pickle.loads(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
        assert [{k: v for k, v in p.items() if k != "polygon"} for p in copy.patches] == \
            [{k: v for k, v in p.items() if k != "polygon"} for p in part.patches]
        assert [(shapely.to_wkb(p["polygon"][0]), p["polygon"][1]) for p in copy.patches] == \
            [(shapely.to_wkb(p["polygon"][0]), p["polygon"][1]) for p in part.patches]
        assert (copy.unreadable, copy.rejected, copy.repaired, copy.area_flags) == \
            (part.unreadable, part.rejected, part.repaired, part.area_flags)
    assert all("polygon" in p for p in parts[0].patches)  # pickling left the part it was given whole
