"""整改销号申请及验收表: the application to close a problem and its acceptance chain.

Sections: 一、问题基本信息; 二、整改完成情况 (measures, deadline, responsible
unit/person, progress); 三、“两断三清”落实情况 (☑/☐ per item, with text);
四、位置示意图; 五、整改前后对比照片 (the chosen before | after pairs side by
side, then the photos shown on their own in one grid; by default, pairs only
while both sides have photos); 六、验收意见 (责任单位 → 县级 → 市级, each with 意见 from that
level's own transition, 同意/退回 and reason, 签字 — the recorded signature
stamped in when there is one —, 日期 and a place for the seal); 七、部门会签
(one box per department: each recorded countersign, the others blank);
八、验收结论及公示 (同意销号 / 退回, the 公示 records); then evidence list and QR
block. A form whose transitions a sync server has not acknowledged says so.
"""
from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from inspector.forms.blocks import FieldGrid, choice, choice_markup, signature_stamp
from inspector.forms.form_common import (
    FormContext,
    case_info_section,
    closing_sections,
    map_section,
    rectification_section,
    title_block,
)
from inspector.forms.model import (
    ACCEPTANCE_LEVELS,
    COUNTERSIGN_DEPARTMENTS,
    FormAcceptanceStep,
    FormChecklist,
    FormCountersign,
)
from inspector.forms.photos import closure_layout, pair_table, photo_grid
from inspector.forms.styles import (
    CONTENT_WIDTH,
    LABEL_FILL,
    FormTable,
    blank_cell,
    escape_text,
    gap,
    grid_style,
    para,
    paras,
    section_heading,
    spread_over_rows,
)

CHECKLIST_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("water_cut", "断水", "切断生产经营用水"),
    ("power_cut", "断电", "切断生产经营用电"),
    ("materials_cleared", "清原料", "清除原料、燃料"),
    ("products_cleared", "清产品", "清除产品、半成品"),
    ("equipment_cleared", "清设备", "拆除或清运生产设备"),
)
LEVEL_TITLES = {
    "责任单位": "责任单位<br/>申请意见",
    "县级": "县级<br/>验收意见",
    "市级": "市级<br/>验收意见",
}
ALWAYS_SHOWN_DEPARTMENTS = COUNTERSIGN_DEPARTMENTS[:-1]  # 其他 gets a box only when it countersigned
SIGNER_DATE_GAP = "\u00a0" * 8  # no-break spaces between the signer and the date (plain spaces collapse)
SEAL_WIDTH = 36 * mm
STEP_MIN_HEIGHT = 34 * mm  # room for a handwritten opinion, signature and seal
COUNTERSIGN_MIN_HEIGHT = 24 * mm  # room for a department's opinion, signature and seal
LEVEL_LABEL_WIDTH = 32 * mm


def checklist_table(checklist: FormChecklist | None, context: FormContext) -> FormTable:
    """One row per 两断三清 item: 已落实 / 未落实 / 不适用 as check boxes."""
    styles = context.styles
    rows: list[list[object]] = [[para(text, styles.label) for text in ("项目", "要求", "落实情况")]]
    for attribute, name, requirement in CHECKLIST_ITEMS:
        if checklist is None:
            selected = None
        else:
            value = getattr(checklist, attribute)
            selected = "不适用" if value is None else ("已落实" if value else "未落实")
        rows.append([para(name, styles.label), para(requirement, styles.body),
                     choice(["已落实", "未落实", "不适用"], selected, styles)])
    note = checklist.note if checklist and checklist.note else ""
    first_note_row = len(rows)
    rows += spread_over_rows([para("说明", styles.label), paras(note, styles.body), blank_cell()])
    style: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
                                    ("BACKGROUND", (0, 1), (0, -1), LABEL_FILL)]
    style += [("SPAN", (1, row), (2, row)) for row in range(first_note_row, len(rows))]
    widths = [LEVEL_LABEL_WIDTH, 52 * mm, CONTENT_WIDTH - LEVEL_LABEL_WIDTH - 52 * mm]
    note_rows = range(first_note_row, len(rows) - 1)
    return FormTable(rows, colWidths=widths, style=grid_style(style, rows=len(rows), continued=note_rows),
                     repeatRows=1, splitByRow=1, splitInRow=1)


def _steps_in_chain_order(steps: tuple[FormAcceptanceStep, ...]) -> list[tuple[str, FormAcceptanceStep | None]]:
    """Every level of the chain in order (each recorded round, or one empty row), then unknown levels."""
    ordered: list[tuple[str, FormAcceptanceStep | None]] = []
    for level in ACCEPTANCE_LEVELS:
        matching = [step for step in steps if step.level == level]
        ordered += [(level, step) for step in matching] or [(level, None)]
    ordered += [(step.level, step) for step in steps if step.level not in ACCEPTANCE_LEVELS]
    return ordered


def _step_content(level: str, step: FormAcceptanceStep | None, context: FormContext) -> list[Flowable]:
    styles = context.styles
    options = ["申请销号"] if level == "责任单位" else ["同意销号", "退回"]
    decision: str | None = None
    if step and step.decision == "同意":
        decision = options[0]
    elif step and step.decision == "退回" and level != "责任单位":
        decision = "退回"
    style = styles.body.clone("StepText", leading=17)
    content = paras(step.opinion, style, "意见：") if step and step.opinion else [Paragraph("意见：<br/><br/>", style)]
    content.append(Paragraph(choice_markup(options, decision, styles), style))
    if level != "责任单位":
        if step and step.return_reason:
            content += paras(step.return_reason, style, "退回原因：")
        else:
            content.append(Paragraph("退回原因：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿", style))
    if step and step.signature:
        content += signature_stamp(step.signature, styles)
    signer = step.signer if step and step.signer else "＿＿＿＿＿＿"
    date = step.date if step and step.date else "＿＿＿＿年＿＿月＿＿日"
    content += paras(f"{signer}{SIGNER_DATE_GAP}日期：{date}", style, "经办：" if step and step.signature else "签字：")
    return content


def _countersign_content(countersign: FormCountersign | None, context: FormContext) -> list[Flowable]:
    """A department's box: its recorded countersign, or blank lines when it has none (never a guessed name)."""
    style = context.styles.body.clone("CountersignText", leading=17)
    if countersign is None:
        return [Paragraph("意见：<br/><br/>", style),
                Paragraph(f"签字：＿＿＿＿＿＿{SIGNER_DATE_GAP}日期：＿＿＿＿年＿＿月＿＿日", style)]
    content = paras(countersign.opinion, style, "意见：")
    if countersign.document:
        content += paras(countersign.document, context.styles.small, "会签文件：")
    if countersign.signature:
        content += signature_stamp(countersign.signature, context.styles)
    content += paras(f"{countersign.signer}{SIGNER_DATE_GAP}日期：{countersign.date}", style, "签署人：")
    return content


SignOffBox = tuple[Paragraph, list[Flowable]]  # a sign-off box: its label and its content


def _sign_off_table(boxes: list[SignOffBox], context: FormContext, min_height: float) -> FormTable:
    """A table of sign-off boxes: a label, the box's content (spread over rows so a long opinion splits across
    pages) and a blank cell for the seal, each box at least ``min_height`` tall."""
    seal_style = context.styles.small.clone("SealHint", textColor=colors.HexColor("#999999"), alignment=1)
    rows: list[list[object]] = []
    continued: list[int] = []
    first_rows: set[int] = set()
    for label, content in boxes:
        group = spread_over_rows([label, content, Paragraph("（盖章）", seal_style)])
        first_rows.add(len(rows))
        continued += range(len(rows), len(rows) + len(group) - 1)
        rows += group
    widths = [LEVEL_LABEL_WIDTH, CONTENT_WIDTH - LEVEL_LABEL_WIDTH - SEAL_WIDTH, SEAL_WIDTH]
    style = [("BACKGROUND", (0, 0), (0, -1), LABEL_FILL), ("VALIGN", (1, 0), (1, -1), "TOP"),
             ("VALIGN", (2, 0), (2, -1), "BOTTOM")]
    heights = [min_height if row in first_rows else 0 for row in range(len(rows))]
    return FormTable(rows, colWidths=widths, style=grid_style(style, rows=len(rows), continued=continued),
                     splitByRow=1, splitInRow=1, minRowHeights=heights)


def countersign_table(context: FormContext) -> FormTable:
    """One box per department (自然资源, 林业, 水利, 农业农村, and 其他 when it signed): each recorded
    countersign of that department, or a blank box."""
    recorded = context.case.countersigns
    departments = [*ALWAYS_SHOWN_DEPARTMENTS, *(d for d in COUNTERSIGN_DEPARTMENTS if d not in ALWAYS_SHOWN_DEPARTMENTS
                                               and any(c.department == d for c in recorded))]
    departments += sorted({c.department for c in recorded} - set(departments))
    boxes: list[SignOffBox] = []
    for department in departments:
        signs: list[FormCountersign | None] = [c for c in recorded if c.department == department] or [None]
        boxes += [(Paragraph(f"{escape_text(department)}<br/>部门会签", context.styles.label),
                   _countersign_content(countersign, context)) for countersign in signs]
    return _sign_off_table(boxes, context, COUNTERSIGN_MIN_HEIGHT)


def acceptance_table(context: FormContext) -> FormTable:
    """The chain of opinions, each row with a blank cell for the seal."""
    boxes: list[SignOffBox] = [
        (Paragraph(LEVEL_TITLES.get(level, escape_text(level)), context.styles.label),
         _step_content(level, step, context)) for level, step in _steps_in_chain_order(context.case.acceptance)]
    return _sign_off_table(boxes, context, STEP_MIN_HEIGHT)


def final_decision(steps: tuple[FormAcceptanceStep, ...]) -> tuple[str | None, str | None]:
    """(同意销号 | 退回 | None, reason): the last decision of the chain's top level reached."""
    for level in reversed(ACCEPTANCE_LEVELS[1:]):
        decided = [step for step in steps if step.level == level and step.decision]
        if decided:
            last = decided[-1]
            if last.decision == "退回":
                return "退回", last.return_reason
            if level == ACCEPTANCE_LEVELS[-1]:
                return "同意销号", None
            return None, None
    return None, None


def conclusion_grid(context: FormContext) -> Flowable:
    styles = context.styles
    decision, reason = final_decision(context.case.acceptance)
    grid = FieldGrid(styles)
    grid.wide("验收结论", choice(["同意销号", "退回"], decision, styles))
    grid.wide("退回原因", reason or "")
    grid.wide("公示情况", context.case.publicity or "", min_height=16 * mm)
    return grid.build()


def closure_photos(context: FormContext) -> list[Flowable]:
    """The before/after pairs side by side, then the photos shown on their own in one compact grid (the
    inspector's choice or the default: :func:`~inspector.forms.photos.closure_layout`)."""
    styles = context.styles
    pairs, unpaired = closure_layout(context.case)
    if not pairs and not unpaired:
        return [para("无整改前后照片。", styles.body)]
    flowables: list[Flowable] = []
    if pairs:
        flowables.append(pair_table(pairs, context.numbers, styles, context.photos))
    if unpaired:
        label = "未配对的照片：" if pairs else "照片（整改前或整改后一侧没有照片，未配对）："
        flowables += [gap(2), KeepTogether([para(label, styles.small), gap(1),
                                            photo_grid(unpaired, context.numbers, styles, context.photos)])]
    return flowables


def build_closure_story(context: FormContext) -> list[Flowable]:
    case = context.case
    styles = context.styles
    applicant = case.rectification.responsible_unit if case.rectification else case.responsible_unit
    story: list[Flowable] = title_block(context, "申请单位", applicant)
    story += case_info_section(context)
    story += rectification_section(context, "二、整改完成情况", "当前状态", case.status,
                                   last_style=styles.status(case.status))
    story += [section_heading("三、“两断三清”落实情况", styles), checklist_table(case.checklist, context)]
    story.append(map_section(context, "四、位置示意图"))
    story.append(section_heading("五、整改前后对比照片", styles))
    story += closure_photos(context)
    story += [section_heading("六、验收意见", styles), acceptance_table(context)]
    story += [section_heading("七、部门会签", styles), countersign_table(context)]
    story.append(KeepTogether([section_heading("八、验收结论及公示", styles), conclusion_grid(context)]))
    story += closing_sections(context)
    return story
