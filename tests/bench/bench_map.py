"""Map benchmark: payload and first paint of our map document vs naive folium, and peak memory.

Data: 10,000 cases and a zone layer of 1,000,000 vertices (1,000 zones of
1,000 vertices) spread over Jiangsu, plus the bundled admin boundaries.

* ours: :func:`inspector.maps.map_document.build_map_document` — compact JSON
  layers fetched through the ``lvdun`` scheme, zones pre-simplified per zoom.
  Payload = page + the data the first view fetches (coarse zone level, cases,
  evidence, admin); the finer zone levels are reported separately.
* naive: folium with the raw GeoJSON (``folium.GeoJson``) and one plain
  ``folium.Marker`` per case, Leaflet linked locally as ours (a CDN would not
  load offline).

First paint is the time from loading the page in an offscreen QWebEngineView
until our page reports its layers drawn (``MapView.mapReady``), and for naive
until ``loadFinished``. Peak memory: this process's peak RSS, and the PSS sum of it and the
WebEngine helper processes, sampled every 50 ms; each side runs in its own process.
Run: ``.venv/bin/python tests/bench/bench_map.py``.
"""
from __future__ import annotations

import json
import resource
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import qt_env  # noqa: E402,F401  (offscreen flags, lvdun scheme: before the QApplication)

# isort: split
import folium  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from summary import floor_row  # noqa: E402

from inspector.casework.workflow import STATES  # noqa: E402
from inspector.geo.admin_areas import ADMIN_GEOJSON  # noqa: E402
from inspector.maps.map_document import LEAFLET_CSS, LEAFLET_JS, LVDUN_WEB_BASE, MapBundle, build_map_document  # noqa: E402
from inspector.maps.map_layers import AdminRecord, CaseRecord, LayerSet, ZoneRecord  # noqa: E402
from inspector.resources import resource_path  # noqa: E402
from inspector.vocabulary import KINDS  # noqa: E402
from ui.map.map_view import MapView  # noqa: E402

N_CASES = 10_000
N_ZONES = 1_000
VERTICES_PER_ZONE = 1_000
PAINT_TIMEOUT_S = 600


def synthetic_layers() -> LayerSet:
    rng = np.random.default_rng(2026)
    zones = []
    for i in range(N_ZONES):
        cx, cy = 117.0 + 4.5 * rng.random(), 31.2 + 3.4 * rng.random()
        angles = np.linspace(0, 2 * np.pi, VERTICES_PER_ZONE, endpoint=False)
        radius = 0.02 * (1 + 0.3 * np.sin(angles * rng.integers(3, 9)) + 0.04 * rng.random(VERTICES_PER_ZONE))
        ring = np.column_stack([cx + radius * np.cos(angles), cy + 0.85 * radius * np.sin(angles)])
        zones.append(ZoneRecord(str(uuid.uuid4()), KINDS[i % 3],
                                ("核心保护区", "一般控制区", None)[i % 3], shapely.Polygon(ring)))
    cases = [CaseRecord(str(uuid.uuid4()), 116.8 + 4.9 * rng.random(), 31.0 + 3.9 * rng.random(),
                        STATES[int(rng.integers(len(STATES)))]) for _ in range(N_CASES)]
    data = json.loads(resource_path(*ADMIN_GEOJSON).read_text(encoding="utf-8"))
    admin = [AdminRecord(f["properties"]["adcode"], f["properties"]["name"], f["properties"]["level"],
                         shapely.geometry.shape(f["geometry"])) for f in data["features"]]
    return LayerSet(zones=zones, cases=cases, admin=admin)


def naive_document(layers: LayerSet) -> str:
    fmap = folium.Map(location=[33.0, 119.3], zoom_start=8, tiles=None)
    fmap.default_js = [("leaflet", LVDUN_WEB_BASE + LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LVDUN_WEB_BASE + LEAFLET_CSS)]
    folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"uuid": z.uuid, "kind": z.kind, "function_zone": z.function_zone},
         "geometry": shapely.geometry.mapping(z.geometry)} for z in layers.zones]}).add_to(fmap)
    for case in layers.cases:
        folium.Marker([case.lat, case.lon]).add_to(fmap)
    return fmap.get_root().render()


class RssSampler:
    """Peak memory of this process and its WebEngine helper processes, in MB.

    Summed as PSS (proportional set size, ``/proc/<pid>/smaps_rollup``): Chromium's
    processes share most of their pages (the same libraries, the zygote), and
    adding their RSS would count those pages once per process.
    """

    def __init__(self) -> None:
        self.peak_total_mb = 0.0
        self.timer = QTimer()
        self.timer.timeout.connect(self.sample)
        self.timer.start(50)

    @staticmethod
    def _pss_mb(pid: int) -> float:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    @staticmethod
    def _descendants(pid: int) -> list[int]:
        found, stack = [], [pid]
        while stack:
            parent = stack.pop()
            try:
                children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
            except OSError:
                children = []
            found += [int(c) for c in children]
            stack += [int(c) for c in children]
        return found

    def sample(self) -> None:
        import os
        me = os.getpid()
        total = self._pss_mb(me) + sum(self._pss_mb(p) for p in self._descendants(me))
        self.peak_total_mb = max(self.peak_total_mb, total)


def wait_for(signal, timeout_s: float) -> tuple | None:
    """The signal's arguments once it fires, or None after ``timeout_s``."""
    loop = QEventLoop()
    fired: list[tuple] = []
    signal.connect(lambda *args: (fired.append(args), loop.quit()))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    return fired[0] if fired else None


def first_paint(bundle: MapBundle, *, ours: bool, attempts: int = 3) -> float:
    """Seconds from posting the page until it is drawn (ours: ``mapReady``; naive: a successful ``loadFinished``).
    A naive page whose load fails (QtWebEngine's renderer can give up on a page of tens of MB) is loaded again,
    at most ``attempts`` times, and said so: a failed load finishes at once and is no paint time."""
    view = MapView()
    view.resize(1366, 768)
    view.show()
    wait_ms(200)
    signal = view.mapReady if ours else view.page().loadFinished
    start = time.perf_counter()
    view.show_bundle(bundle)
    fired = wait_for(signal, PAINT_TIMEOUT_S)
    elapsed = time.perf_counter() - start
    view.deleteLater()
    wait_ms(300)
    name = "ours" if ours else "naive"
    if fired is None:
        raise SystemExit(f"{name}: page not ready within {PAINT_TIMEOUT_S} s")
    if not ours and not fired[0]:
        if attempts <= 1:
            raise SystemExit(f"{name}: the page failed to load")
        print(f"{name}: the page failed to load after {elapsed:.2f} s; loading it again", flush=True)
        return first_paint(bundle, ours=ours, attempts=attempts - 1)
    return elapsed


def wait_ms(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def run_part(part: str) -> dict:
    """Build and paint one side in this process; returns its measurements."""
    app = QApplication.instance() or QApplication([])
    sampler = RssSampler()
    layers = synthetic_layers()
    t0 = time.perf_counter()
    if part == "ours":
        bundle = build_map_document(layers)
        first_view = len(bundle.html.encode()) + sum(
            len(v) for k, v in bundle.resources.items() if not k.startswith("data/zones-") or k == "data/zones-0.json")
        sizes = {"page": len(bundle.html.encode()),
                 **{k.removeprefix("data/"): len(v) for k, v in bundle.resources.items()}}
        total = bundle.size_bytes()
    else:
        bundle = MapBundle(naive_document(layers), {}, str(uuid.uuid4()))
        first_view = total = bundle.size_bytes()
        sizes = {"page": total}
    build_s = time.perf_counter() - t0
    del layers
    wait_ms(100)
    first_paint(MapBundle("<!DOCTYPE html><p>warm-up</p>", {}, str(uuid.uuid4())), ours=False)  # engine start-up
    paint_s = first_paint(bundle, ours=part == "ours")
    sampler.sample()
    app.processEvents()
    return {"build_s": build_s, "paint_s": paint_s, "first_view": first_view, "total": total, "sizes": sizes,
            "python_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_mb": sampler.peak_total_mb}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--part":
        print("RESULT " + json.dumps(run_part(sys.argv[2])), flush=True)
        return
    import subprocess
    results = {}
    for part in ("ours", "naive"):  # one process each, so each peak RSS is its own
        done = subprocess.run([sys.executable, __file__, "--part", part], capture_output=True, text=True, check=True)
        lines = done.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("RESULT ")), end="")  # e.g. a failed load
        results[part] = json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])
    ours, naive = results["ours"], results["naive"]
    print(f"data: {N_CASES:,} cases, {N_ZONES:,} zones x {VERTICES_PER_ZONE:,} = {N_ZONES * VERTICES_PER_ZONE:,} "
          "zone vertices, plus the bundled admin boundaries")
    print(f"build (Python): ours {ours['build_s']:.1f} s, naive folium {naive['build_s']:.1f} s")
    print("payload ours: " + ", ".join(f"{k} {v / 1e3:,.0f} kB" for k, v in ours["sizes"].items()))
    print(f"payload first view: ours {ours['first_view'] / 1e6:.2f} MB "
          f"(every zoom level {ours['total'] / 1e6:.2f} MB), "
          f"naive {naive['total'] / 1e6:.2f} MB -> {naive['total'] / ours['first_view']:.1f}x smaller "
          f"({naive['total'] / ours['total']:.1f}x counting every level) [target >= 10x]")
    print(f"first paint: ours {ours['paint_s']:.2f} s, naive {naive['paint_s']:.2f} s -> "
          f"{naive['paint_s'] / ours['paint_s']:.1f}x faster [target >= 5x]")
    floor_row("map payload, first view vs naive folium", naive["total"] / ours["first_view"], "× smaller", 10,
              higher_is_better=True)
    floor_row("map first paint vs naive folium", naive["paint_s"] / ours["paint_s"], "× faster", 5,
              higher_is_better=True)
    floor_row("map peak memory (PSS)", ours["peak_mb"], "MB", 500, higher_is_better=False)
    for name, r in (("ours", ours), ("naive", naive)):
        print(f"peak memory {name}: python process RSS {r['python_peak_mb']:.0f} MB; with the WebEngine "
              f"processes (PSS) {r['peak_mb']:.0f} MB [target <= 500 MB]")


if __name__ == "__main__":
    main()
