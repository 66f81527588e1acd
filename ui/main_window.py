"""The main window: case list (or the reviewer's queue), map and case detail, toolbar, status bar.

It wires views to the session (the model) and to each other: selecting a
case in the list, the queue or the map shows it everywhere; GPS fixes go
to the map, the geofence and the status bar. The map follows the core's
change summaries: the markers of the cases an operation or a sync changed
are placed, moved, recoloured or removed in place, and only a zone change or
a change of (nearly) every case reloads it; the finding form picks a position on the map
through :meth:`MainWindow.pick_on_map`. Window geometry and layout,
the last workspace, the role and the language persist in QSettings. A
language switch installs the translator and rebuilds the panels (the map,
the GPS feed and the sync controller are kept).

Sync (:class:`ui.sync_views.sync_panel.SyncPanel`) adds the 同步 tool button and the
status bar's sync line; :class:`ui.accounts.account_switcher.AccountSwitcher` the 用户 label,
切换用户 and the sign-in. The map shows the cases the case list's filter admits, and 统计
(:class:`ui.reports.statistics_view.StatisticsView`) follows the same filter.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from inspector.casework.authority import Actor
from inspector.casework.case_list_query import CaseFilter
from inspector.casework.case_queries import case_brief
from inspector.casework.workflow import INSPECTOR, REVIEWER
from inspector.store.workspace import Workspace
from ui import i18n, labels
from ui.accounts.account_switcher import AccountSwitcher
from ui.banner import Banner, DemoNotice
from ui.cases.case_detail import CaseDetailPanel
from ui.cases.case_list import CaseListPanel
from ui.cases.first_steps import FirstSteps, has_cases
from ui.file_menu import FileMenu
from ui.gps import Geofence, PositionFeed
from ui.layouts import vbox
from ui.map.extent_editing import ExtentEditing
from ui.map.map_panel import create_map_view
from ui.patrols.patrol_controller import PatrolController
from ui.plain_text import warn
from ui.reports.statistics_view import StatisticsView
from ui.review.review_queue import ReviewQueuePanel
from ui.session import Session
from ui.status_summary import StatusSummary
from ui.sync_views.sync_panel import SyncPanel
from ui.touch import guard_wheel
from ui.window_layout import MIN_WINDOW, WindowLayout, first_window_size
from ui.window_map import WindowMap

ORGANISATION, APPLICATION = "lvdun", "inspector"


def app_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


class MainWindow(QMainWindow):
    """The whole application window for one session."""

    mapReady = Signal()
    mapFailed = Signal(str)  # the map cannot be shown; the text is on the map view

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = app_settings()
        self.map_view, self.has_map = create_map_view()
        self.map_view.caseSelected.connect(self.select_case)
        self.map = WindowMap(self, session, self.map_view, self.has_map)
        self.map.ready.connect(self.mapReady)
        self.map.failed.connect(self.mapFailed)
        self.can_pick, self.pick_escape = self.map.can_pick, self.map.pick_escape
        self.statistics_view: StatisticsView | None = None
        self.extent_editing = ExtentEditing(session, self.map_view, self)
        self.gps = PositionFeed(self)
        self.geofence = Geofence(session, self)
        self.gps.positionChanged.connect(self._position)
        self.patrols = PatrolController(session, self, self.gps, self.map_view)  # 巡查 (ui.patrols)
        self.current_uuid: str | None = None
        self.sync_panel = SyncPanel(session, self, self.settings)
        self.sync = self.sync_panel.controller
        self.accounts = AccountSwitcher(session, self)
        self.setObjectName("mainWindow")
        self.setMinimumSize(MIN_WINDOW)
        self.build_ui()
        self._add_navigation()
        self._restore()
        if not self.toolBarBreak(self.navigation):  # a window state saved before the navigation row existed
            self.insertToolBarBreak(self.navigation)
        session.roleChanged.connect(self._role_changed)
        session.changed.connect(lambda changes: self._show_role_panel(self.session.role))
        session.workspaceChanged.connect(lambda: self._show_role_panel(self.session.role))
        session.actorChanged.connect(self._fill_roles)

    # -- building -----------------------------------------------------------------
    def build_ui(self) -> None:
        """(Re)build every translated part; the map and GPS feed survive a rebuild."""
        self.setWindowTitle(self.tr("绿盾 Inspector — {path}").format(path=self.session.root))
        self.banner = Banner(self)
        self.demo_notice = DemoNotice(self.session, self)
        self.first_steps = FirstSteps(self)  # in place of the list while the workspace holds no case
        self.case_list = CaseListPanel(self.session, self)
        self._queue: ReviewQueuePanel | None = None
        self.left = QStackedWidget(self)
        self.left.addWidget(self.case_list)
        self.left.addWidget(self.first_steps)
        self.detail = CaseDetailPanel(self.session, self)
        self.layout_switch = WindowLayout(self, self.left, self.map_view, self.detail)
        self.splitter = self.layout_switch.splitter
        central = QWidget(self)
        vbox(self.demo_notice, self.banner, self.layout_switch.back, (self.splitter, 1), self.layout_switch.bar,
             parent=central, margins=(0, 0, 0, 0)).setSpacing(0)
        self.setCentralWidget(central)
        self.case_list.caseSelected.connect(self.select_case)
        self.case_list.caseSelected.connect(self.layout_switch.case_chosen)
        self.map.pickStarted.connect(lambda: self.layout_switch.show_pane("map"))
        self.detail.extentRequested.connect(lambda: self.layout_switch.show_pane("map"))
        self.case_list.filterChanged.connect(self._filter_changed)
        self.detail.findingRequested.connect(self.open_finding_form)
        self.detail.formRequested.connect(self.open_form_preview)
        self.extent_editing.attach_detail(self.detail)
        self.detail.gallery.receiver_fix = self.gps.receiver_fix  # photos record a connected receiver's fix quality
        self.geofence.entered.connect(self._entered_zone)
        self._build_toolbar()
        self.file_menu = FileMenu(self, self.actions_by_name)
        self.patrols.add_menu(self.menuBar())
        self.layout_switch.modeChanged.connect(self.file_menu.set_touch)
        self.layout_switch.modeChanged.connect(self.patrols.set_touch)
        self.first_steps.ledgerRequested.connect(self.import_ledger)
        self.first_steps.zonesRequested.connect(self.import_zones)
        self.first_steps.demoRequested.connect(self.file_menu.open_demo)
        self.summary = StatusSummary(self.session, self)
        self.statusBar().addWidget(self.summary, 1)
        self.user_label = self.accounts.user_label(self)  # in the status bar: visible at every window width
        self.statusBar().addPermanentWidget(self.user_label)
        self.sync_status = self.sync_panel.status_widget(self)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.geofence.zonesChanged.connect(self.summary.show_zones)
        self.gps.statusChanged.connect(self.summary.show_gps)
        self.gps.fixChanged.connect(self.summary.show_fix)
        self._show_role_panel(self.session.role)
        self.layout_switch.resize_panes(self.width() or 1366)
        self.layout_switch.fit(self.size())
        guard_wheel(self)  # the wheel never changes an unfocused combo or spin box (ui.touch)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(self.tr("工具栏"), self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, slot in (
            ("open", self.tr("打开工作空间"), self.choose_workspace),
            ("ledger", self.tr("导入台账"), self.import_ledger),
            ("zones", self.tr("导入图层"), self.import_zones),
            ("basemap", self.tr("添加底图"), self.add_basemap),
            ("export", self.tr("批量导出表单"), self.batch_export),
            ("statistics", self.tr("统计"), self.open_statistics),
            ("new_case", self.tr("新建问题"), self.open_new_case),
            ("gps", self.tr("GPS 定位"), self.start_gps),
        ):
            action = self.toolbar.addAction(text, slot)
            self.actions_by_name[name] = action
        self.actions_by_name["new_case"].setToolTip(self.tr("记录现场发现的问题：GPS 位置或地图选点"))
        gps_menu = QMenu(self.toolbar)  # GPS 定位 with its menu: the toolbar stays short on a tablet
        self.actions_by_name["nmea"] = gps_menu.addAction(self.tr("回放 NMEA"), self.replay_nmea)
        self.actions_by_name["nmea_tcp"] = gps_menu.addAction(self.tr("NMEA TCP…"), self.connect_nmea_tcp)
        gps_button = self.toolbar.widgetForAction(self.actions_by_name["gps"])
        if isinstance(gps_button, QToolButton):
            gps_button.setMenu(gps_menu)
            gps_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.patrols.add_actions(self.toolbar, self.actions_by_name)
        self.sync_panel.add_actions(self.toolbar, self.actions_by_name)
        self.accounts.add_actions(self.toolbar, self.actions_by_name)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.role_box = QComboBox(self)
        self._fill_roles()
        self.role_box.currentIndexChanged.connect(lambda: self.session.set_role(self.role_box.currentData()))
        self.language_box = QComboBox(self)
        self.language_box.addItem("中文", "zh")
        self.language_box.addItem("English", "en")
        self.language_box.setCurrentIndex(max(self.language_box.findData(i18n.current_language()), 0))
        self.language_box.currentIndexChanged.connect(lambda: self.switch_language(self.language_box.currentData()))
        for widget in (self.role_box, self.language_box):
            self.toolbar.addWidget(widget)

    def _fill_roles(self) -> None:  # the view dropdown: only the roles the signed-in account has
        view_names = {INSPECTOR: self.tr("核查员视图"), REVIEWER: self.tr("审核员视图")}
        with QSignalBlocker(self.role_box):
            self.role_box.clear()
            for role in self.session.view_roles():
                self.role_box.addItem(view_names[role], role)
            self.role_box.setCurrentIndex(max(self.role_box.findData(self.session.role), 0))

    # -- selection ------------------------------------------------------------------
    def select_case(self, uuid: str) -> None:
        if not uuid or uuid == self.current_uuid:
            return
        self.current_uuid = uuid
        panel = self.queue.list if self.session.role == REVIEWER else self.case_list
        panel.select_case(uuid, emit=False)
        self.map_view.select_case(uuid)
        self.detail.show_case(uuid)
        self.navigation.set_case(uuid)

    @property
    def queue(self) -> ReviewQueuePanel:
        """The reviewer's queue, built the first time it is needed."""
        if self._queue is None:
            self._queue = ReviewQueuePanel(self.session, self)
            self._queue.caseSelected.connect(self.select_case)
            self._queue.caseSelected.connect(self.layout_switch.case_chosen)
            self.left.addWidget(self._queue)
            self.layout_switch.refresh_panes()
            guard_wheel(self)
        return self._queue

    def _show_role_panel(self, role: str) -> None:
        if role == REVIEWER:
            self.left.setCurrentWidget(self.queue)
        else:
            self.left.setCurrentWidget(self.case_list if has_cases(self.session.ws) else self.first_steps)
        self.actions_by_name["new_case"].setVisible(role == INSPECTOR)  # 新建问题: the inspector view's

    def _role_changed(self, role: str) -> None:
        self._show_role_panel(role)
        self.role_box.setCurrentIndex(max(self.role_box.findData(role), 0))
        self.settings.setValue("role", role)

    # -- map and GPS ------------------------------------------------------------------
    def _filter_changed(self, case_filter: CaseFilter) -> None:
        """The map and the 统计 view follow the case list's filter."""
        self.map.follow_filter(case_filter)
        if self.statistics_view is not None:
            self.statistics_view.set_filter(case_filter)

    def open_statistics(self) -> None:
        """The 统计 view of the cases the list shows."""
        if self.statistics_view is None:
            self.statistics_view = StatisticsView(self.session, self.case_list.current_filter(), self)
        else:
            self.statistics_view.set_filter(self.case_list.current_filter())
        self.statistics_view.show()
        self.statistics_view.raise_()

    # -- the map: readiness and picking a position (ui.window_map) ------------------------------
    @property
    def map_ready(self) -> bool:
        return self.map.map_ready

    @property
    def map_failure(self) -> str:
        return self.map.map_failure

    @property
    def map_job(self) -> Any:
        return self.map.job

    def pick_on_map(self, callback: Callable[[tuple[float, float] | None], None]) -> bool:
        """Let the user click a position on the map (see :meth:`ui.window_map.WindowMap.pick_on_map`)."""
        return self.map.pick_on_map(callback)

    def cancel_map_pick(self) -> None:
        self.map.cancel_pick()

    def _position(self, lon: float, lat: float, accuracy: object) -> None:
        self.map_view.set_gps_position(lon, lat, float(accuracy) if accuracy is not None else 0.0)
        self.geofence.update(lon, lat)

    def _entered_zone(self, zones: list) -> None:
        names = "、".join(z["name"] + (f"（{z['function_zone']}）" if z["function_zone"] else "") for z in zones)
        kinds = "、".join(dict.fromkeys(labels.kind_text(z["kind"]) for z in zones))
        self.banner.alert(self.tr("⚠ 已进入 {kinds}：{names}。请遵守管控要求，勿破坏生态。").format(
            kinds=kinds, names=names))

    def start_gps(self) -> None:
        if not self.gps.start_system():
            port, ok = QInputDialog.getText(self, self.tr("串口 GPS"),
                                            self.tr("没有系统定位源。GPS 接收机串口（如 /dev/ttyUSB0、COM3）："))
            if ok and port.strip():
                self.gps.start_serial(port.strip())

    def replay_nmea(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("选择 NMEA 记录"), "", "NMEA (*.nmea *.txt *.log)")
        return bool(path) and self.gps.start_nmea_log(path)

    def _add_navigation(self) -> None:  # 定位到我, follow mode, the way to the selected case (issue 16)
        from ui.map.navigation_panel import NavigationPanel

        self.navigation = NavigationPanel(self.session, self.gps, self.map_view, self)
        self.addToolBarBreak()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.navigation)
        self.navigation.inspectRequested.connect(self.open_finding_form_at)

    def open_finding_form_at(self, uuid: str, fix: object) -> None:
        """现场核查 on arrival: the finding form with the GPS fix as its position."""
        self.open_finding_form(uuid)
        self.finding_form.use_fix(fix)  # type: ignore[arg-type]  # a GnssFix from the navigation panel

    def connect_nmea_tcp(self) -> None:
        from ui.nmea_tcp_dialog import NmeaTcpDialog

        self.nmea_tcp_dialog = NmeaTcpDialog(self.settings, self)
        self.nmea_tcp_dialog.accepted.connect(lambda: self.gps.start_tcp(*self.nmea_tcp_dialog.address()))
        self.nmea_tcp_dialog.open()

    # -- dialogs ------------------------------------------------------------------------
    def open_finding_form(self, uuid: str) -> None:
        from ui.cases.finding_form import FindingForm

        if uuid:
            self.finding_form = FindingForm(self.session, uuid, gps_fix=self.gps.current_fix,
                                            map_pick=self.pick_on_map if self.can_pick else None, parent=self)
            guard_wheel(self.finding_form)
            self.finding_form.open()

    def open_new_case(self) -> None:
        """新建问题: a problem found in the field; once recorded it is selected in the list and on the map."""
        from ui.cases.new_case_dialog import NewCaseDialog

        self.new_case_dialog = NewCaseDialog(self.session, gps_fix=self.gps.current_fix,
                                             map_pick=self.pick_on_map if self.can_pick else None, parent=self)
        self.new_case_dialog.created.connect(self._case_created)
        guard_wheel(self.new_case_dialog)
        self.new_case_dialog.open()

    def _case_created(self, uuid: str) -> None:
        """Show a new case: selected in the list once its row is in (every case shown again when the filter
        hides it), on the map and in the detail."""
        self.case_list.reveal_case(uuid)
        self.select_case(uuid)

    def open_form_preview(self, uuid: str, kind: str) -> None:
        from ui.cases.form_preview import FormPreview

        case = case_brief(self.session.ws, uuid)
        if case:
            self.form_preview = FormPreview(self.session, uuid, case["case_no"], kind, self)
            self.form_preview.open()

    def batch_export(self) -> None:
        from ui.cases.form_preview import BatchExport

        self.batch_dialog = BatchExport(self.session, self)
        self.batch_dialog.open()

    def import_ledger(self) -> None:
        from ui.importers.import_wizards import LedgerImportWizard

        self.wizard = LedgerImportWizard(self.session, self)
        self.wizard.open()

    def import_zones(self) -> None:
        from ui.importers.import_wizards import ZoneImportWizard

        self.wizard = ZoneImportWizard(self.session, self)
        self.wizard.open()

    def add_basemap(self) -> None:
        """添加底图 (:mod:`ui.map.basemap_dialogs`); the map reloads to list it in its layer switcher."""
        from ui.map.basemap_dialogs import BasemapAdder

        self.basemap_adder = BasemapAdder(self.session.ws, self)
        self.basemap_adder.added.connect(lambda _entry: self.map.reload())
        self.basemap_adder.choose()

    def choose_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("打开工作空间文件夹"))
        if folder:
            self.open_workspace(folder)

    def open_workspace(self, folder: str) -> bool:
        from inspector.errors import InspectorError

        try:
            ws = Workspace.open(folder)
        except InspectorError as exc:
            warn(self, self.tr("无法打开工作空间"), i18n.core_message(exc))
            return False
        self.use_workspace(ws)
        self.accounts.ask_if_needed()
        return True

    def use_workspace(self, ws: Workspace, actor: Actor | None = None) -> None:
        """Work in ``ws`` as ``actor`` (else as who is signed in there); every view follows."""
        self.current_uuid = None
        self.session.set_workspace(ws, actor)
        self.map.reload()
        self.detail.show_case(None)
        self.setWindowTitle(self.tr("绿盾 Inspector — {path}").format(path=self.session.root))
        self.settings.setValue("last_workspace", str(self.session.root))

    # -- language and persistence ----------------------------------------------------------
    def switch_language(self, language: str) -> None:
        if language == i18n.current_language():
            return
        i18n.set_language(language)
        self.settings.setValue("language", i18n.current_language())
        state, sizes, selected = self.saveState(), self.splitter.sizes(), self.current_uuid
        self.map_view.setParent(None)
        self.removeToolBar(self.toolbar)
        self.toolbar.deleteLater()
        self.statusBar().removeWidget(self.summary)
        self.summary.deleteLater()
        for widget in (self.user_label, self.sync_status):
            self.statusBar().removeWidget(widget)
            widget.deleteLater()
        for part in (self.file_menu.menu, self.file_menu, self.layout_switch):
            part.deleteLater()
        self.removeEventFilter(self.layout_switch)
        old = self.takeCentralWidget()
        self.build_ui()
        old.deleteLater()
        self.restoreState(state)
        self.splitter.setSizes(sizes)
        self.current_uuid = None
        if selected:
            QTimer.singleShot(0, lambda: self.select_case(selected))

    def _restore(self) -> None:
        geometry = self.settings.value("geometry")
        self.start_maximised = False  # a first start on a small screen opens maximised (ui.app.run_gui)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        elif self.screen() is not None:
            size, self.start_maximised = first_window_size(self.screen().availableGeometry().size())
            self.resize(size)
        state = self.settings.value("window_state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        sizes = self.settings.value("splitter")
        if isinstance(sizes, QByteArray):
            self.splitter.restoreState(sizes)

    def save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        if not self.layout_switch.touch:  # the touch layout hides two panes: keep the desktop's sizes
            self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("last_workspace", str(self.session.root))
        self.settings.setValue("language", i18n.current_language())
        self.settings.setValue("role", self.session.role)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.gps.stop()
        self.patrols.stop()
        self.sync_panel.stop()
        super().closeEvent(event)
