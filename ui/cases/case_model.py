"""The case table: a lazy Qt model over the workspace's cases, sorted and filtered in SQL.

The query is the core's (:mod:`inspector.casework.case_list_query`): on each
filter or sort the model asks for the matching case ids only (100,000 ids
take up to a few hundred milliseconds), on the session's reading thread
(:func:`ui.background.reader_for`), and shows that many rows when the answer
arrives: meanwhile :attr:`CaseTableModel.loading` is true (the list shows it
is busy) and the GUI thread goes on; the questions share one lane of the
reader, so an answer to an older one (the filter changed meanwhile) is
dropped. ``loaded`` announces each answer taken. Row contents are fetched on demand in pages of :data:`PAGE_ROWS` and
kept in a small page cache, so scrolling through 100,000 cases touches only
the rows on screen; each row's cells (text, colours, font, tooltip per role)
are worked out once, the first time the view asks, and kept with its page,
so that a repaint (every scroll step, every selection) only looks them up. A change summary from the core
(:class:`inspector.store.changes.Changes`) that names case rows updates just
those: rows still in place are refreshed (``dataChanged``; when every changed
case still matches and sorts between its neighbours, without querying the
list again), rows that left the filter are removed and cases that entered it
are inserted at their place (:func:`ui.cases.row_plan.plan_rows`, once the
reading thread has listed the cases that match now); only a change of
(nearly) every case reloads the list.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from inspector.casework.case_list_query import CaseFilter, case_ids, case_ids_by_uuid, case_rows, sort_keys
from inspector.store.changes import Changes
from inspector.store.workspace import Workspace
from ui import labels
from ui.background import reader_for
from ui.cases.row_plan import plan_rows
from ui.plain_text import plain_tooltip
from ui.session import Session, needs_reload

log = logging.getLogger(__name__)
PAGE_ROWS = 200  # rows fetched per query
MAX_PAGES = 60  # pages kept in memory
Index = QModelIndex | QPersistentModelIndex
Listed = tuple[list[int], dict[int, int]]  # case ids in the list's order, and the row of each
Cells = tuple[dict[int, Any], ...]  # per column: the value of each role the cell has
DISPLAY, TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
BACKGROUND, FOREGROUND, FONT = (int(Qt.ItemDataRole.BackgroundRole), int(Qt.ItemDataRole.ForegroundRole),
                                int(Qt.ItemDataRole.FontRole))
COL_STATUS, COL_CASE_NO, COL_ZONE, COL_FUNCTION_ZONE, COL_TYPE, COL_ADMIN, COL_DEADLINE, COL_OVERDUE = range(8)
SORT_KEYS = {  # column: the core's sort key
    COL_STATUS: "status", COL_CASE_NO: "case_no", COL_ZONE: "zone", COL_FUNCTION_ZONE: "function_zone",
    COL_TYPE: "problem_type", COL_ADMIN: "admin", COL_DEADLINE: "deadline", COL_OVERDUE: "overdue",
}


class _Page:
    """The records of one page of rows (by case id) and the cells worked out for them so far."""

    __slots__ = ("records", "cells")

    def __init__(self, records: dict[int, dict[str, Any]]) -> None:
        self.records = records
        self.cells: dict[int, Cells] = {}


class CaseTableModel(QAbstractTableModel):
    """Cases of a session matching a :class:`CaseFilter`, sorted by a column (see module doc)."""

    countChanged = Signal(int)
    loadingChanged = Signal(bool)  # true while the list waits for the reading thread's answer
    loaded = Signal()  # the answer to the latest question is shown
    UuidRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, session: Session, case_filter: CaseFilter | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._filter = case_filter or CaseFilter()
        self._sort_column, self._sort_order = COL_CASE_NO, Qt.SortOrder.AscendingOrder
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        self._lane = f"case-ids-{id(self)}"
        self.loading = False
        self._moved: set[int] = set()  # changed cases whose rows wait for the list's answer
        session.changed.connect(self.apply_changes)
        session.workspaceChanged.connect(self.reload)
        self.reload()

    # -- queries ------------------------------------------------------------
    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    def set_filter(self, case_filter: CaseFilter) -> None:
        if case_filter != self._filter:
            self._filter = case_filter
            self.reload()

    def _ids_query(self) -> Callable[[Workspace], Listed]:
        """The current question, on its own values (it runs on the reading thread): the ids in their order
        and the row of each."""
        case_filter, sort = self._filter, SORT_KEYS[self._sort_column]
        descending = self._sort_order == Qt.SortOrder.DescendingOrder

        def listed(ws: Workspace) -> Listed:
            ids = case_ids(ws, case_filter, sort=sort, descending=descending)
            return ids, {case_id: row for row, case_id in enumerate(ids)}
        return listed

    def _ask(self, take: Callable[[Listed], None]) -> None:
        """Ask the reading thread for the ids the list shows now; ``take((ids, rows))`` on the GUI thread
        unless a later question was asked meanwhile (the model's lane of the reader drops the older answer)."""
        def answered(ids: Listed) -> None:
            take(ids)
            self._set_loading(False)
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            log.error("the case list query failed", exc_info=error)
            self._set_loading(False)

        self._set_loading(True)
        reader_for(self.session).read(self._ids_query(), answered, owner=self, lane=self._lane, failed=failed)

    def _set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            self.loadingChanged.emit(loading)

    def reload(self) -> None:
        """List the cases again (the rows change when the answer arrives)."""
        self._moved.clear()
        self._ask(self._reset)

    def _reset(self, listed: Listed) -> None:
        self.beginResetModel()
        self._ids, self._row_of = listed
        self._pages.clear()
        self.endResetModel()
        self.countChanged.emit(len(self._ids))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column in SORT_KEYS and (column, order) != (self._sort_column, self._sort_order):
            self._sort_column, self._sort_order = column, order
            self.reload()

    def _page(self, row: int) -> _Page:
        page = row // PAGE_ROWS
        cached = self._pages.get(page)
        if cached is None:
            ids = self._ids[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]
            cached = _Page(case_rows(self.session.ws, ids))
            self._pages[page] = cached
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return cached

    def _record(self, row: int) -> dict[str, Any] | None:
        return self._page(row).records.get(self._ids[row])

    def _cells(self, row: int) -> Cells | None:
        page, case_id = self._page(row), self._ids[row]
        cells = page.cells.get(case_id)
        if cells is None:
            record = page.records.get(case_id)
            if record is None:
                return None
            cells = page.cells[case_id] = self._cells_of(record)
        return cells

    # -- lookups --------------------------------------------------------------
    def uuid_at(self, row: int) -> str | None:
        record = self._record(row) if 0 <= row < len(self._ids) else None
        return record["uuid"] if record else None

    def record_at(self, row: int) -> dict[str, Any] | None:
        return self._record(row) if 0 <= row < len(self._ids) else None

    def row_of_uuid(self, uuid: str) -> int | None:
        found = case_ids_by_uuid(self.session.ws, [uuid]).get(uuid)
        return self._row_index().get(found) if found is not None else None

    def _row_index(self) -> dict[int, int]:
        if self._row_of is None:
            self._row_of = {case_id: row for row, case_id in enumerate(self._ids)}
        return self._row_of

    # -- changes ----------------------------------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Follow what the core changed: update, remove or insert the rows of the cases named (see the
        module docstring); reload when (nearly) every case changed or other rows moved too."""
        if not changes.touches("cases"):
            return
        if needs_reload(changes):
            self.reload()
            return
        changed = set(case_ids_by_uuid(self.session.ws, changes.case_uuids).values())
        if not changed:
            return
        if self.loading and not self._moved:  # the list asked for may predate this change: ask again
            self.reload()
            return
        if not self._moved:
            in_place = self._rows_in_place(changed)
            if in_place is not None:
                self._refresh_rows(in_place)
                return
        self._moved |= changed
        self._ask(self._move_rows)

    def _move_rows(self, listed: Listed) -> None:
        """Remove, insert and refresh the rows of the changed cases, given the ids the list shows now."""
        changed, self._moved = self._moved, set()
        wanted, row_of = listed
        plan = plan_rows(self._ids, wanted, changed)
        if plan is None:
            self._reset(listed)
            return
        count = len(self._ids)
        if plan.removals or plan.insertions:
            self._pages.clear()  # pages are slices of rows: they shifted
            self._row_of = None
        for row in plan.removals:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()
        for row, case_id in plan.insertions:
            self.beginInsertRows(QModelIndex(), row, row)
            self._ids.insert(row, case_id)
            self.endInsertRows()
        self._ids, self._row_of = wanted, row_of
        self._refresh_rows(plan.updates)
        if len(self._ids) != count:
            self.countChanged.emit(len(self._ids))

    def _rows_in_place(self, changed: set[int]) -> list[int] | None:
        """The rows of the changed cases when each is shown, still matches the filter and still sorts
        between its neighbours; ``None`` otherwise (the list must be queried again)."""
        index = self._row_index()
        rows = sorted(index[case_id] for case_id in changed if case_id in index)
        if len(rows) != len(changed):
            return None
        last = len(self._ids) - 1
        around = {self._ids[r] for row in rows for r in (row - 1, row + 1) if 0 <= r <= last}
        keys = sort_keys(self.session.ws, self._filter, changed | around, sort=SORT_KEYS[self._sort_column])
        if len(keys) != len(changed | around):
            return None
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        for row in rows:
            for before, after in ((row - 1, row), (row, row + 1)):
                if before < 0 or after > last:
                    continue
                first, second = keys[self._ids[before]], keys[self._ids[after]]
                if (first < second) if descending else (first > second):
                    return None
        return rows

    def _refresh_rows(self, rows: list[int] | tuple[int, ...]) -> None:
        fresh = case_rows(self.session.ws, [self._ids[row] for row in rows])
        for row in rows:
            case_id = self._ids[row]
            page = self._pages.get(row // PAGE_ROWS)
            if page is not None:
                page.records[case_id] = fresh[case_id]
                page.cells.pop(case_id, None)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # -- Qt model interface -------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 8

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("状态"), self.tr("问题编号"), self.tr("所在区域"), self.tr("功能区"),
                  self.tr("问题类型"), self.tr("市 / 县"), self.tr("整改时限"), self.tr("逾期"))
        return titles[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cells = self._cells(index.row())
        return cells[index.column()].get(role) if cells is not None else None

    def _cells_of(self, record: dict[str, Any]) -> Cells:
        """Every role's value of each cell of a row (roles a cell lacks are None to the view)."""
        uuid = int(self.UuidRole)
        cells = tuple({DISPLAY: self._display(record, column), uuid: record["uuid"]} for column in range(8))
        cells[COL_ZONE][TOOLTIP] = plain_tooltip(self._zone_tooltip(record))  # zone names are data, not markup
        fill, text = labels.status_qcolours(record["status"])
        cells[COL_STATUS][BACKGROUND], cells[COL_STATUS][FOREGROUND] = QBrush(fill), QBrush(text)
        if record["overdue_days"]:
            cells[COL_OVERDUE][FOREGROUND] = cells[COL_DEADLINE][FOREGROUND] = QBrush(labels.OVERDUE_RED)
            font = QFont()
            font.setBold(True)
            cells[COL_OVERDUE][FONT] = font
        if record["zone"] is None:
            cells[COL_ZONE][FOREGROUND] = QBrush(QColor("#777777"))
        return cells

    def _display(self, record: dict[str, Any], column: int) -> str:
        if column == COL_STATUS:
            return labels.status_text(record["status"])
        if column == COL_CASE_NO:
            return record["case_no"]
        if column == COL_ZONE:
            if record["zone"]:
                return record["zone"]["name"]
            if record["nearest_name"] and record["nearest_distance_m"] is not None:
                return self.tr("区外（距 {name} {m:.0f} 米）").format(name=record["nearest_name"],
                                                               m=record["nearest_distance_m"])
            return self.tr("区外")
        if column == COL_FUNCTION_ZONE:
            return record["function_zone"] or ""
        if column == COL_TYPE:
            return record["problem_type"] or ""
        if column == COL_ADMIN:
            return " ".join(p for p in (record["city"], record["county"]) if p)
        if column == COL_DEADLINE:
            return record["deadline"] or ""
        if column == COL_OVERDUE:
            days = record["overdue_days"]
            return self.tr("● 逾期 {n} 天").format(n=days) if days else ""
        return ""

    def _zone_tooltip(self, record: dict[str, Any]) -> str:
        zone = record["zone"]
        if zone is None:
            return self.tr("台账所填：{name}").format(name=record["ledger_zone_name"] or "—")
        return f"{zone['name']} · {labels.kind_text(zone['kind'])}"
