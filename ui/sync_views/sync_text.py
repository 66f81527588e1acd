"""Words for sync: phase names, one-line outcomes, errors an inspector can act on, per-record results
(pushed records as the server answered, pulled records this device set aside as 已隔离).

Shared by the status bar line (:mod:`ui.sync_views.sync_status`) and the sync dialogs
(:mod:`ui.sync_views.sync_dialogs`, :mod:`ui.sync_views.conflicts_view`). Every text of the UI goes
through ``translate("sync", …)`` so the English translation file covers it; a failure always adds
that local data was kept. An error is shown by its own message (:class:`inspector.errors.Message`,
which says what to do, with the server's own words in brackets) in the UI language, and so is the
reason the server gave for a refused record (``reason_zh`` / ``reason_en``).
"""
from __future__ import annotations

from typing import Any, Optional

from inspector.errors import InspectorError, Message
from ui import labels
from ui.i18n import core_message, translate
from ui.sync_views.sync_controller import SyncOutcome

# push status (and ``quarantined``: a pulled record set aside) → text colour
STATUS_COLOURS = {"applied": "#1b6e4f", "conflict": "#a14d00", "rejected": "#a32020", "quarantined": "#7a4f00"}


def phase_text(phase: str) -> str:
    return {
        "connect": translate("sync", "连接服务器"), "blobs": translate("sync", "上传照片"),
        "push": translate("sync", "上传记录"), "zones": translate("sync", "更新区域图层"),
        "pull": translate("sync", "下载记录"), "verify": translate("sync", "核对数据"),
    }.get(phase, phase)


def error_text(error: Optional[BaseException]) -> str:
    """What went wrong, in the UI language: a sync or core error's own message (what happened, what to do,
    the technical detail in brackets); anything else — a fault of this program — by its type and text."""
    if error is None:
        return ""
    if isinstance(error, InspectorError):
        return core_message(error)
    return f"{type(error).__name__}: {error}"


def record_reason(record: dict[str, Any]) -> str:
    """The reason of a per-record answer (a refused push, a quarantined pull) in the UI language."""
    message = Message.from_fields(record)
    return core_message(message) if message is not None else ""


def counts_text(report: Any) -> str:
    """``上传 n，下载 m`` plus conflicts, refusals and a failed end check when there are any."""
    text = translate("sync", "上传 {pushed}，下载 {pulled}").format(pushed=report.pushed, pulled=report.pulled)
    if report.conflicts:
        text += translate("sync", "，冲突 {n}").format(n=report.conflicts)
    if report.rejected:
        text += translate("sync", "，被拒绝 {n}").format(n=report.rejected)
    if report.quarantined:
        text += translate("sync", "，已隔离 {n}").format(n=len(report.quarantined))
    if report.verified is False:
        text += translate("sync", "，核对不一致")
    return text


def outcome_text(outcome: SyncOutcome) -> str:
    """The status bar's line for how a sync ended."""
    if outcome.kind == "done":
        assert outcome.report is not None
        return translate("sync", "{time} 已同步：{counts}").format(time=outcome.at, counts=counts_text(outcome.report))
    if outcome.kind == "offline":
        return translate("sync", "离线：同步服务器不可达（{time}）").format(time=outcome.at)
    if outcome.kind == "unconfigured":
        return translate("sync", "未设置同步服务器")
    if outcome.kind == "login":
        return translate("sync", "需要重新登录同步服务器（本地数据已保留）")
    if outcome.kind == "cancelled":
        return translate("sync", "同步已取消（本地数据已保留）")
    return translate("sync", "同步失败（本地数据已保留）")


def push_status_text(status: str) -> str:
    return {"applied": translate("sync", "已接收"), "conflict": translate("sync", "冲突，待审核"),
            "rejected": translate("sync", "被拒绝"), "quarantined": translate("sync", "已隔离")}.get(status, status)


def record_kind_text(kind: str) -> str:
    names = {"cases": translate("sync", "案件"), "findings": translate("sync", "核查记录"),
             "evidence": translate("sync", "照片"), "rectifications": translate("sync", "整改"),
             "closure_checklists": translate("sync", "两断三清"), "transitions": translate("sync", "流转")}
    return names.get(kind, kind)


def record_detail(kind: str, values: dict[str, Any]) -> str:
    """A few fields that tell the records of one case apart (values: a row or a wire content)."""
    if kind == "cases":
        parts = [values.get("problem_type"), values.get("ledger_zone_name")]
    elif kind == "findings":
        parts = [values.get("assessment"), values.get("activity_type")]
    elif kind == "evidence":
        parts = [values.get("original_name"), labels.phase_text(values.get("phase") or "")]
    elif kind == "rectifications":
        parts = [values.get("measure_type"), values.get("deadline")]
    elif kind == "transitions":
        parts = [labels.status_text(values.get("from_state")) + " → " + labels.status_text(values.get("to_state"))
                 if values.get("to_state") else values.get("action")]
    else:
        parts = []
    return " ".join(str(p) for p in parts if p)
