"""The demo workspace's sample basemap: generated at demo creation (no committed binary), marked 示例 in its name,
description and flag, listed as a base layer called 示例底图, and printed as 示例底图 on a demo case's form."""
from __future__ import annotations

import sqlite3
import subprocess

from inspector.casework.cases import list_cases
from inspector.maps.basemap_store import list_basemaps
from inspector.maps.basemap_tiles import TileSource
from inspector.resources import resource_path
from tests.case_fixtures import run_cli


def test_the_demo_has_a_sample_basemap_the_map_and_forms_call_so(demo_ws, tmp_path):
    assert not list(resource_path("demo").glob("*.mbtiles")) and not list(resource_path("demo").glob("*.tif"))
    [entry] = list_basemaps(demo_ws)
    assert entry["sample"] is True and "示例" in entry["name"] and entry["label"].startswith("示例底图")
    assert entry["zooms"][1] <= 14 and entry["tiles"] < 400  # limited to the demo area
    with sqlite3.connect(entry["file"]) as db:
        meta = dict(db.execute("SELECT name, value FROM metadata"))
    assert "示例" in meta["name"] and "示例" in meta["description"] and meta["lvdun_sample"] == "1"
    tiles = TileSource.for_workspace(demo_ws)
    assert [info.label for info in tiles.info()] == [entry["label"]]  # the map's base layer is called so
    tiles.close()
    west, south, east, north = entry["bounds"]
    covered = [c for c in list_cases(demo_ws) if c["lon"] is not None
               and west < c["lon"] < east and south < c["lat"] < north]
    assert covered
    out = tmp_path / "demo-form.pdf"
    result = run_cli("--workspace", str(demo_ws.root), "form", covered[0]["case_no"], "--kind", "inspection",
                     "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert f"底图：{entry['label']}（本地离线）" in text
