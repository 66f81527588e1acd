"""The plain input model of the PDF forms: frozen dataclasses, no database, no Qt.

Whoever gathers a case from the workspace fills a :class:`FormCase`; the form
renderers read nothing else. Every text field is *data*: it is escaped before
it reaches reportlab's markup parser, so ledger text may contain ``<``, ``&``
or ``${...}`` and still print literally.

Conventions:

* coordinates are CGCS2000 geographic (EPSG:4490) as ``lon, lat`` floats;
  geometries are shapely (Multi)Polygons in the same lon/lat order;
* dates and times are already formatted local strings (``2024-05-01 10:23``);
* sequences are stored as tuples (lists given by the caller are converted),
  so a case is immutable and hashable-by-identity once built;
* ``None`` means "not recorded"; the forms print an empty cell for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from shapely.geometry.base import BaseGeometry

PhotoKind = Literal["photo", "drone"]
PhotoPhase = Literal["before", "after", "inspection"]
ZoneKind = Literal["生态保护红线", "生态空间管控区域", "自然保护地"]
Assessment = Literal["确认问题", "排除", "待定"]
MeasureType = Literal["退出", "整治", "生态修复"]
AcceptanceDecision = Literal["同意", "退回"]

# The acceptance chain of 整改销号, in the order the closure form prints it: the applicant's request, then the
# county's and the city's own acceptance (other departments sign as countersigns, FormCountersign).
ACCEPTANCE_LEVELS: tuple[str, ...] = (
    "责任单位",
    "县级",
    "市级",
)
# The departments that may countersign, in the order the closure form prints their boxes (the core's DEPARTMENTS)
COUNTERSIGN_DEPARTMENTS: tuple[str, ...] = ("自然资源", "林业", "水利", "农业农村", "其他")


def _freeze_sequences(instance: Any, *names: str) -> None:
    """Turn list fields of a frozen dataclass into tuples (callers often pass lists)."""
    for name in names:
        value = getattr(instance, name)
        if not isinstance(value, tuple):
            object.__setattr__(instance, name, tuple(value))


@dataclass(frozen=True)
class FormPhoto:
    """One evidence image (camera photo or drone still) already stored in ``media/``."""

    path: Path  # the image file (content-addressed copy in the workspace)
    sha256: str  # hex digest of the file's bytes, as recorded in the evidence table
    taken_at: str  # local time string
    lon: float | None = None
    lat: float | None = None
    bearing_deg: float | None = None  # direction the camera looked, clockwise from north
    kind: PhotoKind = "photo"
    phase: PhotoPhase = "inspection"
    caption: str | None = None  # the inspector's own words
    uuid: str | None = None  # the evidence record's UUID: what a form's photo choice names
    flags: tuple[str, ...] = ()  # evidence flag codes (inspector.evidence.plausibility), printed beside it

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "sha256", self.sha256.strip().lower())

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits printed under the photo."""
        return self.sha256[:12]

    @property
    def has_position(self) -> bool:
        return self.lon is not None and self.lat is not None


@dataclass(frozen=True)
class FormPhotoChoice:
    """The photos an inspector chose for one form, by evidence UUID: before/after pairs (the closure form),
    then the photos shown on their own, in order."""

    pairs: tuple[tuple[str, str], ...] = ()  # (before UUID, after UUID)
    photos: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "pairs", tuple((str(b), str(a)) for b, a in self.pairs))
        _freeze_sequences(self, "photos")


@dataclass(frozen=True)
class FormZone:
    """A protected area (or one of its function zones) drawn on the location map."""

    name: str
    code: str
    kind: str  # 生态保护红线 / 生态空间管控区域 / 自然保护地
    category: str  # e.g. 自然保护区, 饮用水水源保护区 (one of Jiangsu's 15 categories)
    function_zone: str | None  # 核心保护区/一般控制区/核心区/缓冲区/实验区, None if not zoned
    geometry: BaseGeometry  # shapely Polygon or MultiPolygon, lon/lat EPSG:4490


@dataclass(frozen=True)
class FormFootprint:
    """The ground footprint of a drone still (lon/lat polygon)."""

    polygon: BaseGeometry
    label: str | None = None  # e.g. the photo number or file name


@dataclass(frozen=True)
class FormAdmin:
    """The administrative area a case belongs to."""

    city: str  # e.g. 盐城市
    county: str  # e.g. 大丰区
    adcode: str  # six-digit code of the county, e.g. 320982

    @property
    def label(self) -> str:
        return f"{self.city}{self.county}（{self.adcode}）"


@dataclass(frozen=True)
class FormFinding:
    """One on-site check (现场核查) of the case."""

    inspectors: tuple[str, ...]
    time: str  # local time string
    activity_type: str  # what is happening on site, e.g. 养殖, 采砂, 建设项目
    description: str
    assessment: str  # 确认问题 / 排除 / 待定
    basis: str  # 认定依据: the rule or evidence the assessment rests on
    area_m2: float | None = None  # area measured on site
    weather: str | None = None
    accompanying: tuple[str, ...] = ()  # 陪同人员 / 被检查单位 people present

    def __post_init__(self) -> None:
        _freeze_sequences(self, "inspectors", "accompanying")


@dataclass(frozen=True)
class FormRectification:
    """The rectification plan (整改方案) and how it went."""

    measure_type: str  # 退出 / 整治 / 生态修复
    measures: str
    deadline: str
    responsible_unit: str
    responsible_person: str
    progress: tuple[tuple[str, str], ...] = ()  # (date, what was done)

    def __post_init__(self) -> None:
        _freeze_sequences(self, "progress")
        object.__setattr__(self, "progress", tuple(tuple(item) for item in self.progress))


@dataclass(frozen=True)
class FormChecklist:
    """两断三清: each item True (done), False (not done) or None (not applicable)."""

    water_cut: bool | None = None  # 断水
    power_cut: bool | None = None  # 断电
    materials_cleared: bool | None = None  # 清原料
    products_cleared: bool | None = None  # 清产品
    equipment_cleared: bool | None = None  # 清设备
    note: str | None = None


@dataclass(frozen=True)
class FormSignature:
    """A handwritten signature stamped into its box: the PNG (already checked to decode within bounds)."""

    path: Path
    signer_name: str
    signed_at: str  # local time string
    width_px: int
    height_px: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))


@dataclass(frozen=True)
class FormAcceptanceStep:
    """One level of the acceptance chain (验收) and its opinion."""

    level: str  # one of ACCEPTANCE_LEVELS
    opinion: str = ""
    signer: str = ""
    date: str = ""
    decision: str | None = None  # 同意 / 退回 / None (not decided yet)
    return_reason: str | None = None
    signature: FormSignature | None = None


@dataclass(frozen=True)
class FormCountersign:
    """A department's recorded countersign (会签)."""

    department: str  # one of COUNTERSIGN_DEPARTMENTS
    signer: str
    date: str
    opinion: str
    document: str | None = None  # file name of the scanned document, when one was attached
    signature: FormSignature | None = None


@dataclass(frozen=True)
class FormImageChip:
    """One imagery epoch clipped around the case, the outline already drawn (前时相 / 后时相)."""

    role: Literal["before", "after"]
    epoch: str
    date: str | None
    png: bytes


@dataclass(frozen=True)
class FormCase:
    """Everything the three forms print about one problem (问题) of the ledger."""

    uuid: str
    case_no: str  # 问题编号
    zone_names: tuple[str, ...]
    kind: str  # 生态保护红线 / 生态空间管控区域 / 自然保护地
    category: str
    function_zone: str | None
    admin: FormAdmin | None
    lon: float
    lat: float
    area_m2: float | None
    problem_type: str
    description: str
    discovered_on: str
    deadline: str | None
    responsible_unit: str | None
    status: str
    findings: tuple[FormFinding, ...] = ()
    photos: tuple[FormPhoto, ...] = ()
    footprints: tuple[FormFootprint, ...] = ()
    zones: tuple[FormZone, ...] = ()
    rectification: FormRectification | None = None
    checklist: FormChecklist | None = None
    acceptance: tuple[FormAcceptanceStep, ...] = ()
    publicity: str | None = None  # 公示 records: period and place, one per line
    countersigns: tuple[FormCountersign, ...] = ()
    field_signatures: dict[str, FormSignature] | None = None  # signer role (inspector, inspected_party) → signature
    unconfirmed: bool = False  # its transitions are not (all) acknowledged by a sync server
    basemap_mbtiles: Path | None = None
    basemap_label: str | None = None  # e.g. "天地图影像 2023（离线）", printed under the map
    verified_area_m2: float | None = None  # 核实面积: of the extent the inspector verified on site
    has_extent: bool = False  # a patch (变化图斑) or a verified extent: the forms print both areas
    patch: bool = False  # the case carries a polygon (变化图斑)
    image_chips: tuple[FormImageChip, ...] = ()  # 前时相 then 后时相, those the workspace's imagery covers
    photo_choices: dict[str, FormPhotoChoice] | None = None  # form kind → the photos chosen for it (else default)

    def __post_init__(self) -> None:
        _freeze_sequences(
            self, "zone_names", "findings", "photos", "footprints", "zones", "acceptance", "countersigns",
            "image_chips",
        )
        if self.basemap_mbtiles is not None:
            object.__setattr__(self, "basemap_mbtiles", Path(self.basemap_mbtiles))

    @property
    def zone_label(self) -> str:
        return "、".join(self.zone_names)

    def photos_in_phase(self, *phases: str) -> tuple[FormPhoto, ...]:
        return tuple(photo for photo in self.photos if photo.phase in phases)


def photo_numbers(case: FormCase) -> dict[str, int]:
    """Number every evidence file once (1-based, in case order) so map and captions agree."""
    numbers: dict[str, int] = {}
    for photo in case.photos:
        numbers.setdefault(photo.sha256, len(numbers) + 1)
    return numbers


# Form kind → printed title (also the running header and the PDF title).
FORM_KINDS: dict[str, str] = {
    "inspection": "生态环境问题现场核查记录表",
    "notice": "生态环境问题整改通知书（整改方案登记表）",
    "closure": "生态环境问题整改销号申请及验收表",
}

__all__ = [
    "ACCEPTANCE_LEVELS",
    "COUNTERSIGN_DEPARTMENTS",
    "FORM_KINDS",
    "FormAcceptanceStep",
    "FormCountersign",
    "FormSignature",
    "FormAdmin",
    "FormCase",
    "FormChecklist",
    "FormFinding",
    "FormFootprint",
    "FormPhoto",
    "FormPhotoChoice",
    "FormRectification",
    "FormZone",
    "photo_numbers",
]
