"""Ledger import: title rows, DMS coordinates, dates, per-row rejections, re-import, hostile files."""
from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from inspector.errors import BadInput
from inspector.forms.coordinates import format_dms
from inspector.importers import ledger_reader
from inspector.importers.ledger_import import import_ledger, parse_column_map, read_ledger
from inspector.importers.ledger_values import parse_coordinate, parse_date

HEADER = ["序号", "问题编号", "所在市", "所在县", "保护地名称", "所在功能区", "问题类型", "问题描述",
          "经度", "纬度", "发现时间", "整改时限", "责任单位"]


def ledger_rows() -> list[list]:
    return [
        [1, "LD-001", "盐城市", "射阳县", "射阳河口湿地", "核心保护区", "养殖", "核心区内新建养殖塘约3亩",
         "120°30′0.0″E", "33°30′0.0″N", dt.datetime(2026, 3, 2), dt.datetime(2026, 6, 30), "射阳县人民政府"],
        [2, "LD-002", "南京市", "玄武区", "紫金山", None, "旅游设施", "<b>粗体</b> & <img src=x onerror=alert(1)> ${x}",
         118.85, 32.06, "2026/4/1", "2026年12月31日", "玄武区人民政府"],
        [3, "LD-003", "苏州市", "吴中区", "太湖", "一般控制区", "码头", "违规码头",
         "120度21分3.5秒", "31度12分5.1秒", 46100, "2027-01-15", "吴中区人民政府"],
        [4, None, "盐城市", "大丰区", "麋鹿", None, "违法建筑", "缺编号", 120.8, 33.0, None, None, None],
        [5, "LD-005", "盐城市", "大丰区", "麋鹿", None, "违法建筑", "坐标写错", "东经一百二十度", 33.0,
         None, None, None],
        [6, "LD-006", "北京市", "东城区", "故宫", None, "违法建筑", "不在江苏", 116.40, 39.91, None, None, None],
        [7, "LD-001", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "重复编号", 120.5, 33.5, None, None, None],
        [8, "LD-008", "连云港市", "连云区", "云台山", None, "采矿采砂", "经纬度填反", 34.7, 119.4, None, None, None],
    ]


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "问题台账"
    sheet.append(["2026年江苏省“绿盾”自然保护地强化监督问题台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def test_xlsx_with_title_row_dms_and_rejections(ws, tmp_path):
    result = import_ledger(ws, write_xlsx(tmp_path / "台账.xlsx", ledger_rows()))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    rejected = {r["row"]: r["reason"] for r in result.rejected}
    assert set(rejected) == {6, 7, 8, 9, 10}
    assert "问题编号" in rejected[6]
    assert "坐标" in rejected[7]
    assert "江苏" in rejected[8]
    assert "重复" in rejected[9] and "第 3 行" in rejected[9]
    assert "填反" in rejected[10]
    assert result.sheets[0]["header_row"] == 2
    case = ws.conn.execute("SELECT * FROM cases WHERE case_no = 'LD-001'").fetchone()
    assert case["lon"] == pytest.approx(120.5) and case["lat"] == pytest.approx(33.5)
    assert (case["discovered_on"], case["deadline"]) == ("2026-03-02", "2026-06-30")
    assert case["source_row"] == 3 and case["status"] == "待核查"
    assert json.loads(case["source_record"])["问题描述"] == "核心区内新建养殖塘约3亩"
    taihu = ws.conn.execute("SELECT lon, lat, discovered_on, deadline FROM cases WHERE case_no = 'LD-003'").fetchone()
    assert taihu["lon"] == pytest.approx(120 + 21 / 60 + 3.5 / 3600)
    assert taihu["discovered_on"] == "2026-03-19"  # Excel serial day 46100
    markup = ws.conn.execute("SELECT description FROM cases WHERE case_no = 'LD-002'").fetchone()[0]
    assert markup == "<b>粗体</b> & <img src=x onerror=alert(1)> ${x}"
    city = ws.conn.execute(
        "SELECT a.name FROM cases c JOIN admin_areas a ON a.adcode = c.city_adcode WHERE case_no = 'LD-002'"
    ).fetchone()[0]
    assert city == "南京市"


def test_reimport_updates_by_case_number(ws, tmp_path):
    rows = ledger_rows()
    import_ledger(ws, write_xlsx(tmp_path / "a.xlsx", rows))
    ws.conn.execute("UPDATE cases SET status = '整改中' WHERE case_no = 'LD-001'")
    again = import_ledger(ws, write_xlsx(tmp_path / "b.xlsx", rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    rows[0][7] = "核心区内新建养殖塘约3.5亩（复核）"
    rows.append([9, "LD-009", "镇江市", "丹徒区", "长江", None, "码头", "新增", 119.45, 32.2, None, None, None])
    third = import_ledger(ws, write_xlsx(tmp_path / "c.xlsx", rows))
    assert (third.created, third.updated, third.unchanged) == (1, 1, 2)
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 4
    case = ws.conn.execute("SELECT description, status, revision FROM cases WHERE case_no = 'LD-001'").fetchone()
    assert tuple(case) == ("核心区内新建养殖塘约3.5亩（复核）", "整改中", 2)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_encodings(ws, tmp_path, encoding):
    path = tmp_path / "ledger.csv"
    lines = [",".join(HEADER[1:]),
             "CSV-1,盐城市,射阳县,射阳河口湿地,核心保护区,养殖,新建养殖塘,120.5,33.5,2026-03-02,2026-06-30,射阳县人民政府",
             "CSV-2,盐城市,射阳县,射阳河口湿地,,养殖,坐标缺失,,33.5,,,"]
    path.write_bytes("\n".join(lines).encode(encoding))
    result = import_ledger(ws, path)
    assert result.created == 1 and [r["row"] for r in result.rejected] == [3]
    assert ws.conn.execute("SELECT ledger_zone_name FROM cases").fetchone()[0] == "射阳河口湿地"


def test_dry_run_writes_nothing(ws, tmp_path):
    records, result = read_ledger(write_xlsx(tmp_path / "a.xlsx", ledger_rows()), ws)
    assert len(records) == 3 and len(result.rejected) == 5
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


ODD_HEADER = ["编号", "X", "Y", "情况说明", "描述", "问题描述"]


def write_odd_csv(path: Path) -> Path:
    """A ledger whose columns the synonyms cannot (or wrongly) detect: no 经度/纬度 headers,
    and the text we want as the description sits under 情况说明."""
    lines = [",".join(ODD_HEADER),
             "ODD-1,120.5,33.5,新建养殖塘,旧描述一,问题一",
             "ODD-2,118.85,32.06,违规码头,旧描述二,问题二",
             "ODD-3,东经,32.0,坐标错,,"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_column_map_overrides_detection(ws, tmp_path):
    path = write_odd_csv(tmp_path / "odd.csv")
    with pytest.raises(BadInput, match="表头"):
        read_ledger(path, ws)
    column_map = {"lon": "X", "lat": "y", "description": "情况说明"}
    records, result = read_ledger(path, ws, column_map=column_map)
    assert [r["case_no"] for r in records] == ["ODD-1", "ODD-2"] and [r["row"] for r in result.rejected] == [4]
    assert records[0]["description"] == "新建养殖塘"
    assert result.sheets[0]["columns"]["lon"] == "X" and result.sheets[0]["columns"]["description"] == "情况说明"
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    imported = import_ledger(ws, path, column_map=column_map)
    assert imported.created == 2
    assert ws.conn.execute("SELECT description FROM cases WHERE case_no = 'ODD-2'").fetchone()[0] == "违规码头"
    # Leaving a field out (empty header): the description column is not read at all.
    records, _ = read_ledger(path, ws, column_map={**column_map, "description": ""})
    assert records[0]["description"] is None


def test_column_map_errors_are_bad_input(ws, tmp_path):
    path = write_odd_csv(tmp_path / "odd.csv")
    with pytest.raises(BadInput, match="未知的台账字段：colour"):
        read_ledger(path, ws, column_map={"colour": "X"})
    with pytest.raises(BadInput, match="找不到指定的列：经度X"):
        read_ledger(path, ws, column_map={"lon": "经度X", "lat": "Y"})
    with pytest.raises(BadInput, match="同时指定"):
        read_ledger(path, ws, column_map={"lon": "X", "lat": "X"})
    with pytest.raises(BadInput, match="case_no"):
        read_ledger(path, ws, column_map={"case_no": ""})
    with pytest.raises(BadInput, match="--map"):
        parse_column_map("lon")
    assert parse_column_map(" case_no=编号, lon = X ,lat=Y") == {"case_no": "编号", "lon": "X", "lat": "Y"}


def test_no_header_is_bad_input(ws, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(BadInput, match="表头"):
        import_ledger(ws, path)


def test_entity_expansion_xlsx_is_refused(ws, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", ledger_rows()[:1])
    bomb = tmp_path / "bomb.xlsx"
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/sharedStrings.xml" or item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = laughs + body
            dst.writestr(item, data)
    with pytest.raises(BadInput, match="实体"):
        import_ledger(ws, bomb)
    assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_huge_file_is_refused(ws, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "big.xlsx", ledger_rows())
    monkeypatch.setattr(ledger_reader, "MAX_FILE_BYTES", 1000)
    with pytest.raises(BadInput, match="过大"):
        import_ledger(ws, path)


def test_not_a_zip_is_bad_input(ws, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(BadInput):
        import_ledger(ws, path)


@pytest.mark.parametrize("text,axis,expected", [
    ("120°21′3.5″E", "lon", 120.350972), ("120度21分3.5秒", "lon", 120.350972),
    ("E120°21'3.5\"", "lon", 120.350972), ("东经120°21′", "lon", 120.35), ("33°12′5.1″N", "lat", 33.201417),
    ("  32.0625 ", "lat", 32.0625), (118.5, "lon", 118.5), ("33 12 5.1", "lat", 33.201417),
])
def test_coordinates(text, axis, expected):
    assert parse_coordinate(text, axis) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("bad", ["", None, "abc", "120°75′0″E", "33°12′5.1″E", "999"])
def test_bad_coordinates(bad):
    with pytest.raises(ValueError):
        parse_coordinate(bad, "lat")


def test_dms_round_trip():
    assert parse_coordinate(format_dms(120.350972, is_longitude=True), "lon") == pytest.approx(120.350972, abs=1e-6)
    assert parse_coordinate(format_dms(33.201417, is_longitude=False), "lat") == pytest.approx(33.201417, abs=1e-6)


@pytest.mark.parametrize("value,expected", [
    (dt.date(2026, 5, 1), "2026-05-01"), ("2026.5.1", "2026-05-01"), ("2026年6月底", "2026-06-30"),
    ("20260501", "2026-05-01"), (46100, "2026-03-19"), (None, None),
])
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("text", ["2026年13月", "2026年0月", "2026-02-30", "2026-1-32", "2026年2月30日", "20261301",
                                  "2026-03-015"])
def test_impossible_dates_are_refused_not_rolled_over(text):
    with pytest.raises(ValueError, match="日期"):
        parse_date(text)


def test_month_ends():
    assert [parse_date(t) for t in ("2024年2月", "2026年2月底", "2026年12月末")] == ["2024-02-29", "2026-02-28",
                                                                                    "2026-12-31"]


@pytest.mark.parametrize("value", ["1" + " " * 30_000 + "x", "2026-1" + " " * 30_000 + "x", "1 " + "1" * 60 + "x"])
def test_a_long_cell_is_refused_at_once_not_backtracked(value):
    """Runs of spaces used to make the coordinate and date patterns backtrack for minutes (hours at 30,000)."""
    import signal

    def expire(*_):
        raise TimeoutError("pattern still running")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 2)
    try:
        for parse in (lambda: parse_coordinate(value, "lon"), lambda: parse_date(value)):
            with pytest.raises(ValueError):
                parse()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_rows_with_control_characters_or_overlong_cells_are_rejected(ws, tmp_path):
    path = tmp_path / "control.csv"
    lines = [",".join(HEADER[1:]),
             "CC-\x00001,盐城市,射阳县,射阳河口湿地,,养殖,编号含 NUL,120.5,33.5,,,",
             "CC-002,盐城市,射阳县,射阳河口湿地,,养殖,描述含\x0b竖向制表符,120.5,33.5,,,",
             "CC-003,盐城市,射阳县,射阳河口湿地,,养殖,\"两行\n描述\tTab\",120.5,33.5,,,",
             f"CC-004,盐城市,射阳县,射阳河口湿地,,养殖,{'长' * 32_768},120.5,33.5,,,",
             f"CC-005,盐城市,射阳县,射阳河口湿地,,养殖,{'长' * 32_767},120.5,33.5,,,"]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_ledger(ws, path)
    rejected = {r["row"]: r["reason"] for r in result.rejected}
    assert rejected == {2: "“问题编号”列含有控制字符 U+0000，请在表格中删除后重新导入",
                        3: "“问题描述”列含有控制字符 U+000B，请在表格中删除后重新导入",
                        5: "“问题描述”列的内容过长（32,768 个字符，单元格上限 32,767），未导入"}
    stored = dict(ws.conn.execute("SELECT case_no, description FROM cases").fetchall())
    assert stored == {"CC-003": "两行\n描述\tTab", "CC-005": "长" * 32_767}
