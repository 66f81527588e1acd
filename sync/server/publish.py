"""Publishing the office's ledger and zones to the sync server.

The server keeps an ordinary workspace under ``DATA/workspace`` and imports
into it with the same machinery as the app (:mod:`inspector.importers.ledger_import`,
:mod:`inspector.importers.zone_import`), so cases get their city and county adcodes
from the same attribution. Each case is then published as a ``cases``
record whose jurisdiction is those adcodes. A case re-published with changed
ledger fields gets a new revision; its workflow status, which devices and
reviewers move on, is kept from the server's copy. Published zones are also
exported for devices to download (:mod:`sync.server.zone_layers`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa

from inspector.store.workspace import Workspace
from sync.protocol import content_hash
from sync.record_codec import to_wire
from sync.server.blob_backends import BlobBackend
from sync.server.storage import Storage, next_seq, records, server_now

PUBLISHER = "publish"  # the updated_by name of published records
SERVER_KEPT_FIELDS = ("status", "revision", "updated_at")  # workflow state comes from the server's copy


def server_workspace(data_dir: Path) -> Workspace:
    return Workspace.create(data_dir / "workspace")


def publish_cases(ws: Workspace, storage: Storage) -> dict[str, int]:
    """Publish every case of the server workspace; returns created / updated / unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rows = ws.conn.execute("SELECT * FROM cases WHERE deleted = 0 ORDER BY id").fetchall()
    with storage.write() as conn:
        # the case rows before the change counter, in UUID order, as a push takes them (no deadlock with one)
        conn.execute(sa.select(records.c.uuid).where(records.c.kind == "cases").order_by(records.c.uuid)
                     .with_for_update()).fetchall()
        for row in rows:
            content = to_wire(ws.conn, "cases", row)
            existing = conn.execute(sa.select(records).where(records.c.uuid == row["uuid"])).first()
            if existing is not None:
                stored = json.loads(existing.content)
                content.update({k: stored.get(k) for k in SERVER_KEPT_FIELDS})
                chash = content_hash(content)
                if chash == existing.content_hash:
                    counts["unchanged"] += 1
                    continue
                conn.execute(records.update().where(records.c.uuid == existing.uuid).values(
                    content=json.dumps(content, ensure_ascii=False), content_hash=chash,
                    city_adcode=row["city_adcode"], county_adcode=row["county_adcode"],
                    revision=existing.revision + 1, server_seq=next_seq(conn), updated_by=PUBLISHER,
                    received_at=server_now()))
                counts["updated"] += 1
                continue
            conn.execute(records.insert().values(
                uuid=row["uuid"], kind="cases", case_uuid=None, finding_uuid=None,
                city_adcode=row["city_adcode"], county_adcode=row["county_adcode"], revision=1, deleted=False,
                content=json.dumps(content, ensure_ascii=False), content_hash=content_hash(content),
                server_seq=next_seq(conn), updated_by=PUBLISHER, received_at=server_now()))
            counts["created"] += 1
    return counts


def publish_ledger(data_dir: Path, storage: Storage, path: Path) -> dict[str, Any]:
    from inspector.importers.ledger_import import import_ledger

    with server_workspace(data_dir) as ws:
        imported = import_ledger(ws, path)
        published = publish_cases(ws, storage)
    return {"import": imported.as_dict(), "published": published}


def publish_zones(data_dir: Path, storage: Storage, path: Path, *, backend: Optional[BlobBackend] = None,
                  **options: Any) -> dict[str, Any]:
    """Import zones into the server workspace, re-publish cases whose attribution changed and publish the
    changed zone layers for devices into ``backend`` (default: the data directory)."""
    from inspector.importers.zone_import import import_zones
    from sync.server.blob_backends import FileBackend
    from sync.server.zone_layers import publish_layers

    with server_workspace(data_dir) as ws:
        imported = import_zones(ws, path, **options)
        published = publish_cases(ws, storage)
        layers = publish_layers(backend or FileBackend(data_dir), storage, ws)
    return {"import": imported.as_dict(), "published": published, "zone_layers": layers}
