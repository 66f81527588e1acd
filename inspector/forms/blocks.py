"""Building blocks shared by the three forms.

* :class:`FieldGrid` — the label/value grid of an official form (grey label
  cells, four columns or label + wide value); a value too long for half a row
  gets a full-width row instead, and a long wide value is cut into several
  rows, drawn without a line between them, so it can continue on the next
  page (nothing is shortened: the grid prints every value in full);
* :func:`case_info_grid` — the 问题基本信息 block every form starts with;
* :func:`choice_markup` — ☑/☐ option lists;
* :func:`signature_grid` — cells to sign and date by hand, with room for a seal,
  or the recorded signature stamped in (:func:`signature_stamp`: the image,
  the signer's name and the time).
"""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, Spacer

from inspector.forms.coordinates import format_area, format_position_decimal, format_position_dms
from inspector.forms.model import FormCase, FormSignature
from inspector.forms.styles import (
    CONTENT_WIDTH,
    GRID_LINE,
    LABEL_FILL,
    LABEL_WIDTH,
    OPTION_GAP,
    OUTER_LINE,
    PAGE_SIZE,
    FormStyles,
    FormTable,
    blank_cell,
    escape_text,
    para,
    split_long_text,
)

CELL_PADDING = 4  # points around a grid cell's content
PAIR_MAX_HEIGHT = 90  # points (six lines): a taller value moves to a full-width row


class FieldGrid:
    """Rows of label/value cells on a four-column grid (label, value, label, value)."""

    def __init__(self, styles: FormStyles, width: float = CONTENT_WIDTH, label_width: float = LABEL_WIDTH) -> None:
        self.styles = styles
        value_width = (width - 2 * label_width) / 2
        self.col_widths = [label_width, value_width, label_width, value_width]
        self.rows: list[list[object]] = []
        self.commands: list[tuple] = []
        self.no_line_below: set[int] = set()
        self.min_heights: dict[int, float] = {}

    def _label(self, text: str) -> Paragraph:
        return para(text, self.styles.label)

    def _value(self, value: object, style: ParagraphStyle | None = None) -> object:
        if isinstance(value, (Flowable, list)):
            return value
        return para(value, style or self.styles.body)

    def _fits_half_row(self, value: object, style: ParagraphStyle | None = None) -> bool:
        if isinstance(value, (Flowable, list)):
            return True  # our own small flowables (coordinates, check boxes)
        _, height = para(value, style or self.styles.body).wrap(self.col_widths[1] - 2 * CELL_PADDING, PAGE_SIZE[1])
        return height <= PAIR_MAX_HEIGHT

    def pair(self, label_a: str, value_a: object, label_b: str, value_b: object, *,
             style_b: ParagraphStyle | None = None) -> "FieldGrid":
        """Two label/value pairs side by side (``style_b`` sets the second value's text style); each on a
        full-width row if either value is long."""
        if not (self._fits_half_row(value_a) and self._fits_half_row(value_b, style_b)):
            return self.wide(label_a, value_a).wide(label_b, value_b, style=style_b)
        row = len(self.rows)
        self.rows.append([self._label(label_a), self._value(value_a), self._label(label_b),
                          self._value(value_b, style_b)])
        self.commands += [("BACKGROUND", (0, row), (0, row), LABEL_FILL),
                          ("BACKGROUND", (2, row), (2, row), LABEL_FILL)]
        return self

    def wide(self, label: str, value: object, *, min_height: float | None = None,
             style: ParagraphStyle | None = None) -> "FieldGrid":
        """A label and a value spanning the rest of the row; long text continues in more rows."""
        pieces: list[object]
        if isinstance(value, (Flowable, list)):
            pieces = [value]
        else:
            pieces = [para(piece, style or self.styles.body)
                      for piece in split_long_text(None if value is None else str(value))]
        first = len(self.rows)
        for index, piece in enumerate(pieces):
            row = len(self.rows)
            self.rows.append([self._label(label) if index == 0 else blank_cell(), piece, blank_cell(), blank_cell()])
            self.commands += [("SPAN", (1, row), (3, row)), ("BACKGROUND", (0, row), (0, row), LABEL_FILL)]
            if index < len(pieces) - 1:
                self.no_line_below.add(row)
        if min_height:
            self.min_heights[first] = min_height
        return self

    def heading_row(self, text: str) -> "FieldGrid":
        """A full-width shaded row naming the part of the grid below it."""
        row = len(self.rows)
        self.rows.append([para(text, self.styles.label), blank_cell(), blank_cell(), blank_cell()])
        self.commands += [("SPAN", (0, row), (3, row)), ("BACKGROUND", (0, row), (3, row), LABEL_FILL)]
        return self

    def build(self, repeat_rows: int = 0) -> FormTable:
        last = len(self.rows) - 1
        line_commands: list[tuple] = [
            ("BOX", (0, 0), (-1, -1), OUTER_LINE, colors.black),
            ("LINEAFTER", (0, 0), (-2, -1), GRID_LINE, colors.black),
        ]
        for row in range(last):
            if row not in self.no_line_below:
                line_commands.append(("LINEBELOW", (0, row), (-1, row), GRID_LINE, colors.black))
        padding = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ]
        min_row_heights = [self.min_heights.get(row, 0) for row in range(len(self.rows))] if self.min_heights else None
        return FormTable(
            self.rows,
            colWidths=self.col_widths,
            style=self.commands + line_commands + padding,
            repeatRows=repeat_rows,
            splitByRow=1,
            minRowHeights=min_row_heights,
        )


def choice_markup(options: list[str], selected: str | None, styles: FormStyles) -> str:
    """``☑退出　☐整治　☐生态修复`` (options are our own words; escaped anyway)."""
    parts = [f"{styles.fonts.box(option == selected)}{escape_text(option)}" for option in options]
    return OPTION_GAP.join(parts)


def choice(options: list[str], selected: str | None, styles: FormStyles) -> Paragraph:
    return Paragraph(choice_markup(options, selected, styles), styles.body)


def case_info_grid(case: FormCase, styles: FormStyles) -> FieldGrid:
    """问题基本信息: identity, place, coordinates in decimal and 度分秒, area and description."""
    admin = case.admin.label if case.admin else ""
    coordinates = Paragraph(
        f"{escape_text(format_position_decimal(case.lon, case.lat))}<br/>"
        f"{escape_text(format_position_dms(case.lon, case.lat))}",
        styles.body,
    )
    grid = FieldGrid(styles)
    grid.pair("问题编号", case.case_no, "问题类型", case.problem_type)
    grid.wide("保护地/\n红线名称", case.zone_label)
    grid.pair("类型", case.kind, "类别", case.category)
    grid.pair("功能区", case.function_zone or "未分区", "行政区", admin)
    grid.pair("坐标\n(CGCS2000)", coordinates, "问题面积", format_area(case.area_m2))
    if case.has_extent:  # a patch: the delivered area above, the area verified on site beside it
        grid.pair("下发面积", format_area(case.area_m2), "核实面积", format_area(case.verified_area_m2))
    grid.pair("发现日期", case.discovered_on, "整改期限", deadline_text(case))
    grid.pair("责任单位", case.responsible_unit or "", "当前状态", case.status, style_b=styles.status(case.status))
    grid.wide("问题描述", case.description)
    return grid


def deadline_text(case: FormCase) -> str:
    """The one 整改期限 every part of a form prints, labelled with its source: the rectification plan's
    (``2026-12-31（整改方案）``), else the ledger's (``…（台账）``), else empty."""
    planned = case.rectification.deadline if case.rectification else ""
    if planned:
        return f"{planned}（整改方案）"
    return f"{case.deadline}（台账）" if case.deadline else ""


SIGNATURE_MAX_WIDTH = 45 * mm  # a stamped signature image fits this box, its proportions kept
SIGNATURE_MAX_HEIGHT = 14 * mm


def signature_stamp(signature: FormSignature, styles: FormStyles, max_width: float = SIGNATURE_MAX_WIDTH,
                    max_height: float = SIGNATURE_MAX_HEIGHT) -> list[Flowable]:
    """A recorded signature: the image scaled into the box, then 签字：name and the time it was signed."""
    scale = min(max_width / signature.width_px, max_height / signature.height_px)
    image = Image(str(signature.path), width=signature.width_px * scale, height=signature.height_px * scale,
                  mask="auto")
    image.hAlign = "LEFT"
    return [image, para(f"签字：{signature.signer_name}　{signature.signed_at}", styles.small)]


def signature_grid(labels: list[str], styles: FormStyles, height: float = 26 * mm,
                   signatures: dict[str, FormSignature] | None = None) -> FormTable:
    """Cells to sign: the label on top, then the recorded signature of that label (``signatures``) or blank
    space with 签字 and 日期 lines to sign by hand."""
    width = CONTENT_WIDTH / len(labels)
    sign_line = "签字：＿＿＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日"
    cells = []
    for label in labels:
        signature = (signatures or {}).get(label)
        if signature is None:
            cells.append([para(label, styles.label), Spacer(1, height - 16 * mm), para(sign_line, styles.small)])
        else:
            cells.append([para(label, styles.label), *signature_stamp(signature, styles, width - 3 * mm)])
    return FormTable(
        [cells],
        colWidths=[width] * len(labels),
        rowHeights=[height],
        style=[
            ("GRID", (0, 0), (-1, -1), GRID_LINE, colors.black),
            ("BOX", (0, 0), (-1, -1), OUTER_LINE, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
        ],
    )
