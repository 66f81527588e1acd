"""A workspace with zones and a ledger for the evidence, findings and workflow tests.

Zones are the Gauss-Krüger shapefile features of ``test_zone_import`` (a
reserve near 盐城 with a 500 m core zone around (120.5, 33.5)); the ledger is
``test_ledger_import``'s, so case LD-001 sits in that core zone.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from inspector.importers.ledger_import import import_ledger
from inspector.importers.zone_import import import_zones
from inspector.store.workspace import Workspace
from tests.test_ledger_import import ledger_rows, write_xlsx
from tests.test_zone_import import CENTRE, gk_features
from tests.vector_fixtures import write_layer

CORE_CASE = "LD-001"  # at CENTRE, inside 射阳河口湿地保护区 核心保护区
CORE_ZONE = "射阳河口湿地保护区"
REPO = Path(__file__).resolve().parents[1]
__all__ = ["CENTRE", "CORE_CASE", "CORE_ZONE", "build_case_workspace", "run_cli", "cli_json"]


def build_case_workspace(root: Path) -> Workspace:
    """A fresh workspace under ``root / 'ws'`` with the test zones and ledger imported."""
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace.create(root / "ws")
    import_zones(ws, write_layer(root / "zones.shp", "ESRI Shapefile", 4549, gk_features(),
                                  layer_options=["ENCODING=CP936"]))
    import_ledger(ws, write_xlsx(root / "ledger.xlsx", ledger_rows()))
    return ws


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "INSPECTOR_USER": "测试员", **(env or {})}, timeout=300)


def cli_json(*args: str) -> object:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
