"""One bilingual message form (issue 12, item 6): every error and rejection reason the command line prints
is in the user's language — English everywhere with ``INSPECTOR_LANG=en``, Chinese by default.

The same representative set of commands with bad input runs in both languages: ledger rows with bad dates,
coordinates, duplicates, positions outside Jiangsu, no case number, control characters; zone features that
are repaired or rejected (NaN, out of range, outside Jiangsu, not a polygon) and a Shapefile whose parts
disagree on the record count; an unusable photo; refused transitions; finding and form errors; a login over
plain http and to an unreachable server; and the server's per-record rejection reasons as ``sync --json``
lists them under ``refused``. All input data is ASCII, so any CJK character in the English output is a
message that was not translated — except the workflow's states and assessments, which are Chinese values
the user types and the workspace stores.
"""
from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.casework import workflow
from inspector.casework.findings import ASSESSMENTS
from inspector.casework.workflow import ACTIONS, STATES
from inspector.store.workspace import Workspace
from tests.sync_fixtures import client_workspace, db_url, free_port, server, sync  # noqa: F401
from tests.vector_fixtures import polygon_wkt, square, write_layer

REPO = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
DOMAIN_WORDS = sorted({*STATES, *ACTIONS, *ASSESSMENTS}, key=len, reverse=True)  # stored values, not messages
BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]+(?: [A-Za-z]+){2,}\b")
LANGUAGES = ("en", "zh")
LEDGER_MAP = "case_no=No,discovered_on=Found,deadline=Deadline,area_m2=Area,description=Desc"
LEDGER_ROWS = {  # sheet row → the row (after the header in row 1); None: imported
    2: ("A-1", "120.5", "33.5", "2026-03-01", "2026-06-30", "100", "kept"),
    3: ("A-2", "120.5", "33.5", "2026-13-01", "", "", "impossible date"),
    4: ("A-3", "abc", "33.5", "", "", "", "unreadable coordinate"),
    5: ("A-1", "120.5", "33.5", "", "", "", "repeated case number"),
    6: ("A-4", "100.5", "25.0", "", "", "", "outside Jiangsu"),
    7: ("", "120.5", "33.5", "", "", "", "no case number"),
    8: ("A-5", "120.5", "33.5", "", "", "", "vertical\x0btab"),
    9: ("A-6", "33.5", "120.5", "", "", "", "swapped columns"),
    10: ("A-7", "120.5", "33.5", "", "", "lots", "area not a number"),
    11: ("A-8", "120.5", "33.5", "", "2026/02/30", "", "impossible deadline"),
    12: ("A-9", "120 75 0", "33.5", "", "", "", "75 minutes"),
}
REJECTED_ROWS = set(LEDGER_ROWS) - {2}


def untranslated(text: str) -> list[str]:
    """The CJK characters left in ``text`` once the workflow's stored values are taken out."""
    for word in DOMAIN_WORDS:
        text = text.replace(word, "")
    return CJK.findall(text)


def english_phrases(text: str) -> list[str]:
    """Runs of three or more English words outside brackets (a library's detail, a file name or a command
    quoted in brackets is the same in both languages)."""
    while True:
        shorter = BRACKETED.sub("", text)
        if shorter == text:
            return ENGLISH_PHRASE.findall(text)
        text = shorter


def cli(lang: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``inspector ARGS`` in ``lang``."""
    return subprocess.run([sys.executable, "-m", "inspector", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "INSPECTOR_LANG": lang, "INSPECTOR_USER": "tester"},
                          timeout=300)


def assert_in_language(lang: str, texts: list[str], where: str) -> None:
    """English: no untranslated character in any of ``texts``; Chinese: each is Chinese, without an English
    sentence outside brackets."""
    for text in texts:
        if lang == "en":
            assert not untranslated(text), (where, text)
        else:
            assert CJK.search(text) and not english_phrases(text), (where, text)


def assert_entries(lang: str, entries: list[dict[str, Any]], key: str, where: str) -> None:
    """Per-row entries: ``key`` in the language asked for, both languages beside it."""
    assert entries, where
    assert_in_language(lang, [entry[key] for entry in entries], where)
    for entry in entries:
        assert entry[key] == entry[f"{key}_{lang}"], (where, entry)
        assert_in_language("en", [entry[f"{key}_en"]], where)
        assert_in_language("zh", [entry[f"{key}_zh"]], where)


def ledger_csv(folder: Path) -> Path:
    lines = ["No,LON,LAT,Found,Deadline,Area,Desc"] + [",".join(row) for row in LEDGER_ROWS.values()]
    path = folder / "ledger.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ring(points: list[tuple[Any, Any]]) -> str:
    return "[" + ",".join(f"[{x},{y}]" for x, y in points) + "]"


def zones_geojson(folder: Path) -> Path:
    """Seven ASCII-named features: kept, repaired twice, rejected four times."""
    box = square(120.5, 33.5, 0.01)
    geometries = {
        "Good": ("Polygon", f"[{_ring(box)}]"),
        "Bowtie": ("Polygon",
                   f"[{_ring([(120.6, 33.5), (120.62, 33.52), (120.62, 33.5), (120.6, 33.52), (120.6, 33.5)])}]"),
        "Open": ("Polygon", f"[{_ring(square(120.7, 33.5, 0.01)[:-1])}]"),
        "NotANumber": ("Polygon", f"[{_ring([('NaN', 33.49), *box[1:-1], ('NaN', 33.49)])}]"),
        "Wedge": ("Polygon", f"[{_ring([(0.0, 0.0), *box[1:-1], (0.0, 0.0)])}]"),
        "Yunnan": ("Polygon", f"[{_ring([(100.0, 25.0), *box[1:-1], (100.0, 25.0)])}]"),
        "Line": ("LineString", _ring(box[:2])),
    }
    features = [f'{{"type":"Feature","properties":{{"NAME":"{name}","CODE":"Z-{i}"}},'
                f'"geometry":{{"type":"{kind}","coordinates":{coordinates}}}}}'
                for i, (name, (kind, coordinates)) in enumerate(geometries.items())]
    path = folder / "zones.geojson"
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}", encoding="utf-8")
    return path


def shapefile_with_one_dbf_record_more(folder: Path) -> Path:
    shp = write_layer(folder / "parts.shp", "ESRI Shapefile", 4490,
                      [{"wkt": polygon_wkt(square(120.5 + i / 10, 33.5, 0.01)), "NAME": f"P{i}"} for i in range(2)],
                      fields=("NAME",))
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    count, header, record = struct.unpack("<IHH", data[4:12])
    struct.pack_into("<I", data, 4, count + 1)
    dbf.write_bytes(bytes(data[:header + count * record]) + bytes(data[header:header + record]) + b"\x1a")
    return shp


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A workspace with the ledger's good rows (A-1 on site), and the bad files."""
    folder = tmp_path_factory.mktemp("messages")
    (folder / "parts").mkdir()
    found = {"ws": folder / "ws", "ledger": ledger_csv(folder), "zones": zones_geojson(folder),
             "parts": shapefile_with_one_dbf_record_more(folder / "parts"), "bad_photo": folder / "bad.jpg",
             "folder": folder}
    found["bad_photo"].write_text("not a photo", encoding="ascii")
    ws = str(found["ws"])
    assert cli("en", "--workspace", ws, "import-ledger", str(found["ledger"]), "--map", LEDGER_MAP).returncode == 0
    moved = cli("en", "--workspace", ws, "transition", "A-1", "现场核查", "--as", "inspector")
    assert moved.returncode == 0, moved.stderr
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ledger_rejections_in_the_users_language(inputs, lang):
    ws = str(inputs["ws"])
    run = cli(lang, "--workspace", ws, "import-ledger", str(inputs["ledger"]), "--map", LEDGER_MAP, "--json")
    assert run.returncode == 0, run.stderr
    rejected = json.loads(run.stdout)["rejected"]
    assert {r["row"] for r in rejected} == REJECTED_ROWS, rejected
    assert all({"sheet", "row", "case_no", "reason"} <= set(r) for r in rejected)
    assert_entries(lang, rejected, "reason", "import-ledger --json")
    human = cli(lang, "--workspace", ws, "import-ledger", str(inputs["ledger"]), "--map", LEDGER_MAP, "--dry-run")
    assert_in_language(lang, [line for line in human.stdout.splitlines() if line.strip()], "import-ledger")
    by_row = {r["row"]: r["reason_en"] for r in rejected}
    assert "impossible date" in by_row[3] and "case number A-1 repeated" in by_row[5]
    assert "outside Jiangsu" in by_row[6] and "U+000B" in by_row[8] and "swapped" in by_row[9]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_zone_repairs_and_rejections_in_the_users_language(inputs, lang):
    ws = str(inputs["ws"])
    run = cli(lang, "--workspace", ws, "import-zones", str(inputs["zones"]), "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert [r["name"] for r in result["repaired"]] == ["Bowtie", "Open"]
    assert [r["name"] for r in result["rejected"]] == ["NotANumber", "Wedge", "Yunnan", "Line"]
    for key in ("repaired", "rejected"):
        assert_entries(lang, result[key], "reason", f"import-zones {key}")
        for entry in result[key]:  # no "中文 / English" in one string
            assert not CJK.search(entry["reason_en"]) and " / " not in entry["reason_zh"], entry
    assert "Self-intersection" in result["repaired"][0]["reason_zh"]  # GEOS's own words, appended to both
    assert_in_language(lang, result["warnings"], "import-zones warnings")
    human = cli(lang, "--workspace", ws, "import-zones", str(inputs["zones"]))
    assert_in_language(lang, human.stdout.splitlines(), "import-zones")
    refused = cli(lang, "--workspace", ws, "import-zones", str(inputs["parts"]))
    assert refused.returncode == 2 and "parts.shp" in refused.stderr
    assert_in_language(lang, [refused.stderr], "import-zones record counts")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_refusals_of_commands_in_the_users_language(inputs, lang):
    ws, folder = str(inputs["ws"]), inputs["folder"]
    attached = cli(lang, "--workspace", ws, "attach", "A-1", str(inputs["bad_photo"]), str(folder / "gone.jpg"),
                   "--json")
    assert attached.returncode == 2, attached.stderr
    assert_entries(lang, json.loads(attached.stdout), "error", "attach")
    refusals = {
        "transition not allowed": ("transition", "A-1", "已销号", "--as", "inspector"),
        "transition missing evidence": ("transition", "A-1", "确认问题", "--as", "inspector"),
        "finding outside Jiangsu": ("finding", "add", "A-1", "--assessment", "待定", "--activity", "其他",
                                    "--lon", "100", "--lat", "25"),
        "form of no case": ("form", "NO-SUCH-CASE", "--kind", "inspection", "-o", str(folder / "x.pdf")),
        "ledger map": ("import-ledger", str(inputs["ledger"]), "--map", "colour=No"),
        "sync without a server": ("sync",),
    }
    for what, args in refusals.items():
        run = cli(lang, "--workspace", ws, *args)
        assert run.returncode in (1, 2) and run.stderr.startswith("inspector: "), (what, run.stderr)
        assert_in_language(lang, [run.stderr], what)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_login_refusals_in_the_users_language(inputs, lang):
    ws = str(inputs["ws"])
    for what, url, code in (("plain http", "http://192.0.2.10:8765", 2),
                            ("unreachable", f"https://127.0.0.1:{free_port()}", 1)):
        run = cli(lang, "--workspace", ws, "login", "--server", url, "--user", "tester", "--password-stdin",
                  stdin="a password\n")
        assert run.returncode == code, (what, run.stderr)
        assert_in_language(lang, [run.stderr], what)


def test_server_rejection_reasons_in_the_users_language(server, tmp_path):  # noqa: F811
    """A transition in a role the user does not have: the server refuses it and the case status it carries;
    ``sync --json`` lists both under ``refused`` in the device's language, every time they are pushed."""
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    refused_here = cli("en", "--workspace", str(a), "transition", "LD-001", "现场核查", "--as", "reviewer")
    assert refused_here.returncode == 2  # the device refuses a role the user does not have; forced through the core:
    with Workspace.open(a) as ws:
        workflow.transition(ws, "LD-001", "现场核查", role="reviewer", actor="inspector_a")
    for lang in LANGUAGES:
        run = cli(lang, "--workspace", str(a), "sync", "--json")
        assert run.returncode == 0, run.stderr
        refused = json.loads(run.stdout)["refused"]
        assert sorted(r["kind"] for r in refused) == ["cases", "transitions"] and \
            {r["status"] for r in refused} == {"rejected"}, refused
        assert_entries(lang, refused, "reason", f"sync refused ({lang})")
        transition = next(r for r in refused if r["kind"] == "transitions")
        assert "'reviewer' is not your role (inspector)" in transition["reason_en"]
