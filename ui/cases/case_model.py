"""The case table: a lazy Qt model over the workspace's cases, sorted and filtered in SQL.

On each filter or sort the model asks SQLite for the matching case ids only
(an indexed query; 100,000 ids take a few tens of milliseconds) and shows
that many rows at once. Row contents are fetched on demand in pages of
:data:`PAGE_ROWS` and kept in a small page cache, so scrolling through
100,000 cases touches only the rows on screen. A :class:`ui.session.Changes`
summary refreshes just the named rows (and drops those that no longer match
the filter); only imports reload everything.
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from inspector.geo.attribution import zone_precedence
from inspector.casework.workflow import STATES, overdue_days, overdue_sql
from ui import labels
from ui.plain_text import plain_tooltip
from ui.session import Changes, Session

PAGE_ROWS = 200  # rows fetched per query
MAX_PAGES = 60  # pages kept in memory
Index = QModelIndex | QPersistentModelIndex
_STATUS_ORDER = "CASE c.status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATES)) + " ELSE 99 END"
COL_STATUS, COL_CASE_NO, COL_ZONE, COL_FUNCTION_ZONE, COL_TYPE, COL_ADMIN, COL_DEADLINE, COL_OVERDUE = range(8)
_SORT_SQL = {
    COL_STATUS: _STATUS_ORDER,
    COL_CASE_NO: "c.case_no",
    COL_ZONE: "coalesce((SELECT min(z.name) FROM case_zones cz JOIN zones z ON z.id = cz.zone_id "
              "WHERE cz.case_id = c.id), '~')",
    COL_FUNCTION_ZONE: "coalesce(c.ledger_function_zone, '~')",
    COL_TYPE: "coalesce(c.problem_type, '~')",
    COL_ADMIN: "coalesce(c.county_adcode, '~')",
    COL_DEADLINE: "coalesce(c.deadline, '9999')",
    COL_OVERDUE: f"CASE WHEN {overdue_sql('c.deadline', 'c.status', ':today')} THEN c.deadline ELSE '9999' END",
}


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows; every field narrows it (all in SQL)."""

    statuses: tuple[str, ...] = ()
    city_adcode: str | None = None
    problem_type: str | None = None
    zone_kind: str | None = None
    text: str = ""
    overdue_only: bool = False

    def where(self) -> tuple[str, dict[str, Any]]:
        parts = ["c.deleted = 0"]
        params: dict[str, Any] = {"today": dt.date.today().isoformat()}
        if self.statuses:
            marks = ", ".join(f":s{i}" for i in range(len(self.statuses)))
            parts.append(f"c.status IN ({marks})")
            params.update({f"s{i}": s for i, s in enumerate(self.statuses)})
        if self.city_adcode:
            parts.append("c.city_adcode = :city")
            params["city"] = self.city_adcode
        if self.problem_type:
            parts.append("c.problem_type = :ptype")
            params["ptype"] = self.problem_type
        if self.zone_kind:
            parts.append("EXISTS (SELECT 1 FROM case_zones cz JOIN zones z ON z.id = cz.zone_id "
                         "WHERE cz.case_id = c.id AND z.kind = :kind AND z.deleted = 0)")
            params["kind"] = self.zone_kind
        text = self.text.strip()
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            parts.append("c.search_text LIKE :text ESCAPE '\\'")
            params["text"] = f"%{escaped}%"
        if self.overdue_only:
            parts.append(overdue_sql("c.deadline", "c.status", ":today"))
        return " AND ".join(parts), params


_ROW_SQL = (
    "SELECT c.id, c.uuid, c.case_no, c.status, c.problem_type, c.deadline, c.ledger_zone_name, "
    "c.ledger_function_zone, ca.name AS city, co.name AS county, nz.name AS nearest_name, "
    "c.nearest_distance_m FROM cases c LEFT JOIN admin_areas ca ON ca.adcode = c.city_adcode "
    "LEFT JOIN admin_areas co ON co.adcode = c.county_adcode LEFT JOIN zones nz ON nz.id = c.nearest_zone_id "
    "WHERE c.id IN ({marks})"
)
_ZONE_SQL = ("SELECT cz.case_id, z.name, z.kind, z.function_zone FROM case_zones cz JOIN zones z "
             "ON z.id = cz.zone_id WHERE z.deleted = 0 AND cz.case_id IN ({marks})")


def fetch_rows(conn: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Display records of the given case ids (with their strictest zone)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    records = {r["id"]: dict(r) for r in conn.execute(_ROW_SQL.format(marks=marks), ids)}
    zones: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(_ZONE_SQL.format(marks=marks), ids):
        zones.setdefault(r[0], []).append({"name": r[1], "kind": r[2], "function_zone": r[3]})
    today = dt.date.today()
    for case_id, record in records.items():
        found = sorted(zones.get(case_id, []), key=zone_precedence)
        record["zone"] = found[0] if found else None
        record["function_zone"] = next((z["function_zone"] for z in found if z["function_zone"]),
                                       record["ledger_function_zone"])
        record["overdue_days"] = overdue_days(record["deadline"], record["status"], today)
    return records


class CaseTableModel(QAbstractTableModel):
    """Cases of a session matching a :class:`CaseFilter`, sorted by a column (see module doc)."""

    countChanged = Signal(int)
    UuidRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, session: Session, case_filter: CaseFilter | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._filter = case_filter or CaseFilter()
        self._sort_column, self._sort_order = COL_CASE_NO, Qt.SortOrder.AscendingOrder
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, dict[int, dict[str, Any]]] = OrderedDict()
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

    def _query_ids(self) -> list[int]:
        where, params = self._filter.where()
        direction = "DESC" if self._sort_order == Qt.SortOrder.DescendingOrder else "ASC"
        sql = (f"SELECT c.id FROM cases c WHERE {where} "
               f"ORDER BY {_SORT_SQL[self._sort_column]} {direction}, c.case_no {direction}")
        return [r[0] for r in self.session.ws.conn.execute(sql, params)]

    def _still_matching(self, ids: list[int]) -> set[int]:
        """Which of ``ids`` the filter still admits (after an operation changed them)."""
        if not ids:
            return set()
        where, params = self._filter.where()
        sql = f"SELECT c.id FROM cases c WHERE {where} AND c.id IN ({','.join(str(int(i)) for i in ids)})"
        return {r[0] for r in self.session.ws.conn.execute(sql, params)}

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = self._query_ids()
        self._row_of = None
        self._pages.clear()
        self.endResetModel()
        self.countChanged.emit(len(self._ids))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column in _SORT_SQL and (column, order) != (self._sort_column, self._sort_order):
            self._sort_column, self._sort_order = column, order
            self.reload()

    def _record(self, row: int) -> dict[str, Any] | None:
        page = row // PAGE_ROWS
        cached = self._pages.get(page)
        if cached is None:
            ids = self._ids[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]
            cached = fetch_rows(self.session.ws.conn, ids)
            self._pages[page] = cached
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return cached.get(self._ids[row])

    # -- lookups --------------------------------------------------------------
    def uuid_at(self, row: int) -> str | None:
        record = self._record(row) if 0 <= row < len(self._ids) else None
        return record["uuid"] if record else None

    def record_at(self, row: int) -> dict[str, Any] | None:
        return self._record(row) if 0 <= row < len(self._ids) else None

    def row_of_uuid(self, uuid: str) -> int | None:
        found = self.session.ws.conn.execute("SELECT id FROM cases WHERE uuid = ?", (uuid,)).fetchone()
        if found is None:
            return None
        return self._row_index().get(found[0])

    def _row_index(self) -> dict[int, int]:
        if self._row_of is None:
            self._row_of = {case_id: row for row, case_id in enumerate(self._ids)}
        return self._row_of

    # -- changes ----------------------------------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Refresh only the rows an operation changed; reload when rows appeared or vanished."""
        if changes.cases_added or changes.zones:
            self.reload()
            return
        if not changes.case_uuids:
            return
        uuids = list(changes.case_uuids)
        ids = [r[0] for r in self.session.ws.conn.execute(
            f"SELECT id FROM cases WHERE uuid IN ({','.join('?' * len(uuids))})", uuids)]
        index = self._row_index()
        shown = [i for i in ids if i in index]
        still = self._still_matching(shown)
        fresh = fetch_rows(self.session.ws.conn, [i for i in shown if i in still])
        for case_id in sorted(shown, key=lambda i: index[i], reverse=True):
            row = index[case_id]
            page = self._pages.get(row // PAGE_ROWS)
            if case_id in still:
                if page is not None:
                    page[case_id] = fresh[case_id]
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            else:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._ids[row]
                self._pages.clear()
                self._row_of = None
                self.endRemoveRows()
                index = self._row_index()
        if len(still) != len(shown):
            self.countChanged.emit(len(self._ids))

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
        record = self._record(index.row())
        if record is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record, column)
        if role == self.UuidRole:
            return record["uuid"]
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_ZONE:
            return plain_tooltip(self._zone_tooltip(record))  # zone names are data, not markup
        if column == COL_STATUS and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            fill, text = labels.status_qcolours(record["status"])
            return QBrush(fill if role == Qt.ItemDataRole.BackgroundRole else text)
        if record["overdue_days"] and column in (COL_OVERDUE, COL_DEADLINE):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(labels.OVERDUE_RED)
            if role == Qt.ItemDataRole.FontRole and column == COL_OVERDUE:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_ZONE and record["zone"] is None:
            return QBrush(QColor("#777777"))
        return None

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
