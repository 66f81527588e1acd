"""Gather one case from the workspace into the forms' input model (:class:`FormCase`).

Reads the case with its attribution, findings, evidence (files from the
media store; a blob behind a symbolic link refuses the form), drone
footprints, the photos chosen for each form, the zones around it for the location map, the 前时相 / 后时相 image chips,
the latest rectification record, the 两断三清 checklist and the sign-offs
(acceptance chain, countersigns, 公示, signatures: :mod:`inspector.forms.sign_off_data`). Times are shown in the
workspace time zone (Asia/Shanghai by default).
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
from PIL import Image as PILImage

from inspector.casework.cases import list_cases, resolve_case
from inspector.casework.form_evidence import FORMS, form_evidence
from inspector.forms import sign_off_data
from inspector.forms.model import (
    FormAdmin,
    FormCase,
    FormChecklist,
    FormFinding,
    FormFootprint,
    FormImageChip,
    FormPhoto,
    FormPhotoChoice,
    FormRectification,
    FormZone,
)
from inspector.geo.attribution import lookup_for
from inspector.geo.geodesy import metres_to_degrees
from inspector.imagery.chips import case_chips
from inspector.maps.basemap_store import basemap_for_point
from inspector.store.db import Connection
from inspector.store.media_store import readable_blob
from inspector.store.workspace import DEFAULT_TIMEZONE, Workspace, parse_utc

MAP_RADIUS_M = 2_000.0  # zones within this distance of the case are drawn on the location map


def local_time(ws: Workspace, utc_text: str | None) -> str:
    """``2026-05-01T02:23:00Z`` → ``2026-05-01 10:23`` in the workspace time zone."""
    if not utc_text:
        return ""
    moment = parse_utc(utc_text)
    if moment is None:
        return utc_text
    zone = ZoneInfo(ws.meta("timezone", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def gather_case(ws: Workspace, ref: str) -> FormCase:
    """Everything the three forms print about one case (问题编号 or UUID)."""
    row = resolve_case(ws, ref)
    case = list_cases(ws, refs=[row["uuid"]])[0]
    conn = ws.conn
    zones = case["zones"]
    main_zone = zones[0] if zones else None
    basemap = basemap_for_point(ws, case["lon"], case["lat"]) if case["lon"] is not None else None
    signed = sign_off_data.signatures_by_record(ws, row["id"], local_time)
    extent = conn.execute("SELECT verified_area_m2, geometry_geojson IS NOT NULL OR verified_geometry_geojson "
                          "IS NOT NULL FROM cases WHERE id = ?", (row["id"],)).fetchone()
    chips = case_chips(ws, row["uuid"])
    return FormCase(
        verified_area_m2=extent[0], has_extent=bool(extent[1]),
        uuid=case["uuid"], case_no=case["case_no"],
        zone_names=tuple(dict.fromkeys(z["name"] for z in zones)) or
        ((case["ledger_zone_name"],) if case["ledger_zone_name"] else ()),
        kind=main_zone["kind"] if main_zone else "", category=(main_zone or {}).get("category") or "",
        function_zone=case["function_zone"] or case["ledger_function_zone"],
        admin=FormAdmin(case["city"] or "", case["county"] or "", case["county_adcode"] or "")
        if case["county_adcode"] else None,
        lon=case["lon"], lat=case["lat"], area_m2=case["area_m2"],
        problem_type=case["problem_type"] or "", description=case["description"] or "",
        discovered_on=case["discovered_on"] or "", deadline=case["deadline"],
        responsible_unit=case["responsible_unit"], status=case["status"],
        findings=_findings(ws, row["id"]), photos=_photos(ws, row["id"]),
        photo_choices=_photo_choices(ws, row["uuid"]),
        footprints=_footprints(conn, row["id"]), zones=_zones_near(ws, case["lon"], case["lat"]),
        rectification=_rectification(ws, row["id"]), checklist=_checklist(conn, row["id"]),
        acceptance=sign_off_data.acceptance(ws, row["id"], signed, local_time),
        countersigns=sign_off_data.countersigns(ws, row["id"], signed),
        publicity=sign_off_data.publicity_text(ws, row["id"]),
        field_signatures=sign_off_data.field_signatures(ws, row["id"], signed),
        unconfirmed=sign_off_data.unconfirmed(ws, row["id"]),
        basemap_mbtiles=Path(basemap["file"]) if basemap else None,
        basemap_label=basemap["label"] if basemap else None,
        patch=chips.outline == "polygon",
        image_chips=tuple(FormImageChip(chip.role, chip.epoch, chip.date, _png(chip.image))
                          for chip in (chips.before, chips.after) if chip is not None),
    )


def _png(image: PILImage.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _findings(ws: Workspace, case_id: int) -> tuple[FormFinding, ...]:
    rows = ws.conn.execute(
        "SELECT inspector, observed_at_utc, activity_type, description, assessment, basis, area_m2 "
        "FROM findings WHERE case_id = ? AND deleted = 0 AND voided_at IS NULL ORDER BY observed_at_utc", (case_id,))
    return tuple(
        FormFinding(inspectors=tuple(n.strip() for n in (r["inspector"] or "").replace("，", ",").split(",")
                                     if n.strip()),
                    time=local_time(ws, r["observed_at_utc"]), activity_type=r["activity_type"],
                    description=r["description"] or "", assessment=r["assessment"], basis=r["basis"] or "",
                    area_m2=r["area_m2"])
        for r in rows
    )


def _flag_codes(text: str | None) -> tuple[str, ...]:
    """A photo's stored flag codes (an unreadable list prints as none: the evidence list still has the hash)."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _photos(ws: Workspace, case_id: int) -> tuple[FormPhoto, ...]:
    rows = ws.conn.execute(
        "SELECT uuid, sha256, kind, phase, lon, lat, bearing_deg, taken_at_utc, flags FROM evidence "
        "WHERE case_id = ? AND deleted = 0 AND voided_at IS NULL AND kind IN ('photo', 'drone') ORDER BY id",
        (case_id,))
    return tuple(
        FormPhoto(path=readable_blob(ws.media_dir, r["sha256"]), sha256=r["sha256"],
                  taken_at=local_time(ws, r["taken_at_utc"]), lon=r["lon"], lat=r["lat"],
                  bearing_deg=r["bearing_deg"], kind=r["kind"], phase=r["phase"], uuid=r["uuid"],
                  flags=_flag_codes(r["flags"]))
        for r in rows
    )


def _photo_choices(ws: Workspace, case_uuid: str) -> dict[str, FormPhotoChoice]:
    """The photos the inspector chose for each form (forms with nothing chosen print their default)."""
    choices: dict[str, FormPhotoChoice] = {}
    for form in FORMS:
        shown = form_evidence(ws, case_uuid, form)
        if shown["chosen"]:
            choices[form] = FormPhotoChoice(pairs=tuple((p["before"], p["after"]) for p in shown["pairs"]),
                                            photos=tuple(shown["photos"]))
    return choices


def _footprints(conn: Connection, case_id: int) -> tuple[FormFootprint, ...]:
    rows = conn.execute(
        "SELECT original_name, footprint_geojson FROM evidence WHERE case_id = ? AND deleted = 0 AND voided_at IS NULL "
        "AND footprint_geojson IS NOT NULL ORDER BY id", (case_id,))
    return tuple(FormFootprint(polygon=shapely.geometry.shape(json.loads(r["footprint_geojson"])),
                               label=r["original_name"]) for r in rows)


def _zones_near(ws: Workspace, lon: float, lat: float) -> tuple[FormZone, ...]:
    lookup = lookup_for(ws)
    reach = shapely.Point(lon, lat).buffer(metres_to_degrees(MAP_RADIUS_M, lat))
    found = dict(lookup.zones.intersecting(reach))
    return tuple(
        FormZone(name=z["name"], code=z["code"] or "", kind=z["kind"], category=z["category"] or "",
                 function_zone=z["function_zone"], geometry=found[z["id"]])
        for z in lookup.zone_records(found)
    )


def _rectification(ws: Workspace, case_id: int) -> FormRectification | None:
    r = ws.conn.execute(
        "SELECT measure_type, measures, deadline, responsible_unit, responsible_person, progress_notes "
        "FROM rectifications WHERE case_id = ? AND deleted = 0 AND voided_at IS NULL ORDER BY id DESC LIMIT 1",
        (case_id,)).fetchone()
    if r is None:
        return None
    notes = tuple((local_time(ws, n.get("at_utc"))[:10], str(n.get("note", "")))
                  for n in json.loads(r["progress_notes"] or "[]"))
    return FormRectification(measure_type=r["measure_type"], measures=r["measures"] or "",
                             deadline=r["deadline"] or "", responsible_unit=r["responsible_unit"] or "",
                             responsible_person=r["responsible_person"] or "", progress=notes)


def _checklist(conn: Connection, case_id: int) -> FormChecklist | None:
    r = conn.execute(
        "SELECT water_cut, power_cut, materials_cleared, products_cleared, equipment_cleared, note "
        "FROM closure_checklists WHERE case_id = ? AND deleted = 0", (case_id,)).fetchone()
    if r is None:
        return None
    return FormChecklist(water_cut=bool(r[0]), power_cut=bool(r[1]), materials_cleared=bool(r[2]),
                         products_cleared=bool(r[3]), equipment_cleared=bool(r[4]), note=r["note"])
