"""前后两期影像对比: the inspection form's two image chips of a patch case, side by side with their epochs.

The chips come with the outline already drawn (:mod:`inspector.imagery.chips`): yellow for the delivered
patch, cyan for the extent verified on site. Below them: the legend, the patch area and the verified area
(核实面积). A patch case without covering imagery says so; a point case without imagery prints nothing.
"""
from __future__ import annotations

import io

from reportlab.platypus import Flowable, Image, KeepTogether

from inspector.forms.coordinates import format_area
from inspector.forms.form_common import FormContext
from inspector.forms.model import FormImageChip
from inspector.forms.styles import CONTENT_WIDTH, FormTable, gap, grid_style, para, section_heading

HEADING = "前后两期影像对比"
ROLE_LABELS = {"before": "前时相", "after": "后时相"}
CHIP_SIDE = CONTENT_WIDTH / 2 - 10  # points, square: half the width less the cell padding
LEGEND = {True: "黄色线：下发图斑范围；青色线：现场核实范围。",  # a patch case
          False: "黄色圆圈：问题位置；青色线：现场核实范围。"}  # a point case


def chip_caption(chip: FormImageChip) -> str:
    return f"{ROLE_LABELS[chip.role]}：{chip.epoch}" + (f"（{chip.date}）" if chip.date else "")


def imagery_comparison_section(context: FormContext) -> list[Flowable]:
    """The section, or nothing for a point case without imagery."""
    case, styles = context.case, context.styles
    if not case.image_chips and not case.patch:
        return []
    heading = section_heading(HEADING, styles)
    if not case.image_chips:
        return [heading, para("工作空间中没有覆盖该图斑的影像时相（inspector imagery add）。", styles.body)]
    by_role = {chip.role: chip for chip in case.image_chips}
    images: list[object] = []
    captions: list[object] = []
    for role in ("before", "after"):
        chip = by_role.get(role)
        images.append(Image(io.BytesIO(chip.png), CHIP_SIDE, CHIP_SIDE) if chip else para("（无影像）", styles.small))
        captions.append(para(chip_caption(chip) if chip else ROLE_LABELS[role], styles.small))
    table = FormTable([images, captions], colWidths=[CONTENT_WIDTH / 2] * 2,
                      style=grid_style([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    areas = (f"图斑面积：{format_area(case.area_m2) or '—'}　　"
             f"核实面积：{format_area(case.verified_area_m2) or '未核实'}")
    legend = para(LEGEND[case.patch], styles.note)
    return [KeepTogether([heading, table, gap(1), legend, para(areas, styles.body)]), gap(2)]
