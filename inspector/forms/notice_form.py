"""整改通知（整改方案登记表）: the rectification notice and the plan it registers.

Sections: the notice text addressed to the responsible unit, with the one
deadline the whole notice prints (the rectification plan's, else the
ledger's, labelled with its source: :func:`~inspector.forms.blocks.deadline_text`);
一、问题基本信息; 二、整改方案 (measure type ☑/☐ 退出/整治/生态修复, measures,
deadline, responsible unit and person, progress records); 三、位置示意图;
四、问题照片 (up to :data:`NOTICE_PHOTO_LIMIT` inspection/before photos; the
evidence list names them all); 五、下达与签收 with room for the seal; then the
evidence list and QR block.
"""
from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from inspector.forms.blocks import deadline_text
from inspector.forms.form_common import (
    FormContext,
    case_info_section,
    closing_sections,
    map_section,
    photo_section,
    rectification_section,
    signature_section,
    title_block,
)
from inspector.forms.styles import escape_text, gap, shorten

NOTICE_PHOTO_LIMIT = 4  # problem photos embedded in the notice
NOTICE_VALUE_CHARS = 60  # a value quoted in the notice text; 一、问题基本信息 prints it in full


def notice_text(context: FormContext) -> list[Flowable]:
    """The addressee line and the body of the notice (data escaped into our markup; a long
    value is shortened with "…", the grids below print it in full)."""
    case = context.case
    styles = context.styles
    rectification = case.rectification
    unit = (rectification.responsible_unit if rectification else None) or case.responsible_unit or "＿＿＿＿＿＿"
    deadline = deadline_text(case) or "＿＿＿＿年＿＿月＿＿日"

    def quoted(value: object) -> str:
        return escape_text(shorten(value, NOTICE_VALUE_CHARS))

    body_style = styles.body.clone("NoticeBody", firstLineIndent=21, leading=18)
    body = (
        f"经现场核查，位于{quoted(case.zone_label)}（{quoted(case.kind)}"
        f"{'，' + quoted(case.function_zone) if case.function_zone else ''}）的"
        f"“{quoted(case.problem_type)}”问题（问题编号：{quoted(case.case_no)}）属实。"
        "根据生态保护红线和自然保护地监督管理有关规定，请你单位按照本表所列整改方案，"
        f"落实“两断三清”等要求，于 {quoted(deadline)} 前完成整改，"
        "并将整改情况及整改前后对比照片书面报送，整改完成后申请销号验收。"
    )
    return [
        Paragraph(f"{quoted(unit)}：", styles.body.clone("NoticeAddressee", leading=18)),
        Paragraph(body, body_style),
        gap(2),
    ]


def build_notice_story(context: FormContext) -> list[Flowable]:
    case = context.case
    story: list[Flowable] = title_block(context, "下达单位（盖章）")
    story += notice_text(context)
    story += case_info_section(context)
    story += rectification_section(context, "二、整改方案", "签收日期", "")
    story.append(map_section(context, "三、位置示意图"))
    problem_photos = [photo for photo in case.photos if photo.phase in ("inspection", "before")]
    shown = problem_photos[:NOTICE_PHOTO_LIMIT]
    note = None
    if len(problem_photos) > len(shown):
        note = f"选取 {len(shown)} 张（共 {len(problem_photos)} 张），其余见现场核查记录表及附后证据文件清单。"
    story += photo_section(context, "四、问题照片", shown, note=note, none_text="无问题照片。")
    story.append(signature_section(context, "五、下达与签收", ["下达单位（盖章）", "责任单位签收人"]))
    story += closing_sections(context)
    return story
