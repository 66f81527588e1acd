"""The exported ledger as a GeoPackage: one point per case in CGCS2000 (EPSG:4490), through GDAL.

Every original and progress column becomes an attribute (texts as strings,
the dates of the closure request and of closure as dates, 整改时限 as ISO
text since a ledger's own deadline may be free text, the counts as integers). A GeoPackage's field
names must differ ignoring case, so a progress column whose name the original
ledger already uses (整改时限, 市, ...) gets the suffix ``（进度）``.
Coordinates are written longitude first (the traditional GIS axis order),
which is how GIS software reads a CGCS2000 point.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterator

from inspector.errors import BadInput
from inspector.geo.gdal_bindings import ErrorLog, load_gdal
from inspector.reports.ledger_rows import AREA_COLUMNS, DATE_COLUMNS, NUMBER_COLUMNS, LedgerRow, LedgerRows

LAYER_NAME = "问题台账"
PROGRESS_SUFFIX = "（进度）"
TRANSACTION_ROWS = 10_000  # features written per transaction
# progress dates that are always calendar days (整改时限 may hold a ledger's own text, so it stays a string)
DAY_COLUMNS = DATE_COLUMNS - {"整改时限"}


def field_names(data: LedgerRows) -> list[str]:
    """The attribute names: the columns, made unique ignoring case."""
    names: list[str] = []
    taken: set[str] = set()
    for index, column in enumerate(data.columns):
        name = column
        while name.casefold() in taken:
            name += PROGRESS_SUFFIX if index >= len(data.original_columns) else "_"
        taken.add(name.casefold())
        names.append(name)
    return names


def write_gpkg(path: Path, data: LedgerRows, rows: Iterator[LedgerRow]) -> None:
    _gdal, ogr, osr = load_gdal()
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    names = field_names(data)
    original = len(data.original_columns)
    with ErrorLog() as log:
        try:
            source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
            layer = source.CreateLayer(LAYER_NAME, srs, ogr.wkbPoint, ["SPATIAL_INDEX=YES"])
            for index, (column, name) in enumerate(zip(data.columns, names)):
                kind = ogr.OFTString
                if index >= original and column in DAY_COLUMNS:
                    kind = ogr.OFTDate
                elif index >= original and column in NUMBER_COLUMNS:
                    kind = ogr.OFTInteger
                elif index >= original and column in AREA_COLUMNS:
                    kind = ogr.OFTReal
                layer.CreateField(ogr.FieldDefn(name, kind))
            definition = layer.GetLayerDefn()
            layer.StartTransaction()
            for count, row in enumerate(rows, start=1):
                feature = ogr.Feature(definition)
                for index, value in enumerate(row.original + row.progress):
                    if value is not None:
                        feature.SetField(index, _field_value(value))
                point = ogr.Geometry(ogr.wkbPoint)
                point.AddPoint_2D(row.lon, row.lat)
                feature.SetGeometry(point)
                layer.CreateFeature(feature)
                if count % TRANSACTION_ROWS == 0:
                    layer.CommitTransaction()
                    layer.StartTransaction()
            layer.CommitTransaction()
            source.FlushCache()
            source = None
        except RuntimeError as exc:
            raise BadInput(f"无法写入 GeoPackage：{log.reason(exc)}",
                           f"cannot write the GeoPackage: {log.reason(exc)}") from exc


def _field_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
