"""Coordinate and measure formatting for the forms, and the map's display projection.

* CGCS2000 longitude/latitude as decimal degrees and as 度分秒
  (``120°21′03.50″E``), with correct carry when seconds round up to 60;
* areas in square metres with the 亩 equivalent offices expect;
* bearings with an eight-point compass name;
* spherical Web Mercator (the projection of XYZ/TMS basemap tiles) for the
  location map, and the ground scale at a latitude for the scale bar.
"""
from __future__ import annotations

import math

EARTH_RADIUS_M = 6378137.0  # Web Mercator sphere radius, metres
SQUARE_METRES_PER_MU = 10000.0 / 15.0  # 1 亩 = 666.67 m²
MAX_MERCATOR_LAT = 85.05112878  # degrees; tiles stop here

_COMPASS_POINTS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


def format_dms(value: float, *, is_longitude: bool, second_decimals: int = 2) -> str:
    """Degrees-minutes-seconds with hemisphere letter, e.g. ``120°21′03.50″E``.

    Rounding happens once on the total number of second fractions, so
    59.999″ becomes the next whole minute rather than ``60.00″``.
    """
    if is_longitude:
        hemisphere = "E" if value >= 0 else "W"
    else:
        hemisphere = "N" if value >= 0 else "S"
    scale = 10**second_decimals
    total = round(abs(value) * 3600 * scale)
    degrees, remainder = divmod(total, 3600 * scale)
    minutes, seconds_scaled = divmod(remainder, 60 * scale)
    seconds_whole, seconds_fraction = divmod(seconds_scaled, scale)
    seconds_text = f"{seconds_whole:02d}"
    if second_decimals > 0:
        seconds_text += f".{seconds_fraction:0{second_decimals}d}"
    return f"{degrees}°{minutes:02d}′{seconds_text}″{hemisphere}"


def format_decimal(value: float, *, is_longitude: bool, decimals: int = 6) -> str:
    """Decimal degrees with hemisphere letter, e.g. ``120.350972°E``."""
    if is_longitude:
        hemisphere = "E" if value >= 0 else "W"
    else:
        hemisphere = "N" if value >= 0 else "S"
    return f"{abs(value):.{decimals}f}°{hemisphere}"


def format_position_dms(lon: float, lat: float) -> str:
    return f"{format_dms(lon, is_longitude=True)}  {format_dms(lat, is_longitude=False)}"


def format_position_decimal(lon: float, lat: float) -> str:
    return f"{format_decimal(lon, is_longitude=True)}  {format_decimal(lat, is_longitude=False)}"


def format_area(area_m2: float | None) -> str:
    """``12,345.6 m²（约 18.52 亩）``; empty when not recorded."""
    if area_m2 is None:
        return ""
    return f"{area_m2:,.1f} m²（约 {area_m2 / SQUARE_METRES_PER_MU:,.2f} 亩）"


def compass_name(bearing_deg: float) -> str:
    """Eight-point Chinese compass name of a bearing (clockwise from north)."""
    index = int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8
    return _COMPASS_POINTS[index]


def format_bearing(bearing_deg: float | None) -> str:
    if bearing_deg is None:
        return "方位不详"
    return f"方位 {bearing_deg % 360.0:.0f}°（{compass_name(bearing_deg)}）"


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    """Spherical Web Mercator metres (EPSG:3857) of a lon/lat point."""
    clamped = max(-MAX_MERCATOR_LAT, min(MAX_MERCATOR_LAT, lat))
    x = EARTH_RADIUS_M * math.radians(lon)
    y = EARTH_RADIUS_M * math.log(math.tan(math.pi / 4.0 + math.radians(clamped) / 2.0))
    return x, y


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS_M)
    lat = math.degrees(2.0 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2.0)
    return lon, lat


def ground_metres_per_mercator_metre(lat: float) -> float:
    """Web Mercator stretches distances by 1/cos(lat); this undoes it."""
    return math.cos(math.radians(lat))


def nice_scale_length(max_metres: float) -> float:
    """The largest 1·2·5×10ⁿ length (metres) not longer than ``max_metres``."""
    if max_metres <= 0:
        return 0.0
    exponent = math.floor(math.log10(max_metres))
    best = 10.0**exponent
    for step in (1.0, 2.0, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate <= max_metres:
            best = candidate
    return best


def format_distance(metres: float) -> str:
    if metres >= 1000.0:
        kilometres = metres / 1000.0
        return f"{kilometres:g} km"
    return f"{metres:g} m"


def destination_offset_m(bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """East and north components (metres) of a move along a bearing."""
    angle = math.radians(bearing_deg)
    return distance_m * math.sin(angle), distance_m * math.cos(angle)
