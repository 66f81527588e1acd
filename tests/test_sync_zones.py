"""Zone layers published on the server reach devices through sync, on SQLite (and PostgreSQL when configured).

The office publishes the test reserve (``test_zone_import``'s Gauss-Krüger
shapefile: a core zone around LD-001); inspector A syncs and ``locate`` finds
the core zone, LD-001 is attributed to it, and the zone UUIDs are the
server's. A second sync downloads nothing. A republished file (one zone
renamed, one dropped) updates the device's zones in place and tombstones the
dropped one. A corrupt or unreadable layer stops the sync before anything
local changes.
"""
from __future__ import annotations

import gzip
import hashlib

import pytest
import sqlalchemy as sa

from inspector.store.workspace import Workspace
from sync.errors import SyncError
from sync.server.blob_backends import FileBackend, layer_key
from sync.server.cli import main as server_main
from sync.server.publish import publish_zones
from sync.server.storage import zone_layers
from tests.case_fixtures import cli_json
from tests.sync_fixtures import client_workspace, db_url, server, sync  # noqa: F401 - fixtures
from tests.test_zone_import import CENTRE, gk_features
from tests.vector_fixtures import write_layer

CORE = "射阳河口湿地保护区"


def _zone_file(folder, features):
    folder.mkdir(parents=True, exist_ok=True)
    return write_layer(folder / "红线.shp", "ESRI Shapefile", 4549, features, layer_options=["ENCODING=CP936"])


def _zones(root):
    with Workspace.open(root) as ws:
        return {r["uuid"]: (r["name"], r["deleted"]) for r in ws.conn.execute("SELECT uuid, name, deleted FROM zones")}


def _case_zone_names(root, case_no="LD-001"):
    with Workspace.open(root) as ws:
        return sorted(r[0] for r in ws.conn.execute(
            "SELECT z.name FROM case_zones cz JOIN zones z ON z.id = cz.zone_id JOIN cases c ON c.id = cz.case_id "
            "WHERE c.case_no = ?", (case_no,)))


def _zone_state(root):
    with Workspace.open(root) as ws:
        return (ws.zones_generation, ws.conn.execute("SELECT count(*) FROM import_runs").fetchone()[0],
                sorted(tuple(r) for r in ws.conn.execute("SELECT uuid, name, deleted, revision FROM zones")))


def test_published_zones_reach_devices_and_update(server, db_url, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    assert sync(a).zones_updated == 0
    published = publish_zones(server.data_dir, server.storage, _zone_file(tmp_path / "v1", gk_features()))
    assert [(layer["version"], layer["changed"], layer["features"]) for layer in published["zone_layers"]] == \
        [(1, True, 4)]

    first = sync(a)
    assert first.zones_updated == 1 and first.verified and "zones_updated" in first.as_dict()
    here = cli_json("--workspace", str(a), "locate", str(CENTRE[0]), str(CENTRE[1]))
    assert [(z["name"], z["function_zone"]) for z in here["zones"]] == [(CORE, "核心保护区")]
    assert _case_zone_names(a) == [CORE]  # cases re-attributed with the new zones
    with Workspace.open(server.data_dir / "workspace") as ws:  # the same zones, by UUID, as the server's
        server_zones = {r[0] for r in ws.conn.execute("SELECT uuid FROM zones WHERE deleted = 0")}
    assert set(_zones(a)) == server_zones

    before = _zone_state(a)
    again = sync(a)
    assert again.zones_updated == 0 and _zone_state(a) == before  # nothing new: nothing downloaded or applied

    features = gk_features()
    features[1]["名称"] = "射阳河口核心区（调整）"
    del features[3]
    extra = ["--db", db_url] if db_url else []
    assert server_main(["--data", str(server.data_dir), "publish-zones",
                        str(_zone_file(tmp_path / "v2", features)), *extra]) == 0
    updated = sync(a)
    assert updated.zones_updated == 1 and updated.verified
    here = cli_json("--workspace", str(a), "locate", str(CENTRE[0]), str(CENTRE[1]))
    assert [z["name"] for z in here["zones"]] == ["射阳河口核心区（调整）"]
    zones = _zones(a)
    assert len(zones) == 4 and sorted(deleted for _, deleted in zones.values()) == [0, 0, 0, 1]
    assert ("清水通道（两块）", 1) in zones.values()  # dropped from the file: a tombstone, like import-zones
    with server.storage.read() as conn:
        versions = conn.execute(sa.select(zone_layers.c.version).order_by(zone_layers.c.version)).scalars().all()
    assert versions == [1, 2]


def _add_layer_version(server, key, data):
    sha = hashlib.sha256(data).hexdigest()
    path = FileBackend(server.data_dir).path(layer_key(sha))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with server.storage.write() as conn:
        conn.execute(zone_layers.insert().values(layer_key=key, version=99, sha256=sha, size=len(data), features=0,
                                                 published_at="2026-01-01T00:00:00Z"))
    return path


def test_bad_layers_stop_the_sync_and_change_nothing(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    publish_zones(server.data_dir, server.storage, _zone_file(tmp_path / "v1", gk_features()))
    sync(a)
    features = gk_features()
    features[1]["名称"] = "改名的核心区"
    publish_zones(server.data_dir, server.storage, _zone_file(tmp_path / "v2", features))  # a good new version
    before = _zone_state(a)

    # 黄海 sorts after 红线, so the good layer is applied first and then rolled back with the bad one
    unreadable = _add_layer_version(server, "黄海.shp::zones", gzip.compress(b'{"format": "something else"}\n'))
    with pytest.raises(SyncError, match="zone layer"):
        sync(a)
    assert _zone_state(a) == before  # the good layer was not applied either: one transaction

    unreadable.write_bytes(b"tampered")  # the file no longer matches its SHA-256
    with pytest.raises(SyncError, match="SHA-256"):
        sync(a)
    assert _zone_state(a) == before
    with Workspace.open(a) as ws:
        assert not list((ws.media_dir / ".tmp").glob("*"))  # no leftovers from the failed downloads

    with server.storage.write() as conn:
        conn.execute(zone_layers.delete().where(zone_layers.c.version == 99))
    assert sync(a).zones_updated == 1
    here = cli_json("--workspace", str(a), "locate", *map(str, CENTRE))
    assert [z["name"] for z in here["zones"]] == ["改名的核心区"]
