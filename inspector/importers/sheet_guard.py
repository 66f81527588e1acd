"""Checks of an untrusted ledger spreadsheet before a parser allocates anything for it.

python-calamine sizes a sheet from the cell references it finds: one cell at
``XFD1048576`` makes it allocate 17 billion cells and abort the process. So
before calamine opens an ``.xlsx``, :func:`check_xlsx_archive` reads every
member of the archive once, in bounded memory:

- declared sizes and compression ratios are checked before anything is
  decompressed (zip bombs); then every member is decompressed in chunks and
  must come out exactly as long as its header says, with a matching CRC (a
  lying header, a truncated or corrupted archive is refused);
- every XML part streams through expat: a DTD or entity declaration is
  refused (billion laughs), and in sheet data each cell reference is tallied
  — the highest column and row, the number of cells and the dense grid
  A1..(column, row) the parser will build — against :class:`GridLimits`, as
  is each sheet's declared ``<dimension>``; and the text the cells copy out
  of the shared strings is summed (a 30,000-character string referenced
  from every cell of a tiny file would otherwise fill gigabytes). A
  malformed sheet is refused;
  other parts (Excel's VML drawings are not well-formed XML) are left to the
  parser.

Refusals are :class:`BadInput` naming the sheet and the offending cell or
range; the limits and the tally are :mod:`inspector.importers.sheet_grid`'s.
"""
from __future__ import annotations

import lzma
import posixpath
import re
import zipfile
import zlib
from array import array
from pathlib import Path
from typing import Any, Callable
from xml.parsers import expat

from inspector.errors import BadInput
from inspector.importers.sheet_grid import GridLimits, GridTally, column_number

MAX_UNCOMPRESSED_BYTES = 1024 ** 3  # all members of an xlsx together, as declared and as really read
MAX_COMPRESSION_RATIO = 200  # per member over 10 MB; real sheets compress ~10-30x
RATIO_CHECKED_BYTES = 10_000_000  # members smaller than this may compress better (empty styles, themes)
PROLOG_BYTES = 4096  # the start of a part searched for a DTD before the streaming parser sees it
CHUNK_BYTES = 1 << 16  # decompressed bytes handed to expat at a time
MAX_MEMBERS = 10_000  # members of an xlsx (a workbook of 1,000 sheets has about 2,000)
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")
_ROW_NUMBER = re.compile(r"[1-9][0-9]{0,6}")
_COLUMN_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_COLUMNS: dict[str, int] = {}  # column letters seen → column number
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, RuntimeError,
                   NotImplementedError, ValueError)


def check_xlsx_archive(path: Path, limits: GridLimits = GridLimits()) -> None:
    """Refuse an .xlsx that is damaged, a zip bomb, declares a DTD or entities, or whose sheets pass ``limits``."""
    try:
        archive = zipfile.ZipFile(path)
    except _ARCHIVE_ERRORS as exc:
        raise BadInput(f"{path.name} 不是有效的 .xlsx 文件（{exc}）",
                       f"{path.name} is not a valid .xlsx file ({exc})") from exc
    with archive:
        _check_declared_sizes(path, archive.infolist())
        workbook = _Workbook(limits)
        # The workbook and its relationships first: they name the sheets' and shared strings' parts; then the
        # shared strings, whose lengths the sheets' cells are counted with.
        core = [info for info in archive.infolist() if info.filename in (_WORKBOOK, _WORKBOOK_RELS)]
        for info in core:
            _read_part(archive, info, path, info.filename, True, workbook)
        sheet_names, shared = workbook.sheet_names, workbook.shared_string_parts
        rest = sorted((info for info in archive.infolist() if info not in core and not info.is_dir()),
                      key=lambda info: info.filename.lower() not in shared)
        for info in rest:
            sheet = sheet_names.get(info.filename.lower())
            strict = sheet is not None or info.filename.lower().startswith("xl/worksheets/")
            _read_part(archive, info, path, sheet or info.filename, strict, workbook)


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, sheet: str, strict: bool,
               workbook: _Workbook) -> None:
    part = _Part(path, info.filename, sheet, strict, workbook)
    _read_member(archive, info, path, part.feed)
    part.close()


class _Workbook:
    """What the parts read so far hold together: the sheets' grids and cells, and the sheet names."""

    def __init__(self, limits: GridLimits) -> None:
        self.limits = limits
        self.grid = self.cells = 0
        self.sheet_ids: dict[str, str] = {}  # relationship id → sheet name (xl/workbook.xml)
        self.targets: dict[str, str] = {}  # relationship id → target part (xl/_rels/workbook.xml.rels)
        self.shared_targets: set[str] = set()  # the shared strings parts named by the relationships
        self.shared_lengths = array("q")  # characters of each shared string
        self.shared_text = 0  # characters the sheets' cells copy out of the shared strings

    @property
    def shared_string_parts(self) -> set[str]:
        """Lower-case names of the parts the parser may take the shared strings from."""
        return {_part_name(target) for target in self.shared_targets} | {"xl/sharedstrings.xml"}

    def add_shared_strings(self, lengths: array) -> None:
        """The lengths of one shared strings part (the longest per index, should there be several)."""
        for index in range(min(len(lengths), len(self.shared_lengths))):
            lengths[index] = max(lengths[index], self.shared_lengths[index])
        if len(lengths) < len(self.shared_lengths):
            lengths.extend(self.shared_lengths[len(lengths):])
        self.shared_lengths = lengths

    @property
    def sheet_names(self) -> dict[str, str]:
        """Lower-case part name → sheet name."""
        return {_part_name(self.targets[rel]): name for rel, name in self.sheet_ids.items() if rel in self.targets}

    def collect(self, name: str, attributes: dict[str, str]) -> None:
        """Sheet names and relationship targets, from the workbook part and its relationships."""
        if name == "sheet" and "name" in attributes:
            rel = next((v for k, v in attributes.items() if k.endswith(":id")), None)
            if rel is not None:
                self.sheet_ids[rel] = attributes["name"]
        elif name == "Relationship" and "Id" in attributes and "Target" in attributes:
            self.targets[attributes["Id"]] = attributes["Target"]
            if attributes.get("Type", "").endswith("/sharedStrings"):
                self.shared_targets.add(attributes["Target"])


def _part_name(target: str) -> str:
    """A relationship target of the workbook as a lower-case member name."""
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/")).lower()
    return posixpath.normpath(posixpath.join("xl", target)).lower()


def _check_declared_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise BadInput(f"{path.name} 含有 {len(members):,} 个成员文件，超出 {MAX_MEMBERS:,} 的上限，拒绝导入",
                       f"{path.name} holds {len(members):,} members, beyond the limit of {MAX_MEMBERS:,}; refused")
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > RATIO_CHECKED_BYTES and ratio > MAX_COMPRESSION_RATIO):
            raise BadInput(f"{path.name} 解压后过大（疑似压缩炸弹），拒绝导入",
                           f"{path.name} expands to an excessive size (zip bomb?); refused")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, feed: Callable[[bytes], None]) -> None:
    """Decompress one member in chunks into ``feed``, trusting none of its header's sizes."""
    seen = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_BYTES):
                seen += len(chunk)
                if seen > info.file_size:
                    break
                feed(chunk)
    except _ARCHIVE_ERRORS as exc:
        raise BadInput(f"{path.name} 已损坏：成员 {info.filename} 无法解压（{exc}）",
                       f"{path.name} is damaged: member {info.filename} cannot be decompressed ({exc})") from exc
    if seen != info.file_size:
        raise BadInput(f"{path.name} 已损坏：成员 {info.filename} 的实际大小与文件头记录的 {info.file_size} 字节不符",
                       f"{path.name} is damaged: member {info.filename} does not have the {info.file_size} bytes "
                       f"its header declares")


def check_prolog(head: bytes, path: Path, member: str) -> None:
    """Refuse a part whose prolog, within ``head``, declares a DTD (or holds anything but comments and
    processing instructions). Every step moves forward, so this ends for any bytes; a construct still open
    at the end of ``head``, or a prolog that is not ASCII-compatible, is left to the streaming parser,
    which refuses DTDs too."""
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while position < len(head) and head[position] in b" \t\r\n":
            position += 1
        if head.startswith(b"<?", position):
            end, closing = head.find(b"?>", position + 2), 2
        elif head.startswith(b"<!--", position):
            end, closing = head.find(b"-->", position + 4), 3
        elif head.startswith(b"<!", position):
            raise _dtd_refusal(path, member)
        else:
            return  # the root element, or bytes the streaming parser will judge
        if end == -1:
            return  # still open at the end of the window: the streaming parser decides
        position = end + closing


def _dtd_refusal(path: Path, member: str) -> BadInput:
    return BadInput(f"{path.name} 含有 XML 实体/DTD 声明（{member}），可能是恶意文件，拒绝导入",
                    f"{path.name} declares XML entities/DTD in {member}; refused as potentially hostile")


class _Part:
    """One member, streamed through expat when it is XML: DTDs refused, sheet cells tallied with the shared
    text they copy, shared strings measured, the workbook's sheet names collected."""

    def __init__(self, path: Path, member: str, sheet: str, strict: bool, workbook: _Workbook) -> None:
        self.path, self.member, self.sheet, self.strict, self.workbook = path, member, sheet, strict, workbook
        self.parser: expat.XMLParserType | None = None
        self.started = False
        self.tally: GridTally | None = None
        self.row = self.column = 0
        self.shared_cell = False  # the current cell's value is an index into the shared strings
        self.index_text: list[str] | None = None  # the text of such a value, while it is read
        self.shared_lengths: array | None = None  # in a shared strings part: the length of each string

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.started = True
            if not (self.strict or chunk.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith((b"<", b"\x00<"))):
                return  # not XML (an image, a binary part): only its size and CRC are checked
            check_prolog(chunk[:PROLOG_BYTES], self.path, self.member)
            parser = self.parser = expat.ParserCreate()
            parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
            parser.buffer_text = True
            parser.StartDoctypeDeclHandler = self.refuse_dtd
            parser.EntityDeclHandler = self.refuse_dtd
            parser.StartElementHandler = self.start
        if self.parser is not None:
            self._parse(self.parser, chunk, False)

    def close(self) -> None:
        if self.parser is not None:
            self._parse(self.parser, b"", True)
        if self.tally is not None:
            self._count_shared_text(self.tally)
            self.workbook.grid += self.tally.grid
            self.workbook.cells += self.tally.cells
        if self.shared_lengths is not None:
            self.workbook.add_shared_strings(self.shared_lengths)

    def refuse_dtd(self, *_: Any) -> None:
        raise _dtd_refusal(self.path, self.member)

    def _parse(self, parser: expat.XMLParserType, data: bytes, final: bool) -> None:
        try:
            parser.Parse(data, final)
        except expat.ExpatError as exc:
            if self.strict or self.tally is not None:
                raise BadInput(f"{self.path.name} 已损坏：{self.member}（工作表“{self.sheet}”）不是有效的 XML（{exc}）",
                               f"{self.path.name} is damaged: {self.member} (sheet \"{self.sheet}\") is not valid "
                               f"XML ({exc})") from exc
            self.parser = None  # a part the spreadsheet parser may not even read: it judges the damage itself

    def start(self, name: str, attributes: dict[str, str]) -> None:
        """expat's start-element handler; the cells of a sheet are the hot path (names without a prefix
        are compared first)."""
        tally = self.tally
        if tally is None:
            self._start_outside_cells(name.rpartition(":")[2], attributes)
        elif name == "c":
            self._cell(tally, attributes)
        elif name == "v":
            if self.shared_cell:
                self.index_text = []
        elif name == "row":
            self._row(attributes.get("r"))
        elif ":" in name and name.rpartition(":")[2] in ("c", "v", "row"):
            self.start(name.rpartition(":")[2], attributes)

    def _cell(self, tally: GridTally, attributes: dict[str, str]) -> None:
        if self.index_text is not None:
            self._count_shared_text(tally)
        self.shared_cell = attributes.get("t") == "s"
        ref = attributes.get("r")
        if ref is None:  # the parser places it after the previous cell
            self.column += 1
            tally.add(self.row or 1, self.column)
            return
        letters = ref.rstrip("0123456789")
        column = _COLUMNS.get(letters) or self._column(letters, ref)
        digits = ref[len(letters):]
        if not 0 < len(digits) < 8 or digits[0] == "0":
            raise self._bad_reference(ref)
        self.column = column
        tally.add(int(digits), column)

    def _start_outside_cells(self, name: str, attributes: dict[str, str]) -> None:
        if name == "sheetData":
            self.tally = GridTally(self.sheet, self.workbook.limits, self.workbook.grid, self.workbook.cells)
            self._read_text_with(self._sheet_text)
        elif name == "si" and self.shared_lengths is not None:
            if len(self.shared_lengths) >= self.workbook.limits.cells:
                raise BadInput(f"{self.path.name} 的共享字符串超过 {self.workbook.limits.cells:,} 个，超出上限",
                               f"{self.path.name} has more than {self.workbook.limits.cells:,} shared strings")
            self.shared_lengths.append(0)
        elif name == "sst":
            self.shared_lengths = array("q")
            self._read_text_with(self._shared_string_text)
        elif name == "dimension":
            self._dimension(attributes.get("ref", ""))
        elif self.member in (_WORKBOOK, _WORKBOOK_RELS):
            self.workbook.collect(name, attributes)

    def _read_text_with(self, handler: Callable[[str], None]) -> None:
        """Hand the text of the elements that follow to ``handler`` (called from the parser's own handlers,
        so there is a parser)."""
        if self.parser is not None:
            self.parser.CharacterDataHandler = handler

    def _shared_string_text(self, text: str) -> None:
        if self.shared_lengths:
            self.shared_lengths[-1] += len(text)

    def _sheet_text(self, text: str) -> None:
        if self.index_text is not None:
            self.index_text.append(text)

    def _count_shared_text(self, tally: GridTally) -> None:
        """Add the shared string the cell just read refers to (the parser copies it into the cell)."""
        text, self.index_text = "".join(self.index_text or ()).strip(), None
        lengths = self.workbook.shared_lengths
        if not (text.isascii() and text.isdigit() and len(text) < 10 and int(text) < len(lengths)):
            return  # not an index of a shared string: the parser refuses it, it copies nothing
        workbook = self.workbook
        workbook.shared_text += lengths[int(text)]
        if workbook.shared_text > workbook.limits.shared_text:
            raise BadInput(f"{self.path.name} 的工作表“{self.sheet}”中的单元格引用的共享文本累计超过 "
                           f"{workbook.limits.shared_text:,} 个字符（到第 {tally.max_row} 行为止），超出上限",
                           f'the cells of sheet "{self.sheet}" of {self.path.name} refer to more than '
                           f"{workbook.limits.shared_text:,} characters of shared text (up to row "
                           f"{tally.max_row}), beyond the limit")

    def _row(self, ref: str | None) -> None:
        if ref is None:
            self.row += 1
        elif _ROW_NUMBER.fullmatch(ref):
            self.row = int(ref)
        else:
            raise self._bad_reference(ref)
        self.column = 0

    def _column(self, letters: str, ref: str) -> int:
        """The number of a column's letters (remembered), or a refusal of the reference."""
        if not _COLUMN_LETTERS.fullmatch(letters):
            raise self._bad_reference(ref)
        _COLUMNS[letters] = column_number(letters)
        return _COLUMNS[letters]

    def _dimension(self, ref: str) -> None:
        if not ref:
            return  # no declared range: the cells themselves are tallied
        parts = ref.split(":")
        corners = [corner for corner in map(_CELL_REF.fullmatch, parts) if corner is not None]
        if len(parts) > 2 or len(corners) < len(parts):
            raise self._bad_reference(ref)
        rows = max(int(corner[2]) for corner in corners)
        columns = max(column_number(corner[1]) for corner in corners)
        GridTally(self.sheet, self.workbook.limits, self.workbook.grid).check_extent(rows, columns, ref)

    def _bad_reference(self, ref: str) -> BadInput:
        return BadInput(f"{self.path.name} 的工作表“{self.sheet}”含有无效的单元格引用“{ref[:40]}”",
                        f'sheet "{self.sheet}" of {self.path.name} has an invalid cell reference "{ref[:40]}"')
