"""Where each server account works on this device: its own profile workspace, never another account's.

Several people share one laptop. A workspace belongs to the server account
that first signed in on it (:func:`inspector.accounts.sign_in.server_owner`);
any other server account works in a workspace of its own, so switching user
never shows another account's jurisdiction data or unsynced work, and never
loses it (it stays in its owner's workspace). Local accounts of a standalone
bureau workspace share that workspace, as colleagues share a filing cabinet.

- :func:`profile_dir`: ``<user data dir>/profiles/<server host>-<user>/workspace``,
  the workspace an account gets the first time it signs in on this device
  where the open workspace is not its own;
- :func:`remember_account_workspace` / :func:`account_workspace_dir`: an index
  (``profiles/accounts.json``) of the workspace each server account last
  worked in, so that switching back to the first account returns to its own
  workspace (which may live anywhere) and its unsynced work;
- :func:`works_here`: whether an account may sign in on a workspace at all.

The index is only a pointer: an entry is used only when the workspace it
names still exists and still belongs to that account.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import platformdirs

from inspector.accounts.local_accounts import has_local_accounts
from inspector.accounts.sign_in import server_owner
from inspector.store.workspace import APP_NAME, Workspace

PROFILES_DIR = "profiles"  # folder of the profiles in the user data dir
INDEX_FILE = "accounts.json"  # the index of account → workspace in the profiles folder
MAX_KEY_PART_CHARS = 48  # characters of the host or user kept in a profile's folder name
SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")  # characters replaced in a profile's folder name
DIGEST_CHARS = 8  # characters of the SHA-256 appended when a name had to be changed to be a folder name


def profiles_root() -> Path:
    """The folder of every profile of this device user."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / PROFILES_DIR


def _folder_part(text: str) -> str:
    """``text`` as part of a folder name: unsafe characters replaced, shortened; a digest of the original
    appended whenever it was changed, so two different names never share a folder."""
    safe = SAFE_CHARS.sub("_", text)[:MAX_KEY_PART_CHARS]
    if safe == text and text:
        return safe
    return f"{safe}~{hashlib.sha256(text.encode('utf-8')).hexdigest()[:DIGEST_CHARS]}"


def profile_key(server_url: str, user: str) -> str:
    """``<server host>-<user>`` (with the port when the URL names one), safe as one folder name."""
    parts = urlsplit(server_url.strip())
    host = parts.hostname or "server"
    try:
        port = parts.port
    except ValueError:
        port = None
    return _folder_part(f"{host}_{port}" if port else host) + "-" + _folder_part(user)


def profile_dir(server_url: str, user: str) -> Path:
    """The profile workspace folder of ``user`` at ``server_url`` on this device."""
    return profiles_root() / profile_key(server_url, user) / "workspace"


def works_here(ws: Workspace, user: str) -> bool:
    """Whether the server account ``user`` may sign in on ``ws``: the workspace is its own, or belongs to no one
    yet (no server account, no local accounts)."""
    owner = server_owner(ws)
    if owner is not None:
        return owner[1] == user
    return not has_local_accounts(ws)


def _read_index() -> dict[str, str]:
    try:
        data = json.loads((profiles_root() / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def remember_account_workspace(ws: Workspace) -> None:
    """Note that the server account owning ``ws`` (if any) works in it; nothing for a standalone workspace."""
    owner = server_owner(ws)
    if owner is None:
        return
    index = _read_index()
    key, path = profile_key(*owner), str(ws.root.resolve())
    if index.get(key) == path:
        return
    index[key] = path
    root = profiles_root()
    root.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".accounts-", suffix=".json", dir=root)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(index, out, ensure_ascii=False, indent=1)
        os.replace(temp, root / INDEX_FILE)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _belongs_to(root: Path, user: str) -> bool:
    if not Workspace.exists(root):
        return False
    with Workspace.open(root) as ws:
        owner = server_owner(ws)
    return owner is not None and owner[1] == user


def account_workspace_dir(server_url: str, user: str) -> Path:
    """The workspace ``user`` at ``server_url`` works in on this device: the one it last worked in (when that
    still exists and still belongs to it), else its profile folder (which may not exist yet)."""
    known: Optional[str] = _read_index().get(profile_key(server_url, user))
    if known and _belongs_to(Path(known), user):
        return Path(known)
    return profile_dir(server_url, user)
