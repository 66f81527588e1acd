"""The case table's cells: what the view gets for each role of each cell (worked out once per row and kept
with its page) is what the record says, and a changed row's cells follow the change."""
from __future__ import annotations

from PySide6.QtCore import Qt

from inspector.store.changes import Changes
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from ui import labels
from ui.cases.case_model import COL_DEADLINE, COL_OVERDUE, COL_STATUS, COL_TYPE, COL_ZONE, CaseTableModel
from ui.plain_text import plain_tooltip

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
         Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.BackgroundRole,
         Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.SizeHintRole,
         CaseTableModel.UuidRole)


def _plain(value):
    """A role's value in comparable form (brushes by colour, fonts by weight)."""
    if hasattr(value, "color"):
        return ("brush", value.color().name())
    if hasattr(value, "bold"):
        return ("font", value.bold())
    return value


def _expected(model: CaseTableModel, record: dict, column: int, role) -> object:
    """The cell as the record defines it (the rules of the list, written out independently)."""
    if role == Qt.ItemDataRole.DisplayRole:
        return model._display(record, column)
    if role == CaseTableModel.UuidRole:
        return record["uuid"]
    if role == Qt.ItemDataRole.ToolTipRole and column == COL_ZONE:
        return plain_tooltip(model._zone_tooltip(record))
    if column == COL_STATUS and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
        fill, text = labels.status_qcolours(record["status"])
        return ("brush", (fill if role == Qt.ItemDataRole.BackgroundRole else text).name())
    if record["overdue_days"] and column in (COL_OVERDUE, COL_DEADLINE):
        if role == Qt.ItemDataRole.ForegroundRole:
            return ("brush", labels.OVERDUE_RED.name())
        if role == Qt.ItemDataRole.FontRole and column == COL_OVERDUE:
            return ("font", True)
    if role == Qt.ItemDataRole.ForegroundRole and column == COL_ZONE and record["zone"] is None:
        return ("brush", "#777777")
    return None


def test_every_cell_answers_each_role_as_its_record_says(session, qtbot):
    model = CaseTableModel(session)
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    assert model.rowCount() == 80
    kinds = set()
    for row in range(80):
        record = model.record_at(row)
        for column in range(model.columnCount()):
            for role in ROLES:
                got = _plain(model.data(model.index(row, column), role))
                assert got == _expected(model, record, column, role), (row, column, role)
                kinds.add((column, role, got is None))
    assert (COL_OVERDUE, Qt.ItemDataRole.FontRole, False) in kinds  # the demo has overdue cases
    assert (COL_ZONE, Qt.ItemDataRole.ForegroundRole, False) in kinds  # and cases outside every zone
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole) == model.data(model.index(0, 0))


def test_a_changed_row_shows_its_new_values(session, qtbot):
    model = CaseTableModel(session)
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    uuid = model.uuid_at(4)
    before = model.data(model.index(4, COL_STATUS), Qt.ItemDataRole.BackgroundRole).color().name()
    assert model.data(model.index(4, COL_TYPE)) != "码头"
    session.ws.conn.execute("UPDATE cases SET problem_type = '码头' WHERE uuid = ?", (uuid,))
    session.notify(Changes(frozenset({"cases"}), frozenset({uuid})))
    assert model.data(model.index(4, COL_TYPE)) == "码头"
    assert model.data(model.index(4, COL_STATUS), Qt.ItemDataRole.BackgroundRole).color().name() == before
