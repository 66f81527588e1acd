"""What every form shares: its render context and the sections the forms have in common.

A form module builds its story from a :class:`FormContext` (case, styles,
photo numbers, generation time) with these helpers, so the three forms look
alike: title in 黑体, a borderless line for the issuing unit and date, 一、问题基本信息,
the rectification plan with its progress records, the location map with its
legend, the photos, the signatures, and at the end the evidence list and the
QR verification block.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from inspector.forms.blocks import FieldGrid, case_info_grid, choice, deadline_text, signature_grid
from inspector.forms.evidence_qr import evidence_list, verification_block
from inspector.forms.fonts import FormFonts
from inspector.forms.location_map import LocationMap
from inspector.forms.model import FORM_KINDS, FormCase, FormPhoto, FormRectification, FormSignature, photo_numbers
from inspector.forms.photo_images import PhotoPreparer
from inspector.forms.photos import photo_grid
from inspector.forms.styles import (
    CONTENT_WIDTH,
    LABEL_FILL,
    FormStyles,
    FormTable,
    blank_cell,
    escape_text,
    gap,
    grid_style,
    make_styles,
    para,
    paras,
    section_heading,
    shorten,
    spread_over_rows,
)

MAP_HEIGHT = 100 * mm
SUBTITLE = "（绿盾自然保护地和生态保护红线监督检查专项行动）"
UNCONFIRMED_MARK = "未经服务器确认"  # printed on a form whose transitions a sync server has not acknowledged
UNCONFIRMED_COLOUR = colors.HexColor("#c62828")
MEASURE_TYPES = ["退出", "整治", "生态修复"]
ISSUING_UNIT_CHARS = 40  # the unit on the line under the title (printed in full in the grid)


@dataclass(frozen=True)
class FormContext:
    """Everything a form builder needs besides the case itself."""

    case: FormCase
    kind: str
    styles: FormStyles
    numbers: dict[str, int]  # photo hash → number on the map and in captions
    generated_at: str  # local time string printed in the footer and the QR block
    photos: PhotoPreparer  # prepares the images the form shows, in the background

    @property
    def title(self) -> str:
        return FORM_KINDS[self.kind]


def make_context(case: FormCase, kind: str, fonts: FormFonts, generated_at: str, photos: PhotoPreparer) -> FormContext:
    return FormContext(case, kind, make_styles(fonts), photo_numbers(case), generated_at, photos)


def title_block(context: FormContext, issuer_label: str, issuer_unit: str | None = None) -> list[Flowable]:
    """Centered title, subtitle, and a borderless line with the issuing unit and the date (see
    :func:`issuing_line`)."""
    styles = context.styles
    left_note, right_note = issuing_line(context, issuer_label, issuer_unit)
    right_aligned = styles.small.clone("FormSmallRight", alignment=TA_RIGHT)
    line = FormTable(
        [[Paragraph(left_note, styles.small), Paragraph(right_note, right_aligned)]],
        colWidths=[CONTENT_WIDTH * 0.62, CONTENT_WIDTH * 0.38],
        style=[("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)],
    )
    story: list[Flowable] = [para(context.title, styles.title), para(SUBTITLE, styles.subtitle)]
    if context.case.unconfirmed:
        mark = styles.subtitle.clone("Unconfirmed", textColor=UNCONFIRMED_COLOUR, fontSize=12, leading=16)
        story.append(para(f"【{UNCONFIRMED_MARK}】审批流转尚未经同步服务器确认", mark))
    return [*story, gap(4), line, gap(1)]


def map_section(context: FormContext, heading: str) -> Flowable:
    """Section heading and the location map, kept on one page."""
    location_map = LocationMap(context.case, context.numbers, context.styles.fonts.body, CONTENT_WIDTH, MAP_HEIGHT)
    return KeepTogether([section_heading(heading, context.styles), location_map])


def closing_sections(context: FormContext) -> list[Flowable]:
    """Evidence list and verification block that end every form."""
    flowables = evidence_list(context.case, context.numbers, context.styles, CONTENT_WIDTH)
    flowables.append(verification_block(context.case, context.kind, context.styles, CONTENT_WIDTH,
                                        context.generated_at))
    return flowables


def progress_table(rectification: FormRectification | None, styles: FormStyles) -> FormTable:
    """整改进展记录: date and what was done, header repeated; empty rows to fill by hand."""
    widths = [32 * mm, CONTENT_WIDTH - 32 * mm]
    rows: list[list[object]] = [[para("日期", styles.label), para("整改进展情况", styles.label)]]
    continued: list[int] = []
    progress = rectification.progress if rectification else ()
    for date, text in progress:
        group = spread_over_rows([paras(date, styles.body), paras(text, styles.body)])
        continued += range(len(rows), len(rows) + len(group) - 1)
        rows += group
    if not progress:
        rows += [[blank_cell(), blank_cell()], [blank_cell(), blank_cell()]]
    style = grid_style([("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL)], rows=len(rows), continued=continued)
    return FormTable(rows, colWidths=widths, style=style, repeatRows=1, splitByRow=1, splitInRow=1,
                     minRowHeights=[0] + [8 * mm] * (len(rows) - 1))


def issuing_line(context: FormContext, label: str, unit: str | None = None) -> tuple[str, str]:
    """Markup for the line under the title: the unit (escaped data, shortened: the grid prints it
    in full; or a blank to fill) and the date."""
    unit_text = escape_text(shorten(unit, ISSUING_UNIT_CHARS)) if unit else "＿" * 14
    return (
        f"{escape_text(label)}：{unit_text}",
        f"填表日期：{escape_text(context.generated_at.split(' ')[0])}",
    )


def case_info_section(context: FormContext) -> list[Flowable]:
    """一、问题基本信息, the block every form starts with."""
    return [section_heading("一、问题基本信息", context.styles), case_info_grid(context.case, context.styles).build()]


def rectification_section(context: FormContext, heading: str, last_label: str, last_value: object, *,
                          last_style: ParagraphStyle | None = None) -> list[Flowable]:
    """The rectification plan (整改方式 ☑/☐, measures, deadline, responsible unit and person, and one more field
    beside the person) and its progress records; without a rectification record, the case's unit and blanks to
    fill by hand. The deadline is the form's one :func:`~inspector.forms.blocks.deadline_text`."""
    styles = context.styles
    case = context.case
    rectification = case.rectification
    grid = FieldGrid(styles)
    grid.wide("整改方式", choice(MEASURE_TYPES, rectification.measure_type if rectification else None, styles))
    grid.wide("整改措施", rectification.measures if rectification else "", min_height=30)
    grid.pair("整改期限", deadline_text(case),
              "责任单位", rectification.responsible_unit if rectification else case.responsible_unit or "")
    grid.pair("责任人", rectification.responsible_person if rectification else "", last_label, last_value,
              style_b=last_style)
    return [section_heading(heading, styles), grid.build(), gap(2),
            para("整改进展记录：", styles.small), gap(1), progress_table(rectification, styles)]


def photo_section(context: FormContext, heading: str, photos: list[FormPhoto], *, note: str | None,
                  none_text: str) -> list[Flowable]:
    """A heading and the photos in a numbered grid (after ``note``, if any), or ``none_text``."""
    styles = context.styles
    if not photos:
        return [section_heading(heading, styles), para(none_text, styles.body)]
    notes = [para(note, styles.note), gap(1)] if note else []
    return [section_heading(heading, styles), *notes, photo_grid(photos, context.numbers, styles, context.photos)]


def signature_section(context: FormContext, heading: str, signers: list[str],
                      preface: tuple[Flowable, ...] = (), signatures: dict[str, FormSignature] | None = None
                      ) -> Flowable:
    """A heading, any ``preface`` and the cells to sign (recorded signatures stamped in), kept on one page."""
    styles = context.styles
    return KeepTogether([section_heading(heading, styles), *preface,
                         signature_grid(signers, styles, signatures=signatures)])
