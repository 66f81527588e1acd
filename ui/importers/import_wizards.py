"""Import wizards: the problem ledger (问题台账) and zone layers (红线 / 管控区 / 保护地).

Ledger: choose the file → the dry run (:func:`inspector.importers.ledger_import.read_ledger`)
shows the detected text encoding, header row and column mapping per sheet,
how many rows are valid and every rejected row with its reason; the column
mapping is editable (a combo per ledger field listing the sheet's headers) and
each edit re-runs the dry run with it → import with that mapping, with
progress and cancel.

Zones: choose the file → the detected layers, encoding, CRS and field
mapping are shown, and encoding, CRS, zone kind and each field can be
changed (re-checked on the spot) → import with progress and cancel; the
summary lists rejected and repaired features.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QWidget,
    QWizardPage,
)

from inspector.vocabulary import KINDS, LEDGER_FIELD_SYNONYMS, ZONE_FIELD_SYNONYMS
from ui import labels, operations
from ui.importers.wizard_pages import FilePage, ImportWizard, fill_column_boxes, fill_table
from ui.layouts import form_layout, hbox, vbox
from ui.plain_text import plain_label
from ui.session import Session

LEDGER_FIELD_NAMES = {"case_no": "问题编号", "ledger_zone_name": "保护地名称", "ledger_function_zone": "功能区",
                      "problem_type": "问题类型", "description": "问题描述", "lon": "经度", "lat": "纬度",
                      "discovered_on": "发现时间", "deadline": "整改时限", "responsible_unit": "责任单位",
                      "clue_source": "线索来源", "ledger_city": "市", "ledger_county": "县", "area_m2": "面积"}
ZONE_FIELD_NAMES = {"name": "名称", "code": "编码", "kind": "区域类型", "category": "类别",
                    "function_zone": "功能区", "level": "级别", "adcode": "行政区代码"}


def text_encoding(path: str) -> str:
    """What the ledger reader will decode a CSV as (xlsx is always Unicode)."""
    if Path(path).suffix.lower() not in (".csv", ".txt"):
        return "xlsx（Unicode）"
    try:
        Path(path).read_bytes().decode("utf-8-sig")
        return "UTF-8"
    except UnicodeDecodeError:
        return "GBK / GB18030"


class LedgerCheckPage(QWizardPage):
    """The dry run: editable column mapping, mapping per sheet, valid rows, rejected rows with reasons."""

    def __init__(self, wizard: "LedgerImportWizard") -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("检查台账（不写入）"))
        self.owner = wizard
        self.summary = plain_label(parent=self)  # names the file's own headers and rows
        self.mapping = QTableWidget(self)
        self.rejected = QTableWidget(self)
        self.ok = False
        self.detected: dict[str, str] = {}  # field → header text found by the synonyms
        self._filling = False
        self._generation = 0  # only the latest dry run updates the page
        self.column_boxes: dict[str, QComboBox] = {}
        boxes = QGridLayout()
        for i, key in enumerate(LEDGER_FIELD_SYNONYMS):
            box = QComboBox(self)
            box.setObjectName(f"column:{key}")
            box.currentIndexChanged.connect(self._column_edited)
            self.column_boxes[key] = box
            row, col = divmod(i, 3)
            required = key in ("case_no", "lon", "lat")
            boxes.addWidget(QLabel(LEDGER_FIELD_NAMES.get(key, key) + (" *" if required else ""), self), row, 2 * col)
            boxes.addWidget(box, row, 2 * col + 1)
        vbox(self.summary,
             QLabel(self.tr("列对应（可修改，修改后自动重新检查）"), self), boxes,
             QLabel(self.tr("识别的列"), self), (self.mapping, 1),
             QLabel(self.tr("被拒绝的行"), self), (self.rejected, 2), parent=self)

    def initializePage(self) -> None:
        self.detected = {}
        self._fill_boxes([], {})
        self.check(None)

    def check(self, column_map: dict[str, str | None] | None) -> None:
        """Run the dry run (with the edited mapping, if any); the page follows the latest run."""
        self.ok = False
        self.completeChanged.emit()
        self.summary.setText(self.tr("正在检查…"))
        self._generation += 1
        generation = self._generation
        job = operations.dry_run_ledger(session=self.owner.session, path=self.owner.file_page.file(),
                                        column_map=column_map)
        job.succeeded.connect(lambda outcome: generation == self._generation and self._checked(outcome))
        job.failed.connect(lambda message: generation == self._generation and self._failed(message))
        self.owner.jobs.append(job)

    def column_map(self) -> dict[str, str | None] | None:
        """The fields whose column the user changed (None: nothing changed, use detection)."""
        edited = {key: box.currentData() or "" for key, box in self.column_boxes.items()
                  if (box.currentData() or None) != self.detected.get(key)}
        return edited or None

    def _column_edited(self) -> None:
        if not self._filling:
            self.check(self.column_map())

    def _fill_boxes(self, headers: list[str], current: dict[str, str]) -> None:
        self._filling = True
        try:
            fill_column_boxes(self.column_boxes, headers, current, self.tr("（无）"))
        finally:
            self._filling = False

    def _checked(self, outcome: tuple[list[dict[str, Any]], Any, list[dict[str, Any]], str | None]) -> None:
        records, result, headers, refusal = outcome
        first_run = not any(box.count() > 1 for box in self.column_boxes.values())
        if first_run:
            names = list(dict.fromkeys(h for sheet in headers for h in sheet["headers"]))
            if headers:
                self.detected = {k: v for k, v in headers[0]["columns"].items() if v}
            if result is not None:
                for sheet in result.sheets:
                    if sheet.get("columns"):
                        self.detected = {k: v for k, v in sheet["columns"].items() if v}
                        break
            self._fill_boxes(names, self.detected)
        if result is None:
            fill_table(self.mapping, [self.tr("工作表"), self.tr("表头行"), self.tr("字段"), self.tr("台账列")], [])
            fill_table(self.rejected, [self.tr("工作表"), self.tr("行"), self.tr("问题编号"), self.tr("原因")], [])
            self.summary.setText(refusal + self.tr("。请在下方指定 问题编号、经度、纬度 对应的列。"))
            self.ok = False
            self.completeChanged.emit()
            return
        rows = []
        for sheet in result.sheets:
            for key, header in (sheet.get("columns") or {}).items():
                rows.append([sheet["name"], sheet["header_row"], LEDGER_FIELD_NAMES.get(key, key), header])
        fill_table(self.mapping, [self.tr("工作表"), self.tr("表头行"), self.tr("字段"), self.tr("台账列")], rows)
        fill_table(self.rejected, [self.tr("工作表"), self.tr("行"), self.tr("问题编号"), self.tr("原因")],
                   [[r["sheet"], r["row"], r.get("case_no"), r["reason"]] for r in result.rejected])
        if self.column_map():
            how = self.tr("列按您的修改对应。")
        else:
            how = self.tr("列的识别由程序按表头同义词完成，可在下方修改。")
        self.summary.setText(self.tr("编码：{enc}。有效 {ok} 行，拒绝 {bad} 行。").format(
            enc=text_encoding(self.owner.file_page.file()), ok=len(records), bad=len(result.rejected)) + how)
        self.ok = bool(records)
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        self.summary.setText(message)
        self.ok = False
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.ok


class LedgerImportWizard(ImportWizard):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent, size=(980, 680))
        self.setWindowTitle(self.tr("导入问题台账"))
        file_page = FilePage(self.tr("选择台账文件（.xlsx / .csv）"), self.tr("台账") + " (*.xlsx *.csv)", self)
        self.check_page = LedgerCheckPage(self)
        self.add_pages(file_page, self.check_page)

    def start(self) -> operations.Job:
        return operations.import_ledger_file(session=self.session, path=self.file_page.file(),
                                             column_map=self.check_page.column_map())

    def summary(self, result: Any) -> str:
        return self.tr("新增 {c}，更新 {u}，未变 {n}，拒绝 {r}").format(
            c=result.created, u=result.updated, n=result.unchanged, r=len(result.rejected))


class ZoneSettingsPage(QWizardPage):
    """Detected layers, encoding, CRS and field mapping; all editable, re-checked on demand."""

    def __init__(self, wizard: "ZoneImportWizard") -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("坐标系、编码与字段"))
        self.owner = wizard
        self.layers: list[dict[str, Any]] = []
        self.encoding = QComboBox(self)
        for text, value in ((self.tr("自动识别"), None), ("UTF-8", "UTF-8"), ("GBK (CP936)", "CP936")):
            self.encoding.addItem(text, value)
        self.crs = QLineEdit(self)
        self.crs.setPlaceholderText(self.tr("自动（读取 .prj）；或如 EPSG:4549"))
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("按文件或字段识别"), None)
        for kind in KINDS:
            self.kind.addItem(labels.kind_text(kind), kind)
        self.recheck = QPushButton(self.tr("重新识别"), self)
        self.recheck.clicked.connect(self.inspect)
        self.info = plain_label(parent=self)  # layer names, CRS and encoding read from the file
        self.field_boxes = {key: QComboBox(self) for key in ZONE_FIELD_SYNONYMS}
        fields = form_layout((ZONE_FIELD_NAMES.get(key, key), box) for key, box in self.field_boxes.items())
        top = form_layout([(self.tr("文字编码"), self.encoding), (self.tr("坐标系"), hbox((self.crs, 1), self.recheck)),
                           (self.tr("区域类型"), self.kind)])
        vbox(top, self.info, QLabel(self.tr("字段对应（可修改）"), self), fields, parent=self)

    def initializePage(self) -> None:
        self.inspect()

    def inspect(self) -> None:
        self.layers = []
        self.info.setText(self.tr("正在读取…"))
        self.completeChanged.emit()
        job = operations.inspect_zone_file(session=self.owner.session, path=self.owner.file_page.file(),
                                           encoding=self.encoding.currentData(), crs=self.crs.text().strip() or None)
        job.succeeded.connect(self._inspected)
        job.failed.connect(self.info.setText)
        self.owner.jobs.append(job)

    def _inspected(self, layers: list[dict[str, Any]]) -> None:
        self.layers = layers
        lines = [self.tr("图层 {name}：{n} 个要素，坐标系 {crs}，编码 {enc}").format(
            name=layer["name"], n=layer["features"], crs=layer["crs"] or self.tr("未知（请填写）"),
            enc=layer["encoding"] or "—") for layer in layers]
        self.info.setText("\n".join(lines))
        all_fields = sorted({f for layer in layers for f in layer["fields"]})
        mapping = layers[0]["mapping"] if layers else {}
        fill_column_boxes(self.field_boxes, all_fields, mapping, self.tr("（无）"))
        self.completeChanged.emit()

    def field_map(self) -> dict[str, str]:
        return {key: box.currentData() for key, box in self.field_boxes.items() if box.currentData()}

    def isComplete(self) -> bool:
        return bool(self.layers)


class ZoneImportWizard(ImportWizard):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent, size=(900, 700))
        self.setWindowTitle(self.tr("导入区域图层"))
        file_page = FilePage(self.tr("选择图层文件"), self.tr("矢量数据") +
                             " (*.shp *.zip *.gpkg *.geojson *.json *.kml *.gdb)", self)
        self.settings_page = ZoneSettingsPage(self)
        self.add_pages(file_page, self.settings_page)

    def start(self) -> operations.Job:
        page = self.settings_page
        return operations.import_zone_file(session=self.session, path=self.file_page.file(),
                                           crs=page.crs.text().strip() or None, encoding=page.encoding.currentData(),
                                           field_map=page.field_map(), kind=page.kind.currentData(), layer=None)

    def summary(self, result: Any) -> str:
        fill_table(self.run_page.table, [self.tr("图层"), self.tr("要素"), self.tr("情况")],
                   [[r["layer"], r["feature"], r["reason"]] for r in result.rejected + result.repaired])
        self.run_page.table.setVisible(bool(result.rejected or result.repaired))
        return self.tr("新增 {i}，更新 {u}，未变 {n}，移除 {r}；拒绝 {x}，修复 {f}").format(
            i=result.imported, u=result.updated, n=result.unchanged, r=result.removed,
            x=len(result.rejected), f=len(result.repaired))
