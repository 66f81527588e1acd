"""Import remote-sensing change patches (变化图斑) as cases with their extent.

``import_patches`` reads a polygon file through the same reader as the zones
(:mod:`inspector.geo.vector_source`: Shapefile, zipped Shapefile, GPKG, GeoJSON, KML, FileGDB; GBK
detection, CRS from the file or ``--crs``, bounded before allocating), checks and repairs each geometry
like a zone's (:func:`~inspector.importers.zone_import.parse_and_validate`,
:func:`~inspector.importers.zone_import.repaired_polygon`; repairs reported, impossible coordinates and
more than :data:`~inspector.geo.patch_geometry.MAX_VERTICES` vertices rejected with the feature and the
reason), maps the attributes through :data:`~inspector.vocabulary.PATCH_FIELD_SYNONYMS` (or ``--map``)
and reads the area with its unit (:mod:`inspector.importers.area_units`, from the field name or the
value).

A patch joins an existing case by 问题编号 or 图斑编号 (``join``: ``case_no`` or ``patch_no``; by default
the 问题编号 when the patch has one that exists, else the 图斑编号); otherwise it creates a case
(origin ``patch``, numbered by its 问题编号, else its 图斑编号). Re-importing updates and never duplicates.
The case keeps the polygon (EPSG:4490 GeoJSON), a representative point inside it as ``lon``/``lat``, the
area computed in the Gauss-Krüger zone and the reported one; a disagreement over 5 % is flagged
(``area_flags``). Like a ledger re-import, a changed case gets a new revision and is marked dirty, and
the written cases are attributed to every zone they overlap, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.errors import BadInput, InvalidValue, Message
from inspector.geo import geodesy
from inspector.geo.patch_geometry import MAX_VERTICES, representative_points, stored_geometries
from inspector.geo.vector_source import VectorSource, non_finite_vertex
from inspector.geo.zone_geometry_checks import non_finite_reason
from inspector.importers.area_units import AreaUnit, area_flag, parse_area, unit_in_header
from inspector.importers.ledger_import import ledger_hash
from inspector.importers.ledger_values import cell_text, parse_date
from inspector.importers.zone_import import (
    NO_GEOMETRY,
    UNREADABLE_GEOMETRY,
    parse_and_validate,
    repaired_polygon,
    resolve_fields,
)
from inspector.store.changes import Changes, note_cases, recording
from inspector.store.db import atomic
from inspector.store.workspace import Workspace, new_uuid, utc_now
from inspector.vocabulary import PATCH_FIELD_SYNONYMS, parse_map_option

JOIN_FIELDS = ("case_no", "patch_no")
# The case columns a patch sets (besides case_no / origin on creation).
PATCH_COLUMNS = ("geometry_geojson", "lon", "lat", "area_m2", "patch_no", "imaged_before", "imaged_after",
                 "change_type")
# Kept when the patch is silent (a joined ledger case keeps its reported area and its texts).
TEXT_COLUMNS = ("ledger_city", "ledger_county", "problem_type", "description")
OPTIONAL_COLUMNS = ("reported_area_m2", "area_unit") + TEXT_COLUMNS


@dataclass
class PatchImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    repaired: list[dict[str, Any]] = field(default_factory=list)
    area_flags: list[dict[str, Any]] = field(default_factory=list)
    layers: list[dict[str, Any]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes, repr=False)  # what the import wrote (not in as_dict)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        del data["changes"]
        return data


def parse_patch_map(text: str | None) -> dict[str, str]:
    """Parse ``patch_no=TBBH,area=MJ`` into a mapping; unknown keys are bad input."""
    return parse_map_option(text, PATCH_FIELD_SYNONYMS, ("源字段", "FIELD"))


def import_patches(ws: Workspace, path: str | Path, *, crs: str | None = None, encoding: str | None = None,
                   field_map: dict[str, str] | None = None, join: str | None = None) -> PatchImportResult:
    """Import every polygon layer of ``path`` as change patches; see the module docstring."""
    if join is not None and join not in JOIN_FIELDS:
        raise BadInput(f"--join 只能是 {' 或 '.join(JOIN_FIELDS)}：{join}",
                       f"--join takes {' or '.join(JOIN_FIELDS)}: {join}")
    path = Path(path)
    result = PatchImportResult()
    with VectorSource(path, encoding=encoding, crs=crs) as source:
        maps = {}
        for info in source.layer_infos():
            maps[info.name] = resolve_fields(info.fields, field_map or {}, PATCH_FIELD_SYNONYMS)
            result.layers.append({"name": info.name, "features": info.feature_count, "crs": info.crs,
                                  "encoding": info.encoding, "fields": maps[info.name]})
        features = list(source.features())
    records = []
    for feature in features:
        mapped = {key: feature.attributes.get(src) for key, src in maps[feature.layer].items()}
        where = {"layer": feature.layer, "feature": feature.fid, "patch_no": cell_text(mapped.get("patch_no")),
                 "case_no": cell_text(mapped.get("case_no"))}
        if feature.problem is not None or feature.wkb is None:
            result.rejected.append({**where, **(feature.problem or NO_GEOMETRY).fields()})
            continue
        records.append((feature, mapped, where))
    geoms, valid, problems = parse_and_validate([f.wkb for f, _, _ in records if f.wkb is not None])
    present = ~shapely.is_missing(geoms)
    vertices = np.zeros(len(geoms), dtype=np.int64)
    vertices[present] = shapely.get_num_coordinates(geoms[present])
    unreadable = ~present
    unreadable[present] = shapely.is_empty(geoms[present])
    area_units = {layer: unit_in_header(fields.get("area")) for layer, fields in maps.items()}
    dates: dict[Any, str | None] = {}  # parsed imaging dates by their value: a file repeats a few
    patches: list[dict[str, Any]] = []
    polygons: list[BaseGeometry] = []
    source_areas: list[float | None] = []
    for (feature, mapped, where), geom, is_valid, problem, count, is_unreadable in zip(
            records, geoms, valid, problems, vertices.tolist(), unreadable.tolist()):
        try:
            patch, polygon, source_area = _patch(feature, mapped, where, None if is_unreadable else geom,
                                                 bool(is_valid), problem, count, area_units[feature.layer],
                                                 dates, result)
        except InvalidValue as exc:
            result.rejected.append({**where, **exc.message.fields()})
            continue
        patches.append(patch)
        polygons.append(polygon)
        source_areas.append(source_area)
    _measure(patches, np.asarray(polygons, dtype=object), source_areas, result)
    _store(ws, path, patches, join, result)
    return result


def _patch(feature: Any, mapped: dict[str, Any], where: dict[str, Any], geom: Any, is_valid: bool,
           problem: Message | None, vertices: int, area_unit: AreaUnit | None, dates: dict[Any, str | None],
           result: PatchImportResult) -> tuple[dict[str, Any], BaseGeometry, float | None]:
    """The case columns of one feature that are not measured from its polygon, the (repaired) polygon,
    and the area measured in the source CRS when that can stand for the polygon's; :class:`InvalidValue`
    with the reason when it cannot be a patch. ``geom`` is None when unreadable or empty; ``vertices``
    counts its coordinates, ``area_unit`` is the one the area field's name gives, ``dates`` the dates
    parsed so far by their value."""
    if geom is None:
        vertex = non_finite_vertex(feature.wkb)
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
        result.repaired.append({**where, **Message.joined(repairs).fields()})
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


def _measure(patches: list[dict[str, Any]], polygons: np.ndarray, source_areas: list[float | None],
             result: PatchImportResult) -> None:
    """Give each patch what is measured from its polygon, for all patches at once: ``geometry_geojson``
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
    for patch, polygon, stored_area, text, lon, lat, area in zip(patches, stored, stored_areas, texts.tolist(),
                                                                  lons, lats, areas):
        patch.update(polygon=(polygon, stored_area), geometry_geojson=text, lon=lon, lat=lat, area_m2=round(area, 2))
        flag = area_flag(patch["area_m2"], patch["reported_area_m2"])
        if flag is not None:
            result.area_flags.append({**patch["where"], **flag})


def _store(ws: Workspace, path: Path, patches: list[dict[str, Any]], join: str | None,
           result: PatchImportResult) -> None:
    """Attribute the patches to write (they bring their polygons), then insert or update their cases with
    where they lie, in one transaction."""
    from inspector.geo.attribution import ATTRIBUTION_COLUMNS, attributions, write_zone_links

    conn = ws.conn
    by_case_no = {r[0]: r[1] for r in conn.execute("SELECT case_no, id FROM cases")}
    by_patch_no = {r[0]: r[1] for r in conn.execute(
        "SELECT patch_no, id FROM cases WHERE patch_no IS NOT NULL")}
    stored = {r[0]: tuple(r[1:]) for r in conn.execute(
        f"SELECT id, {', '.join(PATCH_COLUMNS + OPTIONAL_COLUMNS)} FROM cases WHERE origin = 'patch' "
        "OR geometry_geojson IS NOT NULL")}
    inserts, updates, seen = [], [], set()
    for patch in patches:
        case_id = _joined_case(patch, join, by_case_no, by_patch_no)
        if case_id is None and patch["case_no"] is None:
            patch["case_no"] = patch["patch_no"]
        key = case_id if case_id is not None else patch["case_no"]
        if key in seen:
            result.rejected.append({**patch["where"], **Message(
                "同一图斑或问题在文件中重复", "the same patch or case appears twice in the file").fields()})
            continue
        seen.add(key)
        if case_id is None and patch["case_no"] in by_case_no:
            result.rejected.append({**patch["where"], **Message(
                f"问题编号 {patch['case_no']} 已属于另一个图斑的问题",
                f"case number {patch['case_no']} belongs to a case of another patch").fields()})
            continue
        if case_id is None:
            inserts.append(patch)
        elif case_id in stored and stored[case_id] == _merged(patch, stored[case_id]):
            result.unchanged += 1
        else:
            updates.append((case_id, patch))
    written = inserts + [patch for _, patch in updates]
    found = attributions(ws, np.array([p["lon"] for p in written], dtype=float),
                         np.array([p["lat"] for p in written], dtype=float), [p["polygon"] for p in written])
    for patch, attribution in zip(written, found):
        patch["attribution"] = attribution
    now = utc_now()
    columns = PATCH_COLUMNS + OPTIONAL_COLUMNS
    with recording(conn) as journal, atomic(conn):
        conn.executemany(
            f"INSERT INTO cases (case_no, {', '.join(columns + ATTRIBUTION_COLUMNS)}, origin, ledger_hash, uuid, "
            f"created_at, updated_at) VALUES (?, {', '.join('?' * len(columns + ATTRIBUTION_COLUMNS))}, 'patch', "
            "?, ?, ?, ?)",
            [(p["case_no"], *(p[c] for c in columns), *p["attribution"].columns, ledger_hash(p), new_uuid(), now, now)
             for p in inserts])
        assignments = ", ".join([f"{c} = ?" for c in PATCH_COLUMNS + ATTRIBUTION_COLUMNS]
                                + [f"{c} = COALESCE(?, {c})" for c in OPTIONAL_COLUMNS])
        conn.executemany(
            f"UPDATE cases SET {assignments}, revision = revision + 1, dirty = 1, updated_at = ? WHERE id = ?",
            [(*(p[c] for c in PATCH_COLUMNS), *p["attribution"].columns, *(p[c] for c in OPTIONAL_COLUMNS), now,
              case_id) for case_id, p in updates])
        result.created, result.updated = len(inserts), len(updates)
        ids = [case_id for case_id, _ in updates]
        linked = [patch["attribution"] for _, patch in updates]
        by_number = {p["case_no"]: p for p in inserts}
        numbers = list(by_number)
        for start in range(0, len(numbers), 900):
            chunk = numbers[start:start + 900]
            for case_id, case_no in conn.execute(
                    f"SELECT id, case_no FROM cases WHERE case_no IN ({','.join('?' * len(chunk))})", chunk):
                ids.append(case_id)
                linked.append(by_number[case_no]["attribution"])
        note_cases(conn, "cases", ids)
        write_zone_links(conn, ids, linked)
    result.changes = journal.changes


def _merged(patch: dict[str, Any], old: tuple[Any, ...]) -> tuple[Any, ...]:
    """The case's patch and optional columns after the patch is applied to ``old`` (their stored values)."""
    optional = old[len(PATCH_COLUMNS):]
    return tuple(patch[c] for c in PATCH_COLUMNS) + tuple(
        patch[c] if patch[c] is not None else kept for c, kept in zip(OPTIONAL_COLUMNS, optional))


def _joined_case(patch: dict[str, Any], join: str | None, by_case_no: dict[str, int],
                 by_patch_no: dict[str, int]) -> int | None:
    """The id of the case a patch joins, or None when it creates one."""
    by_case = by_case_no.get(patch["case_no"]) if patch["case_no"] else None
    by_patch = by_patch_no.get(patch["patch_no"]) if patch["patch_no"] else None
    if join == "case_no":
        return by_case
    if join == "patch_no":
        return by_patch
    return by_case if by_case is not None else by_patch


def patch_summary(result: PatchImportResult) -> str:
    """One line for the terminal, then one per rejection, repair and area flag."""
    from inspector.i18n import pick

    lines = [pick(f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，"
                  f"修复 {len(result.repaired)}，拒绝 {len(result.rejected)}，面积不符 {len(result.area_flags)}",
                  f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
                  f"repaired {len(result.repaired)}, rejected {len(result.rejected)}, "
                  f"area disagreements {len(result.area_flags)}")]
    for kind_zh, kind_en, items in (("修复", "repaired", result.repaired), ("拒绝", "rejected", result.rejected)):
        lines += [pick(f"  {kind_zh} {r['layer']}#{r['feature']}：{r['reason']}",
                       f"  {kind_en} {r['layer']}#{r['feature']}: {r['reason']}") for r in items]
    lines += [pick(f"  面积不符 {f['layer']}#{f['feature']}：计算 {f['area_m2']} ㎡，上报 {f['reported_area_m2']} ㎡",
                   f"  area disagrees {f['layer']}#{f['feature']}: computed {f['area_m2']} m², "
                   f"reported {f['reported_area_m2']} m²") for f in result.area_flags]
    return "\n".join(lines)

