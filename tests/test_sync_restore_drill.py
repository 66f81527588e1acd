"""The README's restore drill (issue 18): a server on PostgreSQL and an S3 bucket (a real SeaweedFS); a device
syncs photos; the database is dumped with ``pg_dump`` and the bucket copied, both are restored into empty
ones, a server starts on the copies, and the device's end-of-sync verify passes against it.

Needs PostgreSQL (``SYNC_TEST_DATABASE_URL``, started by ``.ci/run``) and its ``pg_dump`` / ``pg_restore``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid as uuid_lib
from pathlib import Path

import pytest
import sqlalchemy as sa

from inspector.store.workspace import Workspace
from sync.client import SyncClient
from sync.server.cli import main as server_main
from sync.settings import save_login
from tests.object_store import seaweed  # noqa: F401 - fixtures
from tests.sync_fixtures import (
    DB_ENV,
    PASSWORD,
    ServerProcess,
    client_workspace,
    field_work,
    prepare_server_data,
    sync,
    use_test_keyring,
)
from tests.test_sync_two_nodes import _content

PG_URL = os.environ.get(DB_ENV)
pytestmark = pytest.mark.skipif(not PG_URL, reason=f"{DB_ENV} not set: no PostgreSQL to back up and restore")


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if not found:
        raise RuntimeError(f"{name} is missing (Debian's postgresql package brings it)")
    return str(found)


def _restore_database(source_url: str) -> str:
    """An empty database beside the test database, filled from a ``pg_dump`` of it; returns its URL."""
    url = sa.engine.make_url(source_url)
    target = f"{url.database}_restore"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{target}"')
    engine.dispose()
    plain = url.set(drivername="postgresql")
    dump = subprocess.run([_pg_bin("pg_dump"), "--format=custom", "--no-owner",
                           plain.render_as_string(hide_password=False)], capture_output=True, check=True, timeout=120)
    restored = plain.set(database=target)
    subprocess.run([_pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "-d",
                    restored.render_as_string(hide_password=False)], input=dump.stdout, check=True, timeout=120)
    return url.set(database=target).render_as_string(hide_password=False)


def test_restore_drill_dump_and_bucket_copy_restore_and_a_device_verifies(seaweed, tmp_path, monkeypatch):  # noqa: F811
    """The README's backup and restore: one server on PostgreSQL and a bucket; a device syncs photos; the
    database is dumped and the bucket copied, both restored into empty ones, a server started on the copies,
    and the device's end-of-sync verify passes against it, and a new device downloads every photo."""
    use_test_keyring(monkeypatch)
    for name, value in seaweed.environment().items():
        monkeypatch.setenv(name, value)
    bucket = "drill-" + uuid_lib.uuid4().hex[:8]
    seaweed.create_bucket(bucket)
    data_dir = tmp_path / "server"
    prepare_server_data(data_dir, PG_URL, tmp_path / "publish")
    with ServerProcess(data_dir, PG_URL, blobs_url=seaweed.url(bucket)) as running:
        device = client_workspace(tmp_path / "device", running.url, "inspector_a")
        sync(device)
        field_work(device, tmp_path, photos=2)
        assert sync(device).verified
    restored_db = _restore_database(PG_URL)
    copied = seaweed.copy_bucket(bucket, bucket + "-restored")
    assert copied == len(seaweed.keys(bucket))
    restored_dir = tmp_path / "restored"
    with ServerProcess(restored_dir, restored_db, blobs_url=seaweed.url(bucket + "-restored")) as restored:
        client = SyncClient(restored.url)
        client.login("inspector_a", PASSWORD)  # the token for the restored server's address, in the keyring
        client.close()
        with Workspace.open(device) as ws:
            save_login(ws, restored.url, "inspector_a", None)
        assert sync(device).verified
        fresh = client_workspace(tmp_path / "fresh", restored.url, "inspector_a")
        assert sync(fresh).verified
        assert _content(fresh)["photos"] == _content(device)["photos"]
    assert server_main(["--data", str(restored_dir), "verify-blobs"]) == 0
