"""Where a workspace syncs to: server URL, user and CA bundle in workspace meta; the token in the keyring.

:func:`log_in` asks the server for a token, keeps it in the OS keyring and only
then records the server, user and CA bundle in the workspace (:func:`save_login`);
a failed login changes nothing. Neither a login nor a sync goes to an address
:func:`sync.client.check_server_url` refuses (plain ``http://`` to another
machine), and a token is kept only in a secure keyring
(:mod:`sync.token_keyring`). :func:`client_for` builds a
:class:`~sync.client.SyncClient` for a workspace with the token from the OS
keyring (:class:`~sync.errors.AuthError` when there is none: log in again —
local data is never touched by a failed login); :func:`open_client` does the
same from :class:`SyncSettings` already read, optionally asking the server's
unauthenticated ``/info`` first, so that "unreachable" (offline) is told apart
from "no token" (log in); :func:`with_client` runs one call with such a client.
:func:`login_defaults` pre-fills a login form: the workspace's last server,
else the server and CA baked into a bureau build.
The CLI (``inspector login`` / ``sync`` / ``conflicts``) and the GUI both go
through these functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, TypeVar

from inspector.accounts.sign_in import bind_server_account, check_server_account, remember_server_identity
from inspector.casework.authority import Actor
from inspector.store.db import atomic
from inspector.store.workspace import Workspace
from sync.client import SyncClient, load_token
from sync.errors import AuthError
from sync.protocol import LoginResult

T = TypeVar("T")
SERVER_URL_KEY = "sync.server_url"
USER_KEY = "sync.user"
CA_BUNDLE_KEY = "sync.ca_bundle"


@dataclass(frozen=True)
class SyncSettings:
    server_url: str
    user: str
    ca_bundle: Optional[str]


@dataclass(frozen=True)
class LoggedIn:
    """A successful login: the server's answer, what the workspace now records, the measured clock skew."""

    result: LoginResult
    settings: SyncSettings
    clock_skew_s: Optional[float]
    actor: Actor  # the identity cached for offline work


def save_login(ws: Workspace, server_url: str, user: str, ca_bundle: Optional[str]) -> SyncSettings:
    """Record the server, user and CA bundle; the workspace then belongs to that server account
    (:func:`inspector.accounts.sign_in.bind_server_account`, :class:`BadInput` when it belongs to another)."""
    ca_path = str(Path(ca_bundle).resolve()) if ca_bundle else ""
    with atomic(ws.conn):
        bind_server_account(ws, server_url, user)
        ws.set_meta(SERVER_URL_KEY, server_url.rstrip("/"))
        ws.set_meta(USER_KEY, user)
        ws.set_meta(CA_BUNDLE_KEY, ca_path)
    return SyncSettings(server_url.rstrip("/"), user, ca_path or None)


def log_in(ws: Workspace, server_url: str, user: str, password: str, ca_bundle: Optional[str]) -> LoggedIn:
    """Log in to ``server_url``: the token goes to the keyring, then the settings to the workspace.

    The server's identity of the account (display name, roles, jurisdiction) is cached in the workspace for
    offline work (:func:`inspector.accounts.sign_in.remember_server_identity`). A workspace that belongs to
    another server account is refused (:class:`~inspector.errors.BadInput`) before anything is sent: that
    account works in its own profile workspace.

    Raises :class:`~sync.errors.SyncError` subclasses (:class:`~sync.errors.UnsafeServerURL` for an address a
    password must not go to, before anything is sent); on failure neither the keyring nor the workspace
    changes."""
    check_server_account(ws, server_url, user)
    client = SyncClient(server_url, ca_bundle=ca_bundle)
    try:
        result = client.login(user, password)
    finally:
        client.close()
    with atomic(ws.conn):
        settings = save_login(ws, server_url, user, ca_bundle)
        actor = remember_server_identity(ws, server_url, user=result.user, name=result.display_name,
                                         roles=result.all_roles, jurisdiction=result.jurisdiction)
    return LoggedIn(result, settings, client.clock_skew_s, actor)


def load_settings(ws: Workspace) -> SyncSettings:
    url, user = ws.meta(SERVER_URL_KEY), ws.meta(USER_KEY)
    if not url or not user:
        raise AuthError("该工作空间尚未设置同步服务器，请先登录：inspector login --server URL --user NAME",
                        "this workspace has no sync server yet: run inspector login --server URL --user NAME")
    return SyncSettings(url, user, ws.meta(CA_BUNDLE_KEY) or None)


def login_defaults(ws: Workspace) -> SyncSettings:
    """What a login form starts with: the workspace's settings, else the bureau build's server and CA."""
    from inspector.bureau import bundled

    try:
        return load_settings(ws)
    except AuthError:
        pass
    try:
        bureau = bundled()
    except Exception:  # noqa: BLE001 - a broken bureau file only means no defaults here
        bureau = None
    if bureau is None:
        return SyncSettings("", "", None)
    return SyncSettings(bureau.server_url or "", "", str(bureau.ca_certificate) if bureau.ca_certificate else None)


def open_client(settings: SyncSettings, *, check_reachable: bool = False) -> SyncClient:
    """A client for the settings' server with the keyring's token.

    With ``check_reachable`` the unauthenticated ``/info`` is asked first: an unreachable
    server raises :class:`~sync.errors.NetworkError` before a missing token raises
    :class:`~sync.errors.AuthError`."""
    client = SyncClient(settings.server_url, ca_bundle=settings.ca_bundle)
    try:
        if check_reachable:
            client.info()
        client.token = load_token(settings.server_url, settings.user)
        if not client.token:
            raise AuthError(f"没有 {settings.user} 在 {settings.server_url} 的登录令牌，请重新登录（inspector login）",
                            f"no login token for {settings.user} at {settings.server_url}: run inspector login")
    except BaseException:
        client.close()
        raise
    return client


def with_client(settings: SyncSettings, call: Callable[[SyncClient], T]) -> T:
    """``call(client)`` with a client for the settings' server (keyring token), closed afterwards."""
    client = open_client(settings)
    try:
        return call(client)
    finally:
        client.close()


def client_for(ws: Workspace) -> tuple[SyncClient, SyncSettings]:
    """A client for the workspace's server with the keyring's token."""
    settings = load_settings(ws)
    return open_client(settings), settings
