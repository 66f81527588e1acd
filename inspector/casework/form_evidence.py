"""Which photos go on a case's forms: the inspector's choice, and the default when nothing is chosen.

A choice is one synced record per case and form (table ``form_evidence``,
migration v11) for :data:`FORMS`: the 现场核查记录表 (``inspection``: the
photos it shows, in order) and the 整改销号申请及验收表 (``closure``:
before/after pairs printed side by side, then photos shown on their own).
Its UUID is derived from the case's UUID and the form (:func:`choice_uuid`),
so every device edits the same record and two different choices meet as a
sync conflict for review. Photos are named by evidence UUID and must be live
photos or drone stills of the case in the right phase (:func:`eligible`).
An empty choice means nothing is chosen: the form prints its default
(:func:`default_pairs`: pairs only while both sides have photos, the rest
unpaired) — never a row of empty pairs.
"""
from __future__ import annotations

import json
import math
import uuid as uuid_lib
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar

from inspector.casework.cases import resolve_case
from inspector.errors import BadInput
from inspector.evidence.plausibility import blocking
from inspector.store.changes import Outcome, recording
from inspector.store.db import Row, atomic
from inspector.store.record_store import insert_record, to_json, update_record
from inspector.store.workspace import Workspace

FORMS = ("inspection", "closure")
FORM_NAMES = {"inspection": ("现场核查记录表", "inspection form"), "closure": ("整改销号表", "closure form")}
INSPECTION_PHASES = ("inspection",)  # the phases the inspection form shows: 现场核查 only
BEFORE_PHASES = ("before", "inspection")  # the 整改前 side of a pair (a 现场核查 photo shows the site before too)
AFTER_PHASES = ("after",)  # the 整改后 side
FORM_PHOTO_KINDS = ("photo", "drone")  # evidence the forms print as pictures
MAX_CHOSEN = 200  # photos in one form's choice (pairs count two)
METRES_PER_DEGREE = 111_320.0  # m per degree of latitude (and of longitude at the equator)
CHOICE_NAMESPACE = uuid_lib.UUID("6b1f3c52-58d4-4c1e-9a57-2f0e4f1d9c11")  # of the derived choice UUIDs
T = TypeVar("T")


def choice_uuid(case_uuid: str, form: str) -> str:
    """The one UUID of a case's choice for ``form``: the same on every device."""
    return str(uuid_lib.uuid5(CHOICE_NAMESPACE, f"{case_uuid.lower()}/{form}"))


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Approximate ground distance between two lon/lat points (equirectangular; fine over a few km)."""
    east = (a[0] - b[0]) * math.cos(math.radians((a[1] + b[1]) / 2)) * METRES_PER_DEGREE
    north = (a[1] - b[1]) * METRES_PER_DEGREE
    return math.hypot(east, north)


def default_pairs(before: Sequence[T], after: Sequence[T], time: Callable[[T], Optional[str]],
                  position: Callable[[T], Optional[tuple[float, float]]],
                  flags: Callable[[T], Iterable[str]]) -> tuple[list[tuple[T, T]], list[T]]:
    """The default before/after pairing: (pairs, unpaired). Only photos without a blocking plausibility flag
    (:data:`inspector.evidence.plausibility.BLOCKING_FLAGS`: far from the case, before its discovery …) are
    paired: a suspect photo is never shown as the proof of a rectification unless the inspector chooses it.
    Each after photo in time order takes the unused before photo nearest to it (when both have a position),
    else the earliest unused one; pairing stops when either side runs out, so no pair is ever half empty.
    Pairs come in the before photos' time order; the unpaired are the before photos left, then the after
    photos left, each in time order."""
    def by_time(items: Sequence[T]) -> list[T]:
        return sorted(items, key=lambda item: (time(item) is None, time(item) or ""))

    free = [item for item in by_time(before) if not blocking(flags(item))]
    matched: list[tuple[T, T]] = []
    for photo in by_time(after):
        if not free or blocking(flags(photo)):
            continue
        here = position(photo)
        placed = [(i, position(item)) for i, item in enumerate(free)]
        near = [(_distance_m(here, where), i) for i, where in placed if here is not None and where is not None]
        index = min(near)[1] if near else 0
        matched.append((free.pop(index), photo))
    order = {id(item): rank for rank, item in enumerate(by_time(before))}
    matched.sort(key=lambda pair: order[id(pair[0])])
    paired = {id(item) for pair in matched for item in pair}
    return matched, [item for side in (before, after) for item in by_time(side) if id(item) not in paired]


def _checked_form(form: str) -> str:
    if form not in FORMS:
        raise BadInput(f"表单须为 {'/'.join(FORMS)}，而不是：{form}",
                       f"form must be one of {'/'.join(FORMS)}, not: {form}")
    return form


def photos_of(ws: Workspace, case_id: int) -> list[dict[str, Any]]:
    """The case's live (neither deleted nor voided) photos and drone stills, in attach order: uuid, kind,
    phase, taken_at_utc, lon, lat, original_name, sha256, flags (JSON list of codes)."""
    return [dict(row) for row in ws.conn.execute(
        "SELECT uuid, kind, phase, taken_at_utc, lon, lat, original_name, sha256, flags FROM evidence "
        "WHERE case_id = ? AND deleted = 0 AND voided_at IS NULL "
        f"AND kind IN ({','.join('?' * len(FORM_PHOTO_KINDS))}) ORDER BY id",
        (case_id, *FORM_PHOTO_KINDS))]


def eligible(form: str, side: str, phase: str) -> bool:
    """Whether a photo of ``phase`` may go on ``form`` (``side``: ``photo``, ``before`` or ``after``)."""
    if form == "inspection":
        return side == "photo" and phase in INSPECTION_PHASES
    return {"photo": True, "before": phase in BEFORE_PHASES, "after": phase in AFTER_PHASES}[side]


def _stored(ws: Workspace, case_uuid: str, form: str) -> Optional[Row]:
    return ws.conn.execute("SELECT uuid, photos, pairs, chosen_by, deleted FROM form_evidence WHERE uuid = ?",
                           (choice_uuid(case_uuid, form),)).fetchone()


def _default_layout(form: str, photos: list[dict[str, Any]]) -> tuple[list[list[str]], list[str]]:
    if form == "inspection":
        return [], [p["uuid"] for p in photos if p["phase"] in INSPECTION_PHASES]
    before = [p for p in photos if p["phase"] == "before"] or [p for p in photos if p["phase"] == "inspection"]
    after = [p for p in photos if p["phase"] in AFTER_PHASES]
    pairs, unpaired = default_pairs(before, after, lambda p: p["taken_at_utc"],
                                    lambda p: (p["lon"], p["lat"]) if p["lon"] is not None and p["lat"] is not None
                                    else None, lambda p: json.loads(p["flags"] or "[]"))
    return [[b["uuid"], a["uuid"]] for b, a in pairs], [p["uuid"] for p in unpaired]


def form_evidence(ws: Workspace, case_ref: str, form: str) -> dict[str, Any]:
    """What ``form`` of the case shows: ``chosen`` (whether an inspector chose), ``pairs`` and ``photos`` (the
    choice, or the default), and ``candidates`` (the case's photos, each with the sides it may take)."""
    _checked_form(form)
    case = resolve_case(ws, case_ref)
    photos = photos_of(ws, case["id"])
    stored = _stored(ws, case["uuid"], form)
    live = {p["uuid"] for p in photos}
    pairs: list[list[str]] = []
    chosen_photos: list[str] = []
    if stored is not None and not stored["deleted"]:
        pairs = [pair for pair in json.loads(stored["pairs"]) if set(pair) <= live]
        chosen_photos = [uuid for uuid in json.loads(stored["photos"]) if uuid in live]
    chosen = bool(pairs or chosen_photos)
    if not chosen:
        pairs, chosen_photos = _default_layout(form, photos)
    return {"case_no": case["case_no"], "case_uuid": case["uuid"], "form": form, "chosen": chosen,
            "chosen_by": stored["chosen_by"] if chosen and stored is not None else None,
            "pairs": [{"before": b, "after": a} for b, a in pairs], "photos": chosen_photos,
            "candidates": [{**p, "sides": [side for side in ("photo", "before", "after")
                                           if eligible(form, side, p["phase"])]} for p in photos]}


def _checked_choice(form: str, photos: list[dict[str, Any]], chosen: list[str],
                    pairs: list[tuple[str, str]]) -> None:
    phase_of = {p["uuid"]: p["phase"] for p in photos}
    if form == "inspection" and pairs:
        raise BadInput("现场核查记录表没有整改前后配对", "the inspection form has no before/after pairs")
    named = [*chosen, *(uuid for pair in pairs for uuid in pair)]
    if len(named) > MAX_CHOSEN:
        raise BadInput(f"选择的照片过多（上限 {MAX_CHOSEN}）", f"too many photos chosen (limit {MAX_CHOSEN})")
    for uuid in named:
        if uuid not in phase_of:
            raise BadInput(f"不是该问题的照片：{uuid}", f"not a photo of this case: {uuid}")
        if named.count(uuid) > 1:
            raise BadInput(f"照片选了不止一次：{uuid}", f"photo chosen more than once: {uuid}")
    for uuid in chosen:
        if not eligible(form, "photo", phase_of[uuid]):
            raise BadInput(f"现场核查记录表只收现场核查阶段的照片：{uuid}",
                           f"the inspection form takes inspection-phase photos only: {uuid}")
    for before, after in pairs:
        if not eligible(form, "before", phase_of[before]) or not eligible(form, "after", phase_of[after]):
            raise BadInput(f"配对须为 整改前（或现场核查）= 整改后：{before}={after}",
                           f"a pair is a before (or inspection) photo = an after photo: {before}={after}")


def choose_form_evidence(ws: Workspace, case_ref: str, form: str, *, photos: Sequence[str] = (),
                         pairs: Sequence[tuple[str, str]] = (), actor: str) -> Outcome:
    """Set the photos ``form`` of the case shows (nothing: back to the default); returns what the form shows
    now (:func:`form_evidence`) and what changed."""
    _checked_form(form)
    case = resolve_case(ws, case_ref)
    chosen = [uuid.strip().lower() for uuid in photos]
    paired = [(b.strip().lower(), a.strip().lower()) for b, a in pairs]
    _checked_choice(form, photos_of(ws, case["id"]), chosen, paired)
    values = {"photos": to_json(chosen), "pairs": to_json([list(pair) for pair in paired]), "chosen_by": actor}
    stored = _stored(ws, case["uuid"], form)
    conn = ws.conn
    with recording(conn) as journal, atomic(conn):
        if stored is None:
            if chosen or paired:
                insert_record(conn, "form_evidence", {"case_id": case["id"], "form": form, **values}, actor=actor,
                              action="form_evidence.choose", uuid=choice_uuid(case["uuid"], form))
        elif (stored["photos"], stored["pairs"]) != (values["photos"], values["pairs"]):
            update_record(conn, "form_evidence", stored["uuid"], values, actor=actor, action="form_evidence.choose")
    return Outcome(form_evidence(ws, case["uuid"], form), journal.changes)
