"""What every command handler receives and may return: the shared context and the result type.

A handler is ``(args, ctx) -> (payload, human_text)``: ``payload`` is printed
as JSON with ``--json`` (or wrapped in :class:`CommandResult` to exit with a
code other than 0), ``human_text`` otherwise. Command modules — the core's
own and those that the ``sync`` and ``ui`` packages contribute through the
``inspector.commands`` entry-point group — import these types from here,
never from the dispatcher (:mod:`inspector.cli.main`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, TypeAlias

from inspector.i18n import pick
from inspector.store.workspace import Workspace, default_workspace_dir

if TYPE_CHECKING:
    from inspector.casework.authority import Actor

PROGRESS_BAR_WIDTH = 30  # characters


class Context:
    """What a command needs besides its arguments: the workspace and progress output."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._workspace: Optional[Workspace] = None

    def workspace(self, *, create: bool = False, demo_fallback: bool = False) -> Workspace:
        """The workspace named by ``--workspace`` (else the default one), opened once per command."""
        if self._workspace is None:
            root = Path(self.args.workspace) if self.args.workspace else default_workspace_dir()
            if create:
                self._workspace = Workspace.create(root)
            elif demo_fallback and not self.args.workspace and not Workspace.exists(root):
                from inspector.demo.workspace import ensure_demo_workspace  # zones, ledger: only when needed

                self._workspace = ensure_demo_workspace(progress=self.progress)
                demo = self._workspace.root
                self.note(pick(f"未配置工作空间，使用示例工作空间（示例数据）：{demo}",
                               f"no workspace configured; using the demo workspace (sample data): {demo}"))
            else:
                self._workspace = Workspace.open(root)
        return self._workspace

    def actor(self, role: Optional[str] = None) -> "Actor":
        """Who this command acts as: the workspace's acting user (:func:`inspector.accounts.sign_in.acting_actor`),
        in ``role`` when given (one of the actor's roles). ``--by NAME``, when the command has it, may only name
        that user (its account name or display name). :class:`BadInput` (exit 2) otherwise."""
        from inspector.accounts.sign_in import acting_actor, require_role
        from inspector.errors import BadInput

        actor = acting_actor(self.workspace())
        named = getattr(self.args, "actor", None)
        if named and named not in (actor.user, actor.name):
            raise BadInput(f"--by 只能是当前登录的用户 {actor.name}（{actor.user}），不能是 {named}",
                           f"--by may only name the signed-in user {actor.name} ({actor.user}), not {named}")
        if role is not None:
            require_role(actor, role)
        return actor

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()

    def note(self, message: str) -> None:
        print(message, file=sys.stderr)

    def progress(self, done: int, total: int, message: str) -> None:
        """A one-line progress bar on stderr when it is a terminal."""
        if not sys.stderr.isatty():
            return
        filled = int(PROGRESS_BAR_WIDTH * done / total) if total else PROGRESS_BAR_WIDTH
        end = "\n" if total and done >= total else ""
        print(f"\r{message} [{'#' * filled}{'.' * (PROGRESS_BAR_WIDTH - filled)}] {done}/{total}", end=end,
              file=sys.stderr, flush=True)


class CommandResult:
    """A payload with a non-zero exit code (e.g. some files of several failed)."""

    def __init__(self, payload: Any, exit_code: int) -> None:
        self.payload = payload
        self.exit_code = exit_code


Handler = Callable[[argparse.Namespace, Context], tuple[Any, str]]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # what add_subparsers returns


class Register(Protocol):
    """A command module's ``register(subparsers, json_parent)``: adds its subcommands, each with a handler."""

    def __call__(self, subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None: ...
