"""Export the ledger in the shape it came in, with its progress: ``.xlsx``, ``.csv`` or ``.gpkg``.

:func:`export_ledger` writes the rows of :mod:`inspector.reports.ledger_rows`
for the cases a :class:`CaseFilter` admits, to a temporary file beside the
target that replaces it only when complete (a failed export never leaves half
a file under the name the office expects).

- **xlsx**: openpyxl's streaming (write-only) writer, so memory stays flat
  with the row count: a header row, frozen under the header, an autofilter,
  column widths from the header and the first rows, dates as dates, numbers
  as numbers (:func:`typed_original`), every text a string cell — a text
  that looks like a formula stays text.
- **csv**: UTF-8 with a BOM (what Excel in China opens correctly) or GBK
  (``encoding="gbk"``): a character GBK cannot hold becomes ``?`` and the
  row is reported; a text that looks like a formula gets an apostrophe first,
  reported too.
- **gpkg**: points in EPSG:4490 with the same attributes
  (:mod:`inspector.reports.ledger_gpkg`).

The result is ``{"file", "format", "rows", "warnings"}``: each warning names
the case, the column and what was changed in the exported copy (never in the
workspace), in both languages.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from inspector.casework.case_list_query import CaseFilter
from inspector.errors import BadInput, Message
from inspector.importers.sheet_grid import column_letters
from inspector.reports.cell_values import cell_safe_text, display_width, formula_like, typed_original, xlsx_row
from inspector.reports.ledger_rows import DATE_COLUMNS, LedgerRow, LedgerRows, ledger_rows
from inspector.store.workspace import Workspace
from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS

Progress = Callable[[int, int, str], None]
FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".gpkg": "gpkg"}
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gbk": "gbk"}  # option → Python codec
SHEET_TITLE = "问题台账"
WIDTH_SAMPLE_ROWS = 200  # rows the xlsx column widths are measured on
MIN_WIDTH, MAX_WIDTH = 8, 50  # column width in characters
PROGRESS_EVERY = 1000  # rows between progress reports


@dataclass
class ExportResult:
    file: str
    format: str
    rows: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def warn(self, case_no: str, column: str, message: Message) -> None:
        self.warnings.append({"case_no": case_no, "column": column, **message.fields()})

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def export_format(path: str | Path) -> str:
    """The format a file name asks for; BadInput for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BadInput(f"不支持的导出格式：{suffix or '（无扩展名）'}（支持 .xlsx、.csv、.gpkg）",
                       f"unsupported export format {suffix or '(no suffix)'} (use .xlsx, .csv or .gpkg)")
    return FORMATS[suffix]


def export_ledger(ws: Workspace, path: str | Path, case_filter: CaseFilter = CaseFilter(), *,
                  encoding: str | None = None, progress: Progress | None = None,
                  today: dt.date | None = None) -> ExportResult:
    """Write the ledger of the cases ``case_filter`` admits to ``path`` (format by its suffix)."""
    check_target(path, encoding)
    return write_ledger(path, ledger_rows(ws, case_filter, today=today), encoding=encoding, progress=progress)


def check_target(path: str | Path, encoding: str | None = None) -> str:
    """The format of an export to ``path``; BadInput for an unknown suffix or encoding, or a missing folder."""
    path = Path(path)
    kind = export_format(path)
    if CSV_ENCODINGS.get((encoding or "utf-8").lower()) is None or (encoding and kind != "csv"):
        raise BadInput(f"--encoding 仅用于 .csv，可为 utf-8 或 gbk：{encoding}",
                       f"--encoding applies to .csv only and is utf-8 or gbk: {encoding}")
    if not path.parent.is_dir():
        raise BadInput(f"目录不存在：{path.parent}", f"no such folder: {path.parent}")
    return kind


def write_ledger(path: str | Path, data: LedgerRows, *, encoding: str | None = None,
                 progress: Progress | None = None) -> ExportResult:
    """Write an exported ledger's rows (from a workspace, or the sync server's records) to ``path``."""
    path = Path(path)
    kind = check_target(path, encoding)
    codec = CSV_ENCODINGS[(encoding or "utf-8").lower()]
    result = ExportResult(str(path), kind)
    rows = _counted(data, result, progress)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    partial.unlink(missing_ok=True)
    try:
        if kind == "xlsx":
            write_xlsx(partial, data, rows, result)
        elif kind == "csv":
            write_csv(partial, data, rows, result, codec)
        else:
            from inspector.reports.ledger_gpkg import write_gpkg

            write_gpkg(partial, data, rows)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return result


def _counted(data: LedgerRows, result: ExportResult, progress: Progress | None) -> Iterator[LedgerRow]:
    for row in data.rows:
        result.rows += 1
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows, data.count, Message("导出台账", "exporting the ledger").text)
        yield row
    if progress:
        progress(result.rows, data.count, Message("导出台账", "exporting the ledger").text)


def _progress_texts(row: LedgerRow, result: ExportResult) -> list[Any]:
    """The progress values with their texts made cell-safe (reported when changed)."""
    values = list(row.progress)
    for index, value in enumerate(values):
        if type(value) is str:
            values[index], note = cell_safe_text(value)
            if note is not None:
                result.warn(row.case_no, LEDGER_PROGRESS_COLUMNS[index], note)
    return values


def write_xlsx(path: Path, data: LedgerRows, rows: Iterator[LedgerRow], result: ExportResult) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    columns = data.columns
    first = [next(rows, None) for _ in range(WIDTH_SAMPLE_ROWS)]
    sample = [row for row in first if row is not None]
    for index, width in enumerate(_widths(columns, sample), start=1):
        sheet.column_dimensions[column_letters(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{column_letters(len(columns))}{data.count + 1}"
    sheet.append(columns)

    for row in _chained(sample, rows):
        values = [typed_original(text) for text in row.original] + _progress_texts(row, result)
        sheet.append(xlsx_row(sheet, values))
    workbook.save(path)


def _chained(first: list[LedgerRow], rest: Iterator[LedgerRow]) -> Iterator[LedgerRow]:
    yield from first
    yield from rest


def _widths(columns: list[str], sample: list[LedgerRow]) -> list[float]:
    widths = [display_width(name) + 2 for name in columns]
    for row in sample:
        for index, value in enumerate(row.original + row.progress):
            if value is not None:
                text = value.isoformat() if isinstance(value, dt.date) else str(value)
                widths[index] = max(widths[index], display_width(text.split("\n")[0]) + 2)
    for index, name in enumerate(columns):
        if name in DATE_COLUMNS:
            widths[index] = max(widths[index], 12)
    return [float(min(max(w, MIN_WIDTH), MAX_WIDTH)) for w in widths]


def write_csv(path: Path, data: LedgerRows, rows: Iterator[LedgerRow], result: ExportResult, codec: str) -> None:
    checked = codec != "utf-8-sig"
    with path.open("w", encoding=codec, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(data.columns)
        columns = data.columns
        for row in rows:
            values = row.original + _progress_texts(row, result)
            cells = []
            for index, value in enumerate(values):
                text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
                if formula_like(text):
                    text = "'" + text
                    result.warn(row.case_no, columns[index], Message(
                        "以 = + - @ 等开头的文本前加了单引号，以免表格软件当作公式执行",
                        "an apostrophe was put before text starting with = + - @ so that no spreadsheet runs it"))
                if checked and not text.isascii():
                    try:
                        text.encode(codec)
                    except UnicodeEncodeError:
                        text = text.encode(codec, errors="replace").decode(codec)
                        result.warn(row.case_no, columns[index], Message(
                            "含有 GBK 无法表示的字符，已替换为 ?（导出 UTF-8 可保留原文）",
                            "characters GBK cannot hold were replaced by ? (a UTF-8 export keeps them)"))
                cells.append(text)
            writer.writerow(cells)
