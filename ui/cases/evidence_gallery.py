"""The evidence gallery of a case: thumbnails, drag & drop and a file picker, a full view.

Thumbnails come from the media store's cache
(:func:`inspector.store.media_store.thumbnail_path`). Files dropped on the gallery
or picked with the button are attached through
:func:`ui.operations.attach_evidence` with the chosen phase (现场核查 / 整改前 /
整改后). Flags the core raised (its one table of texts, in the UI language) are listed
per photo — a ⚠ badge with their number on each thumbnail, the texts in its
tooltip, and "file: problem" lines under the gallery; double-click opens
:class:`EvidenceViewer` with the metadata, the flags, the time in Beijing time
and a small map of where the photo was taken
(:class:`ui.cases.photo_position_map.PhotoPositionMap`).
File names, EXIF/XMP values and zone names are data: they are shown as plain
text (:mod:`ui.plain_text`), and a blob behind a symbolic link is not shown.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStyle,
    QWidget,
)

from inspector.casework.evidence_attach import PHASES, evidence_item, setting_of_evidence
from inspector.errors import BadInput
from inspector.evidence.plausibility import LOCAL_ZONE
from inspector.geo.gnss import GnssFix
from inspector.store.media_store import readable_blob, thumbnail_path
from inspector.store.workspace import parse_utc
from inspector.vocabulary import DOCUMENT_TYPES
from ui import labels, operations
from ui.cases.correction_dialogs import EDIT, VOID, CorrectionDialog, correct_record, struck_font
from ui.cases.photo_position_map import PhotoPositionMap
from ui.i18n import core_message
from ui.layouts import hbox, vbox
from ui.plain_text import plain_label, plain_tooltip
from ui.session import Session

THUMB_PX = 120  # thumbnail edge shown in the gallery
DOCUMENT_FILTER = "*.pdf *.docx *.xlsx *.ofd *.jpg *.jpeg *.png *.tif *.tiff *.PDF *.DOCX *.XLSX *.OFD *.JPG *.PNG"
IMAGE_FILTER = "*.jpg *.jpeg *.png *.tif *.tiff *.webp *.heic *.JPG *.JPEG *.PNG *.TIF *.TIFF"


class _DropList(QListWidget):
    """A thumbnail list that accepts image files dropped from the file manager."""

    filesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.setGridSize(QSize(THUMB_PX + 16, THUMB_PX + 40))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWordWrap(True)
        self.setMinimumHeight(THUMB_PX + 52)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.filesDropped.emit(files)


class EvidenceGallery(QWidget):
    """Evidence of one case; attaching reports back through ``message(text, ok)``."""

    message = Signal(str, bool)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.receiver_fix: Callable[[], GnssFix | None] | None = None  # the connected receiver's fresh fix
        self.session = session
        self.case_uuid: str | None = None
        self.case_id: int | None = None
        self.phase_box = QComboBox(self)
        for phase in PHASES:
            self.phase_box.addItem(labels.phase_text(phase), phase)
        self.add_button = QPushButton(self.tr("添加照片…"), self)
        self.add_button.clicked.connect(self.pick_files)
        self.document_button = QPushButton(self.tr("添加文件/文档…"), self)
        self.document_button.clicked.connect(self.pick_documents)
        self.list = _DropList(self)
        self.list.filesDropped.connect(self.attach_files)
        self.list.itemActivated.connect(self._open_item)
        self.flags_label = plain_label(parent=self)
        self.flags_label.setStyleSheet("color: #8e4b00;")
        self.hint = QLabel(self.tr("可将照片或无人机照片拖到此处"), self)
        self.hint.setObjectName("muted")
        # corrections: edit or void the selected item with a reason (ui.cases.correction_dialogs)
        self.edit_button = QPushButton(self.tr("编辑…"), self)
        self.void_button = QPushButton(self.tr("作废…"), self)
        self.edit_button.clicked.connect(lambda: self.correct_selected(EDIT))
        self.void_button.clicked.connect(lambda: self.correct_selected(VOID))
        vbox(hbox(QLabel(self.tr("阶段"), self), (self.phase_box, 1), self.add_button, self.document_button),
             self.list, hbox(self.edit_button, self.void_button, None), self.hint,
             self.flags_label, parent=self, margins=(0, 0, 0, 0))

    def show_case(self, case_uuid: str, case_id: int) -> None:
        from inspector.casework.evidence_attach import list_evidence

        self.show_items(case_uuid, case_id, list_evidence(self.session.ws, case_id))

    def show_items(self, case_uuid: str, case_id: int, items: list[dict[str, Any]]) -> None:
        """Show a case's evidence as read by :func:`inspector.casework.evidence_attach.list_evidence`."""
        self.case_uuid, self.case_id = case_uuid, case_id
        self.list.clear()
        flagged: list[str] = []
        for item in items:
            flags = [labels.flag_text(f) for f in item["flags"]]
            heading = (labels.document_type_text(item["document_type"]) if item["kind"] == "document"
                       else labels.phase_text(item["phase"]))
            text = f"{heading}\n{item['caption'] or item['original_name'] or ''}"
            badge = f"⚠{len(flags)} " if flags else ""  # how many problems this photo has
            entry = QListWidgetItem(self._icon(item["sha256"], item["kind"]), badge + text)
            entry.setData(Qt.ItemDataRole.UserRole, item["uuid"])
            if item["voided_at"]:  # voided: kept, struck through, with its reason
                entry.setFont(struck_font(entry.font(), True))
            void_note = [self.tr("已作废：") + (item["void_reason"] or "")] if item["voided_at"] else []
            entry.setToolTip(plain_tooltip("\n".join([item["original_name"] or "", *void_note,
                                                      *("⚠ " + f for f in flags)])))
            self.list.addItem(entry)
            flagged += [f"{item['original_name']}：{f}" for f in [*void_note, *flags]]
        self.flags_label.setText("\n".join("⚠ " + f for f in flagged))
        self.flags_label.setVisible(bool(flagged))
        self.hint.setVisible(not items)

    def correct_selected(self, action: str) -> operations.Job | None:
        """Ask for the reason (and for an edit the new phase and caption) and correct the selected item."""
        selected = self.list.currentItem()
        row = evidence_item(self.session.ws, selected.data(Qt.ItemDataRole.UserRole)) if selected else None
        if row is None:
            return None
        dialog = CorrectionDialog(action, evidence=row if action == EDIT else None, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        job = correct_record(session=self.session, kind="evidence", uuid=row["uuid"], action=action,
                             reason=dialog.reason(), values=dialog.values())
        job.succeeded.connect(lambda _result: self.message.emit(self.tr("已保存更正"), True))
        job.failed.connect(lambda text: self.message.emit(text, False))
        return job

    def _icon(self, sha256: str, kind: str = "photo") -> QIcon:
        fallback = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon) if kind == "document" else QIcon()
        try:
            return QIcon(QPixmap(str(thumbnail_path(self.session.ws, sha256, THUMB_PX * 2))))
        except Exception:  # noqa: BLE001 - an unreadable image (a DOCX, an OFD) still gets its item
            return fallback

    def pick_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("选择照片或无人机照片"), "",
                                                self.tr("图像") + f" ({IMAGE_FILTER})")
        if files:
            self.attach_files(files)

    def pick_documents(self) -> None:
        """Choose the document type (整改方案 …), then the files."""
        names = [labels.document_type_text(t) for t in DOCUMENT_TYPES]
        chosen, ok = QInputDialog.getItem(self, self.tr("添加文件/文档"), self.tr("文档类型"), names, 0, False)
        if not ok:
            return
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("选择文档"), "",
                                                self.tr("文档") + f" ({DOCUMENT_FILTER})")
        if files:
            self.attach_files(files, document_type=DOCUMENT_TYPES[names.index(chosen)])

    def attach_files(self, files: list[str], document_type: str | None = None) -> operations.Job | None:
        if not self.case_uuid:
            return None
        fix = self.receiver_fix() if self.receiver_fix is not None else None
        job = operations.attach_evidence(session=self.session, case_uuid=self.case_uuid, files=files,
                                         phase=self.phase_box.currentData(), document_type=document_type,
                                         receiver_fix=fix)
        job.succeeded.connect(self._attached)
        job.failed.connect(lambda text: self.message.emit(text, False))
        self.message.emit(self.tr("正在添加 {n} 个文件…").format(n=len(files)), True)
        return job

    def _attached(self, results: list[dict[str, Any]]) -> None:
        errors = [f"{r['file']}：{r['error']}" for r in results if "error" in r]
        added = [r for r in results if "error" not in r and not r.get("already_attached")]
        flagged = [labels.flag_text(f) for r in added for f in r["flags"]]
        text = self.tr("已添加 {n} 个文件").format(n=len(added))
        if flagged:
            text += self.tr("；注意：") + "；".join(dict.fromkeys(flagged))
        if errors:
            text += "\n" + self.tr("未能添加：") + "\n".join(errors)
        self.message.emit(text, not errors)

    def _open_item(self, item: QListWidgetItem) -> None:
        uuid = item.data(Qt.ItemDataRole.UserRole)
        if evidence_item(self.session.ws, uuid) is not None:  # a sync may have deleted it meanwhile
            EvidenceViewer(self.session, uuid, self).exec()


def local_time_text(utc_text: str | None) -> str:
    """An ISO UTC time as Beijing time (Asia/Shanghai), ``—`` when absent or unreadable."""
    moment = parse_utc(utc_text)
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "—"


class EvidenceViewer(QDialog):
    """One evidence item: the full image and what its metadata says."""

    def __init__(self, session: Session, evidence_uuid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = evidence_item(session.ws, evidence_uuid)
        if row is None:
            raise ValueError(f"no evidence {evidence_uuid}")
        self.setWindowTitle(row["original_name"] or self.tr("证据"))
        self.resize(1000, 720)
        image = plain_label(parent=self)
        image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        try:
            pixmap = QPixmap(str(readable_blob(session.ws.media_dir, row["sha256"])))
            if pixmap.isNull() and row["kind"] == "document":  # a PDF: its first page
                pixmap = QPixmap(str(thumbnail_path(session.ws, row["sha256"], 680)))
        except BadInput as refused:  # a symbolic link in the media store: not followed
            image.setText(core_message(refused))
        else:
            if not pixmap.isNull():
                image.setPixmap(pixmap.scaled(QSize(680, 640), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        scroll = QScrollArea(self)
        scroll.setWidget(image)
        scroll.setWidgetResizable(True)
        form = QFormLayout()
        zones = row["zones"]
        position = (f"{row['lon']:.6f}, {row['lat']:.6f}" if row["lon"] is not None else self.tr("无（未使用）"))
        values = [
            (self.tr("类型"), labels.evidence_kind_text(row["kind"])
             + (f"（{labels.document_type_text(row['document_type'])}）" if row["document_type"] else "")),
            (self.tr("阶段"), labels.phase_text(row["phase"])),
            (self.tr("拍摄时间（北京时间）"), local_time_text(row["taken_at_utc"])),
            (self.tr("位置"), position),
            (self.tr("海拔"), f"{row['altitude_m']:.1f} m" if row["altitude_m"] is not None else "—"),
            (self.tr("拍摄方向"), f"{row['bearing_deg']:.0f}°" if row["bearing_deg"] is not None else "—"),
            (self.tr("设备"), " ".join(p for p in (row["make"], row["model"]) if p) or "—"),
            (self.tr("所在区域"),
             "、".join(str(z.get("name", "")) for z in zones if isinstance(z, dict)) or self.tr("区外")),
            (self.tr("功能区"), row["function_zone"] or "—"),
            (self.tr("覆盖面积"), f"{row['footprint_area_m2']:.0f} m²" if row["footprint_area_m2"] else "—"),
            (self.tr("SHA-256"), row["sha256"][:16] + "…"),
        ]
        self.fields: dict[str, QLabel] = {}
        for key, value in values:
            self.fields[key] = plain_label(value, self, selectable=True)
            form.addRow(key, self.fields[key])
        self.warnings: list[QLabel] = []
        for flag in row["flags"]:
            warn = plain_label("⚠ " + labels.flag_text(str(flag)), self)
            warn.setStyleSheet("color: #a14d00; font-weight: bold;")
            self.warnings.append(warn)
            form.addRow(warn)
        self.position_map = PhotoPositionMap(setting_of_evidence(session.ws, evidence_uuid), row["lon"], row["lat"],
                                             row["bearing_deg"], self)
        form.addRow(self.tr("拍摄位置"), self.position_map)
        self.image = image
        side = QWidget(self)
        side.setLayout(form)
        side.setMinimumWidth(280)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        vbox((hbox((scroll, 3), (side, 2)), 1), buttons, parent=self)
