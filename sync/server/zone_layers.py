"""Distributable zone layers: each layer of the server workspace as a versioned, content-addressed file.

After ``publish-zones`` imported a file into the server workspace,
:func:`publish_layers` exports every layer there
(:func:`inspector.importers.zone_layer_file.export_layer`). A layer whose file has a
new SHA-256 gets the next version: the file is stored in the blob backend
as ``zone_layers/<sha256>.jsonl.gz`` (whole or not at all; in the data
directory or the object store every server machine shares) and only then
recorded in ``zone_layers``, so a listed version always has its file.
Unchanged layers keep their version, so devices download nothing.

Scope: zones are the province's maps, not case data. Every authenticated
user may list and download every layer — a device needs the zones around
its cases across county lines (nearest zone, the geofence), and nothing in
a layer identifies a case or a person.
"""
from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from inspector.store.workspace import Workspace
from sync.protocol import ZoneLayerInfo
from sync.server.blob_backends import BlobBackend, layer_key
from sync.server.storage import Storage, server_now, zone_layers


def current_layers(conn: Connection) -> list[ZoneLayerInfo]:
    """The latest version of every published layer, by layer key."""
    latest = (sa.select(zone_layers.c.layer_key, sa.func.max(zone_layers.c.version).label("version"))
              .group_by(zone_layers.c.layer_key).subquery())
    rows = conn.execute(sa.select(zone_layers).join(latest, sa.and_(
        zone_layers.c.layer_key == latest.c.layer_key, zone_layers.c.version == latest.c.version)))
    return sorted((ZoneLayerInfo(layer_key=r.layer_key, version=r.version, sha256=r.sha256, size=r.size,
                                 features=r.features, published_at=r.published_at) for r in rows),
                  key=lambda layer: layer.layer_key)  # code point order, whatever the database's collation


def is_published(conn: Connection, sha256: str) -> bool:
    """Whether a layer file of this SHA-256 was ever published (older versions stay downloadable)."""
    return conn.execute(sa.select(zone_layers.c.id).where(zone_layers.c.sha256 == sha256).limit(1)).first() \
        is not None


def publish_layers(backend: BlobBackend, storage: Storage, ws: Workspace) -> list[dict[str, Any]]:
    """Export every layer of the server workspace; record a new version for each changed one."""
    from inspector.importers.zone_layer_file import export_layer, layer_keys

    with storage.read() as conn:
        current = {layer.layer_key: layer for layer in current_layers(conn)}
    published = []
    for key in layer_keys(ws):
        data = export_layer(ws, key)
        sha = hashlib.sha256(data).hexdigest()
        features = ws.conn.execute("SELECT count(*) FROM zones WHERE layer_key = ? AND deleted = 0",
                                   (key,)).fetchone()[0]
        known = current.get(key)
        if known is not None and known.sha256 == sha:
            published.append({"layer_key": key, "version": known.version, "sha256": sha, "features": features,
                              "changed": False})
            continue
        if not backend.exists(layer_key(sha)):  # content-addressed: one there is these bytes already
            backend.put(layer_key(sha), memoryview(data))
        version = known.version + 1 if known else 1
        with storage.write() as conn:
            conn.execute(zone_layers.insert().values(layer_key=key, version=version, sha256=sha, size=len(data),
                                                     features=features, published_at=server_now()))
        published.append({"layer_key": key, "version": version, "sha256": sha, "features": features,
                          "changed": True})
    return published
