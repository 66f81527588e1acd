"""Reading polygon layers through GDAL/OGR: formats, encodings, coordinate systems.

Opens Shapefiles (also inside a .zip), GeoPackage, GeoJSON, KML and File
Geodatabase; detects the DBF encoding of Shapefiles that have no ``.cpg``
(Chinese tools write GBK); resolves the layer CRS (or the one the caller
gives) and yields each feature's attributes and its geometry transformed
to CGCS2000 (EPSG:4490) in lon/lat order, as WKB.
"""
from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from inspector.errors import BadInput
from inspector.gdal_bindings import load_gdal

gdal, ogr, osr = load_gdal()

TARGET_EPSG = 4490
SUPPORTED_SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".gdb")
_POLYGON_TYPES = {ogr.wkbPolygon, ogr.wkbMultiPolygon, ogr.wkbCurvePolygon, ogr.wkbMultiSurface}


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
    if text.upper().startswith("EPSG:"):
        code = text.split(":", 1)[1]
        if not code.isdigit():
            raise BadInput(f"无效的坐标系：{text}", f"invalid CRS: {text}")
        srs.ImportFromEPSG(int(code))
    else:
        srs.SetFromUserInput(text)
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


def detect_dbf_encoding(dbf_path: Path) -> str:
    """Guess a DBF's text encoding: a ``.cpg`` file, the language driver byte, or the bytes.

    Returns a GDAL/iconv encoding name ("UTF-8" or "CP936").
    """
    cpg = dbf_path.with_suffix(".cpg")
    if not cpg.exists():
        cpg = dbf_path.with_suffix(".CPG")
    if cpg.exists():
        value = cpg.read_text(encoding="ascii", errors="ignore").strip().upper()
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
        sample = handle.read(4 * 1024 * 1024)
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


class VectorSource:
    """An opened vector file; iterate :meth:`features` per polygon layer."""

    def __init__(self, path: str | Path, *, encoding: str | None = None, crs: str | None = None,
                 layer: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BadInput(f"文件不存在：{self.path}", f"file not found: {self.path}")
        self._override_crs = _spatial_ref(crs) if crs else None
        self._target = _spatial_ref(f"EPSG:{TARGET_EPSG}")
        self.encoding = encoding
        self._gdal_path, dbf = self._resolve()
        if dbf is not None and self.encoding is None:
            self.encoding = detect_dbf_encoding(dbf)
        is_shapefile = self._gdal_path.lower().endswith(".shp")
        options = [f"ENCODING={self.encoding}"] if is_shapefile and self.encoding else []
        try:
            self._ds = gdal.OpenEx(self._gdal_path, gdal.OF_VECTOR | gdal.OF_READONLY,
                                   open_options=options)
        except RuntimeError as exc:
            raise BadInput(f"无法读取矢量文件 {self.path.name}：{exc}",
                           f"cannot read vector file {self.path.name}: {exc}") from exc
        if self._ds is None:
            raise BadInput(f"无法识别的矢量格式：{self.path.name}",
                           f"unrecognised vector format: {self.path.name}")
        self._layers = self._polygon_layers(layer)

    def _resolve(self) -> tuple[str, Path | None]:
        """The path GDAL should open, and the DBF file when it is a Shapefile on disk."""
        suffix = self.path.suffix.lower()
        if suffix == ".zip":
            with zipfile.ZipFile(self.path) as archive:
                names = archive.namelist()
            shapefiles = [n for n in names if n.lower().endswith(".shp")]
            if self.encoding is None and shapefiles:
                self.encoding = self._zip_dbf_encoding(shapefiles[0], names)
            gdbs = sorted({n.split(".gdb/")[0] + ".gdb" for n in names if ".gdb/" in n})
            inner = shapefiles[0] if shapefiles else (gdbs[0] if gdbs else "")
            return f"/vsizip/{self.path.resolve()}/{inner}".rstrip("/"), None
        if suffix == ".shp":
            return str(self.path), self.path.with_suffix(".dbf")
        return str(self.path), None

    def _zip_dbf_encoding(self, shp_name: str, names: list[str]) -> str:
        import tempfile

        stem = shp_name[:-4]
        with zipfile.ZipFile(self.path) as archive, tempfile.TemporaryDirectory() as tmp:
            for name in names:
                if name.lower() in (stem.lower() + ".dbf", stem.lower() + ".cpg"):
                    target = Path(tmp) / ("layer" + Path(name).suffix.lower())
                    target.write_bytes(archive.read(name))
            dbf = Path(tmp) / "layer.dbf"
            return detect_dbf_encoding(dbf) if dbf.exists() else "UTF-8"

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
        for lyr in self._layers:
            defn = lyr.GetLayerDefn()
            fields = [clean_field_name(defn.GetFieldDefn(i).GetName()) for i in range(defn.GetFieldCount())]
            srs = self._override_crs or lyr.GetSpatialRef()
            infos.append(LayerInfo(lyr.GetName(), lyr.GetFeatureCount(), fields,
                                   describe_crs(srs), self.encoding))
        return infos

    def _source_gk_meridian(self, lyr: Any) -> int | None:
        """The central meridian when the layer is in a CGCS2000 3-degree Gauss-Krüger CRS."""
        from inspector.geodesy import GK_EPSG_BY_CM, GK_EPSG_WITH_PREFIX_BY_CM

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
        """Every feature of the polygon layers; GDAL's own warnings (unclosed rings…)
        are silenced because the importer reports each problem per feature."""
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        try:
            yield from self._features()
        finally:
            gdal.PopErrorHandler()

    def _features(self) -> Iterator[SourceFeature]:
        from inspector.geodesy import central_meridian

        for lyr in self._layers:
            transform = self._transform_for(lyr)
            source_meridian = self._source_gk_meridian(lyr)
            defn = lyr.GetLayerDefn()
            names = [clean_field_name(defn.GetFieldDefn(i).GetName()) for i in range(defn.GetFieldCount())]
            lyr.ResetReading()
            for feature in lyr:
                attributes = {name: _plain(feature.GetField(i)) for i, name in enumerate(names)}
                geom = feature.GetGeometryRef()
                if geom is None or geom.IsEmpty():
                    yield SourceFeature(lyr.GetName(), feature.GetFID(), attributes, None, "", 0)
                    continue
                geometry_type = geom.GetGeometryName()
                geom = geom.GetLinearGeometry() if geom.HasCurveGeometry() else geom.Clone()
                geom.FlattenTo2D()
                before = geom.ExportToIsoWkb()
                geom.CloseRings()
                rings_closed = int(geom.ExportToIsoWkb() != before)
                source_area = geom.GetArea() if source_meridian is not None else None
                geom.Transform(transform)
                if source_area is not None:
                    min_lon, max_lon, _, _ = geom.GetEnvelope()
                    if central_meridian((min_lon + max_lon) / 2) != source_meridian:
                        source_area = None
                yield SourceFeature(lyr.GetName(), feature.GetFID(), attributes,
                                    bytes(geom.ExportToIsoWkb()), geometry_type, rings_closed,
                                    source_area)


def clean_field_name(name: str) -> str:
    """A DBF field name cut inside a UTF-8 character (10-byte limit) loses the broken tail."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "ignore")


def _plain(value: Any) -> Any:
    """OGR field values as JSON-friendly Python values."""
    if isinstance(value, str):
        return clean_field_name(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
