"""Concurrent pushes against the real server process (``inspector-server serve --workers N``), on SQLite and
PostgreSQL: six editors push an edit of one record from the same base at the same moment, round after
round; exactly one edit is applied and the five others are stored conflicts — no edit is lost. Also: the
end-of-sync verify compares content, so a device copy that differs at the same revision is reported.
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid as uuid_lib
from dataclasses import dataclass, field

import pytest

from inspector.store.workspace import Workspace
from sync.client import SyncClient
from sync.protocol import PushBatch, PushResult, RecordChange
from tests.sync_fixtures import (  # noqa: F401
    CASE,
    REPO,
    ServerProcess,
    api,
    db_url,
    finding_on_both_devices,
    prepare_server_data,
    server,
    sync,
    together,
)

ROUNDS = 20
EDITORS = 6
COMPANIONS = 60  # new findings pushed in each editor's batch before the contested edit: a push that takes a while
STAMP = "2026-01-01T00:00:00Z"


def finding_content(case_uuid: str, description: str) -> dict:
    return {"case_uuid": case_uuid, "observed_at_utc": STAMP, "activity_type": "养殖", "description": description,
            "assessment": "确认问题", "revision": 1, "created_at": STAMP, "updated_at": STAMP}


def push_one(client: SyncClient, uuid: str, base: int | None, content: dict, companions: int = 0) -> PushResult:
    """Push one finding (the last record of the batch), after ``companions`` new findings of the same case."""
    others = [RecordChange(kind="findings", uuid=str(uuid_lib.uuid4()), content={**content, "description": str(n)})
              for n in range(companions)]
    return client.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=[
        *others, RecordChange(kind="findings", uuid=uuid, base_revision=base, content=content)]))


@dataclass
class Tally:
    rounds: int = 0
    exactly_one_applied: int = 0
    applied_more_than_once: int = 0
    errors: int = 0  # pushes answered with an error (the device keeps such an edit and sends it again)
    lost_edits: int = 0
    statuses: list = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.rounds} rounds of {EDITORS} editors: {self.exactly_one_applied} with exactly one applied, "
                f"{self.applied_more_than_once} with more than one, {self.errors} errors, {self.lost_edits} lost edits")


def _latest(client: SyncClient, cursor: int, uuid: str) -> tuple[int, list]:
    """(new cursor, the changes of ``uuid`` after ``cursor``)."""
    found = []
    while True:
        page = client.changes(cursor, 1000)
        found += [r for r in page.changes if r.uuid == uuid]
        cursor = page.next_cursor
        if not page.has_more:
            return cursor, found


def race(url: str, rounds: int = ROUNDS, companions: int = COMPANIONS, *, editor_urls: tuple[str, ...] = ()) -> Tally:
    """Round after round, every editor pushes its own edit of one finding from the same base revision (editor
    ``i`` through ``editor_urls[i % n]`` when given: several server nodes, else ``url``)."""
    owner, office = api(url, "inspector_a"), api(url, "reviewer_r")
    urls = editor_urls or (url,)
    case_uuid = next(r.uuid for r in owner.changes(0, 1000).changes if r.content.get("case_no") == CASE)
    finding = str(uuid_lib.uuid4())
    created = push_one(owner, finding, None, finding_content(case_uuid, "v0")).results[0]
    assert created.status == "applied", created
    editors = [api(urls[i % len(urls)], ("inspector_a", "reviewer_r")[(i // len(urls)) % 2]) for i in range(EDITORS)]
    base, cursor, tally = created.revision, 0, Tally()
    for number in range(rounds):
        edits = [f"round {number} editor {i}" for i in range(EDITORS)]
        answers = together([lambda i=i: push_one(editors[i], finding, base, finding_content(case_uuid, edits[i]),
                                                 companions) for i in range(EDITORS)])
        statuses = [a.results[-1].status if isinstance(a, PushResult) else "error" for a in answers]
        cursor, current = _latest(office, cursor, finding)
        on_server = {current[-1].content["description"]} if current else set()
        kept = {c.client_content["description"] for c in office.conflicts().conflicts
                if c.uuid == finding and c.base_revision == base}
        tally.rounds += 1
        tally.statuses.append(statuses)
        tally.exactly_one_applied += statuses.count("applied") == 1 and statuses.count("conflict") == EDITORS - 1
        tally.applied_more_than_once += statuses.count("applied") > 1
        tally.errors += statuses.count("error")
        tally.lost_edits += len({e for e, s in zip(edits, statuses) if s != "error"} - on_server - kept)
        if current:
            base = current[-1].revision
    for client in (owner, office, *editors):
        client.close()
    return tally


@pytest.mark.parametrize("workers", [1, 3])
def test_concurrent_edits_from_one_base_one_applied_others_conflicts(tmp_path, db_url, workers):  # noqa: F811
    data_dir = tmp_path / "server"
    prepare_server_data(data_dir, db_url, tmp_path / "publish")
    with ServerProcess(data_dir, db_url, workers=workers) as running:
        tally = race(running.url)
    print(f"{'postgresql' if db_url else 'sqlite'}, {workers} worker(s): {tally}")
    assert tally.exactly_one_applied == ROUNDS and tally.lost_edits == 0, f"{tally}: {tally.statuses}"


def test_verify_reports_a_copy_that_differs_at_the_same_revision(server, tmp_path):  # noqa: F811
    a, r, uuid = finding_on_both_devices(server.url, tmp_path)
    assert sync(r).verified
    with Workspace.open(r) as ws:  # the copy changes without an edit: same revision, not dirty
        ws.conn.execute("UPDATE findings SET description = '悄悄改过' WHERE uuid = ?", (uuid,))
    report = sync(r)
    assert report.verified is False and report.verify_detail["content_mismatch"] == [uuid]
    assert report.verify_detail["revision_mismatch"] == [] and report.pending == 0
    printed = subprocess.run([sys.executable, "-m", "inspector", "--workspace", str(r), "sync", "--json"],
                             cwd=REPO, capture_output=True, text=True)
    answer = json.loads(printed.stdout)
    assert answer["verified"] is False and answer["verify_detail"]["content_mismatch"] == [uuid], printed.stderr
    assert sync(a).verified  # the device whose copy is the server's still verifies
