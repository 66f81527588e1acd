"""The sync server's database, behind SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

Tables:

- ``users`` (name, role, jurisdiction adcode, scrypt password hash) and
  ``tokens`` (SHA-256 of a random bearer token; revocable);
- ``records``: the latest version of every synced record, with the
  jurisdiction the *server* assigned (a child record takes its case's), the
  server revision and ``server_seq``, a global change sequence drawn from the
  ``counters`` row (its row lock orders commits on PostgreSQL);
- ``push_ops``: the stored result of every push by operation id (idempotency);
- ``conflicts``: both versions of every refused edit, for reviewers, and
  ``conflict_resolutions``: how an office user decided each one (who, when,
  which version, the server revision that made);
- ``zone_layers``: every published version of every zone layer (its file
  lives under ``DIR/zone_layers/``, named by SHA-256);
- ``blobs`` (assembled, verified files) and ``uploads`` (chunked uploads in
  progress, with their manifest);
- ``purged_records``: the stored content of every record an administrator
  purged (``inspector-server purge-record``), verbatim, with who, when and why.

Every lock lives in the database, so any number of server processes behave
as one. A write transaction on SQLite begins with ``BEGIN IMMEDIATE``: it
holds the database's write lock from its first statement, so what it reads
stays current until it commits, and the change sequence is gap-free and
commit-ordered. On PostgreSQL a push locks the rows it decides on
(``SELECT … FOR UPDATE``) and the ``counters`` row orders commits; writers
take record rows before the counter, never the other way round.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("jurisdiction", sa.String(6), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32)),
)

records = sa.Table(
    "records", metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("case_uuid", sa.String(36)),
    sa.Column("finding_uuid", sa.String(36)),
    sa.Column("city_adcode", sa.String(6)),
    sa.Column("county_adcode", sa.String(6)),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("blob_sha256", sa.String(64)),
    sa.Column("server_seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Index("records_case", "case_uuid"),
    sa.Index("records_scope", "city_adcode", "county_adcode", "server_seq"),
)

counters = sa.Table(
    "counters", metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

push_ops = sa.Table(
    "push_ops", metadata,
    sa.Column("operation_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
)

conflicts = sa.Table(
    "conflicts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("uuid", sa.String(36), nullable=False, index=True),
    sa.Column("city_adcode", sa.String(6)),
    sa.Column("county_adcode", sa.String(6)),
    sa.Column("base_revision", sa.Integer),
    sa.Column("server_revision", sa.Integer, nullable=False),
    sa.Column("server_deleted", sa.Boolean, nullable=False),
    sa.Column("server_content", sa.Text, nullable=False),
    sa.Column("client_deleted", sa.Boolean, nullable=False),
    sa.Column("client_content", sa.Text, nullable=False),
    sa.Column("client_content_hash", sa.String(64), nullable=False),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("operation_id", sa.String(64), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("uuid", "base_revision", "client_content_hash", "client_deleted",
                        name="conflicts_once"),
)

conflict_resolutions = sa.Table(
    "conflict_resolutions", metadata,
    sa.Column("conflict_id", sa.Integer, sa.ForeignKey("conflicts.id"), primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, index=True),
    sa.Column("keep", sa.String(10), nullable=False),  # "server" or "client": whose version this conflict kept
    sa.Column("decided_in", sa.Integer, nullable=False),  # the conflict whose resolution closed this one
    sa.Column("revision", sa.Integer, nullable=False),  # the server revision the resolution made
    sa.Column("server_seq", sa.BigInteger, nullable=False),
    sa.Column("resolved_by", sa.String(100), nullable=False),
    sa.Column("resolved_at", sa.String(32), nullable=False),
)

zone_layers = sa.Table(
    "zone_layers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("layer_key", sa.Text, nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("features", sa.Integer, nullable=False),
    sa.Column("published_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("layer_key", "version", name="zone_layers_once"),
)

purged_records = sa.Table(
    "purged_records", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("city_adcode", sa.String(6)),
    sa.Column("county_adcode", sa.String(6)),
    sa.Column("revision", sa.Integer, nullable=False),  # the purged revision
    sa.Column("server_seq", sa.BigInteger, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("content", sa.Text, nullable=False),  # verbatim, as it was stored
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("purged_by", sa.String(100), nullable=False),
    sa.Column("purged_at", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

blobs = sa.Table(
    "blobs", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.String(100), nullable=False),
    sa.Column("stored_at", sa.String(32), nullable=False),
)

uploads = sa.Table(
    "uploads", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("chunk_size", sa.Integer, nullable=False),
    sa.Column("chunk_hashes", sa.Text, nullable=False),
    sa.Column("started_by", sa.String(100), nullable=False),
    sa.Column("started_at", sa.String(32), nullable=False),
)


def server_now() -> str:
    """The server's UTC time, ISO 8601 with microseconds and a ``Z``."""
    return dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")


class Storage:
    """The server database: an engine, the schema and transaction helpers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            options["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(url, **options)
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(counters.c.value).where(counters.c.name == "seq")).first() is None:
                conn.execute(counters.insert().values(name="seq", value=0))

    @classmethod
    def for_data_dir(cls, data_dir: Path, url: str | None = None) -> "Storage":
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(url or f"sqlite:///{(data_dir / 'server.sqlite').resolve()}")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction; on SQLite it holds the database's write lock from its start."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


WRITE_OPTION = "inspector_write"  # execution option of the connections Storage.write hands out


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the driver issues no BEGIN of its own: _sqlite_begin does
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """``BEGIN IMMEDIATE`` for write transactions (the write lock at once, so a read inside one cannot go stale
    and two processes never interleave), a deferred ``BEGIN`` (a consistent snapshot) for reads."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def next_seq(conn: Connection) -> int:
    """Draw the next global change number (locks the counter row until commit)."""
    conn.execute(counters.update().where(counters.c.name == "seq").values(value=counters.c.value + 1))
    return int(conn.execute(sa.select(counters.c.value).where(counters.c.name == "seq")).scalar_one())
