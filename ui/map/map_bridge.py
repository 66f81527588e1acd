"""What the map page may send to Python, and how it is checked: the bridge and its validators.

:class:`MapBridge` is the only object the page reaches (through QWebChannel): each slot takes a UUID,
validated with :func:`valid_uuid` before anything is passed on, or (``pointClicked``) two finite numbers
inside :data:`PICK_BOUNDS` (:func:`valid_point`); ``extentEdited`` passes a UUID and the page's text on
to the view, which bounds it and hands it to the core. :class:`AdmittedCases` is the case list's filter
as the page takes it (valid UUIDs only, encoded once on a reading thread). :mod:`ui.map.map_view` uses
them and re-exports them.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Slot

__all__ = ["AdmittedCases", "MapBridge", "PICK_BOUNDS", "valid_point", "valid_uuid"]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PICK_BOUNDS = (115.5, 30.0, 123.5, 35.8)  # a generous Jiangsu box: west, south, east, north


def valid_uuid(value: object) -> str | None:
    """The canonical lower-case UUID string, or None for anything that is not one."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    value = value.lower()
    return value if _UUID.fullmatch(value) else None


def valid_point(lon: object, lat: object) -> tuple[float, float] | None:
    """(lon, lat) as floats if both are finite numbers inside :data:`PICK_BOUNDS`, else None."""
    if isinstance(lon, bool) or isinstance(lat, bool) or not isinstance(lon, (int, float)) \
            or not isinstance(lat, (int, float)):
        return None
    lon, lat = float(lon), float(lat)
    west, south, east, north = PICK_BOUNDS
    if not (math.isfinite(lon) and math.isfinite(lat) and west <= lon <= east and south <= lat <= north):
        return None
    return lon, lat


@dataclass(frozen=True)
class AdmittedCases:
    """The cases the map shows (the case list's filter): valid UUIDs only, already encoded for the page.

    Make it with :meth:`of` on a reading thread: checking and encoding 100,000 ids takes a while."""

    json_text: str  # a JSON array of canonical UUID strings
    count: int

    @classmethod
    def of(cls, case_uuids: Iterable[str]) -> "AdmittedCases":
        values = [value for value in map(valid_uuid, case_uuids) if value is not None]
        return cls(json.dumps(values), len(values))


class MapBridge(QObject):
    """The only object the page can reach. Every slot validates its arguments: one UUID
    string, or (``pointClicked``) two finite numbers inside :data:`PICK_BOUNDS`."""

    def __init__(self, on_case: Callable[[str], None], on_zone: Callable[[str], None],
                 on_drawn: Callable[[str], None], on_point: Callable[[float, float], None] | None = None,
                 on_extent: Callable[[str, object], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_case, self._on_zone, self._on_drawn = on_case, on_zone, on_drawn
        self._on_point, self._on_extent = on_point, on_extent

    def event(self, event: QEvent) -> bool:
        """Refuse deferred deletion: QWebChannel lets a page call ``deleteLater()`` on a
        registered object. The bridge lives exactly as long as its page (its parent)."""
        if event.type() == QEvent.Type.DeferredDelete:
            return True
        return super().event(event)

    @Slot(str)
    def caseClicked(self, case_uuid: str) -> None:  # noqa: N802 (JS-facing name)
        value = valid_uuid(case_uuid)
        if value:
            self._on_case(value)

    @Slot(str)
    def zoneClicked(self, zone_uuid: str) -> None:  # noqa: N802 (JS-facing name)
        value = valid_uuid(zone_uuid)
        if value:
            self._on_zone(value)

    @Slot(str)
    def layersDrawn(self, document_token: str) -> None:  # noqa: N802 (JS-facing name)
        value = valid_uuid(document_token)
        if value:
            self._on_drawn(value)

    @Slot(float, float)
    def pointClicked(self, lon: float, lat: float) -> None:  # noqa: N802 (JS-facing name)
        point = valid_point(lon, lat)
        if point and self._on_point is not None:
            self._on_point(*point)

    @Slot("QVariant", "QVariant")
    def extentEdited(self, case_uuid: object, geojson: object) -> None:  # noqa: N802 (JS-facing name)
        """The edited verified extent of a case: a UUID and GeoJSON text (checked by the view, then the core)."""
        value = valid_uuid(case_uuid)
        if value and self._on_extent is not None:
            self._on_extent(value, geojson)
