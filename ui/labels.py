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
from inspector.evidence.plausibility import flag_message
from inspector.vocabulary import CORE_FUNCTION_ZONES, KIND_RED_LINE, KIND_UNKNOWN, KINDS
from ui.i18n import core_message, translate

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
             "orthophoto": translate("labels", "正射影像"), "document": translate("labels", "文档"),
             "signature": translate("labels", "签名")}
    return names.get(kind, kind)


def document_type_text(document_type: str | None) -> str:
    """A document's type (stored in Chinese: 整改方案 …) in the current language."""
    names = {"整改方案": translate("labels", "整改方案"), "批复文件": translate("labels", "批复文件"),
             "验收报告": translate("labels", "验收报告"), "会签意见": translate("labels", "会签意见"),
             "其他": translate("labels", "其他")}
    return names.get(document_type or "", document_type or translate("labels", "文档"))


def flag_text(flag: str) -> str:
    """An evidence flag code as a sentence an inspector understands, in the UI language (the core's one table,
    :data:`inspector.evidence.plausibility.FLAG_TEXTS`)."""
    return core_message(flag_message(flag))


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
