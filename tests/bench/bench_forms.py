"""Benchmark: closure forms per second (reportlab) vs LibreOffice converting an equivalent .docx.

Run: ``.venv/bin/python tests/bench/bench_forms.py [--forms 20] [--peer-runs 3] [--small]``.
Not part of the test run.

Ours: ``render_form(case, "closure")`` for the demo case with 6 photos
(12-megapixel 4000×3000 JPEGs of about 2.9 MB, like a field phone's; ``--small``
uses 1600×1200), a
location map with a basemap from a local MBTiles file, the evidence list and
the QR block. Measured cold (photo cache cleared before each form, so every
photo is decoded, turned upright and downscaled again) and warm.

Peer: the same text, tables and the 6 photos written to a .docx with
python-docx (built once, not timed), then ``soffice --headless --convert-to
pdf`` — once per form with a fresh process (how a one-off export runs) and
once for a batch of documents in a single process (its best case). The
.docx has no map drawing, which only favours the peer. When ``soffice`` is
missing, the peer is skipped with a message.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from summary import floor_row  # noqa: E402

from inspector.demo.form_case import build_demo_case, write_demo_mbtiles  # noqa: E402
from inspector.forms import render_form  # noqa: E402
from inspector.forms.closure_form import CHECKLIST_ITEMS, LEVEL_TITLES  # noqa: E402
from inspector.forms.coordinates import format_area, format_position_decimal, format_position_dms  # noqa: E402
from inspector.forms.evidence_qr import evidence_digest  # noqa: E402
from inspector.forms.location_map import basemap_jpeg  # noqa: E402
from inspector.forms.model import FormCase  # noqa: E402
from inspector.forms.photo_images import _prepare_cached  # noqa: E402
from inspector.forms.photos import caption_markup  # noqa: E402

TARGET_RATIO = 10.0


def time_ours(case: FormCase, forms: int, *, cold: bool) -> list[float]:
    times = []
    for _ in range(forms):
        if cold:
            _prepare_cached.cache_clear()
            basemap_jpeg.cache_clear()
        start = time.perf_counter()
        render_form(case, "closure", generated_at="2024-10-20 15:30")
        times.append(time.perf_counter() - start)
    return times


def plain_caption(case: FormCase, index: int) -> str:
    photo = case.photos[index]
    caption = caption_markup(photo, index + 1).replace("<br/>", "\n").replace("&nbsp;", " ").replace("&amp;", "&")
    return caption + (f"\n说明：{photo.caption}" if photo.caption else "")


def build_docx(case: FormCase, path: Path) -> None:
    """The closure form's text, tables and photos as a Word document."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading("生态环境问题整改销号申请及验收表", level=1)

    def grid(rows: list[list[str]]) -> None:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text

    rect = case.rectification
    document.add_paragraph("一、问题基本信息")
    grid([
        ["问题编号", case.case_no, "问题类型", case.problem_type],
        ["保护地/红线名称", case.zone_label, "类型", case.kind],
        ["功能区", case.function_zone or "", "行政区", case.admin.label if case.admin else ""],
        ["坐标", format_position_decimal(case.lon, case.lat) + "\n" + format_position_dms(case.lon, case.lat),
         "面积", format_area(case.area_m2)],
        ["发现日期", case.discovered_on, "整改期限", case.deadline or ""],
        ["问题描述", case.description, "", ""],
    ])
    document.add_paragraph("二、整改完成情况")
    grid([["整改方式", rect.measure_type if rect else ""], ["整改措施", rect.measures if rect else ""],
          ["责任单位", rect.responsible_unit if rect else ""]])
    grid([["日期", "整改进展情况"]] + [[d, t] for d, t in (rect.progress if rect else ())])
    document.add_paragraph("三、“两断三清”落实情况")
    checklist = case.checklist
    grid([["项目", "要求", "落实情况"]] + [
        [name, requirement, "☑已落实" if checklist and getattr(checklist, attribute) else "☐已落实"]
        for attribute, name, requirement in CHECKLIST_ITEMS
    ])
    document.add_paragraph("五、整改前后对比照片")
    for index, photo in enumerate(case.photos):
        document.add_picture(str(photo.path), width=Mm(80))
        document.add_paragraph(plain_caption(case, index))
    document.add_paragraph("六、验收意见")
    grid([[LEVEL_TITLES.get(step.level, step.level).replace("<br/>", ""), step.opinion,
           f"签字：{step.signer} 日期：{step.date}"] for step in case.acceptance])
    document.add_paragraph(f"公示情况：{case.publicity or ''}")
    document.add_paragraph(f"案件UUID：{case.uuid}\n证据摘要：{evidence_digest(case)}")
    document.save(str(path))


def soffice_convert(soffice: str, documents: list[Path], out_dir: Path, profile: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), *map(str, documents)],
        check=True, capture_output=True, timeout=600,
    )
    elapsed = time.perf_counter() - start
    for document in documents:
        if not (out_dir / f"{document.stem}.pdf").is_file():
            raise RuntimeError(f"soffice produced no PDF for {document.name}")
    return elapsed


def describe(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{label:<52} median {median * 1000:8.1f} ms/form   min {min(times) * 1000:8.1f}   "
          f"max {max(times) * 1000:8.1f}   ({len(times)} runs, {1 / median:6.2f} forms/s)")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=20, help="forms rendered by reportlab per mode")
    parser.add_argument("--peer-runs", type=int, default=3, help="soffice conversions, one process each")
    parser.add_argument("--small", action="store_true", help="1600×1200 photos instead of 4000×3000")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-forms-") as folder:
        work = Path(folder)
        basemap = write_demo_mbtiles(work / "basemap.mbtiles")
        case = build_demo_case(work / "photos", photo_count=6, large_photos=not args.small, basemap=basemap)
        sample = render_form(case, "closure", generated_at="2024-10-20 15:30")
        size = "1600×1200" if args.small else "4000×3000"
        print(f"closure form: 6 photos ({size} JPEG), map with MBTiles basemap, {len(sample) / 1024:.0f} KiB PDF")
        print()
        ours_cold = describe("reportlab render_form (cold: photos, basemap re-processed)",
                             time_ours(case, args.forms, cold=True))
        ours_warm = describe("reportlab render_form (warm: photo and basemap cache hit)",
                             time_ours(case, args.forms, cold=False))

        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            print()
            print("PEER SKIPPED: soffice not found. Install it with `apt-get install -y libreoffice-writer-nogui`")
            print("(or libreoffice-writer) to compare with LibreOffice headless .docx → PDF.")
            return 0
        try:
            import docx  # noqa: F401
        except ImportError:
            print("\nPEER SKIPPED: python-docx is not installed (pip install python-docx).")
            return 0
        document = work / "closure.docx"
        build_docx(case, document)
        profile = work / "lo-profile"
        out_dir = work / "lo-out"
        out_dir.mkdir()
        soffice_convert(soffice, [document], out_dir, profile)  # warm-up: creates the profile, not timed
        single = [soffice_convert(soffice, [document], out_dir, profile) for _ in range(args.peer_runs)]
        batch_docs = []
        for index in range(max(args.peer_runs, 5)):
            copy = work / f"closure_{index}.docx"
            shutil.copyfile(document, copy)
            batch_docs.append(copy)
        batch_time = soffice_convert(soffice, batch_docs, out_dir, profile)
        print(f"(.docx built with python-docx: {document.stat().st_size / 1024:.0f} KiB; LibreOffice: {soffice})")
        peer_single = describe("soffice --convert-to pdf (one process per form)", single)
        peer_batch = describe(f"soffice --convert-to pdf (batch of {len(batch_docs)} in one process)",
                              [batch_time / len(batch_docs)])
        print()
        print(f"{'ratio (peer time / our time)':<52} {'cold':>8} {'warm':>8}")
        for label, peer in (("soffice, one process per form", peer_single),
                            ("soffice, batch in one process (its best case)", peer_batch)):
            cold_ratio, warm_ratio = peer / ours_cold, peer / ours_warm
            verdict = "target met" if cold_ratio >= TARGET_RATIO else "below target when cold"
            print(f"{label:<52} {cold_ratio:7.1f}× {warm_ratio:7.1f}×   (target ≥ {TARGET_RATIO:.0f}×: {verdict})")
            floor_row(f"forms cold vs {label}", cold_ratio, "× faster", TARGET_RATIO, higher_is_better=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
