"""The zone phase of a sync: fetch the zone layers the server published since this device last synced.

The device remembers, per server and layer, the SHA-256 of the layer file it
applied (``sync_state`` key ``zone_layer:<server>|<layer key>``). A sync lists
the server's current layers and downloads only those whose SHA-256 differs,
verifying each while it streams (:meth:`SyncClient.download_zone_layer`).
Nothing local changes until every file has arrived; then all of them are read
and applied in ONE transaction together with the remembered hashes, through
the same upsert as ``import-zones`` (:func:`inspector.importers.zone_layer_file.apply_layer`:
changed zones updated, missing ones tombstoned, cases re-attributed). A
failure anywhere leaves the workspace as it was.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Optional

from inspector.errors import BadInput
from inspector.geo.attribution import forget_lookup
from inspector.store.db import atomic
from inspector.store.workspace import Workspace
from sync.client import SyncClient
from sync.errors import RequestRefused, SyncCancelled, SyncError
from sync.protocol import ZoneLayerInfo

STATE_KEY = "zone_layer:{server}|{layer}"

Tick = Callable[[int, int], None]


def applied_sha(ws: Workspace, server_url: str, layer_key: str) -> Optional[str]:
    row = ws.conn.execute("SELECT value FROM sync_state WHERE key = ?",
                          (STATE_KEY.format(server=server_url, layer=layer_key),)).fetchone()
    return row[0] if row else None


def stale_layers(ws: Workspace, server_url: str, layers: list[ZoneLayerInfo]) -> list[ZoneLayerInfo]:
    """The listed layers this workspace has not applied in that version."""
    return [layer for layer in layers if applied_sha(ws, server_url, layer.layer_key) != layer.sha256]


def _apply_all(ws: Workspace, server_url: str, files: list[tuple[ZoneLayerInfo, Path]]) -> list[dict[str, Any]]:
    from inspector.importers.zone_layer_file import apply_layer, read_layer

    summaries = []
    try:
        with atomic(ws.conn):
            for info, path in files:
                layer = read_layer(path.read_bytes())
                if layer.layer_key != info.layer_key:
                    raise SyncError(f"区域图层文件 {info.sha256} 不是图层 {info.layer_key}",
                                    f"zone layer file {info.sha256} is not layer {info.layer_key}")
                result = apply_layer(ws, layer, source=f"{server_url} {info.layer_key} v{info.version}")
                ws.conn.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "value = excluded.value", (STATE_KEY.format(server=server_url, layer=info.layer_key), info.sha256))
                summaries.append({"layer_key": info.layer_key, "version": info.version, "imported": result.imported,
                                  "updated": result.updated, "unchanged": result.unchanged, "removed": result.removed})
    except BadInput as exc:
        forget_lookup(ws)
        raise SyncError(exc.message.prefixed("服务器发来的区域图层无法使用：",
                                             "the server sent an unreadable zone layer: ")) from exc
    except BaseException:
        forget_lookup(ws)
        raise
    return summaries


def update_zone_layers(client: SyncClient, ws: Workspace, *, cancel: Optional[threading.Event] = None,
                       tick: Optional[Tick] = None) -> list[dict[str, Any]]:
    """Download and apply every layer newer than this workspace's; returns a summary per applied layer."""
    try:
        listed = client.zone_layers().layers
    except RequestRefused as exc:
        if exc.status != 404:
            raise
        return []  # a server from before zone layers were distributed: nothing to fetch
    todo = stale_layers(ws, client.server_url, listed)
    if not todo:
        return []
    files: list[tuple[ZoneLayerInfo, Path]] = []
    try:
        for done, info in enumerate(todo):
            if cancel is not None and cancel.is_set():
                raise SyncCancelled()
            if tick:
                tick(done, len(todo))
            files.append((info, client.download_zone_layer(info.sha256, ws.media_dir / ".tmp")))
        return _apply_all(ws, client.server_url, files)
    finally:
        for _, path in files:
            path.unlink(missing_ok=True)
