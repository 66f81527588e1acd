"""The bundled demo workspace, built on first use from generated sample data.

``resources/demo/`` holds sample zones and a sample ledger made by
``scripts/make_demo_data.py`` (clearly marked 示例数据, not real records).
They are imported with the real importers into a workspace in the user's
data directory, so the app has something to show when none is configured; a
sample basemap of 连云区 is drawn and tiled then (:mod:`inspector.demo.sample_basemap`).

The demo ships local accounts (:data:`DEMO_ACCOUNTS`, all with the password
:data:`DEMO_PASSWORD`, documented in README): an inspector and a reviewer of
连云区 (320703, the county with the most demo cases), a reviewer of its city
连云港市 (320700) and a provincial reviewer, so that every acceptance level
can be tried. Being sample data, their password is public.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from inspector.resources import resource_path
from inspector.store.workspace import Workspace, demo_workspace_dir

DEMO_ZONES = ("demo", "zones.geojson")
DEMO_LEDGER = ("demo", "ledger.xlsx")
DEMO_PASSWORD = "demo1234"  # the public password of every demo account (sample data only)
# name: (display name, roles, jurisdiction adcode)
DEMO_ACCOUNTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "demo_inspector": ("示例核查员（连云区）", ("inspector",), "320703"),
    "demo_county": ("示例县级审核员（连云区）", ("reviewer",), "320703"),
    "demo_city": ("示例市级审核员（连云港市）", ("reviewer",), "320700"),
    "demo_province": ("示例省级审核员（江苏省）", ("reviewer",), "320000"),
}


def add_demo_accounts(ws: Workspace) -> None:
    """The demo's documented accounts, unless the workspace has local accounts already."""
    from inspector.accounts.local_accounts import add_account, has_local_accounts

    if has_local_accounts(ws):
        return
    for name, (display_name, roles, jurisdiction) in DEMO_ACCOUNTS.items():
        add_account(ws, name, roles=roles, jurisdiction=jurisdiction, display_name=display_name,
                    password=DEMO_PASSWORD)


def build_demo_workspace(root: Path, *, progress: Callable[[int, int, str], None] | None = None) -> Workspace:
    from inspector.demo.sample_basemap import add_sample_basemap
    from inspector.importers.ledger_import import import_ledger
    from inspector.importers.zone_import import import_zones

    ws = Workspace.create(root)
    import_zones(ws, resource_path(*DEMO_ZONES), progress=progress)
    import_ledger(ws, resource_path(*DEMO_LEDGER), progress=progress)
    add_demo_accounts(ws)
    add_sample_basemap(ws, resource_path(*DEMO_ZONES))
    ws.set_meta("demo", "1")
    return ws


def ensure_demo_workspace(root: Path | None = None, *,
                          progress: Callable[[int, int, str], None] | None = None) -> Workspace:
    """Open the demo workspace, building it first if it does not exist yet."""
    root = root or demo_workspace_dir()
    if Workspace.exists(root):
        ws = Workspace.open(root)
        if ws.meta("demo") == "1":
            add_demo_accounts(ws)  # a demo built by an older version has none yet
            return ws
        ws.close()
    return build_demo_workspace(root, progress=progress)
