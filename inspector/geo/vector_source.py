"""Reading polygon layers through GDAL/OGR: formats, encodings, coordinate systems, hostile files.

Opens Shapefiles (also inside a .zip), GeoPackage, GeoJSON, KML (also .kmz) and File Geodatabase
(also zipped), each with only the GDAL drivers of its suffix — a ``.geojson`` that is really a VRT
pointing elsewhere is refused, not followed. Archives are unpacked under a size bound first
(:mod:`inspector.geo.vector_archive`) and the file's own bytes checked (:mod:`inspector.geo.vector_file_checks`:
Shapefile record counts and the DBF encoding of Shapefiles without ``.cpg``, KML without DTD).
It resolves the layer CRS (or the one the caller gives) and yields
each feature's attributes and its geometry transformed to CGCS2000 (EPSG:4490) in lon/lat order, as
WKB. A feature GDAL cannot read or transform comes with the reason (``problem``, a
:class:`~inspector.errors.Message` with GDAL's own English words appended) instead; Shapefile
records are read one by one by FID, so a damaged one is just that feature, while a failure part-way
through another format's layer is bad input for the whole file.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from inspector.errors import BadInput, Message
from inspector.geo.gdal_bindings import ErrorLog, load_gdal
from inspector.geo.geodesy import GK_EPSG_BY_CM, GK_EPSG_WITH_PREFIX_BY_CM, central_meridian
from inspector.geo.vector_archive import UnpackedLayer, unpack_layer
from inspector.geo.vector_file_checks import (
    ShapefileRecords,
    check_shapefile,
    check_xml_prolog,
    detect_dbf_encoding,
)
from inspector.geo.zone_geometry_checks import non_finite_reason

gdal, ogr, osr = load_gdal()

TARGET_EPSG = 4490
# The GDAL drivers allowed to open a file, by its suffix (or by the suffix of the file inside an archive).
DRIVERS_BY_SUFFIX = {
    ".shp": ("ESRI Shapefile",),
    ".gpkg": ("GPKG",),
    ".geojson": ("GeoJSON",),
    ".json": ("GeoJSON", "ESRIJSON", "TopoJSON"),
    ".kml": ("LIBKML", "KML"),
    ".gdb": ("OpenFileGDB", "FileGDB"),
}
ARCHIVE_SUFFIXES = (".zip", ".kmz")
SUPPORTED_SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".gdb")
_POLYGON_TYPES = {ogr.wkbPolygon, ogr.wkbMultiPolygon, ogr.wkbCurvePolygon, ogr.wkbMultiSurface}
CUT_OFF_REASON = Message(".shp 文件在此记录之前就结束了（文件被截断或索引损坏）",
                         "the .shp ends before this record (truncated file or damaged index)")
NO_FEATURE_REASON = Message("GDAL 未返回该要素", "GDAL returned no feature for this record")


@dataclass(frozen=True)
class SourceFeature:
    layer: str
    fid: int
    attributes: dict[str, Any]
    wkb: bytes | None  # EPSG:4490 lon/lat, None when there is no geometry
    geometry_type: str
    rings_closed: int  # rings that had to be closed
    # Area measured in the source CRS when that is the feature's own Gauss-Krüger zone, m²
    source_area_m2: float | None = None
    problem: Message | None = None  # why GDAL could not read or transform the feature (then wkb is None)


@dataclass(frozen=True)
class LayerInfo:
    name: str
    feature_count: int
    fields: list[str]
    crs: str | None
    encoding: str | None


def _spatial_ref(epsg_or_text: str) -> Any:
    srs = osr.SpatialReference()
    text = epsg_or_text.strip()
    with ErrorLog() as log:
        try:
            if text.upper().startswith("EPSG:"):
                code = text.split(":", 1)[1]
                if not code.isdigit():
                    raise BadInput(f"无效的坐标系：{text}", f"invalid CRS: {text}")
                srs.ImportFromEPSG(int(code))
            else:
                srs.SetFromUserInput(text)
        except RuntimeError as exc:
            reason = log.reason(exc)
            raise BadInput(f"无效的坐标系：{text}（{reason}）", f"invalid CRS: {text} ({reason})") from exc
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def describe_crs(srs: Any) -> str | None:
    if srs is None:
        return None
    code = srs.GetAuthorityCode(None)
    name = srs.GetAuthorityName(None)
    if code and name:
        return f"{name}:{code}"
    srs_copy = srs.Clone()
    try:
        matches = srs_copy.FindMatches()
    except RuntimeError:
        matches = []
    for match, confidence in matches:
        if confidence >= 90 and match.GetAuthorityCode(None):
            return f"{match.GetAuthorityName(None)}:{match.GetAuthorityCode(None)}"
    return srs.GetName()


class VectorSource:
    """An opened vector file; iterate :meth:`features` per polygon layer, then :meth:`close` it
    (or use it as a context manager) to remove what an archive was unpacked to."""

    def __init__(self, path: str | Path, *, encoding: str | None = None, crs: str | None = None,
                 layer: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BadInput(f"文件不存在：{self.path}", f"file not found: {self.path}")
        suffix = self.path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise BadInput(f"不支持的矢量格式：{suffix or self.path.name}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）",
                           f"unsupported vector format {suffix or self.path.name} "
                           f"(use {', '.join(SUPPORTED_SUFFIXES)})")
        self._override_crs = _spatial_ref(crs) if crs else None
        self._target = _spatial_ref(f"EPSG:{TARGET_EPSG}")
        self.encoding = encoding
        self._unpacked: UnpackedLayer | None = None
        self._shapefile: ShapefileRecords | None = None
        try:
            self._layers = self._open(layer)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "VectorSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._ds: Any = None  # the GDAL dataset once open
        self._layers = []
        if self._unpacked is not None:
            self._unpacked.cleanup()
            self._unpacked = None

    def _open(self, wanted_layer: str | None) -> list[Any]:
        layer_file = self.path
        if self.path.suffix.lower() in ARCHIVE_SUFFIXES:
            self._unpacked = unpack_layer(self.path)
            layer_file = self._unpacked.path
        kind = layer_file.suffix.lower()
        try:
            if kind == ".shp":
                self._shapefile = check_shapefile(layer_file)
                if self.encoding is None:
                    self.encoding = detect_dbf_encoding(self._shapefile.dbf)
            elif kind == ".kml":
                check_xml_prolog(layer_file)
        except BadInput as exc:
            if self._unpacked is None:
                raise
            raise BadInput(f"{self.path.name}：{exc.zh}", f"{self.path.name}: {exc.en}") from exc
        options = [f"ENCODING={self.encoding}"] if kind == ".shp" and self.encoding else []
        with _gdal_errors(self.path.name):
            self._ds = gdal.OpenEx(str(layer_file), gdal.OF_VECTOR | gdal.OF_READONLY,
                                   allowed_drivers=list(DRIVERS_BY_SUFFIX[kind]), open_options=options)
            if self._ds is None:
                raise BadInput(f"无法识别的矢量格式：{self.path.name}",
                               f"unrecognised vector format: {self.path.name}")
            layers = self._polygon_layers(wanted_layer)
            if self._shapefile is not None and layers[0].GetFeatureCount() != self._shapefile.count:
                raise BadInput(
                    f"{self.path.name}：GDAL 读到 {layers[0].GetFeatureCount()} 条记录，"
                    f"而 .shx 与 .dbf 有 {self._shapefile.count} 条，拒绝导入",
                    f"{self.path.name}: GDAL reads {layers[0].GetFeatureCount()} records where .shx and .dbf "
                    f"hold {self._shapefile.count}; refused")
        return layers

    def _polygon_layers(self, wanted: str | None) -> list[Any]:
        layers = [self._ds.GetLayerByIndex(i) for i in range(self._ds.GetLayerCount())]
        if wanted:
            layers = [lyr for lyr in layers if lyr.GetName() == wanted]
            if not layers:
                raise BadInput(f"文件中没有图层 {wanted}", f"no layer named {wanted} in the file")
        polygonal = [
            lyr for lyr in layers
            if ogr.GT_Flatten(lyr.GetGeomType()) in _POLYGON_TYPES | {ogr.wkbUnknown}
        ]
        if not polygonal:
            raise BadInput(f"{self.path.name} 中没有面图层", f"{self.path.name} has no polygon layer")
        return polygonal

    def layer_infos(self) -> list[LayerInfo]:
        infos = []
        with _gdal_errors(self.path.name):
            for lyr in self._layers:
                defn = lyr.GetLayerDefn()
                fields = [clean_field_name(defn.GetFieldDefn(i).GetName()) for i in range(defn.GetFieldCount())]
                srs = self._override_crs or lyr.GetSpatialRef()
                infos.append(LayerInfo(lyr.GetName(), lyr.GetFeatureCount(), fields,
                                       describe_crs(srs), self.encoding))
        return infos

    def _source_gk_meridian(self, lyr: Any) -> int | None:
        """The central meridian when the layer is in a CGCS2000 3-degree Gauss-Krüger CRS."""
        srs = self._override_crs or lyr.GetSpatialRef()
        code = describe_crs(srs) if srs is not None else None
        for table in (GK_EPSG_BY_CM, GK_EPSG_WITH_PREFIX_BY_CM):
            for meridian, epsg in table.items():
                if code == f"EPSG:{epsg}":
                    return meridian
        return None

    def _transform_for(self, lyr: Any) -> Any:
        source = self._override_crs
        if source is None:
            layer_srs = lyr.GetSpatialRef()
            if layer_srs is None:
                raise BadInput(
                    f"图层 {lyr.GetName()} 没有坐标系信息（缺少 .prj），请用 --crs EPSG:编号 指定",
                    f"layer {lyr.GetName()} has no CRS (no .prj); give one with --crs EPSG:n",
                )
            source = layer_srs.Clone()
            source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return osr.CoordinateTransformation(source, self._target)

    def features(self) -> Iterator[SourceFeature]:
        """Every feature of the polygon layers. GDAL's own messages (unclosed rings…) go to an
        :class:`ErrorLog`, not stderr: the importer reports each problem per feature."""
        with ErrorLog() as log:
            yield from self._features(log)

    def _features(self, log: ErrorLog) -> Iterator[SourceFeature]:
        for lyr in self._layers:
            with _gdal_errors(self.path.name):
                transform = self._transform_for(lyr)
                source_meridian = self._source_gk_meridian(lyr)
                defn = lyr.GetLayerDefn()
                fields = [(clean_field_name(defn.GetFieldDefn(i).GetName()),
                           _FIELD_READERS.get(defn.GetFieldDefn(i).GetType(), _any_field), i)
                          for i in range(defn.GetFieldCount())]
                layer_name = lyr.GetName()
            for fid, feature, problem in self._records(lyr, log):
                if feature is None:
                    yield SourceFeature(layer_name, fid, {}, None, "", 0, problem=problem)
                    continue
                try:
                    attributes = {name: read(feature, i) for name, read, i in fields}
                except (RuntimeError, UnicodeError) as exc:
                    reason = log.reason(exc)
                    yield SourceFeature(layer_name, fid, {}, None, "", 0, problem=Message(
                        "GDAL 无法读取该要素的属性", "GDAL cannot read this feature's attributes").detailed(reason))
                    continue
                yield _converted(layer_name, fid, attributes, feature.GetGeometryRef(), transform,
                                 source_meridian, log)

    def _records(self, lyr: Any, log: ErrorLog) -> Iterator[tuple[int, Any, Message | None]]:
        """``(fid, feature, None)`` for each feature, or ``(fid, None, reason)`` for a Shapefile
        record GDAL cannot read (damaged, cut off, or marked deleted in the .dbf); any other layer
        that fails part-way is bad input."""
        if self._shapefile is not None:
            for fid in range(self._shapefile.count):
                if fid in self._shapefile.cut_off:
                    yield fid, None, CUT_OFF_REASON
                    continue
                try:
                    feature = lyr.GetFeature(fid)
                except RuntimeError as exc:
                    reason = log.reason(exc)
                    yield fid, None, Message("GDAL 无法读取该要素", "GDAL cannot read this feature").detailed(reason)
                    continue
                yield (fid, feature, None) if feature is not None else (fid, None, NO_FEATURE_REASON)
            return
        lyr.ResetReading()
        last_fid = None
        while True:
            try:
                feature = lyr.GetNextFeature()
            except RuntimeError as exc:
                reason = log.reason(exc)
                where_zh = f"要素 {last_fid} 之后" if last_fid is not None else "第一个要素"
                where_en = f"after feature {last_fid}" if last_fid is not None else "at its first feature"
                raise BadInput(f"{self.path.name} 的图层 {lyr.GetName()} 读取失败（{where_zh}）：{reason}",
                               f"cannot read layer {lyr.GetName()} of {self.path.name} ({where_en}): "
                               f"{reason}") from exc
            if feature is None:
                return
            last_fid = feature.GetFID()
            yield last_fid, feature, None


@contextmanager
def _gdal_errors(file_name: str) -> Iterator[None]:
    """Inside the block GDAL's messages are kept, not printed, and a GDAL error (``RuntimeError``)
    becomes bad input naming the file."""
    with ErrorLog() as log:
        try:
            yield
        except RuntimeError as exc:
            reason = log.reason(exc)
            raise BadInput(f"无法读取矢量文件 {file_name}：{reason}",
                           f"cannot read vector file {file_name}: {reason}") from exc


def _converted(layer: str, fid: int, attributes: dict[str, Any], source_geom: Any, transform: Any,
               source_meridian: int | None, log: ErrorLog) -> SourceFeature:
    """The feature's geometry, linearised, 2D, rings closed and transformed to EPSG:4490 as WKB."""
    if source_geom is None or source_geom.IsEmpty():
        return SourceFeature(layer, fid, attributes, None, "", 0)
    geometry_type = source_geom.GetGeometryName()
    try:
        geom = _linear_2d(source_geom)
        size = geom.WkbSize()
        geom.CloseRings()  # only appends the missing closing points
        rings_closed = int(geom.WkbSize() != size)
        source_area = geom.GetArea() if source_meridian is not None else None
    except RuntimeError as exc:
        reason = log.reason(exc)
        return SourceFeature(layer, fid, attributes, None, geometry_type, 0, problem=Message(
            "GDAL 无法读取该几何", "GDAL cannot read this geometry").detailed(reason))
    try:
        geom.Transform(transform)
    except RuntimeError as exc:
        reason = log.reason(exc)
        vertex = non_finite_vertex(bytes(_linear_2d(source_geom).ExportToIsoWkb()))  # numbered before closing
        if vertex is not None:
            problem = non_finite_reason(vertex)
        else:
            problem = Message(f"坐标无法转换到 CGCS2000（{reason}），请检查坐标系",
                              f"coordinates cannot be transformed to CGCS2000 ({reason}); check the CRS")
        return SourceFeature(layer, fid, attributes, None, geometry_type, rings_closed, problem=problem)
    if source_area is not None:
        min_lon, max_lon, _, _ = geom.GetEnvelope()
        if central_meridian((min_lon + max_lon) / 2) != source_meridian:
            source_area = None
    return SourceFeature(layer, fid, attributes, bytes(geom.ExportToIsoWkb()), geometry_type, rings_closed,
                         source_area)


def _linear_2d(geom: Any) -> Any:
    """A copy of ``geom`` with its curves linearised and its Z and M dropped."""
    linear = geom.GetLinearGeometry() if geom.HasCurveGeometry() else geom.Clone()
    linear.FlattenTo2D()
    return linear


def _text_field(feature: Any, index: int) -> Any:
    """A text field's value (None when unset or null); text not valid in its encoding gives its bytes in hex."""
    if not feature.IsFieldSetAndNotNull(index):
        return None
    try:
        return clean_field_name(feature.GetFieldAsString(index))
    except Exception:  # not valid in its encoding: its bytes, as GetField gives them
        return feature.GetFieldAsBinary(index).hex()


def _real_field(feature: Any, index: int) -> float | None:
    return feature.GetFieldAsDouble(index) if feature.IsFieldSetAndNotNull(index) else None


def _any_field(feature: Any, index: int) -> Any:
    return _plain(feature.GetField(index))


# How each field type is read, ``reader(feature, index)`` → its JSON-friendly value (None when unset or
# null): text and real fields with their typed getter directly (GDAL's generic ``GetField`` makes half a
# dozen calls per value), every other type through ``GetField``.
_FIELD_READERS = {ogr.OFTString: _text_field, ogr.OFTReal: _real_field}


def non_finite_vertex(wkb: bytes) -> int | None:
    """The index of the first vertex with a NaN or infinite coordinate in a WKB geometry, if any."""
    try:
        geom = ogr.CreateGeometryFromWkb(wkb)
    except RuntimeError:
        return None
    stack, seen = [geom], 0
    while stack:
        part = stack.pop()
        if part.GetGeometryCount():
            stack.extend(part.GetGeometryRef(i) for i in reversed(range(part.GetGeometryCount())))
            continue
        points = np.asarray(part.GetPoints() or [], dtype=float)
        bad = np.flatnonzero(~np.isfinite(points).all(axis=1)) if len(points) else np.empty(0, dtype=np.intp)
        if len(bad):
            return seen + int(bad[0])
        seen += len(points)
    return None


def clean_field_name(name: str) -> str:
    """A DBF field name cut inside a UTF-8 character (10-byte limit) loses the broken tail."""
    try:
        name.encode("utf-8")  # no broken character: nothing to drop
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "ignore")
    return name


def _plain(value: Any) -> Any:
    """OGR field values as JSON-friendly Python values."""
    if isinstance(value, str):
        return clean_field_name(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
