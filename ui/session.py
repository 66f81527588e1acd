"""The open workspace as the GUI sees it: a reader, a writer for operations, and change signals.

Views wrap this model. They read through :attr:`Session.ws` on the GUI thread
and refresh from :attr:`Session.changed`, which carries a :class:`Changes`
summary of what an operation touched. Operations (:mod:`ui.operations`)
write through :meth:`Session.writer` — a second connection to the same
database used only on the session's single worker thread, so the GUI
thread never waits for a write (SQLite WAL lets it read meanwhile).
"""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from inspector.casework.workflow import INSPECTOR, REVIEWER
from inspector.store.record_store import pending_changes
from inspector.store.workspace import Workspace

# The GUI's two views, each acting in that workflow role: field work, and the acceptance queue of an office.
ROLES = (INSPECTOR, REVIEWER)


@dataclass(frozen=True)
class Changes:
    """What one operation changed; views refresh only what it names."""

    case_uuids: frozenset[str] = field(default_factory=frozenset)
    cases_added: bool = False  # rows appeared or vanished: case lists reload
    zones: bool = False  # zone layers changed: attribution and map reload
    evidence: bool = False

    @classmethod
    def for_case(cls, uuid: str, *, evidence: bool = False) -> "Changes":
        return cls(case_uuids=frozenset({uuid}), evidence=evidence)


def default_actor() -> str:
    try:
        return os.environ.get("INSPECTOR_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "inspector"


class Session(QObject):
    """One workspace, the user's role and name, and the worker thread that writes."""

    changed = Signal(object)  # Changes
    workspaceChanged = Signal()
    roleChanged = Signal(str)

    def __init__(self, ws: Workspace, *, role: str = INSPECTOR, actor: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._writer: Workspace | None = None
        self._role = role if role in ROLES else INSPECTOR
        self.actor = actor or default_actor()
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
        self.changed.emit(changes)

    def pending_changes(self) -> int:
        """Records edited here and not yet pushed to the server: the count a sync reports as ``pending``."""
        return pending_changes(self._ws.conn)

    def status_counts(self) -> dict[str, int]:
        # A plain scan beats the status index here: the index would need a row lookup per case for `deleted`.
        return {r[0]: r[1] for r in self._ws.conn.execute(
            "SELECT status, count(*) FROM cases NOT INDEXED WHERE deleted = 0 GROUP BY status")}
