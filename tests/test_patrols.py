"""Patrols (issue 16, item 4), the core: migration v13, the track logger's filters and durable commits,
start / pause / resume / end as audited steps, geodesic distance against PROJ, the track blob, and findings
and field cases linked to the patrol in progress."""
from __future__ import annotations

import datetime as dt
import warnings

import pytest

from inspector.accounts.sign_in import acting_actor
from inspector.casework.field_cases import create_field_case
from inspector.casework.findings import add_finding
from inspector.errors import BadInput
from inspector.geo.gnss import GnssFix, NmeaReader
from inspector.patrols.patrols import (
    end_patrol,
    linked_patrol_uuid,
    parse_utc,
    patrol_points,
    pause_patrol,
    resolve_patrol,
    resume_patrol,
    start_patrol,
    take_up_patrol,
    utc_text,
)
from inspector.patrols.track_blob import decode_track, encode_track
from inspector.patrols.track_geometry import step_lengths_m, track_distance_m
from inspector.patrols.track_logger import MIN_SPACING_M, TrackLogger
from inspector.store import audit
from inspector.store.db import atomic, connect
from inspector.store.media_store import blob_path
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace
from tests.gnss_fixtures import walk_sentences

START = dt.datetime(2024, 5, 6, 1, 30, tzinfo=dt.timezone.utc)


def walk_points(count: int, step_deg: float = 0.0001, origin: tuple[float, float] = CENTRE) -> list[tuple[float,
                                                                                                        float]]:
    """A walk north-east then east from ``origin``: about 11 m a step at 33.5° N."""
    lon, lat = origin
    points = []
    for index in range(count):
        if index < count // 2:
            points.append((lon + index * step_deg * 0.7, lat + index * step_deg * 0.7))
        else:
            half = count // 2
            points.append((lon + half * step_deg * 0.7 + (index - half) * step_deg,
                           lat + half * step_deg * 0.7))
    return points


def fixes_of(points, **kwargs) -> list[GnssFix]:
    return list(NmeaReader().read(walk_sentences(points, START, **kwargs)))


@pytest.fixture
def case_ws(tmp_path):
    ws = build_case_workspace(tmp_path)
    yield ws
    ws.close()


def test_geodesic_distance_matches_proj_within_half_a_percent():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Debian's pyproj warns that it has no proj.db: Geod needs none
        from pyproj import Geod
    from inspector.geo.geodesy import A, F

    points = walk_points(400, step_deg=0.0003)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    reference = Geod(a=A, f=F).line_length(lons, lats)  # Karney's geodesic on CGCS2000
    ours = track_distance_m([(lons, lats)])
    assert abs(ours - reference) / reference < 0.005
    assert abs(ours - reference) / reference < 1e-5  # in fact far closer
    # a long step (10 km) too
    far = step_lengths_m([119.0, 119.08], [32.0, 32.05])[0]
    assert abs(far - Geod(a=A, f=F).line_length([119.0, 119.08], [32.0, 32.05])) < 0.1


def test_the_logger_filters_by_accuracy_and_spacing_and_commits_each_point(case_ws):
    actor = acting_actor(case_ws)
    patrol = start_patrol(case_ws, purpose="日常巡查", team_members=["张三", "李四"], area="射阳河口", actor=actor)
    logger = TrackLogger(case_ws.conn, patrol["uuid"])
    watcher = connect(case_ws.db_path, readonly=True)  # another process's view of the file
    good = fixes_of(walk_points(6))
    poor = fixes_of(walk_points(3, origin=(CENTRE[0] + 0.01, CENTRE[1])), hdop=9.0)  # 45 m: too poor
    still = [GnssFix(good[-1].lon + 0.00001, good[-1].lat, START + dt.timedelta(seconds=99), "gps", 9, 0.9, 4.5)]
    kept = []
    for fix in good + poor + still:
        point = logger.offer(fix)
        if point is not None:
            kept.append(point)
            # committed before offer returned: another connection sees it at once
            seen = watcher.execute("SELECT count(*) FROM patrol_points").fetchone()[0]
            assert seen == len(kept)
    assert len(kept) == 6 and logger.refused == 3 and logger.skipped == 1
    assert [p.seq for p in kept] == [1, 2, 3, 4, 5, 6] and {p.segment for p in kept} == {1}
    stored = patrol_points(case_ws.conn, resolve_patrol(case_ws.conn, patrol["uuid"])["id"])
    assert stored[0]["fix_type"] == "gps" and stored[0]["satellites"] == 9 and stored[0]["hdop"] == 0.9
    assert stored[0]["time_utc"] == "2024-05-06T01:30:00.000Z"
    assert all(b > MIN_SPACING_M for b in step_lengths_m([p["lon"] for p in stored], [p["lat"] for p in stored]))
    watcher.close()


def test_start_pause_resume_end_are_audited_and_pauses_start_segments(case_ws):
    actor = acting_actor(case_ws)
    patrol = start_patrol(case_ws, purpose="日常巡查", team_members=["张三"], actor=actor)
    with pytest.raises(BadInput):
        start_patrol(case_ws, purpose="第二次", actor=actor)  # one in progress at a time
    first = walk_points(10)
    logger = TrackLogger(case_ws.conn, patrol["uuid"])
    for fix in fixes_of(first):
        logger.offer(fix)
    paused = pause_patrol(case_ws, patrol["uuid"], actor=actor)
    assert paused["status"] == "paused" and paused["point_count"] == 10 and paused["active_since"] is None
    assert logger.offer(fixes_of([(CENTRE[0] + 0.01, CENTRE[1])])[0]) is None  # paused: nothing logged
    resume_patrol(case_ws, patrol["uuid"], actor=actor)
    second = walk_points(5, origin=(CENTRE[0] + 0.01, CENTRE[1] + 0.01))
    resumed_logger = TrackLogger(case_ws.conn, patrol["uuid"])
    for fix in fixes_of(second):
        resumed_logger.offer(fix)
    ended = end_patrol(case_ws, patrol["uuid"], actor=actor)
    with pytest.raises(BadInput):
        end_patrol(case_ws, patrol["uuid"], actor=actor)
    expected = track_distance_m([([p[0] for p in first], [p[1] for p in first]),
                                 ([p[0] for p in second], [p[1] for p in second])])
    assert ended["status"] == "ended" and ended["point_count"] == 15 and ended["ended_at"]
    assert ended["distance_m"] == pytest.approx(expected, abs=0.05)  # the gap between segments is not walked
    assert 0 <= ended["duration_s"] < 60
    points = patrol_points(case_ws.conn, resolve_patrol(case_ws.conn, patrol["uuid"])["id"])
    assert [p["segment"] for p in points] == [1] * 10 + [2] * 5
    # the track blob holds exactly the stored points and is in the audit entry of the end
    blob = blob_path(case_ws.media_dir, ended["track_sha256"]).read_bytes()
    assert decode_track(blob) == points
    actions = [row[0] for row in case_ws.conn.execute(
        "SELECT action FROM audit_log WHERE record_uuid = ? ORDER BY seq", (patrol["uuid"],))]
    assert actions == ["patrol.start", "patrol.pause", "patrol.resume", "patrol.end"]
    assert audit.verify(case_ws)["ok"]


def test_a_patrol_taken_up_after_the_app_was_killed_does_not_count_the_time_it_was_down(case_ws):
    actor = acting_actor(case_ws)
    patrol = start_patrol(case_ws, purpose="日常巡查", actor=actor)
    began = parse_utc(patrol["active_since"]) - dt.timedelta(hours=1)  # the app logged an hour ago ...
    logger = TrackLogger(case_ws.conn, patrol["uuid"])
    for fix in NmeaReader().read(walk_sentences(walk_points(10), began, step_s=2.0)):
        logger.offer(fix)
    with atomic(case_ws.conn):  # ... for 18 s, then it was killed
        case_ws.conn.execute("UPDATE patrols SET active_since = ? WHERE uuid = ?", (utc_text(began), patrol["uuid"]))
    taken = take_up_patrol(case_ws, patrol["uuid"], actor=actor)
    assert taken["status"] == "running" and taken["duration_s"] == pytest.approx(18, abs=0.01)
    assert parse_utc(taken["active_since"]) > began + dt.timedelta(minutes=59)  # the new stretch starts now
    with pytest.raises(BadInput):  # only a running patrol is taken up
        pause_patrol(case_ws, patrol["uuid"], actor=actor)
        take_up_patrol(case_ws, patrol["uuid"], actor=actor)


def test_records_made_during_a_patrol_link_to_it(case_ws):
    actor = acting_actor(case_ws)
    before = add_finding(case_ws, CORE_CASE, assessment="待定", activity_type="其他", description="a",
                         actor=actor.user)
    patrol = start_patrol(case_ws, purpose="日常巡查", actor=actor)
    during = add_finding(case_ws, CORE_CASE, assessment="待定", activity_type="其他", description="b",
                         actor=actor.user)
    case = create_field_case(case_ws, lon=CENTRE[0], lat=CENTRE[1], problem_type="养殖", description="c",
                             actor=actor.user)
    end_patrol(case_ws, patrol["uuid"], actor=actor)
    after = add_finding(case_ws, CORE_CASE, assessment="待定", activity_type="其他", description="d",
                        actor=actor.user)
    assert (before["patrol_uuid"], during["patrol_uuid"], after["patrol_uuid"]) == (None, patrol["uuid"], None)
    row = case_ws.conn.execute("SELECT patrol_uuid FROM cases WHERE uuid = ?", (case["uuid"],)).fetchone()
    assert row[0] == patrol["uuid"]
    assert linked_patrol_uuid(case_ws.conn, actor.user) is None
    assert audit.verify(case_ws)["ok"]


def test_a_hostile_track_blob_is_refused_before_allocating():
    points = [{"seq": 1, "segment": 1, "lon": 120.5, "lat": 33.5, "time_utc": "2024-05-06T01:30:00.000Z",
               "fix_type": "rtk_fixed", "satellites": 20, "hdop": 0.6, "accuracy_m": 0.02, "altitude_m": 3.25}]
    blob = encode_track(points)
    assert decode_track(blob) == points
    import struct
    import zlib

    huge = b"LVDTRK1\n" + struct.pack("<I", 4_000_000_000) + zlib.compress(b"\0" * 64)
    bomb = b"LVDTRK1\n" + struct.pack("<I", 10) + zlib.compress(b"\0" * 50_000_000)
    for bad in (b"", b"junk", huge, bomb, blob[:-3], blob + b"x"):
        with pytest.raises(BadInput):
            decode_track(bad)


# -- the command line: import, list, export ---------------------------------------------------------------------

def test_an_nmea_walk_imports_with_a_geodesic_distance_and_exports_as_gpx_and_gpkg(tmp_path):
    import json

    import gpxpy

    from inspector.geo.geodesy import A, F
    from tests.case_fixtures import cli_json

    build_case_workspace(tmp_path).close()
    root = str(tmp_path / "ws")
    points = walk_points(300, step_deg=0.0002)
    log = tmp_path / "walk.nmea"
    log.write_text("\n".join(walk_sentences(points, START, step_s=2.0)) + "\n$GPGGA,bad*00\n", encoding="ascii")
    result = cli_json("--workspace", root, "patrol", "import", str(log), "--purpose", "<b>巡查</b> ${x}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyproj import Geod
    reference = Geod(a=A, f=F).line_length([p[0] for p in points], [p[1] for p in points])
    assert result["points"] == 300
    assert abs(result["distance_m"] - reference) / reference < 0.005
    assert result["duration_s"] == 598.0
    assert (result["started_at"], result["ended_at"]) == ("2024-05-06T01:30:00.000Z", "2024-05-06T01:39:58.000Z")
    listed = cli_json("--workspace", root, "patrol", "list")
    assert [p["uuid"] for p in listed] == [result["uuid"]] and listed[0]["purpose"] == "<b>巡查</b> ${x}"

    gpx_path = tmp_path / "track.gpx"
    cli_json("--workspace", root, "patrol", "export", result["uuid"], "-o", str(gpx_path))
    text = gpx_path.read_text(encoding="utf-8")
    assert 'xmlns="http://www.topografix.com/GPX/1/1"' in text and "&lt;b&gt;" in text
    gpx = gpxpy.parse(text)
    assert gpx.version == "1.1"
    parsed = [pt for track in gpx.tracks for seg in track.segments for pt in seg.points]
    assert len(parsed) == 300
    assert (parsed[0].longitude, parsed[0].latitude) == pytest.approx(points[0], abs=1e-7)
    assert parsed[0].satellites == 9 and parsed[0].horizontal_dilution == 0.9 and parsed[0].type_of_gpx_fix == "3d"
    assert parsed[0].time == START and parsed[0].elevation == 3.0
    assert gpx.length_2d() == pytest.approx(reference, rel=0.005)
    # the exported GPX imports back to the same track
    again = cli_json("--workspace", root, "patrol", "import", str(gpx_path))
    assert again["points"] == 300 and again["distance_m"] == pytest.approx(result["distance_m"], abs=0.01)

    gpkg_path = tmp_path / "track.gpkg"
    cli_json("--workspace", root, "patrol", "export", result["uuid"], "-o", str(gpkg_path))
    from osgeo import ogr

    source = ogr.Open(str(gpkg_path))
    lines, dots = source.GetLayerByName("巡查轨迹"), source.GetLayerByName("轨迹点")
    assert lines.GetFeatureCount() == 1 and dots.GetFeatureCount() == 300
    feature = lines.GetNextFeature()  # kept: its geometry belongs to it
    line = feature.GetGeometryRef()
    assert line.GetPointCount() == 300 and line.GetX(0) == pytest.approx(points[0][0])  # longitude first
    assert lines.GetSpatialRef().GetAuthorityCode(None) == "4490"
    assert json.loads(json.dumps(listed))  # plain JSON


@pytest.mark.parametrize("content, why", [
    ('<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
     '<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1"><trk><name>&b;</name></trk></gpx>', "DTD"),
    ('<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "file:///etc/passwd"><gpx/>', "DTD"),
    ("<gpx xmlns='http://www.topografix.com/GPX/1/1'><trk><trkseg><trkpt lat='nan' lon='1e999'>"
     "<time>2024-05-06T01:30:00Z</time></trkpt></trkseg></trk></gpx>", "no usable"),
    ("<kml/>", "not a GPX"),
    ("<gpx", "readable"),
])
def test_a_hostile_gpx_exits_2_with_a_reason(tmp_path, content, why):
    from tests.case_fixtures import run_cli

    root = tmp_path / "ws"
    from inspector.store.workspace import Workspace

    Workspace.create(root).close()
    path = tmp_path / "bad.gpx"
    path.write_text(content, encoding="utf-8")
    result = run_cli("--workspace", str(root), "patrol", "import", str(path), "--json",
                     env={"INSPECTOR_LANG": "en"})
    assert result.returncode == 2, result.stderr
    assert why.lower() in result.stderr.lower() or "invalid track file" in result.stderr


def test_the_patrol_form_has_the_route_the_facts_and_embedded_fonts(tmp_path):
    import pypdf

    from tests.case_fixtures import cli_json

    build_case_workspace(tmp_path).close()
    root = str(tmp_path / "ws")
    log = tmp_path / "walk.nmea"
    log.write_text("\n".join(walk_sentences(walk_points(120), START)) + "\n", encoding="ascii")
    patrol = cli_json("--workspace", root, "patrol", "import", str(log), "--purpose", "<img src=x onerror=1>")
    result = cli_json("--workspace", root, "patrol", "form", patrol["uuid"], "-o", str(tmp_path / "patrol.pdf"))
    reader = pypdf.PdfReader(result["file"])
    text = "".join(page.extract_text() for page in reader.pages)
    assert "巡查记录表" in text and "<img src=x onerror=1>" in text and "巡查路线" in text and "负责人" in text
    assert "巡查编号" in text and "问题编号：" not in text  # the header numbers the patrol, not a case
    fonts = [font.get_object() for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()]
    assert fonts and all("/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                         if "/DescendantFonts" in font else "/FontDescriptor" not in font or
                         "/FontFile2" in font["/FontDescriptor"] for font in fonts)
    content = reader.pages[0].get_contents().get_data()
    assert content.count(b" l\n") + content.count(b" l ") >= 100  # the route: a line to each of its points
