"""The open workspace as the GUI sees it: a reader, a writer for operations, and change signals.

Views wrap this model. They read through :attr:`Session.ws` with the core's query
functions (a read that grows with the workspace — the case list's ids, the status
counts — goes through :func:`ui.background.reader_for` on its own thread), and
refresh from :attr:`Session.changed`,
which carries the core's summary of what an operation or a sync wrote
(:class:`inspector.store.changes.Changes`: kinds of record, cases). A view
updates just the cases it names and reloads only when :func:`needs_reload`
says so. Operations (:mod:`ui.operations`) write through :meth:`Session.writer`
— a second connection to the same database used only on the session's single
worker thread, so the GUI thread never waits for a write (SQLite WAL lets it
read meanwhile).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from inspector.accounts.sign_in import current_actor, device_actor, has_accounts
from inspector.casework.authority import Actor
from inspector.casework.workflow import INSPECTOR, REVIEWER
from inspector.store.changes import Changes
from inspector.store.workspace import Workspace

# The GUI's two views, each acting in that workflow role: field work, and the acceptance queue of an office.
ROLES = (INSPECTOR, REVIEWER)
RELOAD_ABOVE_CASES = 500  # a change naming more cases than this reloads a view instead of updating rows


def needs_reload(changes: Changes) -> bool:
    """Whether views should reload rather than update the cases a change names one by one."""
    return changes.all_cases or len(changes.case_uuids) > RELOAD_ABOVE_CASES


def resumed_actor(ws: Workspace) -> Actor:
    """Who the GUI works as when it opens ``ws``: the workspace's unexpired sign-in, else the device's own
    local user (field work only; review steps need an account). Never the operating-system login."""
    return current_actor(ws) or device_actor(ws)


class Session(QObject):
    """One workspace, the acting user (an :class:`~inspector.casework.authority.Actor`) and the view role they
    work in (one of their roles), and the worker thread that writes."""

    changed = Signal(object)  # inspector.store.changes.Changes
    workspaceChanged = Signal()
    roleChanged = Signal(str)
    actorChanged = Signal()

    def __init__(self, ws: Workspace, *, role: str = INSPECTOR, actor: Actor | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._writer: Workspace | None = None
        self.actor = actor or resumed_actor(ws)
        self._role = role if role in self.view_roles() else self.view_roles()[0]
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one writer: operations run in order
        self.jobs: set[QObject] = set()  # running jobs, kept alive until they finish

    # -- workspace --------------------------------------------------------
    @property
    def ws(self) -> Workspace:
        return self._ws

    @property
    def root(self) -> Path:
        return self._ws.root

    def writer(self) -> Workspace:
        """The writing connection; call only from the session's worker thread."""
        if self._writer is None:
            self._writer = Workspace.open(self._ws.root)
        return self._writer

    def set_workspace(self, ws: Workspace, actor: Actor | None = None) -> None:
        """Switch to another workspace (waits for running operations first), acting as ``actor`` there, else as
        who is signed in on it (:func:`resumed_actor`)."""
        self.pool.waitForDone()
        self._close_writer()
        old, self._ws = self._ws, ws
        if old is not ws:
            old.close()
        self.workspaceChanged.emit()
        self.set_actor(actor or resumed_actor(ws))

    def close(self) -> None:
        self.pool.waitForDone()
        self._close_writer()
        self._ws.close()

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # -- role ---------------------------------------------------------------
    @property
    def role(self) -> str:
        return self._role

    def view_roles(self) -> tuple[str, ...]:
        """The views the acting user may work in: only their own roles (the inspector view when none fits)."""
        return tuple(r for r in ROLES if r in self.actor.roles) or (INSPECTOR,)

    def set_role(self, role: str) -> None:
        if role in self.view_roles() and role != self._role:
            self._role = role
            self.roleChanged.emit(role)

    def needs_sign_in(self) -> bool:
        """Whether nobody is signed in on a workspace whose steps need an account (the GUI then asks who is
        working; until then it shows 未登录)."""
        return not self.actor.is_account and has_accounts(self._ws)

    def resume_actor(self) -> None:
        """Act as who is signed in on the workspace now (after a sign-out: nobody, shown as 未登录)."""
        self.set_actor(resumed_actor(self._ws))

    def set_actor(self, actor: Actor) -> None:
        """Switch the acting user (local accounts sharing this workspace); the view role follows their roles."""
        self.actor = actor
        self.actorChanged.emit()
        if self._role not in self.view_roles():
            self._role = self.view_roles()[0]
            self.roleChanged.emit(self._role)

    # -- changes ------------------------------------------------------------
    def notify(self, changes: Changes) -> None:
        """Tell the views what the core reported as changed (also an empty summary: sync states moved)."""
        self.changed.emit(changes)
