"""Reading ledger spreadsheets safely: ``.xlsx`` (python-calamine) and ``.csv``.

Before any parser sees an ``.xlsx``, the archive is checked: its size, the
total uncompressed size and compression ratio (zip bombs), and every XML
part's prolog for DTDs and entity declarations (billion-laughs), refused
through defusedxml. CSV files are decoded as UTF-8 (with or without BOM) or,
failing that, GB18030 (a superset of GBK).
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from inspector.errors import BadInput

MAX_FILE_BYTES = 100 * 1024 * 1024  # a 100 MB ledger is far beyond any real one
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # 1 GiB of XML inside an xlsx
MAX_COMPRESSION_RATIO = 200  # per member; real sheets compress ~10-30x
_PROLOG_BYTES = 4096


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[i] is spreadsheet row i + 1


def read_sheets(path: str | Path) -> Iterator[Sheet]:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"文件不存在：{path}", f"file not found: {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(
            f"文件过大（{size / 1e6:.0f} MB，上限 {MAX_FILE_BYTES // 2**20} MB），请拆分台账后导入",
            f"file too large ({size / 1e6:.0f} MB, limit {MAX_FILE_BYTES // 2**20} MB); split the ledger",
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        yield Sheet(path.stem, _read_csv(path))
    elif suffix == ".xls":
        raise BadInput("不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx",
                       "legacy .xls is not supported; save the ledger as .xlsx")
    else:
        raise BadInput(f"不支持的台账格式：{suffix}（支持 .xlsx、.csv）",
                       f"unsupported ledger format {suffix} (use .xlsx or .csv)")


def check_xlsx_archive(path: Path) -> None:
    """Refuse zip bombs and XML parts that declare a DTD or entities."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise BadInput(f"{path.name} 不是有效的 .xlsx 文件（{exc}）",
                       f"{path.name} is not a valid .xlsx file ({exc})") from exc
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 10_000_000 and ratio > MAX_COMPRESSION_RATIO):
                raise BadInput(f"{path.name} 解压后过大（疑似压缩炸弹），拒绝导入",
                               f"{path.name} expands to an excessive size (zip bomb?); refused")
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(info) as member:
                head = member.read(_PROLOG_BYTES)
            _check_prolog(path, info.filename, head)


def _check_prolog(path: Path, member: str, head: bytes) -> None:
    """Parse the part's prolog with DTDs forbidden; the root element is stubbed out."""
    start = head.find(b"<", head.find(b"?>") + 2 if head.startswith(b"<?xml") else 0)
    while start != -1 and head[start : start + 2] in (b"<!", b"<?"):
        start = head.find(b"<", head.find(b">", start) + 1)
    prolog = head if start == -1 else head[:start]
    try:
        safe_xml.fromstring(prolog + b"<root/>", forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as exc:
        raise BadInput(
            f"{path.name} 含有 XML 实体/DTD 声明（{member}），可能是恶意文件，拒绝导入",
            f"{path.name} declares XML entities/DTD in {member}; refused as potentially hostile",
        ) from exc
    except safe_xml.ParseError:
        pass  # an unusual but harmless prolog; the real parser reports real damage


def _read_xlsx(path: Path) -> Iterator[Sheet]:
    check_xlsx_archive(path)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise BadInput(f"无法读取 {path.name}：{exc}", f"cannot read {path.name}: {exc}") from exc
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise BadInput(f"无法读取工作表 {name}：{exc}", f"cannot read sheet {name}: {exc}") from exc
        yield Sheet(name, [list(r) for r in rows])


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) or GB18030 text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadInput("无法识别文件编码（不是 UTF-8 或 GBK）",
                       "cannot decode the file (neither UTF-8 nor GBK)") from exc


def _read_csv(path: Path) -> list[list[Any]]:
    text = decode_text(path.read_bytes())
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell if cell != "" else None for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
