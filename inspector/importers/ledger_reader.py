"""Reading ledger spreadsheets safely: ``.xlsx`` (python-calamine) and ``.csv``.

:func:`read_sheets` checks the file's size and kind, then parses it in a
child process bounded in time and memory (:mod:`inspector.importers.bounded_parse`),
so a hostile file can neither hang nor take down the caller (the GUI, the
CLI, the sync server's ``publish-ledger``). In the child, an ``.xlsx`` is
first checked by :mod:`inspector.importers.sheet_guard` (damaged archives, zip bombs,
DTDs, sheets too large to allocate) before calamine opens it; a CSV is read
with a byte cap, decoded as UTF-8 (with or without BOM) or, failing that,
GB18030 (a superset of GBK), and held to the same grid limits.

:func:`stream_sheets` hands the rows over in parts as the child parses them, so
that the importer checks the first rows while the child reads the next;
:func:`read_sheets` gathers the parts into whole sheets.

A cell longer than Excel's own limit (:data:`MAX_CELL_CHARS`) is not cut: it
is left out of the rows and recorded in :attr:`Sheet.too_long`, so the
importer rejects its row and names the column.
"""
from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from inspector.errors import BadInput
from inspector.importers.bounded_parse import ParseBounds, ParseStream
from inspector.importers.sheet_grid import GridLimits, GridTally
from inspector.importers.sheet_guard import check_xlsx_archive

MAX_FILE_BYTES = 100 * 1024 * 1024  # a 100 MB ledger is far beyond any real one
MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own limit
CSV_FIELD_LIMIT_CHARS = MAX_FILE_BYTES  # a CSV field may be as long as the file; over-long cells reject their row
CSV_SNIFF_CHARS = 8192  # the start of a CSV the delimiter is guessed from
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
PART_ROWS = 5_000  # rows the parsing child sends at a time, so that the caller checks them while it parses on


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[i] is spreadsheet row i + 1
    too_long: dict[int, dict[int, int]] = field(default_factory=dict)  # row index → {column index: characters}


@dataclass(frozen=True)
class SheetPart:
    """Consecutive rows of one sheet, as the parsing child sends them."""

    name: str
    first: int  # the sheet's row index of rows[0] (0: the sheet's first part)
    rows: list[list[Any]]
    too_long: dict[int, dict[int, int]]  # the sheet's row index → {column index: characters}
    last: bool  # the sheet's last part


def read_sheets(path: str | Path, *, limits: GridLimits = GridLimits(),
                bounds: ParseBounds = ParseBounds()) -> list[Sheet]:
    """The sheets of a ledger file, parsed in a bounded child process; BadInput says why a file is refused."""
    sheets: list[Sheet] = []
    with stream_sheets(path, limits=limits, bounds=bounds) as parts:
        for part in parts:
            if part.first == 0:
                sheets.append(Sheet(part.name, []))
            sheets[-1].rows.extend(part.rows)
            sheets[-1].too_long.update(part.too_long)
    return sheets


def stream_sheets(path: str | Path, *, limits: GridLimits = GridLimits(),
                  bounds: ParseBounds = ParseBounds()) -> ParseStream:
    """The parts of the sheets of a ledger file (:class:`SheetPart`, sheet after sheet, each sheet in at
    least one part), as the bounded child parses them; BadInput says why a file is refused. The child starts
    at once: use the stream in a ``with`` block."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"文件不存在：{path}", f"file not found: {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(
            f"文件过大（{size / 1e6:.0f} MB，上限 {MAX_FILE_BYTES // 2**20} MB），请拆分台账后导入",
            f"file too large ({size / 1e6:.0f} MB, limit {MAX_FILE_BYTES // 2**20} MB); split the ledger",
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise BadInput("不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx",
                       "legacy .xls is not supported; save the ledger as .xlsx")
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise BadInput(f"不支持的台账格式：{suffix}（支持 .xlsx、.csv）",
                       f"unsupported ledger format {suffix} (use .xlsx or .csv)")
    return ParseStream(parse_ledger_parts, path.resolve(), limits, name=path.name, bounds=bounds)


def parse_ledger_parts(path: Path, limits: GridLimits) -> Iterator[SheetPart]:
    """The parse itself, run in the child process by :func:`stream_sheets`: the sheets in parts of
    :data:`PART_ROWS` rows, each prepared for the trip (:func:`_screen`) as it is sent."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        for name, rows in _read_xlsx(path, limits):
            yield from _parts(name, iter(rows))
    else:
        yield from _parts(*_read_csv(path, limits))


def _parts(name: str, rows: Iterator[list[Any]]) -> Iterator[SheetPart]:
    """A sheet's rows in parts of :data:`PART_ROWS` (one empty part for a sheet without rows)."""
    first = 0
    while True:
        chunk = list(itertools.islice(rows, PART_ROWS))
        too_long = {first + index: columns for index, columns in _screen(chunk).items()}
        last = len(chunk) < PART_ROWS
        yield SheetPart(name, first, chunk, too_long, last)
        if last:
            return
        first += len(chunk)


def _read_xlsx(path: Path, limits: GridLimits) -> Iterator[tuple[str, list[list[Any]]]]:
    check_xlsx_archive(path, limits)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise BadInput(f"无法读取 {path.name}：{exc}", f"cannot read {path.name}: {exc}") from exc
    if not workbook.sheet_names:
        raise BadInput(f"{path.name} 中没有工作表", f"{path.name} has no sheets")
    for name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise BadInput(f"无法读取工作表 {name}：{exc}", f"cannot read sheet {name}: {exc}") from exc
        yield name, [row if type(row) is list else list(row) for row in rows]


def _screen(rows: list[list[Any]]) -> dict[int, dict[int, int]]:
    """Prepare the rows for the trip to the caller, in place: empty texts become None, equal texts one
    object (a smaller, faster pickle and less memory on the other side), and cells longer than
    :data:`MAX_CELL_CHARS` None. Returns where those were and how long."""
    too_long: dict[int, dict[int, int]] = {}
    shared: dict[str, str] = {}
    share = shared.setdefault
    for index, row in enumerate(rows):
        if _longest_text(row) <= MAX_CELL_CHARS:  # nearly every row: one pass over it
            row[:] = [(share(value, value) if value else None) if type(value) is str else value for value in row]
            continue
        for column, value in enumerate(row):
            if type(value) is str:
                if not value:
                    row[column] = None
                elif len(value) > MAX_CELL_CHARS:
                    too_long.setdefault(index, {})[column] = len(value)
                    row[column] = None
                else:
                    row[column] = share(value, value)
    return too_long


def _longest_text(row: list[Any]) -> int:
    """The length of the row's longest text (a CSV row holds only texts: measured in one call)."""
    try:
        return max(map(len, row), default=0)
    except TypeError:  # numbers, dates
        return max((len(value) for value in row if type(value) is str), default=0)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) or GB18030 text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadInput("无法识别文件编码（不是 UTF-8 或 GBK）",
                       "cannot decode the file (neither UTF-8 nor GBK)") from exc


def _read_capped(path: Path) -> bytes:
    """The file's bytes, refused past :data:`MAX_FILE_BYTES` whatever its size said when checked."""
    with path.open("rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(f"文件过大（上限 {MAX_FILE_BYTES // 2**20} MB），请拆分台账后导入",
                       f"file too large (limit {MAX_FILE_BYTES // 2**20} MB); split the ledger")
    return data


def _read_csv(path: Path, limits: GridLimits) -> tuple[str, Iterator[list[Any]]]:
    """The sheet name of a CSV file and its rows, read as they are asked for (the file is decoded first)."""
    text = decode_text(_read_capped(path))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:CSV_SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return path.stem, _csv_rows(path, text, dialect, GridTally(path.stem, limits))


def _csv_rows(path: Path, text: str, dialect: Any, tally: GridTally) -> Iterator[list[Any]]:
    previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT_CHARS)
    reader = csv.reader(io.StringIO(text), dialect)
    count = 0
    try:
        for row in reader:
            count += 1
            if row:
                tally.add(count, len(row))
            yield row
    except csv.Error as exc:
        raise BadInput(f"{path.name} 第 {reader.line_num} 行无法解析（{exc}）",
                       f"{path.name}: line {reader.line_num} cannot be parsed ({exc})") from exc
    finally:
        csv.field_size_limit(previous_limit)
