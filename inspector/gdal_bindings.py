"""The one place that imports GDAL's Python bindings (Debian's python3-gdal).

They share the system GDAL/PROJ/GEOS with SpatiaLite, so only one copy of
each library is ever loaded in the process. A missing package gives a
:class:`SetupError` naming it.
"""
from __future__ import annotations

import functools
from typing import Any

from inspector.errors import SetupError


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
    return gdal, ogr, osr
