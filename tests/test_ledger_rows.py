"""The ledger's row checks read each cell once and parse repeated values once; what they give is what the
plain per-cell parsers give: coordinates read by the fast decimal path equal those of the general path,
cached dates keep their types apart, and the verbatim source record keeps every header."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from inspector.errors import InvalidValue
from inspector.importers.ledger_import import check_sheets
from inspector.importers.ledger_reader import Sheet
from inspector.importers.ledger_rows import row_texts
from inspector.importers.ledger_values import parse_coordinate

HEADER = ["问题编号", "经度", "纬度", "发现时间", "整改时限", "问题类型"]


@pytest.mark.parametrize("text, expected", [
    ("120.5", 120.5), (" 120.5\t", 120.5), ("\u3000120.5", 120.5), ("１２０.５", 120.5), ("1_20.5", 120.5),
    ("120，5", 120.5), ("120。5", 120.5), ("120°30′", 120.5), ("+120.5", 120.5), ("1.205e2", 120.5),
    (" " * 70 + "120.5", 120.5),  # long only by its spaces: the general path collapses them
])
def test_coordinate_texts(text, expected):
    assert parse_coordinate(text, "lon") == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "0" * 70 + "120.5", "120 .5", "181", "1e400"])
def test_coordinate_texts_refused(text):
    with pytest.raises(InvalidValue):
        parse_coordinate(text, "lon")


def _rows(*cells: list) -> list[dict]:
    records, result = check_sheets([Sheet("表1", [HEADER, *cells])])
    return records, result.rejected


def test_repeated_dates_and_their_types():
    records, rejected = _rows(
        ["A-1", "120.5", "33.1", 45000, 45000.0, "养殖"],
        ["A-2", 120.5, 33.1, "2026-03-01", dt.datetime(2026, 3, 1, 8, 30), "养殖"],
        ["A-3", 120.5, 33.1, True, None, None],
        ["A-4", 120.5, 33.1, "2026-02-30", None, None],
        ["A-5", 120.5, 33.1, "2026-02-30", "2026年6月底", None],
        ["A-6", 120.5, 33.1, "2026-03-01", "", " 养殖 "],
    )
    dates = {r["case_no"]: (r["discovered_on"], r["deadline"]) for r in records}
    assert dates == {"A-1": ("2023-03-15", "2023-03-15"), "A-2": ("2026-03-01", "2026-03-01"),
                     "A-6": ("2026-03-01", None)}
    assert [(r["row"], r["case_no"]) for r in rejected] == [(4, "A-3"), (5, "A-4"), (6, "A-5")]
    assert rejected[1]["reason_en"] == rejected[2]["reason_en"] == "discovery date: impossible date: 2026-02-30"


def test_source_record_keeps_every_header():
    records, _ = _rows(["A-1", 120.5, 33.1], ["A-2", "120.5", "33.1", None, None, " 养殖 ", "extra"])
    assert [json.loads(r["source_record"]) for r in records] == [
        {"问题编号": "A-1", "经度": "120.5", "纬度": "33.1", "发现时间": None, "整改时限": None, "问题类型": None},
        {"问题编号": "A-2", "经度": "120.5", "纬度": "33.1", "发现时间": None, "整改时限": None, "问题类型": "养殖"}]
    assert records[1]["source_record"] == json.dumps(json.loads(records[1]["source_record"]), ensure_ascii=False)
    assert row_texts([" a ", "", None, 3.0, 2.5, dt.date(2026, 1, 2)]) == ["a", None, None, "3", "2.5", "2026-01-02"]
