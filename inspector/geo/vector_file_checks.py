"""Reading a vector file's own bytes before GDAL parses it: Shapefile record counts and DBF encoding,
KML prologs.

A Shapefile pairs the i-th shape of the ``.shp`` (found through the ``.shx`` index) with the i-th
record of the ``.dbf``. When the parts disagree on the number of records GDAL reads the shorter
``.shx`` silently and drops or ignores the rest, and after a record lost in the middle every
attribute belongs to the wrong shape. :func:`check_shapefile` therefore reads the three headers
itself and refuses such a file as a whole: no pair in it can be trusted. Shapes the ``.shp`` ends
before (a truncated file) are reported, so that those features are rejected one by one.

:func:`detect_dbf_encoding` guesses the text encoding of a ``.dbf`` without ``.cpg`` (Chinese
tools write GBK) from a bounded sample of its records.

KML goes through expat; :func:`check_xml_prolog` refuses any document that declares a DTD or
entities (external entities, billion laughs) before GDAL sees it.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspector.errors import BadInput

SHP_HEADER_BYTES = 100  # .shp / .shx main header
RECORD_HEADER_BYTES = 8  # record number and content length before each .shp record
MAX_RECORD_WORDS = 2**29 - 4  # GDAL refuses records of 1 GiB or more (16-bit words)
MAX_SHAPEFILE_RECORDS = 20_000_000  # records one layer may hold
DBF_HEADER_BYTES = 32
DBF_SAMPLE_BYTES = 4 * 1024 * 1024  # records read to guess a .dbf's encoding
SIDECAR_MAX_BYTES = 1024 * 1024  # a .prj or .cpg (GDAL reads a .prj whole), bytes
XML_PROLOG_BYTES = 64 * 1024  # bytes in which an XML document's root element must start


@dataclass(frozen=True)
class ShapefileRecords:
    count: int  # records in .shx and .dbf alike
    dbf: Path  # the attribute table (its text encoding is detected from it)
    cut_off: frozenset[int]  # records (FIDs) that the .shp ends before


def sibling(path: Path, suffix: str) -> Path | None:
    """``path`` with ``suffix`` in lower or upper case, if that file exists."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def check_shapefile(shp: Path) -> ShapefileRecords:
    """The record count the ``.shx`` and ``.dbf`` agree on, and the records the ``.shp`` cuts off.

    Raises :class:`BadInput` when a part is missing or damaged, or when the parts disagree."""
    shx, dbf = sibling(shp, ".shx"), sibling(shp, ".dbf")
    if shx is None or dbf is None:
        missing = [suffix for suffix, part in ((".shx", shx), (".dbf", dbf)) if part is None]
        raise BadInput(f"{shp.name} 缺少 {'、'.join(missing)} 文件，无法导入（Shapefile 需要 .shp、.shx 和 .dbf）",
                       f"{shp.name} lacks its {', '.join(missing)}; a Shapefile needs .shp, .shx and .dbf")
    for suffix in (".prj", ".cpg"):
        part = sibling(shp, suffix)
        if part is not None and part.stat().st_size > SIDECAR_MAX_BYTES:
            raise _damaged(part, f"文件过大（{part.stat().st_size} 字节，上限 {SIDECAR_MAX_BYTES} 字节）",
                           f"it is too large ({part.stat().st_size} bytes, limit {SIDECAR_MAX_BYTES})")
    shx_bytes = shx.stat().st_size
    index_bytes = shx_bytes - SHP_HEADER_BYTES
    if index_bytes < 0 or index_bytes % RECORD_HEADER_BYTES:
        raise _damaged(shx, f"长度 {shx_bytes} 字节不是完整的索引",
                       f"its length of {shx_bytes} bytes is not a whole index")
    shx_count = index_bytes // RECORD_HEADER_BYTES
    if shx_count > MAX_SHAPEFILE_RECORDS:
        raise BadInput(f"{shp.name} 有 {shx_count} 条记录，超过上限 {MAX_SHAPEFILE_RECORDS}",
                       f"{shp.name} has {shx_count} records (limit {MAX_SHAPEFILE_RECORDS})")
    dbf_count, dbf_complete = _dbf_counts(dbf)
    shp_bytes = shp.stat().st_size
    entries = np.fromfile(shx, dtype=">i4", offset=SHP_HEADER_BYTES).reshape(-1, 2).astype(np.int64)
    offsets, lengths = entries[:, 0] * 2, entries[:, 1] * 2
    broken = np.flatnonzero((offsets < SHP_HEADER_BYTES) | (lengths < 0) | (lengths > 2 * MAX_RECORD_WORDS))
    if len(broken):
        fid = int(broken[0])
        raise _damaged(shx, f"记录 {fid} 的位置或长度无效（{offsets[fid]}，{lengths[fid]} 字节）",
                       f"record {fid} has an impossible offset or length ({offsets[fid]}, {lengths[fid]} bytes)")
    ends = offsets + RECORD_HEADER_BYTES + lengths
    cut_off = ends > shp_bytes
    unindexed = _unindexed_record_follows(shp, shp_bytes, int(ends[~cut_off].max(initial=SHP_HEADER_BYTES)),
                                          shx_count)
    if shx_count != dbf_count or dbf_complete < dbf_count or unindexed:
        _refuse_disagreement(shp, shx_count, dbf_count, dbf_complete, unindexed)
    return ShapefileRecords(shx_count, dbf, frozenset(int(fid) for fid in np.flatnonzero(cut_off)))


def _dbf_counts(dbf: Path) -> tuple[int, int]:
    """The record count the .dbf header declares, and how many whole records fit in the file (more
    than declared is harmless: some writers leave bytes after the last record)."""
    with dbf.open("rb") as handle:
        header = handle.read(DBF_HEADER_BYTES)
    if len(header) < DBF_HEADER_BYTES:
        raise _damaged(dbf, "文件头不完整", "its header is incomplete")
    declared, header_bytes, record_bytes = struct.unpack("<IHH", header[4:12])
    if header_bytes < DBF_HEADER_BYTES or record_bytes == 0:
        raise _damaged(dbf, "文件头无效", "its header is invalid")
    return declared, max(dbf.stat().st_size - header_bytes, 0) // record_bytes


def _unindexed_record_follows(shp: Path, shp_bytes: int, last_end: int, shx_count: int) -> bool:
    """Whether the .shp holds, after the last record the .shx indexes, the header of the next record."""
    if shp_bytes - last_end < RECORD_HEADER_BYTES + 4:
        return False
    with shp.open("rb") as handle:
        handle.seek(last_end)
        number, words = struct.unpack(">ii", handle.read(RECORD_HEADER_BYTES))
    return number == shx_count + 1 and 2 <= words <= MAX_RECORD_WORDS


def _refuse_disagreement(shp: Path, shx_count: int, dbf_count: int, dbf_complete: int, unindexed: bool) -> None:
    counts_zh = [f".shx {shx_count} 条", f".dbf 声明 {dbf_count} 条"]
    counts_en = [f".shx {shx_count}", f".dbf header {dbf_count}"]
    if dbf_complete < dbf_count:
        counts_zh.append(f".dbf 实有 {dbf_complete} 条完整记录")
        counts_en.append(f".dbf holds {dbf_complete} whole records")
    if unindexed:
        counts_zh.append(f".shp 至少 {shx_count + 1} 条")
        counts_en.append(f".shp at least {shx_count + 1}")
    shapes, attributes = (shx_count + int(unindexed)), min(dbf_count, dbf_complete)
    lo, hi = sorted((shapes, attributes))
    unmatched_zh = f"；要素 {lo}–{hi - 1} 只有{'图形' if shapes > attributes else '属性'}" if lo < hi else ""
    unmatched_en = (f"; features {lo}–{hi - 1} have only {'a shape' if shapes > attributes else 'attributes'}"
                    if lo < hi else "")
    raise BadInput(
        f"{shp.name} 的 .shp/.shx/.dbf 记录数不一致（{'，'.join(counts_zh)}{unmatched_zh}）。属性与图形按顺序"
        "一一对应，记录数不一致时无法确定哪条属性属于哪个图形，整个文件不予导入；请用原软件重新导出",
        f"{shp.name}: the .shp/.shx/.dbf disagree on the number of records ({', '.join(counts_en)}{unmatched_en}). "
        "Attributes are paired with shapes by position, so no pair can be trusted and the file is refused; "
        "export it again from the source software",
    )


def _damaged(part: Path, zh: str, en: str) -> BadInput:
    return BadInput(f"{part.name} 已损坏：{zh}", f"{part.name} is damaged: {en}")


def detect_dbf_encoding(dbf_path: Path) -> str:
    """Guess a DBF's text encoding: a ``.cpg`` file, the language driver byte, or the bytes.

    Returns a GDAL/iconv encoding name ("UTF-8" or "CP936").
    """
    cpg = sibling(dbf_path, ".cpg")
    if cpg is not None:
        with cpg.open("rb") as handle:
            value = handle.read(64).decode("ascii", "ignore").strip().upper()
        if value in {"UTF-8", "UTF8", "65001"}:
            return "UTF-8"
        if value in {"GBK", "GB2312", "936", "CP936", "GB18030"}:
            return "CP936"
    with dbf_path.open("rb") as handle:
        header = handle.read(32)
        if len(header) < 32:
            return "UTF-8"
        language_driver = header[29]
        record_count, header_length, _record_length = struct.unpack("<IHH", header[4:12])
        handle.seek(header_length)
        sample = handle.read(DBF_SAMPLE_BYTES)
    if language_driver == 0x4D:  # GB2312 / code page 936
        return "CP936"
    try:
        sample.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still UTF-8.
        if exc.start >= len(sample) - 3 and record_count > 0:
            return "UTF-8"
    try:
        sample.decode("gb18030")
        return "CP936"
    except UnicodeDecodeError:
        return "UTF-8"


def check_xml_prolog(path: Path) -> None:
    """Refuse an XML document that declares a DTD or entities, or whose root element does not start
    within its first :data:`XML_PROLOG_BYTES`."""
    with path.open("rb") as handle:
        head = handle.read(XML_PROLOG_BYTES)
    text = _decode_prolog(head)
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            raise BadInput(f"{path.name} 的开头 {XML_PROLOG_BYTES // 1024} KB 内没有 XML 根元素",
                           f"{path.name} has no XML root element in its first {XML_PROLOG_BYTES // 1024} KB")
        if text.startswith("<!--", start):
            end, skip = text.find("-->", start + 4), 3
        elif text.startswith("<?", start):
            end, skip = text.find("?>", start + 2), 2
        elif text.startswith("<!", start):
            raise BadInput(
                f"{path.name} 含有 DTD/实体声明（<!DOCTYPE 或 <!ENTITY），可能是恶意文件，拒绝导入",
                f"{path.name} declares a DTD or entities (<!DOCTYPE / <!ENTITY); refused as potentially hostile")
        else:
            return
        if end < 0:
            raise BadInput(f"{path.name} 的 XML 开头不完整", f"{path.name} has an unterminated XML prolog")
        position = end + skip


def _decode_prolog(head: bytes) -> str:
    """The prolog as text: UTF-16 by its byte-order mark or its first '<', else byte for byte (markup
    is ASCII in UTF-8, GBK and Latin-1 alike)."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head.decode("utf-16-le", "ignore")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head.decode("utf-16-be", "ignore")
    return head.decode("latin-1")
