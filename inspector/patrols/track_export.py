"""Exporting a patrol's track: GPX 1.1 (one ``trk``, a ``trkseg`` per segment) or a GeoPackage through GDAL.

GPX: the GPX 1.1 namespace, ``metadata`` with the patrol's purpose and start time, and per point ``ele``,
``time``, ``fix``, ``sat`` and ``hdop`` — GPX 1.1's own elements, in the order its schema requires, so no
extension is needed (GPX ``fix`` is none/2d/3d/dgps/pps: RTK solutions are differential, ``dgps``). Text is
written by ElementTree, so a purpose is data, never markup.
GeoPackage (EPSG:4490, longitude first): a LineString layer ``巡查轨迹`` (one feature per segment, with the
patrol's purpose, start and end) and a point layer ``轨迹点`` with each point's time and quality.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from inspector.errors import BadInput
from inspector.patrols.patrols import patrol_dict, patrol_points, resolve_patrol
from inspector.store.workspace import Workspace

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
GPX_FIX = {"none": "none", "gps": "3d", "dgps": "dgps", "pps": "pps", "rtk_fixed": "dgps", "rtk_float": "dgps"}
LINE_LAYER = "巡查轨迹"
POINT_LAYER = "轨迹点"


def _gpx_document(patrol: dict[str, Any], points: list[dict[str, Any]]) -> ElementTree.ElementTree:
    ElementTree.register_namespace("", GPX_NAMESPACE)

    def sub(parent: ElementTree.Element, tag: str, text: Any = None) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{GPX_NAMESPACE}}}{tag}")
        if text is not None:
            element.text = str(text)
        return element

    root = ElementTree.Element(f"{{{GPX_NAMESPACE}}}gpx", {"version": "1.1", "creator": "绿盾 Inspector"})
    metadata = sub(root, "metadata")
    sub(metadata, "name", patrol["purpose"])
    sub(metadata, "time", patrol["started_at"])
    track = sub(root, "trk")
    sub(track, "name", patrol["purpose"])
    sub(track, "type", "巡查")
    segments: dict[int, ElementTree.Element] = {}
    for point in points:
        segment = segments.get(point["segment"])
        if segment is None:
            segment = segments[point["segment"]] = sub(track, "trkseg")
        element = sub(segment, "trkpt")
        element.set("lat", f"{point['lat']:.7f}")
        element.set("lon", f"{point['lon']:.7f}")
        if point["altitude_m"] is not None:
            sub(element, "ele", f"{point['altitude_m']:.2f}")
        sub(element, "time", point["time_utc"])
        if point["fix_type"] in GPX_FIX:
            sub(element, "fix", GPX_FIX[point["fix_type"]])
        if point["satellites"] is not None:
            sub(element, "sat", point["satellites"])
        if point["hdop"] is not None:
            sub(element, "hdop", f"{point['hdop']:.2f}")
    return ElementTree.ElementTree(root)


def _write_gpkg(path: Path, patrol: dict[str, Any], points: list[dict[str, Any]]) -> None:
    from inspector.geo.gdal_bindings import ErrorLog, load_gdal

    _gdal, ogr, osr = load_gdal()
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    with ErrorLog() as log:
        source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        if source is None:
            reason = log.last_failure
            raise BadInput(f"无法写入 GeoPackage：{reason}", f"cannot write the GeoPackage: {reason}")
        lines = source.CreateLayer(LINE_LAYER, srs, ogr.wkbLineString)
        for name in ("patrol_uuid", "purpose", "started_at", "ended_at"):
            lines.CreateField(ogr.FieldDefn(name, ogr.OFTString))
        lines.CreateField(ogr.FieldDefn("segment", ogr.OFTInteger))
        dots = source.CreateLayer(POINT_LAYER, srs, ogr.wkbPoint)
        for name, kind in (("seq", ogr.OFTInteger), ("segment", ogr.OFTInteger), ("time_utc", ogr.OFTString),
                           ("fix_type", ogr.OFTString), ("satellites", ogr.OFTInteger), ("hdop", ogr.OFTReal),
                           ("accuracy_m", ogr.OFTReal), ("altitude_m", ogr.OFTReal)):
            dots.CreateField(ogr.FieldDefn(name, kind))
        source.StartTransaction()
        by_segment: dict[int, list[dict[str, Any]]] = {}
        for point in points:
            by_segment.setdefault(point["segment"], []).append(point)
            feature = ogr.Feature(dots.GetLayerDefn())
            for name in ("seq", "segment", "time_utc", "fix_type", "satellites", "hdop", "accuracy_m", "altitude_m"):
                if point[name] is not None:
                    feature.SetField(name, point[name])
            geometry = ogr.Geometry(ogr.wkbPoint)
            geometry.AddPoint_2D(point["lon"], point["lat"])
            feature.SetGeometry(geometry)
            dots.CreateFeature(feature)
        for segment, members in sorted(by_segment.items()):
            feature = ogr.Feature(lines.GetLayerDefn())
            for name, value in (("patrol_uuid", patrol["uuid"]), ("purpose", patrol["purpose"]),
                                ("started_at", patrol["started_at"]), ("ended_at", patrol["ended_at"] or ""),
                                ("segment", segment)):
                feature.SetField(name, value)
            geometry = ogr.Geometry(ogr.wkbLineString)
            for point in members:
                geometry.AddPoint_2D(point["lon"], point["lat"])
            feature.SetGeometry(geometry)
            lines.CreateFeature(feature)
        source.CommitTransaction()
        source = None  # closes the file


def export_track(ws: Workspace, ref: str, output: str | Path) -> dict[str, Any]:
    """Write the patrol's track to ``output`` (``.gpx`` or ``.gpkg``); returns the file, format and counts."""
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".gpx", ".gpkg"):
        raise BadInput("输出文件须为 .gpx 或 .gpkg", "the output must be a .gpx or .gpkg file")
    row = resolve_patrol(ws.conn, ref)
    patrol, points = patrol_dict(row), patrol_points(ws.conn, row["id"])
    temp = path.with_name(path.name + ".part")
    temp.unlink(missing_ok=True)
    try:
        if suffix == ".gpx":
            _gpx_document(patrol, points).write(temp, encoding="utf-8", xml_declaration=True)
        else:
            _write_gpkg(temp, patrol, points)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return {"file": str(path), "format": suffix[1:], "uuid": patrol["uuid"], "points": len(points),
            "segments": len({p["segment"] for p in points})}
