"""Attach evidence files (photos, DJI stills, GeoTIFF orthophotos) to a case.

For each file, :func:`attach`:

1. reads what the file says about itself (:mod:`inspector.evidence`) and
   checks it in this workspace's context: a position outside Jiangsu is
   flagged ``outside_jiangsu`` and not used as a position (the reported
   values stay in the metadata); a photo farther than
   ``photo_max_distance_m`` (meta key, default 200 m) from its finding is
   flagged ``far_from_finding``; every photo and drone still is checked against its case
   (:mod:`inspector.evidence.plausibility`: before discovery, an 整改后 photo before the rectification
   began, far from the case point or outside its patch, in the future, a duplicate of another case's);
2. attributes it: the zones at the photo's position; for a near-nadir drone
   still, the ground footprint and the zones it overlaps with the
   overlapping area in m²; for an orthophoto, its bounds and the zones they
   overlap;
3. copies the file into the media store (:mod:`inspector.store.media_store`) and
   only then, in one transaction, writes the ``media_blobs`` and
   ``evidence`` rows and the audit entry.

With a ``document_type`` (整改方案 / 批复文件 / 验收报告 / 会签意见 / 其他) the files are documents
instead — PDF, DOCX, XLSX, OFD or scanned images, checked by :mod:`inspector.evidence.documents` (size
before reading, container, macros refused, scripts flagged) — stored and recorded like photos as evidence of
kind ``document`` with that type.

A file that cannot be used gives ``{"file", "error"}`` (``error`` in the
current language, ``error_zh`` and ``error_en`` beside it) and the others are
still attached. Each answer gives ``flags`` (codes) and ``flag_texts``
(``{code: {"zh", "en"}}``). The list of answers also tells what changed
(:class:`inspector.store.changes.OutcomeList`). The same content attached
twice to the same case and phase is one blob and one evidence row (the
second answer says ``already_attached``).

:func:`list_evidence` and :func:`evidence_item` read a case's evidence and
one item back, as plain data, for forms and views.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Iterable

import shapely
from shapely.errors import GEOSException
from shapely.geometry import box, mapping, shape

from inspector.casework.cases import resolve_case
from inspector.casework.findings import resolve_finding
from inspector.errors import BadInput, InspectorError, Message
from inspector.evidence.documents import check_document
from inspector.evidence.drone import footprint, read_drone_metadata
from inspector.evidence.exif import read_photo_metadata
from inspector.evidence.gps import FAR_FROM_FINDING_M, far_from_finding_flag, position_flags
from inspector.evidence.plausibility import CaseSetting, flag_texts, plausibility_flags
from inspector.geo import geodesy
from inspector.geo.attribution import locate, lookup_for
from inspector.geo.gnss import GnssFix
from inspector.geo.gnss_quality import checked_quality
from inspector.store.changes import OutcomeList, recording
from inspector.store.db import atomic
from inspector.store.media_store import store_file
from inspector.store.record_store import insert_record, to_json
from inspector.store.workspace import Workspace, utc_now
from inspector.vocabulary import DOCUMENT_TYPES

PHASES = ("inspection", "before", "after")
EVIDENCE_KINDS = ("photo", "drone", "orthophoto", "signature", "document")  # signatures and scanned documents:
# recorded by :mod:`inspector.casework.signatures` and :mod:`inspector.casework.countersigns`, never attached here
PHOTO_KINDS = ("photo", "drone")  # the kinds that show the site as seen (an 'after' photo for 申请销号)
MAX_DISTANCE_META_KEY = "photo_max_distance_m"
ORTHOPHOTO_SUFFIXES = (".tif", ".tiff")
MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp",
                  "HEIF": "image/heif"}
EVIDENCE_COLUMNS = ("lon", "lat", "altitude_m", "bearing_deg", "bearing_ref", "taken_at_utc", "make", "model")


def max_photo_distance_m(ws: Workspace) -> float:
    try:
        return float(ws.meta(MAX_DISTANCE_META_KEY) or FAR_FROM_FINDING_M)
    except ValueError:
        return FAR_FROM_FINDING_M


def case_setting(ws: Workspace, case: Any) -> CaseSetting:
    """What the case's photos are checked against: its point or patch, discovery date, rectification start."""
    began = ws.conn.execute("SELECT min(created_at) FROM rectifications WHERE case_id = ? AND deleted = 0",
                            (case["id"],)).fetchone()[0]
    patch = None
    if case["geometry_geojson"]:
        try:
            patch = shape(json.loads(case["geometry_geojson"]))
        except (ValueError, TypeError, AttributeError, GEOSException):
            patch = None  # an unreadable polygon: the case point is checked instead
    return CaseSetting(lon=case["lon"], lat=case["lat"], patch=patch, discovered_on=case["discovered_on"],
                       rectification_began=began, max_distance_m=max_photo_distance_m(ws))


def _plausibility(ws: Workspace, case: Any, info: dict[str, Any], sha256: str, phase: str) -> list[str]:
    """The plausibility flags of a photo or drone still in its case (none for other kinds)."""
    if info["kind"] not in PHOTO_KINDS:
        return []
    duplicate = ws.conn.execute("SELECT 1 FROM evidence WHERE sha256 = ? AND case_id != ? AND deleted = 0 LIMIT 1",
                                (sha256, case["id"])).fetchone() is not None
    return plausibility_flags(case_setting(ws, case), phase=phase, lon=info["lon"], lat=info["lat"],
                              taken_at_utc=info["taken_at_utc"], duplicate_elsewhere=duplicate)


def _overlapping_zones(ws: Workspace, area: Any) -> list[dict[str, Any]]:
    """Zones overlapping a lon/lat polygon, strictest first, with the overlap in m²."""
    lookup = lookup_for(ws)
    overlaps = {key: geodesy.area_m2(shapely.intersection(geom, area))
                for key, geom in lookup.zones.intersecting(area)}
    result = []
    for zone in lookup.zone_records(overlaps):
        result.append({"name": zone["name"], "uuid": zone["uuid"], "kind": zone["kind"],
                       "function_zone": zone["function_zone"], "area_m2": round(overlaps[zone["id"]], 1)})
    return [z for z in result if z["area_m2"] > 0]


def _checked_position(ws: Workspace, lon: float | None, lat: float | None,
                      flags: list[str], metadata: dict[str, Any]) -> tuple[float | None, float | None]:
    """The position if it may be used here; otherwise ``None``s, a flag and the reported values kept."""
    if lon is None or lat is None:
        return None, None
    problems = position_flags(lon, lat, inside_region=lookup_for(ws).admin.in_province)
    if problems:
        flags.extend(problems)
        metadata["reported_lon"], metadata["reported_lat"] = lon, lat
        return None, None
    return lon, lat


def _read_photo_or_drone(ws: Workspace, path: Path) -> dict[str, Any]:
    photo = read_photo_metadata(path)
    drone = read_drone_metadata(path)
    flags = list(photo.flags)
    if photo.lon is None and not any(f.startswith("gps_") for f in flags):
        flags.append("gps_missing")
    metadata: dict[str, Any] = {"photo": dataclasses.asdict(photo)}
    lon, lat = _checked_position(ws, photo.lon, photo.lat, flags, metadata)
    info: dict[str, Any] = {
        "kind": "drone" if drone is not None else "photo", "mime": MIME_BY_FORMAT.get(photo.image_format or ""),
        "lon": lon, "lat": lat, "altitude_m": photo.altitude_m if lon is not None else None,
        "bearing_deg": photo.bearing_deg, "bearing_ref": photo.bearing_ref, "taken_at_utc": photo.taken_at_utc,
        "make": photo.make, "model": photo.model, "flags": flags, "metadata": metadata,
        "footprint": None, "footprint_area_m2": None, "footprint_zones": [], "bounds": None,
    }
    if drone is None:
        return info
    metadata["drone"] = dataclasses.asdict(drone)
    flags.extend(drone.flags)
    info["make"] = info["make"] or drone.make
    info["model"] = info["model"] or drone.model
    info["relative_altitude_m"] = drone.relative_altitude_m
    if lon is None or lat is None:
        return info
    shot = footprint(drone, lon, lat)
    flags.extend(shot.flags)
    metadata["footprint"] = {f.name: getattr(shot, f.name) for f in dataclasses.fields(shot) if f.name != "polygon"}
    if info["bearing_deg"] is None and shot.view_azimuth_deg is not None:
        info["bearing_deg"], info["bearing_ref"] = round(shot.view_azimuth_deg, 2), "T"
    if shot.polygon is not None:
        info["footprint"] = shot.polygon
        info["footprint_area_m2"] = round(geodesy.area_m2(shot.polygon), 1)
        info["footprint_zones"] = _overlapping_zones(ws, shot.polygon)
    return info


def _read_orthophoto(ws: Workspace, path: Path) -> dict[str, Any]:
    from inspector.evidence.orthophoto import read_orthophoto_bounds

    bounds = read_orthophoto_bounds(path)
    outline = box(bounds.minlon, bounds.minlat, bounds.maxlon, bounds.maxlat)
    flags: list[str] = []
    metadata: dict[str, Any] = {"orthophoto": bounds._asdict()}
    lon, lat = _checked_position(ws, outline.centroid.x, outline.centroid.y, flags, metadata)
    info: dict[str, Any] = {
        "kind": "orthophoto", "mime": "image/tiff", "lon": lon, "lat": lat, "altitude_m": None,
        "bearing_deg": None, "bearing_ref": None, "taken_at_utc": None, "make": None, "model": None,
        "flags": flags, "metadata": metadata, "footprint": None, "footprint_area_m2": None,
        "footprint_zones": [], "bounds": [bounds.minlon, bounds.minlat, bounds.maxlon, bounds.maxlat],
    }
    if lon is not None:
        info["footprint"] = outline
        info["footprint_area_m2"] = round(geodesy.area_m2(outline), 1)
        info["footprint_zones"] = _overlapping_zones(ws, outline)
    return info


def read_evidence(ws: Workspace, path: Path) -> dict[str, Any]:
    """What a file says, checked against this workspace; raises :class:`BadInput` if unusable."""
    if path.suffix.lower() in ORTHOPHOTO_SUFFIXES:
        try:
            return _read_orthophoto(ws, path)
        except BadInput:
            pass  # a TIFF without georeference may still be an ordinary photo
    return _read_photo_or_drone(ws, path)


def _public(info: dict[str, Any], path: Path, sha: str, uuid: str, phase: str,
            already: bool) -> dict[str, Any]:
    result = {"file": str(path), "sha256": sha, "evidence_uuid": uuid, "phase": phase,
              "kind": info["kind"], **{k: info[k] for k in EVIDENCE_COLUMNS},
              "flags": list(dict.fromkeys(info["flags"])), "flag_texts": flag_texts(info["flags"]),
              "zones": [z["name"] for z in info["zones"]],
              "function_zone": info["function_zone"], "footprint_area_m2": info["footprint_area_m2"],
              "footprint_zones": info["footprint_zones"]}
    if info["bounds"] is not None:
        result["bounds"] = info["bounds"]
    if "reported_lon" in info["metadata"]:
        result["reported_lon"] = info["metadata"]["reported_lon"]
        result["reported_lat"] = info["metadata"]["reported_lat"]
    if info.get("relative_altitude_m") is not None:
        result["relative_altitude_m"] = info["relative_altitude_m"]
    if already:
        result["already_attached"] = True
    return result


def _attach_one(ws: Workspace, case: Any, path: Path, finding: Any, phase: str, actor: str,
                receiver_fix: GnssFix | None = None) -> dict[str, Any]:
    info = read_evidence(ws, path)
    quality = {}
    if receiver_fix is not None:
        quality = checked_quality(receiver_fix.fix_type, receiver_fix.satellites, receiver_fix.hdop,
                                  receiver_fix.accuracy_m)
        # where the receiver was; the photo's own position stays the evidence's
        info["metadata"]["receiver_fix"] = {
            "lon": receiver_fix.lon, "lat": receiver_fix.lat, "altitude_m": receiver_fix.altitude_m,
            "time_utc": receiver_fix.time_utc.isoformat() if receiver_fix.time_utc else None}
    if finding is not None and finding["lon"] is not None:
        info["flags"] += far_from_finding_flag(info["lon"], info["lat"], finding["lon"], finding["lat"],
                                               threshold_m=max_photo_distance_m(ws))
    place = locate(ws, info["lon"], info["lat"]) if info["lon"] is not None else None
    info["zones"] = place["zones"] if place else []
    info["function_zone"] = place["function_zone"] if place else None
    blob = store_file(ws, path)  # the file is safe in media/ before anything references it
    info["flags"] += _plausibility(ws, case, info, blob.sha256, phase)
    conn = ws.conn
    with atomic(conn):
        conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) VALUES (?, ?, ?, ?)",
                     (blob.sha256, blob.size, info["mime"], utc_now()))
        existing = conn.execute(
            "SELECT uuid FROM evidence WHERE case_id = ? AND sha256 = ? AND phase = ? AND deleted = 0",
            (case["id"], blob.sha256, phase)).fetchone()
        if existing is not None:
            return _public(info, path, blob.sha256, existing[0], phase, already=True)
        values = {
            "case_id": case["id"], "finding_id": finding["id"] if finding is not None else None,
            "sha256": blob.sha256, "kind": info["kind"], "phase": phase, "original_name": path.name,
            **{k: info[k] for k in EVIDENCE_COLUMNS},
            "flags": to_json(list(dict.fromkeys(info["flags"]))), "metadata": to_json(info["metadata"]),
            "zones": to_json(info["zones"]), "function_zone": info["function_zone"],
            "footprint_geojson": to_json(mapping(info["footprint"])) if info["footprint"] is not None else None,
            "footprint_area_m2": info["footprint_area_m2"], "footprint_zones": to_json(info["footprint_zones"]),
            "bounds": to_json(info["bounds"]) if info["bounds"] is not None else None, **quality,
        }
        _, uuid = insert_record(conn, "evidence", values, actor=actor, action="evidence.attach",
                                evidence_hashes=[blob.sha256])
    return _public(info, path, blob.sha256, uuid, phase, already=False)


def _attach_document(ws: Workspace, case: Any, path: Path, finding: Any, phase: str, document_type: str,
                     actor: str) -> dict[str, Any]:
    """Check and store one document (:mod:`inspector.evidence.documents`), then record it as evidence."""
    if not path.is_file():
        raise BadInput(f"找不到文件：{path}", f"file not found: {path}")
    checked = check_document(path)  # size, container and macros checked before anything is stored
    blob = store_file(ws, path)
    flags = list(checked.flags)
    conn = ws.conn
    result = {"file": str(path), "sha256": blob.sha256, "phase": phase, "kind": "document",
              "document_type": document_type, "mime": checked.mime, "size": blob.size,
              **dict.fromkeys(EVIDENCE_COLUMNS), "flags": flags, "flag_texts": flag_texts(flags), "zones": [],
              "function_zone": None, "footprint_area_m2": None, "footprint_zones": []}
    with atomic(conn):
        conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) VALUES (?, ?, ?, ?)",
                     (blob.sha256, blob.size, checked.mime, utc_now()))
        existing = conn.execute(
            "SELECT uuid FROM evidence WHERE case_id = ? AND sha256 = ? AND phase = ? AND kind = 'document' "
            "AND document_type IS ? AND deleted = 0", (case["id"], blob.sha256, phase, document_type)).fetchone()
        if existing is not None:
            return {**result, "evidence_uuid": existing[0], "already_attached": True}
        values = {"case_id": case["id"], "finding_id": finding["id"] if finding is not None else None,
                  "sha256": blob.sha256, "kind": "document", "phase": phase, "original_name": path.name[:200],
                  "document_type": document_type, "flags": to_json(flags)}
        _, uuid = insert_record(conn, "evidence", values, actor=actor, action="document.attach",
                                evidence_hashes=[blob.sha256])
    return {**result, "evidence_uuid": uuid}


def attach(ws: Workspace, case_ref: str, files: Iterable[str | Path], *, finding: str | None = None,
           phase: str = "inspection", actor: str = "inspector", document_type: str | None = None,
           receiver_fix: GnssFix | None = None) -> OutcomeList:
    """Attach each file to the case; one result dictionary per file (see the module docstring). With
    ``document_type`` (:data:`DOCUMENT_TYPES`) every file is attached as a document of that type.
    ``receiver_fix`` is the connected GNSS receiver's current fix: its quality is recorded with each photo (v12
    columns) and its position and time in the metadata (``receiver_fix``)."""
    if phase not in PHASES:
        raise BadInput(f"阶段须为 {'/'.join(PHASES)}，而不是：{phase}",
                       f"phase must be one of {'/'.join(PHASES)}, not: {phase}")
    if document_type is not None and document_type not in DOCUMENT_TYPES:
        raise BadInput(f"文档类型须为 {'/'.join(DOCUMENT_TYPES)}，而不是：{document_type}",
                       f"document type must be one of {'/'.join(DOCUMENT_TYPES)}, not: {document_type}")
    case = resolve_case(ws, case_ref)
    finding_row = resolve_finding(ws, finding, case_id=case["id"]) if finding else None
    results = []
    with recording(ws.conn) as journal:
        for name in files:
            path = Path(name)
            try:
                if document_type is not None:
                    results.append(_attach_document(ws, case, path, finding_row, phase, document_type, actor))
                else:
                    results.append(_attach_one(ws, case, path, finding_row, phase, actor, receiver_fix))
            except InspectorError as exc:
                results.append({"file": str(path), **exc.message.fields("error")})
            except OSError as exc:  # unreadable, or the media store could not take it (disk full)
                problem = Message(f"无法读取或保存文件 {path.name}", f"cannot read or store the file {path.name}")
                results.append({"file": str(path), **problem.detailed(exc.strerror or exc).fields("error")})
    return OutcomeList(results, journal.changes)


def list_evidence(ws: Workspace, case_id: int, *, phase: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT uuid, sha256, kind, phase, original_name, lon, lat, taken_at_utc, flags, finding_id, caption, "
           "voided_at, voided_by, void_reason, document_type "
           "FROM evidence WHERE case_id = ? AND deleted = 0")
    params: list[Any] = [case_id]
    if phase:
        sql += " AND phase = ?"
        params.append(phase)
    rows = ws.conn.execute(sql + " ORDER BY id", params).fetchall()
    return [{**dict(r), "flags": json.loads(r["flags"])} for r in rows]


ITEM_COLUMNS = ("uuid", "sha256", "kind", "phase", "original_name", "lon", "lat", "altitude_m", "bearing_deg",
                "taken_at_utc", "make", "model", "flags", "zones", "function_zone", "footprint_area_m2", "caption",
                "voided_at", "void_reason", "document_type")


def _json_list(text: str | None) -> list[Any]:
    """A stored JSON list; anything else (empty, malformed, not a list) reads as no entries."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def setting_of_evidence(ws: Workspace, uuid: str) -> CaseSetting | None:
    """The setting (case point or patch, dates) of the case an evidence item belongs to, for the viewer's map."""
    row = ws.conn.execute("SELECT c.id, c.lon, c.lat, c.geometry_geojson, c.discovered_on FROM evidence e "
                          "JOIN cases c ON c.id = e.case_id WHERE e.uuid = ?", (uuid,)).fetchone()
    return case_setting(ws, row) if row is not None else None


def evidence_item(ws: Workspace, uuid: str) -> dict[str, Any] | None:
    """One evidence record for the viewer: file, kind, phase, position, camera, taken time, ``zones`` (as
    stored: a list of zone summaries), ``flags`` (flag codes), function zone and footprint area; ``None``
    if unknown."""
    row = ws.conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM evidence WHERE uuid = ?", (uuid,)).fetchone()
    if row is None:
        return None
    return {**dict(row), "zones": _json_list(row["zones"]), "flags": _json_list(row["flags"])}
