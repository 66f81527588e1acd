"""The pull leaves out the versions the device's own pushes of the same sync made (``skip``), yet still delivers
every other change — also one another device pushed between two of its batches — and moves the cursor past
its own, so the next sync fetches nothing again.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspector.casework.findings import add_finding
from inspector.store.workspace import Workspace
from sync import local_store
from sync.client import SyncClient
from sync.server.storage import counters
from tests.sync_fixtures import CASE, db_url, edit_finding, finding_on_both_devices, server, sync  # noqa: F401


@pytest.fixture
def pulled_pages(monkeypatch):
    """The uuids of every page of changes pulled while ``capture[0]`` is true."""
    capture, pages = [False], []
    original = SyncClient.changes

    def recording(self, *args, **kwargs):
        page = original(self, *args, **kwargs)
        if capture[0]:
            pages.append([change.uuid for change in page.changes])
        return page
    monkeypatch.setattr(SyncClient, "changes", recording)
    return capture, pages


def test_pull_skips_own_pushes_and_delivers_what_another_device_pushed_between_them(server, tmp_path,  # noqa: F811
                                                                                     pulled_pages):
    capture, pages = pulled_pages
    a, r, shared = finding_on_both_devices(server.url, tmp_path)
    with Workspace.open(a) as ws:
        own = [add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description=f"塘 {i}",
                           actor="inspector_a")["uuid"] for i in range(6)]
    between = []

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "push" and done == 2 and not between:  # after A's first batch, before its second
            edit_finding(r, shared, "复核：面积更大", "reviewer_r")
            between.append(sync(r))
        capture[0] = phase in ("pull", "verify")

    report = sync(a, batch_size=2, progress=progress)
    assert between and between[0].pushed == 1
    assert report.pushed == 6 and report.verified and report.pending == 0
    assert [uuid for page in pages for uuid in page] == [shared]  # R's edit, none of A's own six
    assert report.pulled == 1 and report.held_local == 0
    with Workspace.open(a) as ws:
        assert ws.conn.execute("SELECT description FROM findings WHERE uuid = ?", (shared,)).fetchone()[0] == \
            "复核：面积更大"
        assert {u for (u,) in ws.conn.execute("SELECT uuid FROM findings WHERE dirty = 0")} >= set(own)
        at = local_store.cursor(ws, server.url)
    with server.storage.read() as conn:
        assert at == conn.execute(sa.select(counters.c.value).where(counters.c.name == "seq")).scalar_one()

    pages.clear()
    again = sync(a)  # the cursor moved past A's own versions: nothing is fetched again
    assert [uuid for page in pages for uuid in page] == [] and again.pulled == 0 and again.verified
    capture[0] = False
    assert sync(r).verified  # another device still gets all of A's records
    with Workspace.open(r) as ws:
        assert set(own) <= {u for (u,) in ws.conn.execute("SELECT uuid FROM findings")}


def test_a_malformed_skip_is_refused(server):  # noqa: F811
    from tests.sync_fixtures import api

    client = api(server.url, "inspector_a")
    for skip in ("1-", "5-3", "a-b", ",".join(["1-2"] * 201), "1-99999999999999999999"):
        answer = client.session.get(client.base + "/changes", params={"since": 0, "skip": skip}, timeout=30,
                                    headers={"Authorization": f"Bearer {client.token}"})
        assert answer.status_code == 422, skip
    assert client.changes(0, 10, [(1, 2)]).next_cursor >= 0
    client.close()
