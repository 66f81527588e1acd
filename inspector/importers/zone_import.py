"""Import red-line, control-area and protected-area polygons into a workspace.

``import_zones`` reads a vector file (see :mod:`inspector.geo.vector_source`),
maps its attributes to zone fields (Chinese synonyms, or the caller's
``--map``), rejects features with impossible coordinates (NaN, out of
range, outside Jiangsu: :mod:`inspector.geo.zone_geometry_checks`) or that GDAL
could not read, each with its id and reason, repairs the other invalid
geometries with MakeValid and reports each repair, keeps holes and
multipolygons, computes areas in the Gauss-Krüger zone, and upserts by
(layer, feature key) so that re-importing a layer updates zones instead of
duplicating them. Cases are re-attributed in the same transaction.

Each rejection and repair says why in Chinese and English (``reason`` in the
current language, ``reason_zh`` and ``reason_en`` beside it; GEOS's and
GDAL's own English words appended to both); warnings are in the current
language. The ``repaired`` column keeps the repairs in Chinese, the
workspace's language, whatever language the import ran in.

:func:`store_zone_rows` is the writing half on its own: the sync client
applies zone layers the server distributes (:mod:`inspector.importers.zone_layer_file`)
through it, with the rows the server's import prepared.
"""
from __future__ import annotations

import hashlib
import json
import operator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.errors import BadInput, Message
from inspector.geo import geodesy
from inspector.geo.vector_source import SourceFeature, VectorSource, non_finite_vertex
from inspector.geo.zone_geometry_checks import coordinate_problems, non_finite_reason
from inspector.i18n import pick
from inspector.store.changes import Changes, note_kind, recording
from inspector.store.db import atomic
from inspector.store.workspace import Workspace, new_uuid, utc_now
from inspector.vocabulary import (
    KIND_UNKNOWN,
    ZONE_FIELD_SYNONYMS,
    match_fields,
    normalise_category,
    normalise_function_zone,
    normalise_kind,
    parse_map_option,
)

Progress = Callable[[int, int, str], None]
ZONE_FIELDS = tuple(ZONE_FIELD_SYNONYMS)
# The stored columns of a prepared zone row (besides uuid, bookkeeping and geometry).
ZONE_COLUMNS = ("layer_key", "feature_key", "code", "name", "kind", "category", "function_zone",
                "level", "adcode", "area_km2", "source_file", "source_fid", "attributes",
                "repaired", "content_hash")
# The fields a zone's content hash covers, in order, each hashed as "key=value\x1f", then its WKB.
_HASHED_FIELDS = ("code", "name", "kind", "category", "function_zone", "level", "adcode", "attributes")
_INSERT_BATCH = 1000
_VALIDATE_BATCH = 256  # features per validation job
UNREADABLE_GEOMETRY = Message("几何无法解析", "unreadable geometry")
NO_GEOMETRY = Message("要素没有几何", "feature has no geometry")
RING_CLOSED = Message("环未闭合，已闭合", "unclosed ring closed")


@dataclass
class ZoneImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    repaired: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    layers: list[dict[str, Any]] = field(default_factory=list)
    cases_reattributed: int = 0
    changes: Changes = field(default_factory=Changes, repr=False)  # what the import wrote (not in as_dict)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        del data["changes"]
        return data


def parse_field_map(text: str | None) -> dict[str, str]:
    """Parse ``name=FIELD,code=FIELD`` into a mapping; unknown keys are bad input."""
    return parse_map_option(text, ZONE_FIELDS, ("源字段", "FIELD"))


def resolve_fields(fields: list[str], overrides: dict[str, str],
                   synonyms: dict[str, tuple[str, ...]] = ZONE_FIELD_SYNONYMS) -> dict[str, str]:
    """Canonical field (a zone's, or a patch's with ``synonyms``) → source field name: found by its synonyms,
    then as ``--map`` overrides name it (a name not in the layer is bad input)."""
    found = {key: fields[pos] for key, pos in match_fields(fields, synonyms).items()}
    lowered = {f.lower(): f for f in fields}
    for key, source in overrides.items():
        if source.lower() not in lowered:
            raise BadInput(f"--map 指定的字段 {source} 不在图层中（有：{', '.join(fields)}）",
                           f"--map field {source} is not in the layer (fields: {', '.join(fields)})")
        found[key] = lowered[source.lower()]
    return found


def _kind_from_name(path: Path) -> str | None:
    return normalise_kind(path.stem)


def import_zones(ws: Workspace, path: str | Path, *, crs: str | None = None,
                 encoding: str | None = None, field_map: dict[str, str] | None = None,
                 kind: str | None = None, layer: str | None = None,
                 progress: Progress | None = None) -> ZoneImportResult:
    """Import every polygon layer of ``path`` into the workspace."""
    path = Path(path)
    default_kind = normalise_kind(kind) if kind else _kind_from_name(path)
    if kind and default_kind is None:
        raise BadInput(f"未知的区域类型：{kind}", f"unknown zone kind: {kind}")
    result = ZoneImportResult()
    with VectorSource(path, encoding=encoding, crs=crs, layer=layer) as source:
        records, checked = _read_features(source, field_map or {}, result, progress)
    kept: list[dict[str, Any]] = []
    geoms = checked[0]
    unreadable = shapely.is_missing(geoms)
    unreadable[~unreadable] = shapely.is_empty(geoms[~unreadable])
    for record, geom, is_valid, problem, is_unreadable in zip(records, *checked, unreadable.tolist()):
        where = record["where"]
        if is_unreadable:
            vertex = non_finite_vertex(record["feature"].wkb)
            reason = non_finite_reason(vertex) if vertex is not None else UNREADABLE_GEOMETRY
            result.rejected.append({**where, **reason.fields()})
            continue
        if problem is not None:
            result.rejected.append({**where, **problem.fields()})
            continue
        try:
            repaired = repaired_polygon(geom, is_valid, record["feature"])
        except shapely.errors.GEOSException as exc:
            reason = Message("几何无法修复", "geometry cannot be repaired").detailed(exc)
            result.rejected.append({**where, **reason.fields()})
            continue
        if isinstance(repaired, Message):
            result.rejected.append({**where, **repaired.fields()})
            continue
        geom, reasons = repaired
        repairs = Message.joined(reasons) if reasons else None
        if repairs is not None:
            result.repaired.append({**where, **repairs.fields()})
        record["geom"] = geom
        record["repaired"] = repairs.zh if repairs is not None else None
        # Unchanged geometries keep GDAL's WKB (SQL casts Polygon to MultiPolygon).
        record["wkb"] = shapely.to_wkb(geom) if reasons else record["feature"].wkb
        kept.append(record)

    rows = [_zone_row(path, r, default_kind) for r in kept]
    _fill_areas(rows, kept)
    _assign_feature_keys(rows)
    store_zone_rows(ws, rows, result, source=str(path), progress=progress)
    if any(r["kind"] == KIND_UNKNOWN for r in rows):
        result.warnings.append(pick("部分区域无法判断类型（红线/管控区/保护地），可用 --kind 指定",
                                    "the kind of some zones (red line / control area / protected area) is unknown; "
                                    "give it with --kind"))
    return result


def _read_features(source: VectorSource, field_map: dict[str, str], result: ZoneImportResult,
                   progress: Progress | None) -> tuple[list[dict[str, Any]], tuple[np.ndarray, ...]]:
    """Read every feature (rejecting those GDAL could not read) while a second thread parses, checks
    and validates the geometries in batches; the records and, per record, (geometry, is valid,
    coordinate problem)."""
    infos = source.layer_infos()
    total = sum(info.feature_count for info in infos)
    field_maps = {info.name: resolve_fields(info.fields, field_map) for info in infos}
    for info in infos:
        result.layers.append({"name": info.name, "features": info.feature_count, "crs": info.crs,
                              "encoding": info.encoding, "fields": field_maps[info.name]})
        if "name" not in field_maps[info.name]:
            result.warnings.append(pick(
                f"图层 {info.name} 没有识别出名称字段，使用要素编号；可用 --map name=字段 指定",
                f"layer {info.name} has no recognised name field, so features are named by number; "
                "give it with --map name=FIELD"))
    records: list[dict[str, Any]] = []
    checked: list[Future] = []
    batch: list[bytes] = []
    # GEOS parses and validates batches on a second thread (shapely releases the GIL)
    # while this one reads and transforms the next features through GDAL.
    with ThreadPoolExecutor(max_workers=1) as validator:
        for done, feature in enumerate(source.features(), start=1):
            if progress and done % 200 == 0:
                progress(done, total, pick("读取要素", "reading features"))
            mapped = {key: feature.attributes.get(src) for key, src in field_maps[feature.layer].items()}
            where = {"layer": feature.layer, "feature": feature.fid, "code": _text(mapped.get("code")),
                     "name": _text(mapped.get("name"))}
            if feature.problem is not None or feature.wkb is None:
                reason = feature.problem or NO_GEOMETRY
                result.rejected.append({**where, **reason.fields()})
                continue
            records.append({"feature": feature, "mapped": mapped, "where": where})
            batch.append(feature.wkb)
            if len(batch) == _VALIDATE_BATCH:
                checked.append(validator.submit(parse_and_validate, batch))
                batch = []
        checked.append(validator.submit(parse_and_validate, batch))
        parts = [job.result() for job in checked]
    return records, tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def repaired_polygon(geom: BaseGeometry, is_valid: bool,
              feature: SourceFeature) -> tuple[BaseGeometry, list[Message]] | Message:
    """The polygonal geometry to store and what was repaired, or the reason the feature is rejected."""
    reasons = []
    if feature.rings_closed:
        reasons.append(RING_CLOSED)
    if not is_valid:
        invalid = shapely.is_valid_reason(geom)  # GEOS's words, e.g. "Self-intersection[120.1 32.5]"
        reasons.append(Message("几何无效，已修复", "invalid geometry repaired").detailed(invalid))
        polygonal = _polygonal_part(shapely.make_valid(geom))
        if polygonal is None:
            return Message("修复后不是面", "not a polygon after repair").detailed(invalid)
        geom = polygonal
    elif geom.geom_type not in ("Polygon", "MultiPolygon"):
        reasons.append(Message(f"仅保留 {geom.geom_type} 中的面部分",
                               f"kept the polygonal parts of a {geom.geom_type}"))
        polygonal = _polygonal_part(geom)
        if polygonal is None:
            return Message("不是面要素", "not a polygon").detailed(feature.geometry_type)
        geom = polygonal
    return geom, reasons


def store_zone_rows(ws: Workspace, rows: list[dict[str, Any]], result: ZoneImportResult, *, source: str,
                    layer_keys: set[str] | None = None, progress: Progress | None = None) -> None:
    """Write prepared zone rows in ONE transaction: upsert by (layer, feature key), tombstone the features
    of these layers (``layer_keys``, default: the rows' layers) that are gone, bump the zones generation,
    log the run under ``source`` and re-attribute every case (``result.changes`` says so). On failure
    nothing is changed."""
    from inspector.geo.attribution import attribute_cases, forget_lookup

    try:
        with recording(ws.conn) as journal, atomic(ws.conn):
            _upsert(ws, rows, result, progress, layer_keys)
            if result.imported or result.updated or result.removed:
                note_kind(ws.conn, "zones")
            ws.bump_zones_generation()
            ws.conn.execute(
                "INSERT INTO import_runs (kind, source_file, started_at, summary) VALUES ('zones', ?, ?, ?)",
                (source, utc_now(), json.dumps(result.as_dict(), ensure_ascii=False, default=str)),
            )
            result.cases_reattributed = attribute_cases(ws)
        result.changes = journal.changes
    except BaseException:
        forget_lookup(ws)  # its index may hold the rolled-back zones
        raise


def parse_and_validate(wkbs: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geometries, whether each is valid, and the coordinate problem of each (checked first: GEOS
    must not see NaN or absurd coordinates)."""
    geoms = np.asarray(shapely.from_wkb(wkbs, on_invalid="ignore"), dtype=object).reshape(-1)
    problems = np.asarray(coordinate_problems(geoms), dtype=object)
    plausible = np.flatnonzero([p is None for p in problems])
    valid = np.zeros(len(geoms), dtype=bool)
    try:
        valid[plausible] = shapely.is_valid(geoms[plausible])
    except shapely.errors.GEOSException:  # one by one; a geometry GEOS fails on goes to the repair step
        for i in plausible:
            try:
                valid[i] = shapely.is_valid(geoms[i])
            except shapely.errors.GEOSException:
                valid[i] = False
    return geoms, valid, problems


def _fill_areas(rows: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """Areas in km²: from the source CRS when it was the zone's own Gauss-Krüger zone
    and the geometry was not repaired, otherwise by projecting the geometry."""
    todo = []
    for row, record in zip(rows, records):
        source_area = record["feature"].source_area_m2
        if source_area is not None and record["repaired"] is None:
            row["area_km2"] = round(source_area / 1e6, 6)
        else:
            todo.append((row, record["geom"]))
    areas = geodesy.areas_m2(np.asarray([geom for _, geom in todo], dtype=object))
    for (row, _), area in zip(todo, areas):
        row["area_km2"] = round(float(area) / 1e6, 6)


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry | None:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for p in parts if not p.is_empty and p.area > 0]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text or None


def _zone_row(path: Path, record: dict[str, Any], default_kind: str | None) -> dict[str, Any]:
    mapped, feature = record["mapped"], record["feature"]
    kind = normalise_kind(mapped.get("kind")) or normalise_kind(mapped.get("category")) or default_kind
    if kind is None and mapped.get("function_zone"):
        kind = "自然保护地"
    wkb = record["wkb"]
    row = {
        "layer_key": f"{path.name}::{feature.layer}",
        "code": _text(mapped.get("code")),
        "name": _text(mapped.get("name")) or f"{feature.layer} #{feature.fid}",
        "kind": kind or KIND_UNKNOWN,
        "category": normalise_category(mapped.get("category")),
        "function_zone": normalise_function_zone(mapped.get("function_zone")),
        "level": _text(mapped.get("level")),
        "adcode": _text(mapped.get("adcode")),
        "area_km2": None,
        "source_file": path.name,
        "source_fid": feature.fid,
        "attributes": json.dumps(feature.attributes, ensure_ascii=False, default=str, sort_keys=True),
        "repaired": record["repaired"],
        "wkb": wkb,
    }
    digest = hashlib.sha256("".join([f"{key}={row[key]}\x1f" for key in _HASHED_FIELDS]).encode())
    digest.update(wkb)
    row["content_hash"] = digest.hexdigest()
    return row


def _assign_feature_keys(rows: list[dict[str, Any]]) -> None:
    """Key features by code (plus function zone) when unique within the layer, else by FID."""
    keyed: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        code_key = f"code:{row['code']}|{row['function_zone'] or ''}" if row["code"] else None
        keyed.setdefault(code_key or "", []).append(row)
    for key, group in keyed.items():
        for row in group:
            row["feature_key"] = key if key and len(group) == 1 else f"fid:{row['source_fid']}"


def _upsert(ws: Workspace, rows: list[dict[str, Any]], result: ZoneImportResult,
            progress: Progress | None, layer_keys: set[str] | None = None) -> None:
    conn = ws.conn
    if layer_keys is None:
        layer_keys = {row["layer_key"] for row in rows}
    existing: dict[tuple[str, str], tuple[int, str, int]] = {}
    for layer_key in layer_keys:
        for zid, fkey, chash, deleted in conn.execute(
            "SELECT id, feature_key, content_hash, deleted FROM zones WHERE layer_key = ?", (layer_key,)
        ):
            existing[(layer_key, fkey)] = (zid, chash, deleted)
    now = utc_now()
    inserts, updates, seen = [], [], set()
    for row in rows:
        key = (row["layer_key"], row["feature_key"])
        seen.add(key)
        if key not in existing:
            inserts.append(row)
        elif existing[key][1] != row["content_hash"] or existing[key][2]:
            updates.append((existing[key][0], row))
        else:
            result.unchanged += 1
    columns = ZONE_COLUMNS
    values = operator.itemgetter(*columns)  # a row's values of the columns, as a tuple
    placeholders = ", ".join("?" * len(columns))
    for start in range(0, len(inserts), _INSERT_BATCH):
        batch = inserts[start : start + _INSERT_BATCH]
        conn.executemany(
            f"INSERT INTO zones ({', '.join(columns)}, uuid, created_at, updated_at, geom) "
            f"VALUES ({placeholders}, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, 4490)))",
            [values(r) + (r.get("uuid") or new_uuid(), now, now, r["wkb"]) for r in batch],
        )
        if progress:
            progress(start + len(batch), len(rows), pick("写入区域", "writing zones"))
    result.imported = len(inserts)
    assignments = ", ".join(f"{c} = ?" for c in columns)
    conn.executemany(
        f"UPDATE zones SET {assignments}, geom = CastToMultiPolygon(GeomFromWKB(?, 4490)), revision = revision + 1, "
        f"dirty = 1, deleted = 0, updated_at = ? WHERE id = ?",
        [values(r) + (r["wkb"], now, zid) for zid, r in updates],
    )
    result.updated = len(updates)
    gone = [v[0] for k, v in existing.items() if k not in seen and not v[2]]
    conn.executemany(
        "UPDATE zones SET deleted = 1, dirty = 1, revision = revision + 1, updated_at = ? WHERE id = ?",
        [(now, zid) for zid in gone],
    )
    result.removed = len(gone)
