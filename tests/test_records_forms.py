"""Honest forms: each countersign in its department's box (the others blank), each level's opinion from its own
transition only, the 公示 period, signatures stamped in their boxes with name and time, and 未经服务器确认 on a
form whose transitions no server acknowledged. The PDFs are rendered and read back (pdftotext, pdftoppm)."""
from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from evidence_fixtures import attach_closure_photos
from inspector.casework.countersigns import add_countersign
from inspector.casework.findings import add_finding
from inspector.casework.publicity import add_publicity
from inspector.casework.rectification import add_rectification
from inspector.casework.signatures import Signature
from inspector.casework.workflow import transition
from inspector.forms.form_data import gather_case
from inspector.forms.render import render_form
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace
from tests.signature_fixtures import signature_png

DPI = 100  # raster resolution of the checks, dots per inch
POINTS_PER_INCH = 72.0


@pytest.fixture(scope="module")
def closed_case(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("records_forms")
    ws = build_case_workspace(tmp_path)
    pen = signature_png()
    transition(ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
    add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘", inspector="张三",
                signatures=[Signature(pen, "inspector", "张三"), Signature(pen, "inspected_party", "李老板")])
    transition(ws, CORE_CASE, "确认问题", role="inspector", actor="张三")
    add_rectification(ws, CORE_CASE, measure_type="整治", measures="拆除围网")
    transition(ws, CORE_CASE, "整改中", role="inspector", actor="张三")
    attach_closure_photos(ws, CORE_CASE, tmp_path / "closure", *CENTRE)
    transition(ws, CORE_CASE, "申请销号", role="inspector", actor="张三", reason="已整改到位")
    transition(ws, CORE_CASE, "县级验收", role="reviewer", actor="县局王五", jurisdiction="320904",
               reason="县级意见甲", signatures=[Signature(pen, "county", "县局王五")])
    add_countersign(ws, CORE_CASE, department="林业", signer="林业站赵六", opinion="林业意见<b>乙</b>",
                    signed_on="2026-01-05", signature=pen, actor="县局王五")
    transition(ws, CORE_CASE, "市级验收", role="reviewer", actor="市局孙七", jurisdiction="320900", reason="市级意见丙")
    add_publicity(ws, CORE_CASE, starts_on="2026-01-01", ends_on="2026-01-07", where="区政府网站", actor="市局孙七")
    transition(ws, CORE_CASE, "已销号", role="reviewer", actor="市局孙七", jurisdiction="320900", reason="销号说明丁")
    transition(ws, CORE_CASE, "回头看", role="reviewer", actor="市局孙七", reason="回头看原因戊")
    yield ws, tmp_path
    ws.close()


def _pdf(ws, kind: str, path: Path) -> Path:
    path.write_bytes(render_form(gather_case(ws, CORE_CASE), kind, generated_at="2026-02-01 10:00"))
    return path


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _words(path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) in points, from pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if found:
            words.append((page, *map(float, found.groups()[:4]), html.unescape(found.group(5))))
    return words


def _dark_pixels_above(path: Path, word: str, tmp_path: Path, height_pt: float = 34.0) -> int:
    """Dark pixels in the box right above the caption ``word`` (where its signature image is stamped)."""
    page, x0, y0, _x1, _y1, _ = next(w for w in _words(path) if word in w[5])
    tmp_path.mkdir(parents=True, exist_ok=True)
    prefix = tmp_path / f"page-{path.stem}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png", str(path), str(prefix)],
                   check=True)
    [raster] = list(tmp_path.glob(f"page-{path.stem}*.png"))
    scale = DPI / POINTS_PER_INCH
    with Image.open(raster) as image:
        box = image.convert("L").crop((int(x0 * scale), int((y0 - height_pt) * scale), int((x0 + 100) * scale),
                                       int(y0 * scale)))
        return sum(box.histogram()[:80])  # pixels darker than 80 of 255


def test_closure_form_prints_only_what_was_recorded(closed_case, tmp_path):
    ws, _ = closed_case
    path = _pdf(ws, "closure", tmp_path / "closure.pdf")
    text = _text(path)
    assert "县级意见甲" in text and "市级意见丙" in text
    assert "回头看原因戊" not in text and "销号说明丁" not in text  # never printed as an acceptance opinion
    assert "林业意见<b>乙</b>" in text and "林业站赵六" in text  # record text printed literally
    assert "公示期：2026-01-01 至 2026-01-07；公示地点：区政府网站" in text
    assert "未经服务器确认" in text
    # the 自然资源 box is blank: nothing between its label and the 林业 box but blank lines to sign by hand
    natural = text[text.index("自然资源"):text.index("林业意见")]
    assert "县局" not in natural and "市局" not in natural and "赵六" not in natural and "＿＿" in natural
    assert "县级自然资源" not in text
    assert _dark_pixels_above(path, "县局王五", tmp_path / "county") > 200  # the county's stamped signature
    assert _dark_pixels_above(path, "林业站赵六", tmp_path / "forestry") > 200


def test_inspection_form_stamps_both_signatures(closed_case, tmp_path):
    ws, _ = closed_case
    path = _pdf(ws, "inspection", tmp_path / "inspection.pdf")
    text = _text(path)
    assert "签字：张三" in text and "签字：李老板" in text
    assert _dark_pixels_above(path, "李老板", tmp_path / "party") > 200


def test_mark_goes_once_a_server_acknowledged_the_transitions(tmp_path):
    ws = build_case_workspace(tmp_path)
    try:
        assert "未经服务器确认" not in _text(_pdf(ws, "closure", tmp_path / "none.pdf"))  # nothing to confirm
        transition(ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
        assert "未经服务器确认" in _text(_pdf(ws, "closure", tmp_path / "dirty.pdf"))
        ws.conn.execute("UPDATE transitions SET dirty = 0, base_revision = revision")  # as a sync acknowledges
        ws.conn.commit()
        assert "未经服务器确认" not in _text(_pdf(ws, "closure", tmp_path / "clean.pdf"))
    finally:
        ws.close()
