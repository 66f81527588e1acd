"""The ``lvdun:`` URL scheme: how the map page gets its assets, layer data and tiles offline.

* ``lvdun://web/<path>``: files under ``resources/web`` (only the ``dist``
  folders of Leaflet, supercluster and leaflet-geoman, and our ``app/``), plus
  ``qwebchannel.js`` from Qt's own resources;
* ``lvdun://map/<token>/index.html``, ``lvdun://map/<token>/config.json`` and
  ``lvdun://map/<token>/data/*.json``: the current map document, its configuration and its layer data
  (:class:`MapBundle`), and the page shell the document is posted into (:meth:`MapSchemeHandler.set_shell`);
* ``lvdun://tiles/<name>/<z>/<x>/<y>``: basemap tiles from the workspace's
  MBTiles files (:class:`inspector.maps.basemap_tiles.TileSource`).

:func:`register_map_scheme` must run before the QApplication exists; the app
calls it at start-up. :class:`OfflineOnly` blocks every request that is not
local, so a stray link can never reach the network. :func:`web_assets_problem`
says which of the files every map page loads are missing (Leaflet comes from
the npm registry, installed by ``scripts/setup.sh``), so the map can say so
instead of waiting for a page that will never draw.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QFile, QIODevice, QObject, Qt
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from inspector.errors import SetupError
from inspector.maps.basemap_tiles import TileSource
from inspector.maps.map_document import (
    APP_CSS,
    APP_JS,
    CASE_LAYER_JS,
    GEOMAN_CSS,
    GEOMAN_DIST,
    GEOMAN_JS,
    LEAFLET_CSS,
    LEAFLET_JS,
    SUPERCLUSTER_DIST,
    SUPERCLUSTER_JS,
    MapBundle,
)
from inspector.resources import resource_path

SCHEME = b"lvdun"
WEB_ALLOWED = ("node_modules/leaflet/dist/", SUPERCLUSTER_DIST, GEOMAN_DIST, "app/")
LOCAL_SCHEMES = frozenset({"lvdun", "data", "blob", "about", "qrc"})
# under resources/web
PAGE_ASSETS = (LEAFLET_JS, LEAFLET_CSS, SUPERCLUSTER_JS, GEOMAN_JS, GEOMAN_CSS, CASE_LAYER_JS, APP_JS, APP_CSS)
_MIME = {".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".png": "image/png",
         ".svg": "image/svg+xml", ".html": "text/html"}


def register_map_scheme() -> None:
    """Register the ``lvdun`` scheme with Qt WebEngine; call before creating the QApplication.

    Safe to call more than once. Raises RuntimeError if the application
    already exists and the scheme was never registered (too late to do it).
    """
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME)).name() == QByteArray(SCHEME):
        return
    if QCoreApplication.instance() is not None:
        raise RuntimeError("register_map_scheme() must be called before the QApplication is created")
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME))
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.CorsEnabled
                    | QWebEngineUrlScheme.Flag.FetchApiAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)


def mime_for(path: str) -> str:
    return _MIME.get(Path(path).suffix.lower()) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def web_asset(path: str) -> bytes | None:
    """Bytes of an allowed file under ``resources/web``; None for anything else."""
    path = path.lstrip("/")
    if path == "qwebchannel.js":
        qfile = QFile(":/qtwebchannel/qwebchannel.js")
        if not qfile.open(QIODevice.OpenModeFlag.ReadOnly):
            return None
        try:
            return bytes(qfile.readAll().data())
        finally:
            qfile.close()
    if not path.startswith(WEB_ALLOWED) or ".." in path.split("/"):
        return None
    root = resource_path("web").resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        return None
    return target.read_bytes()


def web_assets_problem() -> SetupError | None:
    """What is missing of :data:`PAGE_ASSETS` and how to install it, or None when the map page can load."""
    folder = resource_path("web")
    missing = [name for name in PAGE_ASSETS if not (folder / name).is_file()]
    if not missing:
        return None
    names = ", ".join(missing)
    return SetupError(
        f"地图无法显示：缺少网页资源 {names}（在 {folder} 下）。请运行 bash scripts/setup.sh，"
        f"或在 {folder} 中运行 npm ci 安装 Leaflet",
        f"the map cannot be shown: web assets missing: {names} (under {folder}). Run bash scripts/setup.sh, "
        f"or npm ci in {folder} to install Leaflet",
    )


class MapSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``lvdun:`` requests from the current :class:`MapBundle` and :class:`TileSource`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bundle: MapBundle | None = None
        self._shell: MapBundle | None = None
        self._tiles: TileSource | None = None

    def set_shell(self, shell: MapBundle | None) -> None:
        """The page shell (:func:`inspector.maps.map_document.build_map_shell`) served besides the document."""
        self._shell = shell

    def set_content(self, bundle: MapBundle | None, tiles: TileSource | None) -> None:
        if self._tiles is not None and self._tiles is not tiles:
            self._tiles.close()
        self._bundle, self._tiles = bundle, tiles

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt override)
        url = job.requestUrl()
        host, path = url.host(), url.path()
        if job.requestMethod() != QByteArray(b"GET"):
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        answer = self._answer(host, path)
        if answer is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        data, mime = answer
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(QByteArray(mime.encode("ascii")), buffer)

    def _answer(self, host: str, path: str) -> tuple[bytes, str] | None:
        if host == "web":
            data = web_asset(path)
            return (data, mime_for(path)) if data is not None else None
        if host == "tiles":
            return self._tiles.tile_for_path(path) if self._tiles is not None else None
        if host == "map":
            token, _, rest = path.lstrip("/").partition("/")
            bundle = next((b for b in (self._bundle, self._shell) if b is not None and b.token == token), None)
            if bundle is None:
                return None
            if rest == "index.html":
                return bundle.html.encode("utf-8"), "text/html"
            if rest in bundle.resources:
                return bundle.resources[rest], "application/json"
        return None


class OfflineOnly(QWebEngineUrlRequestInterceptor):
    """Blocks every request whose scheme is not local (http, https, ftp, ws, file...)."""

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 (Qt override)
        if info.requestUrl().scheme().lower() not in LOCAL_SCHEMES:
            info.block(True)
