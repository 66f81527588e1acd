"""Display words and colours for domain values: statuses, phases, evidence flags, zone kinds.

The core stores Chinese domain words (状态, 区域类型) and English codes (phases,
evidence kinds, flags); these turn them into what a field inspector reads.
Every text goes through ``translate("labels", …)`` so the English translation
file covers it; a stored Chinese word (:data:`DOMAIN_WORDS`, from the core's
own lists) is its own source text there. A state's colours are the core's one palette
(:data:`inspector.casework.workflow.STATUS_PALETTE`), here as Qt colours.
"""
from __future__ import annotations

from PySide6.QtGui import QColor

from inspector.casework.workflow import FOLLOW_UP, RETURN, STATES, status_colours
from inspector.vocabulary import CORE_FUNCTION_ZONES, KIND_RED_LINE, KIND_UNKNOWN, KINDS
from ui.i18n import translate

OVERDUE_RED = QColor("#c62828")
DOMAIN_WORDS = frozenset((*STATES, RETURN, FOLLOW_UP, *KINDS, KIND_UNKNOWN))  # translated by :func:`_domain_word`


def status_qcolours(status: str | None) -> tuple[QColor, QColor]:
    """(fill, text) colours of a state's chip, from the core's palette (an unknown state gets its own pair)."""
    colours = status_colours(status)
    return QColor(colours.fill), QColor(colours.text)


def _domain_word(word: str) -> str:
    """A word the core stores (a state, a workflow action, a zone kind) in the current language: the stored
    Chinese word is also its source text in the translation file; any other text is shown as it is."""
    return translate("labels", word) if word in DOMAIN_WORDS else word


def status_text(status: str | None) -> str:
    """A workflow state (stored in Chinese) as shown in the current language."""
    return _domain_word(status or "")


def kind_text(kind: str | None) -> str:
    return _domain_word(kind or "")


def phase_text(phase: str) -> str:
    names = {"inspection": translate("labels", "现场核查"), "before": translate("labels", "整改前"),
             "after": translate("labels", "整改后")}
    return names.get(phase, phase)


def evidence_kind_text(kind: str) -> str:
    names = {"photo": translate("labels", "照片"), "drone": translate("labels", "无人机照片"),
             "orthophoto": translate("labels", "正射影像")}
    return names.get(kind, kind)


def flag_text(flag: str) -> str:
    """An evidence flag code as a sentence an inspector understands."""
    names = {
        "outside_jiangsu": translate("labels", "照片位置不在江苏省内，未用作位置"),
        "far_from_finding": translate("labels", "拍摄位置离核查点过远"),
        "gps_missing": translate("labels", "照片没有 GPS 位置"),
        "gps_invalid": translate("labels", "照片 GPS 数据无效"),
        "gps_out_of_range": translate("labels", "照片 GPS 坐标超出范围"),
        "gps_placeholder_zero": translate("labels", "照片 GPS 为 (0, 0) 占位值"),
        "gps_zero_denominator": translate("labels", "照片 GPS 数据损坏（分母为零）"),
        "gps_zero_denominator_as_zero": translate("labels", "照片 GPS 秒值缺失，按 0 处理"),
        "gps_ref_missing": translate("labels", "照片 GPS 缺少南北/东西标记"),
        "gps_datum_not_wgs84": translate("labels", "照片 GPS 坐标系不是 WGS84"),
        "gps_clock_mismatch": translate("labels", "相机时间与 GPS 时间不一致"),
        "datetime_missing": translate("labels", "照片没有拍摄时间"),
        "datetime_invalid": translate("labels", "照片拍摄时间无效"),
        "assumed_timezone": translate("labels", "拍摄时间无时区，按北京时间处理"),
        "offset_invalid": translate("labels", "拍摄时间的时区无效"),
        "altitude_invalid": translate("labels", "海拔数据无效"),
        "altitude_out_of_range": translate("labels", "海拔超出合理范围"),
        "altitude_ellipsoidal": translate("labels", "海拔为椭球高"),
        "bearing_invalid": translate("labels", "拍摄方向无效"),
        "exif_size_mismatch": translate("labels", "图像尺寸与 EXIF 不符（可能经过裁剪或编辑）"),
        "orientation_invalid": translate("labels", "照片方向标记无效"),
        "altitude_unknown": translate("labels", "无人机相对高度未知"),
        "pitch_unknown": translate("labels", "云台俯仰角未知"),
        "yaw_unknown": translate("labels", "拍摄朝向未知"),
        "yaw_from_flight": translate("labels", "朝向取自飞行器航向"),
        "field_of_view_unknown": translate("labels", "相机视场角未知，无法计算覆盖范围"),
        "corner_above_horizon": translate("labels", "画面超出地平线，无法计算覆盖范围"),
    }
    return names.get(flag, flag)


def field_text(name: str) -> str:
    """A synced record's field (its wire name) as a reviewer reads it, with the raw name kept beside it."""
    names = {
        "case_no": translate("labels", "问题编号"), "case_uuid": translate("labels", "所属问题"),
        "finding_uuid": translate("labels", "所属核查记录"), "status": translate("labels", "状态"),
        "problem_type": translate("labels", "问题类型"), "description": translate("labels", "问题描述"),
        "lon": translate("labels", "经度"), "lat": translate("labels", "纬度"),
        "area_m2": translate("labels", "面积（平方米）"), "area_is_estimate": translate("labels", "面积为估算"),
        "deadline": translate("labels", "整改时限"), "responsible_unit": translate("labels", "责任单位"),
        "responsible_person": translate("labels", "责任人"), "inspector": translate("labels", "核查人"),
        "observed_at_utc": translate("labels", "核查时间（UTC）"), "position_source": translate("labels", "位置来源"),
        "accuracy_m": translate("labels", "定位精度（米）"), "activity_type": translate("labels", "活动类型"),
        "assessment": translate("labels", "核查结论"), "basis": translate("labels", "认定依据"),
        "function_zone": translate("labels", "功能区"), "zones": translate("labels", "所在区域"),
        "measure_type": translate("labels", "整改方式"), "measures": translate("labels", "整改措施"),
        "progress_notes": translate("labels", "整改进展"), "water_cut": translate("labels", "断水"),
        "power_cut": translate("labels", "断电"), "materials_cleared": translate("labels", "清理原料"),
        "products_cleared": translate("labels", "清理产品"), "equipment_cleared": translate("labels", "清理设备"),
        "note": translate("labels", "备注"), "action": translate("labels", "操作"),
        "from_state": translate("labels", "原状态"), "to_state": translate("labels", "新状态"),
        "actor": translate("labels", "操作人"), "role": translate("labels", "角色"),
        "reason": translate("labels", "理由"), "at_utc": translate("labels", "时间（UTC）"),
        "phase": translate("labels", "阶段"), "kind": translate("labels", "类型"),
        "taken_at_utc": translate("labels", "拍摄时间（UTC）"), "bearing_deg": translate("labels", "拍摄方向（度）"),
        "revision": translate("labels", "修订号"), "updated_at": translate("labels", "修改时间"),
        "created_at": translate("labels", "创建时间"), "deleted": translate("labels", "删除"),
    }
    label = names.get(name)
    return f"{label} ({name})" if label else name


def is_alert_zone(zone: dict) -> bool:
    """Zones whose entry raises the geofence alert: red lines and core protection zones."""
    return zone.get("kind") == KIND_RED_LINE or zone.get("function_zone") in CORE_FUNCTION_ZONES
