"""Render the three 整改销号 forms and check them the way an office would read them.

Fixture images are drawn with Pillow in ``tmp_path``; zones are shapely
polygons near 120.5°E 33.6°N. Pages are rasterised with ``pdftoppm``, text is
extracted with pypdf, embedded fonts are checked with ``pdffonts`` (and with
pypdf, which needs no poppler).
"""
from __future__ import annotations

import dataclasses
import io
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from inspector.demo.form_case import build_demo_case, write_demo_photo
from inspector.errors import SetupError
from inspector.forms import evidence_digest, render_form, write_form
from inspector.forms import fonts as form_fonts_module
from inspector.forms.model import FormAcceptanceStep, FormCase, FormPhoto

FORM_KINDS = ("inspection", "notice", "closure")
PAYLOAD = "甲<b>粗体</b> & <img src=x onerror=alert(1)> ${x} 乙"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftoppm, pdffonts) not installed",
)


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> FormCase:
    return build_demo_case(tmp_path_factory.mktemp("photos"))


@pytest.fixture(scope="module")
def rendered(demo_case: FormCase) -> dict[str, bytes]:
    return {kind: render_form(demo_case, kind, generated_at="2024-10-20 15:30", software_version="9.9.9")
            for kind in FORM_KINDS}


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    """Text without whitespace, so words wrapped across lines still match."""
    return re.sub(r"\s+", "", text)


def pdffonts_rows(pdf_path: Path) -> list[list[str]]:
    output = subprocess.run(["pdffonts", str(pdf_path)], check=True, capture_output=True, text=True).stdout
    lines = output.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("---")) + 1
    return [line.split() for line in lines[start:] if line.strip()]


def fonts_without_embedded_file(data: bytes) -> list[str]:
    """Names of fonts whose descriptor carries no font program (pypdf only)."""
    missing: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for font_ref in fonts.get_object().values():
            font = font_ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


@needs_poppler
@pytest.mark.parametrize("kind", FORM_KINDS)
def test_form_renders_pages_with_case_zone_and_photo_hashes(kind: str, rendered: dict[str, bytes], demo_case: FormCase,
                                                            tmp_path: Path) -> None:
    pdf_path = tmp_path / f"{kind}.pdf"
    pdf_path.write_bytes(rendered[kind])
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf_path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    page_count = len(PdfReader(io.BytesIO(rendered[kind])).pages)
    assert len(pages) == page_count >= 2
    with Image.open(pages[0]) as first_page:
        assert first_page.width > 300 and first_page.height > first_page.width  # A4 portrait
    text = squeeze("".join(pdf_text(rendered[kind])))
    assert demo_case.case_no in text
    assert squeeze(demo_case.zones[0].name) in text
    for photo in demo_case.photos:
        assert photo.short_hash in text, photo.path.name
    assert evidence_digest(demo_case) in text
    assert demo_case.uuid in text


@needs_poppler
@pytest.mark.parametrize("kind", FORM_KINDS)
def test_every_font_is_embedded(kind: str, rendered: dict[str, bytes], tmp_path: Path) -> None:
    pdf_path = tmp_path / f"{kind}.pdf"
    pdf_path.write_bytes(rendered[kind])
    rows = pdffonts_rows(pdf_path)
    assert rows, "no fonts listed"
    for row in rows:
        assert row[-5] == "yes", f"font not embedded: {row}"


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_fonts_carry_their_program(kind: str, rendered: dict[str, bytes]) -> None:
    assert fonts_without_embedded_file(rendered[kind]) == []


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_footer_counts_pages_and_shows_version(kind: str, rendered: dict[str, bytes]) -> None:
    pages = pdf_text(rendered[kind])
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in squeeze(text)
        assert "9.9.9" in text
        assert "2024-10-2015:30" in squeeze(text)


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_ledger_markup_prints_literally(kind: str, demo_case: FormCase) -> None:
    photo = dataclasses.replace(demo_case.photos[0], caption=PAYLOAD)
    steps = (FormAcceptanceStep("县级 生态环境", PAYLOAD, "王<i>", "2024-10-08", "退回", PAYLOAD),)
    case = dataclasses.replace(
        demo_case, description=PAYLOAD, zone_names=(PAYLOAD,), photos=(photo, *demo_case.photos[1:]), acceptance=steps
    )
    text = squeeze("".join(pdf_text(render_form(case, kind, generated_at="2024-10-20 15:30"))))
    for fragment in ("甲<b>粗体</b>&<imgsrc=xonerror=alert(1)>${x}乙", "<b>", "&", "<img", "${x}"):
        assert fragment in text


@pytest.mark.parametrize("kind", ["inspection", "closure"])
def test_thirty_photos_give_a_correct_page_count(kind: str, tmp_path: Path) -> None:
    case = build_demo_case(tmp_path, photo_count=30)
    if kind == "inspection":  # the inspection form shows 现场核查 photos only
        case = dataclasses.replace(case, photos=[dataclasses.replace(p, phase="inspection") for p in case.photos])
    data = render_form(case, kind, generated_at="2024-10-20 15:30")
    pages = pdf_text(data)
    assert len(pages) >= 6
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in squeeze(text)
    joined = squeeze("".join(pages))
    for photo in case.photos:
        assert photo.short_hash in joined
    assert len(data) < 12 * 1024 * 1024


def test_long_text_continues_on_the_next_page(tmp_path: Path) -> None:
    paragraph = "养殖塘埂硬化并占用滩涂湿地，现场发现增氧设备及投饵痕迹。" * 12
    long_description = "\n".join(f"第{index}段：{paragraph}" for index in range(1, 25)) + "全文结束标记"
    case = build_demo_case(tmp_path, photo_count=2, description=long_description)
    pages = pdf_text(render_form(case, "inspection", generated_at="2024-10-20 15:30"))
    joined = squeeze("".join(pages))
    assert "第24段" in joined and "全文结束标记" in joined
    assert len(pages) >= 4


def test_large_rotated_photos_are_downscaled_and_upright(tmp_path: Path) -> None:
    case = build_demo_case(tmp_path, photo_count=6, large_photos=True)
    data = render_form(case, "closure", generated_at="2024-10-20 15:30")
    assert len(data) < 4 * 1024 * 1024
    sizes = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            sizes.append(image.image.size)
    photo_sizes = [size for size in sizes if size[0] < 1700 and size[1] < 1700 and max(size) > 200]
    assert photo_sizes and all(max(size) <= 1600 for size in sizes)
    # photo 2 is stored sideways (4000 wide before rotation, EXIF Orientation 6): printed landscape
    assert all(width >= height for width, height in photo_sizes if width != height)


def write_tiny_mbtiles(path: Path, lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """3×3 solid-colour PNG tiles around the point, TMS rows; returns the centre tile (x, xyz y)."""
    import math

    n = 1 << zoom
    column = int((lon + 180.0) / 360.0 * n)
    xyz_row = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        connection.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                           "tile_data BLOB)")
        connection.execute("INSERT INTO metadata VALUES ('format', 'png')")
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                colour = (0, 200, 0) if (dx, dy) == (0, 0) else (200, 0, 200) if dy == -1 else (120, 120, 120)
                buffer = io.BytesIO()
                Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
                tms_row = n - 1 - (xyz_row + dy)
                connection.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                                   (zoom, column + dx, tms_row, buffer.getvalue()))
    connection.close()
    return column, xyz_row


def test_form_with_mbtiles_basemap(tmp_path: Path) -> None:
    mbtiles = tmp_path / "basemap.mbtiles"
    write_tiny_mbtiles(mbtiles, 120.5012, 33.6034, 13)
    plain = build_demo_case(tmp_path / "photos", photo_count=2)
    with_basemap = dataclasses.replace(plain, basemap_mbtiles=mbtiles, basemap_label="测试底图")
    data = render_form(with_basemap, "notice", generated_at="2024-10-20 15:30")
    plain_data = render_form(plain, "notice", generated_at="2024-10-20 15:30")
    text = squeeze("".join(pdf_text(data)))
    assert "底图：测试底图" in text
    assert "底图：无" in squeeze("".join(pdf_text(plain_data)))

    def image_count(pdf: bytes) -> int:
        return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)

    assert image_count(data) == image_count(plain_data) + 1


def test_missing_font_raises_setup_error(monkeypatch: pytest.MonkeyPatch, demo_case: FormCase) -> None:
    monkeypatch.setattr(form_fonts_module, "candidate_font_files", lambda: [])
    form_fonts_module.form_fonts.cache_clear()
    try:
        with pytest.raises(SetupError) as error:
            render_form(demo_case, "inspection")
        assert "fonts-wqy-zenhei" in error.value.zh and "fonts-wqy-zenhei" in error.value.en
        assert error.value.exit_code == 3
    finally:
        form_fonts_module.form_fonts.cache_clear()


def test_empty_case_prints_blank_forms(tmp_path: Path) -> None:
    base = build_demo_case(tmp_path, photo_count=1)
    empty = dataclasses.replace(
        base, photos=(), footprints=(), zones=(), findings=(), rectification=None, checklist=None,
        acceptance=(), publicity=None, area_m2=None, admin=None, deadline=None,
    )
    for kind in FORM_KINDS:
        text = squeeze("".join(pdf_text(render_form(empty, kind, generated_at="2024-10-20 15:30"))))
        assert empty.case_no in text and evidence_digest(empty) in text


def test_same_input_same_bytes_and_write_form(demo_case: FormCase, rendered: dict[str, bytes], tmp_path: Path) -> None:
    again = render_form(demo_case, "closure", generated_at="2024-10-20 15:30", software_version="9.9.9")
    assert again == rendered["closure"]
    target = write_form(demo_case, "closure", tmp_path / "out" / "closure.pdf", generated_at="2024-10-20 15:30",
                        software_version="9.9.9")
    assert target.read_bytes() == rendered["closure"]
    assert [path.name for path in target.parent.iterdir()] == ["closure.pdf"]


def test_unreadable_photo_prints_a_placeholder(tmp_path: Path, demo_case: FormCase) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg at all")
    good = tmp_path / "good.jpg"
    sha = write_demo_photo(good, 3)
    photos = (
        FormPhoto(broken, "ab" * 32, "2024-05-10 09:00", phase="inspection"),
        FormPhoto(good, sha, "2024-05-10 09:05", 120.5, 33.6, 10.0),
    )
    text = squeeze("".join(pdf_text(render_form(dataclasses.replace(demo_case, photos=photos), "inspection"))))
    assert "证据文件无法读取" in text and "abababababab" in text and sha[:12] in text


@needs_poppler
def test_qr_code_decodes_to_uuid_and_digest(rendered: dict[str, bytes], demo_case: FormCase, tmp_path: Path) -> None:
    cv2 = pytest.importorskip("cv2", reason="OpenCV (optional) decodes the QR code")
    pdf_path = tmp_path / "inspection.pdf"
    pdf_path.write_bytes(rendered["inspection"])
    last_page = len(PdfReader(io.BytesIO(rendered["inspection"])).pages)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(last_page), "-l", str(last_page), str(pdf_path),
                    str(tmp_path / "qr")], check=True)
    image = cv2.imread(str(next(tmp_path.glob("qr*.png"))))
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert text == f"LVDUN:1:INSPECTION:{demo_case.uuid}:{evidence_digest(demo_case)}".upper()
