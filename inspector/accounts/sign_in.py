"""The signed-in user of a workspace and the acting user of every step.

The signed-in identity lives in workspace meta (:data:`IDENTITY_KEY`, JSON:
user, display name, roles, jurisdiction, source ``local`` | ``server``,
expires_at). A local sign-in lasts :data:`LOCAL_SIGN_IN_HOURS`; a server's
identity, cached at ``login --server``, lasts :data:`SERVER_IDENTITY_DAYS` so
that an inspector can work offline — the server still checks every push
against its own account.

A workspace that signed in to a server belongs to that server account
(:data:`SERVER_OWNER_KEY`): another server account works in its own profile
workspace, never in this one (:func:`check_server_account`).

:func:`acting_actor` is who a mutating command acts as: the signed-in,
unexpired user; on a workspace with no account at all (no local account, no
server login), the device's own local user (本机用户 with the device id, role
inspector only); otherwise :class:`BadInput` saying how to sign in. The
operating-system login is never used.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from inspector.accounts.local_accounts import authenticate, find_account, has_local_accounts
from inspector.casework.authority import DEVICE, LOCAL, SERVER, Actor, jurisdiction_level
from inspector.casework.statuses import INSPECTOR, ROLES
from inspector.errors import BadInput
from inspector.store.db import atomic
from inspector.store.workspace import Workspace

IDENTITY_KEY = "accounts.signed_in"  # workspace meta: the signed-in user (JSON)
SERVER_OWNER_KEY = "accounts.server_owner"  # workspace meta: the server account this workspace belongs to (JSON)
LOCAL_SIGN_IN_HOURS = 12  # hours a local sign-in lasts
SERVER_IDENTITY_DAYS = 7  # days a server identity stays cached for offline work
DEVICE_ID_CHARS = 8  # characters of the workspace id that name the device's local user
DEVICE_USER_PREFIX = "device:"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _utc_text(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _parse_utc(text: Any) -> Optional[dt.datetime]:
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def device_id(ws: Workspace) -> str:
    """The short id of this device's workspace (the first characters of its workspace id)."""
    return (ws.meta("workspace_id") or "unknown")[:DEVICE_ID_CHARS]


def device_actor(ws: Workspace) -> Actor:
    """The device's own local user of a workspace without accounts: field work only (role inspector)."""
    ident = device_id(ws)
    return Actor(user=f"{DEVICE_USER_PREFIX}{ident}", name=f"本机用户 {ident}", roles=(INSPECTOR,),
                 jurisdiction=None, source=DEVICE)


def server_owner(ws: Workspace) -> Optional[tuple[str, str]]:
    """``(server URL, account name)`` this workspace belongs to, or ``None`` for a standalone workspace."""
    raw = ws.meta(SERVER_OWNER_KEY)
    if not raw:
        return None
    try:
        owner = json.loads(raw)
        return str(owner["server"]), str(owner["user"])
    except (ValueError, KeyError, TypeError):
        return None


def has_accounts(ws: Workspace) -> bool:
    """Whether steps here need a signed-in account: a local account exists, or the workspace syncs with a server."""
    return has_local_accounts(ws) or server_owner(ws) is not None


def how_to_sign_in(ws: Workspace) -> BadInput:
    owner = server_owner(ws)
    if owner is not None:
        server, user = owner
        return BadInput(f"请先登录：inspector --workspace {ws.root} login --server {server} --user {user} "
                        f"--password-stdin（未登录或登录已过期）",
                        f"sign in first: inspector --workspace {ws.root} login --server {server} --user {user} "
                        f"--password-stdin (nobody is signed in, or the sign-in expired)")
    return BadInput(f"请先登录：inspector --workspace {ws.root} login --user 账号 --password-stdin"
                    f"（该工作空间有账号，未登录或登录已过期）",
                    f"sign in first: inspector --workspace {ws.root} login --user NAME --password-stdin "
                    f"(this workspace has accounts; nobody is signed in, or the sign-in expired)")


def _store(ws: Workspace, actor: Actor) -> Actor:
    identity = {"user": actor.user, "name": actor.name, "roles": list(actor.roles),
                "jurisdiction": actor.jurisdiction, "source": actor.source, "expires_at": actor.expires_at}
    with atomic(ws.conn):
        ws.set_meta(IDENTITY_KEY, json.dumps(identity, ensure_ascii=False))
    return actor


def sign_in_local(ws: Workspace, name: str, password: str) -> Actor:
    """Sign a local account in for :data:`LOCAL_SIGN_IN_HOURS`; :class:`BadInput` for a wrong name or password."""
    if server_owner(ws) is not None:
        raise BadInput("该工作空间与同步服务器同步，请用服务器账号登录（inspector login --server ...）",
                       "this workspace syncs with a server: sign in with the server account "
                       "(inspector login --server ...)")
    account = authenticate(ws, name, password)
    if account is None:
        raise BadInput("账号或密码不正确", "wrong account name or password")
    expires = _utc_text(_now() + dt.timedelta(hours=LOCAL_SIGN_IN_HOURS))
    return _store(ws, Actor(account.name, account.display_name, account.roles, account.jurisdiction, LOCAL,
                            expires))


def check_server_account(ws: Workspace, server_url: str, user: str) -> None:
    """:class:`BadInput` when this workspace belongs to another server account (or has local accounts): that
    person works in their own profile workspace. Nothing is changed. The account is told by its name: the same
    account at a new server address (the province moved its server) keeps its workspace."""
    owner = server_owner(ws)
    if owner is not None and owner[1] != user:
        raise BadInput(f"该工作空间属于 {owner[1]}（{owner[0]}）：其他账号请使用自己的工作空间（配置文件），"
                       f"例如 inspector --workspace 另一个目录 login ...；本工作空间的数据保持不变",
                       f"this workspace belongs to {owner[1]} at {owner[0]}: another account works in its own "
                       f"workspace (profile), e.g. inspector --workspace OTHER_DIR login ...; nothing here was "
                       f"changed")
    if owner is None and has_local_accounts(ws):
        raise BadInput("该工作空间使用本地账号，不能再绑定同步服务器账号：请使用另一个工作空间",
                       "this workspace has local accounts and cannot belong to a server account: use another "
                       "workspace")


def bind_server_account(ws: Workspace, server_url: str, user: str) -> None:
    """Record that this workspace belongs to ``user`` at ``server_url`` (checked first)."""
    check_server_account(ws, server_url, user)
    with atomic(ws.conn):
        ws.set_meta(SERVER_OWNER_KEY, json.dumps({"server": server_url.rstrip("/"), "user": user},
                                                 ensure_ascii=False))


def remember_server_identity(ws: Workspace, server_url: str, *, user: str, name: str, roles: list[str],
                             jurisdiction: str) -> Actor:
    """Cache the identity a server's login answered, for :data:`SERVER_IDENTITY_DAYS` of offline work."""
    known = tuple(r for r in roles if r in ROLES)
    try:
        jurisdiction_level(jurisdiction)
    except ValueError as exc:
        raise BadInput(f"服务器返回的辖区无效：{jurisdiction!r}", f"the server sent an invalid jurisdiction: "
                       f"{jurisdiction!r}") from exc
    with atomic(ws.conn):
        bind_server_account(ws, server_url, user)
        expires = _utc_text(_now() + dt.timedelta(days=SERVER_IDENTITY_DAYS))
        return _store(ws, Actor(user, name or user, known, jurisdiction, SERVER, expires))


def sign_out(ws: Workspace) -> Optional[Actor]:
    """Forget the signed-in user; returns who was signed in."""
    was = current_actor(ws)
    with atomic(ws.conn):
        ws.conn.execute("DELETE FROM meta WHERE key = ?", (IDENTITY_KEY,))
    return was


def current_actor(ws: Workspace) -> Optional[Actor]:
    """The signed-in, unexpired user, or ``None``. A local sign-in follows its account as it is now (roles,
    jurisdiction, display name); a removed account is signed out."""
    raw = ws.meta(IDENTITY_KEY)
    if not raw:
        return None
    try:
        identity = json.loads(raw)
        user, source, expires_at = str(identity["user"]), identity["source"], identity["expires_at"]
    except (ValueError, KeyError, TypeError):
        return None
    expires = _parse_utc(expires_at)
    if expires is None or expires <= _now():
        return None
    if source == LOCAL:
        account = find_account(ws, user)
        if account is None or server_owner(ws) is not None:
            return None
        return Actor(account.name, account.display_name, account.roles, account.jurisdiction, LOCAL, expires_at)
    owner = server_owner(ws)
    if source != SERVER or owner is None or owner[1] != user:
        return None
    roles = tuple(r for r in identity.get("roles") or () if r in ROLES)
    return Actor(user, str(identity.get("name") or user), roles, identity.get("jurisdiction"), SERVER, expires_at)


def acting_actor(ws: Workspace) -> Actor:
    """Who a mutating step acts as (see the module docstring); :class:`BadInput` when someone must sign in."""
    actor = current_actor(ws)
    if actor is not None:
        return actor
    if not has_accounts(ws):
        return device_actor(ws)
    raise how_to_sign_in(ws)


def require_role(actor: Actor, role: str) -> str:
    """``role`` when it is one of ``actor``'s roles; :class:`BadInput` (exit 2) otherwise."""
    if role not in actor.roles:
        mine = "/".join(actor.roles) or "无"
        hint_zh = "；审核操作需要审核员账号" if actor.source == DEVICE else ""
        hint_en = "; review steps need a reviewer account" if actor.source == DEVICE else ""
        raise BadInput(f"{actor.name}（{actor.user}）没有角色 {role}（其角色：{mine}）{hint_zh}",
                       f"{actor.name} ({actor.user}) does not have the role {role} (roles: "
                       f"{'/'.join(actor.roles) or 'none'}){hint_en}")
    return role


def whoami(actor: Actor) -> dict[str, Any]:
    """``{"user", "name", "roles", "jurisdiction", "level", "source", "expires_at"}`` of an actor."""
    return {"user": actor.user, "name": actor.name, "roles": list(actor.roles), "jurisdiction": actor.jurisdiction,
            "level": actor.level, "source": actor.source, "expires_at": actor.expires_at}
