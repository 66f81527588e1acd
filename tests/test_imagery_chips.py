"""A patch case's 前时相 / 后时相 chips: the right epochs, clipped around the patch with its outline drawn, and
printed in the inspection form as 前后两期影像对比 (rendered with pdftoppm, looked at)."""
from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image

from inspector.imagery.chips import CHIP_PX, OUTLINE_RGB, VERIFIED_RGB, case_chips, choose_epochs
from inspector.imagery.imagery_store import add_epoch
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli
from tests.imagery_fixtures import write_scene

EPOCHS = {"2022秋": ("2022-10-01", (200, 60, 60)), "2023秋": ("2023-10-01", (60, 60, 200)),
          "2024秋": ("2024-10-01", (200, 160, 60))}
D = 0.0008  # degrees: the L-shaped patch's arm
L_SHAPE = {"type": "Polygon", "coordinates": [[
    [CENTRE[0] - D, CENTRE[1] - D], [CENTRE[0] + D, CENTRE[1] - D], [CENTRE[0] + D, CENTRE[1]],
    [CENTRE[0], CENTRE[1]], [CENTRE[0], CENTRE[1] + D], [CENTRE[0] - D, CENTRE[1] + D],
    [CENTRE[0] - D, CENTRE[1] - D]]]}
VERIFIED = {"type": "Polygon", "coordinates": [[
    [CENTRE[0] - D / 2, CENTRE[1] - D / 2], [CENTRE[0] + D / 2, CENTRE[1] - D / 2],
    [CENTRE[0] + D / 2, CENTRE[1] + D / 2], [CENTRE[0] - D / 2, CENTRE[1] - D / 2]]]}


@pytest.fixture
def patch_ws(tmp_path):
    ws = build_case_workspace(tmp_path)
    for label, (date, colour) in EPOCHS.items():
        add_epoch(ws, write_scene(tmp_path / f"{date}.tif", CENTRE, colour=colour), label, date=date)
    with ws.conn:  # the patch as import-patches stores it (migration v8 columns)
        ws.conn.execute("UPDATE cases SET geometry_geojson = ?, verified_geometry_geojson = ?, verified_area_m2 = ?, "
                        "imaged_before = '2023-10-15', imaged_after = '2024-09-01', area_m2 = 19200 "
                        "WHERE case_no = ?", (json.dumps(L_SHAPE), json.dumps(VERIFIED), 5432.1, CORE_CASE))
    yield ws
    ws.close()


def pixels_of(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 0) -> int:
    data = np.asarray(image.convert("RGB")).astype(int)
    return int((np.abs(data - np.array(rgb)).max(axis=2) <= tolerance).sum())


def test_chips_pick_the_epochs_around_the_imaging_dates_and_draw_the_outline(patch_ws):
    chips = case_chips(patch_ws, CORE_CASE)
    assert chips.outline == "polygon" and chips.verified_area_m2 == pytest.approx(5432.1)
    assert (chips.before.epoch, chips.after.epoch) == ("2023秋", "2024秋")
    for chip, colour in ((chips.before, EPOCHS["2023秋"][1]), (chips.after, EPOCHS["2024秋"][1])):
        assert chip.image.size == (CHIP_PX, CHIP_PX)
        assert pixels_of(chip.image, OUTLINE_RGB) > 1000  # the L's six sides, 3 px wide
        assert pixels_of(chip.image, VERIFIED_RGB) > 300
        assert pixels_of(chip.image, colour, tolerance=40) > CHIP_PX * CHIP_PX / 3  # the epoch's own image
        corner = chip.image.getpixel((CHIP_PX * 3 // 4, CHIP_PX // 4))  # outside the L (its missing quarter)
        assert corner != OUTLINE_RGB


def test_chips_cli_writes_pngs_and_a_point_case_gets_a_ring(patch_ws, tmp_path):
    with patch_ws.conn:
        patch_ws.conn.execute("UPDATE cases SET geometry_geojson = NULL, verified_geometry_geojson = NULL, "
                              "imaged_before = NULL, imaged_after = NULL, discovered_on = '2024-01-05' "
                              "WHERE case_no = ?", (CORE_CASE,))
    patch_ws.close()
    result = run_cli("--workspace", str(patch_ws.root), "imagery", "chips", CORE_CASE, "-o", str(tmp_path / "c"),
                     "--json")
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)
    assert written["outline"] == "point"
    assert (written["before"]["epoch"], written["after"]["epoch"]) == ("2023秋", "2024秋")  # around discovery
    ring = Image.open(written["after"]["file"])
    assert 100 < pixels_of(ring, OUTLINE_RGB) < 2000


def test_choice_without_dates_takes_the_two_most_recent():
    epochs = [{"epoch": "a", "date": "2021-01-01"}, {"epoch": "b", "date": "2022-01-01"}, {"epoch": "c", "date": None}]
    before, after = choose_epochs(epochs, imaged_before=None, imaged_after=None, discovered_on="2030-01-01")
    assert (before["epoch"], after["epoch"]) == ("b", "c")
    assert choose_epochs(epochs[:1], imaged_before=None, imaged_after=None, discovered_on=None) == (None, epochs[0])


def test_inspection_form_prints_both_chips_with_outline_and_verified_area(patch_ws, tmp_path):
    patch_ws.close()
    pdf = tmp_path / "inspection.pdf"
    result = run_cli("--workspace", str(patch_ws.root), "form", CORE_CASE, "--kind", "inspection", "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "前后两期影像对比" in text
    assert "前时相：2023秋（2023-10-01）" in text and "后时相：2024秋（2024-10-01）" in text
    assert "核实面积：5,432.1 m²" in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    yellow = sum(pixels_of(Image.open(page), OUTLINE_RGB, tolerance=30) for page in pages)
    blue = sum(pixels_of(Image.open(page), EPOCHS["2023秋"][1], tolerance=40) for page in pages)
    assert yellow > 100 and blue > 2000
