"""The forms show the photos the inspector chose: explicit before/after pairs on the closure form, 现场核查 photos
only on the inspection form, a default that never prints a row of empty pairs, the choice on the command line,
and the choice synced like every record of a case (one record per form; the server checks what it names). The
PDFs are rendered and read back with pdftotext."""
from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import uuid as uuid_lib
from pathlib import Path

import pytest
from pypdf import PdfReader

from evidence_fixtures import make_recent_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.form_evidence import choice_uuid, choose_form_evidence, default_pairs, form_evidence
from inspector.demo.form_case import build_demo_case
from inspector.errors import BadInput
from inspector.forms.form_data import gather_case
from inspector.forms.render import render_form
from inspector.store.workspace import Workspace
from sync.protocol import PushBatch, RecordChange
from tests.case_fixtures import CENTRE, CORE_CASE, build_case_workspace, run_cli
from tests.sync_fixtures import CASE, api, client_workspace, db_url, field_work, server, sync  # noqa: F401

STAMP = "2026-01-01T00:00:00Z"
METRE_LON = 1 / 92_800  # degrees of longitude per metre near 33.5°N


def _attach(ws: Workspace, root: Path, name: str, phase: str, east_m: float, day: int) -> str:
    photo = make_recent_photo(root / f"{name}.jpg", CENTRE[0] + east_m * METRE_LON, CENTRE[1],
                              minutes_ago=(10 - day) * 24 * 60)  # day 1 … 5: nine to five days ago, in order
    [item] = attach(ws, CORE_CASE, [photo], phase=phase)
    return item["evidence_uuid"]


@pytest.fixture(scope="module")
def photographed(tmp_path_factory):
    """LD-001 with 3 整改前 photos (0, 40, 80 m east), 1 整改后 (80 m east) and 1 现场核查 photo: uuid by name."""
    root = tmp_path_factory.mktemp("form_evidence")
    ws = build_case_workspace(root)
    uuids = {name: _attach(ws, root, name, phase, east, day) for name, phase, east, day in (
        ("b1", "before", 0, 1), ("b2", "before", 40, 2), ("b3", "before", 80, 3), ("a1", "after", 80, 4),
        ("i1", "inspection", 10, 5))}
    yield ws, root, uuids
    ws.close()


def _short(ws: Workspace, uuid: str) -> str:
    return ws.conn.execute("SELECT sha256 FROM evidence WHERE uuid = ?", (uuid,)).fetchone()[0][:12]


def _render(ws: Workspace, kind: str, path: Path) -> tuple[str, int]:
    """(text without whitespace as pdftotext reads it, page count)."""
    path.write_bytes(render_form(gather_case(ws, CORE_CASE), kind, generated_at="2026-02-01 10:00"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text), len(PdfReader(path).pages)


def _captions(text: str) -> list[str]:
    """The short hashes printed under photos, in reading order (the evidence list prints full hashes)."""
    return re.findall(r"SHA-256：([0-9a-f]{12})", text)


def test_default_closure_has_no_empty_pair_rows(photographed, tmp_path):
    ws, _, uuids = photographed
    shown = form_evidence(ws, CORE_CASE, "closure")
    assert not shown["chosen"]
    assert shown["pairs"] == [{"before": uuids["b3"], "after": uuids["a1"]}]  # the nearest 整改前 photo
    assert shown["photos"] == [uuids["b1"], uuids["b2"]]
    text, pages = _render(ws, "closure", tmp_path / "closure.pdf")
    assert "无对应照片" not in text
    assert _captions(text) == [_short(ws, uuids[name]) for name in ("b3", "a1", "b1", "b2")]
    assert "未配对的照片" in text and pages <= 5


def test_the_default_pairing_leaves_suspect_photos_unpaired():
    def photo(name: str, day: str, *flags: str) -> dict:
        return {"name": name, "time": day, "flags": flags}

    before = [photo("b1", "2026-05-01"), photo("b2", "2026-05-02", "far_from_case")]
    after = [photo("a1", "2026-09-01", "before_discovery"), photo("a2", "2026-09-02"),
             photo("a3", "2026-09-03", "gps_clock_mismatch")]  # a warning, not a blocking flag
    pairs, unpaired = default_pairs(before, after, lambda p: p["time"], lambda p: None, lambda p: p["flags"])
    assert [(b["name"], a["name"]) for b, a in pairs] == [("b1", "a2")]
    assert [p["name"] for p in unpaired] == ["b2", "a1", "a3"]


def test_chosen_pairs_print_in_order(photographed, tmp_path):
    ws, _, uuids = photographed
    chosen = choose_form_evidence(ws, CORE_CASE, "closure", pairs=[(uuids["b2"], uuids["a1"])],
                                  photos=[uuids["b1"]], actor="张三")
    assert chosen["chosen"] and chosen["chosen_by"] == "张三" and chosen.changes.touches("form_evidence")
    text, pages = _render(ws, "closure", tmp_path / "closure.pdf")
    assert _captions(text) == [_short(ws, uuids[name]) for name in ("b2", "a1", "b1")]
    assert "无对应照片" not in text and pages <= 5
    again = choose_form_evidence(ws, CORE_CASE, "closure", pairs=[(uuids["b2"], uuids["a1"])], photos=[uuids["b1"]],
                                 actor="张三")
    assert again.changes.empty  # the same choice again writes nothing
    cleared = choose_form_evidence(ws, CORE_CASE, "closure", actor="张三")
    assert not cleared["chosen"] and cleared["pairs"][0]["before"] == uuids["b3"]
    revision = ws.conn.execute("SELECT revision FROM form_evidence WHERE uuid = ?",
                               (choice_uuid(cleared["case_uuid"], "closure"),)).fetchone()[0]
    assert revision == 2  # one record per case and form, edited


def test_inspection_form_shows_inspection_photos_only(photographed, tmp_path):
    ws, _, uuids = photographed
    text, _ = _render(ws, "inspection", tmp_path / "inspection.pdf")
    assert _captions(text) == [_short(ws, uuids["i1"])]
    with pytest.raises(BadInput, match="inspection-phase|现场核查"):
        choose_form_evidence(ws, CORE_CASE, "inspection", photos=[uuids["a1"]], actor="张三")
    with pytest.raises(BadInput):
        choose_form_evidence(ws, CORE_CASE, "closure", pairs=[(uuids["a1"], uuids["b1"])], actor="张三")
    with pytest.raises(BadInput):
        choose_form_evidence(ws, CORE_CASE, "closure", photos=[str(uuid_lib.uuid4())], actor="张三")


def test_form_evidence_command(photographed):
    from inspector.casework.form_evidence import FORMS
    from inspector.cli.form_commands import CHOSEN_FORM_CHOICES

    assert set(CHOSEN_FORM_CHOICES) == set(FORMS)
    ws, root, uuids = photographed
    folder = str(root / "ws")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return run_cli("--workspace", folder, "form-evidence", CORE_CASE, *args, "--json")

    chose = cli("--form", "closure", "--pair", f"{uuids['b1']}={uuids['a1']}", "--photos", uuids["b2"])
    assert chose.returncode == 0, chose.stderr
    shown = json.loads(cli("--form", "closure").stdout)
    assert shown["chosen"] and shown["pairs"] == [{"before": uuids["b1"], "after": uuids["a1"]}]
    assert shown["photos"] == [uuids["b2"]] and {c["uuid"] for c in shown["candidates"]} == set(uuids.values())
    assert cli("--form", "closure", "--pair", "nonsense").returncode == 2
    assert cli("--form", "inspection", "--photos", uuids["a1"]).returncode == 2
    assert cli("--form", "closure", "--clear", "--photos", uuids["b2"]).returncode == 2
    assert json.loads(cli("--form", "closure", "--clear").stdout)["chosen"] is False


def _choice_change(case_uuid: str, uuid: str, photos: list[str]) -> RecordChange:
    return RecordChange(kind="form_evidence", uuid=uuid, content={
        "case_uuid": case_uuid, "form": "closure", "photos": json.dumps(photos), "pairs": "[]",
        "chosen_by": "inspector_a", "revision": 1, "created_at": STAMP, "updated_at": STAMP})


def test_choice_syncs_and_the_server_checks_it(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    r = client_workspace(tmp_path / "r", server.url, "reviewer_r")
    sync(a)
    field_work(a, tmp_path, photos=2)
    with Workspace.open(a) as ws:
        photos = [row[0] for row in ws.conn.execute("SELECT uuid FROM evidence ORDER BY id")]
        choose_form_evidence(ws, CASE, "inspection", photos=photos[::-1], actor="inspector_a")
    assert sync(a).rejected == 0
    sync(r)
    with Workspace.open(r) as ws:
        assert form_evidence(ws, CASE, "inspection")["photos"] == photos[::-1]
    field = api(server.url, "inspector_a")
    case = next(c for c in field.changes(0, 1000).changes if c.kind == "cases" and c.content["case_no"] == CASE)
    other = next(c for c in field.changes(0, 1000).changes if c.kind == "cases" and c.uuid != case.uuid)
    stray, foreign = field.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=[
        _choice_change(case.uuid, str(uuid_lib.uuid4()), photos),  # a second choice for the same form
        _choice_change(other.uuid, choice_uuid(other.uuid, "closure"), photos)])).results  # another case's photos
    field.close()
    assert stray.status == foreign.status == "rejected"
    assert "derived" in stray.reason and "not a photo of this case" in foreign.reason


def test_notice_prints_one_deadline_labelled_with_its_source(tmp_path):
    case = build_demo_case(tmp_path)
    planned = dataclasses.replace(case, deadline="2026-06-30",
                                  rectification=dataclasses.replace(case.rectification, deadline="2026-12-31"))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        render_form(planned, "notice", generated_at="2026-02-01 10:00"))).pages))
    assert "2026-06-30" not in text and "于2026-12-31（整改方案）前完成整改" in text
    assert text.count("2026-12-31") == text.count("2026-12-31（整改方案）") >= 2  # the notice text and the grids
    ledger_only = dataclasses.replace(planned, rectification=None)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        render_form(ledger_only, "notice", generated_at="2026-02-01 10:00"))).pages))
    assert "于2026-06-30（台账）前完成整改" in text and "2026-12-31" not in text
