"""PDF forms in the GUI: preview one form with QtPdf, print it, save it, and batch-export with progress.

The three forms (现场核查记录表, 整改通知, 整改销号申请及验收表) are rendered by
the core in a worker (:func:`ui.operations.render_form_pdf`); the preview
loads the bytes into a :class:`QPdfDocument` through a :class:`QBuffer` and
shows them in a :class:`QPdfView`, fitted to its width, in a window sized so
that an A4 page is readable on this screen (:func:`readable_size`). 打印
renders each page at :data:`PRINT_DPI` onto the printer the print dialog
chose; 选择表单照片… (inspection and closure forms) opens
:class:`ui.cases.form_evidence_dialog.FormEvidenceDialog` and renders the
form again with the choice.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QScreen
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.casework.case_queries import cases_with_status
from inspector.casework.form_evidence import FORMS
from inspector.forms.model import FORM_KINDS
from ui import operations
from ui.plain_text import plain_label
from ui.session import Session


def form_name(kind: str) -> str:
    from ui.i18n import translate

    return {"inspection": translate("forms", "现场核查记录表"), "notice": translate("forms", "整改通知"),
            "closure": translate("forms", "整改销号申请及验收表")}.get(kind, FORM_KINDS.get(kind, kind))


A4_WIDTH_MM = 210.0  # mm, the forms' page width
A4_HEIGHT_MM = 297.0  # mm
MM_PER_INCH = 25.4
PREVIEW_MARGIN_PX = 64  # px around the page: the view's frame, scroll bar and page margins
SCREEN_SHARE = 0.9  # of the screen's available width or height the preview may take at most
PRINT_DPI = 300  # dots per inch a page is rendered at for the printer


def readable_size(screen: QScreen | None) -> QSize:
    """The preview's size: wide enough for an A4 page at 100 % of this screen's logical DPI (capped at
    :data:`SCREEN_SHARE` of the screen), and as tall as the screen allows."""
    if screen is None:
        return QSize(900, 1000)
    available = screen.availableGeometry()
    page_width = round(A4_WIDTH_MM / MM_PER_INCH * screen.logicalDotsPerInchX()) + PREVIEW_MARGIN_PX
    return QSize(min(page_width, round(available.width() * SCREEN_SHARE)),
                 round(available.height() * SCREEN_SHARE))


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Render every page of ``document`` at :data:`PRINT_DPI` onto ``printer``, each scaled to fit its page
    (proportions kept, centred); returns the number of pages printed."""
    printer.setFullPage(True)
    painter = QPainter()
    if document.pageCount() == 0 or not painter.begin(printer):
        return 0
    try:
        for index in range(document.pageCount()):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            image = document.render(index, QSize(round(points.width() / 72 * PRINT_DPI),
                                                 round(points.height() / 72 * PRINT_DPI)))
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            left = target.x() + (target.width() - scaled.width()) // 2
            top = target.y() + (target.height() - scaled.height()) // 2
            painter.drawImage(QRect(left, top, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return document.pageCount()


class FormPreview(QDialog):
    """Render one form of a case and show it; Save writes the same bytes to a file."""

    def __init__(self, session: Session, case_uuid: str, case_no: str, kind: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_no, self.kind = case_no, kind
        self.pdf_bytes: bytes | None = None
        self.session, self.case_uuid = session, case_uuid
        self.setWindowTitle(f"{form_name(kind)} — {case_no}")
        self.resize(readable_size(parent.screen() if parent is not None else self.screen()))
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.status = plain_label(self.tr("正在生成…"), self)
        self.save_button = QPushButton(self.tr("导出 PDF…"), self)
        self.save_button.setProperty("primary", True)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda: self.save())
        self.print_button = QPushButton(self.tr("打印…"), self)
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(lambda: self.print_pdf())
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        if kind in FORMS:
            choose = QPushButton(self.tr("选择表单照片…"), self)
            choose.clicked.connect(lambda: self.choose_photos())
            row.addWidget(choose)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._buffer: QBuffer | None = None
        self.photo_dialog: QDialog | None = None
        self.render_form()

    def render_form(self) -> operations.Job:
        """Render the form (again) in the background; :meth:`show_pdf` shows it."""
        self.status.setText(self.tr("正在生成…"))
        self.job = operations.render_form_pdf(session=self.session, case_uuid=self.case_uuid, kind=self.kind)
        self.job.succeeded.connect(self.show_pdf)
        self.job.failed.connect(lambda text: self.status.setText(text))
        return self.job

    def choose_photos(self) -> QDialog:
        """Open 选择表单照片…; once a choice is saved, the form is rendered again with it."""
        from ui.cases.form_evidence_dialog import FormEvidenceDialog

        self.photo_dialog = FormEvidenceDialog(self.session, self.case_uuid, self.kind, self)
        self.photo_dialog.accepted.connect(self.render_form)
        self.photo_dialog.open()
        return self.photo_dialog

    def print_pdf(self, printer: QPrinter | None = None) -> int:
        """Print the form: on ``printer`` as it is set up, else on the one the print dialog chooses; returns the
        pages printed (0 when cancelled)."""
        if self.pdf_bytes is None:
            return 0
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setDocName(self.windowTitle())
            if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
                return 0
        pages = print_document(self.document, printer)
        self.status.setText(self.tr("已打印 {n} 页").format(n=pages))
        return pages

    def show_pdf(self, data: bytes) -> None:
        self.pdf_bytes = data
        self.document.close()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self.status.setText(self.tr("共 {n} 页").format(n=self.document.pageCount()))
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)

    def save(self, path: str | None = None) -> str | None:
        if self.pdf_bytes is None:
            return None
        if not path:
            from inspector.forms.form_export import form_file_name

            path, _ = QFileDialog.getSaveFileName(self, self.tr("导出 PDF"), form_file_name(self.case_no, self.kind),
                                                  "PDF (*.pdf)")
        if not path:
            return None
        target = Path(path)
        temp = target.with_name(target.name + ".part")
        temp.write_bytes(self.pdf_bytes)
        temp.replace(target)
        self.status.setText(self.tr("已导出：{path}").format(path=target))
        return str(target)


class BatchExport(QDialog):
    """Export one form kind for every case in a state, with a progress bar and cancel."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        from inspector.casework.workflow import STATES
        from ui.labels import status_text

        super().__init__(parent)
        self.session = session
        self.job: operations.Job | None = None
        self.setWindowTitle(self.tr("批量导出表单"))
        self.resize(560, 240)
        self.status_box = QComboBox(self)
        for state in STATES:
            self.status_box.addItem(status_text(state), state)
        self.status_box.setCurrentIndex(STATES.index("申请销号"))
        self.kind_box = QComboBox(self)
        for kind in FORM_KINDS:
            self.kind_box.addItem(form_name(kind), kind)
        self.progress = QProgressBar(self)
        self.message = plain_label(parent=self)
        self.start_button = QPushButton(self.tr("选择文件夹并导出…"), self)
        self.start_button.setProperty("primary", True)
        self.start_button.clicked.connect(lambda: self.start())
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.clicked.connect(self._cancel)
        choose = QHBoxLayout()
        choose.addWidget(QLabel(self.tr("状态"), self))
        choose.addWidget(self.status_box, 1)
        choose.addWidget(QLabel(self.tr("表单"), self))
        choose.addWidget(self.kind_box, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def start(self, folder: str | None = None) -> operations.Job | None:
        folder = folder or QFileDialog.getExistingDirectory(self, self.tr("导出到文件夹"))
        if not folder:
            return None
        cases = cases_with_status(self.session.ws, self.status_box.currentData())
        if not cases:
            self.message.setText(self.tr("该状态下没有问题"))
            return None
        self.start_button.setEnabled(False)
        self.job = operations.export_forms(session=self.session, cases=cases,
                                           kind=self.kind_box.currentData(), folder=folder)
        self.job.progress.connect(self._progress)
        self.job.succeeded.connect(lambda outcome: self._exported(outcome, folder))
        self.job.failed.connect(self.message.setText)
        self.job.finished.connect(self._done)
        return self.job

    def _exported(self, outcome: dict, folder: str) -> None:
        text = self.tr("已导出 {n} 份表单到 {folder}").format(n=len(outcome["forms"]), folder=folder)
        if outcome["failed"]:
            text += "\n" + self.tr("{n} 份未能生成：").format(n=len(outcome["failed"])) + "\n" + "\n".join(
                f"{failure['case_no']}：{failure['reason']}" for failure in outcome["failed"])
        self.message.setText(text)

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
        else:
            self.reject()

    def _done(self) -> None:
        self.job = None
        self.start_button.setEnabled(True)
