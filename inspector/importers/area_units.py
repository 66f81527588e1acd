"""Areas and their units as offices write them: stored in m², shown back in the office's unit.

Ledgers and patch tables give an area with its unit in the header (``面积（亩）``, ``面积(公顷)``,
``图斑面积/hm²``, ``面积㎡``) or in the cell (``10亩``, ``2.5 公顷``, ``3,000 m²``, ``1.2平方公里``).
Units: 平方米 (㎡, m², m2, 平米), 亩 (10000/15 m²), 公顷 (hm², ha), 平方公里 (平方千米, km², ㎢).
:func:`unit_in_header` finds a header's unit; :func:`parse_area` reads a cell under it and raises
:class:`~inspector.errors.InvalidValue` when the cell is not an area, is negative, or names a unit that
contradicts the header's (never silently wrong); a bare number under a header without unit is taken
as m², as the ledger always did. :func:`area_display` writes an area in a unit (``10 亩``).

A unit is stored by its Chinese name (``cases.area_unit``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from inspector.errors import InvalidValue

MAX_AREA_CHARS = 40  # characters: no area written in a cell is longer


@dataclass(frozen=True)
class AreaUnit:
    name: str  # Chinese name, stored in cases.area_unit
    square_metres: float  # m² in one unit
    decimals: int  # decimals shown in area_display


SQUARE_METRE = AreaUnit("平方米", 1.0, 2)
MU = AreaUnit("亩", 10000.0 / 15.0, 4)
HECTARE = AreaUnit("公顷", 10000.0, 4)
SQUARE_KILOMETRE = AreaUnit("平方公里", 1_000_000.0, 6)
UNITS = {unit.name: unit for unit in (SQUARE_METRE, MU, HECTARE, SQUARE_KILOMETRE)}

# Written forms, longest first; ASCII forms must not touch other letters ("Shape_Area" holds no "ha").
_WRITTEN = (
    (SQUARE_KILOMETRE, ("平方公里", "平方千米", "㎢", "km²", "km2", "k㎡")),
    (HECTARE, ("公顷", "hm²", "hm2", "h㎡", "ha")),
    (MU, ("亩",)),
    (SQUARE_METRE, ("平方米", "平米", "㎡", "m²", "m2")),
)
_UNIT_PATTERN = "|".join(
    rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z0-9])" if form.isascii() else re.escape(form)
    for _, forms in _WRITTEN for form in forms)
_UNIT = re.compile(_UNIT_PATTERN, re.IGNORECASE)
_BY_FORM = {form.lower(): unit for unit, forms in _WRITTEN for form in forms}
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"  # 3,000 / 2.5 / .5
_CELL = re.compile(rf"^(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT_PATTERN})?$", re.IGNORECASE)


def _unit_of(form: str) -> AreaUnit:
    return _BY_FORM[form.lower()]


def unit_in_header(header: str | None) -> AreaUnit | None:
    """The unit a column header names (``面积（亩）`` → 亩), or None."""
    if not header:
        return None
    found = {_unit_of(m.group()).name for m in _UNIT.finditer(header)}
    return UNITS[found.pop()] if len(found) == 1 else None


def parse_area(value: object, header_unit: AreaUnit | None) -> tuple[float, AreaUnit | None] | None:
    """(area in m², the unit it was written in) of a cell, or None for an empty cell. The unit is the
    cell's, else the header's, else None (the number is taken as m²)."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise _not_an_area(value)
    if isinstance(value, (int, float)):
        number, cell_unit = float(value), None
    else:
        text = " ".join(str(value).split())
        if not text:
            return None
        if len(text) > MAX_AREA_CHARS:
            raise InvalidValue(f"面积无法解析：内容过长（{len(text)} 个字符）",
                               f"the area cannot be read: too long ({len(text)} characters)")
        match = _CELL.match(text.replace("，", ","))
        if match is None:
            raise _not_an_area(value)
        number = float(match["number"].replace(",", ""))
        cell_unit = _unit_of(match["unit"]) if match["unit"] else None
    if not math.isfinite(number):
        raise _not_an_area(value)
    if number < 0:
        raise InvalidValue(f"面积为负数：{value}", f"the area is negative: {value}")
    if cell_unit is not None and header_unit is not None and cell_unit != header_unit:
        raise InvalidValue(f"面积单位（{cell_unit.name}）与表头的单位（{header_unit.name}）不符：{value}",
                           f"the area's unit ({cell_unit.name}) contradicts the header's ({header_unit.name}): "
                           f"{value}")
    unit = cell_unit or header_unit
    return number * (unit.square_metres if unit else 1.0), unit


def _not_an_area(value: object) -> InvalidValue:
    return InvalidValue(f"面积不是数字：{value}", f"the area is not a number: {value}")


def area_display(area_m2: float | None, unit_name: str | None) -> str | None:
    """The area in the office's unit (m² when unknown), e.g. ``10 亩``; None when there is no area."""
    if area_m2 is None:
        return None
    unit = UNITS.get(unit_name or "", SQUARE_METRE)
    text = f"{area_m2 / unit.square_metres:,.{unit.decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit.name}"


AREA_DISAGREEMENT_SHARE = 0.05  # of the computed area: a reported area further off than this is flagged


def area_flag(area_m2: float | None, reported_area_m2: float | None) -> dict[str, float] | None:
    """When the reported area disagrees with the area computed from the polygon by more than 5 %: both
    and the difference as a share of the computed area; otherwise None."""
    if area_m2 is None or reported_area_m2 is None or area_m2 <= 0:
        return None
    share = (reported_area_m2 - area_m2) / area_m2
    if abs(share) <= AREA_DISAGREEMENT_SHARE:
        return None
    return {"area_m2": round(area_m2, 2), "reported_area_m2": round(reported_area_m2, 2),
            "difference_share": round(share, 4)}
