"""The workspace's field settings for GNSS capture and navigation, kept in its meta table.

- ``gnss_max_accuracy_m`` (default 20 m): a position whose accuracy is worse
  is refused as a captured position (:func:`inspector.geo.gnss.capture_problem`);
- ``arrival_radius_m`` (default 30 m): within this distance of the selected
  case the device offers to start 现场核查.

``inspector config get [KEY]`` / ``inspector config set KEY VALUE`` read and
change them; every value is a positive number of metres, anything else is
refused (:class:`BadInput`). A stored value that is unusable (edited by hand)
reads as the default.
"""
from __future__ import annotations

import math

from inspector.errors import BadInput
from inspector.geo.gnss import DEFAULT_MAX_ACCURACY_M, MAX_ACCURACY_META_KEY
from inspector.store.db import atomic
from inspector.store.workspace import Workspace

DEFAULT_ARRIVAL_RADIUS_M = 30.0  # a case counts as reached within this distance, metres
ARRIVAL_RADIUS_META_KEY = "arrival_radius_m"
MAX_SETTING_M = 10_000.0  # metres: larger thresholds or radii make no sense in the field
SETTINGS: dict[str, tuple[float, str, str]] = {  # key: (default in metres, Chinese, English description)
    MAX_ACCURACY_META_KEY: (DEFAULT_MAX_ACCURACY_M, "采集位置允许的最大定位误差（米）",
                            "worst position accuracy accepted for capture (m)"),
    ARRIVAL_RADIUS_META_KEY: (DEFAULT_ARRIVAL_RADIUS_M, "到达问题点的半径（米）", "radius of arrival at a case (m)"),
}


def setting(ws: Workspace, key: str) -> float:
    """The value of a field setting (its default when unset or unusable)."""
    default = _known(key)
    try:
        value = float(ws.meta(key) or default)
    except ValueError:
        return default
    return value if math.isfinite(value) and 0 < value <= MAX_SETTING_M else default


def set_setting(ws: Workspace, key: str, text: str) -> float:
    """Store a field setting given as text; returns the number stored."""
    _known(key)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_SETTING_M):
        raise BadInput(f"{key} 须为 0 到 {MAX_SETTING_M:g} 之间的米数，而不是：{text}",
                       f"{key} must be a number of metres between 0 and {MAX_SETTING_M:g}, not: {text}")
    with atomic(ws.conn):
        ws.set_meta(key, repr(value))
    return value


def all_settings(ws: Workspace) -> dict[str, float]:
    return {key: setting(ws, key) for key in SETTINGS}


def max_accuracy_m(ws: Workspace) -> float:
    return setting(ws, MAX_ACCURACY_META_KEY)


def arrival_radius_m(ws: Workspace) -> float:
    return setting(ws, ARRIVAL_RADIUS_META_KEY)


def _known(key: str) -> float:
    if key not in SETTINGS:
        raise BadInput(f"未知的设置：{key}（可用：{'、'.join(SETTINGS)}）",
                       f"unknown setting: {key} (known: {', '.join(SETTINGS)})")
    return SETTINGS[key][0]
