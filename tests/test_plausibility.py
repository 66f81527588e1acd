"""Plausibility checks on every photo (issue 17 item 2): each flag from a crafted photo through the core's attach
and the CLI, translated texts, the 申请销号 refusal counting flagged photos, the flags printed on the form."""
from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from evidence_fixtures import make_geotagged_photo, make_recent_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.rectification import add_rectification
from inspector.casework.workflow import transition
from inspector.errors import BadInput
from inspector.evidence.gps import offset_lonlat
from inspector.evidence.plausibility import BLOCKING_FLAGS, FLAG_TEXTS, flag_texts
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli

BEIJING = dt.timezone(dt.timedelta(hours=8))


def photo_taken(path, lon, lat, moment: dt.datetime, **options):
    """A geotagged JPEG whose camera and GPS clocks both say ``moment``."""
    local = moment.astimezone(BEIJING)
    return make_geotagged_photo(path, lon, lat, taken=local.strftime("%Y:%m:%d %H:%M:%S"), offset="+08:00",
                                gps_time=moment.astimezone(dt.timezone.utc).strftime("%Y:%m:%d %H:%M:%S"), **options)


@pytest.fixture
def case_ws(tmp_path):
    ws = build_case_workspace(tmp_path / "case")  # LD-001 at CENTRE, discovered 2026-03-02
    yield ws
    ws.close()


def _flags(results) -> list[list[str]]:
    assert all("error" not in r for r in results), results
    return [r["flags"] for r in results]


def test_each_plausibility_flag_from_a_crafted_photo(case_ws, tmp_path):
    now = dt.datetime.now(dt.timezone.utc)
    far = offset_lonlat(*CENTRE, 8000.0, 0.0)  # 8 km east, still in Jiangsu
    photos = {
        "clean": make_recent_photo(tmp_path / "clean.jpg", *CENTRE),
        "before_discovery": photo_taken(tmp_path / "old.jpg", *CENTRE,
                                        dt.datetime(2020, 5, 1, 2, tzinfo=dt.timezone.utc)),
        "far_from_case": make_recent_photo(tmp_path / "far.jpg", *far),
        "future_time": photo_taken(tmp_path / "future.jpg", *CENTRE, now + dt.timedelta(days=3)),
        "gps_missing": make_geotagged_photo(tmp_path / "nogps.jpg", *CENTRE, gps={}),
    }
    results = dict(zip(photos, _flags(attach(case_ws, CORE_CASE, list(photos.values())))))
    assert not set(results["clean"]) & BLOCKING_FLAGS, results["clean"]
    for code in ("before_discovery", "far_from_case", "future_time", "gps_missing"):
        assert code in results[code], (code, results[code])
        assert code not in results["clean"]
    assert "before_discovery" not in results["future_time"]


def test_after_photo_taken_before_the_rectification_began(case_ws, tmp_path):
    add_rectification(case_ws, CORE_CASE, measure_type="整治", measures="拆除")  # began today
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    early = photo_taken(tmp_path / "early.jpg", *CENTRE, yesterday)
    [after] = _flags(attach(case_ws, CORE_CASE, [early], phase="after"))
    [before] = _flags(attach(case_ws, CORE_CASE, [early], phase="before"))  # a 整改前 photo may be older
    assert "after_before_rectification" in after and "after_before_rectification" not in before


def test_duplicate_of_another_case_and_outside_the_patch(case_ws, tmp_path):
    photo = make_recent_photo(tmp_path / "site.jpg", *CENTRE)
    assert "duplicate_of_other_case" not in _flags(attach(case_ws, CORE_CASE, [photo]))[0]
    [other] = _flags(attach(case_ws, "LD-003", [photo]))
    assert "duplicate_of_other_case" in other
    lon, lat = CENTRE
    square = {"type": "Polygon", "coordinates": [[[lon - 0.001, lat - 0.001], [lon + 0.001, lat - 0.001],
                                                   [lon + 0.001, lat + 0.001], [lon - 0.001, lat + 0.001],
                                                   [lon - 0.001, lat - 0.001]]]}
    case_ws.conn.execute("UPDATE cases SET geometry_geojson = ? WHERE case_no = ?", (json.dumps(square), CORE_CASE))
    inside = make_recent_photo(tmp_path / "in.jpg", lon + 0.0009, lat, size=(400, 301))  # inside, near the edge
    outside = make_recent_photo(tmp_path / "out.jpg", *offset_lonlat(lon + 0.001, lat, 150.0, 0.0), size=(400, 302))
    flags_in, flags_out = _flags(attach(case_ws, CORE_CASE, [inside, outside]))
    assert "outside_patch" not in flags_in and "outside_patch" in flags_out
    assert "far_from_case" not in flags_out  # a patch case is checked against its polygon


def test_every_code_has_both_texts_and_the_cli_gives_them(case_ws, tmp_path):
    for code, message in FLAG_TEXTS.items():
        assert message.zh and message.en and message.zh != message.en, code
    assert flag_texts(["before_discovery", "no_such_code"]) == {
        "before_discovery": {"zh": "拍摄日期早于问题发现日期", "en": "Taken before the case was discovered"},
        "no_such_code": {"zh": "no_such_code", "en": "no_such_code"}}
    far = make_recent_photo(tmp_path / "far.jpg", *offset_lonlat(*CENTRE, 0.0, 5000.0))
    done = run_cli("--workspace", str(case_ws.root), "attach", CORE_CASE, str(far), "--json")
    assert done.returncode == 0, done.stderr
    [item] = json.loads(done.stdout)
    assert "far_from_case" in item["flags"] and set(item["flag_texts"]) == set(item["flags"])
    assert item["flag_texts"]["far_from_case"] == {"zh": "拍摄位置离问题点位过远",
                                                   "en": "Taken far from the case location"}
    text = run_cli("--workspace", str(case_ws.root), "attach", CORE_CASE,
                   str(make_recent_photo(tmp_path / "far2.jpg", *offset_lonlat(*CENTRE, 0.0, 6000.0))),
                   env={"INSPECTOR_LANG": "en"})
    assert "Taken far from the case location" in text.stdout


def _to_rectifying(ws):
    transition(ws, CORE_CASE, "现场核查", role="inspector", actor="t")
    add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘")
    transition(ws, CORE_CASE, "确认问题", role="inspector", actor="t")
    add_rectification(ws, CORE_CASE, measure_type="整治", measures="拆除")
    transition(ws, CORE_CASE, "整改中", role="inspector", actor="t")


def test_closure_request_needs_clean_before_and_after_photos(case_ws, tmp_path):
    _to_rectifying(case_ws)
    old = photo_taken(tmp_path / "old.jpg", *CENTRE, dt.datetime(2025, 1, 5, 3, tzinfo=dt.timezone.utc))
    attach(case_ws, CORE_CASE, [old], phase="after")  # before discovery and before the rectification
    with pytest.raises(BadInput) as refused:
        transition(case_ws, CORE_CASE, "申请销号", role="inspector", actor="t")
    assert "无疑点的整改前照片" in refused.value.zh and "无疑点的整改后照片" in refused.value.zh
    assert "现有 1 张整改后照片带有疑点标记" in refused.value.zh
    assert "1 after rectification photo(s) carry a blocking flag" in refused.value.en
    attach(case_ws, CORE_CASE, [make_recent_photo(tmp_path / "before.jpg", *CENTRE)], phase="before")
    attach(case_ws, CORE_CASE, [make_recent_photo(tmp_path / "after.jpg", *CENTRE, size=(400, 301))], phase="after")
    assert transition(case_ws, CORE_CASE, "申请销号", role="inspector", actor="t")["status"] == "申请销号"


def test_the_form_prints_a_photos_flags_beside_it(case_ws, tmp_path):
    old = photo_taken(tmp_path / "old.jpg", *CENTRE, dt.datetime(2025, 1, 5, 3, tzinfo=dt.timezone.utc))
    attach(case_ws, CORE_CASE, [old])
    out = tmp_path / "inspection.pdf"
    done = run_cli("--workspace", str(case_ws.root), "form", CORE_CASE, "--kind", "inspection", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "疑点：拍摄日期早于问题发现日期" in text.replace("\n", "")
