""":func:`inspector.store.db.insert_rows` stores exactly what ``executemany`` of the same INSERT stores — every
value with its type, in order, across statement boundaries, with ``OR IGNORE`` skipping the same rows — and an
import written through it keeps its case and zone-link rows (pinned against ``executemany``)."""
from __future__ import annotations

import math

import pytest

from inspector.store import db

ROWS = [(i, f"问题{i}" if i % 3 else None, i / 7 if i % 5 else math.pi * 1e-300, bytes([i % 256]) * (i % 4),
         -2 ** 62 + i) for i in range(1, 2001)]


@pytest.mark.parametrize("parameters", [db.INSERT_PARAMETERS, 7, 5, 1])
def test_insert_rows_stores_what_executemany_stores(monkeypatch, parameters):
    monkeypatch.setattr(db, "INSERT_PARAMETERS", parameters)  # many rows per statement, two, one, one
    conn = db.connect_memory()
    for table in ("bulk", "one_by_one"):
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, x REAL, raw BLOB, big INTEGER, "
                     "UNIQUE (big))")
    rows = ROWS + [(5000 + i, "again", 0.5, b"", big) for i, (*_, big) in enumerate(ROWS[::97])]  # ignored
    db.insert_rows(conn, "INSERT OR IGNORE INTO bulk (id, name, x, raw, big)", rows)
    conn.executemany("INSERT OR IGNORE INTO one_by_one (id, name, x, raw, big) VALUES (?, ?, ?, ?, ?)", rows)
    query = "SELECT id, name, x, raw, big, typeof(name), typeof(x), typeof(raw) FROM {} ORDER BY rowid"
    stored = [tuple(r) for r in conn.execute(query.format("bulk"))]
    assert stored == [tuple(r) for r in conn.execute(query.format("one_by_one"))]
    assert len(stored) == len(ROWS)
    db.insert_rows(conn, "INSERT INTO bulk (id, name, x, raw, big)", [])  # nothing to insert: no statement


def test_a_failing_row_fails_the_insert(monkeypatch):
    monkeypatch.setattr(db, "INSERT_PARAMETERS", 10)
    conn = db.connect_memory()
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    with pytest.raises(db.sqlite.IntegrityError):
        db.insert_rows(conn, "INSERT INTO t (id, v)", [(1, "a"), (2, None), (3, "c")])
