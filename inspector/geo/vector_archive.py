"""Zipped vector files (.zip Shapefile or File Geodatabase, .kmz) unpacked under a size bound.

The importer must look inside a layer before GDAL parses it (the .dbf's encoding, the Shapefile's
record counts, the KML prolog), and a zip's headers may lie about what its members inflate to. So
the members one layer needs are inflated once, by this module, into a private temporary folder that
GDAL then opens like any file on disk — GDAL never inflates the archive itself. Every member goes
through zlib with its declared size as the bound: an archive whose needed members declare more than
:data:`MAX_UNPACKED_BYTES`, a member whose stream inflates past its declared size, ends early or
fails its CRC, an encrypted member or an unknown compression method are refused as bad input before
anything else reads them. Member names become plain relative names inside the folder.
"""
from __future__ import annotations

import struct
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from inspector.errors import BadInput
from inspector.geo.vector_file_checks import SIDECAR_MAX_BYTES

MAX_UNPACKED_BYTES = 2 * 1024**3  # total declared size of the members one layer needs, bytes
MAX_MEMBERS = 100_000  # entries in an archive's central directory
CHUNK_BYTES = 1 << 20  # read and inflate step, bytes
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")  # the members a zipped Shapefile needs
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")  # zip local file header, 30 bytes
_LOCAL_SIGNATURE = 0x04034B50


class UnpackedLayer:
    """The layer file GDAL should open (``path``) in a temporary folder removed by :meth:`cleanup`
    (or when this object is garbage-collected)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="inspector-unzip-")
        self.root = Path(self._folder.name)
        self.path = self.root

    def cleanup(self) -> None:
        self._folder.cleanup()


def unpack_layer(archive: Path) -> UnpackedLayer:
    """Unpack the first Shapefile (else the first .gdb folder, else — in a .kmz — the KML document)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise BadInput(f"{archive.name} 不是有效的 zip 压缩文件（{exc}）",
                       f"{archive.name} is not a valid zip archive ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise BadInput(f"{archive.name} 含有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}",
                       f"{archive.name} holds {len(infos)} entries (limit {MAX_MEMBERS})")
    members = _layer_members(archive, [i for i in infos if not i.is_dir()])
    for info, relative in members:
        if relative.suffix.lower() in (".prj", ".cpg") and info.file_size > SIDECAR_MAX_BYTES:
            raise BadInput(f"{archive.name} 中的 {info.filename} 解压后达 {info.file_size} 字节（上限 "
                           f"{SIDECAR_MAX_BYTES}），疑似压缩炸弹，拒绝导入",
                           f"{info.filename} in {archive.name} expands to {info.file_size} bytes (limit "
                           f"{SIDECAR_MAX_BYTES}); refused as a possible zip bomb")
    declared = sum(info.file_size for info, _ in members)
    if declared > MAX_UNPACKED_BYTES:
        raise BadInput(
            f"{archive.name} 解压后达 {declared / 1e9:.1f} GB（上限 {MAX_UNPACKED_BYTES / 1e9:.1f} GB），"
            "疑似压缩炸弹，拒绝导入",
            f"{archive.name} expands to {declared / 1e9:.1f} GB (limit {MAX_UNPACKED_BYTES / 1e9:.1f} GB); "
            "refused as a possible zip bomb")
    layer = UnpackedLayer()
    try:
        with archive.open("rb") as raw:
            for info, relative in members:
                target = layer.root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                _inflate_member(archive, raw, info, target)
        layer.path = layer.root / members[0][1].parts[0]
    except BaseException:
        layer.cleanup()
        raise
    return layer


def _layer_members(archive: Path, infos: list[zipfile.ZipInfo]) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The members to unpack, each with its path in the temporary folder; the first one is the file
    GDAL opens, or lies in the folder it opens."""
    named = [(info, _safe_parts(archive, info.filename)) for info in infos]
    shapefiles = [(info, parts) for info, parts in named if parts[-1].lower().endswith(".shp")]
    if shapefiles:
        first, parts = shapefiles[0]
        siblings = {parts[-1][:-4].lower() + suffix for suffix in SHAPEFILE_PARTS[1:]}
        return [(first, PurePosixPath(parts[-1]))] + [
            (info, PurePosixPath(other[-1])) for info, other in named
            if other[:-1] == parts[:-1] and other[-1].lower() in siblings]
    for info, parts in named:
        if len(parts) >= 2 and parts[-2].lower().endswith(".gdb"):
            folder = parts[:-1]
            return [(member, PurePosixPath(folder[-1], other[-1])) for member, other in named
                    if other[:-1] == folder]
    documents = [(info, parts) for info, parts in named if parts[-1].lower().endswith(".kml")]
    if documents and archive.suffix.lower() == ".kmz":
        info, parts = next((d for d in documents if d[1] == ("doc.kml",)), documents[0])
        return [(info, PurePosixPath(parts[-1]))]
    raise BadInput(f"{archive.name} 中没有 Shapefile、.gdb 文件夹或 KML",
                   f"{archive.name} holds no Shapefile, .gdb folder or KML document")


def _safe_parts(archive: Path, name: str) -> tuple[str, ...]:
    parts = tuple(p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "/"))
    if not parts or ".." in parts or any("\x00" in p or ":" in p for p in parts):
        raise BadInput(f"{archive.name} 含有不安全的文件名：{name!r}",
                       f"{archive.name} holds an unsafe member name: {name!r}")
    return parts


def _inflate_member(archive: Path, raw, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one member to ``target``, inflating at most its declared size and checking its CRC."""
    def damaged(zh: str, en: str) -> BadInput:
        return BadInput(f"{archive.name} 中的 {info.filename} {zh}", f"{info.filename} in {archive.name} {en}")

    if info.flag_bits & 0x1:
        raise damaged("已加密，无法读取", "is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise damaged(f"使用了不支持的压缩方式（{info.compress_type}）",
                      f"uses an unsupported compression method ({info.compress_type})")
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(header)[0] != _LOCAL_SIGNATURE:
        raise damaged("的文件头已损坏", "has a damaged local header")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left_in, written, crc = info.compress_size, 0, 0
    with target.open("wb") as out:
        while left_in > 0 or (inflater is not None and inflater.unconsumed_tail):
            if inflater is not None and inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, CHUNK_BYTES)
            else:
                data = raw.read(min(CHUNK_BYTES, left_in))
                if not data:
                    raise damaged("不完整（压缩文件被截断）", "is cut short (truncated archive)")
                left_in -= len(data)
                try:
                    chunk = inflater.decompress(data, CHUNK_BYTES) if inflater is not None else data
                except zlib.error as exc:
                    raise damaged(f"已损坏（{exc}）", f"is damaged ({exc})") from exc
            written += len(chunk)
            if written > info.file_size:
                raise BadInput(
                    f"{archive.name} 中的 {info.filename} 解压后超过其声明的大小 {info.file_size} 字节，"
                    "疑似压缩炸弹，拒绝导入",
                    f"{info.filename} in {archive.name} inflates past its declared {info.file_size} bytes; "
                    "refused as a possible zip bomb")
            crc = zlib.crc32(chunk, crc)
            out.write(chunk)
        if inflater is not None and not inflater.eof:
            rest = inflater.flush()  # the end of a match the last input bytes encoded (< 300 bytes)
            written += len(rest)
            crc = zlib.crc32(rest, crc)
            out.write(rest)
    if (inflater is not None and not inflater.eof) or written != info.file_size or crc != info.CRC:
        raise damaged("已损坏（大小或校验和不符）", "is damaged (size or CRC mismatch)")
