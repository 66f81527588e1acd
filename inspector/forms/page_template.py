"""A4 page frame with header and footer that know the total page count.

The footer's "第 x 页 共 y 页" needs the number of pages before any page is
written, so :class:`NumberedCanvas` keeps each finished page's state and
draws all headers and footers in :meth:`NumberedCanvas.save`, when the count
is known. Only embedded fonts are used (the canvas's initial font is the form
body font, so no base-14 font is ever referenced).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from inspector.forms.styles import MARGIN_BOTTOM, MARGIN_SIDE, MARGIN_TOP, PAGE_SIZE, shorten_to_width

HEADER_GAP = 10 * mm  # between the form name and the case number in the running header


# Image streams are written as binary, not ASCII85: a quarter smaller and no pure-Python
# encoding pass (reportlab's default, useA85=1, costs ~20 ms per photo without rl_accel).
rl_config.useA85 = 0


@dataclass(frozen=True)
class PageDecoration:
    """What the header and footer print on every page."""

    form_name: str
    case_no: str
    generated_at: str
    software_version: str
    body_font: str
    heading_font: str
    mark: str = ""  # printed in red in every page's header (未经服务器确认), empty for none
    number_label: str = "问题编号"  # what ``case_no`` is (a patrol record prints 巡查编号)


def numbered_canvas_class(decoration: PageDecoration) -> type[Canvas]:
    """A canvas class bound to one document's header/footer texts."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # platypus passes initialFontName=None explicitly; None would mean Helvetica (not embedded)
            kwargs["initialFontName"] = kwargs.get("initialFontName") or decoration.body_font
            super().__init__(*args, **kwargs)
            self._finished_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._finished_pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined, unused-ignore]  # reportlab's own, not in its stubs

        def save(self) -> None:
            total = len(self._finished_pages)
            for page_state in self._finished_pages:
                self.__dict__.update(page_state)
                draw_header_footer(self, decoration, self.getPageNumber(), total)
                super().showPage()
            super().save()

    return NumberedCanvas


def draw_header_footer(canvas: Canvas, decoration: PageDecoration, page: int, total: int) -> None:
    width, height = PAGE_SIZE
    left, right = MARGIN_SIDE, width - MARGIN_SIDE
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.setStrokeColor(colors.black)
    header_y = height - MARGIN_TOP + 6 * mm
    canvas.setFont(decoration.heading_font, 9)
    canvas.drawString(left, header_y, decoration.form_name)
    canvas.setFont(decoration.body_font, 9)
    room = right - left - canvas.stringWidth(decoration.form_name, decoration.heading_font, 9) - HEADER_GAP
    if decoration.mark:
        mark_width = canvas.stringWidth(f"【{decoration.mark}】", decoration.heading_font, 9)
        canvas.setFillColor(colors.HexColor("#c62828"))
        canvas.setFont(decoration.heading_font, 9)
        canvas.drawString(left + canvas.stringWidth(decoration.form_name, decoration.heading_font, 9) + HEADER_GAP / 2,
                          header_y, f"【{decoration.mark}】")
        canvas.setFillColor(colors.black)
        canvas.setFont(decoration.body_font, 9)
        room -= mark_width + HEADER_GAP / 2
    case_no = shorten_to_width(f"{decoration.number_label}：{decoration.case_no}", decoration.body_font, 9, room)
    canvas.drawRightString(right, header_y, case_no)
    canvas.setLineWidth(0.6)
    canvas.line(left, header_y - 2 * mm, right, header_y - 2 * mm)
    footer_y = MARGIN_BOTTOM - 10 * mm
    canvas.setLineWidth(0.4)
    canvas.line(left, footer_y + 4 * mm, right, footer_y + 4 * mm)
    canvas.setFont(decoration.body_font, 8)
    canvas.drawString(left, footer_y, f"生成时间：{decoration.generated_at}")
    canvas.drawRightString(right, footer_y, f"绿盾 Inspector {decoration.software_version}")
    canvas.setFont(decoration.body_font, 9)
    canvas.drawCentredString(width / 2, footer_y, f"第 {page} 页 共 {total} 页")
    canvas.restoreState()


class FormDocument(BaseDocTemplate):
    """One frame per page inside the form margins."""

    def __init__(self, output: io.BytesIO, decoration: PageDecoration, title: str, subject: str) -> None:
        super().__init__(
            output,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN_SIDE,
            rightMargin=MARGIN_SIDE,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title,
            subject=subject,
            author="绿盾 Inspector",
            creator=f"绿盾 Inspector {decoration.software_version}",
            initialFontName=decoration.body_font,
            invariant=True,  # same input, same bytes: no random document ID or creation time
        )
        frame = Frame(
            self.leftMargin, self.bottomMargin, self.width, self.height,
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
        )
        self.addPageTemplates([PageTemplate(id="form", frames=[frame])])
        self.decoration = decoration


def build_pdf(story: list[Flowable], decoration: PageDecoration, title: str, subject: str) -> bytes:
    buffer = io.BytesIO()
    document = FormDocument(buffer, decoration, title, subject)
    document.build(story, canvasmaker=numbered_canvas_class(decoration))
    return buffer.getvalue()
