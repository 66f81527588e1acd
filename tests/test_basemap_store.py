"""basemap build / add / list / remove: GeoTIFFs written here with GDAL, MBTiles files crafted here (honest and
hostile); every bad file exits 2 with a reason and leaves nothing in the basemap folder."""
from __future__ import annotations

import io
import json
import math
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from inspector.errors import BadInput
from inspector.maps import mbtiles_intake
from inspector.maps.basemap_store import add_basemap, basemap_dir, build_basemap, list_basemaps
from inspector.maps.basemap_tiles import TileSource
from tests.case_fixtures import CENTRE, run_cli
from tests.imagery_fixtures import write_plain_tiff, write_scene


def xyz_tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    count = 1 << zoom
    x = int((lon + 180) / 360 * count)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * count)
    return x, y


def png(colour: tuple[int, int, int] = (30, 140, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def craft(path: Path, tiles: list[tuple[int, int, int, object]], meta: dict[str, str] | None = None,
          schema: str | None = None) -> Path:
    """An MBTiles file with these (zoom, column, TMS row, data) tiles, or with ``schema`` instead of a tiles table."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", list((meta or {"format": "png"}).items()))
        if schema:
            db.executescript(schema)
        else:
            db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
            db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", tiles)
    return path


def honest_tiles(lon: float = CENTRE[0], lat: float = CENTRE[1], zoom: int = 14) -> list[tuple[int, int, int, object]]:
    x, y = xyz_tile(lon, lat, zoom)
    return [(zoom, x, (1 << zoom) - 1 - y, png())]


def test_build_then_add_list_remove_through_the_cli(ws, tmp_path):
    scene = write_scene(tmp_path / "ortho.tif", CENTRE, size_px=800)
    built = run_cli("basemap", "build", str(scene), "-o", str(tmp_path / "ortho.mbtiles"), "--zooms", "10-16",
                    "--json")
    assert built.returncode == 0, built.stderr
    result = json.loads(built.stdout)
    assert set(result) == {"file", "zooms", "tiles", "bounds"}
    assert result["zooms"] == [10, 16] and result["tiles"] > 6  # clamped under the scene's own zoom 17
    west, south, east, north = result["bounds"]
    assert west < CENTRE[0] < east and south < CENTRE[1] < north
    with sqlite3.connect(result["file"]) as db:
        assert [z for (z,) in db.execute("SELECT DISTINCT zoom_level FROM tiles ORDER BY 1")] == list(range(10, 17))
    ws.close()
    root = str(ws.root)
    added = run_cli("--workspace", root, "basemap", "add", result["file"], "--name", "正射2024", "--json")
    assert added.returncode == 0, added.stderr
    entry = json.loads(added.stdout)
    assert entry["name"] == "正射2024" and entry["zooms"] == [10, 16] and entry["format"] == "png"
    assert entry["sample"] is False and entry["size"] > 0 and Path(entry["file"]).parent.name == "basemaps"
    listed = json.loads(run_cli("--workspace", root, "basemap", "list", "--json").stdout)
    assert [(e["name"], e["zooms"]) for e in listed] == [("正射2024", [10, 16])]
    assert {"name", "file", "zooms", "bounds", "format", "sample", "size"} <= set(listed[0])
    again = run_cli("--workspace", root, "basemap", "add", result["file"], "--name", "正射2024")
    assert again.returncode == 2 and "正射2024" in again.stderr
    assert run_cli("--workspace", root, "basemap", "remove", "正射2024").returncode == 0
    assert json.loads(run_cli("--workspace", root, "basemap", "list", "--json").stdout) == []
    assert run_cli("--workspace", root, "basemap", "remove", "正射2024").returncode == 2


def test_zooms_clamp_what_is_written(tmp_path):
    scene = write_scene(tmp_path / "s.tif", CENTRE, size_px=400, pixel_m=2.0)  # about zoom 16
    finer = build_basemap(scene, tmp_path / "fine.mbtiles", zooms=(18, 19))
    assert finer["zooms"] == [18, 18]  # enlarged to the first level admitted, nothing finer
    coarse = build_basemap(scene, tmp_path / "coarse.mbtiles", zooms=(11, 13))
    assert coarse["zooms"] == [11, 13]
    default = build_basemap(scene, tmp_path / "native.mbtiles")
    assert default["zooms"][1] in (16, 17)


@pytest.mark.parametrize("make, args, words", [
    (lambda tmp: write_plain_tiff(tmp / "plain.tif"), [], "plain.tif"),
    (lambda tmp: write_scene(tmp / "beijing.tif", (116.4, 39.9), size_px=200), [], "Jiangsu"),
    (lambda tmp: tmp / "missing.tif", [], "missing.tif"),
    (lambda tmp: ((tmp / "text.tif").write_text("not a tiff"), tmp / "text.tif")[1], [], "text.tif"),
    (lambda tmp: write_scene(tmp / "ok.tif", CENTRE, size_px=200), ["--zooms", "16-3"], "zoom range"),
    (lambda tmp: write_scene(tmp / "ok.tif", CENTRE, size_px=200), ["--zooms", "10-23"], "zoom range"),
])
def test_build_refuses_bad_sources(tmp_path, make, args, words):
    source = make(tmp_path)
    result = run_cli("basemap", "build", str(source), "-o", str(tmp_path / "out.mbtiles"), *args, "--json",
                     env={"INSPECTOR_LANG": "en"})
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".mbtiles") == []


HOSTILE = {
    "not sqlite": lambda p: (p.write_bytes(b"PK\x03\x04 zip, not sqlite"), p)[1],
    "no tiles table": lambda p: craft(p, [], schema="CREATE TABLE other (x)"),
    "vector tiles": lambda p: craft(p, honest_tiles(), {"format": "pbf"}),
    "tile is not an image": lambda p: craft(p, [(14, *honest_tiles()[0][1:3], b"<script>alert(1)</script>")]),
    "tile is text": lambda p: craft(p, [(14, *honest_tiles()[0][1:3], "text")]),
    "column outside the grid": lambda p: craft(p, [(3, 99, 0, png())]),
    "zoom out of range": lambda p: craft(p, [(40, 0, 0, png())]),
    "in Beijing": lambda p: craft(p, honest_tiles(116.4, 39.9)),
    "world at zoom 1": lambda p: craft(p, [(1, 0, 0, png()), (1, 1, 1, png())]),
    "empty": lambda p: craft(p, []),
    "duplicate tiles": lambda p: craft(p, honest_tiles() * 2),
    "truncated": lambda p: (craft(p, honest_tiles()),
                            p.write_bytes(p.read_bytes()[:2000]), p)[2],
    "endless view": lambda p: craft(p, [], schema=(
        "CREATE VIEW tiles AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT 14 AS zoom_level, 1 AS tile_column, 1 AS tile_row, NULL AS tile_data FROM n")),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_add_refuses_hostile_files(ws, tmp_path, monkeypatch, name):
    monkeypatch.setattr(mbtiles_intake, "SECONDS_BASE", 1.0)  # the endless view stops after a second
    path = HOSTILE[name](tmp_path / "hostile.mbtiles")
    with pytest.raises(BadInput) as refused:
        add_basemap(ws, path, "hostile")
    assert "hostile.mbtiles" in refused.value.message.en
    assert list_basemaps(ws) == []
    assert sorted(p.name for p in basemap_dir(ws).iterdir()) == []  # no temporary file left behind


def test_add_refuses_through_the_cli_with_exit_2(ws, tmp_path):
    path = HOSTILE["tile is not an image"](tmp_path / "bad.mbtiles")
    ws.close()
    result = run_cli("--workspace", str(ws.root), "basemap", "add", str(path), "--json", env={"INSPECTOR_LANG": "en"})
    assert result.returncode == 2 and "not a PNG, JPEG or WebP" in result.stderr
    bad_name = run_cli("--workspace", str(ws.root), "basemap", "add", str(path), "--name", "../x")
    assert bad_name.returncode == 2


def test_added_file_is_rewritten_clean_and_served_at_the_same_address(ws, tmp_path):
    zoom = 15
    x, y = xyz_tile(*CENTRE, zoom)
    xyz = craft(tmp_path / "xyz.mbtiles", [(zoom, x, y, png((200, 10, 10)))],
                {"format": "png", "scheme": "xyz", "name": "<img src=x onerror=alert(1)>", "bounds": "0,0,1,1"},
                schema=None)
    with sqlite3.connect(xyz) as db:
        db.execute("CREATE TRIGGER t AFTER INSERT ON metadata BEGIN DELETE FROM tiles; END")
    entry = add_basemap(ws, xyz, "xyz底图")
    assert entry["zooms"] == [zoom, zoom] and entry["label"] == "底图 xyz底图"
    west, south, east, north = entry["bounds"]  # from the tiles, not the file's claim
    assert west < CENTRE[0] < east and south < CENTRE[1] < north
    with sqlite3.connect(entry["file"]) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchone()[0] == 0
        meta = dict(db.execute("SELECT name, value FROM metadata"))
    assert "scheme" not in meta and meta["name"] == "xyz底图" and meta["lvdun_sample"] == "0"
    source = TileSource(ws.basemaps())
    served = source.tile("xyz底图", zoom, x, y)
    source.close()
    assert served is not None and served[1] == "image/png"
    assert Image.open(io.BytesIO(served[0])).getpixel((5, 5))[:3] == (200, 10, 10)


def test_a_file_being_added_is_not_a_basemap(ws):
    basemap_dir(ws).mkdir()
    craft(basemap_dir(ws) / ".adding-123.mbtiles", honest_tiles())
    assert ws.basemaps() == [] and list_basemaps(ws) == []
