"""The 统计 view: the report's figures and charts for the cases the case list shows, and the two exports.

It follows the case list's filter (:meth:`StatisticsView.set_filter`, connected
to ``CaseListPanel.filterChanged``) and the session's changes. The figures
and charts are computed on the session's reading thread
(:func:`ui.background.reader_for`, its read-only connection; one lane, so only
the answer to the latest filter is shown) by the core
(:func:`inspector.reports.statistics.report_statistics` and the one chart
definition of :mod:`inspector.reports.charts`, rendered to SVG and painted
into images with Qt's SVG renderer there too): the GUI thread only shows the
result (``loaded``); meanwhile :attr:`StatisticsView.loading` is true and the
view says it is counting. 导出台账 and 导出报表 run the core's exports on the
worker thread with a progress bar; they change no data. Ledger texts (area
and unit names) are shown as plain text.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.casework.case_list_query import CaseFilter
from inspector.errors import InspectorError
from inspector.store.changes import Changes
from ui import operations
from ui.background import reader_for
from ui.i18n import core_message
from ui.plain_text import plain_label
from ui.session import Session

log = logging.getLogger(__name__)
CHART_SCALE = 1.4  # screen pixels per chart point
GROUP_FIELDS = ("cases", "open", "closed", "overdue", "closed_on_time_rate")


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def paint_svg(svg: bytes) -> QImage:
    """The SVG painted at its natural size × :data:`CHART_SCALE` (any thread: an image, not a pixmap)."""
    renderer = QSvgRenderer(QByteArray(svg))
    size: QSize = renderer.defaultSize() * CHART_SCALE
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


class ChartView(QLabel):
    """One chart: SVG from the core, painted into an image off the GUI thread (:func:`paint_svg`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svg = b""
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def show_chart(self, svg: bytes, image: QImage) -> None:
        self.svg = svg
        self.setPixmap(QPixmap.fromImage(image))


class StatisticsView(QDialog):
    """Figures, groups and charts of the filtered cases, with 导出台账 / 导出报表."""

    loaded = Signal()  # the figures of the latest question are shown

    def __init__(self, session: Session, case_filter: CaseFilter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_filter = case_filter or CaseFilter()
        self.loading = False
        self._lane = f"statistics-{id(self)}"
        self.export_job: operations.Job | None = None
        self.stats: Any = None
        self.setWindowTitle(self.tr("统计"))
        self.resize(900, 760)
        self.by_box = QComboBox(self)
        for key, text in (("city", self.tr("按设区市")), ("county", self.tr("按县（市、区）")),
                          ("unit", self.tr("按责任单位")), ("zone", self.tr("按所在区域"))):
            self.by_box.addItem(text, key)
        self.by_box.currentIndexChanged.connect(self.refresh)
        self.figures: dict[str, QLabel] = {}
        figures = QGridLayout()
        for column, (key, text) in enumerate((("cases", self.tr("问题总数")), ("open", self.tr("未办结")),
                                              ("closed", self.tr("已办结")), ("overdue", self.tr("逾期")),
                                              ("closed_on_time_rate", self.tr("按期销号率")))):
            figures.addWidget(QLabel(text, self), 0, column)
            self.figures[key] = plain_label("…", self, wrap=False, object_name=f"figure_{key}")
            figures.addWidget(self.figures[key], 1, column)
        self.period_label = plain_label("", self, object_name="muted")
        self.busy_label = plain_label(self.tr("正在统计…"), self, wrap=False, object_name="muted")
        self.busy_label.setVisible(False)
        self.groups = QTableWidget(0, 6, self)
        self.groups.setHorizontalHeaderLabels([self.tr("分组"), self.tr("问题"), self.tr("未办结"), self.tr("已办结"),
                                               self.tr("逾期"), self.tr("按期销号率")])
        self.groups.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.charts = [ChartView(self), ChartView(self), ChartView(self)]
        chart_box = QWidget(self)
        chart_column = QVBoxLayout(chart_box)
        for chart in self.charts:
            chart_column.addWidget(chart)
        scroll = QScrollArea(self)
        scroll.setWidget(chart_box)
        scroll.setWidgetResizable(True)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.message = plain_label("", self)
        self.ledger_button = QPushButton(self.tr("导出台账"), self)
        self.ledger_button.clicked.connect(lambda: self.export_ledger())
        self.report_button = QPushButton(self.tr("导出报表"), self)
        self.report_button.clicked.connect(lambda: self.export_report())
        top = QHBoxLayout()
        top.addWidget(self.by_box)
        top.addWidget(self.busy_label)
        top.addStretch(1)
        top.addWidget(self.ledger_button)
        top.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(figures)
        layout.addWidget(self.period_label)
        layout.addWidget(self.groups, 1)
        layout.addWidget(scroll, 2)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        session.changed.connect(self._changed)
        self.refresh()

    # -- figures ------------------------------------------------------------------
    def set_filter(self, case_filter: CaseFilter) -> None:
        """Show the cases this filter admits (the case list's)."""
        self.case_filter = case_filter
        self.refresh()

    def _changed(self, changes: Changes) -> None:
        if changes.touches("cases") or changes.touches("transitions"):
            self.refresh()

    def refresh(self) -> None:
        """Count again on the reading thread; the figures follow when the answer arrives."""
        from inspector.reports.charts import city_outlines, closures_line, open_cases_map, status_bars, to_svg
        from inspector.reports.statistics import report_statistics

        case_filter, by, by_text = self.case_filter, self.by_box.currentData(), self.by_box.currentText()
        titles = (self.tr("各分组问题数（按状态）"), self.tr("每月销号数"), self.tr("未办结问题分布（按状态）"))

        def work(ws: Any) -> tuple[Any, list[tuple[bytes, QImage]]]:
            stats = report_statistics(ws, case_filter, by=by)
            drawings = [status_bars(stats, f"{by_text} · {titles[0]}"), closures_line(stats, titles[1]),
                        open_cases_map(stats, city_outlines(ws), titles[2])]
            svgs = [to_svg(d) for d in drawings]
            return stats, [(svg, paint_svg(svg)) for svg in svgs]

        self._set_loading(True)
        reader_for(self.session).read(work, self._show, owner=self, lane=self._lane, failed=self._failed)

    def _set_loading(self, loading: bool) -> None:
        self.loading = loading
        self.busy_label.setVisible(loading)
        if loading:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _failed(self, error: BaseException) -> None:
        self._set_loading(False)
        if isinstance(error, InspectorError):
            self.message.setText(core_message(error))
        else:
            log.error("the statistics failed", exc_info=error)
            self.message.setText(f"{type(error).__name__}: {error}")
        self.loaded.emit()

    def _show(self, result: tuple[Any, list[tuple[bytes, QImage]]]) -> None:
        stats, charts = result
        self._set_loading(False)
        self.stats = stats
        for key, label in self.figures.items():
            value = stats.totals[key]
            label.setText(rate_text(value) if key == "closed_on_time_rate" else f"{value:,}")
        self.period_label.setText(self.tr("被退回的问题 {cases} 个（退回 {returns} 次）").format(
            cases=stats.returned_cases, returns=stats.returns))
        self.groups.setRowCount(len(stats.groups))
        for row, group in enumerate(stats.groups):
            values = [group["key"]] + [rate_text(group[f]) if f == "closed_on_time_rate" else str(group[f])
                                       for f in GROUP_FIELDS]
            for column, text in enumerate(values):
                self.groups.setItem(row, column, QTableWidgetItem(text))
        for chart, (svg, image) in zip(self.charts, charts):
            chart.show_chart(svg, image)
        self.loaded.emit()

    # -- exports ------------------------------------------------------------------
    def export_ledger(self, path: str | None = None) -> operations.Job | None:
        """导出台账: the filtered cases' ledger with progress (.xlsx / .csv / .gpkg)."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("导出台账"), "问题台账.xlsx",
                                                  "Excel (*.xlsx);;CSV (*.csv);;GeoPackage (*.gpkg)")
        if not path:
            return None
        from inspector.reports.ledger_export import export_ledger

        case_filter = self.case_filter

        def work(job: operations.Job) -> Any:
            return export_ledger(self.session.writer(), path, case_filter, progress=job.report).as_dict()

        return self._run_export("export-ledger", work,
                                lambda r: self.tr("已导出 {n} 个问题到 {file}").format(n=r["rows"], file=r["file"]))

    def export_report(self, path: str | None = None) -> operations.Job | None:
        """导出报表: the statistics as PDF (with the charts) or xlsx."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("导出报表"), "统计报表.pdf",
                                                  "PDF (*.pdf);;Excel (*.xlsx)")
        if not path:
            return None
        from inspector.reports.report_export import export_report

        case_filter, by = self.case_filter, self.by_box.currentData()

        def work(job: operations.Job) -> Any:
            job.report(0, 0, "")
            return export_report(self.session.writer(), path, case_filter, by=by)

        return self._run_export("export-report", work, lambda r: self.tr("已生成 {file}").format(file=r["file"]))

    def _run_export(self, name: str, work: operations.Work, done_text: Any) -> operations.Job:
        self.ledger_button.setEnabled(False)
        self.report_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.message.setText(self.tr("正在导出…"))
        job = operations.start(self.session, name, work)
        job.progress.connect(self._progress)
        job.succeeded.connect(lambda result: self.message.setText(done_text(result)))
        job.failed.connect(self.message.setText)
        job.finished.connect(self._export_finished)
        self.export_job = job
        return job

    def _progress(self, done: int, total: int, _message: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _export_finished(self) -> None:
        self.progress.setVisible(False)
        self.ledger_button.setEnabled(True)
        self.report_button.setEnabled(True)
