"""The GUI tells about pulled records this device set aside: 已隔离 rows with the reason in the sync result
dialog, and the status bar's outcome counts them (real server on loopback, offscreen Qt)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.quarantine_fixtures import plant_malformed
from tests.ui_fixtures import *  # noqa: F403 - fixtures

# isort: split
# After the star import, which has a session fixture of its own: these override it.
from tests.test_ui_sync import field_root, gui_server, session  # noqa: F401,E402 - a synced workspace, its server

SYNC_TIMEOUT_MS = 30_000


def _rows(dialog) -> dict[str, list[str]]:
    table = dialog.table
    return {table.item(row, 0).data(Qt.ItemDataRole.UserRole): [table.item(row, c).text() for c in range(5)]
            for row in range(table.rowCount())}


def test_result_dialog_lists_quarantined_records_with_their_reason(window, qtbot, gui_server):  # noqa: F811
    from ui import i18n
    from ui.sync_views.sync_dialogs import SyncResultDialog

    bad = plant_malformed(gui_server)
    with qtbot.waitSignal(window.sync.finished, timeout=SYNC_TIMEOUT_MS) as finished:
        assert window.sync_panel.sync_now()
    outcome = finished.args[0]
    assert outcome.kind == "done", outcome
    assert len(outcome.report.quarantined) == 2 and outcome.report.pushed == 1  # the offline finding went up

    dialog = window.sync_panel.result_dialog
    assert dialog is not None and dialog.isVisible()
    rows = _rows(dialog)
    finding, transition = rows[bad["finding"]], rows[bad["transition"]]
    assert finding[:3] == ["已隔离", "核查记录", "LD-001"] and "observed_at_utc" in finding[4]
    assert transition[:3] == ["已隔离", "流转", "LD-001"] and "at_utc" in transition[4]
    assert transition[3] == "待核查 → 现场核查"  # what the record is, from the server's content
    assert list(rows.values())[-1][0] == "已接收"  # set-aside records before the accepted ones
    assert "2 条服务器记录无法在本机应用，已隔离" in dialog.headline.text()
    assert "已隔离 2" in dialog.counts.text() and "已隔离 2" in window.sync_status.label.text()
    for label in (dialog.headline, dialog.counts, dialog.note, window.sync_status.label):
        assert label.textFormat() == Qt.TextFormat.PlainText
    dialog.close()

    i18n.set_language("en")
    english = SyncResultDialog(outcome, window.session, window)
    try:
        assert _rows(english)[bad["finding"]][0] == "Quarantined"
        assert "quarantined" in english.headline.text() and "quarantined 2" in english.counts.text()
    finally:
        english.deleteLater()
