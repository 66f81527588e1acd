"""Batches of forms (``inspector forms``): distinct file names, long values, one failing case.

The ledger is imported from a real .xlsx: case numbers that sanitise to the same
file name (``LD/1``, ``LD:1``, ``LD*1``; ``ld-9`` and ``LD-9`` on a case-insensitive
disk), 800- and 5,000-character values with markup, and a case whose output
file cannot be written (a folder is in the way). Every other case is written,
the failure is reported with its reason, and the command exits 2.
"""
from __future__ import annotations

import json
import subprocess

from inspector.forms.form_export import MAX_NAME_BYTES, FileNames, form_file_name
from inspector.importers.ledger_import import import_ledger
from inspector.store.workspace import Workspace
from tests.case_fixtures import run_cli
from tests.test_ledger_import import write_xlsx

MARKUP = "<b>粗</b>&amp;<font size=40>大</font><img src=x onerror=alert(1)>${7*7}"
LONG_UNIT = ("某某县人民政府" + MARKUP) * 40  # about 800 characters
LONG_TYPE = ("违规建设" + MARKUP) * 70  # about 5,000 characters
CASE_NOS = ("LD/1", "LD:1", "LD*1", "ld-9", "LD-9", "LD-LONG", "LD-BLOCKED")


def ledger_row(number: int, case_no: str, problem_type: str = "养殖", unit: str = "射阳县人民政府") -> list:
    return [number, case_no, "盐城市", "射阳县", "射阳河口湿地", None, problem_type, f"问题 {case_no} {MARKUP}",
            120.5 + number / 1000, 33.5, "2026-03-02", "2026-06-30", unit]


def batch_workspace(root):
    root.mkdir(parents=True)
    ws = Workspace.create(root / "ws")
    rows = [ledger_row(n, case_no) for n, case_no in enumerate(CASE_NOS, start=1)]
    rows[CASE_NOS.index("LD-LONG")] = ledger_row(6, "LD-LONG", problem_type=LONG_TYPE, unit=LONG_UNIT)
    result = import_ledger(ws, write_xlsx(root / "ledger.xlsx", rows))
    assert result.created == len(CASE_NOS), result.rejected
    ws.close()
    return root / "ws"


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_batch_writes_distinct_files_reports_the_failure_and_exits_2(tmp_path):
    ws = batch_workspace(tmp_path / "case")
    out = tmp_path / "out"
    (out / form_file_name("LD-BLOCKED", "inspection")).mkdir(parents=True)  # this case cannot be written
    result = run_cli("--workspace", str(ws), "forms", "--status", "待核查", "--kind", "inspection",
                     "-o", str(out), "--json")
    assert result.returncode == 2, result.stderr
    payload = json.loads(result.stdout)
    assert [f["case_no"] for f in payload["failed"]] == ["LD-BLOCKED"]
    assert payload["failed"][0]["reason"] and payload["failed"][0]["uuid"]
    written = {form["case_no"]: form["file"] for form in payload["forms"]}
    assert set(written) == set(CASE_NOS) - {"LD-BLOCKED"} and payload["count"] == len(written)
    names = [f.rsplit("/", 1)[-1] for f in written.values()]
    assert len({name.casefold() for name in names}) == len(names)  # distinct, also ignoring case
    assert sorted(p.name for p in out.glob("*.pdf") if p.is_file()) == sorted(names), payload["forms"]
    for case_no, file in written.items():
        text = "".join(pdf_text(file).split())
        assert f"问题 {case_no} {MARKUP}".replace(" ", "") in text, case_no  # each file is its own case
    assert "".join(LONG_TYPE.split())[-200:] in "".join(pdf_text(written["LD-LONG"]).split())


def test_file_names_are_safe_short_and_distinct():
    names = FileNames("closure")
    made = [names.name_for(case_no, uuid) for case_no, uuid in (
        ("LD-1", "aaaaaaaa-1"), ("ld-1", "bbbbbbbb-2"), ("LD/1", "cccccccc-3"), ("LD:1", "dddddddd-4"),
        ("LD\\1", "dddddddd-5"), ("责" * 800, "eeeeeeee-6"), ("..", "ffffffff-7"), ("", "00000000-8"))]
    assert made[0] == "LD-1-closure.pdf" and made[1] == "ld-1-bbbbbbbb-closure.pdf"
    assert made[2] == "LD_1-cccccccc-closure.pdf" and made[3] == "LD_1-dddddddd-closure.pdf"
    assert made[4] == "LD_1-dddddddd-2-closure.pdf"
    assert len({name.casefold() for name in made}) == len(made)
    for name in made:
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES + 40 and not set(name) & set('/\\:*?"<>|')
        assert not name.startswith(".")
