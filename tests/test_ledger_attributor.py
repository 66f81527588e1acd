"""The helper process that attributes a large ledger's new cases (:mod:`inspector.importers.ledger_attributor`)
answers exactly what the in-process bulk attribution answers — on the demo zones' boundaries, random points,
the demo cases, points far away and hostile positions — run after run, and falls back to the in-process
answer, unchanged, when it cannot serve. An import through the helper stores what one without it stores."""
from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np

from inspector.geo.attribution import Lookup, lookup_attributions, lookup_for
from inspector.importers import ledger_import
from inspector.importers.ledger_attributor import AttributionProcess
from inspector.importers.ledger_import import import_ledger
from inspector.importers.ledger_writer import new_uuids
from inspector.importers.zone_import import import_zones
from inspector.resources import resource_path
from inspector.store.workspace import Workspace
from tests.test_ledger_attribution import _test_points, write_points_ledger

# positions no ledger check lets through, but which the attribution must answer alike in both processes
HOSTILE = [(0.0, 0.0), (180.0, 90.0), (-180.0, -90.0), (1e300, -1e300), (120.0, 1e-300), (119.2, 34.6)]


def _points(ws: Workspace) -> tuple[np.ndarray, np.ndarray]:
    lons, lats = _test_points(ws, np.random.default_rng(20261201))
    hostile = np.array(HOSTILE * 3)  # repeated: the same point twice in one run
    return np.concatenate([lons, hostile[:, 0]]), np.concatenate([lats, hostile[:, 1]])


def _in_runs(lons: np.ndarray, lats: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(lons[i:i + size], lats[i:i + size]) for i in range(0, len(lons), size)]


def _in_process(lookup: Lookup, runs: list[tuple[np.ndarray, np.ndarray]]) -> list:
    return [lookup_attributions(lookup, lons, lats, [None] * len(lons)) for lons, lats in runs]


def test_the_helper_answers_as_the_importing_process(demo_ws):
    runs = _in_runs(*_points(demo_ws), 1000)
    lookup = lookup_for(demo_ws)
    with AttributionProcess(demo_ws.root, lookup) as helper:
        for lons, lats in runs:
            helper.submit(lons, lats)
        answered = [helper.result() for _ in runs]
        assert helper.running  # the helper answered every run itself
    expected = _in_process(lookup, runs)
    assert answered == expected
    assert any(a.zones for run in expected for a in run) and any(a.columns[2] is None for run in expected for a in run)


def test_a_helper_of_another_zones_generation_is_not_used(demo_ws):
    runs = _in_runs(*_points(demo_ws), 2000)
    lookup = Lookup(demo_ws)
    lookup.generation += 1  # the importer sees zones the helper (reading what is committed) does not
    with AttributionProcess(demo_ws.root, lookup) as helper:
        for lons, lats in runs:
            helper.submit(lons, lats)
        answered = [helper.result() for _ in runs]
        assert not helper.running
    assert answered == _in_process(lookup, runs)


def test_a_helper_that_cannot_open_the_workspace_leaves_the_answer_unchanged(demo_ws, tmp_path: Path):
    runs = _in_runs(*_points(demo_ws), 2000)
    lookup = lookup_for(demo_ws)
    with AttributionProcess(tmp_path / "no workspace here", lookup) as helper:
        helper.submit(*runs[0])
        first = helper.result()
        assert not helper.running
        for lons, lats in runs[1:]:
            helper.submit(lons, lats)
        answered = [first] + [helper.result() for _ in runs[1:]]
    assert answered == _in_process(lookup, runs)


def _stored(ws: Workspace) -> tuple[list, list]:
    columns = [r[1] for r in ws.conn.execute("PRAGMA table_info(cases)")
               if r[1] not in ("id", "uuid", "created_at", "updated_at")]
    cases = [tuple(r) for r in ws.conn.execute(f"SELECT {', '.join(columns)} FROM cases ORDER BY id")]
    links = [tuple(r) for r in ws.conn.execute(
        "SELECT c.case_no, z.zone_id, z.overlap_m2, z.overlap_share FROM case_zones z "
        "JOIN cases c ON c.id = z.case_id ORDER BY c.id, z.zone_id")]
    return cases, links


def test_an_import_through_the_helper_stores_what_one_without_it_stores(demo_ws, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ledger_import, "ATTRIBUTION_RUN_ROWS", 700)  # several runs
    lons, lats = _test_points(demo_ws, np.random.default_rng(11))
    ledger = write_points_ledger(tmp_path / "台账.csv", lons, lats, "AH")
    answered_by_helper = []
    helper_result = AttributionProcess.result

    def result(helper: AttributionProcess) -> list:
        found = helper_result(helper)
        answered_by_helper.append(helper.running)
        return found

    monkeypatch.setattr(AttributionProcess, "result", result)
    stored = []
    for threshold, name in ((0, "with"), (10 ** 12, "without")):
        monkeypatch.setattr(ledger_import, "ATTRIBUTION_PROCESS_MIN_BYTES", threshold)
        ws = Workspace.create(tmp_path / name)
        import_zones(ws, resource_path("demo", "zones.geojson"))
        result = import_ledger(ws, ledger)
        assert result.created > 1000 and result.rejected
        stored.append((result.as_dict(), _stored(ws)))
        assert result.changes.case_uuids == {r[0] for r in ws.conn.execute("SELECT uuid FROM cases")}
        ws.close()
    assert len(answered_by_helper) > 1 and all(answered_by_helper)  # the first import's runs, by the helper
    assert stored[0] == stored[1]
    assert stored[0][1][1]  # some cases lie in zones


def test_new_uuids_are_random_version_4_uuids_in_their_text_form():
    made = new_uuids(5000)
    assert len(set(made)) == 5000 and new_uuids(0) == []
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # every bit but the version and variant ones varies
    bits = np.array([[int(text.replace("-", ""), 16) >> k & 1 for k in range(128)] for text in made[:2000]])
    fixed = {k for k in range(128) if bits[:, k].min() == bits[:, k].max()}
    assert fixed == {76, 77, 78, 79, 62, 63}
