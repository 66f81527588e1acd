"""The window's 文件 menu: new, open and the demo workspace, imports and the batch export of forms.

On the desktop the imports and 打开工作空间 are on the toolbar as well; in the
touch layout the toolbar keeps only the field actions (:data:`TOOLBAR_ONLY_ON_DESKTOP`
leave it) and this menu holds them. 新建工作空间… asks for a folder and
creates the workspace there with the core's own
:meth:`inspector.store.workspace.Workspace.create` (what ``inspector init``
does), then opens it; 打开示例工作空间 opens the demo (sample data), building
it in the background the first time.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from inspector.errors import InspectorError
from inspector.store.workspace import Workspace
from ui import i18n, operations
from ui.plain_text import warn

# toolbar actions the touch layout leaves to 文件
TOOLBAR_ONLY_ON_DESKTOP = ("open", "ledger", "zones", "basemap", "export")


class FileMenu(QObject):
    """文件 in the menu bar of ``window`` (a :class:`ui.main_window.MainWindow`)."""

    def __init__(self, window: QMainWindow, actions: dict[str, QAction]) -> None:
        super().__init__(window)
        self.window: Any = window
        self.demo_job: operations.Job | None = None
        bar = window.menuBar()
        bar.clear()
        self.menu = QMenu(self.tr("文件"), bar)
        bar.addMenu(self.menu)
        actions["new_workspace"] = self.menu.addAction(self.tr("新建工作空间…"), self.new_workspace)
        actions["open_menu"] = self.menu.addAction(self.tr("打开工作空间…"), window.choose_workspace)
        actions["demo"] = self.menu.addAction(self.tr("打开示例工作空间"), self.open_demo)
        self.menu.addSeparator()
        actions["ledger_menu"] = self.menu.addAction(self.tr("导入台账…"), window.import_ledger)
        actions["zones_menu"] = self.menu.addAction(self.tr("导入图层…"), window.import_zones)
        actions["basemap_menu"] = self.menu.addAction(self.tr("添加底图…"), window.add_basemap)
        actions["export_menu"] = self.menu.addAction(self.tr("批量导出表单…"), window.batch_export)

    def new_workspace(self) -> bool:
        """Ask for a folder, create a workspace in it and open it; False when cancelled or refused."""
        folder = QFileDialog.getExistingDirectory(self.window, self.tr("新建工作空间：选择一个空文件夹"))
        return bool(folder) and self.create_in(folder)

    def create_in(self, folder: str) -> bool:
        """Create (or, when it is one already, open) the workspace in ``folder`` and work in it."""
        try:
            ws = Workspace.create(folder)
        except (InspectorError, OSError) as exc:
            text = i18n.core_message(exc) if isinstance(exc, InspectorError) else str(exc)
            warn(self.window, self.tr("无法新建工作空间"), text)
            return False
        self.window.use_workspace(ws)
        self.window.accounts.ask_if_needed()
        return True

    def open_demo(self) -> operations.Job:
        """Open the demo workspace (sample data), built in the background when it does not exist yet."""
        from inspector.demo.workspace import ensure_demo_workspace

        def work(job: operations.Job) -> str:
            ws = ensure_demo_workspace()
            root = str(ws.root)
            ws.close()
            return root

        self.demo_job = operations.start(self.window.session, "demo", work)
        self.demo_job.succeeded.connect(self.window.open_workspace)
        self.demo_job.failed.connect(lambda text: warn(self.window, self.tr("无法打开示例工作空间"), text))
        return self.demo_job

    def set_touch(self, touch: bool) -> None:
        """The touch layout leaves the imports and 打开工作空间 to this menu (a short toolbar)."""
        for name in TOOLBAR_ONLY_ON_DESKTOP:
            self.window.actions_by_name[name].setVisible(not touch)
