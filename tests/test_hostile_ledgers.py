"""Hostile ledger files: each is answered with exit 2 and a reason, or with per-row rejections, within
30 s and 1 GB, and a refused file leaves the workspace as it was.

The corpus is generated in ``tmp_path`` (tiny files made with openpyxl, zipfile and hand-written XML;
nothing large is checked in) and fed to ``inspector import-ledger`` in its own process
(:func:`tests.hostile.run_bounded`). The guard, the bounded child and the prolog check are also tested
directly.
"""
from __future__ import annotations

import json
import os
import random
import signal
import struct
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from inspector.errors import BadInput
from inspector.importers.bounded_parse import ParseBounds, run_parse
from inspector.importers.ledger_reader import read_sheets
from inspector.importers.sheet_grid import GridLimits
from inspector.importers.sheet_guard import check_prolog
from tests.case_fixtures import build_case_workspace
from tests.hostile import MEMORY_BOUND_BYTES, TIME_BOUND_S, assert_sound, fingerprint, run_bounded
from tests.test_ledger_import import HEADER, ledger_rows, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


# -- building the corpus -------------------------------------------------------------------------------
def rewrite(source: Path, target: Path, changes: dict[str, Callable[[bytes], bytes]],
            extra: Callable[[zipfile.ZipFile], None] | None = None) -> Path:
    """A copy of the xlsx ``source`` with some members' bytes changed (and more members written)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, changes[info.filename](data) if info.filename in changes else data)
        if extra is not None:
            extra(dst)
    return target


def ledger(tmp: Path, rows: list[list] | None = None) -> Path:
    return write_xlsx(tmp / "base.xlsx", ledger_rows() if rows is None else rows)


def sheet_of(tmp: Path, body: str, dimension: str | None = None) -> Path:
    """The ledger with its sheet replaced by ``body`` (rows of hand-written cells)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = f"{SHEET_START}{dim}<sheetData>{body}</sheetData></worksheet>".encode()
    return rewrite(ledger(tmp), tmp / "sheet.xlsx", {SHEET: lambda _: xml})


def one_cell(ref: str) -> str:
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'


def after_prolog(data: bytes, insert: bytes) -> bytes:
    """``insert`` placed right after the XML declaration of a part."""
    declaration, rest = data.split(b"?>", 1) if data.startswith(b"<?xml") else (b"", data)
    return (declaration + b"?>" if declaration else b"") + insert + rest


def with_long_comment(tmp: Path) -> Path:
    """A comment longer than the prolog window opens the metadata part (the prolog check looped forever)."""
    comment = b"<!--" + b"metadata " * 700 + b"-->"
    return rewrite(ledger(tmp), tmp / "comment.xlsx", {"docProps/core.xml": lambda d: after_prolog(d, comment)})


def dtd_after_long_comment(tmp: Path) -> Path:
    dtd = b'<!--' + b"x" * 6000 + b'--><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    return rewrite(ledger(tmp), tmp / "late-dtd.xlsx", {SHEET: lambda d: after_prolog(d, dtd)})


def billion_laughs(tmp: Path) -> Path:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    dtd = f'<!DOCTYPE worksheet [<!ENTITY l0 "lol">{entities}]>'.encode()
    return rewrite(ledger(tmp), tmp / "laughs.xlsx",
                   {SHEET: lambda d: after_prolog(d, dtd).replace(b"<t>LD-001</t>", b"<t>&l9;</t>")})


def zip_bomb(tmp: Path) -> Path:
    def bomb(archive: zipfile.ZipFile) -> None:
        with archive.open("xl/media/image1.bin", "w") as member:
            for _ in range(200):
                member.write(bytes(1 << 20))
    return rewrite(ledger(tmp), tmp / "bomb.xlsx", {}, bomb)


def million_rows(tmp: Path) -> Path:
    """10^6 rows of one cell each: inside the cell budget, so parsed (in bounds) and refused for its header."""
    def rows(archive: zipfile.ZipFile) -> None:
        with archive.open(SHEET, "w") as member:
            member.write(f"{SHEET_START}<sheetData>".encode())
            for start in range(1, 1_000_001, 10_000):
                member.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                     for r in range(start, start + 10_000)).encode())
            member.write(b"</sheetData></worksheet>")
    base = ledger(tmp)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(tmp / "million.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, src.read(info))
        rows(dst)
    return tmp / "million.xlsx"


def central_entry(data: bytes, member: str) -> int:
    """Offset of ``member``'s entry in the zip's central directory."""
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46: offset + 46 + name_length] == member.encode():
            return offset
        offset = data.find(b"PK\x01\x02", offset + 4)
    raise AssertionError(f"{member} not in the central directory")


def patched(tmp: Path, name: str, field_offset: int, value: Callable[[int], int]) -> Path:
    """The ledger with one 4-byte field of the sheet's central directory entry changed."""
    data = bytearray(ledger(tmp).read_bytes())
    entry = central_entry(bytes(data), SHEET)
    struct.pack_into("<I", data, entry + field_offset, value(struct.unpack_from("<I", data, entry + field_offset)[0]))
    (tmp / name).write_bytes(bytes(data))
    return tmp / name


def no_sheets(tmp: Path) -> Path:
    workbook = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheets/></workbook>')
    return rewrite(ledger(tmp), tmp / "nosheets.xlsx", {"xl/workbook.xml": lambda _: workbook})


def shared_strings(tmp: Path, strings: list[str], indexes: list[list[int]], name: str = "shared.xlsx") -> Path:
    """The ledger with a shared strings part and a sheet whose rows of cells refer to it by index."""
    from inspector.importers.sheet_grid import column_letters

    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           f'2006/main" count="{len(strings)}">' + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>")
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{column_letters(c)}{r}" t="s"><v>{index}</v></c>'
                                              for c, index in enumerate(row, 1)) + "</row>"
                   for r, row in enumerate(indexes, 1))
    relation = ('<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    return rewrite(ledger(tmp), tmp / name,
                   {SHEET: lambda _: f"{SHEET_START}<sheetData>{body}</sheetData></worksheet>".encode(),
                    "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"</Relationships>", relation.encode())},
                   lambda archive: archive.writestr("xl/sharedStrings.xml", sst))


def shared_text_bomb(tmp: Path) -> Path:
    """A 30,000-character shared string in every cell of 20 x 200: 120 million characters from a 10 KB file."""
    return shared_strings(tmp, ["长" * 30_000], [[0] * 200 for _ in range(20)], "amplified.xlsx")


LONG_TEXT = "长" * 40_000  # over Excel's 32,767 characters per cell
ODD_ROWS = [  # sheet rows 3..11 of an xlsx; openpyxl refuses control characters, so they are put in afterwards
    [1, "HX-001", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "LONG_PLACEHOLDER", 120.5, 33.5, None, None, None],
    [2, "NUL_PLACEHOLDER", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "编号含 NUL", 120.5, 33.5,
     None, None, None],
    [3, "HX-003", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "VT_PLACEHOLDER", 120.5, 33.5, None, None, None],
    [4, "HX-004", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "月份 13", 120.5, 33.5, None, "2026年13月", None],
    [5, "HX-005", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "2月30日", 120.5, 33.5, "2026-02-30", None, None],
    [6, "HX-006", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "32日", 120.5, 33.5, None, "2026-1-32", None],
    [7, "HX-007", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "月份 0", 120.5, 33.5, None, "2026年0月", None],
    [8, "HX-008", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "坐标很长", "1" + " " * 30_000 + "x", 33.5,
     None, None, None],
    [9, "HX-009", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "第一行\n第二行", 120.5, 33.5,
     None, "2026年6月底", None],
]
ODD_REJECTIONS = {3: "“问题描述”列的内容过长（40,000 个字符", 4: "“问题编号”列含有控制字符 U+0000",
                  5: "“问题描述”列含有控制字符 U+000B", 6: "无效的日期：2026年13月", 7: "无效的日期：2026-02-30",
                  8: "无效的日期：2026-1-32", 9: "无效的日期：2026年0月", 10: "坐标"}


def odd_cells_xlsx(tmp: Path) -> Path:
    def put(data: bytes) -> bytes:
        return (data.replace(b"LONG_PLACEHOLDER", LONG_TEXT.encode()).replace(b"NUL_PLACEHOLDER", b"HX-_x0000_002")
                .replace(b"VT_PLACEHOLDER", b"line_x000B_tab"))
    return rewrite(ledger(tmp, ODD_ROWS), tmp / "odd.xlsx", {SHEET: put})


def odd_cells_csv(tmp: Path) -> Path:
    rows = [",".join(HEADER[1:]),
            f"HC-001,盐城市,射阳县,射阳河口湿地,,养殖,{'巨' * 5_000_000},120.5,33.5,,,",  # far over the csv field limit
            "HC-\x00002,盐城市,射阳县,射阳河口湿地,,养殖,编号含 NUL,120.5,33.5,,,",
            "HC-003,盐城市,射阳县,射阳河口湿地,,养殖,正常,120.5,33.5,,2026年13月,",
            "HC-004,盐城市,射阳县,射阳河口湿地,,养殖,正常,120.5,33.5,,2026年12月,"]
    path = tmp / "odd.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    return path


def binary_junk(tmp: Path) -> Path:
    path = tmp / "junk.csv"
    path.write_bytes(random.Random(11).randbytes(200_000))
    return path


def empty(tmp: Path, suffix: str) -> Path:
    path = tmp / f"empty{suffix}"
    path.write_bytes(b"")
    return path


@dataclass
class Hostile:
    name: str
    make: Callable[[Path], Path]
    reason: str | None = None  # exit 2 with this on stderr; None: exit 0 with ``rejected``
    rejected: dict[int, str] = field(default_factory=dict)  # sheet row → part of its rejection reason
    env: dict[str, str] = field(default_factory=dict)


CORPUS = [
    Hostile("long-comment-prolog", with_long_comment,
            rejected={6: "问题编号", 7: "坐标", 8: "江苏", 9: "重复", 10: "填反"}),
    Hostile("cell-XFD1048576", lambda t: sheet_of(t, one_cell("XFD1048576")), "XFD1048576 超出 256 列的上限"),
    Hostile("cell-XFD1048576-en", lambda t: sheet_of(t, one_cell("XFD1048576")),
            'XFD1048576 of sheet "问题台账" reaches column XFD', env={"INSPECTOR_LANG": "en"}),
    Hostile("cell-ZZ200000", lambda t: sheet_of(t, one_cell("ZZ200000")), "ZZ200000 超出 256 列的上限"),
    Hostile("cell-IV100000", lambda t: sheet_of(t, one_cell("IV100000")), "A1:IV100000（25,600,000 个单元格）"),
    Hostile("lying-dimension", lambda t: sheet_of(t, one_cell("A1"), "A1:XFD1048576"), "A1:XFD1048576 超出"),
    Hostile("bad-reference", lambda t: sheet_of(t, one_cell("A1").replace('r="A1"', 'r="1A"')), "无效的单元格引用“1A”"),
    Hostile("million-rows", million_rows, "未找到表头行"),
    Hostile("long-cell-nul-vt-dates-xlsx", odd_cells_xlsx, rejected=ODD_REJECTIONS),
    Hostile("long-field-nul-dates-csv", odd_cells_csv,
            rejected={2: "“问题描述”列的内容过长（5,000,000 个字符", 3: "U+0000", 4: "无效的日期"}),
    Hostile("billion-laughs", billion_laughs, "实体/DTD"),
    Hostile("dtd-after-long-comment", dtd_after_long_comment, "实体/DTD"),
    Hostile("zip-bomb", zip_bomb, "压缩炸弹"),
    Hostile("shared-text-bomb", shared_text_bomb, "引用的共享文本累计超过 100,000,000 个字符"),
    Hostile("truncated-zip", lambda t: _truncated(ledger(t), t), "不是有效的 .xlsx"),
    Hostile("crc-corrupted", lambda t: patched(t, "crc.xlsx", 16, lambda crc: crc ^ 0xFFFF), "已损坏"),
    Hostile("size-header-smaller", lambda t: patched(t, "small.xlsx", 24, lambda size: size // 2), "已损坏"),
    Hostile("size-header-larger", lambda t: patched(t, "large.xlsx", 24, lambda size: size * 3), "已损坏"),
    Hostile("size-header-huge", lambda t: patched(t, "huge.xlsx", 24, lambda size: 0xFFFFFFF0), "压缩炸弹"),
    Hostile("csv-binary-junk", binary_junk, "无法识别文件编码"),
    Hostile("empty-csv", lambda t: empty(t, ".csv"), "未找到表头行"),
    Hostile("empty-xlsx", lambda t: empty(t, ".xlsx"), "不是有效的 .xlsx"),
    Hostile("xlsx-without-sheets", no_sheets, "没有工作表"),
]


def _truncated(source: Path, tmp: Path) -> Path:
    data = source.read_bytes()
    (tmp / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    return tmp / "truncated.xlsx"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    ws = build_case_workspace(tmp_path_factory.mktemp("hostile-ledgers"))
    root = ws.root
    ws.close()
    return root


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_hostile_ledger_is_answered_in_bounds(case: Hostile, workspace: Path, tmp_path: Path):
    path = case.make(tmp_path)
    before = fingerprint(workspace)
    run = run_bounded("--workspace", str(workspace), "import-ledger", str(path), "--json", env=case.env)
    assert not run.timed_out and run.seconds < TIME_BOUND_S, (run.seconds, run.stderr[-2000:])
    assert run.peak_rss_bytes < MEMORY_BOUND_BYTES, run.peak_rss_bytes
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    if case.reason is not None:
        assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
        assert case.reason in run.stderr, run.stderr[-2000:]
        assert fingerprint(workspace) == before
    else:
        assert run.returncode == 0, run.stderr[-2000:]
        rejected = {r["row"]: r["reason"] for r in json.loads(run.stdout)["rejected"]}
        assert set(rejected) == set(case.rejected), rejected
        for row, reason in case.rejected.items():
            assert reason in rejected[row], (row, rejected[row][:300])
    assert_sound(workspace)


# -- the pieces, directly --------------------------------------------------------------------------------
@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread if the block runs longer than ``seconds``."""
    def expire(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


PROLOG_PIECES = [b"<?xml version='1.0'?>", b"<?", b"?>", b"<!--", b"-->", b"<!", b"<!DOCTYPE x>", b"<", b">",
                 b" ", b"\n", b"\xef\xbb\xbf", b"x" * 700, b"-", b"<root/>"]


def test_prolog_check_ends_for_any_bytes():
    """Seeded random byte strings and random mixes of prolog pieces, up to twice the prolog window: the check
    returns or refuses, and all of them together take well under the bound."""
    rng = random.Random(20261130)
    refused = 0
    with time_limit(20):
        started = time.monotonic()
        for attempt in range(3000):
            if attempt % 2:
                head = rng.randbytes(rng.randrange(0, 8192))
            else:
                head = b"".join(rng.choice(PROLOG_PIECES) for _ in range(rng.randrange(0, 60)))
            try:
                check_prolog(head[:8192], Path("x.xlsx"), "docProps/core.xml")
            except BadInput:
                refused += 1
        assert time.monotonic() - started < 10
    assert refused > 100  # the random mixes do reach the DTD refusal
    with pytest.raises(BadInput, match="实体/DTD"):
        check_prolog(b"<?xml version='1.0'?>\n<!-- a -->\n<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", Path("x.xlsx"), "p")
    check_prolog(b"<?xml version='1.0'?><!--" + b"x" * 5000, Path("x.xlsx"), "p")  # open at the end: parser decides


def test_bounded_parse_returns_the_result_or_says_which_bound_was_hit():
    assert run_parse(sorted, [3, 1, 2], name="list") == [1, 2, 3]
    with pytest.raises(BadInput, match="异常终止（信号 6）"):
        run_parse(os.abort, name="abort.xlsx")  # what a native parser does when an allocation fails
    with pytest.raises(BadInput, match="无法在 256 MB 内存内解析"):
        run_parse(bytearray, 2 * 1024 ** 3, name="big.xlsx", bounds=ParseBounds(memory_bytes=256 * 1024 ** 2))
    started = time.monotonic()
    with pytest.raises(BadInput, match="未能在 1 秒内解析完毕"):
        run_parse(time.sleep, 600, name="slow.xlsx", bounds=ParseBounds(seconds=1))
    assert time.monotonic() - started < 10
    with pytest.raises(BadInput, match="内容超过 1 MB"):
        run_parse(bytes, 2 * 1024 ** 2, name="many.xlsx", bounds=ParseBounds(result_bytes=1024 ** 2))
    with pytest.raises(BadInput, match="无法读取 odd.xlsx：ValueError"):
        run_parse(int, "not a number", name="odd.xlsx")


def test_a_parser_crash_stays_in_the_child(tmp_path):
    """With the guard's limits opened wide, calamine meets XFD1048576 and dies in the child; the caller lives."""
    path = sheet_of(tmp_path, one_cell("XFD1048576"))
    wide = GridLimits(cells=10 ** 12, columns=16_384, rows=1_048_576)
    with pytest.raises(BadInput, match="无法读取 sheet.xlsx：PanicException|解析 sheet.xlsx 时解析程序异常终止"):
        read_sheets(path, limits=wide)


def test_limits_name_the_sheet_and_the_cell(tmp_path):
    second = ('<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
              'name="附表" sheetId="2" r:id="rId9"/></sheets>')
    relation = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/worksheet" Target="/xl/worksheets/extra.xml"/></Relationships>')
    xml = f"{SHEET_START}<sheetData>{one_cell('C40')}</sheetData></worksheet>"
    path = rewrite(ledger(tmp_path), tmp_path / "two.xlsx",
                   {"xl/workbook.xml": lambda d: d.replace(b"</sheets>", second.encode()),
                    "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"</Relationships>", relation.encode())},
                   lambda archive: archive.writestr("xl/worksheets/extra.xml", xml))
    assert [s.name for s in read_sheets(path)] == ["问题台账", "附表"]
    with pytest.raises(BadInput, match="工作表“附表”的 C40 超出 20 行的上限"):
        read_sheets(path, limits=GridLimits(rows=20))
    with pytest.raises(BadInput,
                       match="工作表“附表”的 C40 使表格范围达到 A1:C40（120 个单元格，连同前面的工作表共 250 个）"):
        read_sheets(path, limits=GridLimits(cells=200))
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text("a,b,c\n1,2,3,4,5\n", encoding="utf-8")
    with pytest.raises(BadInput, match="工作表“wide”的 E2 超出 4 列的上限"):
        read_sheets(csv_path, limits=GridLimits(columns=4))


def test_publish_ledger_refuses_a_hostile_file(tmp_path, capsys):
    """The server's publish-ledger reads through the same bounded reader: exit 2, nothing published."""
    from sync.server.cli import main as server_main
    from sync.server.storage import Storage, records

    data = tmp_path / "server"
    assert server_main(["--data", str(data), "publish-ledger", str(sheet_of(tmp_path, one_cell("XFD1048576")))]) == 2
    assert "XFD1048576" in capsys.readouterr().err
    storage = Storage.for_data_dir(data, None)
    try:
        with storage.engine.connect() as conn:
            assert conn.execute(records.select()).first() is None
    finally:
        storage.dispose()


def test_shared_text_is_counted_per_reference(tmp_path):
    """4 + 3 + 3 + 2 characters copied out of the shared strings: within a limit of 12, refused at 11."""
    path = shared_strings(tmp_path, ["问题编号", "abc", "de"], [[0], [1, 1, 2]])
    assert read_sheets(path, limits=GridLimits(shared_text=12))[0].rows == [["问题编号", None, None],
                                                                           ["abc", "abc", "de"]]
    with pytest.raises(BadInput, match="共享文本累计超过 11 个字符"):
        read_sheets(path, limits=GridLimits(shared_text=11))
