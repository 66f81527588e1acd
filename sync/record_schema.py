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
storing it; a device can check what it pulls the same way. The reason it
gives names each field at fault and why, in Chinese and English
(:class:`~inspector.errors.Message`; the English wording is pydantic's).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Callable, Literal, Optional, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from inspector.casework.countersigns import DEPARTMENTS
from inspector.casework.evidence_attach import EVIDENCE_KINDS, PHASES
from inspector.casework.findings import ASSESSMENTS, POSITION_SOURCES
from inspector.casework.form_evidence import FORMS, MAX_CHOSEN
from inspector.casework.rectification import CHECKLIST_ITEMS, MEASURE_TYPES
from inspector.casework.signatures import SIGNER_ROLES
from inspector.casework.workflow import MOVES, ROLES, STATES
from inspector.errors import InspectorError, InvalidValue, Message
from inspector.geo.gnss import FIX_TYPES
from inspector.geo.gnss_quality import MAX_HDOP, MAX_SATELLITES
from inspector.patrols.patrols import MAX_AREA_CHARS, MAX_PURPOSE_CHARS, MAX_TEAM_MEMBERS, STATUSES
from inspector.patrols.track_blob import MAX_TRACK_POINTS
from inspector.vocabulary import DOCUMENT_TYPES

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_LABEL_CHARS = 500  # characters: names, units, roles, file names, camera makes
MAX_TEXT_CHARS = 20_000  # characters: descriptions, measures, reasons, notes, ledger cells
MAX_JSON_TEXT_CHARS = 200_000  # characters: JSON held in a text column (metadata, zones, footprints)
MAX_AREA_M2 = 2e11  # m²: about twice Jiangsu (1.07e11 m²)
MAX_ACCURACY_M = 1e5  # m: a position worse than this is no position
ALTITUDE_RANGE_M = (-1e4, 1e5)  # m: what a GPS or drone can report
MAX_PATROL_DISTANCE_M = 2e6  # m: far more than a patrol can walk or drive in the longest track kept
MAX_PATROL_DURATION_S = 30 * 24 * 3600.0  # s: a month of moving time
_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")  # ASCII digits only
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


NOT_UTC_TIME = Message("不是 ISO 8601 UTC 时间（YYYY-MM-DDTHH:MM:SSZ）",
                       "not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)")
NOT_DAY = Message("不是 ISO 8601 日期（YYYY-MM-DD）", "not an ISO 8601 date (YYYY-MM-DD)")


def _utc_time(text: str) -> str:
    if not _UTC_TIME.fullmatch(text):
        raise InvalidValue(NOT_UTC_TIME)
    try:
        dt.datetime.fromisoformat(text[:-1])  # a real date and time of day
    except ValueError as exc:
        raise InvalidValue(NOT_UTC_TIME.detailed(exc)) from None
    return text


def _instant(text: str) -> dt.datetime:
    """A checked :data:`UtcTime` as a datetime (to compare times written with different precision)."""
    return dt.datetime.fromisoformat(text[:-1])


def _day(text: str) -> str:
    if not _DAY.fullmatch(text):
        raise InvalidValue(NOT_DAY)
    try:
        dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidValue(NOT_DAY.detailed(exc)) from None
    return text


def _json_text(shape: type[list[Any]] | type[dict[str, Any]], items: Optional[type] = None) -> Callable[[str], str]:
    """A validator for a text column holding JSON of ``shape`` (list or dict), optionally of ``items``."""
    def check(text: str) -> str:
        try:
            value = json.loads(text)
        except ValueError:
            raise InvalidValue("不是 JSON 文本", "not JSON text") from None
        if not isinstance(value, shape) or (items is not None and not all(isinstance(v, items) for v in value)):
            raise InvalidValue(f"不是 JSON {'列表' if shape is list else '对象'}"
                               + (f"（元素须为 {items.__name__}）" if items else ""),
                               f"not a JSON {'list' if shape is list else 'object'}"
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


if TYPE_CHECKING:
    # A Literal of the core's constant tuples is a type pydantic checks at run time but no type checker can
    # read (its values are not written out here): mypy sees the text each one is.
    State: TypeAlias = str
    Move: TypeAlias = str
    Role: TypeAlias = str
    Assessment: TypeAlias = str
    PositionSource: TypeAlias = str
    MeasureType: TypeAlias = str
    EvidenceKind: TypeAlias = str
    Phase: TypeAlias = str
    SignerRole: TypeAlias = str
    Department: TypeAlias = str
    FormName: TypeAlias = str
    DocumentType: TypeAlias = str
    FixType: TypeAlias = str
    PatrolStatus: TypeAlias = str
else:
    State = Literal[STATES]
    Move = Literal[MOVES]
    Role = Literal[ROLES]
    Assessment = Literal[ASSESSMENTS]
    PositionSource = Literal[POSITION_SOURCES]
    MeasureType = Literal[MEASURE_TYPES]
    EvidenceKind = Literal[EVIDENCE_KINDS]
    Phase = Literal[PHASES]
    SignerRole = Literal[SIGNER_ROLES]
    Department = Literal[DEPARTMENTS]
    FormName = Literal[FORMS]
    DocumentType = Literal[DOCUMENT_TYPES]
    FixType = Literal[tuple(FIX_TYPES.values())]  # the core's GGA fix type codes
    PatrolStatus = Literal[STATUSES]


class _Record(BaseModel):
    """Columns every synced record carries. A field without a default is a column the workspace cannot
    store without (NOT NULL, no default); a field with one may be left out."""

    model_config = ConfigDict(extra="forbid", strict=True)
    revision: Revision = 1
    created_at: UtcTime
    updated_at: UtcTime


class _Correctable(_Record):
    """Columns of a record that can be corrected (migration v10): who recorded it, its void and its corrections
    (the entries' meaning and who may make them are checked by the server against the record's history,
    :mod:`sync.server.correction_guard`)."""

    recorded_by: Optional[Label] = None
    voided_at: Optional[UtcTime] = None
    voided_by: Optional[Label] = None
    void_reason: Optional[Text] = None
    corrections: Annotated[JsonText, AfterValidator(_json_text(list, dict))] = "[]"

    @model_validator(mode="after")
    def _void_fields(self) -> "_Correctable":
        if (self.voided_at is None) != (self.voided_by is None) or (self.voided_at is None) != (
                self.void_reason is None):
            raise InvalidValue("作废须同时有 voided_at、voided_by 和 void_reason",
                               "a void needs voided_at, voided_by and void_reason together")
        return self


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
    geometry_geojson: Optional[JsonObject] = None
    reported_area_m2: Optional[Area] = None
    area_unit: Optional[Label] = None
    verified_geometry_geojson: Optional[JsonObject] = None
    verified_area_m2: Optional[Area] = None
    patch_no: Optional[Label] = None
    imaged_before: Optional[Day] = None
    imaged_after: Optional[Day] = None
    change_type: Optional[Label] = None
    origin: Literal["ledger", "patch", "field"] = "ledger"
    patrol_uuid: Optional[Uuid] = None  # v13: the patrol in progress when a field case was recorded
    status: State = STATES[0]
    city_adcode: Optional[Adcode] = None
    county_adcode: Optional[Adcode] = None
    source_file: Optional[Text] = None
    source_sheet: Optional[Label] = None
    source_row: Optional[Annotated[int, Field(ge=0)]] = None
    source_record: Optional[JsonObject] = None
    ledger_hash: Sha256


Accuracy: TypeAlias = Annotated[float, Field(ge=0, le=MAX_ACCURACY_M, allow_inf_nan=False)]
Satellites: TypeAlias = Annotated[int, Field(ge=0, le=MAX_SATELLITES)]
Hdop: TypeAlias = Annotated[float, Field(ge=0, le=MAX_HDOP, allow_inf_nan=False)]


class FindingContent(_Correctable):
    case_uuid: Uuid
    inspector: Optional[Label] = None
    observed_at_utc: UtcTime
    lon: Optional[Lon] = None
    lat: Optional[Lat] = None
    position_source: Optional[PositionSource] = None
    accuracy_m: Optional[Accuracy] = None
    fix_type: Optional[FixType] = None  # v12: the GNSS quality of the position
    satellites: Optional[Satellites] = None
    hdop: Optional[Hdop] = None
    activity_type: Name
    description: Text = ""
    area_m2: Optional[Area] = None
    area_is_estimate: SqlFlag = 1
    assessment: Assessment
    basis: Optional[Text] = None
    function_zone: Optional[Label] = None
    zones: JsonList = "[]"
    patrol_uuid: Optional[Uuid] = None  # v13: the patrol in progress when the finding was recorded


class RectificationContent(_Correctable):
    case_uuid: Uuid
    measure_type: MeasureType
    measures: Text = ""
    deadline: Optional[Day] = None
    responsible_unit: Optional[Text] = None
    responsible_person: Optional[Label] = None
    progress_notes: JsonList = "[]"


_CHECKLIST_FIELDS: dict[str, Any] = {  # field: (type, default); one 0/1 column per 两断三清 item of the core's
    "case_uuid": (Uuid, ...), "note": (Optional[Text], None), **{item: (SqlFlag, 0) for item in CHECKLIST_ITEMS}}
ClosureChecklistContent = create_model("ClosureChecklistContent", __base__=_Record, **_CHECKLIST_FIELDS)


class EvidenceContent(_Correctable):
    case_uuid: Uuid
    finding_uuid: Optional[Uuid] = None
    sha256: Sha256
    kind: EvidenceKind
    phase: Phase
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
    signs_uuid: Optional[Uuid] = None  # a signature: the transition, finding or countersign it signs
    signer_role: Optional[SignerRole] = None
    signer_name: Optional[Label] = None
    caption: Optional[Label] = None
    document_type: Optional[DocumentType] = None  # a document's type (v9)
    fix_type: Optional[FixType] = None  # v12: the receiver's fix when the photo was taken or attached
    satellites: Optional[Satellites] = None
    hdop: Optional[Hdop] = None
    accuracy_m: Optional[Accuracy] = None

    @model_validator(mode="after")
    def _document_type(self) -> "EvidenceContent":
        if self.document_type is not None and self.kind is not None and self.kind != "document":
            raise InvalidValue("只有文档才有 document_type", "only a document has a document_type")
        return self

    @model_validator(mode="after")
    def _signature_fields(self) -> "EvidenceContent":
        signature = (self.signs_uuid, self.signer_role, self.signer_name)
        if self.kind == "signature" and None in signature:
            raise InvalidValue("签名须有 signs_uuid、signer_role 和 signer_name",
                               "a signature needs signs_uuid, signer_role and signer_name")
        if self.kind is not None and self.kind != "signature" and signature != (None, None, None):
            raise InvalidValue("只有签名才有 signs_uuid、signer_role、signer_name",
                               "only a signature has signs_uuid, signer_role and signer_name")
        return self


class CountersignContent(_Record):
    case_uuid: Uuid
    department: Department
    signer: Name
    signed_on: Day
    opinion: Text
    document_uuid: Optional[Uuid] = None  # the scanned document: evidence of kind document of the same case
    recorded_by: Name


class PublicityContent(_Record):
    case_uuid: Uuid
    starts_on: Day
    ends_on: Day
    published_where: Name
    recorded_by: Name


def _uuid_list(text: str) -> str:
    """A JSON list of evidence UUIDs (at most :data:`MAX_CHOSEN`)."""
    value = json.loads(text)
    if len(value) > MAX_CHOSEN or not all(is_uuid(item) for item in value):
        raise InvalidValue(f"须为至多 {MAX_CHOSEN} 个 UUID 的列表", f"must be a list of at most {MAX_CHOSEN} UUIDs")
    return text


def _uuid_pairs(text: str) -> str:
    """A JSON list of ``[before UUID, after UUID]`` pairs."""
    value = json.loads(text)
    if len(value) > MAX_CHOSEN or not all(isinstance(pair, list) and len(pair) == 2 and all(map(is_uuid, pair))
                                          for pair in value):
        raise InvalidValue("须为 [整改前 UUID, 整改后 UUID] 配对的列表",
                           "must be a list of [before UUID, after UUID] pairs")
    return text


class FormEvidenceContent(_Record):
    """The photos chosen for a case's form (:mod:`inspector.casework.form_evidence`)."""

    case_uuid: Uuid
    form: FormName
    photos: Annotated[JsonList, AfterValidator(_uuid_list)] = "[]"
    pairs: Annotated[JsonList, AfterValidator(_uuid_pairs)] = "[]"
    chosen_by: Name

    @model_validator(mode="after")
    def _pairs_on_closure_only(self) -> "FormEvidenceContent":
        if self.form != "closure" and self.pairs not in (None, "[]") and json.loads(self.pairs):
            raise InvalidValue("只有整改销号表有配对", "only the closure form has pairs")
        return self


class TransitionContent(_Record):
    case_uuid: Uuid
    action: Move
    from_state: State
    to_state: State
    actor: Name
    role: Role
    reason: Optional[Text] = None
    at_utc: UtcTime
    # Who acted by display name, and for which jurisdiction (devices before accounts-as-identity send neither;
    # the server checks the level with the pushing account's own jurisdiction either way).
    actor_name: Optional[Label] = None
    jurisdiction: Optional[Adcode] = None


def _team_list(text: str) -> str:
    """A JSON list of at most :data:`MAX_TEAM_MEMBERS` non-empty names of at most :data:`MAX_PURPOSE_CHARS`."""
    value = json.loads(text)
    if len(value) > MAX_TEAM_MEMBERS or not all(0 < len(name.strip()) <= MAX_PURPOSE_CHARS for name in value):
        raise InvalidValue(f"须为至多 {MAX_TEAM_MEMBERS} 个姓名（每个 1–{MAX_PURPOSE_CHARS} 个字符）的列表",
                           f"must be a list of at most {MAX_TEAM_MEMBERS} names of 1–{MAX_PURPOSE_CHARS} characters")
    return text


class PatrolContent(_Record):
    """A routine patrol (:mod:`inspector.patrols.patrols`); its track travels as the blob ``track_sha256`` names,
    and its scope is decided by the server from that track (:mod:`sync.server.patrol_scope`)."""

    purpose: Annotated[str, StringConstraints(min_length=1, max_length=MAX_PURPOSE_CHARS)]
    team_members: Annotated[JsonText, AfterValidator(_json_text(list, str)), AfterValidator(_team_list)] = "[]"
    area: Optional[Annotated[str, StringConstraints(max_length=MAX_AREA_CHARS)]] = None
    jurisdiction: Optional[Adcode] = None  # what the device's account acted for; the server decides the scope
    status: PatrolStatus
    started_at: UtcTime
    ended_at: Optional[UtcTime] = None
    active_since: Optional[UtcTime] = None
    distance_m: Annotated[float, Field(ge=0, le=MAX_PATROL_DISTANCE_M, allow_inf_nan=False)] = 0.0
    duration_s: Annotated[float, Field(ge=0, le=MAX_PATROL_DURATION_S, allow_inf_nan=False)] = 0.0
    point_count: Annotated[int, Field(ge=0, le=MAX_TRACK_POINTS)] = 0
    track_sha256: Optional[Sha256] = None
    source: Literal["device", "import"] = "device"
    recorded_by: Name
    recorded_by_name: Optional[Label] = None

    @model_validator(mode="after")
    def _times_and_track(self) -> "PatrolContent":
        if self.status is None or self.started_at is None:  # a tombstone's remains: what is there fits its field
            return self
        if self.ended_at is not None and _instant(self.ended_at) < _instant(self.started_at):
            raise InvalidValue("结束时间早于开始时间", "ended_at is before started_at")
        if (self.status == "ended") != (self.ended_at is not None):
            raise InvalidValue("只有已结束的巡查才有结束时间", "a patrol has ended_at exactly when it has ended")
        if (self.status == "running") != (self.active_since is not None):
            raise InvalidValue("只有进行中的巡查才有 active_since", "a patrol has active_since exactly when running")
        if (self.point_count > 0) != (self.track_sha256 is not None):
            raise InvalidValue("有轨迹点的巡查才有 track_sha256", "a patrol names a track exactly when it has points")
        return self


RECORD_MODELS: dict[str, type[BaseModel]] = {
    "cases": CaseContent, "findings": FindingContent, "rectifications": RectificationContent,
    "closure_checklists": ClosureChecklistContent, "evidence": EvidenceContent, "countersigns": CountersignContent,
    "publicity": PublicityContent, "transitions": TransitionContent, "form_evidence": FormEvidenceContent,
    "patrols": PatrolContent}
# Fields a later workspace migration added, with the value the workspace's column defaults to (v6: who acted by
# display name, for which jurisdiction; v7: what a signature signs, and who signed; v8: a case's extent; v9: a
# document's type; v10: corrections; v12: the GNSS quality of a finding's or a photo's position; v13: the patrol
# it was recorded on): a push
# from a device made before them lacks them, and the server stores that default (:func:`with_added_fields`) so that
# every copy of the record — the pusher's, and the devices that pull it and hold the columns — hashes the same.
_V10_CORRECTION_FIELDS = {**dict.fromkeys(("recorded_by", "voided_at", "voided_by", "void_reason")),
                          "corrections": "[]"}
ADDED_FIELDS: dict[str, dict[str, Any]] = {
    "transitions": dict.fromkeys(("actor_name", "jurisdiction")),
    "evidence": {**dict.fromkeys(("signs_uuid", "signer_role", "signer_name", "document_type", "caption",
                                  "fix_type", "satellites", "hdop", "accuracy_m")),
                 **_V10_CORRECTION_FIELDS},
    "findings": {**_V10_CORRECTION_FIELDS, "patrol_uuid": None,  # v13: the patrol it was made during
                 **dict.fromkeys(("fix_type", "satellites", "hdop"))},
    "rectifications": _V10_CORRECTION_FIELDS,
    "cases": {**dict.fromkeys(("geometry_geojson", "reported_area_m2", "area_unit", "verified_geometry_geojson",
                               "verified_area_m2", "patch_no", "imaged_before", "imaged_after", "change_type")),
              "origin": "ledger", "patrol_uuid": None},
}
TOMBSTONE_REFERENCES = ("case_uuid",)  # what a tombstone must still carry: the scope of a child record


def _tombstone_model(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with every field optional but the references (a present field must still fit)."""
    optional: dict[str, Any] = {name: (info.annotation, FieldInfo.merge_field_infos(info, default=None))
                for name, info in model.model_fields.items() if name not in TOMBSTONE_REFERENCES}
    return create_model(model.__name__ + "Tombstone", __base__=model, **optional)


TOMBSTONE_MODELS = {kind: _tombstone_model(model) for kind, model in RECORD_MODELS.items()}
MAX_REASONS = 6  # field problems named in one refusal
# pydantic error type → what it means in Chinese (from the error's context) and, for a few, in English
_TYPE_WORDS = {"int_type": "整数", "float_type": "数字", "string_type": "文本", "bool_type": "布尔值",
               "dict_type": "对象", "list_type": "列表"}
_WHY: dict[str, Callable[[dict[str, Any]], tuple[str, Optional[str]]]] = {
    "missing": lambda ctx: ("缺少必填字段", "required field missing"),
    "extra_forbidden": lambda ctx: ("未知字段", "unknown field"),
    "string_too_long": lambda ctx: (f"文本过长（上限 {ctx.get('max_length')} 个字符）", None),
    "string_too_short": lambda ctx: (f"文本过短（至少 {ctx.get('min_length')} 个字符）", None),
    "string_pattern_mismatch": lambda ctx: ("格式不对", None),
    "literal_error": lambda ctx: (f"不是允许的值（应为 {ctx.get('expected')}）", None),
    "greater_than_equal": lambda ctx: (f"须不小于 {ctx.get('ge')}", None),
    "less_than_equal": lambda ctx: (f"须不大于 {ctx.get('le')}", None),
    "greater_than": lambda ctx: (f"须大于 {ctx.get('gt')}", None),
    "less_than": lambda ctx: (f"须小于 {ctx.get('lt')}", None),
    "finite_number": lambda ctx: ("不是有限数值", None),
}


def _field_problem(error: ErrorDetails) -> Message:
    """One field at fault: its name and why, in both languages (English: pydantic's words)."""
    field = ".".join(str(part) for part in error["loc"]) or "content"
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, InspectorError):  # our own validators say why in both languages
        return Message(f"{field}：{cause.zh}", f"{field}: {cause.en}")
    english = error["msg"].removeprefix("Value error, ")
    if error["type"] in _WHY:
        zh, en = _WHY[error["type"]](ctx)
    elif error["type"] in _TYPE_WORDS:
        zh, en = f"类型不对（应为{_TYPE_WORDS[error['type']]}）", None
    else:
        zh, en = f"值无效（{english}）", None
    return Message(f"{field}：{zh}", f"{field}: {en or english}")


def with_added_fields(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """``content`` with the :data:`ADDED_FIELDS` of its kind it lacks, set to their column defaults."""
    missing = {name: value for name, value in ADDED_FIELDS.get(kind, {}).items() if name not in content}
    return {**content, **missing} if missing else content


def validate_content(kind: str, content: Any, deleted: bool) -> Optional[Message]:
    """``None`` when ``content`` fits the schema of ``kind`` (a tombstone's when ``deleted``), else the
    reason: each field at fault and why."""
    models = TOMBSTONE_MODELS if deleted else RECORD_MODELS
    if kind not in models:
        return Message(f"未知的记录类型 {kind!r}", f"unknown record kind {kind!r}")
    try:
        json.dumps(content, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800") parses from JSON but is no text to store
        return Message(f"{kind} 记录无效：content：含有不是有效 Unicode 的文本",
                       f"invalid {kind} record: content: text that is not valid Unicode")
    try:
        models[kind].model_validate(content)
    except ValidationError as exc:
        problems = Message.joined(_field_problem(error) for error in exc.errors()[:MAX_REASONS])
        more = exc.error_count() - min(exc.error_count(), MAX_REASONS)
        return Message(f"{kind} 记录无效：{problems.zh}" + (f"（另有 {more} 处）" if more > 0 else ""),
                       f"invalid {kind} record: {problems.en}" + (f" (and {more} more)" if more > 0 else ""))
    return None


def is_uuid(text: Any) -> bool:
    return isinstance(text, str) and re.fullmatch(UUID_PATTERN, text) is not None
