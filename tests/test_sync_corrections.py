"""Corrections sync as new revisions (issue 17, item 3): a void travels to a second device, and the server
checks every correction itself — who may make it, and that nothing changed without one."""
from __future__ import annotations

import json
import uuid as uuid_lib

from inspector.casework.authority import SERVER, Actor
from inspector.casework.corrections import void_record
from inspector.store import audit
from inspector.store.workspace import Workspace, utc_now
from sync.protocol import PushBatch, RecordChange
from sync.server.auth import add_user
from tests.sync_fixtures import PASSWORD, api, db_url, finding_on_both_devices, server, sync  # noqa: F401

INSPECTOR_A = Actor(user="inspector_a", name="inspector_a", roles=("inspector",), jurisdiction="320900",
                    source=SERVER)


def _server_record(url: str, uuid: str):
    client = api(url, "reviewer_r")
    try:
        return next(r for r in client.changes(0, 1000).changes if r.uuid == uuid)
    finally:
        client.close()


def _push_as(url: str, user: str, record, content: dict) -> object:
    client = api(url, user)
    try:
        change = RecordChange(kind=record.kind, uuid=record.uuid, base_revision=record.revision, content=content)
        return client.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=[change])).results[0]
    finally:
        client.close()


def test_a_void_is_pushed_and_pulled_by_a_second_device(server, tmp_path):
    a, r, _finding = finding_on_both_devices(server.url, tmp_path)
    with Workspace.open(a) as ws:
        photo = ws.conn.execute("SELECT uuid FROM evidence").fetchone()[0]
        void_record(ws, "evidence", photo, reason="拍错地块", actor=INSPECTOR_A)
    report = sync(a)
    assert report.rejected == 0 and report.conflicts == 0 and report.pending == 0
    sync(r)
    with Workspace.open(r) as ws:
        row = ws.conn.execute("SELECT voided_at, voided_by, void_reason, corrections FROM evidence WHERE uuid = ?",
                              (photo,)).fetchone()
        assert row["voided_by"] == "inspector_a" and row["void_reason"] == "拍错地块" and row["voided_at"]
        [entry] = json.loads(row["corrections"])
        assert entry["action"] == "void" and entry["by"] == "inspector_a"
        assert audit.verify(ws)["ok"]


def test_the_server_refuses_corrections_without_authority_or_without_a_record(server, tmp_path):
    _a, _r, finding = finding_on_both_devices(server.url, tmp_path)
    add_user(server.storage, "inspector_a2", "inspector", "320900", PASSWORD)
    stored = _server_record(server.url, finding)
    content = dict(stored.content)
    entry = {"at_utc": utc_now(), "by": "inspector_a2", "by_name": "inspector_a2", "action": "edit",
             "reason": "改别人的记录", "changes": {"description": [content["description"], "改过了"]}}
    forged = {**content, "description": "改过了", "corrections": json.dumps([entry], ensure_ascii=False)}
    refused = _push_as(server.url, "inspector_a2", stored, forged)
    assert refused.status == "rejected" and "authority to correct" in refused.reason
    silent = _push_as(server.url, "inspector_a", stored, {**content, "voided_at": utc_now(), "voided_by": "inspector_a",
                                                          "void_reason": "没有作废记录"})
    assert silent.status == "rejected" and "without a correction entry" in silent.reason
    lying = {**entry, "by": "inspector_a", "changes": {"description": ["不是原值", "改过了"]}}
    untrue = _push_as(server.url, "inspector_a", stored,
                      {**forged, "corrections": json.dumps([lying], ensure_ascii=False)})
    assert untrue.status == "rejected" and "without a correction entry" in untrue.reason
    own = {**entry, "by": "inspector_a", "by_name": "inspector_a", "reason": "复测"}
    applied = _push_as(server.url, "inspector_a", stored,
                       {**forged, "corrections": json.dumps([own], ensure_ascii=False)})
    assert applied.status == "applied"
    assert _server_record(server.url, finding).content["description"] == "改过了"
