"""Area units from the header or the cell: the ledger stores m², keeps the office's unit, shows it back, and
refuses a cell whose unit contradicts the header or that is no area."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from inspector.casework.cases import list_cases
from inspector.errors import InvalidValue
from inspector.importers.area_units import area_display, parse_area, unit_in_header
from inspector.importers.ledger_import import import_ledger

MU_M2 = 10000 / 15  # m² in one 亩


@pytest.mark.parametrize("header, unit", [
    ("面积（亩）", "亩"), ("面积(公顷)", "公顷"), ("图斑面积/hm²", "公顷"), ("面积㎡", "平方米"),
    ("面积（平方米）", "平方米"), ("面积(km2)", "平方公里"), ("面积（平方公里）", "平方公里"), ("AREA_HA", "公顷"),
    ("面积", None), ("SHAPE_Area", None), ("占地面积", None),
])
def test_unit_in_header(header, unit):
    found = unit_in_header(header)
    assert (found.name if found else None) == unit


@pytest.mark.parametrize("cell, header, m2, unit", [
    ("10亩", None, 10 * MU_M2, "亩"), ("2.5 公顷", None, 25_000, "公顷"), ("3,000 m²", None, 3000, "平方米"),
    ("1.2平方公里", None, 1_200_000, "平方公里"), (10, "亩", 10 * MU_M2, "亩"), ("10", "亩", 10 * MU_M2, "亩"),
    ("10 亩", "亩", 10 * MU_M2, "亩"), (250.5, None, 250.5, None), ("0.5ha", None, 5000, "公顷"),
])
def test_parse_area(cell, header, m2, unit):
    area, found = parse_area(cell, unit_in_header(f"面积（{header}）") if header else None)
    assert area == pytest.approx(m2)
    assert (found.name if found else None) == unit


@pytest.mark.parametrize("cell, header, words", [
    ("3公顷", "亩", "contradicts"), ("约十亩", None, "not a number"), ("-5", None, "negative"),
    (float("nan"), None, "not a number"), ("1" * 80, None, "too long"), ("10 英亩", None, "not a number"),
])
def test_parse_area_refuses(cell, header, words):
    with pytest.raises(InvalidValue) as caught:
        parse_area(cell, unit_in_header(f"面积（{header}）") if header else None)
    assert words in caught.value.message.en


def test_area_display_in_the_offices_unit():
    assert area_display(10 * MU_M2, "亩") == "10 亩"
    assert area_display(25_000, "公顷") == "2.5 公顷"
    assert area_display(1234.5, None) == "1,234.5 平方米"
    assert area_display(None, "亩") is None


def write_ledger(path: Path, area_header: str, areas: list[object]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["问题编号", "经度", "纬度", "问题描述", area_header])
    for i, area in enumerate(areas):
        sheet.append([f"A-{i}", 120.5 + i * 0.01, 33.5, "养殖塘", area])
    book.save(path)
    return path


def test_ledger_area_in_mu_is_stored_in_m2_and_shown_in_mu(ws, tmp_path):
    ledger = write_ledger(tmp_path / "台账.xlsx", "面积（亩）", [10, "2.5亩", "3公顷", "约十亩", None])
    result = import_ledger(ws, ledger)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    reasons = {r["case_no"]: r["reason_en"] for r in result.rejected}
    assert set(reasons) == {"A-2", "A-3"}
    assert "contradicts" in reasons["A-2"] and "not a number" in reasons["A-3"]
    cases = {c["case_no"]: c for c in list_cases(ws)}
    assert cases["A-0"]["area_m2"] == pytest.approx(6666.6667, abs=0.01)
    assert cases["A-0"]["reported_area_m2"] == pytest.approx(6666.6667, abs=0.01)
    assert (cases["A-0"]["area_unit"], cases["A-0"]["area_display"]) == ("亩", "10 亩")
    assert cases["A-1"]["area_display"] == "2.5 亩"
    assert cases["A-4"]["area_m2"] is None and cases["A-4"]["area_display"] is None
    assert cases["A-0"]["geometry"] is None and cases["A-0"]["area_flag"] is None
    again = import_ledger(ws, ledger)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_ledger_area_units_in_cells_under_a_plain_header(ws, tmp_path):
    result = import_ledger(ws, write_ledger(tmp_path / "台账.xlsx", "面积", ["2.5 公顷", "3,000 m²", 120]))
    assert result.created == 3 and not result.rejected
    cases = {c["case_no"]: c for c in list_cases(ws)}
    assert cases["A-0"]["area_m2"] == pytest.approx(25_000) and cases["A-0"]["area_display"] == "2.5 公顷"
    assert cases["A-1"]["area_m2"] == pytest.approx(3000) and cases["A-1"]["area_unit"] == "平方米"
    assert cases["A-2"]["area_m2"] == pytest.approx(120) and cases["A-2"]["area_unit"] is None
