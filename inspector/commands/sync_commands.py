"""Sync commands: login, sync, conflicts.

::

    inspector --workspace W login --server URL --user NAME --password-stdin [--ca-bundle F]
    inspector --workspace W sync --json
    inspector --workspace W conflicts --json

``login`` keeps the token in the OS keyring (never in the workspace) and the
server URL, user and CA bundle in the workspace's meta. ``sync`` prints
``{"pushed", "pulled", "conflicts", "rejected", "blobs_uploaded",
"blobs_downloaded", "pending", "held_local", "clock_skew_s", "verified", ...}``
and exits 1 when the end-of-sync check finds a divergence. A failed sync
(network, server, login) exits 1 with the reason on stderr and leaves local
data as it was after the last completed step.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from inspector.errors import InspectorError
from inspector.i18n import pick


class SyncFailed(InspectorError):
    """A sync step failed (network, server, login); local data is kept."""


def register(subparsers: Any, json_parent: argparse.ArgumentParser) -> None:
    def add(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, parents=[json_parent], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    login = add("login", cmd_login, "log in to a sync server (token kept in the OS keyring)")
    login.add_argument("--server", required=True, metavar="URL")
    login.add_argument("--user", required=True, metavar="NAME")
    login.add_argument("--password-stdin", action="store_true", required=True,
                       help="read the password from the first line of standard input")
    login.add_argument("--ca-bundle", metavar="FILE", help="CA certificates that the server's TLS must chain to")
    add("sync", cmd_sync, "push local changes, pull the server's, exchange photos")
    add("conflicts", cmd_conflicts, "conflicts the server keeps for this user's jurisdiction")


def _failed(exc: Exception) -> SyncFailed:
    return SyncFailed(f"同步失败：{exc}（本地数据已保留）", f"sync failed: {exc} (local data kept)")


def cmd_login(args: argparse.Namespace, ctx: Any) -> tuple[Any, str]:
    from sync.client import SyncClient
    from sync.errors import SyncError
    from sync.settings import save_login

    password = sys.stdin.readline().rstrip("\r\n")
    ws = ctx.workspace()
    client = SyncClient(args.server, ca_bundle=args.ca_bundle)
    try:
        result = client.login(args.user, password)
    except SyncError as exc:
        raise _failed(exc) from exc
    finally:
        client.close()
    settings = save_login(ws, args.server, args.user, args.ca_bundle)
    payload = {"server": settings.server_url, "user": result.user, "role": result.role,
               "jurisdiction": result.jurisdiction, "clock_skew_s": client.clock_skew_s}
    return payload, pick(f"已登录 {settings.server_url}：{result.user}（{result.role}，{result.jurisdiction}）",
                         f"logged in to {settings.server_url} as {result.user} ({result.role}, {result.jurisdiction})")


def cmd_sync(args: argparse.Namespace, ctx: Any) -> tuple[Any, str]:
    from inspector.cli import CommandResult
    from sync.errors import SyncError
    from sync.job import SyncJob
    from sync.settings import client_for

    ws = ctx.workspace()
    try:
        client, settings = client_for(ws)
    except SyncError as exc:
        raise _failed(exc) from exc

    def progress(phase: str, done: int, total: int) -> None:
        ctx.progress(done, total, phase)

    try:
        report = SyncJob(ws.root, client, actor=settings.user, progress=progress).run()
    except SyncError as exc:
        raise _failed(exc) from exc
    finally:
        client.close()
    payload = report.as_dict()
    text = pick(f"上传 {report.pushed}，下载 {report.pulled}，冲突 {report.conflicts}，照片上传 "
                f"{report.blobs_uploaded}、下载 {report.blobs_downloaded}，待同步 {report.pending}",
                f"pushed {report.pushed}, pulled {report.pulled}, conflicts {report.conflicts}, blobs up "
                f"{report.blobs_uploaded} / down {report.blobs_downloaded}, pending {report.pending}")
    if report.verified is False:
        return CommandResult(payload, 1), text + pick("；校验不一致", "; verification found differences")
    return payload, text


def cmd_conflicts(args: argparse.Namespace, ctx: Any) -> tuple[Any, str]:
    from sync.errors import SyncError
    from sync.settings import client_for

    ws = ctx.workspace()
    try:
        client, _ = client_for(ws)
        try:
            listing = client.conflicts()
        finally:
            client.close()
    except SyncError as exc:
        raise _failed(exc) from exc
    payload = [c.model_dump(mode="json") for c in listing.conflicts]
    lines = [f"#{c['id']} {c['kind']} {c['uuid']} {c['user']} base {c['base_revision']} → "
             f"server {c['server_revision']}{' (deleted)' if c['server_deleted'] else ''}" for c in payload]
    return payload, "\n".join(lines) or pick("没有冲突", "no conflicts")
