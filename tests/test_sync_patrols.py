"""Patrols sync as records scoped by their own track: the county's office gets them, no one else does.

An inspector of 射阳 county (320924) imports an NMEA walk written by the tests; the server places the patrol by
the county its track starts in (never by the device's claim), the 射阳 office pulls it and exports the same GPX,
the 大丰 office and 南京 receive neither the record nor its track, a track in another county is refused with the
reason, and a track that is not what the record says (tampered) is refused too.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sync_fixtures import PASSWORD, USERS, api, client_workspace, db_url, server, sync  # noqa: F401
from tests.case_fixtures import cli_json
from tests.gnss_fixtures import walk_sentences

START = dt.datetime(2024, 5, 6, 1, 30, tzinfo=dt.timezone.utc)
SHEYANG = (120.3, 33.75)  # inside 射阳县 (320924)
DAFENG = (120.5, 33.5)  # LD-001's place, 大丰区 (320904)
COUNTY_OFFICE = "reviewer_sy"  # a 射阳 county reviewer, added by the tests


def walk_log(path: Path, origin: tuple[float, float], count: int = 120) -> Path:
    """An NMEA log of a walk east from ``origin``, about 11 m a step, one fix a second."""
    points = [(origin[0] + index * 0.00012, origin[1] + index * 0.00002) for index in range(count)]
    path.write_text("\n".join(walk_sentences(points, START)) + "\n", encoding="ascii")
    return path


def import_patrol(root: Path, log: Path, user: str = "county_c") -> str:
    from inspector.casework.authority import SERVER, Actor
    from inspector.patrols.track_import import import_track
    from inspector.store.workspace import Workspace

    role, jurisdiction = USERS[user]
    account = Actor(user=user, name=user, roles=(role,), jurisdiction=jurisdiction, source=SERVER)
    with Workspace.open(root) as ws:
        return str(import_track(ws, log, purpose="河口湿地巡查", actor=account)["uuid"])


def add_county_office(running) -> None:
    from sync.server.auth import add_user

    add_user(running.storage, COUNTY_OFFICE, "reviewer", "320924", PASSWORD)


def patrol_row(root: Path, uuid: str):
    from inspector.store.workspace import Workspace

    with Workspace.open(root) as ws:
        return ws.conn.execute("SELECT dirty, base_revision, track_sha256 FROM patrols WHERE uuid = ?",
                               (uuid,)).fetchone()


def refusal(root: Path, uuid: str) -> str:
    from inspector.store.workspace import Workspace

    with Workspace.open(root) as ws:
        found = ws.conn.execute("SELECT reason FROM sync_conflicts WHERE record_uuid = ?", (uuid,)).fetchone()
    return found[0] if found else ""


def server_patrols(running) -> list:
    import sqlalchemy as sa

    from sync.server.storage import records

    with running.storage.engine.connect() as conn:
        return conn.execute(sa.select(records.c.uuid, records.c.county_adcode, records.c.blob_sha256)
                            .where(records.c.kind == "patrols")).fetchall()


def test_a_patrol_reaches_its_county_office_with_its_track_and_no_other_jurisdiction(server, tmp_path):
    from sync.errors import RequestRefused

    add_county_office(server)
    inspector = client_workspace(tmp_path / "c", server.url, "county_c")
    uuid = import_patrol(inspector, walk_log(tmp_path / "walk.nmea", SHEYANG))
    report = sync(inspector)
    assert report.verified, report.verify_detail
    row = patrol_row(inspector, uuid)
    assert (row["dirty"], row["base_revision"]) == (0, 1), refusal(inspector, uuid)
    assert [(r.uuid, r.county_adcode, r.blob_sha256) for r in server_patrols(server)] == [
        (uuid, "320924", row["track_sha256"])]  # placed by the server, from the track

    office = client_workspace(tmp_path / "office", server.url, COUNTY_OFFICE)
    report = sync(office)
    assert report.verified, report.verify_detail
    listed = cli_json("--workspace", str(office), "patrol", "list")
    assert [(p["uuid"], p["point_count"], p["purpose"]) for p in listed] == [(uuid, 120, "河口湿地巡查")]
    mine, theirs = tmp_path / "mine.gpx", tmp_path / "theirs.gpx"
    cli_json("--workspace", str(inspector), "patrol", "export", uuid, "-o", str(mine))
    cli_json("--workspace", str(office), "patrol", "export", uuid, "-o", str(theirs))
    assert theirs.read_bytes() == mine.read_bytes()

    for outsider in ("reviewer_k", "reviewer_nj"):  # 大丰's county office, 南京's city office
        other = client_workspace(tmp_path / outsider, server.url, outsider)
        sync(other)
        assert cli_json("--workspace", str(other), "patrol", "list") == []
        client = api(server.url, outsider)
        try:
            with pytest.raises(RequestRefused):
                client.download_blob(row["track_sha256"], tmp_path / outsider / "dl")
        finally:
            client.close()


def test_a_patrol_whose_track_lies_in_another_county_is_refused_with_the_reason(server, tmp_path):
    inspector = client_workspace(tmp_path / "c", server.url, "county_c")
    uuid = import_patrol(inspector, walk_log(tmp_path / "walk.nmea", DAFENG))
    sync(inspector)
    assert patrol_row(inspector, uuid)["dirty"] == 1
    reason = refusal(inspector, uuid)
    assert "outside your jurisdiction (320924)" in reason and "320904" in reason, reason
    assert server_patrols(server) == []


def test_a_track_that_is_not_what_the_record_says_is_refused(server, tmp_path):
    from inspector.store.workspace import Workspace

    inspector = client_workspace(tmp_path / "c", server.url, "county_c")
    uuid = import_patrol(inspector, walk_log(tmp_path / "walk.nmea", SHEYANG))
    with Workspace.open(inspector) as ws:  # a device that claims a longer patrol than its track
        ws.conn.execute("UPDATE patrols SET distance_m = distance_m * 2 WHERE uuid = ?", (uuid,))
    sync(inspector)
    assert "does not match the patrol" in refusal(inspector, uuid)
    assert server_patrols(server) == []


def test_a_tampered_track_file_never_reaches_the_server(server, tmp_path):
    from inspector.store.media_store import blob_path
    from inspector.store.workspace import Workspace
    from sync.errors import SyncError

    inspector = client_workspace(tmp_path / "c", server.url, "county_c")
    uuid = import_patrol(inspector, walk_log(tmp_path / "walk.nmea", SHEYANG))
    with Workspace.open(inspector) as ws:
        path = blob_path(ws.media_dir, patrol_row(inspector, uuid)["track_sha256"])
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))  # the bytes no longer hash to the name the record gives
    with pytest.raises(SyncError):
        sync(inspector)
    assert patrol_row(inspector, uuid)["dirty"] == 1
    assert server_patrols(server) == []


def test_the_patrol_schema_is_strict():
    from sync.protocol import validate_content

    good = {"purpose": "巡查", "team_members": "[\"张三\"]", "status": "ended", "started_at": "2024-05-06T01:30:00Z",
            "ended_at": "2024-05-06T01:40:00.000Z", "distance_m": 1200.5, "duration_s": 600.0, "point_count": 60,
            "track_sha256": "a" * 64, "source": "import", "recorded_by": "county_c",
            "created_at": "2024-05-06T01:40:00Z", "updated_at": "2024-05-06T01:40:00Z"}
    assert validate_content("patrols", good, False) is None
    for change, why in [({"status": "lost"}, "status"), ({"purpose": ""}, "purpose"),
                        ({"purpose": "x" * 501}, "purpose"), ({"distance_m": -1.0}, "distance_m"),
                        ({"distance_m": float("nan")}, "distance_m"), ({"duration_s": 1e9}, "duration_s"),
                        ({"point_count": 2_000_001}, "point_count"), ({"track_sha256": "A" * 64}, "track_sha256"),
                        ({"started_at": "2024-05-06 01:30"}, "started_at"), ({"recorded_by": ""}, "recorded_by"),
                        ({"team_members": json_list(51)}, "team_members"), ({"jurisdiction": "32"}, "jurisdiction"),
                        ({"ended_at": "2024-05-06T01:00:00Z"}, "ended_at is before started_at"),
                        ({"ended_at": None}, "ended_at exactly when"), ({"track_sha256": None}, "names a track"),
                        ({"extra": 1}, "extra"), ({"point_count": "60"}, "point_count")]:
        problem = validate_content("patrols", {**good, **change}, False)
        assert problem is not None and why in problem.en, (change, problem)


def json_list(count: int) -> str:
    import json

    return json.dumps([f"队员{i}" for i in range(count)], ensure_ascii=False)
