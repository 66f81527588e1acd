"""The views' queries without Qt: the case list's filters, search, sort and paging, one case's detail, the
status counts and an evidence item (on the demo workspace: 80 cases, real zones and admin areas)."""
from __future__ import annotations

import datetime as dt

import pytest

from inspector.casework.case_list_query import (
    SORT_KEYS,
    CaseFilter,
    case_ids,
    case_ids_by_uuid,
    case_markers,
    case_rows,
    filter_choices,
    sort_keys,
)
from inspector.casework.case_queries import (
    audit_entry_count,
    case_brief,
    case_findings,
    case_places,
    case_record,
    cases_with_status,
    status_counts,
)
from inspector.casework.evidence_attach import attach, evidence_item
from inspector.casework.findings import add_finding
from inspector.casework.workflow import STATES, overdue_days, transition
from inspector.store.record_store import pending_changes

SEARCHED_ZONE = "宜兴龙池山"


@pytest.fixture
def demo(demo_ws):
    return demo_ws


def _case_nos(ws, ids) -> list[str]:
    rows = case_rows(ws, ids)
    return [rows[i]["case_no"] for i in ids]


def test_filters_and_search_narrow_the_list(demo):
    everything = case_ids(demo)
    assert len(everything) == 80
    nanjing = dict((name, code) for code, name in filter_choices(demo)["cities"])["南京市"]
    in_nanjing = case_ids(demo, CaseFilter(city_adcode=nanjing))
    assert len(in_nanjing) == 5 and all(no.startswith("LD2026-3201") for no in _case_nos(demo, in_nanjing))
    red_line = case_ids(demo, CaseFilter(zone_kind="生态保护红线"))
    assert 0 < len(red_line) < 80
    rows = case_rows(demo, red_line)
    assert all(rows[i]["zone"] is not None for i in red_line)
    found = case_ids(demo, CaseFilter(text=SEARCHED_ZONE))
    assert found and all(SEARCHED_ZONE in (case_rows(demo, [i])[i]["ledger_zone_name"] or "") for i in found)
    both = case_ids(demo, CaseFilter(text=SEARCHED_ZONE, statuses=("已销号",)))
    assert set(both) <= set(found)
    types = [value for value, _ in filter_choices(demo)["problem_types"]]
    assert types and len(case_ids(demo, CaseFilter(problem_type=types[0]))) < 80


def test_search_treats_wildcards_as_text(demo):
    assert case_ids(demo, CaseFilter(text="%")) == []
    assert case_ids(demo, CaseFilter(text="_")) == []
    assert case_ids(demo, CaseFilter(text="\\")) == []


def test_sort_keys_in_both_directions(demo):
    ascending = case_ids(demo, sort="case_no")
    nos = _case_nos(demo, ascending)
    assert nos == sorted(nos)
    assert case_ids(demo, sort="case_no", descending=True) == list(reversed(ascending))
    by_status = case_ids(demo, sort="status")
    statuses = [case_rows(demo, [i])[i]["status"] for i in by_status]
    assert [STATES.index(s) for s in statuses] == sorted(STATES.index(s) for s in statuses)
    for key in SORT_KEYS:
        assert sorted(case_ids(demo, sort=key)) == sorted(ascending), key
    with pytest.raises(ValueError):
        case_ids(demo, sort="description; DROP TABLE cases")
    keys = sort_keys(demo, CaseFilter(), by_status[:5], sort="status")
    assert [keys[i] for i in by_status[:5]] == sorted(keys.values())
    waiting = case_ids(demo, CaseFilter(statuses=("待核查",)))
    assert set(sort_keys(demo, CaseFilter(statuses=("待核查",)), ascending)) == set(waiting)


def test_overdue_filter_and_days(demo):
    overdue = case_ids(demo, CaseFilter(overdue_only=True))
    assert len(overdue) == 11
    rows = case_rows(demo, overdue)
    assert all(rows[i]["overdue_days"] > 0 for i in overdue)
    assert overdue_days("2026-01-01", "已销号", dt.date(2026, 3, 1)) == 0
    assert overdue_days("not a date", "整改中", dt.date(2026, 3, 1)) == 0
    assert overdue_days("2026-02-27", "整改中", dt.date(2026, 3, 1)) == 2


def test_rows_come_a_page_at_a_time(demo):
    ids = case_ids(demo)
    page = case_rows(demo, ids[10:30])
    assert set(page) == set(ids[10:30])
    record = page[ids[10]]
    assert {"uuid", "case_no", "status", "zone", "function_zone", "city", "county", "nearest_name",
            "overdue_days"} <= set(record)
    assert case_rows(demo, []) == {}
    uuids = {page[i]["uuid"]: i for i in ids[10:13]}
    assert case_ids_by_uuid(demo, [*uuids, "00000000-0000-4000-8000-000000000000"]) == uuids
    markers = case_markers(demo, uuids)
    assert {m["uuid"] for m in markers} == set(uuids) and not any(m["deleted"] for m in markers)


def test_one_case_and_the_counts(demo, tmp_path):
    from evidence_fixtures import make_geotagged_photo

    first = case_ids(demo)[0]
    uuid = case_rows(demo, [first])[first]["uuid"]
    brief = case_brief(demo, uuid)
    assert brief is not None and brief["uuid"] == uuid and brief["status"] in STATES
    assert case_brief(demo, "00000000-0000-4000-8000-000000000000") is None
    case = case_record(demo, uuid)
    places = case_places(demo, case)
    assert places["city"] and (places["zones"] or places["nearest"] is None or places["nearest"]["name"])
    counts = status_counts(demo)
    assert sum(counts.values()) == 80
    pending = pending_changes(demo.conn)
    if brief["status"] == "待核查":
        transition(demo, uuid, "现场核查", role="inspector", actor="张三")
    add_finding(demo, uuid, assessment="待定", activity_type="养殖", description="核查中")
    assert [f["description"] for f in case_findings(demo, case["id"])][-1] == "核查中"
    assert pending_changes(demo.conn) > pending
    assert audit_entry_count(demo, case["id"]) >= 1
    assert (uuid, brief["case_no"]) in cases_with_status(demo, case_brief(demo, uuid)["status"])
    photo = make_geotagged_photo(tmp_path / "p.jpg", brief["lon"], brief["lat"])
    attached = attach(demo, uuid, [photo])
    item = evidence_item(demo, attached[0]["evidence_uuid"])
    assert item is not None and item["kind"] == "photo" and isinstance(item["zones"], list)
    assert isinstance(item["flags"], list) and evidence_item(demo, "nope") is None
