"""Generate the SAMPLE (示例) zone layer and problem ledger under ``resources/demo/``.

Nothing here is a real enforcement record: zones are invented outlines placed
near real Jiangsu landmarks (洪泽湖, 太湖, 盐城湿地, 云台山 …) and the ledger rows
are invented problems. Every name carries the 【示例】 prefix and every title
says 示例数据. The output is deterministic (seeded ``random.Random``).

The zones are drawn from the table in ``scripts/demo_zones.toml`` (name,
kind, category, centre, size and shape of each).

Writes:
  * ``zones.geojson`` — ~45 polygons (EPSG:4490 lon/lat) with Chinese
    attributes 名称/编码/类型/类别/功能分区/级别/行政区代码; one nature reserve
    zone is a 一般控制区 with a hole exactly where its 核心保护区 lies;
  * ``ledger.xlsx`` — sheet 问题台账: merged title row, header row, ~80
    problem rows with mixed coordinate notations (decimal, DMS, 度分秒),
    real Excel dates, and one row carrying an HTML/template-injection payload;
  * ``README.md`` — what these files are.

Needs ``resources/admin/jiangsu_admin.geojson`` (``scripts/build_admin_areas.py``)
to attribute zones and points to counties.

Usage: ``python scripts/make_demo_data.py [--output DIR] [--seed N]``
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.affinity import rotate
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "resources" / "demo"
DEFAULT_ADMIN = REPO_ROOT / "resources" / "admin" / "jiangsu_admin.geojson"
DEFAULT_SEED = 20261124
ZONE_TABLE = Path(__file__).resolve().with_name("demo_zones.toml")  # the sample zones, one row each

SAMPLE_PREFIX = "【示例】"
LAYER_NAME = "【示例数据】江苏生态空间示例图层"
LEDGER_TITLE = "【示例数据】2026年江苏省“绿盾”自然保护地强化监督问题台账"
LEDGER_SHEET = "问题台账"
LEDGER_HEADER = ("问题编号", "所在市", "所在县", "保护地名称", "所在功能区", "问题类型", "问题描述",
                 "经度", "纬度", "发现时间", "整改时限", "责任单位", "线索来源")
SECURITY_PAYLOAD = "<b>粗体</b> & <img src=x onerror=alert(1)> ${x}"
TODAY = dt.date(2026, 11, 24)  # reference date: deadlines before it are overdue

RED_LINE, CONTROL_AREA, PROTECTED_AREA = "生态保护红线", "生态空间管控区域", "自然保护地"
CORE, GENERAL = "核心保护区", "一般控制区"

# Code letters per category, used in 编码 such as "320900-ZR-001"
CATEGORY_CODES = {
    "自然保护区": "ZR", "森林公园": "SL", "风景名胜区": "FJ", "地质遗迹保护区": "DZ",
    "湿地公园": "SD", "饮用水水源保护区": "YS", "海洋特别保护区": "HY", "洪水调蓄区": "HS",
    "重要水源涵养区": "SH", "重要渔业水域": "YY", "重要湿地": "ZS", "清水通道维护区": "QS",
    "生态公益林": "GY", "太湖重要保护区": "TH", "特殊物种保护区": "TW",
}

KM_PER_DEG_LAT = 110.574  # km per degree of latitude at Jiangsu's latitudes
KM_PER_DEG_LON_EQUATOR = 111.320  # km per degree of longitude at the equator
MIN_AREA_KM2, MAX_AREA_KM2 = 1.0, 200.0
MIN_VERTICES, MAX_VERTICES = 30, 300
INSET_KM = 0.06  # inside points keep this far from a zone edge (survives DMS rounding)
OUTSIDE_KM = (0.2, 0.8)  # "just outside" points lie this far beyond a zone edge


@dataclass(frozen=True)
class ZoneSpec:
    """One sample zone (or a reserve split into core + general control zones)."""

    name: str
    kind: str
    category: str
    level: str
    centre: tuple[float, float]  # lon, lat (WGS84 ≈ CGCS2000)
    radius_km: float  # mean radius; for strips: half the length
    elongation: float = 1.0  # major/minor axis ratio
    bearing_deg: float = 0.0  # direction of the major axis, clockwise from north
    vertices: int = 90
    roughness: float = 0.22
    core_fraction: float = 0.0  # > 0: split into 核心保护区 + 一般控制区
    parts: int = 1  # > 1: a MultiPolygon of separate patches
    strip_width_km: float = 0.0  # > 0: a meandering river strip
    function_zone: str = ""  # for unsplit 自然保护地: usually 一般控制区


def load_zone_specs(path: Path = ZONE_TABLE) -> tuple[ZoneSpec, ...]:
    """The sample zones of the table in ``path`` (one inline TOML table per zone, with ZoneSpec's fields)."""
    with path.open("rb") as handle:
        rows = tomllib.load(handle)["zones"]
    specs = tuple(ZoneSpec(**{**row, "centre": tuple(row["centre"])}) for row in rows)
    unknown = {spec.kind for spec in specs} - {RED_LINE, CONTROL_AREA, PROTECTED_AREA}
    if unknown:
        raise ValueError(f"{path}: unknown zone kinds {sorted(unknown)}")
    return specs


ZONE_SPECS = load_zone_specs()


# ----------------------------------------------------------------------------- geometry helpers


def km_to_lonlat(geom: BaseGeometry, centre: tuple[float, float]) -> BaseGeometry:
    """Place a geometry drawn in a local km plane at ``centre`` (lon, lat)."""
    lon0, lat0 = centre
    km_per_deg_lon = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
    return shapely.transform(geom, lambda xy: xy / [km_per_deg_lon, KM_PER_DEG_LAT] + [lon0, lat0])


def km_per_degree(lat: float) -> tuple[float, float]:
    return KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)), KM_PER_DEG_LAT


def irregular_blob(rng: random.Random, radius_km: float, n_vertices: int, roughness: float,
                   elongation: float = 1.0, bearing_deg: float = 0.0,
                   offset_km: tuple[float, float] = (0.0, 0.0)) -> Polygon:
    """A star-shaped outline (always simple) with a wobbly, natural-looking edge."""
    harmonics = [(k, rng.uniform(0.3, 1.0) * roughness / k ** 0.8, rng.uniform(0, 2 * math.pi))
                 for k in range(2, 9)]
    stretch = math.sqrt(elongation)
    points = []
    for i in range(n_vertices):
        theta = 2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / n_vertices
        r = 1 + sum(a * math.cos(k * theta + phase) for k, a, phase in harmonics) + rng.gauss(0, 0.02)
        r = max(r, 0.35) * radius_km
        points.append((r * math.cos(theta) * stretch, r * math.sin(theta) / stretch))
    blob = Polygon(points)
    # major axis drawn along +x (east); rotate so it points to bearing_deg (clockwise from north)
    blob = rotate(blob, 90 - bearing_deg, origin=(0, 0))
    return shapely.affinity.translate(blob, *offset_km)


def river_strip(rng: random.Random, half_length_km: float, width_km: float, n_vertices: int,
                bearing_deg: float) -> Polygon:
    """A gently meandering strip of varying width, like a river reach or a canal corridor."""
    per_side = max(n_vertices // 2, 8)
    wavelength = rng.uniform(0.8, 1.4) * half_length_km
    amplitude = rng.uniform(0.15, 0.3) * half_length_km * 0.3
    phase = rng.uniform(0, 2 * math.pi)
    left, right = [], []
    width_phase = rng.uniform(0, 2 * math.pi)
    for i in range(per_side):
        t = -half_length_km + 2 * half_length_km * i / (per_side - 1)
        y = amplitude * math.sin(2 * math.pi * t / wavelength + phase)
        slope = amplitude * 2 * math.pi / wavelength * math.cos(2 * math.pi * t / wavelength + phase)
        norm = math.hypot(1.0, slope)
        nx, ny = -slope / norm, 1.0 / norm
        half_width = width_km / 2 * (1 + 0.3 * math.sin(3 * t / half_length_km + width_phase)
                                     + rng.uniform(-0.06, 0.06))
        left.append((t + nx * half_width, y + ny * half_width))
        right.append((t - nx * half_width, y - ny * half_width))
    strip = Polygon(left + right[::-1])
    if not strip.is_valid:
        strip = largest_polygon(shapely.make_valid(strip))
    return rotate(strip, 90 - bearing_deg, origin=(0, 0))


def largest_polygon(geom: BaseGeometry) -> Polygon:
    polygons = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    for multi in (g for g in shapely.get_parts(geom) if isinstance(g, MultiPolygon)):
        polygons.extend(multi.geoms)
    return max(polygons, key=lambda p: p.area)


def build_zone_geometries(spec: ZoneSpec, rng: random.Random) -> list[tuple[str, BaseGeometry]]:
    """(功能分区, geometry in km plane) pairs for one spec."""
    if spec.strip_width_km > 0:
        return [(spec.function_zone, river_strip(rng, spec.radius_km, spec.strip_width_km,
                                                  spec.vertices, spec.bearing_deg))]
    if spec.parts > 1:
        patches = []
        spacing = 2.8 * spec.radius_km
        for index in range(spec.parts):
            along = (index - (spec.parts - 1) / 2) * spacing
            angle = math.radians(90 - spec.bearing_deg)
            offset = (along * math.cos(angle) + rng.uniform(-0.4, 0.4) * spec.radius_km,
                      along * math.sin(angle) + rng.uniform(-0.4, 0.4) * spec.radius_km)
            radius = spec.radius_km * rng.uniform(0.7, 1.1)
            patches.append(irregular_blob(rng, radius, spec.vertices, spec.roughness,
                                          rng.uniform(1.0, 1.8), rng.uniform(0, 180), offset))
        return [(spec.function_zone, MultiPolygon(patches))]
    outer = irregular_blob(rng, spec.radius_km, spec.vertices, spec.roughness, spec.elongation, spec.bearing_deg)
    if spec.core_fraction <= 0:
        return [(spec.function_zone, outer)]
    core_radius = spec.radius_km * spec.core_fraction
    core_offset = (rng.uniform(-0.15, 0.15) * spec.radius_km, rng.uniform(-0.15, 0.15) * spec.radius_km)
    core = irregular_blob(rng, core_radius, max(spec.vertices // 2, 40), spec.roughness,
                          spec.elongation, spec.bearing_deg, core_offset)
    core = largest_polygon(core.intersection(outer.buffer(-0.1 * spec.radius_km)))
    core = shapely.set_precision(core, 1e-6)
    general = outer.difference(core)
    return [(CORE, core), (GENERAL, general)]


def rounded(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry with 6-decimal coordinates."""
    def walk(value: Any) -> Any:
        if isinstance(value, (tuple, list)) and value and isinstance(value[0], float):
            return [round(v, 6) for v in value]
        return [walk(v) for v in value]

    data = mapping(geom)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


# ----------------------------------------------------------------------------- admin areas


class AdminAreas:
    """Counties and cities of the bundled admin file, for point → county lookups."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.names: dict[str, str] = {}
        self.parents: dict[str, str | None] = {}
        self.county_codes: list[str] = []
        county_geoms = []
        self.province: BaseGeometry | None = None
        for feature in data["features"]:
            props = feature["properties"]
            self.names[props["adcode"]] = props["name"]
            self.parents[props["adcode"]] = props["parent_adcode"]
            if props["level"] == "county":
                self.county_codes.append(props["adcode"])
                county_geoms.append(shape(feature["geometry"]))
            elif props["level"] == "province":
                self.province = shape(feature["geometry"])
        if self.province is None:
            raise ValueError(f"{path} has no province feature")
        self.county_geoms = county_geoms
        self.tree = shapely.STRtree(county_geoms)
        shapely.prepare(self.province)

    def county_at(self, lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        for index in self.tree.query(point, predicate="within"):
            return self.county_codes[int(index)]
        return None

    def city_of(self, county_adcode: str) -> str:
        return self.parents[county_adcode] or county_adcode

    def in_province(self, geom: BaseGeometry) -> bool:
        return bool(self.province.contains(geom))

    def responsible_government(self, county_adcode: str) -> str:
        """e.g. 射阳县人民政府; districts get their city's name in front (two 鼓楼区 exist)."""
        county = self.names[county_adcode]
        if county.endswith("区"):
            return f"{self.names[self.city_of(county_adcode)]}{county}人民政府"
        return f"{county}人民政府"


# ----------------------------------------------------------------------------- zones


def make_zones(admin: AdminAreas, rng: random.Random) -> list[dict[str, Any]]:
    """Zone features (GeoJSON dicts) with their shapely geometry under the private key ``_geom``."""
    features: list[dict[str, Any]] = []
    counters: dict[tuple[str, str], int] = {}
    for spec in ZONE_SPECS:
        for function_zone, km_geom in build_zone_geometries(spec, rng):
            area_km2 = km_geom.area
            vertex_count = shapely.get_num_coordinates(km_geom)
            if not (MIN_AREA_KM2 <= area_km2 <= MAX_AREA_KM2):
                raise ValueError(f"{spec.name} {function_zone}: area {area_km2:.1f} km² out of range")
            if not (MIN_VERTICES <= vertex_count <= MAX_VERTICES):
                raise ValueError(f"{spec.name} {function_zone}: {vertex_count} vertices out of range")
            geom = shapely.make_valid(km_to_lonlat(km_geom, spec.centre))
            centroid = geom.centroid
            county = admin.county_at(centroid.x, centroid.y)
            if county is None:
                raise ValueError(f"{spec.name}: centroid {centroid} is in no county; move the zone")
            city = admin.city_of(county)
            code_letters = CATEGORY_CODES[spec.category]
            number = counters.get((city, code_letters), 0) + 1
            counters[(city, code_letters)] = number
            properties = {
                "名称": SAMPLE_PREFIX + spec.name,
                "编码": f"{city}-{code_letters}-{number:03d}",
                "类型": spec.kind,
                "类别": spec.category,
                "功能分区": function_zone,
                "级别": spec.level,
                "行政区代码": county,
            }
            feature = {"type": "Feature", "properties": properties, "geometry": rounded(geom)}
            # re-read the rounded geometry so that points are tested against what is written
            feature["_geom"] = shape(feature["geometry"])
            feature["_area_km2"] = area_km2
            if not feature["_geom"].is_valid:
                raise ValueError(f"{spec.name} {function_zone}: invalid after rounding")
            features.append(feature)
    return features


def write_zones(features: list[dict[str, Any]], path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "name": LAYER_NAME,
        "note": "示例数据：由 scripts/make_demo_data.py 随机生成，并非真实的生态保护红线或自然保护地边界。"
                "Generated SAMPLE data, not real boundaries. CRS: EPSG:4490 (lon, lat).",
        "features": [{k: v for k, v in f.items() if not k.startswith("_")} for f in features],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- ledger

LEDGER_ROWS = 80
OUTSIDE_ROWS = 12  # points a few hundred metres outside the zone the ledger names
LEGACY_ZONE_ROWS = 5  # reserve rows that use the old 核心区/缓冲区/实验区 wording

WATER_CATEGORIES = frozenset({
    "自然保护区", "湿地公园", "饮用水水源保护区", "海洋特别保护区", "洪水调蓄区", "重要渔业水域",
    "重要湿地", "清水通道维护区", "太湖重要保护区", "特殊物种保护区",
})
PROBLEM_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    # problem type: ((description template, "water" | "land" | "any"), ...)
    "采矿采砂": (
        ("{where}发现采砂船{n}艘停靠作业，河床扰动面积约{mu}亩，未见采砂许可", "water"),
        ("{where}存在露天采石宕口一处，开采面积约{mu}亩，山体裸露未复绿", "land"),
        ("{where}有取土坑一处，面积约{mu}亩，疑似违规取土后未回填", "any"),
    ),
    "工矿企业": (
        ("{where}有石材加工企业仍在生产，厂区占地约{mu}亩，未办理环评手续", "land"),
        ("{where}存在砖瓦窑厂一处，占地约{mu}亩，已责令关停但现场仍有生产痕迹", "any"),
        ("{where}有企业仓储用房{n}栋，建筑面积约{sqm}平方米，审批手续不全", "any"),
    ),
    "旅游设施": (
        ("{where}新建观景平台及木栈道约{m}米，未履行审批程序", "any"),
        ("{where}建设农家乐及停车场，占地约{mu}亩，疑似未批先建", "any"),
        ("{where}新建游客接待中心一处，建筑面积约{sqm}平方米，选址未经论证", "land"),
    ),
    "水电设施": (
        ("{where}建有提水泵站一座，占地约{mu}亩，取水许可已过期", "water"),
        ("{where}建设小型水闸及管理用房，建筑面积约{sqm}平方米，未办理审批手续", "water"),
        ("{where}新建输水管线约{m}米，施工破坏地表植被", "any"),
    ),
    "码头": (
        ("{where}岸线建有砂石码头一处，堆场面积约{mu}亩，未取得岸线使用许可", "water"),
        ("{where}存在废弃船舶修造码头，占用岸线约{m}米，未拆除复绿", "water"),
    ),
    "养殖": (
        ("{where}新建养殖塘约{mu}亩，疑似未批先建", "water"),
        ("{where}存在围网养殖约{mu}亩，未按期拆除", "water"),
        ("{where}有畜禽养殖场一处，存栏生猪约{n}00头，养殖废水疑似直排", "land"),
    ),
    "违法建筑": (
        ("{where}新建彩钢板房{n}间，建筑面积约{sqm}平方米，疑似违法建设", "any"),
        ("{where}有私建别墅{n}栋，占地约{mu}亩，无规划许可", "land"),
    ),
    "侵占湿地": (
        ("{where}湿地被填埋平整约{mu}亩，堆放建筑垃圾", "water"),
        ("{where}芦苇湿地被开垦为农田约{mu}亩，疑似未经批准", "water"),
    ),
    "挤占河湖岸": (
        ("{where}岸线被违规占用建设仓储用房，占用岸线长度约{m}米", "water"),
        ("{where}河湖管理范围内堆放砂石料约{mu}亩，影响行洪安全", "water"),
    ),
}
CLUE_SOURCES = (("遥感监测", 10), ("日常巡查", 4), ("群众举报", 3), ("督察交办", 2), ("媒体报道", 1),
                ("无人机巡查", 2))
OVERDUE_SHARE = 0.25  # share of rows whose deadline is already past TODAY
LAST_DEADLINE = dt.date(2027, 12, 31)
KIND_WHERE = {RED_LINE: "生态保护红线内", CONTROL_AREA: "生态空间管控区域内"}
LEGACY_ZONE_WORDS = {CORE: ("核心区",), GENERAL: ("缓冲区", "实验区")}


@dataclass
class LedgerRow:
    county: str
    zone: dict[str, Any]
    lon: float
    lat: float
    inside: bool
    function_zone_text: str
    problem_type: str
    description: str
    discovered: dt.date
    deadline: dt.date
    responsible_unit: str
    clue_source: str
    case_no: str = ""


def weighted_choice(rng: random.Random, items: list[Any], weights: list[float]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


def zone_weight(zone: dict[str, Any]) -> float:
    props = zone["properties"]
    if props["功能分区"] == CORE:
        return 5.0
    if props["类型"] == PROTECTED_AREA:
        return 2.5
    return 2.0 if props["类型"] == RED_LINE else 1.5


def degrees_per_km(lat: float) -> float:
    """Rough degrees per km (the larger, longitude one), for buffers and distances."""
    return 1 / km_per_degree(lat)[0]


def random_point_inside(rng: random.Random, zone: dict[str, Any], admin: AdminAreas) -> tuple[float, float]:
    geom = zone["_geom"]
    inset = geom.buffer(-INSET_KM * degrees_per_km(geom.centroid.y))
    shapely.prepare(inset)
    min_x, min_y, max_x, max_y = inset.bounds
    for _ in range(5000):
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        point = Point(lon, lat)
        if inset.contains(point) and admin.in_province(point) and admin.county_at(lon, lat):
            return lon, lat
    raise RuntimeError(f"no inside point found for {zone['properties']['名称']}")


def random_point_outside(rng: random.Random, zone: dict[str, Any], zones: list[dict[str, Any]],
                         admin: AdminAreas) -> tuple[float, float]:
    """A point 150–800 m outside ``zone`` and inside no other zone, still in Jiangsu."""
    geom = zone["_geom"]
    parts = list(shapely.get_parts(geom))
    lat0 = geom.centroid.y
    deg_per_km = degrees_per_km(lat0)
    lon_km, lat_km = km_per_degree(lat0)
    for _ in range(5000):
        ring = rng.choice(parts).exterior
        u = rng.random()
        p0 = ring.interpolate(u, normalized=True)
        p1 = ring.interpolate(min(u + 0.002, 1.0), normalized=True)
        tx, ty = (p1.x - p0.x) * lon_km, (p1.y - p0.y) * lat_km
        length = math.hypot(tx, ty)
        if length == 0:
            continue
        distance_km = rng.uniform(*OUTSIDE_KM)
        for sign in (1, -1):
            nx, ny = -ty / length * sign, tx / length * sign
            lon = p0.x + nx * distance_km / lon_km
            lat = p0.y + ny * distance_km / lat_km
            point = Point(lon, lat)
            if geom.contains(point):
                continue
            gap_km = geom.distance(point) / deg_per_km
            if not (OUTSIDE_KM[0] * 0.9 <= gap_km <= OUTSIDE_KM[1] * 1.1):
                continue
            if any(other["_geom"].contains(point) for other in zones):
                continue
            if admin.in_province(point) and admin.county_at(lon, lat):
                return lon, lat
    raise RuntimeError(f"no outside point found for {zone['properties']['名称']}")


def describe_problem(rng: random.Random, zone: dict[str, Any], where: str) -> tuple[str, str]:
    """(问题类型, 问题描述) suited to the zone's setting (water or land)."""
    setting = "water" if zone["properties"]["类别"] in WATER_CATEGORIES else "land"
    options = [(problem_type, text) for problem_type, templates in PROBLEM_TEMPLATES.items()
               for text, fits in templates if fits in (setting, "any")]
    problem_type, template = rng.choice(options)
    description = template.format(
        where=where, n=rng.randint(2, 9), mu=round(rng.uniform(0.5, 60), 1),
        sqm=rng.randrange(80, 3000, 10), m=rng.randrange(50, 1500, 10),
    )
    return problem_type, description


def pick_responsible_unit(rng: random.Random, admin: AdminAreas, county: str, category: str) -> str:
    """Mostly the county government; sometimes a city or county bureau."""
    draw = rng.random()
    if draw < 0.75:
        return admin.responsible_government(county)
    if draw < 0.87:
        return f"{admin.names[admin.city_of(county)]}生态环境局"
    government = admin.responsible_government(county).removesuffix("人民政府")
    bureau = "水利局" if category in WATER_CATEGORIES else "自然资源和规划局"
    return government + bureau


def make_ledger_rows(zones: list[dict[str, Any]], admin: AdminAreas, rng: random.Random) -> list[LedgerRow]:
    weights = [zone_weight(z) for z in zones]
    outside_indices = set(rng.sample(range(LEDGER_ROWS), OUTSIDE_ROWS))
    rows: list[LedgerRow] = []
    legacy_left = LEGACY_ZONE_ROWS
    reserve_rows = 0
    for index in range(LEDGER_ROWS):
        inside = index not in outside_indices
        # a core zone is surrounded by its general control zone: "outside" points need another zone
        candidates = [(z, w) for z, w in zip(zones, weights) if inside or z["properties"]["功能分区"] != CORE]
        zone = weighted_choice(rng, [z for z, _ in candidates], [w for _, w in candidates])
        if inside:
            lon, lat = random_point_inside(rng, zone, admin)
        else:
            lon, lat = random_point_outside(rng, zone, zones, admin)
        props = zone["properties"]
        function_zone = props["功能分区"]
        if props["类型"] == PROTECTED_AREA:
            where = f"{function_zone}内" if function_zone else "保护地内"
            function_zone_text = function_zone
            if function_zone in LEGACY_ZONE_WORDS and props["类别"] == "自然保护区":
                reserve_rows += 1
                # every third reserve row uses the old wording, both wordings always appear
                if reserve_rows % 3 == 0 and legacy_left > 0:
                    function_zone_text = rng.choice(LEGACY_ZONE_WORDS[function_zone])
                    where = f"保护区{function_zone_text}内"
                    legacy_left -= 1
        else:
            where = KIND_WHERE[props["类型"]]
            function_zone_text = ""
        problem_type, description = describe_problem(rng, zone, where)
        county = admin.county_at(lon, lat)
        assert county is not None
        discovered = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 300))
        deadline = pick_deadline(rng, discovered)
        responsible = pick_responsible_unit(rng, admin, county, props["类别"])
        clue = weighted_choice(rng, [s for s, _ in CLUE_SOURCES], [w for _, w in CLUE_SOURCES])
        rows.append(LedgerRow(county, zone, lon, lat, inside, function_zone_text, problem_type, description,
                              discovered, deadline, responsible, clue))

    # one row carries markup and a template expression that must be shown literally
    target = next(r for r in rows if r.inside and r.zone["properties"]["功能分区"] == CORE)
    target.problem_type = "违法建筑"
    target.description = f"【安全测试】核心保护区内新建临时用房一处，备注：{SECURITY_PAYLOAD}"

    rows.sort(key=lambda r: (admin.city_of(r.county), r.discovered, r.county))
    per_city: dict[str, int] = {}
    for row in rows:
        city = admin.city_of(row.county)
        per_city[city] = per_city.get(city, 0) + 1
        row.case_no = f"LD2026-{city}-{per_city[city]:03d}"
    return rows


def month_end(day: dt.date) -> dt.date:
    first_of_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_of_next - dt.timedelta(days=1)


def pick_deadline(rng: random.Random, discovered: dt.date) -> dt.date:
    """A month-end 整改时限: about OVERDUE_SHARE of them already past TODAY."""
    earliest = discovered + dt.timedelta(days=30)
    if rng.random() < OVERDUE_SHARE and month_end(earliest) < TODAY:
        latest = TODAY - dt.timedelta(days=1)
    else:
        earliest = max(earliest, TODAY + dt.timedelta(days=7))
        latest = LAST_DEADLINE
    candidate = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
    deadline = month_end(candidate)
    return deadline if deadline <= latest else month_end(earliest)


def format_dms(value: float, positive: str, negative: str) -> str:
    """120°21′3.5″E style, seconds to 0.1″."""
    degrees, minutes, seconds = split_dms(abs(value))
    return f"{degrees}°{minutes}′{seconds:.1f}″{positive if value >= 0 else negative}"


def format_du_fen_miao(value: float) -> str:
    """120度21分3.5秒 style (no hemisphere letter), seconds to 0.1″."""
    degrees, minutes, seconds = split_dms(abs(value))
    return f"{degrees}度{minutes}分{seconds:.1f}秒"


def split_dms(value: float) -> tuple[int, int, float]:
    tenths = round(value * 36000)  # in 0.1 arc-seconds, so carries are exact
    degrees, rest = divmod(tenths, 36000)
    minutes, tenth_seconds = divmod(rest, 600)
    return int(degrees), int(minutes), tenth_seconds / 10


NOTATION_SHARES = (("decimal", 0.7), ("dms", 0.2), ("du_fen_miao", 0.1))


def notation_plan(rng: random.Random, count: int) -> list[str]:
    """Coordinate notations for ``count`` rows in the NOTATION_SHARES proportions, shuffled."""
    plan: list[str] = []
    for notation, share in NOTATION_SHARES[1:]:
        plan.extend([notation] * round(count * share))
    plan.extend([NOTATION_SHARES[0][0]] * (count - len(plan)))
    rng.shuffle(plan)
    return plan


def coordinate_cells(lon: float, lat: float, notation: str) -> tuple[Any, Any]:
    if notation == "decimal":
        return round(lon, 6), round(lat, 6)
    if notation == "dms":
        return format_dms(lon, "E", "W"), format_dms(lat, "N", "S")
    return format_du_fen_miao(lon), format_du_fen_miao(lat)


def write_ledger(rows: list[LedgerRow], admin: AdminAreas, path: Path, rng: random.Random) -> dict[str, int]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET
    columns = len(LEDGER_HEADER)
    sheet.cell(row=1, column=1, value=LEDGER_TITLE)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for column, label in enumerate(LEDGER_HEADER, start=1):
        cell = sheet.cell(row=2, column=column, value=label)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    notation_counts: dict[str, int] = {}
    for offset, (row, notation) in enumerate(zip(rows, notation_plan(rng, len(rows)))):
        lon_cell, lat_cell = coordinate_cells(row.lon, row.lat, notation)
        notation_counts[notation] = notation_counts.get(notation, 0) + 1
        city = admin.city_of(row.county)
        values = (
            row.case_no, admin.names[city], admin.names[row.county], row.zone["properties"]["名称"],
            row.function_zone_text, row.problem_type, row.description, lon_cell, lat_cell,
            dt.datetime.combine(row.discovered, dt.time()), dt.datetime.combine(row.deadline, dt.time()),
            row.responsible_unit, row.clue_source,
        )
        excel_row = 3 + offset
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=excel_row, column=column, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, float):
                cell.number_format = "0.000000"
        sheet.cell(row=excel_row, column=7).alignment = Alignment(wrap_text=True, vertical="top")

    widths = (18, 9, 10, 30, 11, 11, 48, 16, 15, 12, 12, 24, 11)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A3"
    workbook.properties.title = "示例数据：绿盾问题台账"
    workbook.properties.creator = "scripts/make_demo_data.py"
    fixed_time = dt.datetime(2026, 11, 24, 8, 0, 0)
    workbook.properties.created = fixed_time
    workbook.properties.modified = fixed_time
    workbook.save(path)
    normalise_zip_timestamps(path, fixed_time)
    return notation_counts


def normalise_zip_timestamps(path: Path, when: dt.datetime) -> None:
    """Rewrite the .xlsx zip with fixed timestamps, so reruns give identical bytes.

    openpyxl stamps ``dcterms:modified`` with the wall clock on save; the zip
    members carry it too. Both are set to ``when``.
    """
    import re
    import zipfile

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    for index, (info, data) in enumerate(members):
        if info.filename == "docProps/core.xml":
            text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                          lambda m: m.group(1) + stamp + m.group(2), data.decode("utf-8"))
            members[index] = (info, text.encode("utf-8"))
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    temporary.replace(path)


README_TEXT = "\n".join([
    "# 示例数据 / Sample data",
    "",
    "本目录中的 zones.geojson（生态空间示例图层）和 ledger.xlsx（问题台账）均为 scripts/make_demo_data.py "
    "随机生成的【示例数据】，并非真实的执法记录或保护地边界。",
    "Everything in this folder (zones.geojson, ledger.xlsx) is generated SAMPLE data made by "
    "scripts/make_demo_data.py; these are not real enforcement records or real protected-area boundaries.",
    "重新生成 / Regenerate: `python scripts/make_demo_data.py` "
    "(needs resources/admin/jiangsu_admin.geojson from scripts/build_admin_areas.py).",
    "",
])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder to write (default: %(default)s)")
    parser.add_argument("--admin", type=Path, default=DEFAULT_ADMIN, help="admin areas GeoJSON (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)

    admin = AdminAreas(args.admin)
    args.output.mkdir(parents=True, exist_ok=True)
    zone_rng = random.Random(args.seed)
    zones = make_zones(admin, zone_rng)
    write_zones(zones, args.output / "zones.geojson")

    ledger_rng = random.Random(args.seed + 1)
    rows = make_ledger_rows(zones, admin, ledger_rng)
    notations = write_ledger(rows, admin, args.output / "ledger.xlsx", ledger_rng)
    (args.output / "README.md").write_text(README_TEXT, encoding="utf-8")

    kinds: dict[str, int] = {}
    for zone in zones:
        kinds[zone["properties"]["类型"]] = kinds.get(zone["properties"]["类型"], 0) + 1
    overdue = sum(1 for r in rows if r.deadline < TODAY)
    print(f"zones: {len(zones)} features {kinds}")
    print(f"ledger: {len(rows)} rows, {sum(not r.inside for r in rows)} just outside their zone, "
          f"{overdue} overdue at {TODAY}, coordinate notations {notations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
