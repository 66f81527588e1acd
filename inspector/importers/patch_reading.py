"""Reading and checking a change-patch file part by part: everything :mod:`inspector.importers.patch_import`
stores that comes from the file alone.

:func:`patch_parts` opens the file (:mod:`inspector.geo.vector_source`), yields its layers, then the checked
patches in parts of :data:`PART_FEATURES` features (the first smaller): each geometry checked and repaired
like a zone's (:func:`~inspector.importers.zone_import.parse_and_validate`,
:func:`~inspector.importers.zone_import.repaired_polygon`), impossible coordinates and more than
:data:`~inspector.geo.patch_geometry.MAX_VERTICES` vertices rejected with the feature and the reason, the
attributes mapped, the imaging dates and the reported area read, and each polygon measured (stored GeoJSON,
representative point, areas; a reported area 5 % off flagged). It reads nothing from the workspace, so the
importer may run it in a bounded child process while it attributes the parts already received (shapely
holds the GIL: a thread could not overlap the two); every part is the same either way.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Generator

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.errors import InvalidValue, Message
from inspector.geo import geodesy
from inspector.geo.patch_geometry import MAX_VERTICES, representative_points, stored_geometries
from inspector.geo.vector_source import SourceFeature, VectorSource, non_finite_vertex
from inspector.geo.zone_geometry_checks import non_finite_reason
from inspector.importers.area_units import AreaUnit, area_flag, parse_area, unit_in_header
from inspector.importers.ledger_values import cell_text, parse_date
from inspector.importers.zone_import import (
    NO_GEOMETRY,
    UNREADABLE_GEOMETRY,
    parse_and_validate,
    repaired_polygon,
    resolve_fields,
)
from inspector.vocabulary import PATCH_FIELD_SYNONYMS

PART_FEATURES = 1000  # features per part: attributing 1,000 at a time costs no more than all at once
FIRST_PART_FEATURES = 200  # features of the first part: read in ~0.03 s, so that attributing starts early
# Kept when the patch is silent (a joined ledger case keeps its reported area and its texts).
TEXT_COLUMNS = ("ledger_city", "ledger_county", "problem_type", "description")


@dataclass
class PatchLayers:
    """The first thing :func:`patch_parts` yields: the polygon layers, as ``PatchImportResult.layers``."""

    layers: list[dict[str, Any]]


@dataclass
class PatchPart:
    """The checked patches of one part of the file and what was said about its features, in file order."""

    patches: list[dict[str, Any]] = field(default_factory=list)  # case columns, ``where``, ``polygon``
    unreadable: list[dict[str, Any]] = field(default_factory=list)  # rejected as read: no or no readable feature
    rejected: list[dict[str, Any]] = field(default_factory=list)  # rejected as patches, with the reason
    repaired: list[dict[str, Any]] = field(default_factory=list)
    area_flags: list[dict[str, Any]] = field(default_factory=list)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (from the reading child) with the patches' polygons as one list of WKB, made by one
        vectorised call: shapely pickles each geometry by a call of its own, ten times slower. WKB keeps
        every coordinate exactly, as shapely's own pickling does."""
        state = dict(self.__dict__)
        state["patches"] = [{key: value for key, value in patch.items() if key != "polygon"}
                            for patch in self.patches]
        polygons = np.array([patch["polygon"][0] for patch in self.patches], dtype=object)
        state["polygon_wkb"] = shapely.to_wkb(polygons).tolist() if len(polygons) else []
        state["polygon_m2"] = [patch["polygon"][1] for patch in self.patches]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        wkbs, areas = state.pop("polygon_wkb"), state.pop("polygon_m2")
        polygons = shapely.from_wkb(wkbs).tolist() if wkbs else []
        for patch, polygon, area in zip(state["patches"], polygons, areas):
            patch["polygon"] = (polygon, area)
        self.__dict__.update(state)


def patch_parts(path: str, crs: str | None, encoding: str | None,
                field_map: dict[str, str]) -> Generator[PatchLayers | PatchPart, None, None]:
    """The layers of the polygon file ``path``, then its checked patches part by part (see the module
    docstring); :class:`~inspector.errors.BadInput` when the file cannot be read as a whole."""
    with VectorSource(path, encoding=encoding, crs=crs) as source:
        maps, layers = {}, []
        for info in source.layer_infos():
            maps[info.name] = resolve_fields(info.fields, field_map, PATCH_FIELD_SYNONYMS)
            layers.append({"name": info.name, "features": info.feature_count, "crs": info.crs,
                           "encoding": info.encoding, "fields": maps[info.name]})
        yield PatchLayers(layers)
        area_units = {layer: unit_in_header(fields.get("area")) for layer, fields in maps.items()}
        dates: dict[Any, str | None] = {}  # parsed imaging dates by their value: a file repeats a few
        features = source.features()
        size = FIRST_PART_FEATURES
        while chunk := list(itertools.islice(features, size)):
            yield _checked_part(chunk, maps, area_units, dates)
            size = PART_FEATURES


def _checked_part(features: list[SourceFeature], maps: dict[str, dict[str, str]],
                  area_units: dict[str, AreaUnit | None], dates: dict[Any, str | None]) -> PatchPart:
    part = PatchPart()
    records = []
    for feature in features:
        mapped = {key: feature.attributes.get(src) for key, src in maps[feature.layer].items()}
        where = {"layer": feature.layer, "feature": feature.fid, "patch_no": cell_text(mapped.get("patch_no")),
                 "case_no": cell_text(mapped.get("case_no"))}
        if feature.problem is not None or feature.wkb is None:
            part.unreadable.append({**where, **(feature.problem or NO_GEOMETRY).fields()})
            continue
        records.append((feature, mapped, where))
    geoms, valid, problems = parse_and_validate([f.wkb for f, _, _ in records if f.wkb is not None])
    present = ~shapely.is_missing(geoms)
    vertices = np.zeros(len(geoms), dtype=np.int64)
    vertices[present] = shapely.get_num_coordinates(geoms[present])
    unreadable = ~present
    unreadable[present] = shapely.is_empty(geoms[present])
    polygons: list[BaseGeometry] = []
    source_areas: list[float | None] = []
    for (feature, mapped, where), geom, is_valid, problem, count, is_unreadable in zip(
            records, geoms, valid, problems, vertices.tolist(), unreadable.tolist()):
        try:
            patch, polygon, source_area = _patch(feature, mapped, where, None if is_unreadable else geom,
                                                 bool(is_valid), problem, count, area_units[feature.layer],
                                                 dates, part)
        except InvalidValue as exc:
            part.rejected.append({**where, **exc.message.fields()})
            continue
        part.patches.append(patch)
        polygons.append(polygon)
        source_areas.append(source_area)
    _measure(part, np.asarray(polygons, dtype=object), source_areas)
    return part


def _patch(feature: SourceFeature, mapped: dict[str, Any], where: dict[str, Any], geom: Any, is_valid: bool,
           problem: Message | None, vertices: int, area_unit: AreaUnit | None, dates: dict[Any, str | None],
           part: PatchPart) -> tuple[dict[str, Any], BaseGeometry, float | None]:
    """The case columns of one feature that are not measured from its polygon, the (repaired) polygon,
    and the area measured in the source CRS when that can stand for the polygon's; :class:`InvalidValue`
    with the reason when it cannot be a patch. ``geom`` is None when unreadable or empty; ``vertices``
    counts its coordinates, ``area_unit`` is the one the area field's name gives, ``dates`` the dates
    parsed so far by their value."""
    if geom is None:
        vertex = non_finite_vertex(feature.wkb) if feature.wkb is not None else None
        raise InvalidValue(non_finite_reason(vertex) if vertex is not None else UNREADABLE_GEOMETRY)
    if problem is not None:
        raise InvalidValue(problem)
    if vertices > MAX_VERTICES:
        raise InvalidValue(f"顶点过多（{vertices:,}，上限 {MAX_VERTICES:,}）",
                           f"too many vertices ({vertices:,}, at most {MAX_VERTICES:,})")
    if not where["patch_no"] and not where["case_no"]:
        raise InvalidValue("缺少图斑编号和问题编号", "neither a patch number nor a case number")
    try:
        repaired = repaired_polygon(geom, is_valid, feature)
    except shapely.errors.GEOSException as exc:
        raise InvalidValue(Message("几何无法修复", "geometry cannot be repaired").detailed(exc)) from None
    if isinstance(repaired, Message):
        raise InvalidValue(repaired)
    geom, repairs = repaired
    if repairs:
        part.repaired.append({**where, **Message.joined(repairs).fields()})
    reported = parse_area(mapped.get("area"), area_unit)
    imaged = {}
    for key, (zh, en) in (("imaged_before", ("前时相", "earlier imaging date")),
                          ("imaged_after", ("后时相", "later imaging date"))):
        value = mapped.get(key)
        cache_key = (type(value), value) if isinstance(value, (str, int, float)) else None
        if cache_key in dates:
            imaged[key] = dates[cache_key]
            continue
        try:
            imaged[key] = parse_date(value)
        except InvalidValue as exc:
            raise InvalidValue(exc.message.prefixed(f"{zh}：", f"{en}: ")) from None
        if cache_key is not None:
            dates[cache_key] = imaged[key]
    patch = {
        "where": where, "case_no": where["case_no"], "patch_no": where["patch_no"],
        "reported_area_m2": round(reported[0], 4) if reported else None,
        "area_unit": reported[1].name if reported and reported[1] else None,
        "change_type": cell_text(mapped.get("change_type")), **imaged,
        **{key: cell_text(mapped.get(key)) for key in TEXT_COLUMNS},
    }
    return patch, geom, feature.source_area_m2 if not repairs else None


def _measure(part: PatchPart, polygons: np.ndarray, source_areas: list[float | None]) -> None:
    """Give each patch of ``part`` what is measured from its polygon, for all at once: ``geometry_geojson``
    and, for the attribution, ``polygon``: what that text parses to and its area computed in the
    Gauss-Krüger zone (the measure of the overlaps, whose shares of it must add up); a representative
    point inside it as ``lon``/``lat``; ``area_m2`` (the source CRS's when given, else computed in the
    Gauss-Krüger zone); flag a reported area that disagrees."""
    stored, texts = stored_geometries(polygons)
    stored_areas = geodesy.areas_m2(stored).tolist()
    lons, lats = representative_points(polygons)
    unmeasured = [i for i, area in enumerate(source_areas) if area is None]
    areas = list(source_areas)
    for i, area in zip(unmeasured, geodesy.areas_m2(polygons[unmeasured]).tolist()):
        areas[i] = area
    for patch, polygon, stored_area, text, lon, lat, area in zip(part.patches, stored, stored_areas,
                                                                  texts.tolist(), lons, lats, areas):
        patch.update(polygon=(polygon, stored_area), geometry_geojson=text, lon=lon, lat=lat, area_m2=round(area, 2))
        flag = area_flag(patch["area_m2"], patch["reported_area_m2"])
        if flag is not None:
            part.area_flags.append({**patch["where"], **flag})
