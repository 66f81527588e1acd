"""Where a workspace syncs to: server URL, user and CA bundle in workspace meta; the token in the keyring.

:func:`save_login` records the server a workspace logged in to;
:func:`client_for` builds a :class:`~sync.client.SyncClient` for it with the
token from the OS keyring (:class:`~sync.errors.AuthError` when there is
none: log in again — local data is never touched by a failed login).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from inspector.db import atomic
from inspector.workspace import Workspace
from sync.client import SyncClient, load_token
from sync.errors import AuthError

SERVER_URL_KEY = "sync.server_url"
USER_KEY = "sync.user"
CA_BUNDLE_KEY = "sync.ca_bundle"


@dataclass(frozen=True)
class SyncSettings:
    server_url: str
    user: str
    ca_bundle: Optional[str]


def save_login(ws: Workspace, server_url: str, user: str, ca_bundle: Optional[str]) -> SyncSettings:
    ca_path = str(Path(ca_bundle).resolve()) if ca_bundle else ""
    with atomic(ws.conn):
        ws.set_meta(SERVER_URL_KEY, server_url.rstrip("/"))
        ws.set_meta(USER_KEY, user)
        ws.set_meta(CA_BUNDLE_KEY, ca_path)
    return SyncSettings(server_url.rstrip("/"), user, ca_path or None)


def load_settings(ws: Workspace) -> SyncSettings:
    url, user = ws.meta(SERVER_URL_KEY), ws.meta(USER_KEY)
    if not url or not user:
        raise AuthError("this workspace has no sync server yet: run inspector login --server URL --user NAME")
    return SyncSettings(url, user, ws.meta(CA_BUNDLE_KEY) or None)


def client_for(ws: Workspace) -> tuple[SyncClient, SyncSettings]:
    """A client for the workspace's server with the keyring's token."""
    settings = load_settings(ws)
    token = load_token(settings.server_url, settings.user)
    if not token:
        raise AuthError(f"no login token for {settings.user} at {settings.server_url}: run inspector login")
    return SyncClient(settings.server_url, ca_bundle=settings.ca_bundle, token=token), settings
