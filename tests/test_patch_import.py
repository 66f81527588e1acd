"""import-patches: a Gauss-Krüger patch shapefile with GBK attributes and an area column in 亩 becomes cases
with their polygon, a representative point inside it, the area right within 0.5 %, overlaps with the zones
they touch; re-import updates, never duplicates; hostile features are rejected each with its reason."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import shapely
import shapely.affinity
import shapely.geometry

from inspector.casework.cases import list_cases
from inspector.importers.ledger_import import import_ledger
from inspector.importers.patch_import import import_patches
from inspector.store.workspace import Workspace
from tests.case_fixtures import cli_json
from tests.test_area_units import write_ledger
from tests.vector_fixtures import lonlat_to_gk, patch, polygon_point_offset, polygon_wkt, square, write_layer

CENTRE = (120.40, 33.62)  # lon/lat near 盐城
MU_M2 = 10000 / 15
PATCH_FIELDS = ("图斑编号", "面积（亩）", "前时相", "后时相", "变化类型")


def zones(cx: float, cy: float) -> list[dict]:
    """A core zone (2 km square) and its general zone east of it, in EPSG:4549 metres."""
    return [
        {"wkt": polygon_wkt(square(cx, cy, 1000)), "名称": "测试保护地", "编码": "Z-1", "类型": "自然保护地",
         "功能分区": "核心保护区"},
        {"wkt": polygon_wkt(square(cx + 2000, cy, 1000)), "名称": "测试保护地", "编码": "Z-1", "类型": "自然保护地",
         "功能分区": "一般控制区"},
    ]


def patch_shapes(cx: float, cy: float) -> dict[str, shapely.Geometry]:
    """The patches in EPSG:4549 metres: an L inside the core zone (centroid outside the L), a multipolygon
    outside every zone, one across the core/general boundary, one half in the core zone and half outside."""
    x, y = cx - 500, cy - 500
    return {
        "TB-L": shapely.Polygon([(x, y), (x + 400, y), (x + 400, y + 40), (x + 40, y + 40), (x + 40, y + 400),
                                 (x, y + 400)]),
        "TB-M": shapely.MultiPolygon([shapely.box(cx - 5000, cy, cx - 4900, cy + 100),
                                      shapely.box(cx - 4000, cy, cx - 3950, cy + 50)]),
        "TB-X": shapely.box(cx + 900, cy - 50, cx + 1100, cy + 50),
        "TB-H": shapely.box(cx - 1100, cy + 500, cx - 900, cy + 600),
    }


def write_patches(path: Path, shapes: dict[str, shapely.Geometry], *, areas_mu: dict[str, float]) -> Path:
    return write_layer(path, "ESRI Shapefile", 4549, [
        {"wkt": shape.wkt, "图斑编号": no, "面积（亩）": f"{areas_mu[no]:.4f}", "前时相": "2025-10-01",
         "后时相": "2026-04-01", "变化类型": "耕地→建设用地"} for no, shape in shapes.items()],
        fields=PATCH_FIELDS, layer_options=["ENCODING=CP936"], layer_name="patches")


def zoned_workspace(root: Path) -> Workspace:
    """A new workspace at ``root/ws`` with :func:`zones` imported from a GBK shapefile in EPSG:4549."""
    from inspector.importers.zone_import import import_zones

    ws = Workspace.create(root / "ws")
    import_zones(ws, write_layer(root / "zones.shp", "ESRI Shapefile", 4549, zones(*lonlat_to_gk(*CENTRE)),
                                 layer_options=["ENCODING=CP936"]))
    return ws


@pytest.fixture
def patch_ws(tmp_path: Path):
    ws = zoned_workspace(tmp_path)
    shapes = patch_shapes(*lonlat_to_gk(*CENTRE))
    areas_mu = {no: shape.area / MU_M2 for no, shape in shapes.items()}
    areas_mu["TB-H"] *= 1.2  # the office's area is 20 % off: flagged
    ws.close()
    return tmp_path, shapes, write_patches(tmp_path / "图斑.shp", shapes, areas_mu=areas_mu)


def test_patch_shapefile_imports_with_areas_points_and_overlaps(patch_ws):
    root, shapes, shp = patch_ws
    workspace = str(root / "ws")
    result = cli_json("--workspace", workspace, "import-patches", str(shp))
    assert (result["created"], result["updated"], result["unchanged"], result["rejected"]) == (4, 0, 0, [])
    assert [f["patch_no"] for f in result["area_flags"]] == ["TB-H"]
    cases = {c["case_no"]: c for c in cli_json("--workspace", workspace, "cases")}
    assert set(cases) == set(shapes)
    for no, shape in shapes.items():
        case = cases[no]
        polygon = shapely.geometry.shape(case["geometry"])
        assert case["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert polygon.contains(shapely.Point(case["lon"], case["lat"])), no  # the point is inside
        assert case["area_m2"] == pytest.approx(shape.area, rel=0.005), no  # the GK area of the file's metres
        assert case["area_unit"] == "亩" and case["patch_no"] == no and case["origin"] == "patch"
        assert case["imaged_before"] == "2025-10-01" and case["change_type"] == "耕地→建设用地"
    assert not shapes["TB-L"].contains(shapes["TB-L"].centroid)
    assert cases["TB-L"]["area_display"] == f"{shapes['TB-L'].area / MU_M2:.4f}".rstrip("0").rstrip(".") + " 亩"
    assert cases["TB-H"]["area_flag"]["difference_share"] == pytest.approx(0.2, abs=0.01)
    assert cases["TB-L"]["area_flag"] is None

    def shares(no: str) -> dict[str, float]:
        return {z["function_zone"]: z["overlap_share"] for z in cases[no]["zones"]}
    assert shares("TB-L") == {"核心保护区": 1.0}  # inside one zone: the whole patch
    assert cases["TB-L"]["zones"][0]["overlap_m2"] == pytest.approx(shapes["TB-L"].area, rel=0.005)
    assert shares("TB-M") == {}
    assert shares("TB-X") == pytest.approx({"核心保护区": 0.5, "一般控制区": 0.5}, abs=0.01)
    assert sum(shares("TB-X").values()) == pytest.approx(1.0, abs=1e-6)
    assert shares("TB-H") == pytest.approx({"核心保护区": 0.5}, abs=0.01)
    assert cases["TB-H"]["function_zone"] == "核心保护区"
    assert set(cases["TB-X"]["zones"][0]) >= {"name", "code", "kind", "function_zone", "overlap_m2", "overlap_share"}

    again = cli_json("--workspace", workspace, "import-patches", str(shp))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)


def test_reimport_updates_and_joins_a_ledger_case_by_patch_or_case_number(patch_ws):
    root, shapes, shp = patch_ws
    ws = Workspace.open(root / "ws")
    import_ledger(ws, write_ledger(root / "台账.xlsx", "面积（亩）", [3]))  # case A-0, a point
    import_patches(ws, shp)
    moved = {**shapes, "TB-L": shapely.affinity.translate(shapes["TB-L"], 100, 100)}
    areas = {no: s.area / MU_M2 for no, s in moved.items()}
    second = write_patches(root / "图斑2.shp", moved, areas_mu=areas)
    revision = ws.conn.execute("SELECT revision FROM cases WHERE case_no = 'TB-L'").fetchone()[0]
    result = import_patches(ws, second, join="patch_no")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)  # TB-L moved, TB-H's area now right
    row = ws.conn.execute("SELECT revision, dirty FROM cases WHERE case_no = 'TB-L'").fetchone()
    assert (row[0], row[1]) == (revision + 1, 1)
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 5
    # a patch carrying the ledger's 问题编号 gives that case its extent; the ledger's point and area step aside
    joined = write_layer(root / "join.shp", "ESRI Shapefile", 4549, [
        {"wkt": moved["TB-X"].wkt, "图斑编号": "TB-9", "问题编号": "A-0"}],
        fields=("图斑编号", "问题编号"), layer_options=["ENCODING=CP936"], layer_name="patches")
    result = import_patches(ws, joined)
    assert (result.created, result.updated) == (0, 1)
    case = next(c for c in list_cases(ws) if c["case_no"] == "A-0")
    assert case["patch_no"] == "TB-9" and case["origin"] == "ledger"
    assert case["area_m2"] == pytest.approx(moved["TB-X"].area, rel=0.005)
    assert case["reported_area_m2"] == pytest.approx(3 * MU_M2, rel=1e-6)
    assert {z["function_zone"] for z in case["zones"]} == {"核心保护区", "一般控制区"}
    again = import_ledger(ws, root / "台账.xlsx")
    assert again.unchanged == 1
    reimported = import_ledger(ws, write_ledger(root / "台账2.xlsx", "面积（亩）", [4]))
    assert reimported.updated == 1
    case = next(c for c in list_cases(ws) if c["case_no"] == "A-0")
    assert shapely.geometry.shape(case["geometry"]).contains(shapely.Point(case["lon"], case["lat"]))
    assert case["area_m2"] == pytest.approx(moved["TB-X"].area, rel=0.005)
    ws.close()


def test_zone_reimport_reattributes_patches(patch_ws, tmp_path):
    root, shapes, shp = patch_ws
    ws = Workspace.open(root / "ws")
    import_patches(ws, shp)
    from inspector.importers.zone_import import import_zones

    cx, cy = lonlat_to_gk(*CENTRE)
    grown = zones(cx, cy)
    grown[0]["wkt"] = polygon_wkt(square(cx, cy, 1200))  # the core zone now covers TB-H
    import_zones(ws, write_layer(root / "zones.shp", "ESRI Shapefile", 4549, grown,
                                 layer_options=["ENCODING=CP936"]))
    case = next(c for c in list_cases(ws) if c["case_no"] == "TB-H")
    assert {z["function_zone"]: z["overlap_share"] for z in case["zones"]} == pytest.approx({"核心保护区": 1.0})
    ws.close()


def test_hostile_features_are_rejected_each_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    cx, cy = lonlat_to_gk(*CENTRE)
    bow_tie = [(cx, cy), (cx + 100, cy + 100), (cx + 100, cy), (cx, cy + 100), (cx, cy)]
    huge = [(cx + 300 * math.cos(i / 40_000), cy + 300 * math.sin(i / 40_000))
            for i in range(251_328)]
    features = [
        {"wkt": polygon_wkt(bow_tie), "图斑编号": "SELF"},
        {"wkt": "POLYGON EMPTY", "图斑编号": "EMPTY"},
        {"wkt": polygon_wkt(huge + huge[:1]), "图斑编号": "HUGE"},
        {"wkt": polygon_wkt(square(cx + 500, cy, 50)), "图斑编号": "NAN"},  # gets a NaN below
        {"wkt": polygon_wkt(square(cx, cy, 50)), "图斑编号": None},
    ]
    shp = write_layer(tmp_path / "bad.shp", "ESRI Shapefile", 4549, features, fields=("图斑编号",),
                      layer_options=["ENCODING=CP936"], layer_name="patches")
    patch(shp, polygon_point_offset(shp, 3, 1), "<d", math.nan)
    ws = Workspace.create(tmp_path / "ws")
    result = import_patches(ws, shp)
    reasons = {r["patch_no"]: r["reason"] for r in result.rejected}
    assert result.created == 1 and [r["patch_no"] for r in result.repaired] == ["SELF"]
    assert set(reasons) == {"EMPTY", "HUGE", "NAN", None}
    assert "vertices" in reasons["HUGE"] and "non-finite" in reasons["NAN"]
    assert "patch number" in reasons[None]
    # the wrong CRS: lon/lat degrees declared as Gauss-Krüger metres land nowhere near Jiangsu
    wrong = write_layer(tmp_path / "wrong.shp", "ESRI Shapefile", 4549,
                        [{"wkt": polygon_wkt(square(120.4, 33.6, 0.01)), "图斑编号": "W"}], fields=("图斑编号",),
                        layer_options=["ENCODING=CP936"], layer_name="patches")
    result = import_patches(ws, wrong)
    assert result.created == 0 and "Jiangsu" in result.rejected[0]["reason"]
    ws.close()


def test_a_file_that_is_not_a_layer_is_bad_input(tmp_path):
    bogus = tmp_path / "patches.shp"
    bogus.write_bytes(b"not a shapefile" * 10)
    from tests.case_fixtures import run_cli

    completed = run_cli("--workspace", str(tmp_path / "ws"), "import-patches", str(bogus), "--json")
    assert completed.returncode == 2 and completed.stderr





def test_each_patch_with_a_bad_imaging_date_is_rejected_even_when_the_value_repeats(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    cx, cy = lonlat_to_gk(*CENTRE)
    dates = [("2025-10-01", "2026-04-01"), ("2025-13-45", "2026-04-01"), ("2025-10-01", "2026-04-01"),
             ("2025-13-45", "2026-04-01"), ("2025-10-01", "不详"), (None, "20260401")]
    features = [{"wkt": polygon_wkt(square(cx + 300 * i, cy, 50)), "图斑编号": f"D-{i}", "前时相": before,
                 "后时相": after} for i, (before, after) in enumerate(dates)]
    shp = write_layer(tmp_path / "dates.shp", "ESRI Shapefile", 4549, features, fields=("图斑编号", "前时相", "后时相"),
                      layer_options=["ENCODING=CP936"], layer_name="patches")
    ws = Workspace.create(tmp_path / "ws")
    result = import_patches(ws, shp)
    reasons = {r["patch_no"]: r["reason"] for r in result.rejected}
    assert set(reasons) == {"D-1", "D-3", "D-4"}
    assert reasons["D-1"] == reasons["D-3"] == "earlier imaging date: impossible date: 2025-13-45"
    assert reasons["D-4"].startswith("later imaging date: ")
    stored = dict(ws.conn.execute(
        "SELECT case_no, ifnull(imaged_before, '') || '/' || ifnull(imaged_after, '') FROM cases"))
    both = "2025-10-01/2026-04-01"
    assert stored == {"D-0": both, "D-2": both, "D-5": "/2026-04-01"}
    ws.close()
