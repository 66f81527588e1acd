"""Plausibility checks on every photo a case receives, and the one table of what each evidence flag means.

A photo (or drone still) can be well-formed and still say something that does
not fit its case. :func:`plausibility_flags` compares what the file says
(position, UTC time, phase, content hash) with the case's setting
(:class:`CaseSetting`: its point or patch polygon, its discovery date, when
its rectification began) and raises:

- ``before_discovery``: taken on a day (Asia/Shanghai) before the case's discovery date;
- ``after_before_rectification``: an 整改后 photo taken on a day before the case's first rectification
  record (the day the rectification began);
- ``far_from_case``: a point case's photo taken farther than the workspace's distance (meta key
  ``photo_max_distance_m``, default 200 m) from the case point;
- ``outside_patch``: a patch case's photo (变化图斑) taken more than :data:`PATCH_EDGE_TOLERANCE_M` outside
  its polygon (standing at the edge is normal);
- ``future_time``: taken more than :data:`FUTURE_TOLERANCE` after now (a camera clock set wrong);
- ``duplicate_of_other_case``: the same content (SHA-256) is evidence of another case.

The readers' own codes (``gps_missing`` and the other position codes, ``datetime_missing``,
``far_from_finding`` …) are kept as they are. :data:`FLAG_TEXTS` gives every code its text in Chinese and
English (:class:`inspector.errors.Message`); the CLI (``flag_texts`` in ``attach --json``), the GUI and the
forms all read it. :data:`BLOCKING_FLAGS` are the codes that keep a photo from counting as clean evidence
where a workflow step asks for it (:mod:`inspector.casework.workflow`); the device and the server both count
with :func:`is_clean`.

The checks are pure functions of plain values, so the sync server runs the same ones on the records it
holds.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Optional
from zoneinfo import ZoneInfo

from inspector.errors import Message
from inspector.evidence.gps import distance_m
from inspector.geo import geodesy
from inspector.store.workspace import parse_utc

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")  # where dates of cases and rectifications are counted
DEFAULT_MAX_DISTANCE_M = 200.0  # metres: photo farther than this from the case point is flagged
PATCH_EDGE_TOLERANCE_M = 30.0  # metres: a patch case's photo this far outside the polygon is still at its edge
FUTURE_TOLERANCE = dt.timedelta(minutes=10)  # a camera clock this far ahead is not yet "the future"

FLAG_TEXTS: dict[str, Message] = {
    # the plausibility checks of this module
    "before_discovery": Message("拍摄日期早于问题发现日期", "Taken before the case was discovered"),
    "after_before_rectification": Message("整改后照片的拍摄日期早于整改开始",
                                          "After-rectification photo taken before the rectification began"),
    "far_from_case": Message("拍摄位置离问题点位过远", "Taken far from the case location"),
    "outside_patch": Message("拍摄位置在变化图斑范围之外", "Taken outside the change patch"),
    "future_time": Message("拍摄时间晚于当前时间（相机时钟有误？）",
                           "Capture time is in the future (wrong camera clock?)"),
    "duplicate_of_other_case": Message("同一照片已作为其他问题的证据", "The same photo is evidence of another case"),
    # what the readers report (inspector.evidence.exif, gps, drone, xmp; evidence_attach)
    "outside_jiangsu": Message("照片位置不在江苏省内，未用作位置", "Photo position outside Jiangsu; not used"),
    "far_from_finding": Message("拍摄位置离核查点过远", "Taken far from the finding"),
    "gps_missing": Message("照片没有 GPS 位置", "Photo has no GPS position"),
    "gps_invalid": Message("照片 GPS 数据无效", "Photo GPS data invalid"),
    "gps_out_of_range": Message("照片 GPS 坐标超出范围", "Photo GPS out of range"),
    "gps_placeholder_zero": Message("照片 GPS 为 (0, 0) 占位值", "Photo GPS is the (0, 0) placeholder"),
    "gps_zero_denominator": Message("照片 GPS 数据损坏（分母为零）", "Photo GPS corrupt (zero denominator)"),
    "gps_zero_denominator_as_zero": Message("照片 GPS 秒值缺失，按 0 处理", "Photo GPS seconds missing, taken as 0"),
    "gps_ref_missing": Message("照片 GPS 缺少南北/东西标记", "Photo GPS lacks N/S or E/W reference"),
    "gps_datum_not_wgs84": Message("照片 GPS 坐标系不是 WGS84", "Photo GPS datum is not WGS84"),
    "gps_clock_mismatch": Message("相机时间与 GPS 时间不一致", "Camera clock disagrees with GPS time"),
    "gps_time_invalid": Message("照片 GPS 时间无效", "Photo GPS time invalid"),
    "gps_date_missing": Message("照片 GPS 时间缺少日期", "Photo GPS time has no date"),
    "gps_date_invalid": Message("照片 GPS 日期无效", "Photo GPS date invalid"),
    "datetime_missing": Message("照片没有拍摄时间", "Photo has no capture time"),
    "datetime_invalid": Message("照片拍摄时间无效", "Photo capture time invalid"),
    "assumed_timezone": Message("拍摄时间无时区，按北京时间处理", "No time zone; Beijing time assumed"),
    "offset_invalid": Message("拍摄时间的时区无效", "Capture time zone invalid"),
    "altitude_invalid": Message("海拔数据无效", "Altitude invalid"),
    "altitude_out_of_range": Message("海拔超出合理范围", "Altitude out of range"),
    "altitude_ellipsoidal": Message("海拔为椭球高", "Altitude is ellipsoidal"),
    "bearing_invalid": Message("拍摄方向无效", "Bearing invalid"),
    "bearing_ref_missing": Message("拍摄方向缺少真北/磁北标记", "Bearing lacks true/magnetic reference"),
    "exif_missing": Message("照片没有 EXIF 信息", "Photo has no EXIF data"),
    "exif_unreadable": Message("照片 EXIF 信息无法读取", "Photo EXIF data unreadable"),
    "exif_size_mismatch": Message("图像尺寸与 EXIF 不符（可能经过裁剪或编辑）",
                                  "Image size differs from EXIF (cropped or edited?)"),
    "orientation_invalid": Message("照片方向标记无效", "Orientation tag invalid"),
    "xmp_malformed": Message("无人机 XMP 信息格式错误", "Drone XMP data malformed"),
    "altitude_unknown": Message("无人机相对高度未知", "Drone height above ground unknown"),
    "pitch_unknown": Message("云台俯仰角未知", "Gimbal pitch unknown"),
    "yaw_unknown": Message("拍摄朝向未知", "Viewing direction unknown"),
    "yaw_from_flight": Message("朝向取自飞行器航向", "Direction taken from the aircraft heading"),
    "field_of_view_unknown": Message("相机视场角未知，无法计算覆盖范围", "Field of view unknown; no footprint"),
    "fov_from_35mm_equivalent": Message("视场角按 35mm 等效焦距估算", "Field of view from the 35 mm equivalent"),
    "gimbal_roll_ignored": Message("云台横滚角未计入覆盖范围", "Gimbal roll ignored in the footprint"),
    "corner_above_horizon": Message("画面超出地平线，无法计算覆盖范围", "View reaches the horizon; no footprint"),
    # documents (inspector.evidence.documents)
    "pdf_javascript": Message("PDF 含有脚本或自动动作（未执行）",
                              "PDF contains scripts or automatic actions (never run)"),
}

POSITION_FLAGS = frozenset(("gps_missing", "gps_invalid", "gps_out_of_range", "gps_placeholder_zero",
                            "gps_zero_denominator", "gps_ref_missing", "outside_jiangsu"))
# A photo with one of these does not count where a workflow step needs clean evidence: no usable position,
# a position or time that does not fit the case, or content already used for another case.
BLOCKING_FLAGS = POSITION_FLAGS | frozenset((
    "before_discovery", "after_before_rectification", "far_from_case", "outside_patch", "future_time",
    "duplicate_of_other_case", "datetime_missing", "datetime_invalid"))


def flag_message(code: str) -> Message:
    """The text of a flag code (an unknown code, from a newer device, reads as itself)."""
    return FLAG_TEXTS.get(code) or Message(code, code)


def flag_texts(codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{code: {"zh", "en"}}`` for ``attach --json``."""
    return {code: {"zh": flag_message(code).zh, "en": flag_message(code).en} for code in dict.fromkeys(codes)}


def blocking(codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` that keep a photo from counting as clean evidence."""
    return [code for code in dict.fromkeys(codes) if code in BLOCKING_FLAGS]


def is_clean(codes: Iterable[Any]) -> bool:
    return not blocking(str(code) for code in codes)


@dataclass(frozen=True)
class CaseSetting:
    """What a case's photos are checked against (``None``: not known, that check is skipped)."""

    lon: Optional[float] = None  # the case point
    lat: Optional[float] = None
    patch: Any = None  # a shapely polygon in lon/lat, for a patch case
    discovered_on: Optional[str] = None  # YYYY-MM-DD
    rectification_began: Optional[str] = None  # UTC ISO time of the first rectification record
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M


def local_day(utc_text: Optional[str]) -> Optional[dt.date]:
    """The calendar day in Asia/Shanghai of an ISO UTC time (``...Z``); ``None`` if absent or unreadable."""
    moment = parse_utc(utc_text)
    return moment.astimezone(LOCAL_ZONE).date() if moment is not None else None




def _day(text: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def plausibility_flags(setting: CaseSetting, *, phase: str, lon: Optional[float], lat: Optional[float],
                       taken_at_utc: Optional[str], duplicate_elsewhere: bool = False,
                       now: Optional[dt.datetime] = None) -> list[str]:
    """The plausibility codes (see the module docstring) of one photo in its case's setting."""
    flags: list[str] = []
    taken = parse_utc(taken_at_utc)
    if taken is not None:
        day = taken.astimezone(LOCAL_ZONE).date()
        discovered = _day(setting.discovered_on)
        if discovered is not None and day < discovered:
            flags.append("before_discovery")
        began = local_day(setting.rectification_began)
        if phase == "after" and began is not None and day < began:
            flags.append("after_before_rectification")
        if taken > (now or dt.datetime.now(dt.timezone.utc)) + FUTURE_TOLERANCE:
            flags.append("future_time")
    if lon is not None and lat is not None:
        if setting.patch is not None:
            if geodesy.distance_m(setting.patch, lon, lat) > PATCH_EDGE_TOLERANCE_M:
                flags.append("outside_patch")
        elif setting.lon is not None and setting.lat is not None:
            if distance_m(lon, lat, setting.lon, setting.lat) > setting.max_distance_m:
                flags.append("far_from_case")
    if duplicate_elsewhere:
        flags.append("duplicate_of_other_case")
    return flags
