"""The work behind the sign-in dialog, run off the GUI thread: who signs in, and in which workspace.

Each function opens its own workspace connections (it runs on a
:class:`ui.background.BackgroundCall` thread) and returns a :class:`SignedIn`:
the acting user and the workspace they work in.

- A local account signs in on the open (standalone) workspace
  (:func:`inspector.accounts.sign_in.sign_in_local`).
- A server account signs in on the open workspace when it is that account's own
  or nobody's yet (:func:`inspector.accounts.profiles.works_here`); any other
  server account goes to the workspace it works in on this device — its own
  profile, created on first use — and logs in there
  (:func:`sync.settings.log_in`): the open workspace, its owner's data and
  unsynced work stay untouched. A profile created for a login the server then
  refused is removed again (it held nothing).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from inspector.accounts.profiles import account_workspace_dir, remember_account_workspace, works_here
from inspector.accounts.sign_in import sign_in_local
from inspector.casework.authority import Actor
from inspector.store.workspace import Workspace
from sync.settings import log_in


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and the workspace they work in."""

    actor: Actor
    root: Path  # the workspace the actor works in
    moved: bool  # another workspace than the one that was open (a server account's own profile)
    fresh: bool  # a profile created by this sign-in: empty until a sync fills it


def sign_in_local_account(root: Path, name: str, password: str) -> SignedIn:
    """A local account of the workspace at ``root``; :class:`~inspector.errors.BadInput` when refused."""
    with Workspace.open(root) as ws:
        actor = sign_in_local(ws, name, password)
    return SignedIn(actor, root, moved=False, fresh=False)


def sign_in_server_account(root: Path, server_url: str, user: str, password: str,
                           ca_bundle: Optional[str]) -> SignedIn:
    """A server account, in the open workspace when it is its own (or nobody's), else in its own profile.

    Raises what :func:`sync.settings.log_in` raises (wrong password, unreachable, throttled, unsafe address);
    then nothing changed."""
    with Workspace.open(root) as ws:
        here = works_here(ws, user)
    target = root if here else account_workspace_dir(server_url, user)
    fresh, created = not Workspace.exists(target), not target.exists()
    try:
        with Workspace.create(target) if fresh else Workspace.open(target) as ws:
            done = log_in(ws, server_url, user, password, ca_bundle)
            remember_account_workspace(ws)
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)  # made just now for this login, nothing in it
        raise
    return SignedIn(done.actor, target, moved=target.resolve() != root.resolve(), fresh=fresh)
