"""Map layers as compact JSON: zones, cases, photo positions, drone footprints, admin outlines.

The map page receives *data*, never markup. Every layer is a small columnar
JSON document of IDs (UUIDs), codes (small integers, decoded by our own
``map.js``) and integer coordinates:

* coordinates are quantised to a per-layer quantum (degrees, e.g. ``1e-5`` ≈
  1 m) and each ring is delta-encoded (first vertex absolute, then
  differences), which turns ``[120.123456789, 33.123456789]`` (≈30 bytes)
  into a few digits per vertex;
* zones are pre-simplified at :data:`ZONE_LEVELS` tolerances, one document
  per level; the page loads the level that suits its zoom. The exact
  geometry stays in the database for lookups;
* remote-sensing patches (变化图斑: cases with a polygon) are simplified at the
  same levels, drawn in their case's status colour; the case's marker stays
  at its representative point. Verified extents (核实范围) are few and small:
  one document at the finest quantum.

The case document of a workspace (ids, positions, status codes of up to 100,000 cases and more) is built
by SQLite (:func:`encoded_case_points`), the same bytes :func:`case_document` and :func:`to_json_bytes`
give, without a Python object per case: the map document is built on a worker thread, and every object
made there holds the GIL the GUI thread needs.

Ledger text (descriptions, names typed into ledgers) never enters these
documents. The only text is the bundled city names of the admin layer, which
``map.js`` renders with ``textContent``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.casework.case_list_query import CaseFilter
from inspector.casework.workflow import STATES
from inspector.store.workspace import Workspace
from inspector.vocabulary import CORE_FUNCTION_ZONES, KINDS

# (tolerance in degrees, quantum in degrees, lowest zoom that uses it); ~1° ≈ 100 km
ZONE_LEVELS: tuple[tuple[float, float, int], ...] = (
    (0.002, 0.0004, 0),   # ≈200 m: province and city views
    (0.0003, 0.00005, 10),  # ≈30 m: county views
    (0.00004, 0.00001, 13),  # ≈4 m: field views
)
POINT_QUANTUM = 0.00001  # degrees (≈1 m) for cases, photos and footprints
ADMIN_TOLERANCE = 0.001  # degrees (≈100 m) for the admin outlines
ADMIN_QUANTUM = 0.0002  # degrees
NO_BEARING = -1  # bearing code when a photo has none
EVIDENCE_KINDS = ("photo", "drone", "orthophoto")


def status_code(status: str | None) -> int:
    """Index of a workflow state in :data:`STATES`; ``len(STATES)`` for anything else."""
    return STATES.index(status) if status in STATES else len(STATES)


def kind_code(kind: str | None) -> int:
    """Index of a zone kind in :data:`KINDS`; ``len(KINDS)`` for unclassified zones."""
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def function_zone_code(function_zone: str | None) -> int:
    """0 no function zone, 1 core zone (核心保护区/核心区), 2 any other function zone."""
    if not function_zone:
        return 0
    return 1 if function_zone in CORE_FUNCTION_ZONES else 2


Geometries: TypeAlias = Sequence[BaseGeometry] | npt.NDArray[np.object_]  # shapely geometries: a list or an array


def encode_ring(coords: npt.ArrayLike, quantum: float) -> list[int]:
    """Flat ``[x0, y0, dx1, dy1, ...]`` in quanta; closing vertex and repeats dropped; [] if degenerate."""
    q = np.round(np.asarray(coords, dtype=float)[:, :2] / quantum).astype(np.int64)
    if len(q) > 1 and (q[0] == q[-1]).all():
        q = q[:-1]
    if len(q) > 1:
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = (np.diff(q, axis=0) != 0).any(axis=1)
        q = q[keep]
    if len(q) < 3:
        return []
    deltas = np.concatenate([q[:1], np.diff(q, axis=0)])
    return deltas.ravel().tolist()


def encode_polygons(geom: BaseGeometry, quantum: float) -> list[list[list[int]]]:
    """A (multi)polygon as a list of polygons, each a list of encoded rings (exterior first)."""
    polygons = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty or part.geom_type != "Polygon":
            continue
        exterior = encode_ring(part.exterior.coords, quantum)
        if not exterior:
            continue
        rings = [exterior] + [r for r in (encode_ring(i.coords, quantum) for i in part.interiors) if r]
        polygons.append(rings)
    return polygons


JSON_SLICE = 4096  # list items per json.dumps call (~2 ms): between calls the GUI thread can take the GIL


def to_json_bytes(document: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (no spaces), the bytes ``json.dumps`` gives. A long top-level list is encoded a slice
    at a time: one ``json.dumps`` call holds the GIL throughout, and 100,000 case ids would hold it ~70 ms
    while the map document is built in the background."""
    parts = [f"{_compact_json(key)}:{_sliced_json(value)}" for key, value in document.items()]
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def _sliced_json(value: Any) -> str:
    if not isinstance(value, list) or len(value) <= JSON_SLICE:
        return _compact_json(value)
    return "[" + ",".join(_compact_json(value[start:start + JSON_SLICE])[1:-1]
                          for start in range(0, len(value), JSON_SLICE)) + "]"


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class ZoneRecord:
    uuid: str
    kind: str | None
    function_zone: str | None
    geometry: BaseGeometry  # (Multi)Polygon, lon/lat


@dataclass
class CaseRecord:
    uuid: str
    lon: float  # the representative point (inside the patch when there is one)
    lat: float
    status: str
    patch: BaseGeometry | None = None  # the delivered extent (变化图斑), (Multi)Polygon lon/lat
    verified: BaseGeometry | None = None  # the extent verified on site (核实范围)


@dataclass
class EvidenceRecord:
    uuid: str
    case_uuid: str
    kind: str
    lon: float | None
    lat: float | None
    bearing_deg: float | None
    footprint: BaseGeometry | None = None  # Polygon


@dataclass
class AdminRecord:
    adcode: str
    name: str
    level: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class EncodedCases:
    """Every case's point as the case document's JSON bytes, and the box around them."""

    json: bytes  # what to_json_bytes(case_document(cases)) gives for the same cases
    box: tuple[float, float, float, float] | None  # west, south, east, north; None without cases


@dataclass
class LayerSet:
    """Everything the map shows, read from a workspace or built by a caller.

    With ``encoded_cases`` (:func:`read_layers`), the case points are there and ``cases`` holds only the
    cases with a patch or a verified extent; without it, ``cases`` are all the cases."""

    zones: list[ZoneRecord] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    evidence: list[EvidenceRecord] = field(default_factory=list)
    admin: list[AdminRecord] = field(default_factory=list)
    encoded_cases: EncodedCases | None = None

    def case_json(self) -> bytes:
        """The case document (data/cases.json)."""
        if self.encoded_cases is not None:
            return self.encoded_cases.json
        return to_json_bytes(case_document(self.cases))

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) of cases and zones, else of the admin areas; None if empty."""
        if self.encoded_cases is None:
            points = [(c.lon, c.lat) for c in self.cases]
        else:  # the two corners of the cases' box stand for them
            box = self.encoded_cases.box
            points = [(box[0], box[1]), (box[2], box[3])] if box is not None else []
        lons = np.fromiter((lon for lon, _lat in points), dtype=float, count=len(points))
        lats = np.fromiter((lat for _lon, lat in points), dtype=float, count=len(points))
        boxes = [z.geometry.bounds for z in self.zones if not z.geometry.is_empty]
        if not boxes and not len(lons):
            boxes = [a.geometry.bounds for a in self.admin if not a.geometry.is_empty]
        if not boxes and not len(lons):
            return None
        array = np.array(boxes, dtype=float).reshape(-1, 4)
        wests, souths = np.concatenate([lons, array[:, 0]]), np.concatenate([lats, array[:, 1]])
        easts, norths = np.concatenate([lons, array[:, 2]]), np.concatenate([lats, array[:, 3]])
        return float(wests.min()), float(souths.min()), float(easts.max()), float(norths.max())


def simplified(geometries: Geometries, tolerance: float) -> npt.NDArray[np.object_]:
    """Douglas-Peucker simplification for display (fast); shapes it would erase keep their topology."""
    geoms = np.asarray(geometries, dtype=object)
    result = shapely.simplify(geoms, tolerance, preserve_topology=False)
    lost = shapely.is_empty(result) & ~shapely.is_empty(geoms)
    if lost.any():
        result[lost] = shapely.simplify(geoms[lost], tolerance, preserve_topology=True)
    return result


def zone_level_document(zones: Sequence[ZoneRecord], level: int,
                        geometries: Geometries | None = None) -> dict[str, Any]:
    """Zones simplified at ``ZONE_LEVELS[level]``: ids, kind codes, function-zone codes, polygons.

    ``geometries`` may pass the zones already simplified at a finer level (cheaper to simplify further).
    """
    tolerance, quantum, _zoom = ZONE_LEVELS[level]
    source = [z.geometry for z in zones] if geometries is None else geometries
    ids, kinds, fzs, polys = [], [], [], []
    for zone, geom in zip(zones, simplified(source, tolerance)):
        encoded = encode_polygons(geom, quantum)
        if not encoded:
            continue
        ids.append(zone.uuid)
        kinds.append(kind_code(zone.kind))
        fzs.append(function_zone_code(zone.function_zone))
        polys.append(encoded)
    return {"q": quantum, "ids": ids, "kind": kinds, "fz": fzs, "polys": polys}


def zone_level_documents(zones: Sequence[ZoneRecord]) -> list[dict[str, Any]]:
    """One document per :data:`ZONE_LEVELS` entry, each level simplified from the next finer one."""
    documents: list[dict[str, Any]] = [{}] * len(ZONE_LEVELS)
    geometries: Geometries = [z.geometry for z in zones]
    for level in reversed(range(len(ZONE_LEVELS))):
        geometries = simplified(geometries, ZONE_LEVELS[level][0])
        documents[level] = zone_level_document(zones, level, geometries)
    return documents


def patch_level_documents(cases: Sequence[CaseRecord]) -> list[dict[str, Any]]:
    """The patch polygons of the cases that have one, one document per :data:`ZONE_LEVELS` entry:
    case ids, status codes and polygons (no ledger text)."""
    patches = [c for c in cases if c.patch is not None]
    documents: list[dict[str, Any]] = [{}] * len(ZONE_LEVELS)
    geometries: Geometries = [c.patch for c in patches if c.patch is not None]
    for level in reversed(range(len(ZONE_LEVELS))):
        tolerance, quantum, _zoom = ZONE_LEVELS[level]
        geometries = simplified(geometries, tolerance)
        ids, codes, polys = [], [], []
        for case, geom in zip(patches, geometries):
            encoded = encode_polygons(geom, quantum)
            if encoded:
                ids.append(case.uuid)
                codes.append(status_code(case.status))
                polys.append(encoded)
        documents[level] = {"q": quantum, "ids": ids, "s": codes, "polys": polys}
    return documents


def verified_document(cases: Sequence[CaseRecord]) -> dict[str, Any]:
    """The verified extents (核实范围) at :data:`POINT_QUANTUM`: case ids and polygons."""
    placed = [(c.uuid, encode_polygons(c.verified, POINT_QUANTUM)) for c in cases if c.verified is not None]
    placed = [(uuid, polys) for uuid, polys in placed if polys]
    return {"q": POINT_QUANTUM, "ids": [uuid for uuid, _p in placed], "polys": [p for _u, p in placed]}


def _quantised(values: Iterable[float], quantum: float) -> list[int]:
    return np.round(np.fromiter(values, dtype=float) / quantum).astype(np.int64).tolist()


_STATUS_CODES = {status: code for code, status in enumerate(STATES)}  # status_code's table, for whole layers


def case_document(cases: Sequence[CaseRecord]) -> dict[str, Any]:
    """Case ids, quantised positions and status codes (no ledger text)."""
    unknown = len(STATES)
    return {"q": POINT_QUANTUM, "ids": [c.uuid for c in cases],
            "x": _quantised((c.lon for c in cases), POINT_QUANTUM),
            "y": _quantised((c.lat for c in cases), POINT_QUANTUM),
            "s": [_STATUS_CODES.get(c.status, unknown) for c in cases]}


def _quantised_sql(column: str) -> str:
    """SQL for round(column / :q) to an integer, halves to even as numpy's round (SQLite's rounds them up)."""
    x = f"({column} / :q)"
    return (f"CASE WHEN {x} - CAST({x} AS INTEGER) IN (0.5, -0.5) THEN CAST({x} AS INTEGER) + CAST({x} AS INTEGER) % 2 "
            f"ELSE CAST(round({x}) AS INTEGER) END")


def encoded_case_points(ws: Workspace, case_filter: CaseFilter | None = None,
                        quantum: float = POINT_QUANTUM) -> EncodedCases:
    """The case document of the cases ``case_filter`` admits (all), by 问题编号, built by SQLite."""
    where, params = (case_filter or CaseFilter()).where()
    codes = " ".join(f"WHEN :state{i} THEN {i}" for i in range(len(STATES)))
    params.update({f"state{i}": state for i, state in enumerate(STATES)}, q=quantum)
    row = ws.conn.execute(
        "SELECT json_group_array(uuid), json_group_array(x), json_group_array(y), json_group_array(s), "
        "min(lon), min(lat), max(lon), max(lat), count(*) FROM ("
        f"SELECT c.uuid, c.lon, c.lat, {_quantised_sql('c.lon')} AS x, {_quantised_sql('c.lat')} AS y, "
        f"CASE c.status {codes} ELSE {len(STATES)} END AS s FROM cases c WHERE {where} ORDER BY c.case_no)",
        params).fetchone()
    text = (f'{{"q":{_compact_json(quantum)},"ids":{row[0]},"x":{row[1]},"y":{row[2]},"s":{row[3]}}}')
    box = (float(row[4]), float(row[5]), float(row[6]), float(row[7])) if row[8] else None
    return EncodedCases(text.encode("utf-8"), box)


def evidence_document(evidence: Sequence[EvidenceRecord]) -> dict[str, Any]:
    """Photo/drone positions with bearings, and drone footprints, each tied to its case."""
    placed = [(e, e.lon, e.lat) for e in evidence if e.lon is not None and e.lat is not None]
    footprints = [(e, encode_polygons(e.footprint, POINT_QUANTUM)) for e in evidence if e.footprint is not None]
    footprints = [(e, p) for e, p in footprints if p]
    return {
        "q": POINT_QUANTUM,
        "ids": [e.uuid for e, _lon, _lat in placed],
        "case": [e.case_uuid for e, _lon, _lat in placed],
        "x": _quantised((lon for _e, lon, _lat in placed), POINT_QUANTUM),
        "y": _quantised((lat for _e, _lon, lat in placed), POINT_QUANTUM),
        "b": [NO_BEARING if e.bearing_deg is None else int(round(e.bearing_deg)) % 360 for e, _lon, _lat in placed],
        "k": [EVIDENCE_KINDS.index(e.kind) if e.kind in EVIDENCE_KINDS else 0 for e, _lon, _lat in placed],
        "fp_ids": [e.uuid for e, _p in footprints],
        "fp_case": [e.case_uuid for e, _p in footprints],
        "fp_polys": [p for _e, p in footprints],
    }


def case_evidence_document(ws: Workspace, case_uuids: Sequence[str]) -> dict[str, Any]:
    """:func:`evidence_document` of just these cases' evidence (the map replaces their photo markers in place
    after an attach, instead of reloading the whole document)."""
    wanted = json.dumps(sorted(set(case_uuids)))
    return evidence_document([EvidenceRecord(r[0], r[1], r[2], r[3], r[4], r[5], polygon_or_none(r[6]))
                              for r in ws.conn.execute(
        "SELECT e.uuid, c.uuid, e.kind, e.lon, e.lat, e.bearing_deg, e.footprint_geojson FROM evidence e "
        "JOIN cases c ON c.id = e.case_id WHERE e.deleted = 0 AND c.uuid IN (SELECT value FROM json_each(?)) "
        "ORDER BY e.id", (wanted,))])


def admin_document(admin: Sequence[AdminRecord]) -> dict[str, Any]:
    """City (level 1) and county (level 2) outlines, the province shape and city labels."""
    shown = [a for a in admin if a.level in ("province", "city", "county")]
    geoms = simplified([a.geometry for a in shown], ADMIN_TOLERANCE)
    levels, polys, labels = [], [], []
    for area, geom in zip(shown, geoms):
        encoded = encode_polygons(geom, ADMIN_QUANTUM)
        if not encoded:
            continue
        levels.append(("province", "city", "county").index(area.level))
        polys.append(encoded)
        if area.level == "city":
            point = shapely.point_on_surface(area.geometry)
            labels.append([area.name, round(point.x, 3), round(point.y, 3)])
    return {"q": ADMIN_QUANTUM, "level": levels, "polys": polys, "labels": labels}


def read_layers(ws: Workspace, case_filter: CaseFilter | None = None) -> LayerSet:
    """All map layers of a workspace (zones, cases, evidence, admin areas); with ``case_filter``, only the
    cases it admits (and their evidence), as the case list shows them."""
    conn = ws.conn.cursor()
    conn.row_factory = None  # plain tuples: a sqlite3.Row per case costs ~1 µs of GIL each, 100,000 of them
    where, params = (case_filter or CaseFilter()).where()
    zones = [ZoneRecord(r[0], r[1], r[2], shapely.from_wkb(r[3])) for r in conn.execute(
        "SELECT uuid, kind, function_zone, AsBinary(geom) FROM zones WHERE deleted = 0 AND geom IS NOT NULL "
        "ORDER BY id")]
    cases = [CaseRecord(r[0], float(r[1]), float(r[2]), r[3], polygon_or_none(r[4]), polygon_or_none(r[5]))
             for r in conn.execute("SELECT c.uuid, c.lon, c.lat, c.status, c.geometry_geojson, "
                                   f"c.verified_geometry_geojson FROM cases c WHERE {where} AND "
                                   "(c.geometry_geojson IS NOT NULL OR c.verified_geometry_geojson IS NOT NULL) "
                                   "ORDER BY c.case_no", params)]
    evidence = []
    for r in conn.execute(
            "SELECT e.uuid, c.uuid, e.kind, e.lon, e.lat, e.bearing_deg, e.footprint_geojson FROM evidence e "
            f"JOIN cases c ON c.id = e.case_id WHERE e.deleted = 0 AND e.voided_at IS NULL AND {where} "
            "ORDER BY e.id", params):
        footprint = polygon_or_none(r[6])
        evidence.append(EvidenceRecord(r[0], r[1], r[2], r[3], r[4], r[5], footprint))
    admin = [AdminRecord(r[0], r[1], r[2], shapely.from_wkb(r[3])) for r in conn.execute(
        "SELECT adcode, name, level, AsBinary(geom) FROM admin_areas WHERE geom IS NOT NULL ORDER BY adcode")]
    return LayerSet(zones, cases, evidence, admin, encoded_case_points(ws, case_filter))


def admitted_case_uuids(ws: Workspace, case_filter: CaseFilter) -> list[str]:
    """UUIDs of the cases ``case_filter`` admits: what the map shows while the case list is filtered."""
    where, params = case_filter.where()
    return [row[0] for row in ws.conn.execute(f"SELECT c.uuid FROM cases c WHERE {where}", params)]


def polygon_or_none(text: str | None) -> BaseGeometry | None:
    """A stored GeoJSON (Multi)Polygon as a shapely geometry; None for null, broken or other geometry."""
    if not text:
        return None
    try:
        geom = shapely.geometry.shape(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        return None
    return geom if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_empty else None
