"""Builders of real-world-shaped vector files for the tests (written with GDAL/OGR), and the byte-level
surgery and hand-made zips the hostile-input tests corrupt them with."""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from osgeo import ogr, osr

ogr.UseExceptions()

FIELDS_CN = ("名称", "编码", "类型", "类别", "功能分区", "级别", "行政区")


def square(cx: float, cy: float, half: float) -> list[tuple[float, float]]:
    return [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half),
            (cx - half, cy + half), (cx - half, cy - half)]


def polygon_wkt(outer: list[tuple[float, float]], *holes: list[tuple[float, float]]) -> str:
    rings = [outer, *holes]
    return "POLYGON (" + ", ".join("(" + ", ".join(f"{x} {y}" for x, y in ring) + ")" for ring in rings) + ")"


def write_layer(path: Path, driver: str, epsg: int | None, features: Iterable[dict[str, Any]],
                *, fields: Iterable[str] = FIELDS_CN, layer_options: list[str] | None = None,
                layer_name: str = "zones") -> Path:
    """Write polygon features ``{"wkt": ..., field: value}`` with OGR."""
    drv = ogr.GetDriverByName(driver)
    ds = drv.CreateDataSource(str(path))
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer = ds.CreateLayer(layer_name, srs, ogr.wkbUnknown if driver == "KML" else ogr.wkbMultiPolygon,
                           options=layer_options or [])
    for name in fields:
        field = ogr.FieldDefn(name, ogr.OFTString)
        field.SetWidth(80)
        layer.CreateField(field)
    for data in features:
        feature = ogr.Feature(layer.GetLayerDefn())
        for name in fields:
            if data.get(name) is not None:
                feature.SetField(name, data[name])
        feature.SetGeometry(ogr.CreateGeometryFromWkt(data["wkt"]))
        layer.CreateFeature(feature)
    ds = None  # flush
    return path


def gk_to_lonlat_srs() -> tuple[Any, Any]:
    gk, geo = osr.SpatialReference(), osr.SpatialReference()
    gk.ImportFromEPSG(4549)
    geo.ImportFromEPSG(4490)
    for s in (gk, geo):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return gk, geo


def lonlat_to_gk(lon: float, lat: float) -> tuple[float, float]:
    gk, geo = gk_to_lonlat_srs()
    x, y, _ = osr.CoordinateTransformation(geo, gk).TransformPoint(lon, lat)
    return x, y


# --- Byte-level surgery for the hostile-input tests ------------------------------------------------

SHP_HEADER_BYTES = 100  # .shp / .shx main header
SHX_ENTRY_BYTES = 8  # .shx: offset and content length of one record, in 16-bit words


def shx_entries(shp: Path) -> list[tuple[int, int]]:
    """(byte offset of the record header in the .shp, content length in bytes) of each record."""
    data = shp.with_suffix(".shx").read_bytes()[SHP_HEADER_BYTES:]
    return [(2 * offset, 2 * length)
            for offset, length in struct.iter_unpack(">ii", data[: len(data) // 8 * 8])]


def polygon_point_offset(shp: Path, record: int, point: int) -> int:
    """Byte offset in the .shp of a polygon record's point ``point`` (its x; y follows 8 bytes later)."""
    record_offset, _ = shx_entries(shp)[record]
    content = record_offset + 8
    with shp.open("rb") as handle:
        handle.seek(content + 36)
        parts, _points = struct.unpack("<ii", handle.read(8))
    return content + 44 + 4 * parts + 16 * point


def patch(path: Path, offset: int, fmt: str, *values: Any) -> Path:
    """Overwrite ``struct.pack(fmt, *values)`` at ``offset`` in ``path``."""
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(struct.pack(fmt, *values))
    return path


@dataclass
class ZipMember:
    """A member of a hand-made zip: its raw deflate stream and what the headers declare."""

    name: str
    deflated: bytes
    crc: int
    declared_size: int


def deflated_member(name: str, data: bytes, *, zero_padding: int = 0,
                    declared_size: int | None = None) -> ZipMember:
    """``data`` followed by ``zero_padding`` zero bytes, deflated without writing the zeros out: one
    full-flushed block of 1 MiB of zeros is repeated (a flushed block has no back-references).
    ``declared_size`` lets the headers lie about the inflated size (the CRC is of what they declare)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(data)
    mebibyte = bytes(1 << 20)
    zero_block = compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(zero_padding, len(mebibyte))
    declared = len(data) + zero_padding if declared_size is None else declared_size
    for _ in range(whole):
        parts.append(zero_block)
        if declared_size is None:
            crc = zlib.crc32(mebibyte, crc)
    parts.append(compressor.compress(bytes(rest)) + compressor.flush(zlib.Z_FINISH))
    if declared_size is None:
        crc = zlib.crc32(bytes(rest), crc)
    return ZipMember(name, b"".join(parts), crc, declared)


def write_zip(path: Path, members: Iterable[ZipMember]) -> Path:
    """A zip written by hand (deflate, UTF-8 names, Zip64 sizes when needed), so that members may
    inflate to gigabytes or lie about their size without the test writing those bytes."""
    local_parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    count = 0
    for member in members:
        name = member.name.encode("utf-8")
        big = member.declared_size >= 0xFFFFFFFF
        version = 45 if big else 20
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(member.deflated), member.declared_size)
        extra = struct.pack("<HHQQ", 1, 16, member.declared_size, len(member.deflated)) if big else b""
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, version, 0x800, 8, 0, 0x21, member.crc, *sizes,
                            len(name), len(extra)) + name + extra
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, 0x800, 8, 0, 0x21,
                                   member.crc, *sizes, len(name), len(extra), 0, 0, 0, 0, offset)
                       + name + extra)
        local_parts.append(local + member.deflated)
        offset += len(local) + len(member.deflated)
        count += 1
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), offset, 0)
    path.write_bytes(b"".join(local_parts) + directory + end)
    return path
