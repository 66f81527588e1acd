"""现场核查记录表: the on-site inspection record of one problem.

Sections: 一、问题基本信息 (number, zone, kind, function zone, admin area,
CGCS2000 coordinates in decimal and 度分秒, area, description);
二、位置示意图 (and, for a patch or a case with imagery, 前后两期影像对比);
三、现场核查情况 (per finding: time, weather, inspectors,
accompanying persons, activity, area, what was found, assessment ☑/☐ and its
basis); 四、现场照片 (the 现场核查 photos and drone stills, or those the inspector chose, captioned —
never the 整改前/整改后 ones);
五、签字确认 (检查人, 被检查单位/陪同人员); then the evidence list and QR block.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from inspector.forms.blocks import FieldGrid, choice
from inspector.forms.coordinates import format_area
from inspector.forms.form_common import (
    FormContext,
    case_info_section,
    closing_sections,
    map_section,
    photo_section,
    signature_section,
    title_block,
)
from inspector.forms.imagery_comparison import imagery_comparison_section
from inspector.forms.model import FormFinding
from inspector.forms.photos import inspection_photos
from inspector.forms.styles import gap, para, section_heading

ASSESSMENTS = ["确认问题", "排除", "待定"]
SIGNATURE_BOXES = {"检查人": "inspector", "被检查单位/陪同人员": "inspected_party"}  # box → signer role of a finding
FINDING_TEXT_MIN_HEIGHT = 22 * mm  # room to write by hand when the record is printed empty


def finding_grid(context: FormContext, finding: FormFinding | None, heading: str | None) -> Flowable:
    """One check on site; ``None`` prints an empty grid to fill in by hand."""
    styles = context.styles
    grid = FieldGrid(styles)
    if heading:
        grid.heading_row(heading)
    if finding is None:
        grid.pair("核查时间", "", "天气", "")
        grid.pair("核查人员", "", "陪同人员", "")
        grid.pair("现场活动类型", "", "核实面积", "")
        grid.wide("核查情况", "", min_height=FINDING_TEXT_MIN_HEIGHT)
        grid.wide("核查结论", choice(ASSESSMENTS, None, styles))
        grid.wide("认定依据", "", min_height=14 * mm)
        return grid.build()
    grid.pair("核查时间", finding.time, "天气", finding.weather or "")
    grid.pair("核查人员", "、".join(finding.inspectors), "陪同人员", "、".join(finding.accompanying))
    grid.pair("现场活动类型", finding.activity_type, "核实面积", format_area(finding.area_m2))
    grid.wide("核查情况", finding.description, min_height=14 * mm)
    grid.wide("核查结论", choice(ASSESSMENTS, finding.assessment, styles))
    grid.wide("认定依据", finding.basis)
    return grid.build()


def build_inspection_story(context: FormContext) -> list[Flowable]:
    case = context.case
    styles = context.styles
    story: list[Flowable] = title_block(context, "检查单位（盖章）")
    story += case_info_section(context)
    story.append(map_section(context, "二、位置示意图"))
    story += imagery_comparison_section(context)
    story.append(section_heading("三、现场核查情况", styles))
    findings: list[FormFinding | None] = list(case.findings) or [None]
    for index, finding in enumerate(findings):
        heading = f"第 {index + 1} 次核查" if len(findings) > 1 else None
        story += [finding_grid(context, finding, heading), gap(2)]
    photos = inspection_photos(case)
    story += photo_section(context, "四、现场照片", photos, note=f"共 {len(photos)} 张，图号与位置示意图中的编号一致。",
                           none_text="无现场照片。")
    signed = case.field_signatures or {}
    boxes = {label: signed[role] for label, role in SIGNATURE_BOXES.items() if role in signed}
    story.append(signature_section(context, "五、签字确认", list(SIGNATURE_BOXES),
                                   (para("以上核查情况属实。", styles.small), gap(1)), signatures=boxes))
    story += closing_sections(context)
    return story
