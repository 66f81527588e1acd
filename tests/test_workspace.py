"""The workspace folder, the connection module and migrations."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector.errors import BadInput, SetupError
from inspector.store import db
from inspector.store.migrations import LATEST_VERSION
from inspector.store.workspace import Workspace

OLD_WORKSPACE = Path(__file__).parent / "data" / "workspace-v1"


def test_create_layout_and_pragmas(ws):
    assert ws.db_path.is_file() and ws.media_dir.is_dir()
    conn = ws.conn
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert conn.execute("SELECT spatialite_version()").fetchone()[0]
    levels = dict(conn.execute("SELECT level, count(*) FROM admin_areas GROUP BY level").fetchall())
    assert levels["province"] == 1 and levels["city"] == 13 and levels["county"] >= 90
    assert ws.meta("timezone") == "Asia/Shanghai" and len(ws.meta("workspace_id")) == 36


def test_open_requires_a_workspace(tmp_path):
    with pytest.raises(BadInput, match="init"):
        Workspace.open(tmp_path / "nothing")


def test_atomic_nests_as_savepoints(ws):
    conn = ws.conn
    with db.atomic(conn):
        ws.set_meta("outer", "1")
        with pytest.raises(RuntimeError):
            with db.atomic(conn):
                ws.set_meta("inner", "1")
                raise RuntimeError("boom")
    assert ws.meta("outer") == "1" and ws.meta("inner") is None
    with pytest.raises(RuntimeError):
        with db.atomic(conn):
            ws.set_meta("lost", "1")
            raise RuntimeError("boom")
    assert ws.meta("lost") is None


def test_foreign_keys_are_enforced(ws):
    with pytest.raises(db.IntegrityError):
        ws.conn.execute("INSERT INTO case_zones (case_id, zone_id) VALUES (999, 999)")


def test_backup_api_copy_is_consistent(ws, tmp_path):
    ws.set_meta("marker", "kept")
    copy = db.backup_to(ws.conn, tmp_path / "copy.sqlite")
    other = db.connect(copy, readonly=True)
    assert other.execute("SELECT value FROM meta WHERE key = 'marker'").fetchone()[0] == "kept"
    assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    other.close()


def test_checked_in_v1_workspace_migrates(tmp_path):
    root = tmp_path / "old"
    shutil.copytree(OLD_WORKSPACE, root)
    before = db.connect(root / "workspace.sqlite", readonly=True)
    assert before.execute("PRAGMA user_version").fetchone()[0] == 1
    before.close()
    with Workspace.open(root) as ws:
        assert ws.schema_version == LATEST_VERSION
        hits = ws.conn.execute("SELECT case_no FROM cases WHERE search_text LIKE '%养殖%'").fetchall()
        assert [h[0] for h in hits] == ["OLD-CASE-1"]
        assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    backups = list((root / "backups").glob("workspace-v1-*.sqlite"))
    assert len(backups) == 1
    copy = db.connect(backups[0], readonly=True)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT case_no FROM cases").fetchone()[0] == "OLD-CASE-1"
    copy.close()


def test_newer_workspace_is_refused(ws, tmp_path):
    ws.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    ws.close()
    with pytest.raises(BadInput, match="升级"):
        Workspace.open(ws.root)


def test_missing_spatialite_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "_SPATIALITE_NAMES", ("no_such_spatialite_module",))
    monkeypatch.delenv("SPATIALITE_LIBRARY_PATH", raising=False)
    with pytest.raises(SetupError, match="libsqlite3-mod-spatialite"):
        db.connect(tmp_path / "x.sqlite")


def test_search_text_follows_edits(ws):
    ws.conn.execute(
        "INSERT INTO cases (case_no, description, lon, lat, ledger_hash, uuid, created_at, updated_at) "
        "VALUES ('S-1', '湿地内违规建设码头', 120.5, 33.5, 'h', 'u-1', 'now', 'now')")
    search = "SELECT count(*) FROM cases WHERE search_text LIKE '%' || ? || '%'"
    assert ws.conn.execute(search, ("码头",)).fetchone()[0] == 1
    ws.conn.execute("UPDATE cases SET description = '已拆除' WHERE case_no = 'S-1'")
    assert ws.conn.execute(search, ("码头",)).fetchone()[0] == 0
