"""GPS values from EXIF, checked, and ground distances on the CGCS2000 ellipsoid.

The parsers take the raw values Pillow returns for the EXIF GPS IFD (tuples
of ``IFDRational``, strings, bytes) and return a number or ``None`` plus the
flags that explain a ``None``. A position is never produced from a zero
denominator, NaN, a negative or out-of-range component, a missing or unknown
N/S/E/W reference, or the (0, 0) placeholder that phones write without a fix.

One tolerance: a ``0/0`` *minutes or seconds* component is read as 0, the way
writers use it for "unused" (a Nikon D5000 writes degrees, decimal minutes and
``0/0`` seconds), and flagged ``gps_zero_denominator_as_zero``. Any other zero
denominator (``n/0``, or ``0/0`` degrees) rejects the position.

Distances: :func:`distance_m` is the haversine on a sphere whose radius is
CGCS2000's radius of curvature in the direction of the line at its mean
latitude (Euler's formula), which matches the ellipsoidal geodesic to
~1e-5 at field distances and to ~0.1 % over hundreds of kilometres;
:func:`offset_lonlat` and :func:`local_east_north` convert between lon/lat
and local east/north metres with the ellipsoid's radii of curvature (errors
~1e-5 relative at a few hundred metres).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

# CGCS2000 ellipsoid
A = 6378137.0  # semi-major axis, metres
F = 1 / 298.257222101  # flattening
E2 = F * (2 - F)  # first eccentricity squared

FAR_FROM_FINDING_M = 200.0  # metres: photo farther than this from its finding is flagged
PLACEHOLDER_EPS_DEG = 1e-9  # degrees: |lon| and |lat| below this together are the (0, 0) placeholder
ALTITUDE_RANGE_M = (-500.0, 12_000.0)  # metres: plausible GPS altitudes (Dead Sea … high drones)

def rational_parts(value: Any) -> tuple[float, float] | None:
    """(numerator, denominator) of an EXIF number; ``None`` if it is not a number."""
    if isinstance(value, bool):
        return None
    num = getattr(value, "numerator", None)
    den = getattr(value, "denominator", None)
    if isinstance(num, (int, float)) and isinstance(den, (int, float)):
        return float(num), float(den)
    if isinstance(value, (int, float)):
        return float(value), 1.0
    return None


def _value(value: Any, flags: list[str], *, allow_zero_over_zero: bool = False) -> float | None:
    """A finite float, or ``None`` with the reason appended to ``flags``."""
    parts = rational_parts(value)
    if parts is None:
        flags.append("gps_invalid")
        return None
    num, den = parts
    if den == 0:
        if num == 0 and allow_zero_over_zero:
            flags.append("gps_zero_denominator_as_zero")
            return 0.0
        flags.append("gps_zero_denominator")
        return None
    result = num / den
    if not math.isfinite(result):
        flags.append("gps_invalid")
        return None
    return result


def _ref(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str):
        value = value.strip("\x00 ").upper()
        return value or None
    return None


def parse_coordinate(value: Any, ref: Any, *, axis: str) -> tuple[float | None, list[str]]:
    """Signed decimal degrees from an EXIF (degrees, minutes, seconds) value and its ref.

    ``axis`` is ``"lat"`` (refs N/S, limit 90) or ``"lon"`` (refs E/W, limit 180).
    """
    positive, negative, limit = ("N", "S", 90.0) if axis == "lat" else ("E", "W", 180.0)
    flags: list[str] = []
    if value is None:
        return None, ["gps_missing"]
    parts = value if isinstance(value, (tuple, list)) else (value,)
    if not 1 <= len(parts) <= 3:
        return None, ["gps_invalid"]
    numbers: list[float] = []
    for index, part in enumerate(parts):
        number = _value(part, flags, allow_zero_over_zero=index > 0)
        if number is None:
            return None, flags
        numbers.append(number)
    if any(n < 0 for n in numbers) or any(n >= 60 for n in numbers[1:]):
        return None, [*flags, "gps_invalid"]
    degrees = sum(n / 60**i for i, n in enumerate(numbers))
    letter = _ref(ref)
    if letter is None:
        return None, [*flags, "gps_ref_missing"]
    sign = {positive: 1.0, negative: -1.0}.get(letter)
    if sign is None:
        return None, [*flags, "gps_invalid"]
    if degrees > limit:
        return None, [*flags, "gps_out_of_range"]
    return sign * degrees, flags


def parse_altitude(value: Any, ref: Any) -> tuple[float | None, list[str]]:
    """Metres above (ref 0) or below (ref 1) sea level; refs 2/3 (EXIF 3.0) are ellipsoidal."""
    if value is None:
        return None, []
    flags: list[str] = []
    number = _value(value, flags)
    if number is None:
        return None, ["altitude_invalid"]
    if isinstance(ref, bytes):
        code = ref[0] if ref else 0
    elif isinstance(ref, int) and not isinstance(ref, bool):
        code = ref
    elif ref is None:
        code = 0
    else:
        return None, ["altitude_invalid"]
    if code not in (0, 1, 2, 3) or number < 0:
        return None, ["altitude_invalid"]
    if code in (2, 3):
        flags.append("altitude_ellipsoidal")
    altitude = -number if code in (1, 3) else number
    if not ALTITUDE_RANGE_M[0] <= altitude <= ALTITUDE_RANGE_M[1]:
        return None, ["altitude_out_of_range"]
    return altitude, flags


def parse_bearing(value: Any, ref: Any) -> tuple[float | None, str | None, list[str]]:
    """GPSImgDirection in degrees [0, 360) and its ref, ``'T'`` (true) or ``'M'`` (magnetic)."""
    if value is None:
        return None, None, []
    number = _value(value, [])
    if number is None or not 0 <= number <= 360:
        return None, None, ["bearing_invalid"]
    bearing_ref = _ref(ref)
    if bearing_ref not in ("T", "M"):
        return number % 360.0, None, ["bearing_ref_missing"]
    return number % 360.0, bearing_ref, []


def parse_gps_time(date_value: Any, time_value: Any) -> tuple[str | None, str | None, list[str]]:
    """(ISO 8601 UTC date-time ending in ``Z``, UTC time of day, flags).

    The date-time needs both GPSDateStamp (``YYYY:MM:DD``) and GPSTimeStamp;
    the time of day alone is still returned when the date is missing.
    """
    if time_value is None:
        return None, None, []
    flags: list[str] = []
    if not isinstance(time_value, (tuple, list)) or len(time_value) != 3:
        return None, None, ["gps_time_invalid"]
    hms = [_value(part, flags) for part in time_value]
    if any(n is None for n in hms):
        return None, None, ["gps_time_invalid"]
    hours, minutes, seconds = (float(n) for n in hms if n is not None)
    if not (0 <= hours < 24 and hours.is_integer() and 0 <= minutes < 60 and 0 <= seconds < 61):
        return None, None, ["gps_time_invalid"]
    millis = round((hours * 3600 + minutes * 60 + seconds) * 1000)
    offset = timedelta(milliseconds=millis)
    time_of_day = _iso_time(datetime(2000, 1, 1) + offset)
    if date_value is None:
        return None, time_of_day, ["gps_date_missing"]
    try:
        day = datetime.strptime(_ref(date_value) or "", "%Y:%m:%d")
    except ValueError:
        return None, time_of_day, ["gps_date_invalid"]
    return _iso_time(day + offset, with_date=True) + "Z", time_of_day, []


def _iso_time(moment: datetime, *, with_date: bool = False) -> str:
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text if with_date else text.split("T", 1)[1]


def position_flags(
    lon: float | None,
    lat: float | None,
    *,
    inside_region: Callable[[float, float], bool] | None = None,
) -> list[str]:
    """Flags for a candidate position; an empty list means it may be stored.

    ``inside_region(lon, lat)`` is the caller's jurisdiction test (for the
    province, typically the city/county boundaries); ``False`` adds
    ``"outside_jiangsu"``.
    """
    if lon is None or lat is None:
        return ["gps_missing"]
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return ["gps_invalid"]
    if abs(lat) > 90 or abs(lon) > 180:
        return ["gps_out_of_range"]
    if abs(lon) < PLACEHOLDER_EPS_DEG and abs(lat) < PLACEHOLDER_EPS_DEG:
        return ["gps_placeholder_zero"]
    if inside_region is not None and not inside_region(lon, lat):
        return ["outside_jiangsu"]
    return []


def radii_of_curvature(lat: float) -> tuple[float, float]:
    """(meridional M, prime-vertical N) radii in metres on CGCS2000 at ``lat`` degrees."""
    sin_phi = math.sin(math.radians(lat))
    w2 = 1 - E2 * sin_phi * sin_phi
    return A * (1 - E2) / w2**1.5, A / math.sqrt(w2)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres between two lon/lat points on CGCS2000 (see the module docstring)."""
    east, north = local_east_north(lon1, lat1, lon2, lat2)
    planar = math.hypot(east, north)
    if planar == 0:
        return 0.0
    m, n = radii_of_curvature((lat1 + lat2) / 2)
    cos2 = (north / planar) ** 2
    radius = 1 / (cos2 / m + (1 - cos2) / n)  # Euler: radius of curvature along the line
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlam = math.radians(_wrap(lon2 - lon1))
    h = math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(h)))


def _wrap(dlon: float) -> float:
    """A longitude difference folded into [-180, 180)."""
    return (dlon + 180.0) % 360.0 - 180.0


def far_from_finding_flag(
    photo_lon: float | None,
    photo_lat: float | None,
    finding_lon: float,
    finding_lat: float,
    *,
    threshold_m: float = FAR_FROM_FINDING_M,
) -> list[str]:
    """``["far_from_finding"]`` when the photo was taken more than ``threshold_m`` away, else ``[]``.

    A photo without a position gets no flag here (its own flags say why).
    """
    if photo_lon is None or photo_lat is None:
        return []
    if distance_m(photo_lon, photo_lat, finding_lon, finding_lat) > threshold_m:
        return ["far_from_finding"]
    return []


def offset_lonlat(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The lon/lat ``east_m`` metres east and ``north_m`` metres north of (lon, lat)."""
    m, n = radii_of_curvature(lat)
    lat2 = lat + math.degrees(north_m / m)
    m_mid, n_mid = radii_of_curvature((lat + lat2) / 2)
    lat2 = lat + math.degrees(north_m / m_mid)
    lon2 = lon + math.degrees(east_m / (n_mid * math.cos(math.radians((lat + lat2) / 2))))
    return lon2, lat2


def local_east_north(lon0: float, lat0: float, lon: float, lat: float) -> tuple[float, float]:
    """(east, north) metres of (lon, lat) from the origin (lon0, lat0); inverse of :func:`offset_lonlat`."""
    mid = (lat0 + lat) / 2
    m, n = radii_of_curvature(mid)
    north = math.radians(lat - lat0) * m
    east = math.radians(_wrap(lon - lon0)) * n * math.cos(math.radians(mid))
    return east, north
