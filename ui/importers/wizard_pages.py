"""What the import wizards share: their frame, the page to choose a file, the import with progress and cancel.

An :class:`ImportWizard` has three pages: choose the file, the wizard's own
check of it, and the import. The import page starts the wizard's operation
when it is shown, follows its ``progress`` on a bar, lets the user cancel
(the core rolls the transaction back), and shows the summary the wizard
formats from the result.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui import operations
from ui.layouts import STRETCH, hbox, vbox
from ui.plain_text import plain_label
from ui.session import Session


class FilePage(QWizardPage):
    """A file path with a browse button; complete when the file exists."""

    def __init__(self, title: str, file_filter: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setTitle(title)
        self.file_filter = file_filter
        self.path = QLineEdit(self)
        browse = QPushButton(self.tr("浏览…"), self)
        browse.clicked.connect(self.browse)
        self.path.textChanged.connect(self.completeChanged)
        vbox(hbox((self.path, 1), browse), STRETCH, parent=self)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.title(), "", self.file_filter)
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:
        return Path(self.path.text().strip()).is_file()

    def file(self) -> str:
        return self.path.text().strip()


def fill_table(table: QTableWidget, headers: list[str], rows: list[list[Any]]) -> None:
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)


def fill_column_boxes(boxes: dict[str, QComboBox], names: list[str], current: Mapping[str, str | None],
                      none_text: str) -> None:
    """Each field's combo box: ``none_text`` (no column), then the file's column ``names``, with the field's
    ``current`` column selected."""
    for key, box in boxes.items():
        box.clear()
        box.addItem(none_text, None)
        for name in names:
            box.addItem(name, name)
        box.setCurrentIndex(max(box.findData(current.get(key)), 0))


class RunPage(QWizardPage):
    """Start ``starter()`` on entry; progress bar, Cancel, then ``summarise(result)``."""

    def __init__(self, title: str, starter: Callable[[], operations.Job],
                 summarise: Callable[[Any], str], parent: Any = None) -> None:
        super().__init__(parent)
        self.setTitle(title)
        self.starter, self.summarise = starter, summarise
        self.job: operations.Job | None = None
        self.result: Any = None
        self.done = False
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.label = plain_label(parent=self)
        self.cancel_button = QPushButton(self.tr("取消导入"), self)
        self.cancel_button.clicked.connect(self.cancel)
        self.table = QTableWidget(self)
        self.table.hide()
        vbox(self.bar, self.cancel_button, self.label, (self.table, 1), parent=self)

    def initializePage(self) -> None:
        self.done, self.result = False, None
        self.bar.setRange(0, 0)
        self.label.setText(self.tr("正在导入…"))
        self.cancel_button.setEnabled(True)
        self.job = self.starter()
        self.job.progress.connect(self._progress)
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)
        self.completeChanged.emit()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.label.setText(self.tr("正在取消…"))

    def _progress(self, done: int, total: int, message: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _succeeded(self, result: Any) -> None:
        self.result = result
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.label.setText(self.summarise(result))
        self._finish()

    def _failed(self, message: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.label.setText(message)
        self.label.setObjectName("refusal")
        self._finish()

    def _finish(self) -> None:
        self.job = None
        self.done = True
        self.cancel_button.setEnabled(False)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done


class ImportWizard(QWizard):
    """Choose a file, check it on the page the subclass gives, import it; the subclass also gives
    :meth:`start` (the import, from the pages' settings) and :meth:`summary` (of its result)."""

    def __init__(self, session: Session, parent: QWidget | None, *, size: tuple[int, int]) -> None:
        super().__init__(parent)
        self.session = session
        self.jobs: list[operations.Job] = []  # the checks started by the pages, kept while they run
        self.resize(*size)

    def add_pages(self, file_page: FilePage, check_page: QWizardPage) -> None:
        self.file_page = file_page
        self.run_page = RunPage(self.tr("导入"), self.start, self.summary, self)
        for page in (file_page, check_page, self.run_page):
            self.addPage(page)

    def start(self) -> operations.Job:
        raise NotImplementedError

    def summary(self, result: Any) -> str:
        raise NotImplementedError
