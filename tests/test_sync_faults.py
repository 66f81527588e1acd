"""Sync under faults: connections cut at byte offsets, lost acknowledgements, 503 mid-batch,
a SIGKILLed client, a server restart — after recovery every record and blob arrives exactly once.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from inspector.store import audit
from inspector.store.workspace import Workspace
from sync.errors import SyncError
from sync.server.storage import push_ops, records
from tests.sync_fixtures import (  # noqa: F401
    CASE,
    FailNthRequest,
    client_workspace,
    db_url,
    edit_finding,
    field_work,
    finding_on_both_devices,
    start_server,
    stored_bytes,
    sync,
    use_test_keyring,
)
from tests.sync_proxy import FaultProxy

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def setup(tmp_path, monkeypatch, db_url):  # noqa: F811
    use_test_keyring(monkeypatch)
    server = start_server(tmp_path, db_url)
    proxy = FaultProxy(server.port)
    yield server, proxy
    proxy.close()
    server.stop()


def arm_on(proxy: FaultProxy, phase: str, direction: str, offset: int, action=None):
    armed = threading.Event()

    def progress(current: str, done: int, total: int) -> None:
        if current == phase and not armed.is_set():
            armed.set()
            proxy.arm(direction, offset, action)
    return progress


def assert_converged(server, *roots) -> None:
    """Each local record once on the server at revision 1 (nothing applied twice); same content everywhere."""
    with server.storage.read() as conn:
        rows = {r.uuid: r for r in conn.execute(sa.select(records).where(records.c.kind != "cases"))}
    for root in roots:
        with Workspace.open(root) as ws:
            assert audit.verify(ws)["ok"], audit.verify(ws)
            for table in ("findings", "evidence", "transitions"):
                local = ws.conn.execute(f"SELECT uuid, dirty FROM {table}").fetchall()
                assert local and all(not dirty for _, dirty in local)
                assert all(rows[uuid].revision == 1 for uuid, _ in local)
            for (sha,) in ws.conn.execute("SELECT sha256 FROM evidence"):
                served = stored_bytes(server.app.state.blob_store, sha)
                assert hashlib.sha256(served).hexdigest() == sha
    with Workspace.open(roots[0]) as ws:  # nothing more on the server than the device made
        made = sum(ws.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("findings", "evidence", "transitions", "rectifications", "closure_checklists"))
    assert len(rows) == made


@pytest.mark.parametrize("phase,direction,offset", [
    ("push", "up", 300), ("push", "up", 4000), ("push", "down", 0),  # lost ack: server committed
    ("blobs", "up", 200), ("blobs", "up", 15000), ("pull", "down", 700), ("pull", "down", 9000),
])
def test_cut_connection_then_recover(setup, tmp_path, phase, direction, offset):
    server, proxy = setup
    a = client_workspace(tmp_path / "a", proxy.url, "inspector_a")
    r = client_workspace(tmp_path / "r", proxy.url, "reviewer_r")
    sync(a)
    sync(r)
    field_work(a, tmp_path)
    target = r if phase == "pull" else a
    if phase == "pull":
        sync(a)
    with pytest.raises(SyncError) as failure:
        sync(target, progress=arm_on(proxy, phase, direction, offset))
    assert failure.value.is_retryable()
    proxy.disarm()
    assert sync(a).verified and sync(r).verified
    assert_converged(server, a, r)
    if (phase, direction) == ("push", "down"):
        with server.storage.read() as conn:  # the retried batch was answered from the stored result
            assert conn.execute(sa.select(sa.func.count()).select_from(push_ops)).scalar_one() >= 1


def test_server_error_mid_batch_after_commit(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    server = start_server(tmp_path, None, wrap=lambda app: FailNthRequest(app, "/push", 2, status=503))
    try:
        a = client_workspace(tmp_path / "a", server.url, "inspector_a")
        sync(a)
        field_work(a, tmp_path)
        with pytest.raises(SyncError) as failure:
            sync(a, batch_size=2)
        assert failure.value.status == 503 and failure.value.is_retryable()
        report = sync(a, batch_size=2)
        assert report.verified and report.pending == 0
        r = client_workspace(tmp_path / "r", server.url, "reviewer_r")
        sync(r)
        assert_converged(server, a, r)
    finally:
        server.stop()


def _sync_subprocess(root):
    return subprocess.Popen([sys.executable, "-m", "inspector", "--workspace", str(root), "sync", "--json"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("phase,direction,offset", [("upload", "up", 20000), ("pull", "down", 3000)])
def test_sigkill_client_then_sync_converges(setup, tmp_path, phase, direction, offset):
    server, proxy = setup
    a = client_workspace(tmp_path / "a", proxy.url, "inspector_a")
    r = client_workspace(tmp_path / "r", proxy.url, "reviewer_r")
    sync(a)
    field_work(a, tmp_path, photos=4)
    if phase == "pull":
        sync(a)
    victim = r if phase == "pull" else a
    process = _sync_subprocess(victim)
    proxy.arm(direction, offset, lambda: os.kill(process.pid, signal.SIGKILL))
    process.wait(120)
    assert process.returncode == -signal.SIGKILL
    proxy.disarm()
    assert sync(a).verified and sync(r).verified
    assert_converged(server, a, r)


def test_server_restart_mid_sync(setup, tmp_path):
    server, proxy = setup
    a = client_workspace(tmp_path / "a", proxy.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path)
    restarted = threading.Event()

    def restart() -> None:
        threading.Thread(target=lambda: (server.restart(), restarted.set()), daemon=True).start()

    try:
        sync(a, progress=arm_on(proxy, "blobs", "up", 1000, restart))
    except SyncError:
        pass
    assert restarted.wait(30)
    report = sync(a)
    assert report.verified and report.pending == 0
    r = client_workspace(tmp_path / "r", proxy.url, "reviewer_r")
    sync(r)
    assert_converged(server, a, r)


def test_conflict_same_finding_same_base_keeps_both(setup, tmp_path):
    server, proxy = setup
    a, r, uuid = finding_on_both_devices(server.url, tmp_path)
    edit_finding(r, uuid, "复核：面积更大", "reviewer_r")
    edit_finding(a, uuid, "现场补充：已拆除一半")
    assert sync(r).conflicts == 0
    report = sync(a)
    assert report.conflicts == 1 and report.pending == 1 and report.verified
    with Workspace.open(a) as ws:  # A keeps its own edit; nothing silently overwritten
        assert ws.conn.execute("SELECT description FROM findings").fetchone()[0] == "现场补充：已拆除一半"
    listing = json.loads(subprocess.run(
        [sys.executable, "-m", "inspector", "--workspace", str(r), "conflicts", "--json"], cwd=REPO,
        capture_output=True, text=True, check=True).stdout)
    assert len(listing) == 1 and listing[0]["uuid"] == uuid
    assert listing[0]["server_content"]["description"] == "复核：面积更大"
    assert listing[0]["client_content"]["description"] == "现场补充：已拆除一半"
    assert sync(a).conflicts == 1  # retried: still one conflict on the server, not a duplicate
    assert len(json.loads(subprocess.run(
        [sys.executable, "-m", "inspector", "--workspace", str(r), "conflicts", "--json"], cwd=REPO,
        capture_output=True, text=True, check=True).stdout)) == 1


def test_server_delete_vs_offline_edit_is_a_conflict(setup, tmp_path):
    from inspector.store.workspace import Workspace as W
    from sync.settings import client_for

    server, proxy = setup
    a, r, uuid = finding_on_both_devices(server.url, tmp_path)
    with W.open(r) as ws:
        client, _ = client_for(ws)
    assert client.delete_record(uuid)["status"] == "applied"
    edit_finding(a, uuid, "离线修改")
    report = sync(a)
    assert report.conflicts == 1 and report.held_local >= 1
    with W.open(a) as ws:  # not lost locally, not resurrected on the server
        assert tuple(ws.conn.execute("SELECT description, deleted FROM findings").fetchone()) == ("离线修改", 0)
    conflicts = client.conflicts().conflicts
    assert len(conflicts) == 1 and conflicts[0].server_deleted
    assert conflicts[0].client_content["description"] == "离线修改"
    with server.storage.read() as conn:
        assert conn.execute(sa.select(records.c.deleted).where(records.c.uuid == uuid)).scalar_one()
    sync(r)
    with W.open(r) as ws:
        assert ws.conn.execute("SELECT deleted FROM findings WHERE uuid = ?", (uuid,)).fetchone()[0] == 1
        assert audit.verify(ws)["ok"]
    client.close()
