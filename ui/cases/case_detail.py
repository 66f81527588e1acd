"""The case detail panel: problem, attribution, 前后两期影像对比, findings, evidence, rectification, workflow, history.

Wraps the session: :meth:`show_case` asks the session's reading thread for
everything shown of one case (:func:`ui.cases.case_detail_read.read_case_view`:
the core's queries and the imagery chips, in one lane so that only the latest
case chosen is shown) and fills the widgets when the answer arrives; meanwhile
:attr:`CaseDetailPanel.loading` is true and the previous case stays on show.
``loaded`` announces each case shown (:attr:`case_uuid` is the case on show).
The panel re-reads the case when the core's change summary
(:class:`inspector.store.changes.Changes`) names it. Workflow buttons list the moves the current role may make from
the case's state; a refused move shows the core's reason text in red. Every
text that comes from the data is shown as plain text (:mod:`ui.plain_text`).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QWidget,
)

from inspector.casework.statuses import CLOSED_STATES
from inspector.casework.workflow import (
    FOLLOW_UP,
    OFFICE_ROLES,
    RETURN,
    SPOT_CHECK,
    overdue_days,
    rules_from,
    status_colours,
)
from inspector.errors import InspectorError
from inspector.store.changes import Changes
from ui import labels, operations
from ui.background import reader_for
from ui.cases.case_detail_read import CaseView, read_case_view
from ui.cases.evidence_gallery import EvidenceGallery
from ui.cases.imagery_comparison import ImageryComparison
from ui.i18n import core_message
from ui.layouts import STRETCH, Part, fill_box, hbox, vbox
from ui.plain_text import Line, PlainLines, plain_label
from ui.session import Session

log = logging.getLogger(__name__)
CaseRow = dict[str, Any]
CHIP_MAX_PX = 220  # widest status chip; a longer (foreign) status is cut, never widens the panel


def _label(text: str = "", parent: QWidget | None = None, *, muted: bool = False) -> QLabel:
    return plain_label(text, parent, selectable=True, object_name="muted" if muted else None)


class CaseDetailPanel(QWidget):
    """Everything about one case, with the actions an inspector or reviewer takes on it."""

    findingRequested = Signal(str)  # case uuid: the main window opens the finding form
    formRequested = Signal(str, str)  # case uuid, form kind
    extentRequested = Signal(str)  # case uuid: the main window lets the map edit its verified extent
    loaded = Signal()  # the case asked for last is on show (or the panel is empty)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_uuid: str | None = None  # the case on show
        self.case: CaseRow | None = None
        self.asked_uuid: str | None = None  # the case asked for last (on show once its read is answered)
        self.loading = False
        self._view: CaseView | None = None
        self._lane = f"case-detail-{id(self)}"
        self.last_job: operations.Job | None = None
        self.title = plain_label(parent=self, selectable=True, object_name="caseTitle")  # wraps when long
        self.chip = plain_label(parent=self, wrap=False, object_name="statusChip")
        self.chip.setMaximumWidth(CHIP_MAX_PX)
        self.overdue = plain_label(parent=self, wrap=False)
        self.overdue.setStyleSheet("color: #c62828; font-weight: bold;")
        self.message = plain_label(parent=self)
        self.message.hide()
        self.workflow_row = QHBoxLayout()
        self.actions_row = QHBoxLayout()
        self.problem = QFormLayout()
        self._problem_values: list[QLabel] = []
        self.attribution = PlainLines(self)
        self.imagery = ImageryComparison(self)
        self.findings = PlainLines(self)
        self.gallery = EvidenceGallery(session, self)
        self.gallery.message.connect(self.show_message)
        self.rectification = PlainLines(self)
        self.history = PlainLines(self)
        self.audit = _label(muted=True)
        self._build()
        session.changed.connect(self.apply_changes)
        session.roleChanged.connect(lambda role: self._show_role())
        self.show_case(None)

    def _build(self) -> None:
        self.finding_button = QPushButton(self.tr("记录核查"), self)
        self.finding_button.setProperty("primary", True)
        self.finding_button.clicked.connect(lambda: self.findingRequested.emit(self.case_uuid or ""))
        self.rect_button = QPushButton(self.tr("整改"), self)
        self.rect_button.setToolTip(self.tr("添加整改记录"))
        self.rect_button.clicked.connect(self.add_rectification)
        self.checklist_button = QPushButton(self.tr("两断三清"), self)
        self.checklist_button.clicked.connect(self.edit_checklist)
        self.form_button = QPushButton(self.tr("表单"), self)
        menu = QMenu(self.form_button)
        from ui.cases.form_preview import form_name
        for kind in ("inspection", "notice", "closure"):
            menu.addAction(form_name(kind), lambda k=kind: self.formRequested.emit(self.case_uuid or "", k))
        self.form_button.setMenu(menu)
        self.countersign_button = QPushButton(self.tr("会签"), self)
        self.countersign_button.setToolTip(self.tr("记录部门会签（意见、扫描件、签名）"))
        self.countersign_button.clicked.connect(lambda: self.open_office_dialog("countersign"))
        self.publicity_button = QPushButton(self.tr("公示"), self)
        self.publicity_button.setToolTip(self.tr("记录销号公示（期间、地点）"))
        self.publicity_button.clicked.connect(lambda: self.open_office_dialog("publicity"))
        self.extent_button = QPushButton(self.tr("核实范围"), self)
        self.extent_button.setToolTip(self.tr("在地图上编辑图斑的核实范围，计算核实面积"))
        self.extent_button.clicked.connect(lambda: self.extentRequested.emit(self.case_uuid or ""))
        actions = (self.finding_button, self.extent_button, self.rect_button, self.checklist_button,
                   self.countersign_button,
                   self.publicity_button, self.form_button)
        fill_box(self.actions_row, (*actions, STRETCH))
        verify = QPushButton(self.tr("校验审计链"), self)
        verify.clicked.connect(self.verify_audit)

        body = QWidget(self)

        def section(title: str, *parts: Part) -> QGroupBox:
            box = QGroupBox(title, body)
            vbox(*parts, parent=box)
            return box

        vbox(section(self.tr("问题"), self.problem), section(self.tr("空间归属"), self.attribution), self.imagery,
             section(self.tr("核查记录"), self.findings), section(self.tr("证据"), self.gallery),
             section(self.tr("整改"), self.rectification),
             section(self.tr("流转记录"), self.history, hbox((self.audit, 1), verify)),
             STRETCH, parent=body, margins=(0, 0, 4, 0))
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel(self.tr("在列表或地图上选择一个问题"), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("muted")
        vbox(hbox((self.title, 1), self.chip, self.overdue), self.message, self.workflow_row, self.actions_row,
             (scroll, 1), (self.empty, 1), parent=self, margins=(8, 6, 8, 6))
        self.scroll = scroll

    # -- showing ----------------------------------------------------------------
    def show_case(self, uuid: str | None) -> None:
        """Show a case (when the reading thread answers) or, with None, nothing."""
        if uuid != self.asked_uuid:
            self.message.hide()
        self.asked_uuid = uuid
        self.refresh()

    def refresh(self) -> None:
        """Read the case asked for again; the widgets follow when the answer arrives."""
        uuid = self.asked_uuid
        if uuid is None:  # an answer still on its way is dropped by _answered
            self.loading = False
            self._show(None, None)
            self.loaded.emit()
            return
        self.loading = True
        reader_for(self.session).read(lambda ws: read_case_view(ws, uuid), lambda view: self._answered(uuid, view),
                                      owner=self, lane=self._lane, failed=self._read_failed)

    def _answered(self, uuid: str, view: CaseView | None) -> None:
        if uuid == self.asked_uuid:
            self.loading = False
            self._show(uuid if view is not None else None, view)
            self.loaded.emit()

    def _read_failed(self, error: BaseException) -> None:
        log.error("reading a case for the detail failed", exc_info=error)
        self.loading = False
        text = core_message(error) if isinstance(error, InspectorError) else f"{type(error).__name__}: {error}"
        self.show_message(self.tr("读取问题失败：{error}").format(error=text), False)
        self.loaded.emit()

    def _show_role(self) -> None:
        """The role changed: the moves and office buttons of the case on show follow (no read)."""
        self._show(self.case_uuid, self._view)

    def _show(self, uuid: str | None, view: CaseView | None) -> None:
        self.case_uuid, self._view = uuid, view
        self.case = view.case if view is not None else None
        has_case = self.case is not None
        for widget in (self.scroll, self.title, self.chip, self.finding_button, self.rect_button,
                       self.checklist_button, self.form_button):
            widget.setVisible(has_case)
        for widget in (self.countersign_button, self.publicity_button):  # the office records them
            widget.setVisible(has_case and self.session.role in OFFICE_ROLES)
        self.extent_button.setVisible(has_case and self.session.role not in OFFICE_ROLES and bool(
            self.case and self.case.get("geometry_geojson") and self.case["status"] not in CLOSED_STATES))
        self.empty.setVisible(not has_case)
        self._fill_workflow()
        if view is None:
            self.overdue.clear()
            return
        case = view.case
        self.title.setText(case["case_no"])
        self.chip.setText(labels.status_text(case["status"]))
        colours = status_colours(case["status"])
        self.chip.setStyleSheet(f"background: {colours.fill}; color: {colours.text};")
        overdue = overdue_days(case["deadline"], case["status"], dt.date.today())
        self.overdue.setText(self.tr("逾期 {n} 天").format(n=overdue) if overdue > 0 else "")
        self._fill_problem(case, view.places)
        self._fill_attribution(view.places)
        self.imagery.show_chips(view.chips)
        self._fill_findings(view)
        self.gallery.show_items(case["uuid"], case["id"], view.evidence)
        self._fill_rectification(view)
        self._fill_history(view)

    def _fill_problem(self, case: CaseRow, places: dict[str, Any]) -> None:
        rows = [
            (self.tr("问题类型"), case["problem_type"]), (self.tr("问题描述"), case["description"]),
            (self.tr("台账保护地"), case["ledger_zone_name"]),
            (self.tr("市 / 县"), " ".join(filter(None, (places["city"], places["county"])))),
            (self.tr("坐标"), f"{case['lon']:.6f}, {case['lat']:.6f}"),
            (self.tr("面积"), f"{case['area_m2']:,.0f} m²" if case["area_m2"] else None),
            (self.tr("核实面积"), f"{case['verified_area_m2']:,.0f} m²" if case.get("verified_area_m2") else None),
            (self.tr("发现时间"), case["discovered_on"]), (self.tr("整改时限"), case["deadline"]),
            (self.tr("责任单位"), case["responsible_unit"]), (self.tr("线索来源"), case["clue_source"]),
        ]
        if not self._problem_values:  # the same rows for every case: built once, then only their texts change
            for key, _value in rows:
                self._problem_values.append(_label("", self))
                self.problem.addRow(key, self._problem_values[-1])
        for label, (_key, value) in zip(self._problem_values, rows):
            label.setText(value or "—")

    def _fill_attribution(self, places: dict[str, Any]) -> None:
        lines: list[Line] = []
        for z in places["zones"]:
            extra = " · ".join(filter(None, (labels.kind_text(z["kind"]), z["category"], z["function_zone"])))
            lines.append(Line(z["name"] or "", "alert" if labels.is_alert_zone(z) else "zone"))
            lines.append(Line(extra, "muted"))
        if not lines:
            nearest = places["nearest"]
            lines.append(Line(self.tr("不在任何区域内") + (
                self.tr("；最近：{name}，{m:.0f} 米").format(name=nearest["name"], m=nearest["distance_m"])
                if nearest else "")))
        self.attribution.set_lines(lines)

    def _fill_findings(self, view: CaseView) -> None:
        lines: list[Line] = []
        for r in view.findings:
            heading = " · ".join((r["assessment"] or "", r["activity_type"] or "", r["observed_local"],
                                  r["inspector"] or ""))
            lines += [Line(heading, "gap" if lines else "strong"), Line(r["description"] or "")]
        self.findings.set_lines(lines or [Line(self.tr("尚无核查记录"))])

    def _fill_rectification(self, view: CaseView) -> None:
        from inspector.casework.rectification import CHECKLIST_ITEMS

        lines: list[Line] = []
        deadline = self.tr("期限")
        for r in view.rectifications:
            parts = (r["measure_type"] or "", r["measures"] or "", f"{deadline} {r['deadline'] or '—'}",
                     r["responsible_unit"] or "")
            lines.append(Line(" · ".join(parts), "strong"))
            lines += [Line(f"{str(n.get('at_utc', ''))[:10]} {n.get('note', '')}", "indent")
                      for n in r["progress_notes"]]
        items = view.checklist
        if items is not None:
            marks = "　".join(("☑ " if items[k] else "☐ ") + name[0] for k, name in CHECKLIST_ITEMS.items())
            lines.append(Line(self.tr("两断三清：") + marks))
        self.rectification.set_lines(lines or [Line(self.tr("尚无整改记录"))])

    def _fill_history(self, view: CaseView) -> None:
        lines: list[Line] = []
        for t in view.history:
            line = (f"{t['at_local']}　{labels.status_text(t['from_state'])} → "
                    f"{labels.status_text(t['to_state'])}　{t['actor'] or ''}")
            if t["action"] in (RETURN, FOLLOW_UP):
                line += f"（{labels.status_text(t['action'])}）"
            lines.append(Line(line))
            if t["reason"]:
                lines.append(Line(t["reason"], "indent"))
        self.history.set_lines(lines or [Line(self.tr("尚无流转"))])
        self.audit.setText(self.tr("审计日志中本问题的记录：{n} 条").format(
            n=view.audit_entries))

    # -- workflow -----------------------------------------------------------------
    def _fill_workflow(self) -> None:
        while self.workflow_row.count():
            item = self.workflow_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if self.case is None:
            return
        rules = rules_from(self.case["status"], self.session.role)
        if not rules:
            waiting = _label(self.tr("当前角色无可用流转（等待审核或已办结）"), self, muted=True)
            self.workflow_row.addWidget(waiting)
            return
        for rule in rules:
            text = labels.status_text(rule.action) + ("…" if rule.reason_required else "")
            button = QPushButton(("↩ " if rule.action == RETURN else "→ ") + text, self)
            button.setObjectName(f"move:{rule.action}")
            button.setProperty("danger" if rule.action == RETURN else "primary", True)
            if rule.action == SPOT_CHECK:  # an outcome and, to reopen, a reason: its own dialog
                button.clicked.connect(lambda: self.open_office_dialog("spot-check"))
            else:
                button.clicked.connect(lambda checked=False, r=rule: self.move(r.action,
                                                                               ask_reason=r.reason_required))
            self.workflow_row.addWidget(button)
        self.workflow_row.addStretch(1)

    def move(self, target: str, *, reason: str | None = None, ask_reason: bool = False) -> operations.Job | None:
        if not self.case_uuid:
            return None
        if ask_reason and reason is None:
            reason, ok = QInputDialog.getText(self, labels.status_text(target), self.tr("原因（必填）："))
            if not ok:
                return None
        job = operations.transition_case(session=self.session, case_uuid=self.case_uuid, target=target,
                                         reason=reason)
        job.succeeded.connect(lambda r: self.show_message(
            self.tr("已转为：{state}").format(state=labels.status_text(r["status"])), True))
        job.failed.connect(lambda text: self.show_message(text, False))
        self.last_job = job
        return job

    def show_message(self, text: str, ok: bool) -> None:
        self.message.setObjectName("notice" if ok else "refusal")
        self.message.setStyleSheet("")  # re-polish for the new object name
        self.message.setText(text)
        self.message.show()

    def add_rectification(self) -> None:
        from ui.cases.rectification_dialogs import RectificationDialog

        if self.case_uuid:
            RectificationDialog(self.session, self.case_uuid, self).open()

    def open_office_dialog(self, kind: str) -> QWidget | None:
        """Open the 会签 (``countersign``), 公示 (``publicity``) or 抽查 (``spot-check``) dialog of the case."""
        from ui.review.office_dialogs import CountersignDialog, PublicityDialog, SpotCheckDialog

        if not self.case_uuid:
            return None
        dialogs = {"countersign": CountersignDialog, "publicity": PublicityDialog, "spot-check": SpotCheckDialog}
        dialog = dialogs[kind](self.session, self.case_uuid, self)
        dialog.open()
        return dialog

    def edit_checklist(self) -> None:
        from ui.cases.rectification_dialogs import ChecklistDialog

        if self.case is not None and self.case["uuid"] == self.asked_uuid:
            ChecklistDialog(self.session, self.case["uuid"], self.case["id"], self).open()

    def verify_audit(self) -> operations.Job:
        job = operations.verify_audit(session=self.session)
        job.succeeded.connect(self._audit_verified)
        job.failed.connect(lambda text: self.show_message(text, False))
        self.audit.setText(self.tr("正在校验…"))
        return job

    def _audit_verified(self, result: dict[str, Any]) -> None:
        if result["ok"]:
            self.audit.setText(self.tr("✔ 审计链完整（{n} 条记录，媒体文件无改动）").format(n=result["entries"]))
        else:
            problems = len(result["record_problems"]) + len(result["media_problems"])
            self.audit.setText(self.tr("✖ 审计链异常：断点 {seq}，{n} 处记录或文件被改动").format(
                seq=result["first_broken"] or "—", n=problems))
            self.audit.setStyleSheet("color: #b71c1c; font-weight: bold;")

    def apply_changes(self, changes: Changes) -> None:
        """Re-read the case shown when the change touched it (or every case, or the zones it lies in)."""
        if changes.affects(self.asked_uuid) or (self.asked_uuid and changes.touches("zones")):
            self.refresh()
