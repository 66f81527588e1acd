"""imagery add / list / remove: GeoTIFFs written here with GDAL, stored as MBTiles per epoch; bad input refused
with exit 2 and nothing left behind."""
from __future__ import annotations

import json
import sqlite3

import pytest
from osgeo import gdal

from inspector.errors import BadInput
from inspector.imagery.imagery_store import add_epoch, imagery_dir, list_epochs, remove_epoch
from tests.case_fixtures import CENTRE, run_cli
from tests.imagery_fixtures import write_plain_tiff, write_scene


def leftovers(ws) -> list[str]:
    folder = imagery_dir(ws)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_add_list_remove_through_the_cli(ws, tmp_path):
    scene = write_scene(tmp_path / "before.tif", CENTRE)
    ws.close()
    added = run_cli("--workspace", str(ws.root), "imagery", "add", str(scene), "--epoch", "2023Q4",
                    "--date", "2023-11-02", "--json")
    assert added.returncode == 0, added.stderr
    entry = json.loads(added.stdout)
    assert entry["epoch"] == "2023Q4" and entry["date"] == "2023-11-02"
    west, south, east, north = entry["bounds"]
    assert west < CENTRE[0] < east and south < CENTRE[1] < north
    assert entry["max_zoom"] >= 17 and entry["min_zoom"] < entry["max_zoom"]  # overviews down to one tile
    assert entry["zooms"] == list(range(entry["min_zoom"], entry["max_zoom"] + 1))
    assert entry["size"] > 0
    listed = json.loads(run_cli("--workspace", str(ws.root), "imagery", "list", "--json").stdout)
    assert [e["epoch"] for e in listed] == ["2023Q4"]
    with sqlite3.connect(entry["file"]) as tiles:  # the index is the MBTiles metadata table
        meta = dict(tiles.execute("SELECT name, value FROM metadata"))
        top = tiles.execute("SELECT COUNT(*) FROM tiles WHERE zoom_level = ?", (entry["min_zoom"],)).fetchone()
    assert meta["lvdun_epoch"] == "2023Q4" and meta["lvdun_source_epsg"] == "4549"
    assert top[0] <= 4  # the coarsest level is at most one tile wide, which may straddle four
    again = run_cli("--workspace", str(ws.root), "imagery", "add", str(scene), "--epoch", "2023Q4")
    assert again.returncode == 2 and "2023Q4" in again.stderr
    removed = run_cli("--workspace", str(ws.root), "imagery", "remove", "2023Q4", "--json")
    assert removed.returncode == 0 and json.loads(removed.stdout) == {"removed": "2023Q4"}
    assert json.loads(run_cli("--workspace", str(ws.root), "imagery", "list", "--json").stdout) == []
    assert run_cli("--workspace", str(ws.root), "imagery", "remove", "2023Q4").returncode == 2


def test_lonlat_and_16_bit_scenes_and_progress(ws, tmp_path):
    steps = []
    add_epoch(ws, write_scene(tmp_path / "geo.tif", CENTRE, size_px=400, pixel_m=0.00001, epsg=4490),
              "经纬度", date="2024-05-01", progress=lambda done, total, _m: steps.append((done, total)))
    add_epoch(ws, write_scene(tmp_path / "u16.tif", CENTRE, size_px=400, colour=(900, 2000, 300),
                              dtype=gdal.GDT_UInt16), "u16")
    assert [e["epoch"] for e in list_epochs(ws)] == ["经纬度", "u16"]  # dated first
    assert steps and steps[-1] == (100, 100) and steps == sorted(steps)
    remove_epoch(ws, "u16")
    assert leftovers(ws) == ["经纬度.mbtiles"]


def corrupt_copy(tmp_path):
    good = write_scene(tmp_path / "good.tif", CENTRE, size_px=600, tiled=True).read_bytes()
    bad = tmp_path / "truncated.tif"
    bad.write_bytes(good[: len(good) // 3])
    return bad


def huge_header(tmp_path):
    path = tmp_path / "huge.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 200_000, 200_000, 3, gdal.GDT_Byte,
                                                   options=["SPARSE_OK=YES", "TILED=YES"])
    dataset.SetGeoTransform((120.0, 0.00001, 0, 34.0, 0, -0.00001))
    dataset.SetProjection('GEOGCS["CGCS2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],'
                          'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4490"]]')
    dataset = None
    return path


def hostile_metadata(tmp_path):
    path = write_scene(tmp_path / "hostile.tif", (2.35, 48.85), size_px=100, epsg=4326)  # Paris
    dataset = gdal.Open(str(path), gdal.GA_Update)
    dataset.SetMetadata({"TIFFTAG_IMAGEDESCRIPTION": "<img src=x onerror=alert(1)>${7*7}"})
    dataset = None
    return path


HOSTILE = {
    "not georeferenced": lambda tmp: write_plain_tiff(tmp / "plain.tif"),
    "truncated": corrupt_copy,
    "huge": huge_header,
    "outside Jiangsu": hostile_metadata,
    "not a TIFF": lambda tmp: (tmp / "fake.tif").write_bytes(b"<svg onload=alert(1)>") or tmp / "fake.tif",
    "missing": lambda tmp: tmp / "absent.tif",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_bad_input_exits_2_and_leaves_nothing(ws, tmp_path, kind):
    source = HOSTILE[kind](tmp_path)
    ws.close()
    result = run_cli("--workspace", str(ws.root), "imagery", "add", str(source), "--epoch", "x", "--json",
                     env={"INSPECTOR_LANG": "en"})
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.strip() and result.stdout == ""
    assert leftovers(ws) in ([], )


@pytest.mark.parametrize("label", ["../x", "a/b", "", ".hidden", "<b>", "x" * 41])
def test_unusable_labels_and_dates(ws, tmp_path, label):
    scene = write_scene(tmp_path / "s.tif", CENTRE, size_px=64)
    with pytest.raises(BadInput):
        add_epoch(ws, scene, label)
    with pytest.raises(BadInput):
        add_epoch(ws, scene, "ok", date="2024-13-01")
    assert leftovers(ws) == []
