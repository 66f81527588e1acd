"""Sync commands: login, sync, conflicts (list and resolve).

::

    inspector --workspace W login --server URL --user NAME --password-stdin [--ca-bundle F]
    inspector --workspace W login --user NAME --password-stdin      (a local account: no server)
    inspector --workspace W sync --json
    inspector --workspace W conflicts [--all] --json
    inspector --workspace W conflicts resolve CONFLICT_ID --keep server|client --json

These commands are contributed to the ``inspector`` command line through the
``inspector.commands`` entry-point group (see ``pyproject.toml``), so this
module is imported by every ``inspector`` run: the handlers import the sync
machinery (HTTP, record schema) when they run, not here.

``login`` keeps the token in the OS keyring (never in the workspace) and the
server URL, user and CA bundle in the workspace's meta, and caches the
server's identity of the account (display name, roles, jurisdiction) for
offline work; a workspace that belongs to another server account is refused
(exit 2: that account works in its own workspace). Without ``--server`` it
signs a local account of a standalone workspace in
(:mod:`inspector.accounts.sign_in`); a server address a
token must not go to (plain ``http://`` to another machine) is bad input
(exit 2). ``sync`` prints
``{"pushed", "pulled", "conflicts", "rejected", "blobs_uploaded",
"blobs_downloaded", "pending", "held_local", "zones_updated", "clock_skew_s", "verified", ...}``
and exits 1 when the end-of-sync check finds a divergence. ``"quarantined"``
lists the pulled records this device cannot apply (``uuid``, ``kind``,
``server_revision``, ``reason``, ``first_seen``, ...) and ``"quarantined_new"``
counts those this sync set aside; a sync that quarantined records still
exits 0. ``conflicts`` lists
the open conflicts (``--all``: resolved ones too, with their ``resolution``);
``conflicts resolve`` (reviewers and admins) makes the kept version the
record's next server revision, which every device takes on its next sync. A failed sync
(network, server, login) exits 1 with the reason on stderr and leaves local
data as it was after the last completed step.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from inspector.cli.context import CommandResult, Context, Handler, Subparsers
from inspector.errors import BadInput, InspectorError
from inspector.i18n import pick

if TYPE_CHECKING:
    from sync.client import SyncClient


T = TypeVar("T")


class SyncFailed(InspectorError):
    """A sync step failed (network, server, login); local data is kept."""


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, parents=[json_parent], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    login = add("login", cmd_login, "log in to a sync server (token kept in the OS keyring), or, without "
                                    "--server, sign a local account in")
    login.add_argument("--server", metavar="URL", help="the sync server (without it: a local account)")
    login.add_argument("--user", required=True, metavar="NAME")
    login.add_argument("--password-stdin", action="store_true", required=True,
                       help="read the password from the first line of standard input")
    login.add_argument("--ca-bundle", metavar="FILE", help="CA certificates that the server's TLS must chain to")
    add("sync", cmd_sync, "push local changes, pull the server's, exchange photos")
    conflicts = add("conflicts", cmd_conflicts, "conflicts the server keeps for this user's jurisdiction")
    conflicts.add_argument("--all", action="store_true", dest="include_resolved",
                           help="also list resolved conflicts")
    actions = conflicts.add_subparsers(dest="conflicts_action", metavar="ACTION")
    resolve = actions.add_parser("resolve", parents=[json_parent],
                                 help="keep the server's or the client's version (reviewers, admins)")
    resolve.set_defaults(handler=cmd_resolve)
    resolve.add_argument("conflict_id", type=int, metavar="CONFLICT_ID")
    resolve.add_argument("--keep", required=True, choices=("server", "client"))


def _failed(exc: InspectorError) -> SyncFailed:
    return SyncFailed(f"同步失败：{exc.zh}（本地数据已保留）", f"sync failed: {exc.en} (local data kept)")


def _local_login(ctx: Context, user: str, password: str) -> tuple[Any, str]:
    from inspector.accounts.sign_in import sign_in_local, whoami

    actor = sign_in_local(ctx.workspace(), user, password)
    return whoami(actor), pick(f"已登录：{actor.name}（{actor.user}，{'/'.join(actor.roles)}，{actor.jurisdiction}），"
                               f"有效至 {actor.expires_at}",
                               f"signed in: {actor.name} ({actor.user}, {'/'.join(actor.roles)}, "
                               f"{actor.jurisdiction}) until {actor.expires_at}")


def cmd_login(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.accounts.sign_in import whoami
    from sync.errors import SyncError, UnsafeServerURL
    from sync.settings import log_in

    password = sys.stdin.readline().rstrip("\r\n")
    if not args.server:
        return _local_login(ctx, args.user, password)
    ws = ctx.workspace()
    try:
        done = log_in(ws, args.server, args.user, password, args.ca_bundle)
    except UnsafeServerURL as exc:
        raise BadInput(exc.message) from exc
    except SyncError as exc:
        raise _failed(exc) from exc
    result, settings = done.result, done.settings
    payload = {**whoami(done.actor), "server": settings.server_url, "user": result.user, "role": result.role,
               "jurisdiction": result.jurisdiction, "token_expires_at": result.expires_at,
               "clock_skew_s": done.clock_skew_s}
    return payload, pick(f"已登录 {settings.server_url}：{result.user}（{result.role}，{result.jurisdiction}）",
                         f"logged in to {settings.server_url} as {result.user} ({result.role}, {result.jurisdiction})")


def cmd_sync(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
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
    if report.zones_updated:
        text += pick(f"，区域图层更新 {report.zones_updated}", f", zone layers updated {report.zones_updated}")
    text += _quarantine_text(report.quarantined, report.quarantined_new)
    if report.verified is False:
        return CommandResult(payload, 1), text + pick("；校验不一致", "; verification found differences")
    return payload, text


def _printable(text: Any) -> str:
    """A value from the server as terminal text: control characters shown as ``?``."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def _quarantine_text(entries: list[dict[str, Any]], new: int) -> str:
    """What the human output says about pulled records kept aside (nothing when there are none)."""
    if not entries:
        return ""
    text = pick(f"\n已隔离 {len(entries)} 条无法在本机应用的服务器记录（本次新增 {new}；其余记录已正常下载，"
                f"结束核对未包括这些记录）：",
                f"\n{len(entries)} server record(s) quarantined: they cannot be applied on this device ({new} new "
                f"this sync; all other records were applied; the end-of-sync check left these out):")
    for entry in entries:
        case = f" {_printable(entry['case_no'])}" if entry.get("case_no") else ""
        text += pick(f"\n  {_printable(entry['kind'])}{case} {_printable(entry['uuid'])}（服务器版本 "
                     f"{entry['server_revision']}）：{_printable(entry['reason'])}",
                     f"\n  {_printable(entry['kind'])}{case} {_printable(entry['uuid'])} (server revision "
                     f"{entry['server_revision']}): {_printable(entry['reason'])}")
    return text


def _with_server(ctx: Context, call: Callable[["SyncClient"], T]) -> T:
    """``call(client)`` with the workspace's server client; sync errors become :class:`SyncFailed`."""
    from sync.errors import SyncError
    from sync.settings import load_settings, with_client

    ws = ctx.workspace()
    try:
        return with_client(load_settings(ws), call)
    except SyncError as exc:
        raise _failed(exc) from exc


def cmd_conflicts(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    listing = _with_server(ctx, lambda client: client.conflicts(include_resolved=args.include_resolved))
    payload = [c.model_dump(mode="json") for c in listing.conflicts]
    lines = [f"#{c['id']} {c['kind']} {c['uuid']} {c['user']} "
             + pick(f"所依据版本 {c['base_revision']} → 服务器版本 {c['server_revision']}"
                    f"{'（已删除）' if c['server_deleted'] else ''}",
                    f"base {c['base_revision']} → server {c['server_revision']}"
                    f"{' (deleted)' if c['server_deleted'] else ''}")
             + _resolution_note(c["resolution"]) for c in payload]
    return payload, "\n".join(lines) or pick("没有冲突", "no conflicts")


def _kept(keep: str) -> str:
    return pick("客户端版本", "client version") if keep == "client" else pick("服务器版本", "server version")


def _resolution_note(resolution: Any) -> str:
    if not resolution:
        return ""
    return pick(f"（已处理：保留{_kept(resolution['keep'])}，{resolution['by']}）",
                f" (resolved: kept {_kept(resolution['keep'])}, {resolution['by']})")


def cmd_resolve(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    result = _with_server(ctx, lambda client: client.resolve_conflict(args.conflict_id, args.keep))
    kept, revision = _kept(args.keep), result.record.revision
    text = pick(f"冲突 #{args.conflict_id} 已处理：保留{kept}，服务器版本号 {revision}",
                f"conflict #{args.conflict_id} resolved: kept the {kept}, server revision {revision}")
    if result.also_closed:
        closed = ", ".join(f"#{c}" for c in result.also_closed)
        text += pick(f"；同时关闭 {closed}", f"; also closed {closed}")
    return result.model_dump(mode="json"), text
