"""The bundled demo workspace, built on first use from generated sample data.

``resources/demo/`` holds sample zones and a sample ledger made by
``scripts/make_demo_data.py`` (clearly marked 示例数据, not real records).
They are imported with the real importers into a workspace in the user's
data directory, so the app has something to show when none is configured.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from inspector.resources import resource_path
from inspector.store.workspace import Workspace, demo_workspace_dir

DEMO_ZONES = ("demo", "zones.geojson")
DEMO_LEDGER = ("demo", "ledger.xlsx")


def build_demo_workspace(root: Path, *, progress: Callable[[int, int, str], None] | None = None) -> Workspace:
    from inspector.importers.ledger_import import import_ledger
    from inspector.importers.zone_import import import_zones

    ws = Workspace.create(root)
    import_zones(ws, resource_path(*DEMO_ZONES), progress=progress)
    import_ledger(ws, resource_path(*DEMO_LEDGER), progress=progress)
    ws.set_meta("demo", "1")
    return ws


def ensure_demo_workspace(root: Path | None = None, *,
                          progress: Callable[[int, int, str], None] | None = None) -> Workspace:
    """Open the demo workspace, building it first if it does not exist yet."""
    root = root or demo_workspace_dir()
    if Workspace.exists(root):
        ws = Workspace.open(root)
        if ws.meta("demo") == "1":
            return ws
        ws.close()
    return build_demo_workspace(root, progress=progress)
