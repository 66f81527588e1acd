"""The push's batches over a real loopback server: one request at a time and in order, while the client gets the
next batch ready — its outbox holds batch N+1 before batch N is answered — and every batch, including one that
names records of the batch before, is applied and acknowledged. A push refused mid-way leaves the refused batch
and the one readied behind it in the outbox, and the next sync sends them in the order they were written.
"""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, Callable

import pytest

from inspector.store.workspace import Workspace
from sync.errors import SyncError
from tests.sync_fixtures import (
    FailNthRequest,
    client_workspace,
    field_work,
    start_server,
    sync,
    use_test_keyring,
    wait_for,
)

NEXT_BATCH_WAIT_S = 10  # how long the first push waits for the client to write the next batch (a limit, not a pause)


def outbox_size(root: Path) -> int:
    with sqlite3.connect(f"file:{root / 'workspace.sqlite'}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])


class HoldFirstPush:
    """ASGI wrapper: the first ``/push`` is handled only once the client's outbox holds the next batch; counts the
    pushes in flight at once."""

    def __init__(self, app: Any, root: Callable[[], Path]) -> None:
        self.app, self.root = app, root
        self.seen = self.in_flight = self.most_in_flight = 0

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/push"):
            await self.app(scope, receive, send)
            return
        self.seen += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.seen == 1:
                await asyncio.to_thread(wait_for, lambda: outbox_size(self.root()) >= 2, "the next batch",
                                        seconds=NEXT_BATCH_WAIT_S)
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def test_next_batch_is_ready_while_one_is_on_the_server(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    root = tmp_path / "a"
    holders: list[HoldFirstPush] = []

    def wrap(app: Any) -> HoldFirstPush:
        holders.append(HoldFirstPush(app, lambda: root))
        return holders[-1]

    server = start_server(tmp_path, None, wrap=wrap)
    try:
        client_workspace(root, server.url, "inspector_a")
        sync(root)
        holder = holders[-1]
        field_work(root, tmp_path)  # transitions, a finding, photos naming it, the case: 7 records
        assert holder.seen == 0
        report = sync(root, batch_size=2)
        assert holder.seen == 4 and holder.most_in_flight == 1  # 7 records in batches of 2
        assert report.pushed == 7 and report.rejected == 0 and report.conflicts == 0
        assert report.verified and report.pending == 0
        assert outbox_size(root) == 0
        with Workspace.open(root) as ws:
            assert ws.conn.execute("SELECT count(*) FROM evidence WHERE dirty = 0").fetchone()[0] == 3
    finally:
        server.stop()


def test_batches_left_in_the_outbox_go_again_in_order(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    root = tmp_path / "a"
    server = start_server(tmp_path, None, wrap=lambda app: FailNthRequest(app, "/push", 2, after=False))
    try:
        client_workspace(root, server.url, "inspector_a")
        sync(root)
        field_work(root, tmp_path)
        with pytest.raises(SyncError) as failure:
            sync(root, batch_size=3)  # [finding, photo, photo], [photo, transition, transition], [case]
        assert failure.value.status == 503
        assert outbox_size(root) == 2  # the refused batch and the next one, readied while it was on its way
        report = sync(root, batch_size=3)
        assert report.rejected == 0 and report.conflicts == 0  # the case's status needs the refused transitions
        assert report.verified and report.pending == 0 and outbox_size(root) == 0
    finally:
        server.stop()
