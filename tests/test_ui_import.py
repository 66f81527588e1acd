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
    from ui.importers.import_wizards import LedgerImportWizard

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


ODD_CSV = (
    "编号,X,Y,情况说明,问题描述\n"
    "ODD-001,118.56,32.08,新建房屋,旧文本\n"
    "ODD-002,118.57,32.09,新建码头,旧文本\n"
)


def _choose(page, key, header):
    box = page.column_boxes[key]
    index = box.findData(header)
    assert index >= 0, (key, header, [box.itemText(i) for i in range(box.count())])
    box.setCurrentIndex(index)


def test_ledger_wizard_column_mapping_is_editable(window, qtbot, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(ODD_CSV, encoding="utf-8")
    wizard = _ledger_wizard(window, path)
    wizard.next()
    check = wizard.check_page
    # Nothing detected for 经度/纬度: the page says so and offers the sheet's headers.
    qtbot.waitUntil(lambda: "表头" in check.summary.text(), timeout=10_000)
    assert not check.isComplete()
    box = check.column_boxes["lon"]
    assert [box.itemData(i) for i in range(1, box.count())] == ["编号", "X", "Y", "情况说明", "问题描述"]
    assert check.column_boxes["case_no"].currentData() == "编号"
    assert check.column_boxes["description"].currentData() == "问题描述"
    _choose(check, "lon", "X")
    _choose(check, "lat", "Y")
    qtbot.waitUntil(check.isComplete, timeout=10_000)
    assert "有效 2 行，拒绝 0 行" in check.summary.text() and "修改" in check.summary.text()
    # The edited description column is what the dry run reports ...
    _choose(check, "description", "情况说明")
    qtbot.waitUntil(lambda: check.isComplete() and any(
        check.mapping.item(r, 3).text() == "情况说明" for r in range(check.mapping.rowCount())), timeout=10_000)
    assert check.column_map() == {"lon": "X", "lat": "Y", "description": "情况说明"}
    # ... and a bad choice (the same column twice) is refused in the summary, then fixed.
    _choose(check, "lat", "X")
    qtbot.waitUntil(lambda: "同时指定" in check.summary.text(), timeout=10_000)
    assert not check.isComplete()
    _choose(check, "lat", "Y")
    qtbot.waitUntil(check.isComplete, timeout=10_000)
    wizard.next()
    run = wizard.run_page
    qtbot.waitUntil(run.isComplete, timeout=20_000)
    assert "新增 2" in run.label.text()
    row = window.session.ws.conn.execute("SELECT description, lon FROM cases WHERE case_no = 'ODD-002'").fetchone()
    assert tuple(row) == ("新建码头", 118.57)


def test_zone_wizard_detects_and_takes_an_edited_mapping(window, qtbot, tmp_path):
    from ui.importers.import_wizards import ZoneImportWizard

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


def test_ledger_wizard_survives_a_hostile_ledger(window, qtbot, tmp_path):
    """One cell at XFD1048576 used to make the parser allocate 512 GiB and abort the whole app; the parse now
    runs in a bounded child process and the wizard says why the file is refused."""
    from tests.test_hostile_ledgers import one_cell, sheet_of

    wizard = _ledger_wizard(window, sheet_of(tmp_path, one_cell("XFD1048576")))
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(lambda: "XFD1048576" in check.summary.text(), timeout=30_000)
    assert "256 列" in check.summary.text() and not check.isComplete()
