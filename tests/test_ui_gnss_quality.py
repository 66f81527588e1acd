"""GNSS quality in the GUI (issue 16 item 3): the status bar shows fix type, satellites, HDOP and accuracy;
the finding form's 使用当前位置 and 新建问题's GPS position refuse a fix worse than the workspace's threshold
with the capture rule's reason and record a good fix's quality; a photo attached while a receiver is connected
records the receiver's fix quality (its own EXIF position stays the evidence position)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from inspector.geo.gnss import GnssFix
from tests.gnss_fixtures import walk_sentences
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import make_geotagged_photo, wait_job


def _first_case(window, qtbot) -> dict:
    window.case_list.table.selectRow(0)
    record = window.case_list.model.record_at(0)
    qtbot.waitUntil(lambda: window.detail.case_uuid == record["uuid"])
    return dict(window.session.ws.conn.execute("SELECT uuid, lon, lat FROM cases WHERE uuid = ?",
                                               (record["uuid"],)).fetchone())


def test_status_bar_and_capture_threshold_and_recorded_quality(window, qtbot):
    case = _first_case(window, qtbot)
    poor = GnssFix(case["lon"], case["lat"], fix_type="gps", satellites=5, hdop=4.0, accuracy_m=25.0)
    window.gps.report(poor)
    text = window.summary.gps.text()
    assert "单点定位" in text and "卫星 5 颗" in text and "HDOP 4" in text and "±25.0 米" in text
    window.open_finding_form(case["uuid"])
    form = window.finding_form
    form.gps_button.click()
    assert "定位精度 25.0 米" in form.errors.text() and "20" in form.errors.text()
    assert form.values().get("position_source") is None  # nothing captured
    good = GnssFix(case["lon"] + 1e-5, case["lat"], fix_type="rtk_fixed", satellites=16, hdop=0.6, accuracy_m=0.02)
    window.gps.report(good)
    form.gps_button.click()
    values = form.values()
    assert (values["position_source"], values["fix_type"], values["satellites"], values["hdop"],
            values["accuracy_m"]) == ("device_gps", "rtk_fixed", 16, 0.6, 0.02)
    form.assessment.setCurrentIndex(form.assessment.findData("确认问题"))
    form.activity.setCurrentIndex(1)
    form.description.setPlainText("养殖塘")
    result, error = wait_job(qtbot, form.save())
    assert error is None and (result["fix_type"], result["satellites"], result["hdop"]) == ("rtk_fixed", 16, 0.6)
    window.session.ws.set_meta("gnss_max_accuracy_m", "0.01")  # stricter than the RTK fix
    window.actions_by_name["new_case"].trigger()
    dialog = window.new_case_dialog
    dialog.gps_button.click()
    assert dialog.position is None and "0.01" in dialog.errors.text()
    dialog.reject()


def test_photo_attached_while_a_receiver_is_connected_records_its_fix(window, qtbot, tmp_path):
    case = _first_case(window, qtbot)
    log = tmp_path / "still.nmea"
    log.write_text("\n".join(walk_sentences([(case["lon"] + 1e-4, case["lat"])], datetime(2026, 5, 1, 2, 30,
                                            tzinfo=timezone.utc), quality=5, satellites=12, hdop=0.8))
                   + "\n")
    assert window.replay_nmea(str(log))
    qtbot.waitUntil(lambda: window.gps.receiver_fix() is not None, timeout=10_000)
    photo = make_geotagged_photo(tmp_path / "site.jpg", case["lon"], case["lat"])
    result, error = wait_job(qtbot, window.detail.gallery.attach_files([str(photo)]))
    assert error is None
    row = window.session.ws.conn.execute("SELECT lon, lat, fix_type, satellites, hdop, accuracy_m, metadata "
                                         "FROM evidence WHERE uuid = ?", (result[0]["evidence_uuid"],)).fetchone()
    assert (row["fix_type"], row["satellites"], row["hdop"]) == ("rtk_float", 12, 0.8)
    assert row["accuracy_m"] == pytest.approx(4.0)  # HDOP × 5 m: no GST
    assert row["lon"] == pytest.approx(case["lon"], abs=1e-6)  # the photo's own position
    assert json.loads(row["metadata"])["receiver_fix"]["lon"] == pytest.approx(case["lon"] + 1e-4, abs=1e-7)
    window.gps.stop()
    assert window.gps.receiver_fix() is None
