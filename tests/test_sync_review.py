"""Office review of conflicts over a real loopback server, on SQLite (and PostgreSQL when configured).

Inspector A (盐城) and reviewer R (盐城) edit the same finding from the same
base; R's push wins the race, A's becomes a stored conflict. R resolves it
from the command line — keeping A's version, or the server's — and after
the next sync both devices hold the same content with nothing pending; the
losing version stays in the conflict record. An edit A makes after the
refused push is never thrown away. Only office users in the record's
jurisdiction may resolve.
"""
from __future__ import annotations

import pytest

from inspector.store import audit
from inspector.store.workspace import Workspace
from sync.client import SyncClient
from sync.errors import ConflictError, RequestRefused
from tests.case_fixtures import cli_json, run_cli
from tests.sync_fixtures import PASSWORD, client_workspace, db_url, edit_finding, finding_on_both_devices, server, sync  # noqa: F401 - fixtures

A_TEXT, R_TEXT = "现场补充：已拆除一半", "复核：面积更大"


def _description(root, uuid):
    with Workspace.open(root) as ws:
        return ws.conn.execute("SELECT description FROM findings WHERE uuid = ?", (uuid,)).fetchone()[0]


def _conflicting_edits(server, tmp_path):
    """A and R edit one finding from the same base; R syncs first, so A's edit is a stored conflict."""
    a, r, uuid = finding_on_both_devices(server.url, tmp_path)
    edit_finding(r, uuid, R_TEXT, "reviewer_r")
    edit_finding(a, uuid, A_TEXT)
    assert sync(r).conflicts == 0
    refused = sync(a)
    assert refused.conflicts == 1 and refused.pending == 1
    listing = cli_json("--workspace", str(r), "conflicts")
    assert len(listing) == 1 and listing[0]["resolution"] is None
    return a, r, uuid, listing[0]["id"]


def _converged(a, r, uuid, text):
    for root in (a, r):
        report = sync(root)
        assert report.pending == 0 and report.verified, report
        assert _description(root, uuid) == text
        with Workspace.open(root) as ws:
            assert audit.verify(ws)["ok"], audit.verify(ws)


def test_keep_client_version_both_devices_converge(server, tmp_path):  # noqa: F811
    a, r, uuid, conflict_id = _conflicting_edits(server, tmp_path)
    resolved = cli_json("--workspace", str(r), "conflicts", "resolve", str(conflict_id), "--keep", "client")
    assert resolved["conflict"]["resolution"]["keep"] == "client"
    assert resolved["conflict"]["resolution"]["by"] == "reviewer_r"
    assert resolved["record"]["revision"] == 3 and resolved["also_closed"] == []
    assert cli_json("--workspace", str(r), "conflicts") == []  # nothing open
    kept = cli_json("--workspace", str(r), "conflicts", "--all")
    assert len(kept) == 1 and kept[0]["server_content"]["description"] == R_TEXT  # the losing version is kept
    assert kept[0]["resolution"]["revision"] == 3

    _converged(a, r, uuid, A_TEXT)
    again = run_cli("--workspace", str(r), "conflicts", "resolve", str(conflict_id), "--keep", "server")
    assert again.returncode == 1 and "409" in again.stderr


def test_keep_server_version_replaces_the_refused_edit_but_not_a_later_one(server, tmp_path):  # noqa: F811
    a, r, uuid, conflict_id = _conflicting_edits(server, tmp_path)
    cli_json("--workspace", str(r), "conflicts", "resolve", str(conflict_id), "--keep", "server")
    report = sync(a)  # A re-pushes its refused version: told it was settled, then takes the server's
    assert report.rejected == 1 and report.conflicts == 0 and report.pending == 0
    with Workspace.open(a) as ws:
        actions = [row[0] for row in ws.conn.execute(
            "SELECT action FROM audit_log WHERE record_uuid = ? ORDER BY seq", (uuid,))]
    assert actions[-1] == "sync.resolve"
    _converged(a, r, uuid, R_TEXT)

    # a second round: A edits again and conflicts again, then edits once more before the review
    edit_finding(r, uuid, "复核二", "reviewer_r")
    edit_finding(a, uuid, "现场二", "inspector_a")
    sync(r)
    assert sync(a).conflicts == 1
    edit_finding(a, uuid, "现场三（审核前又改）", "inspector_a")
    second = cli_json("--workspace", str(r), "conflicts")[0]["id"]
    cli_json("--workspace", str(r), "conflicts", "resolve", str(second), "--keep", "server")
    later = sync(a)
    assert later.pending == 1 and later.conflicts == 1  # the later edit is kept and goes to review
    assert _description(a, uuid) == "现场三（审核前又改）"


def test_resolve_authorization(server, tmp_path):  # noqa: F811
    a, r, uuid, conflict_id = _conflicting_edits(server, tmp_path)

    def client(user):
        found = SyncClient(server.url)
        found.login(user, PASSWORD, remember=False)
        return found

    for user, status in (("inspector_a", 403), ("inspector_b", 403), ("reviewer_nj", 404)):
        with pytest.raises(RequestRefused) as refused:
            client(user).resolve_conflict(conflict_id, "client")
        assert refused.value.status == status, user
    with pytest.raises(RequestRefused) as missing:
        client("reviewer_r").resolve_conflict(conflict_id + 1000, "client")
    assert missing.value.status == 404
    assert client("reviewer_nj").conflicts(include_resolved=True).conflicts == []

    edit_finding(r, uuid, "复核：又改了一次", "reviewer_r")  # the server moves on after the conflict
    sync(r)
    with pytest.raises(ConflictError) as stale:
        client("reviewer_r").resolve_conflict(conflict_id, "client")
    assert stale.value.status == 409 and "changed on the server" in str(stale.value)
    admin = client("admin")  # the province's admin covers 盐城
    assert admin.resolve_conflict(conflict_id, "server").conflict.resolution.by == "admin"
    _converged(a, r, uuid, "复核：又改了一次")
