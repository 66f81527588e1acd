"""GNSS quality recorded and enforced (issue 16 item 3): migration v12, findings and photos with the fix's
fix type, satellites, HDOP and accuracy (checked), the sync schema (old pushes without them accepted), and the
capture threshold as a field setting (``inspector config``)."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evidence_fixtures import make_geotagged_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.errors import BadInput
from inspector.geo.field_settings import arrival_radius_m, max_accuracy_m, set_setting
from inspector.geo.gnss import GnssFix, capture_problem
from inspector.geo.gnss_quality import quality_text
from inspector.store.workspace import Workspace
from sync.protocol import validate_content
from sync.record_codec import to_wire
from sync.record_schema import with_added_fields
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli

REPO_DATA = Path(__file__).resolve().parent / "data"
RTK = GnssFix(CENTRE[0] + 2e-4, CENTRE[1], datetime(2026, 5, 1, 2, 30, tzinfo=timezone.utc), "rtk_fixed", 14, 0.7,
              0.03, 4.2)


def test_old_workspace_gains_the_quality_columns(tmp_path):
    root = tmp_path / "old"
    shutil.copytree(REPO_DATA / "workspace-v1", root)
    with Workspace.open(root) as ws:
        for table, columns in (("findings", {"fix_type", "satellites", "hdop", "accuracy_m"}),
                               ("evidence", {"fix_type", "satellites", "hdop", "accuracy_m"})):
            present = {row[1] for row in ws.conn.execute(f"PRAGMA table_info({table})")}
            assert columns <= present, table


def test_finding_and_photo_record_the_fix_quality(tmp_path):
    ws = build_case_workspace(tmp_path)
    try:
        finding = add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="塘",
                              lon=RTK.lon, lat=RTK.lat, position_source="device_gps", **RTK.quality())
        assert (finding["fix_type"], finding["satellites"], finding["hdop"], finding["accuracy_m"]) == (
            "rtk_fixed", 14, 0.7, 0.03)
        assert quality_text(finding) == "RTK 固定解，卫星 14 颗，HDOP 0.7，精度 ±0.03 米"
        assert quality_text(finding, "en") == "RTK fixed, 14 satellites, HDOP 0.7, accuracy ±0.03 m"
        for bad in ({"fix_type": "warp"}, {"satellites": -1}, {"hdop": float("nan")}, {"accuracy_m": -2.0}):
            with pytest.raises(BadInput):
                add_finding(ws, CORE_CASE, assessment="待定", activity_type="养殖", description="",
                            lon=RTK.lon, lat=RTK.lat, **bad)
        photo = make_geotagged_photo(tmp_path / "p.jpg", *CENTRE)
        result = attach(ws, CORE_CASE, [photo], finding=finding["uuid"], actor="张三", receiver_fix=RTK)[0]
        row = ws.conn.execute("SELECT lon, lat, fix_type, satellites, hdop, accuracy_m, metadata FROM evidence "
                              "WHERE uuid = ?", (result["evidence_uuid"],)).fetchone()
        assert (row["lon"], row["lat"]) == (pytest.approx(CENTRE[0], abs=1e-6), pytest.approx(CENTRE[1], abs=1e-6))
        assert (row["fix_type"], row["satellites"], row["hdop"], row["accuracy_m"]) == ("rtk_fixed", 14, 0.7, 0.03)
        assert json.loads(row["metadata"])["receiver_fix"] == {
            "lon": RTK.lon, "lat": RTK.lat, "altitude_m": 4.2, "time_utc": "2026-05-01T02:30:00+00:00"}
        plain = attach(ws, CORE_CASE, [make_geotagged_photo(tmp_path / "q.jpg", *CENTRE, bearing=10.0)])[0]
        assert ws.conn.execute("SELECT fix_type FROM evidence WHERE uuid = ?",
                               (plain["evidence_uuid"],)).fetchone()[0] is None  # no receiver: no quality
        for kind, uuid in (("findings", finding["uuid"]), ("evidence", result["evidence_uuid"])):
            content = to_wire(ws.conn, kind, ws.conn.execute(f"SELECT * FROM {kind} WHERE uuid = ?",
                                                            (uuid,)).fetchone())
            assert content["fix_type"] == "rtk_fixed" and validate_content(kind, content, False) is None
            old = {k: v for k, v in content.items() if k not in ("fix_type", "satellites", "hdop")
                   and not (kind == "evidence" and k == "accuracy_m")}
            assert validate_content(kind, old, False) is None  # a device before v12 still syncs
            completed = with_added_fields(kind, old)
            assert completed["fix_type"] is None and completed["hdop"] is None
            for bad in ({"fix_type": "warp"}, {"satellites": 300}, {"hdop": -1.0}, {"satellites": "9"}):
                problem = validate_content(kind, {**content, **bad}, False)
                assert problem is not None and next(iter(bad)) in problem.en
    finally:
        ws.close()


def test_finding_command_records_quality(tmp_path):
    ws = build_case_workspace(tmp_path)
    root = str(ws.root)
    ws.close()
    base = ["--workspace", root, "finding", "add", CORE_CASE, "--assessment", "待定", "--activity", "养殖",
            "--lon", str(RTK.lon), "--lat", str(RTK.lat), "--position-source", "device_gps"]
    done = run_cli(*base, "--fix-type", "rtk_float", "--satellites", "11", "--hdop", "0.9", "--accuracy-m", "0.4",
                   "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["fix_type"], payload["satellites"], payload["hdop"], payload["accuracy_m"]) == (
        "rtk_float", 11, 0.9, 0.4)
    refused = run_cli(*base, "--fix-type", "teleport", "--json")
    assert refused.returncode == 2 and "teleport" in refused.stderr


def test_capture_threshold_is_a_field_setting(tmp_path):
    ws = build_case_workspace(tmp_path)
    root = str(ws.root)
    poor = GnssFix(*CENTRE, fix_type="gps", satellites=5, hdop=3.0, accuracy_m=15.0)
    assert max_accuracy_m(ws) == 20.0 and capture_problem(poor, max_accuracy_m(ws)) is None
    ws.close()
    assert json.loads(run_cli("--workspace", root, "config", "set", "gnss_max_accuracy_m", "10", "--json")
                      .stdout) == {"gnss_max_accuracy_m": 10.0}
    shown = json.loads(run_cli("--workspace", root, "config", "get", "--json").stdout)
    assert shown == {"gnss_max_accuracy_m": 10.0, "arrival_radius_m": 30.0}
    for bad in (["gnss_max_accuracy_m", "-1"], ["gnss_max_accuracy_m", "nan"], ["colour", "3"]):
        refused = run_cli("--workspace", root, "config", "set", *bad)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
    with Workspace.open(root) as ws:
        assert max_accuracy_m(ws) == 10.0
        problem = capture_problem(poor, max_accuracy_m(ws))
        assert problem is not None and "15.0" in problem.zh and "10" in problem.zh
        assert set_setting(ws, "arrival_radius_m", "45") == 45.0 and arrival_radius_m(ws) == 45.0
        ws.set_meta("arrival_radius_m", "junk")
        assert arrival_radius_m(ws) == 30.0
