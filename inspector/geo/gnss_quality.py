"""The quality of a recorded position (findings, photos): fix type, satellites, HDOP, accuracy — checked.

A finding recorded from the GPS and a photo taken or attached while a receiver
is connected store the fix's quality beside the position (columns
``fix_type``, ``satellites``, ``hdop``, ``accuracy_m``; migration v12).
:func:`checked_quality` refuses values that cannot be a receiver's (an unknown
fix type, a negative or non-finite number) with :class:`BadInput`, so that
whatever reaches the database, the server and the forms means what it says.
:func:`quality_text` is the one wording of a quality for forms and views.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from inspector.errors import BadInput
from inspector.geo.gnss import FIX_TYPES, fix_type_text

QUALITY_COLUMNS = ("fix_type", "satellites", "hdop", "accuracy_m")
MAX_SATELLITES = 255  # what GGA's field can say
MAX_HDOP = 99.99  # receivers report at most this
MAX_ACCURACY_M = 1e5  # metres: a position worse than this is no position (as the sync schema says)


def checked_quality(fix_type: str | None = None, satellites: int | None = None, hdop: float | None = None,
                    accuracy_m: float | None = None) -> dict[str, Any]:
    """The quality columns, checked; :class:`BadInput` for a value no receiver gives."""
    if fix_type is not None and fix_type not in FIX_TYPES.values():
        raise BadInput(f"定位类型须为 {'/'.join(FIX_TYPES.values())} 之一，而不是：{fix_type}",
                       f"fix type must be one of {'/'.join(FIX_TYPES.values())}, not: {fix_type}")
    if satellites is not None and (isinstance(satellites, bool) or not 0 <= satellites <= MAX_SATELLITES):
        raise BadInput(f"卫星数无效：{satellites}", f"invalid number of satellites: {satellites}")
    if hdop is not None and not (math.isfinite(hdop) and 0 <= hdop <= MAX_HDOP):
        raise BadInput(f"HDOP 无效：{hdop}", f"invalid HDOP: {hdop}")
    if accuracy_m is not None and not (math.isfinite(accuracy_m) and 0 <= accuracy_m <= MAX_ACCURACY_M):
        raise BadInput(f"定位精度无效：{accuracy_m}", f"invalid accuracy: {accuracy_m}")
    return {"fix_type": fix_type, "satellites": satellites, "hdop": hdop, "accuracy_m": accuracy_m}


def quality_text(row: Mapping[str, Any], language: str = "zh") -> str:
    """``RTK 固定解，卫星 14 颗，HDOP 0.7，精度 ±0.03 米`` (the parts known), or an empty text."""
    parts = []
    if row.get("fix_type"):
        parts.append(fix_type_text(row["fix_type"]).in_language(language))
    zh = language != "en"
    if row.get("satellites") is not None:
        parts.append(f"卫星 {row['satellites']} 颗" if zh else f"{row['satellites']} satellites")
    if row.get("hdop") is not None:
        parts.append(f"HDOP {row['hdop']:g}")
    if row.get("accuracy_m") is not None:
        metres = f"{row['accuracy_m']:.2f}" if row["accuracy_m"] < 1 else f"{row['accuracy_m']:.1f}"
        parts.append(f"精度 ±{metres} 米" if zh else f"accuracy ±{metres} m")
    return ("，" if zh else ", ").join(parts)
