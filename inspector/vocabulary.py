"""The domain's words: zone kinds, Jiangsu's 15 categories, function zones, column synonyms.

Importers use these tables to recognise Chinese field names in zone layers
and ledger sheets, and to normalise values (``红线`` → ``生态保护红线``).
"""
from __future__ import annotations

import re
from typing import Iterable

KIND_RED_LINE = "生态保护红线"
KIND_CONTROL_AREA = "生态空间管控区域"
KIND_PROTECTED_AREA = "自然保护地"
KIND_UNKNOWN = "未分类"
KINDS = (KIND_RED_LINE, KIND_CONTROL_AREA, KIND_PROTECTED_AREA)

_KIND_SYNONYMS = {
    KIND_RED_LINE: ("生态保护红线", "生态红线", "红线", "国家级生态保护红线"),
    KIND_CONTROL_AREA: ("生态空间管控区域", "生态空间管控区", "管控区", "管控区域", "生态空间"),
    KIND_PROTECTED_AREA: ("自然保护地", "保护地", "自然保护区", "国家公园", "自然公园"),
}

# 江苏省生态空间管控区域规划: the 15 categories
CATEGORIES = (
    "自然保护区", "森林公园", "风景名胜区", "地质遗迹保护区", "湿地公园",
    "饮用水水源保护区", "海洋特别保护区", "洪水调蓄区", "重要水源涵养区", "重要渔业水域",
    "重要湿地", "清水通道维护区", "生态公益林", "太湖重要保护区", "特殊物种保护区",
)

CORE_ZONE = "核心保护区"
GENERAL_ZONE = "一般控制区"
# Current two-zone scheme first, then the legacy three-zone scheme of older ledgers.
FUNCTION_ZONES = (CORE_ZONE, GENERAL_ZONE, "核心区", "缓冲区", "实验区")
CORE_FUNCTION_ZONES = frozenset({CORE_ZONE, "核心区"})
_FUNCTION_ZONE_SYNONYMS = {
    CORE_ZONE: ("核心保护区", "核心保护区域"),
    GENERAL_ZONE: ("一般控制区", "一般控制区域"),
    "核心区": ("核心区",),
    "缓冲区": ("缓冲区",),
    "实验区": ("实验区",),
}

# Canonical zone field → recognised source field names (compared without spaces, case-insensitive)
ZONE_FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "红线名称", "保护地名称", "保护区名称", "区域名称", "管控区名称", "NAME", "MC", "ZRBHDMC", "HXMC"),
    "code": ("编码", "代码", "编号", "红线编码", "保护地编码", "区域编码", "CODE", "BM", "DM", "ZRBHDDM"),
    "kind": ("类型", "区域类型", "空间类型", "TYPE", "LX"),
    "category": ("类别", "管控类别", "保护地类别", "类别名称", "CATEGORY", "LB"),
    "function_zone": ("功能区", "功能分区", "所在功能区", "分区", "管控分区", "ZONE", "GNFQ", "GNQ"),
    "level": ("级别", "保护级别", "等级", "LEVEL", "JB"),
    "adcode": ("行政区", "行政区代码", "行政区划代码", "行政代码", "ADCODE", "XZQDM", "XZQHDM"),
}

# Canonical ledger column → recognised header texts
LEDGER_FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_no": ("问题编号", "编号", "问题序号", "台账编号", "线索编号"),
    "ledger_zone_name": ("保护地名称", "自然保护地名称", "保护区名称", "红线名称", "所在保护地", "生态空间名称"),
    "ledger_function_zone": ("所在功能区", "功能区", "功能分区", "所在区域"),
    "problem_type": ("问题类型", "问题类别", "类型", "活动类型"),
    "description": ("问题描述", "问题情况", "具体问题", "问题内容", "描述"),
    "lon": ("经度", "中心经度", "东经", "X坐标", "LON", "LONGITUDE"),
    "lat": ("纬度", "中心纬度", "北纬", "Y坐标", "LAT", "LATITUDE"),
    "discovered_on": ("发现时间", "发现日期", "下发时间", "核查时间"),
    "deadline": ("整改时限", "整改期限", "完成时限", "整改完成时限"),
    "responsible_unit": ("责任单位", "整改责任单位", "责任主体"),
    "clue_source": ("线索来源", "问题来源", "来源"),
    "ledger_city": ("所在市", "设区市", "市", "城市"),
    "ledger_county": ("所在县", "县（市、区）", "县(市、区)", "县市区", "县区", "区县", "县"),
    "area_m2": ("面积（平方米）", "面积(平方米)", "面积(㎡)", "占地面积", "图斑面积", "问题面积", "面积"),
}

# Canonical patch field → recognised field names of a change-patch layer (DBF names are cut at 10 bytes:
# five Chinese characters in GBK)
PATCH_FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "patch_no": ("图斑编号", "变化图斑编号", "图斑号", "监测图斑编号", "TBBH", "JCTBBH", "BHTBBH"),
    "case_no": ("问题编号", "线索编号", "台账编号", "WTBH"),
    "area": ("图斑面积", "面积", "TBMJ", "MJ", "AREA"),
    "imaged_before": ("前时相", "前时相日期", "前期时相", "前期影像时间", "QSX", "QSXRQ"),
    "imaged_after": ("后时相", "后时相日期", "后期时相", "后期影像时间", "HSX", "HSXRQ"),
    "change_type": ("变化类型", "变化类别", "BHLX"),
    "problem_type": ("问题类型", "问题类别"),
    "description": ("问题描述", "备注", "BZ"),
    "ledger_city": ("所在市", "设区市", "市", "SZS"),
    "ledger_county": ("所在县", "县区", "区县", "县", "SZX"),
}

_SPACE = re.compile(r"[\s\u3000]+")


def normalise_label(text: object) -> str:
    """A header/field name compared loosely: no spaces, upper case, full-width brackets unified."""
    value = _SPACE.sub("", str(text or "")).upper()
    return value.replace("(", "（").replace(")", "）")


def match_fields(labels: list[str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map canonical names to positions in ``labels`` (exact synonym match first, then prefix)."""
    normalised = [normalise_label(label) for label in labels]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        for canonical, names in synonyms.items():
            if canonical in found:
                continue
            for name in names:
                key = normalise_label(name)
                for position, label in enumerate(normalised):
                    if position in taken or not label:
                        continue
                    # Second pass: a longer label ("经度（°）"), or one cut short by
                    # the DBF 10-byte name limit ("功能分" for "功能分区").
                    loose = label.startswith(key) or (len(label) >= 3 and key.startswith(label))
                    if label == key or (not exact and loose):
                        found[canonical] = position
                        taken.add(position)
                        break
                if canonical in found:
                    break
    return found


def parse_map_option(text: str | None, fields: Iterable[str], column: tuple[str, str]) -> dict[str, str]:
    """Parse a ``--map`` option, ``key=COLUMN,key=COLUMN``; every key must be one of ``fields``.

    ``column`` names what the values are, in Chinese and English (``("源字段", "FIELD")``).
    """
    from inspector.errors import BadInput

    allowed = list(fields)
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in allowed or not value.strip():
            raise BadInput(
                f"--map 的写法是 字段={column[0]}，字段可为 {', '.join(allowed)}：{part}",
                f"--map takes key={column[1]} with key one of {', '.join(allowed)}: {part}",
            )
        mapping[key] = value.strip()
    return mapping


def normalise_kind(value: object) -> str | None:
    text = _SPACE.sub("", str(value or ""))
    if not text:
        return None
    for kind, names in _KIND_SYNONYMS.items():
        if text in names:
            return kind
    for kind, names in _KIND_SYNONYMS.items():
        if any(name in text for name in names):
            return kind
    return None


def normalise_function_zone(value: object) -> str | None:
    text = _SPACE.sub("", str(value or ""))
    if not text:
        return None
    for zone, names in _FUNCTION_ZONE_SYNONYMS.items():
        if text in names or any(text.startswith(n) for n in names):
            return zone
    return text


def normalise_category(value: object) -> str | None:
    text = _SPACE.sub("", str(value or ""))
    if not text:
        return None
    for category in CATEGORIES:
        if category in text:
            return category
    return text


def is_core(function_zone: str | None) -> bool:
    return function_zone in CORE_FUNCTION_ZONES

# The progress columns an exported ledger carries after its original columns (inspector.reports), in this
# order; the ledger importer recognises this block at the end of a header row and ignores it. New columns
# are only ever appended, and every earlier block (an older export coming back) is recognised too.
LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS = (
    "状态", "核查结论", "现场活动类型", "所在生态保护红线/管控区域/保护地", "功能区", "市", "县", "整改措施",
    "整改时限", "整改完成日期", "销号日期", "逾期天数", "最近一次退回原因", "证据数量",
)
LEDGER_PROGRESS_COLUMNS = LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS + ("图斑面积（平方米）", "核实面积（平方米）")
LEDGER_PROGRESS_BLOCKS = (LEDGER_PROGRESS_COLUMNS, LEDGER_PROGRESS_COLUMNS_BEFORE_AREAS)  # longest first


def original_width(labels: list[str]) -> int:
    """How many of a header row's columns are the ledger's own: all of them, or those before a trailing
    block of progress columns (:data:`LEDGER_PROGRESS_BLOCKS`: an exported ledger coming back)."""
    end = len(labels)
    while end and not normalise_label(labels[end - 1]):
        end -= 1
    for block in LEDGER_PROGRESS_BLOCKS:
        start = end - len(block)
        if start >= 0 and [normalise_label(x) for x in labels[start:end]] == [normalise_label(x) for x in block]:
            return start
    return len(labels)


# Documents attached as evidence (attach --document-type): the kinds of paper an office files with a case
DOCUMENT_TYPES = ("整改方案", "批复文件", "验收报告", "会签意见", "其他")
