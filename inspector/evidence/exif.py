"""Read a photo's EXIF into :class:`PhotoMetadata`: position, bearing, times, camera.

Uses Pillow's ``getexif()`` with the Exif IFD (0x8769) and GPS IFD (0x8825).
Every value is checked (see :mod:`inspector.evidence.gps`); what cannot be
trusted becomes ``None`` and leaves a flag in ``PhotoMetadata.flags`` — a
photo never gets a bogus position. Width and height are the decoded pixel
size, never the EXIF claim.

Times: ``taken_at_local`` is DateTimeOriginal (+ SubSecTimeOriginal);
``taken_at_utc`` shifts it by OffsetTimeOriginal, or, when that is absent or
unusable, by China Standard Time (+08:00, Asia/Shanghai has no DST) with the
flag ``assumed_timezone``. ``gps_time_utc`` comes from GPSDateStamp +
GPSTimeStamp; when it disagrees with ``taken_at_utc`` by more than ten
minutes the photo is flagged ``gps_clock_mismatch``.

The position checks that need the caller's context (the province boundary,
the finding's location) are :func:`position_flags` and
:func:`far_from_finding_flag`, re-exported here from :mod:`.gps`; add their
result with :meth:`PhotoMetadata.with_flags`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from PIL import Image

from inspector.evidence.gps import (
    distance_m,
    far_from_finding_flag,
    parse_altitude,
    parse_bearing,
    parse_coordinate,
    parse_gps_time,
    position_flags,
    rational_parts,
)
from inspector.evidence.imaging import PathLike, decoded_size, open_image

__all__ = [
    "PhotoMetadata",
    "read_photo_metadata",
    "position_flags",
    "distance_m",
    "far_from_finding_flag",
    "CHINA_OFFSET",
]

CHINA_OFFSET = "+08:00"  # assumed when OffsetTimeOriginal is missing (Asia/Shanghai, no DST)
CLOCK_MISMATCH_S = 600  # seconds: camera clock vs GPS time difference that is flagged
WGS84_LIKE_DATUMS = {"", "WGS84", "WGS1984", "CGCS2000", "CGCS"}

IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_MAKE, TAG_MODEL, TAG_ORIENTATION = 0x010F, 0x0110, 0x0112
TAG_DATETIME_ORIGINAL, TAG_OFFSET_ORIGINAL, TAG_SUBSEC_ORIGINAL = 0x9003, 0x9011, 0x9291
TAG_FOCAL_LENGTH, TAG_FOCAL_35MM = 0x920A, 0xA405
TAG_EXIF_WIDTH, TAG_EXIF_HEIGHT = 0xA002, 0xA003
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
GPS_ALT_REF, GPS_ALT, GPS_TIME, GPS_DATUM = 5, 6, 7, 18
GPS_IMG_DIR_REF, GPS_IMG_DIR, GPS_DATE = 16, 17, 29

_DATETIME = re.compile(r"^\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*$")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):(\d{2})\s*$")


@dataclass(frozen=True)
class PhotoMetadata:
    """What a photo's EXIF says, checked. Angles in degrees, lengths in metres."""

    lon: float | None = None  # decimal degrees, east positive; None unless trustworthy
    lat: float | None = None  # decimal degrees, north positive
    altitude_m: float | None = None  # above sea level (negative below); None without a position
    bearing_deg: float | None = None  # GPSImgDirection, [0, 360)
    bearing_ref: str | None = None  # "T" true north, "M" magnetic north
    gps_time_utc: str | None = None  # "2024-05-01T03:04:05.250Z"
    gps_time_of_day_utc: str | None = None  # "03:04:05.250", also when the GPS date is missing
    taken_at_local: str | None = None  # DateTimeOriginal, "2024-05-01T11:04:05"
    offset: str | None = None  # OffsetTimeOriginal "+08:00", None when absent or invalid
    taken_at_utc: str | None = None  # "2024-05-01T03:04:05Z"
    make: str | None = None
    model: str | None = None
    width: int = 0  # decoded pixels, before orientation
    height: int = 0
    orientation: int | None = None  # EXIF 1…8
    focal_length_mm: float | None = None
    focal_length_35mm: float | None = None
    image_format: str | None = None  # Pillow format name: "JPEG", "PNG", …
    flags: tuple[str, ...] = ()

    @property
    def has_position(self) -> bool:
        return self.lon is not None and self.lat is not None

    @property
    def assumed_timezone(self) -> bool:
        return "assumed_timezone" in self.flags

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) as shown, after the EXIF orientation (5–8 swap the axes)."""
        if self.orientation in (5, 6, 7, 8):
            return self.height, self.width
        return self.width, self.height

    def with_flags(self, *flags: str) -> PhotoMetadata:
        """A copy with ``flags`` added (duplicates dropped, order kept)."""
        return replace(self, flags=_unique((*self.flags, *flags)))


def _unique(flags: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(flags))


def exif_text(value: Any) -> str | None:
    """An EXIF text (ASCII, or bytes read as UTF-8) without NULs and padding, at most 200 characters."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value[:200] or None


def exif_positive(value: Any) -> float | None:
    """An EXIF rational (or number) that is finite and above zero, else ``None``."""
    parts = rational_parts(value)
    if parts is None or parts[1] == 0:
        return None
    number = parts[0] / parts[1]
    return number if math.isfinite(number) and number > 0 else None


def _gps_fields(gps: dict[int, Any]) -> dict[str, Any]:
    """Position, altitude, bearing and GPS time from a GPS IFD, with flags."""
    flags: list[str] = []
    lat_raw, lon_raw = gps.get(GPS_LAT), gps.get(GPS_LON)
    lon = lat = None
    if lat_raw is None and lon_raw is None:
        flags.append("gps_missing")
    elif lat_raw is None or lon_raw is None:
        flags.append("gps_invalid")
    else:
        lat, lat_flags = parse_coordinate(lat_raw, gps.get(GPS_LAT_REF), axis="lat")
        lon, lon_flags = parse_coordinate(lon_raw, gps.get(GPS_LON_REF), axis="lon")
        flags += lat_flags + lon_flags
        if lon is None or lat is None:
            lon = lat = None
        else:
            rejected = position_flags(lon, lat)
            if rejected:
                flags += rejected
                lon = lat = None
    altitude, altitude_flags = parse_altitude(gps.get(GPS_ALT), gps.get(GPS_ALT_REF))
    if lon is None:
        altitude = None  # an altitude from a missing or placeholder fix is not evidence
    else:
        flags += altitude_flags
    bearing, bearing_ref, bearing_flags = parse_bearing(gps.get(GPS_IMG_DIR), gps.get(GPS_IMG_DIR_REF))
    gps_time, time_of_day, time_flags = parse_gps_time(gps.get(GPS_DATE), gps.get(GPS_TIME))
    datum = (exif_text(gps.get(GPS_DATUM)) or "").upper().replace("-", "").replace(" ", "")
    if datum not in WGS84_LIKE_DATUMS:
        flags.append("gps_datum_not_wgs84")
    return {
        "lon": lon,
        "lat": lat,
        "altitude_m": altitude,
        "bearing_deg": bearing,
        "bearing_ref": bearing_ref,
        "gps_time_utc": gps_time,
        "gps_time_of_day_utc": time_of_day,
        "flags": flags + bearing_flags + time_flags,
    }


def _local_time(value: Any, subsec: Any) -> datetime | None:
    match = _DATETIME.match(exif_text(value) or "")
    if not match:
        return None
    year, month, day, hour, minute, second = (int(group) for group in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    digits = (exif_text(subsec) or "").strip()
    if digits.isdigit():
        moment += timedelta(microseconds=round(int(digits[:6]) * 10 ** (6 - len(digits[:6]))))
    return moment


def _offset(value: Any) -> timedelta | None:
    match = _OFFSET.match(exif_text(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return -delta if sign == "-" else delta


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")


def _time_fields(exif_ifd: dict[int, Any], gps_time_utc: str | None) -> dict[str, Any]:
    flags: list[str] = []
    raw = exif_ifd.get(TAG_DATETIME_ORIGINAL)
    local = _local_time(raw, exif_ifd.get(TAG_SUBSEC_ORIGINAL))
    if local is None:
        flags.append("datetime_invalid" if raw is not None else "datetime_missing")
        return {"taken_at_local": None, "offset": None, "taken_at_utc": None, "flags": flags}
    raw_offset = exif_ifd.get(TAG_OFFSET_ORIGINAL)
    delta = _offset(raw_offset)
    offset_text = exif_text(raw_offset) if delta is not None else None
    if delta is None:
        if raw_offset is not None:
            flags.append("offset_invalid")
        flags.append("assumed_timezone")
        delta = timedelta(hours=8)
    utc = local - delta
    if gps_time_utc is not None:
        gps = datetime.fromisoformat(gps_time_utc.removesuffix("Z"))
        if abs((gps - utc).total_seconds()) > CLOCK_MISMATCH_S:
            flags.append("gps_clock_mismatch")
    return {
        "taken_at_local": _iso(local),
        "offset": offset_text,
        "taken_at_utc": _iso(utc) + "Z",
        "flags": flags,
    }


def _camera_fields(ifd0: dict[int, Any], exif_ifd: dict[int, Any], size: tuple[int, int]) -> dict[str, Any]:
    flags: list[str] = []
    orientation = ifd0.get(TAG_ORIENTATION)
    if orientation is not None and (not isinstance(orientation, int) or not 1 <= orientation <= 8):
        flags.append("orientation_invalid")
        orientation = None
    claimed = (exif_ifd.get(TAG_EXIF_WIDTH), exif_ifd.get(TAG_EXIF_HEIGHT))
    if all(isinstance(v, int) and v > 0 for v in claimed) and claimed not in (size, size[::-1]):
        flags.append("exif_size_mismatch")  # resized copy, edited file, or a lying header
    focal_35 = exif_ifd.get(TAG_FOCAL_35MM)
    return {
        "make": exif_text(ifd0.get(TAG_MAKE)),
        "model": exif_text(ifd0.get(TAG_MODEL)),
        "orientation": orientation,
        "focal_length_mm": exif_positive(exif_ifd.get(TAG_FOCAL_LENGTH)),
        "focal_length_35mm": exif_positive(focal_35),
        "flags": flags,
    }


def _read_exif(path: PathLike) -> tuple[str | None, dict[int, Any], dict[int, Any], dict[int, Any], list[str]]:
    """(format, IFD0, Exif IFD, GPS IFD, flags); unreadable EXIF is a flag, not an error."""
    with open_image(path) as image:
        image_format = image.format
        try:
            exif: Image.Exif = image.getexif()
            ifd0 = dict(exif)
            exif_ifd = dict(exif.get_ifd(IFD_EXIF))
            gps_ifd = dict(exif.get_ifd(IFD_GPS))
        except Exception:  # noqa: BLE001 - hostile EXIF must not stop the import of the photo
            return image_format, {}, {}, {}, ["exif_unreadable"]
    if not ifd0 and not exif_ifd and not gps_ifd:
        return image_format, {}, {}, {}, ["exif_missing"]
    return image_format, ifd0, exif_ifd, gps_ifd, []


def read_photo_metadata(path: PathLike) -> PhotoMetadata:
    """Read and check the metadata of the photo at ``path``.

    Raises :class:`~inspector.evidence.imaging.BadImage` when the file is not
    an allowed image or its pixels do not decode (truncated, corrupt).
    """
    size = decoded_size(path)
    image_format, ifd0, exif_ifd, gps_ifd, flags = _read_exif(path)
    gps = _gps_fields(gps_ifd)
    times = _time_fields(exif_ifd, gps["gps_time_utc"])
    camera = _camera_fields(ifd0, exif_ifd, size)
    all_flags = _unique(flags + gps.pop("flags") + times.pop("flags") + camera.pop("flags"))
    return PhotoMetadata(
        **gps,
        **times,
        **camera,
        width=size[0],
        height=size[1],
        image_format=image_format,
        flags=all_flags,
    )
