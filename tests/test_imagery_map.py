"""Imagery epochs as map base layers: listed in the map document with their label, tiles served through the
tile source (and the GUI's lvdun: scheme handler) from the epoch's MBTiles, nothing outside the imagery folder."""
from __future__ import annotations

import json
import math
import re

import pytest

from inspector.imagery.imagery_store import add_epoch, imagery_dir
from inspector.maps.basemap_tiles import TileSource, tile_mime
from inspector.maps.map_document import build_workspace_map
from tests.case_fixtures import CENTRE
from tests.imagery_fixtures import write_scene


def xyz_tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 1 << zoom
    row = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(row)


@pytest.fixture
def epoch_ws(ws, tmp_path):
    add_epoch(ws, write_scene(tmp_path / "s.tif", CENTRE, size_px=600), "2024秋", date="2024-10-01")
    return ws


def test_epochs_are_labelled_base_layers_with_their_tiles(epoch_ws):
    source = TileSource.for_workspace(epoch_ws)
    assert source.names() == ["imagery.2024秋"]
    [info] = source.info()
    assert info.label == "影像 2024秋（2024-10-01）" and info.raster
    column, row = xyz_tile(*CENTRE, info.max_zoom)
    data, mime = source.tile_for_path(f"/imagery.2024秋/{info.max_zoom}/{column}/{row}.png")
    assert mime == "image/png" and tile_mime(data) == "image/png"
    assert source.tile("imagery.2024秋", info.max_zoom, column + 50, row) is None
    source.close()
    bundle = build_workspace_map(epoch_ws)
    config = json.loads(re.search(r'id="lvdun-config">(.*?)</script>', bundle.html).group(1))
    assert config["basemaps"] == [{"url": "lvdun://tiles/imagery.2024秋/{z}/{x}/{y}", "minZoom": info.min_zoom,
                                   "maxZoom": info.max_zoom, "bounds": list(info.bounds),
                                   "label": "影像 2024秋（2024-10-01）"}]


def test_nothing_outside_the_imagery_folder_is_served(epoch_ws, tmp_path):
    outside = tmp_path / "elsewhere.mbtiles"
    outside.write_bytes((imagery_dir(epoch_ws) / "2024秋.mbtiles").read_bytes())
    (imagery_dir(epoch_ws) / "leak.mbtiles").symlink_to(outside)
    (imagery_dir(epoch_ws) / "junk.mbtiles").write_bytes(b"not sqlite")
    source = TileSource.for_workspace(epoch_ws)
    assert source.names() == ["imagery.2024秋"]
    assert source.tile_for_path("/imagery.leak/17/0/0") is None
    assert source.tile_for_path("/imagery.2024秋/../../elsewhere/1/0/0") is None
    source.close()


def test_the_map_scheme_serves_an_epoch_tile(epoch_ws, qapp):
    from ui.map.map_scheme import MapSchemeHandler

    source = TileSource.for_workspace(epoch_ws)
    [info] = source.info()
    column, row = xyz_tile(*CENTRE, info.max_zoom)
    handler = MapSchemeHandler()
    handler.set_content(None, source)
    data, mime = handler._answer("tiles", f"/imagery.2024秋/{info.max_zoom}/{column}/{row}")
    assert mime == "image/png" and data.startswith(b"\x89PNG")
    assert handler._answer("tiles", "/imagery.2024秋/99/0/0") is None
    handler.set_content(None, None)
