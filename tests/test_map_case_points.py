"""The case document SQLite builds (map_layers.encoded_case_points) is byte for byte what the Python encoder
writes for the same cases: ids, quantised positions (halves to even, as numpy), status codes, the box."""
from __future__ import annotations

import numpy as np
import pytest

from inspector.casework.case_list_query import CaseFilter
from inspector.demo.workspace import build_demo_workspace
from inspector.maps.map_layers import (
    CaseRecord,
    LayerSet,
    _quantised_sql,
    case_document,
    encoded_case_points,
    read_layers,
    to_json_bytes,
)
from inspector.store.db import atomic


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(tmp_path_factory.mktemp("points") / "ws")
    with atomic(ws.conn):  # an unknown status, and positions on a half quantum
        ws.conn.execute("UPDATE cases SET status = '（旧台账状态）' WHERE case_no = "
                        "(SELECT min(case_no) FROM cases)")
        ws.conn.execute("UPDATE cases SET lon = 120.000005, lat = 32.000025 WHERE case_no = "
                        "(SELECT max(case_no) FROM cases)")
    yield ws
    ws.close()


def _python_records(ws, case_filter: CaseFilter) -> list[CaseRecord]:
    where, params = case_filter.where()
    return [CaseRecord(r[0], float(r[1]), float(r[2]), r[3]) for r in ws.conn.execute(
        f"SELECT c.uuid, c.lon, c.lat, c.status FROM cases c WHERE {where} ORDER BY c.case_no", params)]


@pytest.mark.parametrize("case_filter", [CaseFilter(), CaseFilter(city_adcode="320100"), CaseFilter(text="无此")])
def test_sqlite_writes_the_bytes_the_python_encoder_writes(demo, case_filter):
    records = _python_records(demo, case_filter)
    layers = read_layers(demo, case_filter)
    assert layers.case_json() == to_json_bytes(case_document(records))
    assert layers.bounds() == LayerSet(layers.zones, records, layers.evidence, layers.admin).bounds()
    assert encoded_case_points(demo, case_filter).box == (
        (min(r.lon for r in records), min(r.lat for r in records), max(r.lon for r in records),
         max(r.lat for r in records)) if records else None)
    assert all(c.patch is not None or c.verified is not None for c in layers.cases)


def test_quantising_in_sql_rounds_halves_to_even_as_numpy(demo):
    values = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.4999999, 7.5000001, 120.000005, 0.0]
    for value in values:
        got = demo.conn.execute(f"SELECT {_quantised_sql(':v')}", {"v": value, "q": 1.0}).fetchone()[0]
        assert got == int(np.round(np.asarray([value]) / 1.0)[0]), value
