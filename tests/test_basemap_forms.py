"""The forms draw the workspace's basemap: with one added that covers the case, the location map shows it and
its caption names it (read back from the PDF); without one, or with one elsewhere, it says 底图：无."""
from __future__ import annotations

import subprocess

from inspector.maps.basemap_store import add_basemap, build_basemap
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli
from tests.imagery_fixtures import write_scene


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_images(path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return len(listing.splitlines()) - 2  # two header lines


def render(ws, tmp_path, name: str):
    out = tmp_path / f"{name}.pdf"
    result = run_cli("--workspace", str(ws.root), "form", CORE_CASE, "--kind", "inspection", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_the_form_draws_and_names_the_basemap_covering_the_case(tmp_path):
    ws = build_case_workspace(tmp_path / "case")
    plain = render(ws, tmp_path, "plain")
    assert "底图：无" in pdf_text(plain)
    far = write_scene(tmp_path / "far.tif", (CENTRE[0] + 0.5, CENTRE[1] + 0.5), size_px=300, pixel_m=4.0)
    add_basemap(ws, build_basemap(far, tmp_path / "far.mbtiles")["file"], "别处底图")
    scene = write_scene(tmp_path / "ortho.tif", CENTRE, size_px=1200, pixel_m=5.0, colour=(20, 90, 160))
    add_basemap(ws, build_basemap(scene, tmp_path / "ortho.mbtiles", zooms=(12, 15))["file"], "射阳正射2024")
    ws.close()
    drawn = render(ws, tmp_path, "basemap")
    text = pdf_text(drawn)
    assert "底图：底图 射阳正射2024（本地离线）" in text and "底图：无" not in text and "别处底图" not in text
    assert pdf_images(drawn) > pdf_images(plain)  # the stitched basemap is an image on the page
