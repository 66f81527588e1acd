"""A workspace: a folder with ``workspace.sqlite`` (SpatiaLite), ``media/`` and optional ``*.mbtiles``.

:class:`Workspace` opens (and migrates) the database, knows the folder's
layout and holds small key/value metadata. Where no workspace is named, the
default lives in the user's data directory (platformdirs); the bundled demo
workspace is built there on first use.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid as uuid_lib
from pathlib import Path

import platformdirs

from inspector.errors import BadInput
from inspector.store import db
from inspector.store.migrations import LATEST_VERSION, current_version, migrate

APP_NAME = "lvdun-inspector"
DB_NAME = "workspace.sqlite"
BASEMAP_FOLDER = "basemaps"  # where basemap add stores the offline basemaps (MBTiles)
DEFAULT_TIMEZONE = "Asia/Shanghai"


def utc_now() -> str:
    """The current UTC time as ISO 8601 with a ``Z`` suffix (second precision)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_utc(utc_text: str | None) -> dt.datetime | None:
    """An ISO 8601 time as stored (``...Z``) as an aware datetime; a time without an offset is read as UTC;
    ``None`` when absent or unreadable."""
    if not utc_text:
        return None
    try:
        moment = dt.datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def new_uuid() -> str:
    return str(uuid_lib.uuid4())


def default_workspace_dir() -> Path:
    """``$INSPECTOR_WORKSPACE`` or the workspace folder in the user's data dir."""
    env = os.environ.get("INSPECTOR_WORKSPACE")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "workspace"


def demo_workspace_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "demo-workspace"


class Workspace:
    """An open workspace folder; use :meth:`create` or :meth:`open`."""

    def __init__(self, root: Path, conn: db.Connection) -> None:
        self.root = root
        self.conn = conn

    # -- layout -----------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    def basemaps(self) -> list[Path]:
        """The basemaps' MBTiles files: those added to ``basemaps/`` (no link leading out of it, no file still
        being written), then any placed in the workspace folder itself by hand."""
        folder = self.root / BASEMAP_FOLDER
        added = sorted(path for path in folder.glob("*.mbtiles") if not path.name.startswith(".")
                       and path.is_file() and path.resolve().parent == folder.resolve()) if folder.is_dir() else []
        return added + sorted(self.root.glob("*.mbtiles"))

    # -- lifecycle --------------------------------------------------------
    @classmethod
    def exists(cls, root: str | os.PathLike[str]) -> bool:
        return (Path(root) / DB_NAME).is_file()

    @classmethod
    def create(cls, root: str | os.PathLike[str]) -> "Workspace":
        """Create a new workspace (or open an existing one) and load the admin areas."""
        from inspector.geo.admin_areas import load_bundled_admin_areas

        root = Path(root)
        fresh = not cls.exists(root)
        root.mkdir(parents=True, exist_ok=True)
        (root / "media").mkdir(exist_ok=True)
        ws = cls.open(root, create=True)
        if fresh:
            with db.atomic(ws.conn):
                ws.set_meta("workspace_id", new_uuid())
                ws.set_meta("created_at", utc_now())
                ws.set_meta("timezone", DEFAULT_TIMEZONE)
                ws.set_meta("zones_generation", "0")
                load_bundled_admin_areas(ws.conn)
        return ws

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, create: bool = False) -> "Workspace":
        root = Path(root)
        if not create and not cls.exists(root):
            raise BadInput(
                f"{root} 不是工作空间（缺少 {DB_NAME}），请先运行 inspector --workspace {root} init",
                f"{root} is not a workspace (no {DB_NAME}); run inspector --workspace {root} init first",
            )
        conn = db.connect(root / DB_NAME)
        try:
            migrate(conn, root / DB_NAME)
        except BaseException:
            conn.close()
            raise
        (root / "media").mkdir(exist_ok=True)
        return cls(root, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- metadata ---------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def zones_generation(self) -> int:
        return int(self.meta("zones_generation", "0") or 0)

    def bump_zones_generation(self) -> int:
        generation = self.zones_generation + 1
        self.set_meta("zones_generation", str(generation))
        return generation

    @property
    def schema_version(self) -> int:
        return current_version(self.conn)

    LATEST_SCHEMA = LATEST_VERSION
