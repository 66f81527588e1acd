"""The open workspace as the GUI sees it: a reader, a writer for operations, and change signals.

Views wrap this model. They read through :attr:`Session.ws` on the GUI thread,
with the core's query functions, and refresh from :attr:`Session.changed`,
which carries the core's summary of what an operation or a sync wrote
(:class:`inspector.store.changes.Changes`: kinds of record, cases). A view
updates just the cases it names and reloads only when :func:`needs_reload`
says so. Operations (:mod:`ui.operations`) write through :meth:`Session.writer`
— a second connection to the same database used only on the session's single
worker thread, so the GUI thread never waits for a write (SQLite WAL lets it
read meanwhile).
"""
from __future__ import annotations

import getpass
import os
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from inspector.casework.case_queries import status_counts
from inspector.casework.workflow import INSPECTOR, REVIEWER
from inspector.store.changes import Changes
from inspector.store.record_store import pending_changes
from inspector.store.workspace import Workspace

# The GUI's two views, each acting in that workflow role: field work, and the acceptance queue of an office.
ROLES = (INSPECTOR, REVIEWER)
RELOAD_ABOVE_CASES = 500  # a change naming more cases than this reloads a view instead of updating rows


def needs_reload(changes: Changes) -> bool:
    """Whether views should reload rather than update the cases a change names one by one."""
    return changes.all_cases or len(changes.case_uuids) > RELOAD_ABOVE_CASES


def default_actor() -> str:
    try:
        return os.environ.get("INSPECTOR_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "inspector"


class Session(QObject):
    """One workspace, the user's role and name, and the worker thread that writes."""

    changed = Signal(object)  # inspector.store.changes.Changes
    workspaceChanged = Signal()
    roleChanged = Signal(str)

    def __init__(self, ws: Workspace, *, role: str = INSPECTOR, actor: str | None = None,
                 jurisdiction: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._writer: Workspace | None = None
        self._role = role if role in ROLES else INSPECTOR
        self.actor = actor or default_actor()
        self.jurisdiction = jurisdiction  # adcode the user acts for (interim: the acting account will carry it)
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

    def set_workspace(self, ws: Workspace) -> None:
        """Switch to another workspace (waits for running operations first)."""
        self.pool.waitForDone()
        self._close_writer()
        old, self._ws = self._ws, ws
        if old is not ws:
            old.close()
        self.workspaceChanged.emit()

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

    def set_role(self, role: str) -> None:
        if role in ROLES and role != self._role:
            self._role = role
            self.roleChanged.emit(role)

    # -- changes ------------------------------------------------------------
    def notify(self, changes: Changes) -> None:
        """Tell the views what the core reported as changed (also an empty summary: sync states moved)."""
        self.changed.emit(changes)

    def pending_changes(self) -> int:
        """Records edited here and not yet pushed to the server: the count a sync reports as ``pending``."""
        return pending_changes(self._ws.conn)

    def status_counts(self) -> dict[str, int]:
        return status_counts(self._ws)
