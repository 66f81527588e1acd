"""The interactive map document: a folium page that loads nothing from a CDN.

folium's :class:`~folium.Map` and its Figure give the skeleton (the Leaflet
map object, the page head, the script block). Everything else is ours:

* Leaflet, supercluster (the case clusters: one index, queried per view) and
  leaflet-geoman (editing the verified extent) come from ``resources/web/node_modules``
  (npm registry, pinned in ``package-lock.json``), our ``map.js``/``map.css``
  and ``case_layer.js`` from ``resources/web/app``. In the GUI they are served as
  ``lvdun://web/...`` by the URL scheme handler; a headless export links the
  files in place (``file://``).
* Layers are data, not markup: compact JSON documents from
  :mod:`inspector.maps.map_layers` (UUIDs, codes, integer coordinates), fetched as
  ``data/*.json`` next to the document (``lvdun://map/data/...``) or inlined
  as ``<script type="application/json">`` for an export. Ledger text never
  enters the page; the few labels are rendered by ``map.js`` with
  ``textContent``. No folium Popup/Tooltip is used.
* A Content-Security-Policy allows only the inline scripts folium wrote (by
  hash) and our asset origin, so injected markup could not run even if it
  got in.
* :func:`build_map_shell` is the page without a document: the GUI loads it while the document is still
  being built (QtWebEngine starts, the scripts are parsed), then posts the document's token to it
  (``LvdunMap.open``), and the page fetches ``config.json`` and the layers of that document.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import uuid as uuid_lib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, cast

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template

from inspector.casework.case_list_query import CaseFilter
from inspector.casework.workflow import STATES, UNKNOWN_STATUS_COLOURS, StatusColours, status_colours
from inspector.maps.basemap_tiles import BasemapInfo, TileSource
from inspector.maps.map_layers import (
    ZONE_LEVELS,
    LayerSet,
    admin_document,
    evidence_document,
    patch_level_documents,
    read_layers,
    to_json_bytes,
    verified_document,
    zone_level_documents,
)
from inspector.resources import resource_path
from inspector.store.workspace import Workspace
from inspector.vocabulary import KINDS

LVDUN_WEB_BASE = "lvdun://web/"  # served from resources/web by the GUI's scheme handler
LVDUN_TILE_URL = "lvdun://tiles/{name}/{{z}}/{{x}}/{{y}}"
JIANGSU_BOUNDS = (116.35, 30.75, 121.95, 35.15)  # west, south, east, north, degrees
LEAFLET_JS = "node_modules/leaflet/dist/leaflet.js"
LEAFLET_CSS = "node_modules/leaflet/dist/leaflet.css"
SUPERCLUSTER_DIST = "node_modules/supercluster/dist/"  # point clustering (the case layer), ISC
SUPERCLUSTER_JS = SUPERCLUSTER_DIST + "supercluster.min.js"
GEOMAN_DIST = "node_modules/@geoman-io/leaflet-geoman-free/dist/"  # polygon editing (核实范围), MIT
GEOMAN_JS = GEOMAN_DIST + "leaflet-geoman.min.js"
GEOMAN_CSS = GEOMAN_DIST + "leaflet-geoman.css"
CASE_LAYER_JS = "app/case_layer.js"  # the cases, drawn from the supercluster index per view
APP_JS = "app/map.js"
APP_CSS = "app/map.css"
QWEBCHANNEL_JS = "qwebchannel.js"  # served by the GUI from Qt's own resources

# The core's status palette by status code (map_layers.status_code: STATES order, then an unknown state).
STATUS_CODE_COLOURS: tuple[StatusColours, ...] = (*(status_colours(s) for s in STATES), UNKNOWN_STATUS_COLOURS)
# 生态保护红线 red, 生态空间管控区域 orange, 自然保护地 green, unclassified grey.
KIND_COLOURS = ("#d7301f", "#f08c1a", "#2e9d48", "#7a7a7a")
KIND_CORE_COLOURS = ("#8c1307", "#a4540a", "#14612a", "#3d3d3d")  # core zones: darker, hatched


@dataclass
class MapBundle:
    """A rendered page and the data resources it loads, by path relative to the page."""

    html: str
    resources: dict[str, bytes] = field(default_factory=dict)
    token: str = ""  # per-document UUID our JS reports back when the layers are drawn

    def size_bytes(self) -> int:
        return len(self.html.encode("utf-8")) + sum(len(v) for v in self.resources.values())


class _LvdunLayers(MacroElement):
    """Our layers: config in a JSON script tag, assets in the head, one call to ``map.js``."""

    _template = Template(
        "{% macro html(this, kwargs) %}"
        "{% for id, text in this.json_blocks %}"
        '<script type="application/json" id="{{ id }}">{{ text }}</script>\n'
        "{% endfor %}"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "LvdunMap.start({{ this._parent.get_name() }}, "
        "JSON.parse(document.getElementById('lvdun-config').textContent));"
        "{% endmacro %}"
    )

    def __init__(self, blocks: list[tuple[str, str]], js: list[str], css: list[str]) -> None:
        super().__init__()
        self._name = "LvdunLayers"
        self.json_blocks = blocks
        self._js, self._css = js, css

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement's (Element's says str)
        figure = cast(Figure, self.get_root())  # a MacroElement renders only inside a Figure (branca asserts it)
        for i, url in enumerate(self._js):
            figure.header.add_child(folium.JavascriptLink(url), name=f"lvdun_js_{i}")
        for i, url in enumerate(self._css):
            figure.header.add_child(folium.CssLink(url), name=f"lvdun_css_{i}")
        super().render(**kwargs)


def json_for_script(data: Any) -> str:
    """JSON that is inert inside ``<script type="application/json">`` (no ``<``, ``>``, ``&``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def layer_resources(layers: LayerSet) -> dict[str, bytes]:
    """The JSON data documents of all layers, by path relative to the page."""
    resources = {f"data/zones-{level}.json": to_json_bytes(document)
                 for level, document in enumerate(zone_level_documents(layers.zones))}
    resources.update({f"data/patches-{level}.json": to_json_bytes(document)
                      for level, document in enumerate(patch_level_documents(layers.cases))})
    resources["data/cases.json"] = layers.case_json()
    resources["data/verified.json"] = to_json_bytes(verified_document(layers.cases))
    resources["data/evidence.json"] = to_json_bytes(evidence_document(layers.evidence))
    resources["data/admin.json"] = to_json_bytes(admin_document(layers.admin))
    return resources


def _config(bounds: tuple[float, float, float, float], resources: dict[str, bytes],
            basemaps: Sequence[BasemapInfo], token: str, inline: bool) -> dict[str, Any]:
    return {
        "token": token,
        "inline": inline,
        "bounds": [[round(bounds[1], 5), round(bounds[0], 5)], [round(bounds[3], 5), round(bounds[2], 5)]],
        "zoneLevels": [f"data/zones-{level}.json" for level in range(len(ZONE_LEVELS))],
        "zoneMinZooms": [zoom for _tol, _q, zoom in ZONE_LEVELS],
        "patchLevels": [f"data/patches-{level}.json" for level in range(len(ZONE_LEVELS))],
        "data": {name: f"data/{name}.json" for name in ("cases", "evidence", "admin", "verified")},
        "basemaps": [{"url": LVDUN_TILE_URL.format(name=b.name), "minZoom": b.min_zoom, "maxZoom": b.max_zoom,
                      "bounds": b.bounds, "label": b.label} for b in basemaps if b.raster],
        "states": list(STATES),
        "kinds": list(KINDS),
        "statusFills": [colours.fill for colours in STATUS_CODE_COLOURS],
        "statusTexts": [colours.text for colours in STATUS_CODE_COLOURS],
        "kindColours": list(KIND_COLOURS),
        "kindCoreColours": list(KIND_CORE_COLOURS),
        "sizes": {name: len(data) for name, data in resources.items()},
    }


def build_map_document(layers: LayerSet, *, basemaps: Sequence[BasemapInfo] = (), web_base: str = LVDUN_WEB_BASE,
                       inline_data: bool = False, qwebchannel: bool = True, token: str | None = None,
                       shell: bool = False) -> MapBundle:
    """Render the map page for ``layers``.

    ``web_base`` is where ``resources/web`` is reachable (``lvdun://web/`` in the
    GUI, a ``file://`` URL for an export). With ``inline_data`` the layer JSON
    is embedded in the page instead of being returned as resources; otherwise the
    page's configuration is also a resource, ``config.json``, which a shell page
    (``shell``: it draws nothing until ``LvdunMap.open(token)``) fetches.
    """
    token = token or str(uuid_lib.uuid4())
    resources = layer_resources(layers)
    west, south, east, north = bounds = layers.bounds() or JIANGSU_BOUNDS
    config = _config(bounds, resources, basemaps, token, inline_data) | {"shell": shell}
    blocks = [("lvdun-config", json_for_script(config))]
    if not inline_data:
        resources["config.json"] = json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if inline_data:
        blocks += [(f"lvdun-{path}", data.decode("utf-8").replace("<", "\\u003c")) for path, data in resources.items()]
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=8, tiles=None,
                      control_scale=False, zoom_control=True)
    fmap.default_js = [("leaflet", web_base + LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", web_base + LEAFLET_CSS)]
    scripts = [web_base + path for path in (SUPERCLUSTER_JS, GEOMAN_JS, *([QWEBCHANNEL_JS] if qwebchannel else []),
                                            CASE_LAYER_JS, APP_JS)]
    css = [web_base + c for c in (GEOMAN_CSS, APP_CSS)]
    fmap.add_child(_LvdunLayers(blocks, scripts, css))
    html = fmap.get_root().render()
    html = html.replace("<head>", '<head>\n<meta charset="utf-8">\n<title>绿盾 Inspector 地图</title>', 1)
    html = _with_csp(html, web_base)
    return MapBundle(html, {} if inline_data else resources, token)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|type)=)[^>]*>(.*?)</script>", re.S | re.I)


def _with_csp(html: str, web_base: str) -> str:
    """Add a Content-Security-Policy that allows folium's inline scripts by hash, and our assets."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                     + "'" for m in _INLINE_SCRIPT.finditer(html)})
    origin = web_base.split(":", 1)[0] + ":"  # the asset scheme: lvdun: in the GUI, file: for an export
    policy = (f"default-src 'none'; script-src {origin} {' '.join(hashes)}; style-src {origin} 'unsafe-inline'; "
              f"img-src {' '.join(sorted({origin, 'lvdun:'}))} data:; connect-src lvdun:; font-src {origin}; "
              "base-uri 'none'; form-action 'none'")
    return html.replace("<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{policy}">', 1)


@functools.lru_cache(maxsize=4)
def build_map_shell(web_base: str = LVDUN_WEB_BASE) -> MapBundle:
    """The map page without a document (one per process and asset base; its token names it): Leaflet, the
    controls and the legend, waiting for ``LvdunMap.open(token)`` to fetch a document's ``config.json``."""
    return build_map_document(LayerSet(), web_base=web_base, shell=True)


def build_workspace_map(ws: Workspace, case_filter: CaseFilter | None = None, **options: Any) -> MapBundle:
    """The map page of a workspace with its MBTiles basemaps (see :func:`build_map_document`); with
    ``case_filter``, only the cases the case list shows."""
    tiles = TileSource.for_workspace(ws)
    try:
        basemaps = tiles.info()
    finally:
        tiles.close()
    return build_map_document(read_layers(ws, case_filter), basemaps=basemaps, **options)


def export_map_html(ws: Workspace, out_path: Path) -> Path:
    """Write a self-contained (data inlined) offline HTML map that links the bundled web assets in place."""
    web_base = resource_path("web").resolve().as_uri() + "/"
    bundle = build_map_document(read_layers(ws), web_base=web_base, inline_data=True, qwebchannel=False)
    out_path = Path(out_path)
    out_path.write_text(bundle.html, encoding="utf-8")
    return out_path
