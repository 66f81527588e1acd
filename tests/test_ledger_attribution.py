"""The ledger import attributes its new cases for the whole batch at once; that bulk attribution must be
exactly the one-point attribution (:func:`locate`) and what :func:`attribute_cases` writes for stored cases
(whether the import attributes its new cases in one run or several):
the same zones, function zone, nearest zone and distance, city and county — on the demo data and on random
points, points on zone boundaries (vertices and edge midpoints) and points far outside every zone."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import shapely

from inspector.geo.attribution import (
    ATTRIBUTION_COLUMNS,
    attribute_cases,
    attributions,
    locate,
    lookup_for,
    strictest_function_zone,
)
from inspector.importers import ledger_import
from inspector.importers.ledger_import import import_ledger
from inspector.store.workspace import Workspace

BOUNDARY_SAMPLE = 1500  # boundary points checked (vertices and edge midpoints of the demo zones)
RANDOM_POINTS = 1500  # random points around the demo zones
FAR_AWAY = [(121.9, 31.7), (116.0, 34.0), (119.5, 35.5), (105.0, 25.0)]  # lon, lat: beyond NEAREST_SEARCH_M


def _test_points(ws: Workspace, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    index = lookup_for(ws).zones
    index.load_all()
    geoms = [index.geometry(p) for p in range(len(index))]
    rings = shapely.get_coordinates(shapely.boundary(np.array(geoms, dtype=object)))
    midpoints = (rings[:-1] + rings[1:]) / 2  # mostly on an edge (a few across two rings: still fine points)
    boundary = np.concatenate([rings, midpoints])
    boundary = boundary[rng.choice(len(boundary), min(BOUNDARY_SAMPLE, len(boundary)), replace=False)]
    west, south, east, north = shapely.total_bounds(np.array(geoms, dtype=object))
    spread = np.column_stack([rng.uniform(west - 0.3, east + 0.3, RANDOM_POINTS),
                              rng.uniform(south - 0.3, north + 0.3, RANDOM_POINTS)])
    cases = np.array([tuple(r) for r in ws.conn.execute("SELECT lon, lat FROM cases")], dtype=float)
    points = np.concatenate([boundary, spread, cases, np.array(FAR_AWAY)])
    return points[:, 0], points[:, 1]


def _point_attribution(ws: Workspace, lon: float, lat: float) -> tuple:
    """The one-point attribution, in the terms of :class:`Attribution`: zone ids, function zone, nearest
    zone id and distance, city and county."""
    found = locate(ws, lon, lat)
    ids = dict(ws.conn.execute("SELECT uuid, id FROM zones"))
    nearest = found["nearest"]
    return ({ids[z["uuid"]] for z in found["zones"]}, found["function_zone"],
            ids[nearest["uuid"]] if nearest else None, nearest["distance_m"] if nearest else None,
            found["admin"]["city_adcode"], found["admin"]["county_adcode"])


def test_bulk_attribution_is_the_one_point_attribution(demo_ws):
    lons, lats = _test_points(demo_ws, np.random.default_rng(20261130))
    bulk = attributions(demo_ws, lons, lats, [None] * len(lons))
    lookup = lookup_for(demo_ws)
    inside = outside = boundary_hits = 0
    for i, (lon, lat) in enumerate(zip(lons.tolist(), lats.tolist())):
        attribution = bulk[i]
        zone_ids = {zone_id for zone_id, _, _ in attribution.zones}
        city, county, nearest_id, nearest_m, generation = attribution.columns
        function_zone = strictest_function_zone(lookup.zone_records(zone_ids))
        assert (zone_ids, function_zone, nearest_id, nearest_m, city, county) == \
            _point_attribution(demo_ws, lon, lat), (i, lon, lat)
        assert generation == demo_ws.zones_generation
        inside += bool(zone_ids)
        outside += nearest_id is None and not zone_ids
        boundary_hits += i < BOUNDARY_SAMPLE and bool(zone_ids)
    assert inside and outside >= len(FAR_AWAY) and boundary_hits  # every kind of point was met


def write_points_ledger(path: Path, lons: np.ndarray, lats: np.ndarray, prefix: str) -> Path:
    """A CSV ledger of one case per point (numbered ``{prefix}-00000`` on), coordinates written exactly."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["问题编号", "问题类型", "经度", "纬度", "发现时间"])
        for i, (lon, lat) in enumerate(zip(lons.tolist(), lats.tolist())):
            writer.writerow([f"{prefix}-{i:05d}", "养殖", repr(lon), repr(lat), "2026-03-01"])
    return path


@pytest.mark.parametrize("run_rows", [ledger_import.ATTRIBUTION_RUN_ROWS, 700])
def test_imported_attribution_is_that_of_attribute_cases(demo_ws, tmp_path: Path, monkeypatch, run_rows):
    monkeypatch.setattr(ledger_import, "ATTRIBUTION_RUN_ROWS", run_rows)  # one run, or several
    lons, lats = _test_points(demo_ws, np.random.default_rng(7))
    ledger = write_points_ledger(tmp_path / "台账.csv", lons, lats, "AT")
    result = import_ledger(demo_ws, ledger)
    assert result.created > 1000 and result.rejected  # points outside Jiangsu are rejected, the rest kept
    columns = f"SELECT case_no, {', '.join(ATTRIBUTION_COLUMNS)} FROM cases ORDER BY case_no"
    links = ("SELECT c.case_no, z.zone_id, z.overlap_m2, z.overlap_share FROM case_zones z "
             "JOIN cases c ON c.id = z.case_id ORDER BY c.case_no, z.zone_id")
    imported = [tuple(r) for r in demo_ws.conn.execute(columns)], [tuple(r) for r in demo_ws.conn.execute(links)]
    assert any(r[0].startswith("AT-") for r in imported[1])  # some new cases lie in zones
    assert attribute_cases(demo_ws) == len(imported[0])
    again = [tuple(r) for r in demo_ws.conn.execute(columns)], [tuple(r) for r in demo_ws.conn.execute(links)]
    assert again == imported
    created = {r[0] for r in demo_ws.conn.execute("SELECT uuid FROM cases WHERE case_no LIKE 'AT-%'")}
    assert created <= result.changes.case_uuids
