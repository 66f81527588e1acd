"""The ``inspector`` command line contract: JSON documents, exit codes, reasons on stderr."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_ledger_import import ledger_rows, write_xlsx
from tests.test_zone_import import CENTRE, gk_features
from tests.vector_fixtures import write_layer


def run(*args: str, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=input, timeout=300)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    shp = write_layer(tmp_path / "zones.shp", "ESRI Shapefile", 4549, gk_features(),
                      layer_options=["ENCODING=CP936"])
    shp.with_suffix(".cpg").unlink()
    return {"zones": shp, "ledger": write_xlsx(tmp_path / "ledger.xlsx", ledger_rows())}


def test_full_cli_round(tmp_path, files):
    ws = str(tmp_path / "ws")
    init = run("--workspace", ws, "init", "--json")
    assert init.returncode == 0, init.stderr
    assert json.loads(init.stdout)["schema_version"] >= 1

    zones = run("--workspace", ws, "import-zones", str(files["zones"]), "--json")
    assert zones.returncode == 0, zones.stderr
    payload = json.loads(zones.stdout)
    assert payload["imported"] == 4 and payload["updated"] == 0
    assert len(payload["repaired"]) == 1 and payload["rejected"] == []

    ledger = run("--workspace", ws, "import-ledger", str(files["ledger"]), "--json")
    assert ledger.returncode == 0, ledger.stderr
    summary = json.loads(ledger.stdout)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    assert [r["row"] for r in summary["rejected"]] == [6, 7, 8, 9, 10]
    assert all(r["reason"] for r in summary["rejected"])

    located = json.loads(run("--workspace", ws, "locate", str(CENTRE[0]), str(CENTRE[1]), "--json").stdout)
    assert {"zones", "nearest", "admin"} <= set(located)
    assert located["zones"][0]["function_zone"] == "核心保护区"
    assert set(located["zones"][0]) >= {"name", "code", "kind", "category", "function_zone"}
    assert located["admin"]["city"] == "盐城市"

    far = json.loads(run("--workspace", ws, "locate", "119.0", "32.0", "--json").stdout)
    assert far["zones"] == [] and far["nearest"] is None

    cases = json.loads(run("--workspace", ws, "cases", "--json").stdout)
    by_no = {c["case_no"]: c for c in cases}
    assert set(by_no) == {"LD-001", "LD-002", "LD-003"}
    assert by_no["LD-001"]["zones"][0]["function_zone"] == "核心保护区"
    assert by_no["LD-001"]["city"] == "盐城市"
    assert by_no["LD-002"]["zones"] == [] and by_no["LD-002"]["city"] == "南京市"


def test_bad_input_exits_2_with_reason(tmp_path, files):
    ws = str(tmp_path / "ws")
    run("--workspace", ws, "init")
    missing = run("--workspace", ws, "import-ledger", str(tmp_path / "nope.xlsx"), "--json")
    assert missing.returncode == 2 and "nope.xlsx" in missing.stderr and missing.stdout == ""
    bad_map = run("--workspace", ws, "import-zones", str(files["zones"]), "--map", "colour=X", "--json")
    assert bad_map.returncode == 2 and "--map" in bad_map.stderr
    bad_ledger_map = run("--workspace", ws, "import-ledger", str(files["ledger"]), "--map", "colour=X", "--json")
    assert bad_ledger_map.returncode == 2 and "colour" in bad_ledger_map.stderr
    absent = run("--workspace", ws, "import-ledger", str(files["ledger"]), "--map", "lon=X", "--json")
    assert absent.returncode == 2 and "X" in absent.stderr and absent.stdout == ""
    not_ws = run("--workspace", str(tmp_path / "none"), "cases", "--json")
    assert not_ws.returncode == 2 and "init" in not_ws.stderr


def test_english_messages(tmp_path):
    result = run("--workspace", str(tmp_path / "none"), "cases", env={"INSPECTOR_LANG": "en"})
    assert result.returncode == 2 and "is not a workspace" in result.stderr


def test_json_flag_before_the_command(tmp_path):
    ws = str(tmp_path / "ws")
    result = run("--json", "--workspace", ws, "init")
    assert result.returncode == 0 and json.loads(result.stdout)["workspace"].endswith("ws")


def test_import_ledger_with_a_column_map(tmp_path):
    from tests.test_ledger_import import write_odd_csv

    ws = str(tmp_path / "ws")
    ledger = write_odd_csv(tmp_path / "odd.csv")
    dry = run("--workspace", ws, "import-ledger", str(ledger), "--dry-run", "--map",
              "case_no=编号,lon=X,lat=Y,description=情况说明", "--json")
    assert dry.returncode == 0, dry.stderr
    payload = json.loads(dry.stdout)
    assert payload["dry_run"] is True and payload["created"] == 2
    assert [r["row"] for r in payload["rejected"]] == [4]
    done = run("--workspace", ws, "import-ledger", str(ledger), "--map", "lon=X,lat=Y,description=情况说明", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert {"created", "updated", "unchanged", "rejected"} <= set(summary) and summary["created"] == 2
    cases = json.loads(run("--workspace", ws, "cases", "ODD-1", "--json").stdout)
    assert cases[0]["lon"] == pytest.approx(120.5)
