"""The look of an official form: page geometry, paragraph styles, grid tables.

A4 with 25 mm top/bottom and 20 mm side margins, titles in 黑体 18 pt, body in
宋体 10.5 pt, thin black grid lines and grey label cells. A case's 当前状态 is
printed in its state's colours from the core's one palette (:meth:`FormStyles.status`),
as the case list and the map show it.

Ledger text goes through :func:`para` (or :func:`escape_text`), which escapes
``<``, ``>`` and ``&`` so reportlab's Paragraph parser treats it as text; only
markup written in this package (check boxes, line breaks) is ever parsed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from inspector.casework.statuses import status_colours
from inspector.forms.fonts import FormFonts, form_fonts

PAGE_SIZE = A4
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 22 * mm
MARGIN_SIDE = 20 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_SIDE  # points
LABEL_FILL = colors.HexColor("#E6E6E6")
GRID_LINE = 0.5  # points
OUTER_LINE = 1.0  # points
LABEL_WIDTH = 28 * mm
STATUS_PADDING = 2  # points of a status's fill around its text (inside the cell padding)

# A field longer than this is cut into several table rows so it can continue on the next page.
MAX_CHARS_PER_ROW = 420
MAX_LINES_PER_ROW = 16  # ... and at most this many lines
ELLIPSIS = "…"
HEADING_KEEP_SPACE = 30 * mm  # room a section heading wants below it on the same page
OPTION_GAP = "&nbsp;" * 4  # markup: visible gap between check-box options (U+3000 would collapse)


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

    def status(self, status: str | None) -> ParagraphStyle:
        """Body text in a workflow state's colours: its palette text colour on its fill."""
        colours = status_colours(status)
        return ParagraphStyle("FormStatus", parent=self.body, textColor=colors.HexColor(colours.text),
                              backColor=colors.HexColor(colours.fill), borderPadding=STATUS_PADDING)


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


def blank_cell() -> Spacer:
    """An empty table cell. (A ``""`` cell would make reportlab select Helvetica, a font
    that is not embedded; every cell must be a flowable set in the form fonts.)"""
    return Spacer(0, 0)


def para(value: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing ``value`` literally (never parsed as markup)."""
    return Paragraph(escape_text(value), style)


def paras(value: object, style: ParagraphStyle, prefix: str = "") -> list[Flowable]:
    """``value`` literally, as Paragraphs of at most one page each, for a table cell that may
    split across pages; ``prefix`` (trusted markup, e.g. ``意见：``) starts the first one."""
    pieces = split_long_text(None if value is None else str(value))
    return [Paragraph((prefix if index == 0 else "") + escape_text(piece), style) for index, piece in enumerate(pieces)]


def split_long_text(value: str | None, limit: int = MAX_CHARS_PER_ROW, max_lines: int = MAX_LINES_PER_ROW) -> list[str]:
    """Cut text into pieces of at most ``limit`` characters and ``max_lines`` lines, preferring
    sentence ends and line breaks, so that every piece fits on one page."""
    if not value:
        return [""]
    segments: list[str] = []
    for line in str(value).replace("\r\n", "\n").split("\n"):
        while len(line) > limit:
            cut = max(line.rfind("。", 0, limit), line.rfind("；", 0, limit), line.rfind(" ", 0, limit))
            cut = cut + 1 if cut > limit // 2 else limit
            segments.append(line[:cut])
            line = line[cut:]
        segments.append(line)
    pieces: list[list[str]] = []
    for segment in segments:
        current = pieces[-1] if pieces else None
        if (current is not None and len(current) < max_lines
                and sum(map(len, current)) + len(current) + len(segment) <= limit):
            current.append(segment)
        else:
            pieces.append([segment])
    return ["\n".join(piece) for piece in pieces]


def shorten(value: object, limit: int) -> str:
    """``value`` as one line of at most ``limit`` characters, ending in "…" where it was cut.

    Used only where the full text is printed elsewhere on the form (the 问题基本信息 grid)
    or where a drawing has a fixed size (map labels and legend)."""
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def shorten_to_width(value: object, font: str, size: float, width: float) -> str:
    """Like :func:`shorten`, cut to what fits ``width`` points in ``font`` at ``size``."""
    text = shorten(value, MAX_CHARS_PER_ROW)
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis: binary search
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle] + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + ELLIPSIS


def spread_over_rows(cells: list[object]) -> list[list[object]]:
    """One logical table row as several rows of about :data:`MAX_CHARS_PER_ROW` characters per cell.

    A cell is a flowable or a list of them (long text as :func:`paras`); row *k* holds the *k*-th
    share of every cell (a blank where a cell has less). A long value thus continues over rows
    and pages instead of making one row taller than a page (which reportlab cannot lay out, and
    splits inside a row only slowly). Draw the rows but the last as continued (:func:`grid_style`).
    """
    shares = [_share_out(cell if isinstance(cell, list) else [cell]) for cell in cells]
    count = max(len(share) for share in shares)
    return [[share[k] if k < len(share) else blank_cell() for share in shares] for k in range(count)]


def _share_out(flowables: list[object]) -> list[list[object]]:
    groups: list[list[object]] = []
    size = 0
    for flowable in flowables:
        length = len(flowable.getPlainText()) if isinstance(flowable, Paragraph) else 0
        if not groups or (groups[-1] and size + length > MAX_CHARS_PER_ROW):
            groups.append([])
            size = 0
        groups[-1].append(flowable)
        size += length
    return groups or [[blank_cell()]]


def grid_style(extra: list[tuple] | None = None, *, rows: int = 0, continued: Iterable[int] = ()) -> TableStyle:
    """Thin black grid with a heavier outer frame; cells vertically centred. Rows listed in
    ``continued`` (of ``rows``) continue into the next one: no line below them."""
    continued = set(continued)
    if continued:
        lines: list[tuple] = [("LINEAFTER", (0, 0), (-2, -1), GRID_LINE, colors.black)]
        lines += [("LINEBELOW", (0, row), (-1, row), GRID_LINE, colors.black)
                  for row in range(rows - 1) if row not in continued]
    else:
        lines = [("GRID", (0, 0), (-1, -1), GRID_LINE, colors.black)]
    commands: list[tuple] = lines + [
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


class SectionHeading(Flowable):
    """A section title that never ends a page: it moves to the next page when less
    than :data:`HEADING_KEEP_SPACE` would remain under it. (platypus's keepWithNext
    would push a long table whole to the next page, leaving a blank one behind.)"""

    def __init__(self, paragraph: Paragraph) -> None:
        super().__init__()
        self.paragraph = paragraph

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = self.paragraph.wrap(avail_width, avail_height)
        self.width, self.height = width, height
        if avail_height < height + HEADING_KEEP_SPACE:
            return width, avail_height + 1  # does not fit here: the frame moves it on
        return width, height

    def split(self, _avail_width: float, _avail_height: float) -> list[Flowable]:
        return []

    def getSpaceBefore(self) -> float:  # noqa: N802 (platypus API)
        return self.paragraph.getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802 (platypus API)
        return self.paragraph.getSpaceAfter()

    def draw(self) -> None:
        self.paragraph.drawOn(self.canv, 0, 0)


def section_heading(text: str, styles: FormStyles) -> Flowable:
    return SectionHeading(para(text, styles.section))


def gap(height_mm: float = 3.0) -> Spacer:
    return Spacer(1, height_mm * mm)


class FormTable(Table):
    """A Table set in the embedded body font.

    reportlab selects each cell's font (Helvetica unless told otherwise) even
    for cells holding flowables, which would put a non-embedded font in the PDF.
    """

    def __init__(self, data: Sequence[list[Any]], *args: Any,
                 style: TableStyle | Iterable[tuple[Any, ...]] | None = None, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.setStyle([("FONTNAME", (0, 0), (-1, -1), form_fonts().body)])
        if style is not None:
            self.setStyle(style)
