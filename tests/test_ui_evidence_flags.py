"""The gallery's own attach raises every plausibility flag and lists it per photo; the viewer shows the flags,
the time in Beijing time and a map of where the photo was taken (issue 17 item 2)."""
from __future__ import annotations

import datetime as dt
import json

from shapely.geometry import shape

from evidence_fixtures import make_geotagged_photo, make_recent_photo
from inspector.casework.rectification import add_rectification
from inspector.evidence.gps import offset_lonlat
from tests.test_plausibility import photo_taken
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_job
from ui.cases.evidence_gallery import EvidenceGallery, EvidenceViewer


def _gallery(session, qtbot, case) -> EvidenceGallery:
    gallery = EvidenceGallery(session)
    qtbot.addWidget(gallery)
    gallery.show_case(case["uuid"], case["id"])
    return gallery


def _attach(gallery, qtbot, files, phase="inspection") -> list[dict]:
    gallery.phase_box.setCurrentIndex(gallery.phase_box.findData(phase))
    result, error = wait_job(qtbot, gallery.attach_files([str(f) for f in files]))
    assert error is None and all("error" not in r for r in result), (error, result)
    gallery.show_case(gallery.case_uuid, gallery.case_id)
    return result


def _tooltips(gallery) -> dict[str, str]:
    return {gallery.list.item(i).text().split("\n")[-1]: gallery.list.item(i).toolTip().replace("\xa0", " ")
            for i in range(gallery.list.count())}


def test_gallery_attach_raises_each_flag_and_lists_it_per_photo(session, qtbot, tmp_path):
    ws = session.ws
    case = ws.conn.execute("SELECT id, uuid, case_no, lon, lat, discovered_on FROM cases "
                           "WHERE geometry_geojson IS NULL AND discovered_on < date('now', '-10 days') "
                           "ORDER BY id LIMIT 1").fetchone()
    discovered = dt.datetime.fromisoformat(case["discovered_on"]).replace(tzinfo=dt.timezone.utc)
    now = dt.datetime.now(dt.timezone.utc)
    here = (case["lon"], case["lat"])
    gallery = _gallery(session, qtbot, case)
    files = {
        "before_discovery": photo_taken(tmp_path / "old.jpg", *here, discovered - dt.timedelta(days=30)),
        "far_from_case": make_recent_photo(tmp_path / "far.jpg", *offset_lonlat(*here, 8000.0, 0.0)),
        "future_time": photo_taken(tmp_path / "future.jpg", *here, now + dt.timedelta(days=2)),
        "gps_missing": make_geotagged_photo(tmp_path / "nogps.jpg", *here, gps={}),
    }
    results = _attach(gallery, qtbot, files.values())
    for (code, _path), result in zip(files.items(), results):
        assert code in result["flags"], (code, result["flags"])
    add_rectification(ws, case["case_no"], measure_type="整治", measures="拆除")
    files["after_before_rectification"] = photo_taken(tmp_path / "early.jpg", *here, now - dt.timedelta(days=3))
    [early] = _attach(gallery, qtbot, [files["after_before_rectification"]], phase="after")
    assert "after_before_rectification" in early["flags"]
    other = ws.conn.execute("SELECT id, uuid FROM cases WHERE id != ? ORDER BY id LIMIT 1", (case["id"],)).fetchone()
    [duplicate] = _attach(_gallery(session, qtbot, other), qtbot, [files["far_from_case"]])
    assert "duplicate_of_other_case" in duplicate["flags"]

    tips = _tooltips(gallery)
    expected = {"old.jpg": "拍摄日期早于问题发现日期", "far.jpg": "拍摄位置离问题点位过远",
                "future.jpg": "拍摄时间晚于当前时间", "nogps.jpg": "照片没有 GPS 位置",
                "early.jpg": "整改后照片的拍摄日期早于整改开始"}
    for name, text in expected.items():
        assert f"⚠ {text}" in tips[name], (name, tips[name])  # which photo, which problem
        assert f"{name}：{text}" in gallery.flags_label.text()
    badges = [gallery.list.item(i).text() for i in range(gallery.list.count())]
    assert all(b.startswith("⚠") for b in badges)


def test_gallery_flags_a_photo_outside_a_patch(session, qtbot, tmp_path):
    case = session.ws.conn.execute("SELECT id, uuid, lon, lat FROM cases ORDER BY id LIMIT 1").fetchone()
    lon, lat = case["lon"], case["lat"]
    patch = {"type": "Polygon", "coordinates": [[[lon - 0.002, lat - 0.002], [lon + 0.002, lat - 0.002],
                                                  [lon + 0.002, lat + 0.002], [lon - 0.002, lat + 0.002],
                                                  [lon - 0.002, lat - 0.002]]]}
    session.ws.conn.execute("UPDATE cases SET geometry_geojson = ? WHERE id = ?", (json.dumps(patch), case["id"]))
    minx, miny, maxx, maxy = shape(patch).bounds
    away = offset_lonlat(maxx, (miny + maxy) / 2, 500.0, 0.0)
    [result] = _attach(_gallery(session, qtbot, case), qtbot, [make_recent_photo(tmp_path / "away.jpg", *away)])
    assert "outside_patch" in result["flags"]


def test_viewer_lists_flags_shows_beijing_time_and_the_position(session, qtbot, tmp_path):
    case = session.ws.conn.execute("SELECT id, uuid, lon, lat FROM cases WHERE geometry_geojson IS NULL "
                                   "ORDER BY id LIMIT 1").fetchone()
    moment = dt.datetime(2026, 11, 1, 23, 30, 5, tzinfo=dt.timezone.utc)  # 2 Nov 07:30:05 in Beijing
    far = offset_lonlat(case["lon"], case["lat"], 0.0, 1000.0)
    [result] = _attach(_gallery(session, qtbot, case), qtbot,
                       [photo_taken(tmp_path / "night.jpg", *far, moment, bearing=45.0)])
    viewer = EvidenceViewer(session, result["evidence_uuid"])
    qtbot.addWidget(viewer)
    assert viewer.fields["拍摄时间（北京时间）"].text() == "2026-11-02 07:30:05"
    assert any("拍摄位置离问题点位过远" in w.text() for w in viewer.warnings)
    assert viewer.position_map.distance_m is not None and 990 < viewer.position_map.distance_m < 1010
    viewer.show()
    qtbot.waitExposed(viewer)
    image = viewer.position_map.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    assert "#c62828" in colours and "#1565c0" in colours  # the case marker and the photo marker are drawn
