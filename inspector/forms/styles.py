"""The look of an official form: page geometry, paragraph styles, grid tables.

A4 with 25 mm top/bottom and 20 mm side margins, titles in 黑体 18 pt, body in
宋体 10.5 pt, thin black grid lines and grey label cells.

Ledger text goes through :func:`para` (or :func:`escape_text`), which escapes
``<``, ``>`` and ``&`` so reportlab's Paragraph parser treats it as text; only
markup written in this package (check boxes, line breaks) is ever parsed.
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from inspector.forms.fonts import FormFonts

PAGE_SIZE = A4
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 22 * mm
MARGIN_SIDE = 20 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_SIDE  # points
LABEL_FILL = colors.HexColor("#E6E6E6")
GRID_LINE = 0.5  # points
OUTER_LINE = 1.0  # points
LABEL_WIDTH = 28 * mm

# A field longer than this is cut into several table rows so it can continue on the next page.
MAX_CHARS_PER_ROW = 420


@dataclass(frozen=True)
class FormStyles:
    """Paragraph styles bound to the registered fonts."""

    fonts: FormFonts
    title: ParagraphStyle
    subtitle: ParagraphStyle
    section: ParagraphStyle
    label: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    hash_text: ParagraphStyle
    note: ParagraphStyle


def make_styles(fonts: FormFonts) -> FormStyles:
    body = ParagraphStyle(
        "FormBody", fontName=fonts.body, fontSize=10.5, leading=15, alignment=TA_LEFT,
        wordWrap="CJK",
    )
    return FormStyles(
        fonts=fonts,
        title=ParagraphStyle(
            "FormTitle", parent=body, fontName=fonts.heading, fontSize=18, leading=24,
            alignment=TA_CENTER, spaceAfter=2 * mm,
        ),
        subtitle=ParagraphStyle(
            "FormSubtitle", parent=body, fontSize=10, leading=14, alignment=TA_CENTER,
        ),
        section=ParagraphStyle(
            "FormSection", parent=body, fontName=fonts.heading, fontSize=12, leading=16,
            spaceBefore=4 * mm, spaceAfter=1.5 * mm,
        ),
        label=ParagraphStyle(
            "FormLabel", parent=body, fontName=fonts.heading, fontSize=10.5, leading=14,
            alignment=TA_CENTER,
        ),
        body=body,
        small=ParagraphStyle("FormSmall", parent=body, fontSize=9, leading=12),
        caption=ParagraphStyle("FormCaption", parent=body, fontSize=7.5, leading=9.5),
        hash_text=ParagraphStyle(
            "FormHash", parent=body, fontSize=7, leading=8.5, alignment=TA_CENTER,
            wordWrap="CJK",
        ),
        note=ParagraphStyle("FormNote", parent=body, fontSize=9, leading=12, textColor=colors.HexColor("#333333")),
    )


def escape_text(value: object) -> str:
    """Ledger text made safe for Paragraph markup; newlines become line breaks."""
    if value is None:
        return ""
    text = escape(str(value))
    return text.replace("\r\n", "\n").replace("\n", "<br/>")


def para(value: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing ``value`` literally (never parsed as markup)."""
    return Paragraph(escape_text(value), style)


def markup(trusted_markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph from markup this package wrote itself (data inside already escaped)."""
    return Paragraph(trusted_markup, style)


def split_long_text(value: str | None, limit: int = MAX_CHARS_PER_ROW) -> list[str]:
    """Cut text into pieces of at most ``limit`` characters, preferring line breaks."""
    if not value:
        return [""]
    pieces: list[str] = []
    for line in str(value).replace("\r\n", "\n").split("\n"):
        while len(line) > limit:
            cut = max(line.rfind("。", 0, limit), line.rfind("；", 0, limit), line.rfind(" ", 0, limit))
            cut = cut + 1 if cut > limit // 2 else limit
            pieces.append(line[:cut])
            line = line[cut:]
        if pieces and len(pieces[-1]) + len(line) + 1 <= limit:
            pieces[-1] = f"{pieces[-1]}\n{line}"
        else:
            pieces.append(line)
    return pieces


def grid_style(extra: list[tuple] | None = None) -> TableStyle:
    """Thin black grid with a heavier outer frame; cells vertically centred."""
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), GRID_LINE, colors.black),
        ("BOX", (0, 0), (-1, -1), OUTER_LINE, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    return TableStyle(commands + (extra or []))


def shade(cells: list[tuple[int, int]]) -> list[tuple]:
    """Style commands giving single cells the grey label fill."""
    return [("BACKGROUND", cell, cell, LABEL_FILL) for cell in cells]


def section_heading(text: str, styles: FormStyles) -> Paragraph:
    return para(text, styles.section)


def gap(height_mm: float = 3.0) -> Spacer:
    return Spacer(1, height_mm * mm)


def grid_table(
    rows: list[list[object]],
    col_widths: list[float],
    extra_style: list[tuple] | None = None,
    *,
    repeat_rows: int = 0,
) -> Table:
    """A grid table that may split between rows across pages."""
    table = Table(
        rows, colWidths=col_widths, style=grid_style(extra_style), repeatRows=repeat_rows,
        splitByRow=1, hAlign="CENTER",
    )
    return table
