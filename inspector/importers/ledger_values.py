"""Parsing the values found in ledger cells: coordinates (decimal or 度分秒) and dates.

Ledgers arrive from many offices: ``120.35``, ``120°21′3.5″E``,
``120度21分3.5秒``, ``E120°21'3.5"``, ``东经120°21′``; dates as Excel dates,
serial numbers or text (``2026-03-01``, ``2026/3/1``, ``2026年3月1日``).
Every parser raises :class:`~inspector.errors.InvalidValue` (a ``ValueError``) with the reason in
Chinese and English on bad input;
an impossible date (``2026年13月``, day 32, February 30) is refused, never
rolled over into another date. Texts longer than any real coordinate or date
are refused before a pattern sees them, and runs of spaces are collapsed, so
the patterns' work per cell stays small whatever a hostile cell holds.
:func:`control_character` finds the control characters that make a cell
unusable (a NUL in a case number, a vertical tab that no export can write).
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re

from inspector.errors import InvalidValue

_DMS = re.compile(
    r"""^\s*(?P<pre>[NSEW北南东西]|东经|西经|北纬|南纬)?\s*
        (?P<deg>\d+(?:\.\d+)?)\s*(?:°|度|º|˚|:|\s)\s*
        (?:(?P<min>\d+(?:\.\d+)?)\s*(?:′|'|’|分|:|\s)?\s*)?
        (?:(?P<sec>\d+(?:\.\d+)?)\s*(?:″|"|”|''|′′|秒)?\s*)?
        (?P<post>[NSEW北南东西])?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_NEGATIVE_HEMISPHERES = {"S", "W", "南", "西", "西经", "南纬"}
_LON_HEMISPHERES = {"E", "W", "东", "西", "东经", "西经"}
_LAT_HEMISPHERES = {"N", "S", "北", "南", "北纬", "南纬"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_VALUE_CHARS = 64  # characters; no coordinate or date written in a ledger is longer
# C0 control characters and DEL, except tab, line feed and carriage return (line breaks inside a cell)
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> str | None:
    """The first control character in ``text`` (tab and line breaks are allowed), or None."""
    found = _CONTROL_CHARACTER.search(text)
    return found.group() if found else None


def _short_text(value: object, what: tuple[str, str]) -> str:
    """The cell as text with runs of white space collapsed; refused when longer than any real value.
    ``what``: the kind of value in Chinese and English."""
    text = " ".join(str(value).split())
    if len(text) > MAX_VALUE_CHARS:
        raise InvalidValue(f"无法解析的{what[0]}：内容过长（{len(text)} 个字符）",
                           f"unreadable {what[1]}: too long ({len(text)} characters)")
    return text


def parse_coordinate(value: object, axis: str) -> float:
    """A longitude (``axis="lon"``) or latitude (``"lat"``) in decimal degrees."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue("坐标为空", "the coordinate is empty")
    if isinstance(value, bool):
        raise _unreadable_coordinate(value)
    # a plain decimal text, the common case, is read at once: what the general path would read from it
    plain = _decimal(value) if type(value) is str and len(value) <= MAX_VALUE_CHARS else None
    if isinstance(value, (int, float)):
        number = float(value)
    elif plain is not None:
        number = plain
    else:
        text = _short_text(value, ("坐标", "coordinate")).replace("，", ".").replace("。", ".")
        try:
            number = float(text)
        except ValueError:
            number = _parse_dms(text, axis)
    if not math.isfinite(number):
        raise _unreadable_coordinate(value)
    limit = 180.0 if axis == "lon" else 90.0
    if abs(number) > limit:
        raise InvalidValue(f"坐标超出范围：{value}", f"coordinate out of range: {value}")
    return number


def _decimal(text: str) -> float | None:
    """``float(text)``, or None when it is not a number as it stands (the general path then collapses its
    spaces, reads Chinese decimal marks and 度分秒). float() ignores the spaces around a number as
    :func:`_short_text` drops them, so a number read here is the one that path would read."""
    try:
        return float(text)
    except ValueError:
        return None


def _unreadable_coordinate(value: object) -> InvalidValue:
    return InvalidValue(f"无法解析的坐标：{value}", f"unreadable coordinate: {value}")


def _parse_dms(text: str, axis: str) -> float:
    match = _DMS.match(text)
    if not match or (match["min"] is None and match["sec"] is not None):
        raise _unreadable_coordinate(text)
    degrees = float(match["deg"])
    minutes = float(match["min"] or 0)
    seconds = float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        raise InvalidValue(f"分或秒超过 60：{text}", f"minutes or seconds of 60 or more: {text}")
    hemisphere = (match["pre"] or match["post"] or "").upper()
    if hemisphere:
        expected = _LON_HEMISPHERES if axis == "lon" else _LAT_HEMISPHERES
        if hemisphere not in expected:
            raise InvalidValue(f"经纬度标识与列不符（{hemisphere}）：{text}",
                               f"the hemisphere ({hemisphere}) does not fit the column: {text}")
    sign = -1.0 if hemisphere in _NEGATIVE_HEMISPHERES else 1.0
    return sign * (degrees + minutes / 60 + seconds / 3600)


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:底|末)?\s*$")


def parse_date(value: object) -> str | None:
    """An ISO date (``YYYY-MM-DD``) or None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number (1954..2118)
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        raise _unreadable_date(value)
    text = _short_text(value, ("日期", "date"))
    match = _DATE_TEXT.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        match = _YEAR_MONTH.match(text)
        if match:  # "2026年6月底": the month's last day
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise ValueError(f"month {month}")
            return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError as exc:
        raise InvalidValue(f"无效的日期：{text}", f"impossible date: {text}") from exc
    raise _unreadable_date(text)


def _unreadable_date(value: object) -> InvalidValue:
    return InvalidValue(f"无法解析的日期：{value}", f"unreadable date: {value}")


def cell_text(value: object) -> str | None:
    """A cell as trimmed text (integers without ``.0``; dates as ISO), None when empty."""
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None
