"""The server's ledger export: GET /api/v1/export/ledger and ``inspector-server export-ledger``, scoped by jurisdiction.

Against the reference server on loopback, SQLite and (when configured) PostgreSQL: inspector A's field work
reaches the server; the 盐城 reviewer's export holds 盐城's cases with that progress and nothing of 南京; the
南京 reviewer's CSV only 南京's; an inspector is refused (403); the command line exports one county or the
whole province.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import openpyxl

from inspector.vocabulary import LEDGER_PROGRESS_COLUMNS
from tests.sync_fixtures import (  # noqa: F401 - fixtures
    CASE,
    api,
    client_workspace,
    db_url,
    field_work,
    server,
    sync,
)
from tests.test_ledger_import import HEADER


def _get(url: str, user: str, kind: str):
    client = api(url, user)
    try:
        return client.session.get(client.base + "/export/ledger", params={"format": kind}, timeout=60,
                                  headers={"Authorization": f"Bearer {client.token}"})
    finally:
        client.close()


def _xlsx_rows(data: bytes) -> dict[str, dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}, rows[0]


def test_export_is_scoped_to_the_callers_jurisdiction(server, db_url, tmp_path):
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=1)
    sync(a)

    response = _get(server.url, "reviewer_r", "xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows, header = _xlsx_rows(response.content)
    assert header == HEADER + list(LEDGER_PROGRESS_COLUMNS)
    assert set(rows) == {"LD-001", "LD-010", "LD-011"}  # 盐城 only: no 南京 (LD-002), no 苏州 (LD-003)
    worked = rows[CASE]
    assert (worked["状态"], worked["核查结论"], worked["现场活动类型"], worked["证据数量"]) == ("确认问题", "确认问题",
                                                                                     "养殖", 1)
    assert (worked["市"], worked["县"]) == ("盐城市", "大丰区")

    nanjing = _get(server.url, "reviewer_nj", "csv")
    assert nanjing.status_code == 200 and nanjing.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(nanjing.content.decode("utf-8-sig"))))
    assert [row[1] for row in table[1:]] == ["LD-002"]

    assert _get(server.url, "inspector_a", "xlsx").status_code == 403
    assert _get(server.url, "admin", "pdf").status_code == 422
    province, _ = _xlsx_rows(_get(server.url, "admin", "xlsx").content)
    assert set(province) == {"LD-001", "LD-002", "LD-003", "LD-010", "LD-011"}
    assert not list((server.data_dir / "exports").glob("*"))  # sent files do not pile up

    out = tmp_path / "大丰.xlsx"
    def export(jurisdiction: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sync.server.cli", "--data", str(server.data_dir), "export-ledger",
                               "-o", str(out), "--jurisdiction", jurisdiction] + (["--db", db_url] if db_url else []),
                              capture_output=True, text=True, timeout=120)

    result = export("320904")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["file"], payload["format"], payload["rows"]) == (str(out), "xlsx", 1)
    county, _ = _xlsx_rows(out.read_bytes())
    assert set(county) == {CASE}
    assert export("32x").returncode == 2
