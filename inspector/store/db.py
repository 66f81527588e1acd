"""The one place that opens workspace databases.

Loads SpatiaLite into a SQLite connection (the standard library's ``sqlite3``
when it can load extensions, else ``pysqlite3``), turns on foreign keys and
WAL, and offers :func:`atomic` (transactions, savepoints when nested),
:func:`insert_rows` (many rows per INSERT statement) and :func:`backup_to` (the
SQLite online backup API, safe for WAL databases).
"""
from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3 as _stdlib_sqlite3
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator, Sequence, TypeAlias

from inspector.errors import SetupError
from inspector.store import changes

SPATIALITE_APT_PACKAGE = "libsqlite3-mod-spatialite"
_SPATIALITE_NAMES = ("mod_spatialite", "mod_spatialite.so", "libspatialite")


def _sqlite_module() -> ModuleType:
    """Return a DB-API module whose connections can load extensions."""
    probe = _stdlib_sqlite3.connect(":memory:")
    try:
        if hasattr(probe, "enable_load_extension"):
            return _stdlib_sqlite3
    finally:
        probe.close()
    try:
        import pysqlite3.dbapi2 as pysqlite3
    except ImportError as exc:  # pragma: no cover - depends on the build
        raise SetupError(
            "此 Python 的 sqlite3 不能加载扩展，且未安装 pysqlite3-binary",
            "this Python's sqlite3 cannot load extensions and pysqlite3-binary is missing",
        ) from exc
    return pysqlite3


if TYPE_CHECKING:
    # pysqlite3 is the standard library's sqlite3 module built against its own SQLite: the same classes and
    # methods, so the type checker reads either one as the standard library's.
    import sqlite3 as sqlite
else:
    sqlite = _sqlite_module()

Connection: TypeAlias = sqlite.Connection  # every workspace connection (row_factory = Row)
Row: TypeAlias = sqlite.Row  # a row of a workspace query
IntegrityError = sqlite.IntegrityError
OperationalError = sqlite.OperationalError
DatabaseError = sqlite.DatabaseError


def _load_spatialite(conn: Connection) -> None:
    conn.enable_load_extension(True)
    errors = []
    candidates = [os.environ.get("SPATIALITE_LIBRARY_PATH", "")] + list(_SPATIALITE_NAMES)
    for name in filter(None, candidates):
        try:
            conn.load_extension(name)
            break
        except sqlite.OperationalError as exc:
            errors.append(f"{name}: {exc}")
    else:
        detail = "; ".join(errors)
        raise SetupError(
            f"无法加载 SpatiaLite（mod_spatialite），请安装：apt-get install {SPATIALITE_APT_PACKAGE}（{detail}）",
            f"SpatiaLite (mod_spatialite) could not be loaded; install it with "
            f"apt-get install {SPATIALITE_APT_PACKAGE} ({detail})",
        )
    conn.enable_load_extension(False)


def connect(path: str | os.PathLike[str], *, readonly: bool = False) -> Connection:
    """Open a workspace database with SpatiaLite, foreign keys and WAL."""
    uri = Path(path).resolve().as_uri() + ("?mode=ro" if readonly else "")
    conn = sqlite.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                          timeout=30.0)
    conn.row_factory = sqlite.Row
    _load_spatialite(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
    # Evidence and case records are written here: FULL survives power loss in WAL mode.
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def connect_memory() -> Connection:
    """A private in-memory database with SpatiaLite (for lookups that need no workspace)."""
    conn = sqlite.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite.Row
    _load_spatialite(conn)
    return conn


# Parameters one INSERT statement of :func:`insert_rows` binds at most: SQLite's default bound since 3.32
# (SQLITE_MAX_VARIABLE_NUMBER); a connection that allows fewer is given fewer.
INSERT_PARAMETERS = 32_766


def insert_rows(conn: Connection, head: str, rows: Sequence[Sequence[Any]]) -> None:
    """``head`` (``INSERT [OR ...] INTO table (columns)``) for each of ``rows``, in that order, as statements of
    many rows each (``VALUES (?, ?), (?, ?), ...``): what ``executemany`` stores, but each statement steps
    through its rows outside the GIL, where ``executemany`` takes the GIL back for every row (next to a busy
    Python thread, it waits for it each time: 50,000 cases took 11 s that way, 1 s in statements of
    1,000 rows)."""
    if not rows:
        return
    width = len(rows[0])
    limit = INSERT_PARAMETERS
    if hasattr(conn, "getlimit"):  # Python 3.11: the bound this SQLite was built with
        limit = min(limit, conn.getlimit(sqlite.SQLITE_LIMIT_VARIABLE_NUMBER))
    per_statement = max(1, limit // width)
    one = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        conn.execute(f"{head} VALUES {', '.join([one] * len(chunk))}", [value for row in chunk for value in row])


_savepoint_ids = itertools.count(1)


@contextlib.contextmanager
def atomic(conn: Connection) -> Iterator[Connection]:
    """Run a block in one transaction; nested blocks become savepoints. What a rolled-back block noted
    for the change journal (:mod:`inspector.store.changes`) is forgotten with its writes."""
    noted = changes.mark(conn)
    if conn.in_transaction:
        name = f"sp_{next(_savepoint_ids)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            changes.rewind(conn, noted)
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        changes.rewind(conn, noted)
        raise
    conn.execute("COMMIT")


def execute_script(conn: Connection, script: str) -> None:
    """Run several statements inside the current transaction.

    ``executescript`` would commit a pending transaction first; this does not.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:80]}")


def backup_to(conn: Connection, target: str | os.PathLike[str]) -> Path:
    """Copy a live database to ``target`` with the online backup API."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    dest = sqlite.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target
