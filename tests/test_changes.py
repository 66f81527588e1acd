"""Every mutation returns what it changed (kinds of record, the cases), collected from its writes: finding,
rectification, progress note, checklist, transition, attach, ledger and zone imports; the journal forgets
what a rolled-back savepoint wrote; the payloads and the CLI's JSON stay as they were."""
from __future__ import annotations

import json

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_progress_note, add_rectification, set_checklist
from inspector.casework.workflow import transition
from inspector.errors import BadInput
from inspector.importers.ledger_import import import_ledger
from inspector.importers.zone_import import import_zones
from inspector.store.changes import Changes, Outcome, note_cases, recording
from inspector.store.db import atomic
from inspector.store.record_store import insert_record
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, cli_json
from tests.test_ledger_import import ledger_rows, write_xlsx
from tests.test_zone_import import gk_features
from tests.vector_fixtures import write_layer


@pytest.fixture
def case_ws(tmp_path):
    workspace = build_case_workspace(tmp_path / "case")
    yield workspace
    workspace.close()


def _uuid(ws, case_no: str) -> str:
    return ws.conn.execute("SELECT uuid FROM cases WHERE case_no = ?", (case_no,)).fetchone()[0]


def test_casework_mutations_name_their_kind_and_case(case_ws, tmp_path):
    case = _uuid(case_ws, CORE_CASE)
    one_case = frozenset({case})
    moved = transition(case_ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
    assert moved.changes == Changes(frozenset({"transitions", "cases"}), one_case)
    finding = add_finding(case_ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
    assert finding.changes == Changes(frozenset({"findings"}), one_case)
    plan = add_rectification(case_ws, CORE_CASE, measure_type="退出", measures="拆除")
    assert plan.changes == Changes(frozenset({"rectifications"}), one_case)
    assert add_progress_note(case_ws, plan["uuid"], "已断电").changes == plan.changes
    assert set_checklist(case_ws, CORE_CASE, items={"water_cut": True}).changes == Changes(
        frozenset({"closure_checklists"}), one_case)
    photo = make_geotagged_photo(tmp_path / "after.jpg", *CENTRE)
    first = attach(case_ws, CORE_CASE, [photo, tmp_path / "missing.jpg"], phase="after")
    assert "error" in first[1] and first.changes == Changes(frozenset({"evidence"}), one_case)
    again = attach(case_ws, CORE_CASE, [photo], phase="after")
    assert again[0]["already_attached"] and again.changes.empty  # nothing written: nothing changed


def test_a_refused_mutation_changes_nothing_and_leaves_no_notes(case_ws):
    with pytest.raises(BadInput):
        transition(case_ws, CORE_CASE, "已销号", role="inspector", actor="张三")
    conn = case_ws.conn
    case_id = conn.execute("SELECT id FROM cases WHERE case_no = ?", (CORE_CASE,)).fetchone()[0]
    plan = {"case_id": case_id, "measure_type": "整治", "measures": "", "progress_notes": "[]"}
    with recording(conn) as journal, atomic(conn):
        with pytest.raises(RuntimeError), atomic(conn):  # a savepoint
            insert_record(conn, "rectifications", plan, actor="x", action="rectification.add")
            raise RuntimeError("rolled back")
    assert journal.changes.empty  # the savepoint rolled back the write and what it noted
    assert conn.execute("SELECT count(*) FROM rectifications").fetchone()[0] == 0
    note_cases(case_ws.conn, "cases", [case_id])  # no journal open: nothing kept anywhere
    with recording(case_ws.conn) as journal:
        pass
    assert journal.changes.empty


def test_changes_merge_and_ask():
    a = Changes(frozenset({"findings"}), frozenset({"u1"}))
    b = Changes(frozenset({"zones", "cases"}), all_cases=True)
    merged = a | b
    assert merged == a.merge(b) and merged.kinds == {"findings", "zones", "cases"} and merged.all_cases
    assert merged.affects("anything") and a.affects("u1") and not a.affects("u2") and not a.affects(None)
    assert a.touches("findings", "evidence") and not a.touches("cases") and Changes().empty


def test_a_ledger_import_names_the_cases_it_wrote_and_a_repeat_names_none(ws, tmp_path):
    ledger = write_xlsx(tmp_path / "台账.xlsx", ledger_rows())
    first = import_ledger(ws, ledger)
    uuids = {r[0] for r in ws.conn.execute("SELECT uuid FROM cases")}
    assert first.created == 3 and first.changes == Changes(frozenset({"cases"}), frozenset(uuids))
    again = import_ledger(ws, ledger)
    assert again.unchanged == 3 and again.changes.empty  # created nothing, changed nothing
    rows = ledger_rows()
    rows[0][7] = "养殖塘已扩大"
    third = import_ledger(ws, write_xlsx(tmp_path / "台账2.xlsx", rows))
    assert third.updated == 1 and third.changes.case_uuids == {_uuid(ws, "LD-001")}
    assert "changes" not in third.as_dict() and json.dumps(third.as_dict(), ensure_ascii=False)


def test_a_zone_import_changes_zones_and_every_case(ws, tmp_path):
    import_ledger(ws, write_xlsx(tmp_path / "台账.xlsx", ledger_rows()))
    shapefile = write_layer(tmp_path / "zones.shp", "ESRI Shapefile", 4549, gk_features(),
                            layer_options=["ENCODING=CP936"])
    result = import_zones(ws, shapefile)
    assert result.changes.kinds == {"zones", "cases"} and result.changes.all_cases
    assert "changes" not in result.as_dict()
    again = import_zones(ws, shapefile)
    assert again.unchanged == 4 and not again.changes.touches("zones")  # the cases are re-attributed only


def test_payloads_and_cli_json_keep_their_keys(case_ws, tmp_path):
    finding = add_finding(case_ws, CORE_CASE, assessment="待定", activity_type="其他", description="")
    assert isinstance(finding, Outcome) and isinstance(finding, dict)
    assert set(json.loads(json.dumps(finding, ensure_ascii=False))) == set(finding) and "changes" not in finding
    case_ws.close()
    root = str(tmp_path / "case" / "ws")
    payload = cli_json("--workspace", root, "transition", CORE_CASE, "现场核查", "--as", "inspector")
    assert set(payload) == {"uuid", "case_no", "case_uuid", "case_id", "action", "from_state", "to_state", "actor",
                            "actor_name", "role", "jurisdiction", "reason", "at_utc", "status", "next"}
