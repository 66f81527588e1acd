"""The schema of synced record content: one pydantic model per record kind, and :func:`validate_content`.

Each model lists the columns a workspace stores for that kind (as
:func:`sync.record_codec.to_wire` sends them) with their types, value ranges
(coordinates, ISO 8601 UTC times and dates, areas, sizes), enumerations
taken from the core's own constants (workflow states, actions and roles,
assessments, measure types, evidence kinds and phases, the 两断三清 items)
and text lengths — and nothing else: an unknown field is refused, so a
column a migration adds must be added here too. A field without a default
is a column the workspace cannot store a row without (NOT NULL, no
default). Booleans are the workspace's 0/1 integers; types are strict (no
``"1.5"`` for a number).

A tombstone (``deleted``) may carry only its references — what remains of a
record purged on the server — but whatever else it carries must still fit.
The server checks every pushed record with :func:`validate_content` before
storing it; a device can check what it pulls the same way.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Callable, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from pydantic.fields import FieldInfo

from inspector.casework.evidence_attach import EVIDENCE_KINDS, PHASES
from inspector.casework.findings import ASSESSMENTS, POSITION_SOURCES
from inspector.casework.rectification import CHECKLIST_ITEMS, MEASURE_TYPES
from inspector.casework.workflow import MOVES, ROLES, STATES

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_LABEL_CHARS = 500  # characters: names, units, roles, file names, camera makes
MAX_TEXT_CHARS = 20_000  # characters: descriptions, measures, reasons, notes, ledger cells
MAX_JSON_TEXT_CHARS = 200_000  # characters: JSON held in a text column (metadata, zones, footprints)
MAX_AREA_M2 = 2e11  # m²: about twice Jiangsu (1.07e11 m²)
MAX_ACCURACY_M = 1e5  # m: a position worse than this is no position
ALTITUDE_RANGE_M = (-1e4, 1e5)  # m: what a GPS or drone can report
_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")  # ASCII digits only
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _utc_time(text: str) -> str:
    if not _UTC_TIME.fullmatch(text):
        raise ValueError("not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)")
    dt.datetime.fromisoformat(text[:-1])  # a real date and time of day
    return text


def _day(text: str) -> str:
    if not _DAY.fullmatch(text):
        raise ValueError("not an ISO 8601 date (YYYY-MM-DD)")
    dt.date.fromisoformat(text)
    return text


def _json_text(shape: type, items: Optional[type] = None) -> Callable[[str], str]:
    """A validator for a text column holding JSON of ``shape`` (list or dict), optionally of ``items``."""
    def check(text: str) -> str:
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError("not JSON text") from None
        if not isinstance(value, shape) or (items is not None and not all(isinstance(v, items) for v in value)):
            raise ValueError(f"not a JSON {'list' if shape is list else 'object'}"
                             + (f" of {items.__name__}" if items else ""))
        return text
    return check


Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Adcode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
UtcTime = Annotated[str, AfterValidator(_utc_time)]
Day = Annotated[str, AfterValidator(_day)]
Label = Annotated[str, StringConstraints(max_length=MAX_LABEL_CHARS)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LABEL_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
JsonText = Annotated[str, StringConstraints(max_length=MAX_JSON_TEXT_CHARS)]
JsonList = Annotated[JsonText, AfterValidator(_json_text(list))]
JsonObject = Annotated[JsonText, AfterValidator(_json_text(dict))]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Area = Annotated[float, Field(ge=0, le=MAX_AREA_M2, allow_inf_nan=False)]
SqlFlag = Annotated[int, Field(ge=0, le=1)]  # a workspace boolean column: 0 or 1
Revision = Annotated[int, Field(ge=1)]


class _Record(BaseModel):
    """Columns every synced record carries. A field without a default is a column the workspace cannot
    store without (NOT NULL, no default); a field with one may be left out."""

    model_config = ConfigDict(extra="forbid", strict=True)
    revision: Revision = 1
    created_at: UtcTime
    updated_at: UtcTime


class CaseContent(_Record):
    case_no: Name
    ledger_zone_name: Optional[Text] = None
    ledger_function_zone: Optional[Text] = None
    problem_type: Optional[Text] = None
    description: Optional[Text] = None
    lon: Lon
    lat: Lat
    discovered_on: Optional[Day] = None
    deadline: Optional[Day] = None
    responsible_unit: Optional[Text] = None
    clue_source: Optional[Text] = None
    ledger_city: Optional[Text] = None
    ledger_county: Optional[Text] = None
    area_m2: Optional[Area] = None
    status: Literal[STATES] = STATES[0]
    city_adcode: Optional[Adcode] = None
    county_adcode: Optional[Adcode] = None
    source_file: Optional[Text] = None
    source_sheet: Optional[Label] = None
    source_row: Optional[Annotated[int, Field(ge=0)]] = None
    source_record: Optional[JsonObject] = None
    ledger_hash: Sha256


class FindingContent(_Record):
    case_uuid: Uuid
    inspector: Optional[Label] = None
    observed_at_utc: UtcTime
    lon: Optional[Lon] = None
    lat: Optional[Lat] = None
    position_source: Optional[Literal[POSITION_SOURCES]] = None
    accuracy_m: Optional[Annotated[float, Field(ge=0, le=MAX_ACCURACY_M, allow_inf_nan=False)]] = None
    activity_type: Name
    description: Text = ""
    area_m2: Optional[Area] = None
    area_is_estimate: SqlFlag = 1
    assessment: Literal[ASSESSMENTS]
    basis: Optional[Text] = None
    function_zone: Optional[Label] = None
    zones: JsonList = "[]"


class RectificationContent(_Record):
    case_uuid: Uuid
    measure_type: Literal[MEASURE_TYPES]
    measures: Text = ""
    deadline: Optional[Day] = None
    responsible_unit: Optional[Text] = None
    responsible_person: Optional[Label] = None
    progress_notes: JsonList = "[]"


ClosureChecklistContent = create_model(  # one 0/1 column per 两断三清 item of the core's checklist
    "ClosureChecklistContent", __base__=_Record, case_uuid=(Uuid, ...), note=(Optional[Text], None),
    **{item: (SqlFlag, 0) for item in CHECKLIST_ITEMS})


class EvidenceContent(_Record):
    case_uuid: Uuid
    finding_uuid: Optional[Uuid] = None
    sha256: Sha256
    kind: Literal[EVIDENCE_KINDS]
    phase: Literal[PHASES]
    original_name: Optional[Label] = None
    lon: Optional[Lon] = None
    lat: Optional[Lat] = None
    altitude_m: Optional[Annotated[float, Field(ge=ALTITUDE_RANGE_M[0], le=ALTITUDE_RANGE_M[1],
                                                allow_inf_nan=False)]] = None
    bearing_deg: Optional[Annotated[float, Field(ge=0, le=360, allow_inf_nan=False)]] = None
    bearing_ref: Optional[Literal["T", "M"]] = None  # true or magnetic north (EXIF GPSImgDirectionRef)
    taken_at_utc: Optional[UtcTime] = None
    make: Optional[Label] = None
    model: Optional[Label] = None
    flags: Annotated[JsonText, AfterValidator(_json_text(list, str))] = "[]"
    metadata: JsonObject = "{}"
    zones: JsonList = "[]"
    function_zone: Optional[Label] = None
    footprint_geojson: Optional[JsonObject] = None
    footprint_area_m2: Optional[Area] = None
    footprint_zones: JsonList = "[]"
    bounds: Optional[JsonList] = None


class TransitionContent(_Record):
    case_uuid: Uuid
    action: Literal[MOVES]
    from_state: Literal[STATES]
    to_state: Literal[STATES]
    actor: Name
    role: Literal[ROLES]
    reason: Optional[Text] = None
    at_utc: UtcTime


RECORD_MODELS: dict[str, type[BaseModel]] = {
    "cases": CaseContent, "findings": FindingContent, "rectifications": RectificationContent,
    "closure_checklists": ClosureChecklistContent, "evidence": EvidenceContent, "transitions": TransitionContent}
TOMBSTONE_REFERENCES = ("case_uuid",)  # what a tombstone must still carry: the scope of a child record


def _tombstone_model(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with every field optional but the references (a present field must still fit)."""
    optional = {name: (info.annotation, FieldInfo.merge_field_infos(info, default=None))
                for name, info in model.model_fields.items() if name not in TOMBSTONE_REFERENCES}
    return create_model(model.__name__ + "Tombstone", __base__=model, **optional)


TOMBSTONE_MODELS = {kind: _tombstone_model(model) for kind, model in RECORD_MODELS.items()}
MAX_REASONS = 6  # field problems named in one refusal


def validate_content(kind: str, content: Any, deleted: bool) -> Optional[str]:
    """``None`` when ``content`` fits the schema of ``kind`` (a tombstone's when ``deleted``), else the
    reason: each field at fault and why."""
    models = TOMBSTONE_MODELS if deleted else RECORD_MODELS
    if kind not in models:
        return f"unknown record kind {kind!r}"
    try:
        json.dumps(content, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800") parses from JSON but is no text to store
        return f"invalid {kind} record: content: text that is not valid Unicode"
    try:
        models[kind].model_validate(content)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:MAX_REASONS]:
            field = ".".join(str(part) for part in error["loc"]) or "content"
            why = {"missing": "required field missing", "extra_forbidden": "unknown field"}.get(
                error["type"], error["msg"].removeprefix("Value error, "))
            problems.append(f"{field}: {why}")
        more = exc.error_count() - len(problems)
        return f"invalid {kind} record: " + "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")
    return None


def is_uuid(text: Any) -> bool:
    return isinstance(text, str) and re.fullmatch(UUID_PATTERN, text) is not None
