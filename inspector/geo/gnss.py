"""GNSS fixes and their quality, read from NMEA 0183 sentences.

One reader for every NMEA source the product knows — a serial receiver, a
receiver or phone bridge on TCP, a log file replayed or imported as a patrol
track — so that the device shows, records and judges a position the same way
wherever it came from.

:class:`NmeaReader` takes lines one at a time (:meth:`NmeaReader.feed`) and
returns a :class:`GnssFix` when an epoch's position is complete:

- ``GGA`` gives the position, the fix type (quality indicator), the number of
  satellites used, HDOP and the altitude; a fix is emitted for every GGA;
- ``RMC`` gives the date (GGA carries only the time of day) and, in a stream
  without GGA, the position itself (with no satellite count) — emitted when
  the next RMC shows that no GGA followed, or by :meth:`NmeaReader.flush`;
- ``GST`` gives the receiver's own error estimate (1σ latitude and longitude
  errors in metres), which becomes the accuracy when it is at most
  :data:`GST_MAX_AGE_S` old (receivers send it before or after GGA); without
  it the accuracy is HDOP × :data:`UERE_M`, the usual consumer approximation;
- ``GSA`` gives HDOP for receivers whose GGA leaves it empty.

Any talker (GP, GN, GL, GB, BD, GA, GQ) is accepted. A sentence with a wrong
checksum, an over-long or non-ASCII line, or a value out of range is counted
in :attr:`NmeaReader.rejected` and never produces a position. Nothing here
raises on input.

:func:`capture_problem` is the one rule that decides whether a fix is good
enough to record as a position (findings, photos, new cases): a fix without
a position, without a satellite solution, or whose accuracy is unknown or
worse than the workspace's threshold is refused with a bilingual reason.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator

from inspector.errors import Message

UERE_M = 5.0  # user equivalent range error, metres: accuracy ≈ HDOP × this when no GST
MAX_SENTENCE_CHARS = 256  # NMEA says 82; generous for proprietary talkers, bounded against junk
GST_MAX_AGE_S = 2.0  # a GST this much older than the GGA still gives its accuracy, seconds
DEFAULT_MAX_ACCURACY_M = 20.0  # capture threshold when the workspace sets none, metres
MAX_ACCURACY_META_KEY = "gnss_max_accuracy_m"

# GGA quality indicator → fix type code
FIX_TYPES = {0: "none", 1: "gps", 2: "dgps", 3: "pps", 4: "rtk_fixed", 5: "rtk_float",
             6: "estimated", 7: "manual", 8: "simulated"}
FIX_TYPE_TEXTS = {
    "none": ("无定位", "no fix"),
    "gps": ("单点定位", "GPS fix"),
    "dgps": ("差分定位", "differential fix"),
    "pps": ("PPS 定位", "PPS fix"),
    "rtk_fixed": ("RTK 固定解", "RTK fixed"),
    "rtk_float": ("RTK 浮点解", "RTK float"),
    "estimated": ("推算定位", "dead reckoning"),
    "manual": ("手动输入", "manual input"),
    "simulated": ("模拟定位", "simulated"),
}
SATELLITE_FIX_TYPES = frozenset({"gps", "dgps", "pps", "rtk_fixed", "rtk_float"})  # usable as evidence


@dataclass(frozen=True)
class GnssFix:
    """One position with what the receiver said about its quality (``None`` where it said nothing)."""

    lon: float
    lat: float
    time_utc: datetime | None = None
    fix_type: str = "gps"  # a key of FIX_TYPE_TEXTS
    satellites: int | None = None
    hdop: float | None = None
    accuracy_m: float | None = None
    altitude_m: float | None = None

    def quality(self) -> dict[str, object]:
        """The quality fields as stored beside a finding, photo or track point."""
        return {"fix_type": self.fix_type, "satellites": self.satellites, "hdop": self.hdop,
                "accuracy_m": self.accuracy_m}


def fix_type_text(fix_type: str) -> Message:
    zh, en = FIX_TYPE_TEXTS.get(fix_type, (fix_type, fix_type))
    return Message(zh, en)


def capture_problem(fix: GnssFix | None, max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M) -> Message | None:
    """Why this fix may not be recorded as a position, or ``None`` when it may."""
    if fix is None:
        return Message("没有定位：请等待 GNSS 定位后再采集。", "No position: wait for a GNSS fix before capturing.")
    if fix.fix_type not in SATELLITE_FIX_TYPES:
        text = fix_type_text(fix.fix_type)
        return Message(f"当前不是卫星定位（{text.zh}），不能作为采集位置。",
                       f"The position is not a satellite fix ({text.en}) and cannot be captured.")
    if fix.accuracy_m is None:
        return Message("定位精度未知，不能作为采集位置。", "The position's accuracy is unknown; it cannot be captured.")
    if fix.accuracy_m > max_accuracy_m:
        return Message(f"定位精度 {fix.accuracy_m:.1f} 米，低于要求（≤ {max_accuracy_m:g} 米）：请到开阔处稍候再采集。",
                       f"Position accuracy is {fix.accuracy_m:.1f} m, worse than the required {max_accuracy_m:g} m: "
                       "wait in the open and try again.")
    return None


class NmeaReader:
    """Turns NMEA lines into :class:`GnssFix` values, one epoch at a time."""

    def __init__(self) -> None:
        self.rejected = 0  # sentences refused: checksum, length, encoding, values
        self._date: date | None = None
        self._last_time: time | None = None
        self._seen_gga = False
        self._pending_rmc: GnssFix | None = None
        self._gst_accuracy: tuple[time | None, float] | None = None
        self._gsa_hdop: float | None = None

    def feed(self, line: str | bytes) -> GnssFix | None:
        """The fix this line completes, if any."""
        fields = self._fields(line)
        if fields is None:
            return None
        kind = fields[0][-3:]
        try:
            if kind == "GGA":
                return self._gga(fields)
            if kind == "RMC":
                return self._rmc(fields)
            if kind == "GST":
                self._gst(fields)
            elif kind == "GSA":
                self._gsa(fields)
        except (ValueError, IndexError, OverflowError):
            self.rejected += 1
        return None

    def flush(self) -> GnssFix | None:
        """At the end of a stream: the last RMC position still waiting for a GGA that never came."""
        fix, self._pending_rmc = self._pending_rmc, None
        return fix

    def read(self, lines: Iterable[str | bytes]) -> Iterator[GnssFix]:
        """Every fix in a finite stream of lines."""
        for line in lines:
            fix = self.feed(line)
            if fix is not None:
                yield fix
        last = self.flush()
        if last is not None:
            yield last

    def _fields(self, line: str | bytes) -> list[str] | None:
        if isinstance(line, bytes):
            try:
                line = line.decode("ascii")
            except UnicodeDecodeError:
                self.rejected += 1
                return None
        line = line.strip()
        if not line.startswith("$"):
            return None  # blank line, a comment, or another protocol's bytes: not a sentence
        if len(line) > MAX_SENTENCE_CHARS or not line.isascii():
            self.rejected += 1
            return None
        body, star, checksum = line[1:].partition("*")
        if star:
            computed = 0
            for char in body:
                computed ^= ord(char)
            if checksum[:2].upper() != f"{computed:02X}":
                self.rejected += 1
                return None
        fields = body.split(",")
        if len(fields[0]) != 5:
            return None  # proprietary ($PXXX…) sentences are not ours to read
        return fields

    def _gga(self, f: list[str]) -> GnssFix | None:
        self._seen_gga, self._pending_rmc = True, None
        quality = int(f[6]) if f[6] else 0
        fix_type = FIX_TYPES.get(quality)
        if fix_type is None:
            raise ValueError(f"GGA quality {quality}")
        when = _time_of_day(f[1])
        if fix_type == "none" or not f[2] or not f[4]:
            return None
        lat, lon = _coordinate(f[2], f[3], 90), _coordinate(f[4], f[5], 180)
        hdop = _positive(f[8]) if len(f) > 8 else None
        if hdop is None:
            hdop = self._gsa_hdop
        accuracy = None
        if self._gst_accuracy is not None and _within(self._gst_accuracy[0], when, GST_MAX_AGE_S):
            accuracy = self._gst_accuracy[1]
        elif hdop is not None:
            accuracy = round(hdop * UERE_M, 2)
        satellites = int(f[7]) if f[7] else None
        if satellites is not None and not 0 <= satellites <= 255:
            raise ValueError("satellites")
        altitude = float(f[9]) if len(f) > 9 and f[9] else None
        if altitude is not None and not math.isfinite(altitude):
            raise ValueError("altitude")
        return GnssFix(lon, lat, self._timestamp(when), fix_type, satellites, hdop, accuracy, altitude)

    def _rmc(self, f: list[str]) -> GnssFix | None:
        when = _time_of_day(f[1])
        if len(f) > 9 and len(f[9]) == 6:
            day, month, year = int(f[9][:2]), int(f[9][2:4]), int(f[9][4:6])
            self._date = date(2000 + year if year < 80 else 1900 + year, month, day)
            self._last_time = when
        if self._seen_gga or f[2] != "A" or not f[3] or not f[5]:
            return None
        lat, lon = _coordinate(f[3], f[4], 90), _coordinate(f[5], f[6], 180)
        waiting, self._pending_rmc = self._pending_rmc, GnssFix(lon, lat, self._timestamp(when), "gps")
        return waiting

    def _gst(self, f: list[str]) -> None:
        lat_error, lon_error = _positive(f[6]), _positive(f[7])
        if lat_error is not None and lon_error is not None:
            self._gst_accuracy = (_time_of_day(f[1]), round(math.hypot(lat_error, lon_error), 3))

    def _gsa(self, f: list[str]) -> None:
        self._gsa_hdop = _positive(f[16]) if len(f) > 16 else None

    def _timestamp(self, when: time | None) -> datetime | None:
        """GGA's time of day on the last RMC date, rolling over at midnight."""
        if when is None or self._date is None:
            return None
        day = self._date
        if self._last_time is not None and _seconds(when) < _seconds(self._last_time) - 12 * 3600:
            day, self._date = day + timedelta(days=1), day + timedelta(days=1)
        self._last_time = when
        return datetime.combine(day, when, tzinfo=timezone.utc)


def _coordinate(value: str, hemisphere: str, limit: int) -> float:
    """``ddmm.mmmm`` / ``dddmm.mmmm`` with N/S/E/W to signed decimal degrees."""
    point = value.index(".") if "." in value else len(value)
    degrees, minutes = int(value[:point - 2]), float(value[point - 2:])
    if not 0 <= minutes < 60 or not math.isfinite(minutes):
        raise ValueError("minutes")
    result = degrees + minutes / 60
    if not 0 <= result <= limit:
        raise ValueError("coordinate out of range")
    if hemisphere in ("S", "W"):
        return -result
    if hemisphere not in ("N", "E"):
        raise ValueError("hemisphere")
    return result


def _time_of_day(value: str) -> time | None:
    if len(value) < 6:
        return None
    seconds = float(value[4:])
    if not 0 <= seconds < 61:
        raise ValueError("seconds")
    whole = min(int(seconds), 59)
    return time(int(value[:2]), int(value[2:4]), whole, int(round((seconds - int(seconds)) * 1e6)) % 1_000_000)


def _positive(value: str) -> float | None:
    if not value:
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError("not a non-negative number")
    return number


def _within(earlier: time | None, later: time | None, limit_s: float) -> bool:
    """Whether two times of day are at most ``limit_s`` apart (across midnight too)."""
    if earlier is None or later is None:
        return False
    gap = abs(_seconds(later) - _seconds(earlier))
    return min(gap, 86_400 - gap) <= limit_s


def _seconds(when: time) -> float:
    return when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6
