"""Checking one ledger row: its cells' texts, its ledger fields and the reasons a row is refused.

:func:`row_texts` reads every cell of a row as text once; :func:`check_cells` refuses a row with a cell
longer than Excel allows or a control character in a kept cell; :func:`parse_row` reads the ledger fields
(case number, texts, position, dates, area) or raises :class:`~inspector.errors.InvalidValue` with the
reason in Chinese and English; :func:`verbatim_record` keeps the row as it came, header by header;
:func:`ledger_hash` digests its ledger fields. Dates repeat row after row in a ledger, so each distinct date
cell is parsed once.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from inspector.errors import InvalidValue
from inspector.importers.area_units import AreaUnit, parse_area
from inspector.importers.ledger_reader import MAX_CELL_CHARS
from inspector.importers.ledger_values import cell_text, control_character, parse_coordinate, parse_date

TEXT_FIELDS = ("ledger_zone_name", "ledger_function_zone", "problem_type", "description",
               "responsible_unit", "clue_source", "ledger_city", "ledger_county")
LEDGER_FIELDS = ("case_no",) + TEXT_FIELDS + ("lon", "lat", "discovered_on", "deadline", "area_m2")
# Hashed only when the row has them (a ledger without an area unit keeps the hash it always had).
UNIT_FIELDS = ("area_unit",)
DATE_NAMES = {"discovered_on": ("发现时间", "discovery date"), "deadline": ("整改时限", "rectification deadline")}


def row_texts(cells: list[Any]) -> list[str | None]:
    """:func:`cell_text` of every cell of a row (computed once per row, used by every check)."""
    return [(c.strip() or None) if type(c) is str else cell_text(c) for c in cells]


def parse_row(cells: list[Any], mapping: dict[str, int], area_unit: AreaUnit | None = None,
              texts: list[str | None] | None = None) -> dict[str, Any]:
    """Ledger fields of one row; raises :class:`InvalidValue` with the reason. ``area_unit``: the unit the
    area column's header names (:func:`~inspector.importers.area_units.unit_in_header`); ``texts``: the
    row's :func:`row_texts` when the caller has them."""
    width = len(cells)
    texts = row_texts(cells) if texts is None else texts
    value = {name: cells[pos] if pos < width else None for name, pos in mapping.items()}.get
    text = {name: texts[pos] if pos < width else None for name, pos in mapping.items()}.get

    case_no = text("case_no")
    if not case_no:
        raise InvalidValue("缺少问题编号", "the case number is missing")
    record: dict[str, Any] = {"case_no": case_no}
    record.update(zip(TEXT_FIELDS, map(text, TEXT_FIELDS)))
    record["lon"], record["lat"] = _position(value("lon"), value("lat"))
    for name in ("discovered_on", "deadline"):
        try:
            record[name] = _parse_date(value(name))
        except InvalidValue as exc:
            zh, en = DATE_NAMES[name]
            raise InvalidValue(exc.message.prefixed(f"{zh}：", f"{en}: ")) from None
    area = parse_area(value("area_m2"), area_unit)
    record["area_m2"] = round(area[0], 4) if area is not None else None
    record["area_unit"] = area[1].name if area is not None and area[1] is not None else None
    return record


# Ledgers repeat their dates row after row: each distinct cell value is parsed once (a refused one each time,
# so that every row reports its own reason). typed: 45000 and 45000.0 are kept apart, True never meets 1.
_parse_date = lru_cache(maxsize=4096, typed=True)(parse_date)


def _position(lon_cell: Any, lat_cell: Any) -> tuple[float, float]:
    """Longitude and latitude of a row; swapped columns (a Jiangsu latitude as longitude
    and a Jiangsu longitude as latitude) are reported as such."""
    try:
        lon = parse_coordinate(lon_cell, "lon")
        lat = parse_coordinate(lat_cell, "lat")
    except InvalidValue as exc:
        try:
            swapped = 30 <= parse_coordinate(lon_cell, "lon") <= 36 and \
                115 <= parse_coordinate(lat_cell, "lon") <= 123
        except InvalidValue:
            swapped = False
        if swapped:
            raise InvalidValue(f"经纬度疑似填反（经度 {lon_cell}，纬度 {lat_cell}）",
                               f"longitude and latitude look swapped (longitude {lon_cell}, latitude {lat_cell})"
                               ) from None
        raise InvalidValue(exc.message.prefixed("坐标无法解析：", "coordinates cannot be read: ")) from None
    return round(lon, 8), round(lat, 8)


def check_cells(names: list[str | None], cells: list[Any], too_long: dict[int, int] | None) -> None:
    """Refuse a row with a cell longer than Excel allows or a control character in a cell that is kept
    (tab and line breaks are allowed): it would be stored cut or changed, or could not be exported again."""
    if too_long:
        column, length = min(too_long.items())
        zh_name, en_name = _column_name(names, column)
        raise InvalidValue(f"“{zh_name}”列的内容过长（{length:,} 个字符，单元格上限 {MAX_CELL_CHARS:,}），未导入",
                           f"the cell in column \"{en_name}\" is too long ({length:,} characters, a cell holds "
                           f"{MAX_CELL_CHARS:,}); row not imported")
    kept = cells[:len(names)]
    if control_character("".join(c for c in kept if type(c) is str)) is None:
        return
    for column, value in enumerate(kept):
        found = control_character(value) if type(value) is str else None
        if found is not None:
            zh_name, en_name = _column_name(names, column)
            raise InvalidValue(f"“{zh_name}”列含有控制字符 U+{ord(found):04X}，请在表格中删除后重新导入",
                               f"column \"{en_name}\" holds the control character U+{ord(found):04X}; delete it "
                               "in the spreadsheet and import again")


def _column_name(names: list[str | None], column: int) -> tuple[str, str]:
    """A column's header text (the same in both languages), or its number when it has none."""
    name = names[column] if column < len(names) else None
    if name is not None:
        return name, name
    return f"列{column + 1}", f"column {column + 1}"


_to_json = json.JSONEncoder(ensure_ascii=False).encode


def verbatim_record(names: list[str], texts: list[str | None]) -> str:
    """The row as ``{header: cell text}`` JSON (every header, None past the row's end)."""
    width = len(texts)
    return _to_json({name: texts[i] if i < width else None for i, name in enumerate(names)})


def ledger_hash(record: dict[str, Any]) -> str:
    """A digest of the ledger fields, in a fixed order."""
    values = tuple(map(record.get, LEDGER_FIELDS))
    values += tuple((k, record[k]) for k in UNIT_FIELDS if record.get(k) is not None)
    return hashlib.sha256(repr(values).encode()).hexdigest()
