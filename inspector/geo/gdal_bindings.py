"""The one place that imports GDAL's Python bindings (Debian's python3-gdal).

They share the system GDAL/PROJ/GEOS with SpatiaLite, so only one copy of
each library is ever loaded in the process. A missing package gives a
:class:`SetupError` naming it. Exceptions are turned on, the GeoJSON
reader's memory is bounded, and :class:`ErrorLog` keeps GDAL's messages
(the bindings sometimes raise with an empty one) instead of printing them.
"""
from __future__ import annotations

import functools
from typing import Any

from inspector.errors import SetupError

# Largest single GeoJSON object GDAL's streaming reader accepts, MB: its parse tree takes several
# times the text, and one feature must stay far below the 1 GB a hostile file may cost.
GEOJSON_MAX_OBJECT_MB = 64


@functools.cache
def load_gdal() -> tuple[Any, Any, Any]:
    """``(gdal, ogr, osr)`` with exceptions turned on."""
    try:
        from osgeo import gdal, ogr, osr
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise SetupError(
            "缺少 GDAL 的 Python 绑定，请安装：apt-get install python3-gdal",
            "GDAL's Python bindings are missing; install them with apt-get install python3-gdal",
        ) from exc
    for module in (gdal, ogr, osr):
        module.UseExceptions()
    gdal.SetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", str(GEOJSON_MAX_OBJECT_MB))
    return gdal, ogr, osr


class ErrorLog:
    """While in use (``with ErrorLog() as log:``), GDAL's error handler on this thread: it keeps the
    last failure message and drops warnings and debug output instead of printing them."""

    def __init__(self) -> None:
        self.last_failure = ""

    def __enter__(self) -> "ErrorLog":
        load_gdal()[0].PushErrorHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        load_gdal()[0].PopErrorHandler()

    def __call__(self, error_class: int, _error_number: int, message: str) -> None:
        gdal = load_gdal()[0]
        if error_class >= gdal.CE_Failure:
            self.last_failure = str(message).strip()

    def reason(self, exc: BaseException) -> str:
        """The error's message, else the last failure GDAL reported, else a note that it gave none."""
        text = str(exc).strip() or self.last_failure or "GDAL 未给出原因 / no detail from GDAL"
        self.last_failure = ""
        return text
