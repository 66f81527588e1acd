"""NMEA sentences written by the tests: correct checksums, any talker, a walk along a list of positions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable

__all__ = ["nmea_sentence", "walk_sentences", "degrees_minutes"]


def nmea_sentence(body: str) -> str:
    """``$body*CS`` with the XOR checksum of ``body``."""
    checksum = 0
    for char in body:
        checksum ^= ord(char)
    return f"${body}*{checksum:02X}"


def degrees_minutes(value: float, positive: str, negative: str, width: int) -> tuple[str, str]:
    """Signed decimal degrees as NMEA ``(d)ddmm.mmmmmm`` and its hemisphere letter."""
    magnitude = abs(value)
    degrees = int(magnitude)
    minutes = (magnitude - degrees) * 60
    return f"{degrees:0{width}d}{minutes:09.6f}", positive if value >= 0 else negative


def walk_sentences(points: Iterable[tuple[float, float]], start: datetime, step_s: float = 1.0, *,
                   quality: int = 1, satellites: int = 9, hdop: float = 0.9,
                   gst_sigma_m: float | None = None, talker: str = "GN") -> list[str]:
    """RMC + GGA (and GST when ``gst_sigma_m``) for each (lon, lat), ``step_s`` seconds apart from ``start``."""
    lines = []
    for index, (lon, lat) in enumerate(points):
        when = (start + timedelta(seconds=index * step_s)).astimezone(timezone.utc)
        clock = when.strftime("%H%M%S.") + f"{when.microsecond // 10_000:02d}"
        lat_text, ns = degrees_minutes(lat, "N", "S", 2)
        lon_text, ew = degrees_minutes(lon, "E", "W", 3)
        lines.append(nmea_sentence(f"{talker}RMC,{clock},A,{lat_text},{ns},{lon_text},{ew},0.8,90.0,"
                                   f"{when:%d%m%y},,,A"))
        lines.append(nmea_sentence(f"{talker}GGA,{clock},{lat_text},{ns},{lon_text},{ew},{quality},"
                                   f"{satellites:02d},{hdop},3.0,M,1.2,M,,"))
        if gst_sigma_m is not None:
            lines.append(nmea_sentence(f"{talker}GST,{clock},1.0,{gst_sigma_m},{gst_sigma_m},0.0,"
                                       f"{gst_sigma_m},{gst_sigma_m},{gst_sigma_m * 2}"))
    return lines
