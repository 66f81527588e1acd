"""The case list panel: search, filters and the lazy case table.

Wraps a :class:`ui.cases.case_model.CaseTableModel`; every filter change becomes a
:class:`inspector.casework.case_list_query.CaseFilter` applied in SQL; the city and
problem-type choices come from the core too and follow changes of cases. Both
queries run on the session's reading thread (:func:`ui.background.reader_for`):
while the table waits for its rows the count line says so and the table shows
a busy cursor, and the case selected before a filter change is selected again
once the new rows are in. Emits ``caseSelected(uuid)`` when the user picks a
row; :meth:`select_case` follows a selection made elsewhere (the map).
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.casework.case_list_query import CaseFilter, filter_choices
from inspector.casework.workflow import STATES
from inspector.store.changes import Changes
from inspector.vocabulary import KINDS
from ui import labels
from ui.background import reader_for
from ui.cases.case_model import (
    COL_ADMIN,
    COL_CASE_NO,
    COL_DEADLINE,
    COL_FUNCTION_ZONE,
    COL_OVERDUE,
    COL_STATUS,
    COL_TYPE,
    COL_ZONE,
    CaseTableModel,
)
from ui.session import Session
from ui.style import ROW_PX

SEARCH_DELAY_MS = 250  # typing pause before the search runs


class CaseListPanel(QWidget):
    """Search box, filter combos, count and the case table of one session."""

    caseSelected = Signal(str)
    filterChanged = Signal(object)  # the CaseFilter now applied (the map and the 统计 view follow it)
    choicesFilled = Signal()  # the city and problem-type choices follow the workspace

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 fixed_statuses: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.session = session
        self.fixed_statuses = fixed_statuses  # a queue: only these states, no status choice
        self._reselect: str | None = None  # the case to select once the rows asked for are in
        self._reveal: str | None = None  # the same, showing every case again if the filter hides it
        self._choices_lane = f"filter-choices-{id(self)}"
        self.choices_pending = False
        self.model = CaseTableModel(session, CaseFilter(statuses=fixed_statuses), parent=self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("搜索问题编号、保护地、类型、描述、责任单位…"))
        self.search.setClearButtonEnabled(True)
        self.status_box = self._combo(self.tr("全部状态"), [(labels.status_text(s), s) for s in STATES])
        self.city_box = self._combo(self.tr("全部市"), [])
        self.type_box = self._combo(self.tr("全部类型"), [])
        self.kind_box = self._combo(self.tr("全部区域类型"), [(labels.kind_text(k), k) for k in KINDS])
        self.overdue_box = QCheckBox(self.tr("仅逾期"), self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("muted")
        self.table = QTableView(self)
        self._setup_table()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._timer.start)
        for box in (self.status_box, self.city_box, self.type_box, self.kind_box):
            box.currentIndexChanged.connect(self.apply_filter)
        self.overdue_box.toggled.connect(self.apply_filter)
        self.model.countChanged.connect(self._show_count)
        self.model.loadingChanged.connect(self._show_loading)
        self.model.loaded.connect(self._rows_loaded)
        session.workspaceChanged.connect(self.fill_choices)
        session.changed.connect(self._cases_changed)

        filters = QHBoxLayout()
        for widget in (self.status_box, self.city_box, self.type_box, self.kind_box):
            filters.addWidget(widget, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.overdue_box)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.status_box.setVisible(not fixed_statuses)
        self.fill_choices()
        self._show_loading(self.model.loading)

    def _combo(self, all_text: str, items: list[tuple[str, str]]) -> QComboBox:
        box = QComboBox(self)
        box.addItem(all_text, None)
        for text, value in items:
            box.addItem(text, value)
        return box

    def _setup_table(self) -> None:
        table = self.table
        table.setModel(self.model)
        # The model is already sorted by 问题编号: say so before sorting is enabled (no extra query).
        table.horizontalHeader().setSortIndicator(COL_CASE_NO, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(ROW_PX)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        for column, width in ((COL_STATUS, 80), (COL_CASE_NO, 150), (COL_ZONE, 200), (COL_FUNCTION_ZONE, 92),
                              (COL_TYPE, 92), (COL_ADMIN, 124), (COL_DEADLINE, 100), (COL_OVERDUE, 96)):
            table.setColumnWidth(column, width)
        table.selectionModel().currentRowChanged.connect(self._row_changed)

    def fill_choices(self) -> None:
        """City and problem-type choices from the workspace (when the reading thread answers)."""
        self.choices_pending = True
        reader_for(self.session).read(filter_choices, self._show_choices, owner=self, lane=self._choices_lane)

    def _show_choices(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        for box, rows in ((self.city_box, choices["cities"]), (self.type_box, choices["problem_types"])):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for value, text in rows:
                box.addItem(text, value)
            found = box.findData(current)
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
        self.choices_pending = False
        self.choicesFilled.emit()

    @property
    def busy(self) -> bool:
        """Whether the table or the filter choices wait for the reading thread."""
        return self.model.loading or self.choices_pending

    def _cases_changed(self, changes: Changes) -> None:
        if changes.touches("cases"):  # a case may bring a city or problem type the choices lack
            self.fill_choices()

    def current_filter(self) -> CaseFilter:
        status = self.status_box.currentData()
        statuses = self.fixed_statuses or ((status,) if status else ())
        return CaseFilter(statuses=statuses, city_adcode=self.city_box.currentData(),
                          problem_type=self.type_box.currentData(), zone_kind=self.kind_box.currentData(),
                          text=self.search.text(), overdue_only=self.overdue_box.isChecked())

    def clear_filter(self) -> None:
        """Show every case again (the search and the filters reset, once)."""
        boxes = (self.status_box, self.city_box, self.type_box, self.kind_box)
        for widget in (self.search, self.overdue_box, *boxes):
            widget.blockSignals(True)
        self.search.clear()
        self.overdue_box.setChecked(False)
        for box in boxes:
            box.setCurrentIndex(0)
        for widget in (self.search, self.overdue_box, *boxes):
            widget.blockSignals(False)
        self.apply_filter()

    def apply_filter(self) -> None:
        self._timer.stop()
        selected = self.selected_uuid()
        case_filter = self.current_filter()
        if case_filter != self.model.case_filter:
            self._reselect = selected or self._reselect
            self.model.set_filter(case_filter)
        self.filterChanged.emit(case_filter)

    def _rows_loaded(self) -> None:
        reveal, self._reveal = self._reveal, None
        selected, self._reselect = self._reselect, None
        if reveal and not self.select_case(reveal, emit=False):
            self.clear_filter()
            if self.model.loading:  # the filter hid it: select it among every case
                self._reselect = reveal
        elif selected:
            self.select_case(selected, emit=False)

    def reveal_case(self, uuid: str) -> None:
        """Select a case (a new one) once the list has its row, showing every case again when the filter
        hides it."""
        self._reveal = uuid
        if not self.model.loading:
            self._rows_loaded()

    def _show_loading(self, loading: bool) -> None:
        if loading:
            self.count_label.setText(self.tr("正在查询…"))
            self.table.viewport().setCursor(Qt.CursorShape.BusyCursor)
        else:
            self._show_count(self.model.rowCount())
            self.table.viewport().unsetCursor()

    def _show_count(self, count: int) -> None:
        if not self.model.loading:
            self.count_label.setText(self.tr("共 {n} 条问题").format(n=f"{count:,}"))

    def _row_changed(self, current, previous) -> None:  # noqa: ANN001 - Qt indexes
        uuid = self.model.uuid_at(current.row()) if current.isValid() else None
        if uuid:
            self.caseSelected.emit(uuid)

    def selected_uuid(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.uuid_at(index.row()) if index.isValid() else None

    def select_case(self, uuid: str, *, emit: bool = True) -> bool:
        """Select the row of a case if the current filter shows it (while the list waits for its rows: also
        once they are in)."""
        if self.model.loading:
            self._reselect = uuid
        row = self.model.row_of_uuid(uuid)
        if row is None:
            return False
        index = self.model.index(row, 0)
        selection = self.table.selectionModel()
        if not emit:
            selection.blockSignals(True)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
        selection.blockSignals(False)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True
