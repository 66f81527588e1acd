"""Import wizards: ledger dry run with rejected rows then import; cancel; zones with an edited field map."""
from __future__ import annotations

import json

from tests.ui_fixtures import *  # noqa: F403 - fixtures

LEDGER_CSV = (
    "问题编号,保护地名称,问题类型,问题描述,经度,纬度,整改时限\n"
    "NEW-001,【示例】老山国家森林公园,违法建筑,新建房屋,118.56,32.08,2026-12-31\n"
    "NEW-002,【示例】老山国家森林公园,违法建筑,缺坐标,,32.08,2026-12-31\n"
    "NEW-003,北京,其他,省外,116.5,39.5,2026-12-31\n"
)


def _ledger_wizard(window, path):
    from ui.import_wizards import LedgerImportWizard

    wizard = LedgerImportWizard(window.session, window)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    return wizard


def test_ledger_dry_run_shows_rejections_then_imports(window, qtbot, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER_CSV, encoding="utf-8")
    wizard = _ledger_wizard(window, path)
    assert wizard.file_page.isComplete()
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=10_000)
    assert "有效 1 行，拒绝 2 行" in check.summary.text() and "UTF-8" in check.summary.text()
    assert check.rejected.rowCount() == 2
    reasons = [check.rejected.item(r, 3).text() for r in range(2)]
    assert any("坐标" in r for r in reasons) and any("江苏" in r for r in reasons)
    assert check.rejected.item(0, 1).text() == "3"  # the sheet row number
    assert check.mapping.rowCount() >= 3
    wizard.next()
    run = wizard.run_page
    qtbot.waitUntil(run.isComplete, timeout=20_000)
    assert "新增 1" in run.label.text() and "拒绝 2" in run.label.text()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 81)


def test_ledger_import_can_be_cancelled(window, qtbot, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER_CSV, encoding="utf-8")
    wizard = _ledger_wizard(window, path)
    wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=10_000)
    wizard.next()
    wizard.run_page.cancel()
    qtbot.waitUntil(wizard.run_page.isComplete, timeout=20_000)
    assert "已取消" in wizard.run_page.label.text()
    assert window.session.ws.conn.execute("SELECT count(*) FROM cases WHERE case_no = 'NEW-001'").fetchone()[0] == 0


def test_zone_wizard_detects_and_takes_an_edited_mapping(window, qtbot, tmp_path):
    from ui.import_wizards import ZoneImportWizard

    ring = [[118.70, 32.20], [118.72, 32.20], [118.72, 32.22], [118.70, 32.22], [118.70, 32.20]]
    layer = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "测试红线", "备用名": "改名后的红线", "类型": "生态保护红线"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    wizard = ZoneImportWizard(window.session, window)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.next()
    page = wizard.settings_page
    qtbot.waitUntil(page.isComplete, timeout=10_000)
    assert "EPSG:4326" in page.info.text() or "WGS" in page.info.text()
    assert page.field_boxes["name"].currentData() == "名称"
    page.field_boxes["name"].setCurrentIndex(page.field_boxes["name"].findData("备用名"))
    wizard.next()
    qtbot.waitUntil(wizard.run_page.isComplete, timeout=20_000)
    assert "新增 1" in wizard.run_page.label.text()
    row = window.session.ws.conn.execute("SELECT name, kind FROM zones WHERE name = '改名后的红线'").fetchone()
    assert tuple(row) == ("改名后的红线", "生态保护红线")
