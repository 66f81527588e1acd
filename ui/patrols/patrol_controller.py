"""巡查 in the main window: 开始巡查 / 暂停 / 继续 / 结束巡查, the status bar's patrol line, the live track.

:class:`PatrolController` owns the acting user's patrol in progress. The steps are audited core writes
(:mod:`inspector.patrols.patrols`) run as operations on the session's writer thread (:mod:`ui.operations`),
as the signed-in user (:attr:`ui.session.Session.actor`). While the patrol runs, every fix of the position
feed (``PositionFeed.fixChanged``) goes to a :class:`ui.patrols.track_worker.TrackWorker`, which filters and
commits it on its own thread and connection; every :data:`FLUSH_MS` the GUI thread takes the points it
committed, draws them (:class:`ui.patrols.track_layer.TrackLayer`) and shows distance, moving time and
points. A pause or the end first lets the worker log what is queued (in the step's job, off the GUI thread).

At start-up, and whenever the workspace or the user changes, the user's patrol in progress is taken up: a
running one (the app was closed or killed while it ran) resumes logging in a new segment — the status bar
says so — and its logged track is drawn; a paused one is shown as paused.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMenuBar, QToolBar, QToolButton

from inspector.geo.gnss import GnssFix
from inspector.patrols.patrols import (
    PAUSED,
    RUNNING,
    end_patrol,
    parse_utc,
    patrol_dict,
    patrol_in_progress,
    pause_patrol,
    resume_patrol,
    start_patrol,
    take_up_patrol,
)
from ui import operations
from ui.gps import PositionFeed
from ui.patrols.start_dialog import StartPatrolDialog
from ui.patrols.track_layer import TrackLayer
from ui.patrols.track_worker import Figures, TrackWorker
from ui.plain_text import warn
from ui.session import Session

FLUSH_MS = 500  # milliseconds between batches of new points to the map and status refreshes
RESUMED_MESSAGE_MS = 60_000  # how long the status bar says a patrol was resumed, milliseconds


def hours_minutes(seconds: float) -> str:
    minutes = int(max(seconds, 0) // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


class PatrolController(QObject):
    """The user's patrol in progress and its actions (see the module docstring)."""

    stateChanged = Signal()  # started, paused, resumed, ended, or taken up after a change of workspace or user

    def __init__(self, session: Session, window: QMainWindow, feed: PositionFeed, map_view: Any) -> None:
        super().__init__(window)
        self.session, self.window = session, window
        self.patrol: Optional[dict[str, Any]] = None  # the patrol in progress, as the core returned it
        self.worker: Optional[TrackWorker] = None
        self.job: Optional[operations.Job] = None  # the step being written
        self.resumed = False  # the running patrol was taken up at start-up (after a crash or a close)
        self.actions: dict[str, QAction] = {}
        self.track = TrackLayer(map_view, self)
        self.status = QLabel(window)
        self.status.setObjectName("patrolStatus")
        self.status.hide()
        window.statusBar().addPermanentWidget(self.status)
        self.timer = QTimer(self)
        self.timer.setInterval(FLUSH_MS)
        self.timer.timeout.connect(self.refresh)
        feed.fixChanged.connect(self._fix)
        session.actorChanged.connect(self.take_up)
        self.take_up()

    # -- wiring into the window ---------------------------------------------------------------------------
    def add_actions(self, toolbar: QToolBar, actions: dict[str, QAction]) -> None:
        """巡查 on the toolbar with its menu; the same actions go into the menu bar (:meth:`add_menu`)."""
        self.menu = QMenu(self.tr("巡查"), toolbar)
        for name, text, slot in (("patrol_start", self.tr("开始巡查…"), self.ask_start),
                                 ("patrol_pause", self.tr("暂停巡查"), self.pause),
                                 ("patrol_resume", self.tr("继续巡查"), self.resume),
                                 ("patrol_end", self.tr("结束巡查"), self.end)):
            self.actions[name] = actions[name] = self.menu.addAction(text, slot)
        self.button_action = toolbar.addAction(self.tr("巡查"), self._primary)
        button = toolbar.widgetForAction(self.button_action)
        if isinstance(button, QToolButton):
            button.setMenu(self.menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self._update_actions()

    def add_menu(self, bar: QMenuBar) -> None:
        bar.addMenu(self.menu)

    def set_touch(self, touch: bool) -> None:
        """The touch layout's toolbar has no room for 巡查: its menu in the menu bar holds the steps."""
        self.button_action.setVisible(not touch)

    def stop(self) -> None:
        """The window closes: log what is queued and let the worker close its connection."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
            worker.join(5.0)
        self.timer.stop()

    # -- taking up the patrol in progress ----------------------------------------------------------------
    def take_up(self) -> None:
        """Follow the current user's patrol in progress (none, running or paused)."""
        self._stop_worker()
        row = patrol_in_progress(self.session.ws.conn, self.session.actor.user)
        self.patrol = patrol_dict(row) if row is not None else None
        self.resumed = False
        if self.patrol is None:
            self.track.clear()
        else:
            self.track.show_patrol(self.session.ws.db_path, self.patrol["uuid"])
            if self.patrol["status"] == RUNNING:
                self.resumed = True
                uuid, session = self.patrol["uuid"], self.session
                if self._step("patrol-take-up",
                              lambda job: take_up_patrol(session.writer(), uuid, actor=session.actor)) is None:
                    self._start_worker()  # another step is still running: log on, the figures follow at the next step
                self.window.statusBar().showMessage(self.tr(
                    "已恢复进行中的巡查「{purpose}」：应用上次未正常结束，已记录的轨迹都在，新的轨迹点从新的一段开始记录。"
                ).format(purpose=self.patrol["purpose"]), RESUMED_MESSAGE_MS)
        self._changed()

    # -- the steps ---------------------------------------------------------------------------------------
    def ask_start(self) -> Optional[StartPatrolDialog]:
        """开始巡查: the dialog, then the start."""
        if self.patrol is not None or self.job is not None:
            return None
        self.dialog = StartPatrolDialog(self.window)
        self.dialog.accepted.connect(lambda: self.start(*self.dialog.values()))
        self.dialog.open()
        return self.dialog

    def start(self, purpose: str, team_members: list[str], area: Optional[str]) -> Optional[operations.Job]:
        session = self.session
        return self._step("patrol-start", lambda job: start_patrol(
            session.writer(), purpose=purpose, team_members=team_members, area=area, actor=session.actor))

    def pause(self) -> Optional[operations.Job]:
        return self._logged_step("patrol-pause", pause_patrol, (RUNNING,))

    def resume(self) -> Optional[operations.Job]:
        return self._logged_step("patrol-resume", resume_patrol, (PAUSED,))

    def end(self) -> Optional[operations.Job]:
        return self._logged_step("patrol-end", end_patrol, (RUNNING, PAUSED))

    def _primary(self) -> None:
        """The 巡查 button itself: start when none is in progress, else open its menu."""
        if self.patrol is None:
            self.ask_start()
        else:
            toolbar = self.window.findChild(QToolBar, "mainToolbar")
            widget = toolbar.widgetForAction(self.button_action) if toolbar else None
            if isinstance(widget, QToolButton):
                widget.showMenu()

    def _logged_step(self, name: str, step: Any, allowed: tuple[str, ...]) -> Optional[operations.Job]:
        if self.patrol is None or self.patrol["status"] not in allowed:
            return None
        uuid, session, worker = self.patrol["uuid"], self.session, self.worker
        self._stop_worker()

        def work(job: operations.Job) -> Any:
            if worker is not None:
                worker.join()  # every queued fix is logged before the step records the figures
            return step(session.writer(), uuid, actor=session.actor)
        return self._step(name, work)

    def _step(self, name: str, work: Any) -> Optional[operations.Job]:
        if self.job is not None:
            return None
        self.job = operations.start(self.session, name, work, mutation=True)
        self.job.succeeded.connect(self._stepped)
        self.job.failed.connect(self._step_failed)
        self.job.finished.connect(self._step_done)
        self._update_actions()
        return self.job

    def _stepped(self, record: dict[str, Any]) -> None:
        self.resumed = self.resumed and record["status"] == RUNNING  # still the patrol taken up at start-up
        self.patrol = dict(record) if record["status"] != "ended" else None
        if self.patrol is None:
            self.track.clear()
            self.window.statusBar().showMessage(self.tr("巡查已结束：{km:.2f} 公里，{time}，{points} 个轨迹点").format(
                km=(record["distance_m"] or 0) / 1000, time=hours_minutes(record["duration_s"] or 0),
                points=record["point_count"] or 0), RESUMED_MESSAGE_MS)
        else:
            if self.track.patrol_uuid != self.patrol["uuid"]:
                self.track.show_patrol(self.session.ws.db_path, self.patrol["uuid"])
            if self.patrol["status"] == RUNNING:
                self._start_worker()

    def _step_failed(self, text: str) -> None:
        warn(self.window, self.tr("巡查"), text)
        self.job = None
        self.take_up()  # show what the database says

    def _step_done(self) -> None:
        self.job = None
        self._changed()

    # -- the logger -------------------------------------------------------------------------------------
    def _start_worker(self) -> None:
        assert self.patrol is not None
        self.worker = TrackWorker(self.session.ws.db_path, self.patrol["uuid"]).start()

    def _stop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
            self.track.add(worker.take_points())

    def _fix(self, fix: GnssFix) -> None:
        if self.worker is not None:
            self.worker.offer(fix)

    # -- the status line -----------------------------------------------------------------------------------
    def figures(self) -> Figures:
        """The patrol's distance and points as the logger or the last step recorded them."""
        if self.worker is not None and self.worker.ready.is_set():
            return self.worker.figures
        if self.patrol is None:
            return Figures(0.0, 0)
        return Figures(float(self.patrol["distance_m"] or 0), int(self.patrol["point_count"] or 0))

    def moving_time_s(self) -> float:
        if self.patrol is None:
            return 0.0
        seconds = float(self.patrol["duration_s"] or 0)
        if self.patrol["status"] == RUNNING and self.patrol["active_since"]:
            seconds += (dt.datetime.now(dt.timezone.utc) - parse_utc(self.patrol["active_since"])).total_seconds()
        return seconds

    def refresh(self) -> None:
        """Draw the points committed since the last look and update the status line."""
        if self.worker is not None:
            if self.worker.error is not None:
                error, self.worker = self.worker.error, None
                warn(self.window, self.tr("巡查"), self.tr("轨迹记录已停止：{error}").format(error=error))
            else:
                self.track.add(self.worker.take_points())
        self.track.flush()
        if self.patrol is None:
            self.status.hide()
            return
        figures = self.figures()
        state = self.tr("巡查中") if self.patrol["status"] == RUNNING else self.tr("巡查已暂停")
        self.status.setText(self.tr("{state}：{km:.2f} 公里 · {time} · {points} 点").format(
            state=state, km=figures.distance_m / 1000, time=hours_minutes(self.moving_time_s()),
            points=figures.points))
        self.status.show()

    def _changed(self) -> None:
        if self.patrol is None:
            self.timer.stop()
        else:
            self.timer.start()
        self.refresh()
        self._update_actions()
        self.stateChanged.emit()

    def _update_actions(self) -> None:
        status = self.patrol["status"] if self.patrol else None
        idle = self.job is None
        for name, enabled in (("patrol_start", status is None), ("patrol_pause", status == RUNNING),
                              ("patrol_resume", status == PAUSED), ("patrol_end", status is not None)):
            if name in self.actions:
                self.actions[name].setEnabled(idle and enabled)
