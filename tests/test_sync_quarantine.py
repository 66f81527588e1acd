"""A pulled record this device cannot apply is quarantined, and the sync goes on (issue 11, item 1).

The server holds records an older server stored unchecked (a finding that
is only its case reference, a transition without ``at_utc``, a photo of that
finding): an existing device and a new one sync without error, quarantine
exactly those, apply everything else, advance and say so (``sync --json``);
a second sync neither fails nor duplicates the entries; once the office
replaced the record with a valid revision or a tombstone, the quarantine
clears. Real server on loopback, SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import uuid as uuid_lib

import pytest
import sqlalchemy as sa

from inspector.errors import Message
from inspector.store import audit
from inspector.store.db import atomic
from inspector.store.workspace import Workspace
from sync import local_store
from sync.protocol import RECORD_KINDS, ServerRecord
from sync.record_codec import to_wire
from sync.server.storage import records
from sync.settings import client_for
from tests.case_fixtures import cli_json, run_cli
from tests.hostile import assert_sound
from tests.quarantine_fixtures import VALID_FINDING, case_uuid, plant, plant_malformed
from tests.sync_fixtures import (  # noqa: F401
    client_workspace,
    db_url,
    field_work,
    finding_on_both_devices,
    server,
    start_server,
    sync,
    use_test_keyring,
)


def _uuids(root, table: str) -> set[str]:
    with Workspace.open(root) as ws:
        return {uuid for (uuid,) in ws.conn.execute(f"SELECT uuid FROM {table}")}


def _changes(ws, since: int = 0):
    """The page of changes the device's server has for it after ``since``."""
    client, _ = client_for(ws)
    try:
        return client.changes(since, 1000)
    finally:
        client.close()


@pytest.fixture
def fresh_device(tmp_path, monkeypatch):
    """A SQLite server, a device of inspector_a that never synced (open) and the first page it would pull."""
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, None)
    try:
        with Workspace.open(client_workspace(tmp_path / "c", running.url, "inspector_a")) as ws:
            yield running, ws, _changes(ws)
    finally:
        running.stop()


def _server_seq(server) -> int:
    with server.storage.read() as conn:
        return conn.execute(sa.select(sa.func.max(records.c.server_seq))).scalar_one()


def _scope_cases(server, jurisdiction: str = "320900") -> int:
    with server.storage.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(records).where(
            records.c.kind == "cases", records.c.city_adcode == jurisdiction)).scalar_one()


def _orphan_photo(server, b, finding: str) -> str:
    """A photo of the malformed finding, stored unchecked too (its blob is one of B's, on the server)."""
    with Workspace.open(b) as ws:
        row = ws.conn.execute("SELECT * FROM evidence LIMIT 1").fetchone()
        content = to_wire(ws.conn, "evidence", row)
    return plant(server, "evidence", {**content, "finding_uuid": finding}, case=content["case_uuid"])


def test_malformed_server_records_are_quarantined_and_everything_else_applies(server, tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    b = client_workspace(tmp_path / "b", server.url, "inspector_a")
    sync(a)
    sync(b)
    bad = plant_malformed(server, "LD-010")  # not the case B works on: the bad transition would move its state
    field_work(b, tmp_path, photos=2)  # good records after the bad ones in the server's sequence
    sync(b)
    bad["photo"] = _orphan_photo(server, b, bad["finding"])

    report = sync(a)  # the base crashed here: NOT NULL constraint failed: findings.observed_at_utc
    kept = {entry["uuid"]: entry for entry in report.quarantined}
    assert set(kept) == set(bad.values()) and report.quarantined_new == 3
    assert "observed_at_utc" in kept[bad["finding"]]["reason"]
    assert "at_utc" in kept[bad["transition"]]["reason"]
    assert "quarantined too" in kept[bad["photo"]]["reason"]
    assert {entry["kind"] for entry in kept.values()} == {"findings", "transitions", "evidence"}
    for table in ("findings", "evidence", "transitions"):  # everything else applied, nothing bad inserted
        assert _uuids(a, table) == _uuids(b, table)
    assert report.cursor == _server_seq(server) and report.verified, report
    assert sorted(report.verify_left_out) == sorted(bad.values())
    assert_sound(a)

    c = client_workspace(tmp_path / "c", server.url, "inspector_a")
    fresh = sync(c, page_size=2)  # a new device: every case, every good record, the same three set aside
    with Workspace.open(c) as ws:
        assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == _scope_cases(server)
    assert {entry["uuid"] for entry in fresh.quarantined} == set(bad.values()) and fresh.verified
    assert _uuids(c, "evidence") == _uuids(b, "evidence")

    listed = cli_json("--workspace", str(a), "sync")  # again: no failure, no duplicates, first seen kept
    assert listed["quarantined_new"] == 0 and listed["verified"] is True
    assert sorted(e["uuid"] for e in listed["quarantined"]) == sorted(bad.values())
    for entry in listed["quarantined"]:
        assert {"uuid", "kind", "server_revision", "reason", "first_seen"} <= set(entry)
        assert entry["first_seen"] == kept[entry["uuid"]]["first_seen"] and entry["server_revision"] == 1
    human = run_cli("--workspace", str(a), "sync", env={"INSPECTOR_LANG": "zh"})
    assert human.returncode == 0 and "已隔离 3 条" in human.stdout, human.stdout + human.stderr

    case = case_uuid(server, "LD-010")  # the office fixes the finding and purges the transition
    plant(server, "findings", {**VALID_FINDING, "case_uuid": case}, case=case, uuid=bad["finding"])
    plant(server, "transitions", {"case_uuid": case}, case=case, uuid=bad["transition"], deleted=True)
    for root in (a, c):
        report = sync(root)
        assert report.quarantined == [] and report.verified and report.verify_left_out == [], report
        with Workspace.open(root) as ws:
            finding = ws.conn.execute("SELECT id, description, base_revision FROM findings WHERE uuid = ?",
                                      (bad["finding"],)).fetchone()
            assert tuple(finding[1:]) == (VALID_FINDING["description"], 2)
            photo = ws.conn.execute("SELECT finding_id FROM evidence WHERE uuid = ?", (bad["photo"],)).fetchone()
            assert photo[0] == finding[0]  # the child waiting for it applied with it
        assert bad["transition"] not in _uuids(root, "transitions")  # a purge of a record never held: skipped
        assert_sound(root)


def test_deletion_of_a_held_record_applies_and_of_one_never_held_is_skipped(server, tmp_path):
    a, r, _ = finding_on_both_devices(server.url, tmp_path)
    with Workspace.open(r) as ws:
        photo = ws.conn.execute("SELECT uuid FROM evidence").fetchone()[0]
        client, _ = client_for(ws)
    try:
        assert client.delete_record(photo)["status"] == "applied"
    finally:
        client.close()
    report = sync(r)
    with Workspace.open(r) as ws:  # held here: tombstoned as before, audited
        assert ws.conn.execute("SELECT deleted FROM evidence WHERE uuid = ?", (photo,)).fetchone()[0] == 1
    assert report.verified
    n = client_workspace(tmp_path / "n", server.url, "reviewer_r")
    fresh = sync(n)
    assert photo not in _uuids(n, "evidence")
    assert fresh.verified, fresh.verify_detail  # the skipped deletion counts as known at its revision
    assert report.quarantined == fresh.quarantined == []
    assert sync(n).verified
    assert_sound(r)
    assert_sound(n)


def test_an_office_deletion_of_a_bad_revision_reaches_a_device_holding_the_good_one(server, tmp_path):
    """A held record whose newer revision cannot be applied keeps its last good content; the office's
    deletion (which carries the bad content) still deletes it here and clears the quarantine."""
    a, r, uuid = finding_on_both_devices(server.url, tmp_path)
    with Workspace.open(a) as ws:
        row = ws.conn.execute("SELECT * FROM findings WHERE uuid = ?", (uuid,)).fetchone()
        content, description = to_wire(ws.conn, "findings", row), row["description"]
    plant(server, "findings", {**content, "assessment": "胡说"}, case=content["case_uuid"], uuid=uuid)
    report = sync(r)  # the base stopped here: CHECK constraint failed
    assert [e["uuid"] for e in report.quarantined] == [uuid] and report.verified
    with Workspace.open(r) as ws:
        assert ws.conn.execute("SELECT description, base_revision, deleted FROM findings WHERE uuid = ?",
                               (uuid,)).fetchone()[:] == (description, 1, 0)
        client, _ = client_for(ws)
    try:
        assert client.delete_record(uuid)["revision"] == 3
    finally:
        client.close()
    report = sync(r)
    assert report.quarantined == [] and report.verified
    with Workspace.open(r) as ws:
        assert ws.conn.execute("SELECT description, base_revision, deleted FROM findings WHERE uuid = ?",
                               (uuid,)).fetchone()[:] == (description, 3, 1)
    assert_sound(r)


def test_a_photo_the_server_does_not_serve_is_quarantined(server, tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    case = case_uuid(server, "LD-001")
    finding = plant(server, "findings", {**VALID_FINDING, "case_uuid": case}, case=case)
    photo = plant(server, "evidence", {"case_uuid": case, "finding_uuid": finding, "sha256": "cd" * 32,
                                       "kind": "photo", "phase": "inspection", "revision": 1,
                                       "created_at": "2026-05-01T02:00:00Z", "updated_at": "2026-05-01T02:00:00Z"},
                  case=case)
    for attempt in range(2):  # the base stopped here: HTTP 404 for the blob
        report = sync(a)
        assert [(e["uuid"], e["reason"]) for e in report.quarantined] == [
            (photo, "the photo could not be downloaded from the server")]
        assert report.quarantined_new == (1 - attempt) and report.verified and report.blobs_downloaded == 0
    assert _uuids(a, "findings") == {finding} and _uuids(a, "evidence") == set()


def test_quarantined_records_are_retried_at_the_start_of_each_pull(server, tmp_path):
    """Records an older version of this program set aside apply once this version can apply them."""
    from sync import quarantine

    b = client_workspace(tmp_path / "b", server.url, "inspector_a")
    c = client_workspace(tmp_path / "c", server.url, "inspector_a")
    sync(b)
    sync(c)
    field_work(b, tmp_path, photos=1)
    sync(b)
    with Workspace.open(c) as ws:
        page = _changes(ws, local_store.cursor(ws, server.url))
        with atomic(ws.conn):  # what an older version left: the page set aside and the cursor past it
            for record in page.changes:
                older = quarantine.Reason(Message("旧版本无法应用", "older version"))
                quarantine.put(ws.conn, server.url, record, older)
            ws.conn.execute("UPDATE sync_state SET value = ? WHERE key = ?",
                            (str(page.next_cursor), local_store.CURSOR_KEY.format(server=server.url)))
    assert len(page.changes) >= 3
    report = sync(c)
    assert report.quarantined == [] and report.pulled == len(page.changes) and report.blobs_downloaded == 1
    assert report.verified, report.verify_detail
    for table in ("findings", "evidence", "transitions"):
        assert _uuids(c, table) == _uuids(b, table)
    with Workspace.open(c) as ws:
        assert audit.verify(ws)["ok"]


def _hostile_records(case: str, photo_sha: str) -> dict[str, ServerRecord]:
    """One record per way a server record can be unusable here, by name."""
    finding = {**VALID_FINDING, "case_uuid": case}

    def record(kind: str, content: dict, **fields) -> ServerRecord:
        values = dict(kind=kind, uuid=str(uuid_lib.uuid4()), revision=1, server_seq=10_000, deleted=False,
                      content=content)
        values.update(fields)
        return ServerRecord.model_construct(**values) if kind not in RECORD_KINDS else ServerRecord(**values)

    return {
        "nested value": record("findings", {**finding, "description": {"html": "<b>x</b>"}}),
        "integer too large": record("findings", {**finding, "area_m2": 2 ** 70}),
        "not a number": record("findings", {**finding, "lon": float("nan")}),
        "check constraint": record("findings", {**finding, "assessment": "<img src=x onerror=alert(1)>"}),
        "unknown parent": record("findings", {**finding, "case_uuid": str(uuid_lib.uuid4())}),
        "parent not a string": record("findings", {**finding, "case_uuid": ["x"]}),
        "case position": record("cases", {"case_no": "LD-999", "lon": "东经120", "lat": 33.0, "ledger_hash": "x",
                                          "created_at": "x", "updated_at": "x"}),
        "duplicate case number": record("cases", {"case_no": "LD-001", "lon": 120.5, "lat": 33.5, "ledger_hash": "x",
                                                  "created_at": "x", "updated_at": "x"}),
        "photo hash": record("evidence", {"case_uuid": case, "sha256": "../../etc/passwd", "kind": "photo",
                                          "phase": "inspection"}),
        "photo of a quarantined finding": record("evidence", {"case_uuid": case, "sha256": photo_sha,
                                                              "kind": "photo", "phase": "inspection"}),
        "unknown kind": record("surveys", {"case_uuid": case}),
        "revision too large": record("findings", finding, revision=2 ** 70),
    }


def test_every_unusable_record_is_set_aside_and_the_page_still_applies(fresh_device, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    running, ws, page = fresh_device
    case = case_uuid(running, "LD-001")
    hostile = _hostile_records(case, "ab" * 32)
    orphan = hostile["photo of a quarantined finding"]
    orphan.content["finding_uuid"] = hostile["check constraint"].uuid
    skipped = ServerRecord.model_construct(kind="surveys", uuid=str(uuid_lib.uuid4()), revision=3,
                                           server_seq=10_001, deleted=True, content={"x": [1]})
    newer = ServerRecord(kind="findings", uuid=str(uuid_lib.uuid4()), revision=1, server_seq=10_002,
                         deleted=False, content={**VALID_FINDING, "case_uuid": case, "from_a_newer_server": {
                             "nested": [1]}})  # a field this program does not know is not its business
    mixed = page.model_copy(update={"changes": [*hostile.values(), *page.changes, skipped, newer]})
    counts = local_store.apply_page(ws, running.url, mixed, "sync:inspector_a", {})
    assert counts["applied"] == len(page.changes) + 1 and counts["skipped"] == 1
    assert counts["quarantined"] == counts["quarantined_new"] == len(hostile)
    assert local_store.cursor(ws, running.url) == page.next_cursor
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == len(page.changes)
    assert [uuid for (uuid,) in ws.conn.execute("SELECT uuid FROM findings")] == [newer.uuid]
    # what the page changed: the cases and the finding applied, nothing of what was set aside
    assert counts.changes.kinds == {"cases", "findings"}
    assert counts.changes.case_uuids == {record.uuid for record in page.changes} | {case}

    entries = {e["uuid"]: e for e in _entries(ws, running.url)}
    assert set(entries) == {r.uuid for r in hostile.values()}
    reasons = {name: entries[r.uuid]["reason"] for name, r in hostile.items()}
    assert "UNIQUE" in reasons["duplicate case number"] and "CHECK" in reasons["check constraint"]
    assert "quarantined too" in reasons["photo of a quarantined finding"]
    assert "not held here" in reasons["unknown parent"] and "kind" in reasons["unknown kind"]
    json.dumps(entries, allow_nan=False)  # the report is strict JSON whatever the server sent

    again = local_store.retry_quarantined(ws, running.url, "sync:inspector_a", {})
    assert again["quarantined"] == len(hostile) and again["quarantined_new"] == 0
    assert again.changes.empty
    assert ws.conn.execute("SELECT count(*) FROM sync_quarantine").fetchone()[0] == len(hostile)
    assert audit.verify(ws)["ok"]


def _entries(ws, server_url):
    from sync import quarantine

    return quarantine.entries(ws.conn, server_url)


def test_a_fault_of_this_program_still_stops_the_page(fresh_device, monkeypatch):
    """Only record errors are set aside: anything else rolls the whole page back, cursor included."""
    running, ws, page = fresh_device

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in this program")

    monkeypatch.setattr("inspector.geo.attribution.attribute_cases", broken)
    with pytest.raises(RuntimeError):
        local_store.apply_page(ws, running.url, page, "sync:inspector_a", {})
    assert local_store.cursor(ws, running.url) == 0
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert ws.conn.execute("SELECT count(*) FROM sync_quarantine").fetchone()[0] == 0
