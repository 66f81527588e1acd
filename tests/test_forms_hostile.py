"""Forms with hostile values: 800- and 5,000-character texts carrying markup in every field they print.

Each field gets its own start and end marks around a long filler of reportlab
and HTML markup (``<b>``, ``<font>``, ``&amp;``, ``<img src=...>`` naming a real
image file). The forms must render (never reportlab's ``LayoutError``), print
every field in full and literally (both marks of each field appear in the
extracted text, and so does the markup), and load no file the data names
(the PDF holds exactly the images of the same case with harmless values).
"""
from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from inspector.demo.form_case import build_demo_case
from inspector.forms import render_form
from inspector.forms.model import FormAdmin, FormCase

FORM_KINDS = ("inspection", "notice", "closure")
# Fields printed in full on every form, on some forms only, and those drawn shortened (map, header). The one
# deadline a form prints is the rectification plan's (plan_deadline); the ledger's (deadline) only without a plan.
COMMON_FIELDS = ("case_no", "problem_type", "zone", "kind", "category", "function_zone", "city", "county",
                 "adcode", "discovered_on", "plan_deadline", "responsible_unit", "status", "description",
                 "photo_time", "photo_caption")
FIELDS_BY_KIND = {
    "inspection": ("finding_time", "weather", "inspector", "accompanying", "activity", "finding_text", "basis"),
    "notice": ("measures", "plan_unit", "plan_person", "progress_date", "progress_text"),
    "closure": ("measures", "plan_unit", "plan_person", "progress_date", "progress_text",
                "checklist_note", "opinion", "signer", "step_date", "return_reason", "publicity"),
}


def mark(field: str, end: bool) -> str:
    return f"〔{field}{'终' if end else '始'}〕"


def hostile_text(field: str, length: int, image: Path) -> str:
    filler = f" 甲<b>粗</b>&amp;<font color=red size=40>红</font><img src=\"{image}\"/>${{7*7}}&lt;乙。"
    body_length = length - len(mark(field, False)) - len(mark(field, True)) - 1
    return mark(field, False) + (filler * (body_length // len(filler) + 1))[:body_length] + " " + mark(field, True)


def hostile_case(case: FormCase, length: int, image: Path) -> FormCase:
    """``case`` with every printed text replaced by a long hostile value that names its field."""
    def text(field: str) -> str:
        return hostile_text(field, length, image)

    photos = tuple(dataclasses.replace(photo, taken_at=text("photo_time"), caption=text("photo_caption"))
                   for photo in case.photos)
    findings = tuple(dataclasses.replace(
        finding, time=text("finding_time"), weather=text("weather"), inspectors=(text("inspector"),),
        accompanying=(text("accompanying"),), activity_type=text("activity"), description=text("finding_text"),
        basis=text("basis")) for finding in case.findings)
    rectification = dataclasses.replace(
        case.rectification, measures=text("measures"), deadline=text("plan_deadline"),
        responsible_unit=text("plan_unit"), responsible_person=text("plan_person"),
        progress=((text("progress_date"), text("progress_text")),))
    acceptance = tuple(dataclasses.replace(step, opinion=text("opinion"), signer=text("signer"), date=text("step_date"),
                                           decision="退回", return_reason=text("return_reason"))
                       for step in case.acceptance)
    zones = tuple(dataclasses.replace(zone, name=text("map_zone"), kind=text("map_kind")) for zone in case.zones)
    return dataclasses.replace(
        case, case_no=text("case_no"), problem_type=text("problem_type"), zone_names=(text("zone"),),
        kind=text("kind"), category=text("category"), function_zone=text("function_zone"),
        admin=FormAdmin(text("city"), text("county"), text("adcode")), discovered_on=text("discovered_on"),
        deadline=text("deadline"), responsible_unit=text("responsible_unit"), status=text("status"),
        description=text("description"), photos=photos, findings=findings, rectification=rectification,
        checklist=dataclasses.replace(case.checklist, note=text("checklist_note")), acceptance=acceptance,
        zones=zones, publicity=text("publicity"), basemap_label=text("basemap"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def plain_case(tmp_path_factory: pytest.TempPathFactory) -> FormCase:
    return build_demo_case(tmp_path_factory.mktemp("photos"), photo_count=3)


@pytest.fixture(scope="module")
def bait_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bait") / "bait.png"
    Image.new("RGB", (64, 64), (255, 0, 0)).save(path)
    return path


@pytest.mark.parametrize("length", [800, 5000])
@pytest.mark.parametrize("kind", FORM_KINDS)
def test_long_markup_values_print_in_full_and_literally(kind: str, length: int, plain_case: FormCase,
                                                         bait_image: Path) -> None:
    case = hostile_case(plain_case, length, bait_image)
    data = render_form(case, kind, generated_at="2024-10-20 15:30")
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    text = squeeze("".join(pages))
    for field in COMMON_FIELDS + FIELDS_BY_KIND[kind]:
        assert mark(field, False) in text and mark(field, True) in text, field
    assert mark("deadline", False) not in text  # never a second, conflicting deadline
    for fragment in ("甲<b>粗</b>&amp;<fontcolor=redsize=40>红</font>", f"<imgsrc=\"{squeeze(str(bait_image))}\"/>",
                     "${7*7}&lt;乙"):
        assert fragment in text
    # Drawn in a fixed space, shortened with "…": the running header, map labels, legend and caption.
    assert f"问题编号：{mark('case_no', False)}" in squeeze(pages[1]) and "…" in pages[1]
    assert mark("map_zone", False) in text and mark("map_zone", True) not in text
    assert image_count(data) == image_count(render_form(plain_case, kind, generated_at="2024-10-20 15:30"))


def test_many_short_lines_still_fit_a_page(plain_case: FormCase) -> None:
    """Line breaks count: hundreds of short lines must not make one table row taller than a page."""
    lines = "\n".join(f"第{number}行" for number in range(1, 600)) + "\n最后一行"
    notes = dataclasses.replace(plain_case.rectification, progress=(("2024-06-15", lines),))
    case = dataclasses.replace(plain_case, description=lines, rectification=notes,
                               checklist=dataclasses.replace(plain_case.checklist, note=lines))
    for kind in FORM_KINDS:
        pages = PdfReader(io.BytesIO(render_form(case, kind))).pages
        text = squeeze("".join(page.extract_text() or "" for page in pages))
        assert "第599行" in text and "最后一行" in text
