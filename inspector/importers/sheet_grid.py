"""How large a ledger sheet may grow, and the tally that refuses one growing larger.

A spreadsheet parser builds each sheet as a dense grid from A1 to its last
column and row, so a single far-away cell costs as much memory as a full
sheet. :class:`GridTally` follows the cells as a reader meets them — the
``.xlsx`` guard (:mod:`inspector.importers.sheet_guard`) before any parser runs, the
CSV reader as it goes — and refuses, naming the sheet and the cell, as soon
as the grid passes :class:`GridLimits`.
"""
from __future__ import annotations

from dataclasses import dataclass

from inspector.errors import BadInput

MAX_GRID_CELLS = 5_000_000  # cells of all sheets' dense grids (A1 to the last column and row) together
MAX_COLUMNS = 256  # columns of a sheet (IV, the width of a legacy .xls sheet; no ledger is wider)
MAX_ROWS = 1_048_576  # rows of a sheet (Excel's own limit)
MAX_SHARED_TEXT_CHARS = 100_000_000  # characters the parser copies out of an xlsx's shared strings, all cells


@dataclass(frozen=True)
class GridLimits:
    cells: int = MAX_GRID_CELLS
    columns: int = MAX_COLUMNS
    rows: int = MAX_ROWS
    shared_text: int = MAX_SHARED_TEXT_CHARS


def column_letters(column: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class GridTally:
    """The extent of one sheet's cells as they are read, refused as soon as it passes the limits.
    ``earlier_grid`` / ``earlier_cells``: what the workbook's earlier sheets already hold."""

    def __init__(self, sheet: str, limits: GridLimits, earlier_grid: int = 0, earlier_cells: int = 0) -> None:
        self.sheet, self.limits = sheet, limits
        self.earlier_grid = earlier_grid
        self.cells_left = limits.cells - earlier_cells
        self.max_row = self.max_column = self.cells = 0

    @property
    def grid(self) -> int:
        return self.max_row * self.max_column

    def add(self, row: int, column: int) -> None:
        """One cell at (row, column), both from 1."""
        self.cells += 1
        if self.cells > self.cells_left:
            raise BadInput(f"单元格超过 {self.limits.cells:,} 个的上限（到工作表“{self.sheet}”为止）",
                           f'more than the limit of {self.limits.cells:,} cells (up to sheet "{self.sheet}")')
        if column > self.max_column or row > self.max_row:
            self._grow(row, column)

    def _grow(self, row: int, column: int) -> None:
        rows = row if row > self.max_row else self.max_row
        columns = column if column > self.max_column else self.max_column
        limits = self.limits
        if columns > limits.columns or rows > limits.rows or self.earlier_grid + rows * columns > limits.cells:
            self.check_extent(rows, columns, f"{column_letters(column)}{row}")
        self.max_row, self.max_column = rows, columns

    def check_extent(self, rows: int, columns: int, where: str) -> None:
        """Refuse a sheet reaching ``rows`` x ``columns`` (``where``: the cell or range that does)."""
        sheet, limits = self.sheet, self.limits
        if columns > limits.columns:
            last = column_letters(columns)
            raise BadInput(f"工作表“{sheet}”的 {where} 超出 {limits.columns} 列的上限（到 {last} 列）",
                           f'{where} of sheet "{sheet}" reaches column {last}, beyond the '
                           f"limit of {limits.columns} columns")
        if rows > limits.rows:
            raise BadInput(f"工作表“{sheet}”的 {where} 超出 {limits.rows:,} 行的上限",
                           f'{where} of sheet "{sheet}" lies beyond the limit of {limits.rows:,} rows')
        if self.earlier_grid + rows * columns > limits.cells:
            corner, cells = f"A1:{column_letters(columns)}{rows}", rows * columns
            total = self.earlier_grid + cells
            zh, en = (f"，连同前面的工作表共 {total:,} 个", f", {total:,} with the earlier sheets") \
                if self.earlier_grid else ("", "")
            raise BadInput(f"工作表“{sheet}”的 {where} 使表格范围达到 {corner}（{cells:,} 个单元格{zh}），"
                           f"超出 {limits.cells:,} 个单元格的上限",
                           f'{where} of sheet "{sheet}" makes it span {corner} ({cells:,} cells{en}), '
                           f"beyond the limit of {limits.cells:,} cells")
