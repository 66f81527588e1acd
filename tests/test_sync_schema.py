"""The record schema: what real workspaces send fits it; malformed records are refused per record with the
field and why, and nothing invalid is stored; a bad record an older server stored is listed by
``check-records`` and cleared by ``purge-record`` (archived verbatim, a bare valid tombstone pulled after).
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid as uuid_lib

import sqlalchemy as sa

from evidence_fixtures import attach_closure_photos, make_dji_still, make_geotagged_photo
from inspector.casework.authority import SERVER, Actor
from inspector.casework.countersigns import add_countersign
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import add_finding
from inspector.casework.form_evidence import choose_form_evidence, form_evidence
from inspector.casework.publicity import add_publicity
from inspector.casework.rectification import add_progress_note, add_rectification, set_checklist
from inspector.casework.signatures import Signature
from inspector.casework.workflow import transition
from inspector.patrols.patrols import start_patrol
from inspector.patrols.track_import import import_track
from inspector.store.workspace import Workspace
from sync.protocol import RECORD_KINDS, RECORD_MODELS, PushBatch, RecordChange, validate_content
from sync.record_codec import to_wire
from sync.server.storage import next_seq, purged_records, records, server_now
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace
from tests.gnss_fixtures import walk_sentences
from tests.signature_fixtures import signature_png, write_scanned_pdf
from tests.sync_fixtures import REPO, api, client_workspace, db_url, server, sync  # noqa: F401 - fixtures
from tests.test_evidence_orthophoto import write_geotiff

STAMP = "2026-01-01T00:00:00Z"


def test_every_kind_from_a_real_workspace_fits_the_schema(tmp_path):
    ws = build_case_workspace(tmp_path)
    try:
        transition(ws, CORE_CASE, "现场核查", role="inspector", actor="张三")
        finding = add_finding(ws, CORE_CASE, assessment="确认问题", activity_type="养殖", description="养殖塘",
                              lon=CENTRE[0] + 1e-4, lat=CENTRE[1], accuracy_m=4.5, area_m2=1200.0, basis="现场")
        files = [make_geotagged_photo(tmp_path / "p.jpg", *CENTRE, bearing=45.0),
                 make_dji_still(tmp_path / "d.jpg", *CENTRE, 80.0, -90.0, 10.0),
                 write_geotiff(tmp_path / "o.tif", 4490, (CENTRE[0] - 0.01, CENTRE[1] + 0.01), 0.0001)]
        assert all("error" not in r for r in attach(ws, CORE_CASE, files, finding=finding["uuid"], actor="张三"))
        transition(ws, CORE_CASE, "确认问题", role="inspector", actor="张三")
        measure = add_rectification(ws, CORE_CASE, measure_type="退出", measures="退养还湿", deadline="2026-06-30",
                                    responsible_unit="镇政府", responsible_person="李四")
        add_progress_note(ws, measure["uuid"], "围网已拆一半")
        set_checklist(ws, CORE_CASE, items={"water_cut": True, "power_cut": True}, note="待清设备")
        transition(ws, CORE_CASE, "整改中", role="inspector", actor="张三")
        attach_closure_photos(ws, CORE_CASE, tmp_path / "closure", *CENTRE, actor="张三")
        set_checklist(ws, CORE_CASE, items={k: True for k in ("materials_cleared", "products_cleared",
                                                               "equipment_cleared")})
        transition(ws, CORE_CASE, "申请销号", role="inspector", actor="张三")
        transition(ws, CORE_CASE, "县级验收", role="reviewer", actor="县局", jurisdiction="320904",
                   signatures=[Signature(signature_png(), "county", "县局审核员")])
        add_countersign(ws, CORE_CASE, department="林业", signer="林业站", opinion="同意",
                        document=write_scanned_pdf(tmp_path / "scan.pdf"), signature=signature_png(), actor="县局")
        add_publicity(ws, CORE_CASE, starts_on="2026-01-01", ends_on="2026-01-07", where="镇政府公告栏", actor="县局")
        transition(ws, CORE_CASE, "退回", role="reviewer", actor="市局", jurisdiction="320900", reason="围网未拆净")
        shown = form_evidence(ws, CORE_CASE, "closure")
        choose_form_evidence(ws, CORE_CASE, "closure", pairs=[(p["before"], p["after"]) for p in shown["pairs"]],
                             photos=shown["photos"], actor="张三")
        inspector = Actor(user="张三", name="张三", roles=("inspector",), jurisdiction="320904", source=SERVER)
        log = tmp_path / "walk.nmea"  # an ended patrol with its track, and one just started (no track yet)
        log.write_text("\n".join(walk_sentences([(CENTRE[0] + i * 1e-4, CENTRE[1]) for i in range(30)],
                                                dt.datetime(2024, 5, 6, 1, 30, tzinfo=dt.timezone.utc))),
                       encoding="ascii")
        import_track(ws, log, purpose="巡查", actor=inspector)
        start_patrol(ws, purpose="日常巡查", team_members=["张三", "李四"], area="鱼塘片区", actor=inspector)
        for kind in RECORD_KINDS:
            rows = ws.conn.execute(f"SELECT * FROM {kind}").fetchall()
            assert rows, kind
            # the model names exactly the columns a workspace sends: a column a migration adds fails here
            assert set(RECORD_MODELS[kind].model_fields) == set(to_wire(ws.conn, kind, rows[0])), kind
            for row in rows:
                content = to_wire(ws.conn, kind, row)
                assert validate_content(kind, content, False) is None, (kind, validate_content(kind, content, False))
                assert validate_content(kind, content, True) is None, kind  # a device's tombstone: whole content
                assert validate_content(kind, json.loads(json.dumps(content)), False) is None  # as it travels
    finally:
        ws.close()
    assert validate_content("findings", {"case_uuid": str(uuid_lib.uuid4())}, True) is None  # a bare tombstone
    assert "observed_at_utc: required field missing" in validate_content(
        "findings", {"case_uuid": str(uuid_lib.uuid4())}, False).en
    assert "case_uuid: required field missing" in validate_content("findings", {}, True).en
    assert "case_uuid：缺少必填字段" in validate_content("findings", {}, True).zh
    assert "unknown record kind" in validate_content("photos", {}, False).en


def _finding(case_uuid: str, **changes) -> dict:
    """A finding's whole content, as a device sends it (every column; the optional ones at their defaults)."""
    defaults = {name: info.default for name, info in RECORD_MODELS["findings"].model_fields.items()
                if not info.is_required()}
    return {**defaults, "case_uuid": case_uuid, "observed_at_utc": STAMP, "activity_type": "养殖",
            "description": "塘", "assessment": "确认问题", "created_at": STAMP, "updated_at": STAMP, **changes}


def _case(client, case_no: str = CORE_CASE):
    return next(r for r in client.changes(0, 1000).changes if r.content.get("case_no") == case_no)


def test_malformed_records_are_rejected_with_the_field_and_stored_nowhere(server, tmp_path):  # noqa: F811
    client = api(server.url, "inspector_a")
    case = _case(client).uuid
    transition_ok = {"case_uuid": case, "action": "现场核查", "from_state": "待核查", "to_state": "现场核查",
                     "actor": "inspector_a", "role": "inspector", "reason": None, "at_utc": STAMP, "revision": 1,
                     "created_at": STAMP, "updated_at": STAMP}
    bad = [  # (kind, content, deleted, what the reason must name)
        ("findings", {"case_uuid": case}, False, "observed_at_utc: required field missing"),
        ("transitions", {k: v for k, v in transition_ok.items() if k != "at_utc"}, False, "at_utc"),
        ("findings", _finding(case, lon=999.0, lat=33.5), False, "lon:"),
        ("findings", _finding(case, assessment="<script>x</script>"), False, "assessment:"),
        ("findings", _finding(case, observed_at_utc="2024-13-45T00:00:00Z"), False, "observed_at_utc:"),
        ("findings", _finding(case, observed_at_utc="yesterday"), False, "ISO 8601"),
        ("findings", _finding(case, area_m2="1200"), False, "area_m2:"),
        ("findings", _finding(case, area_is_estimate=2), False, "area_is_estimate:"),
        ("findings", _finding(case, description="长" * 30_000), False, "description:"),
        ("findings", _finding(case, zones="not json"), False, "zones:"),
        ("findings", _finding(case, description="半个\ud800字"), False, "not valid Unicode"),
        ("findings", _finding(case, evil="1"), False, "evil: unknown field"),
        ("findings", {"case_uuid": case}, True, "observed_at_utc"),  # a pushed tombstone is checked whole
        ("rectifications", {"case_uuid": case, "measure_type": "拆迁", "created_at": STAMP, "updated_at": STAMP},
         False, "measure_type:"),
        ("closure_checklists", {"case_uuid": case, "water_cut": True, "created_at": STAMP, "updated_at": STAMP},
         False, "water_cut:"),
        ("evidence", {"case_uuid": case, "sha256": "0" * 64, "kind": "video", "phase": "during",
                      "created_at": STAMP, "updated_at": STAMP}, False, "phase:"),
        ("transitions", {**transition_ok, "role": "mayor"}, False, "role:"),
    ]
    changes = [RecordChange(kind=kind, uuid=str(uuid_lib.uuid4()), deleted=deleted, content=content)
               for kind, content, deleted, _ in bad]
    changes.append(RecordChange(kind="findings", uuid="x" * 36, content=_finding(case)))
    good = RecordChange(kind="findings", uuid=str(uuid_lib.uuid4()), content=_finding(case))
    answer = client.push(PushBatch(operation_id="malformed-records", records=[*changes, good]))
    for (kind, _, _, named), result in zip(bad, answer.results):
        assert result.status == "rejected" and named in result.reason and result.reason.startswith("invalid"), \
            (kind, named, result.reason)
    assert answer.results[-2].status == "rejected" and "uuid" in answer.results[-2].reason
    assert answer.results[-1].status == "applied"  # one bad record does not stop the others
    unencodable = ('{"operation_id": "surrogates", "records": [{"kind": "findings", "uuid": "' + "\\ud800" * 36
                   + '", "content": {}}]}')  # a lone surrogate parses from JSON but is no text
    refused = client.session.post(client.base + "/push", data=unencodable.encode(), timeout=10, headers={
        "Authorization": f"Bearer {client.token}", "Content-Type": "application/json"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "uuid"
    with server.storage.read() as conn:
        stored = {r[0] for r in conn.execute(sa.select(records.c.uuid).where(records.c.kind != "cases"))}
    assert stored == {good.uuid}
    client.close()

    fresh = client_workspace(tmp_path / "fresh", server.url, "inspector_a")  # a new device of the jurisdiction
    report = sync(fresh)
    assert report.verified and report.pulled == 4
    with Workspace.open(fresh) as ws:
        assert ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
        assert [r[0] for r in ws.conn.execute("SELECT uuid FROM findings")] == [good.uuid]


def _server_cli(server, db_url, *args):  # noqa: F811
    command = [sys.executable, "-m", "sync.server.cli", "--data", str(server.data_dir), *args]
    return subprocess.run(command + (["--db", db_url] if db_url else []), cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_check_records_and_purge_clear_a_record_an_older_server_stored(server, db_url, tmp_path):  # noqa: F811
    client = api(server.url, "inspector_a")
    case_record = _case(client)
    case = case_record.uuid
    bad_uuid, bad_content = str(uuid_lib.uuid4()), json.dumps({"case_uuid": case})
    with server.storage.write() as conn:  # what a server without the schema check stored
        old_seq = next_seq(conn)
        conn.execute(records.insert().values(
            uuid=bad_uuid, kind="findings", case_uuid=case, city_adcode=case_record.city_adcode,
            county_adcode=case_record.county_adcode,
            revision=1, deleted=False, content=bad_content, content_hash="0" * 64, server_seq=old_seq,
            updated_by="inspector_a", received_at=server_now()))
    listed = _server_cli(server, db_url, "check-records")
    assert listed.returncode == 0, listed.stderr
    [found] = json.loads(listed.stdout)
    assert (found["uuid"], found["kind"]) == (bad_uuid, "findings") and "observed_at_utc" in found["reason"]

    assert _server_cli(server, db_url, "purge-record", bad_uuid, "--reason", " ").returncode == 2
    assert _server_cli(server, db_url, "purge-record", str(uuid_lib.uuid4()), "--reason", "x").returncode == 2
    purged = _server_cli(server, db_url, "purge-record", bad_uuid, "--reason", "旧服务器存下的残缺记录",
                         "--by", "省厅管理员")
    assert purged.returncode == 0, purged.stderr
    done = json.loads(purged.stdout)
    assert done["revision"] == 2 and done["server_seq"] > old_seq and done["purged_by"] == "省厅管理员"
    with server.storage.read() as conn:
        archived = conn.execute(sa.select(purged_records).where(purged_records.c.uuid == bad_uuid)).one()
    assert archived.content == bad_content and archived.revision == 1 and archived.server_seq == old_seq
    assert (archived.reason, archived.purged_by) == ("旧服务器存下的残缺记录", "省厅管理员") and archived.purged_at

    pulled = [r for r in client.changes(0, 1000).changes if r.uuid == bad_uuid]
    assert len(pulled) == 1 and pulled[0].deleted and pulled[0].revision == 2
    assert pulled[0].content == {"case_uuid": case} and validate_content("findings", pulled[0].content, True) is None
    listed = _server_cli(server, db_url, "check-records")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    client.close()
