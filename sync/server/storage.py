"""The sync server's database, behind SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

Tables:

- ``users`` (name, role, jurisdiction adcode, scrypt password hash),
  ``user_profiles`` (a user's display name: a table of its own, so that
  databases made before it gain it by ``create_all`` without altering
  ``users``) and ``tokens`` (SHA-256 of a random bearer token; revocable);
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
- ``blobs`` (assembled, verified files), ``blob_pack_entries`` (where a blob
  that came in a bundle lives in a pack file, see :mod:`sync.server.blob_packs`), ``blob_uploads`` (who uploaded each
  blob, and from which jurisdiction: what decides who may see it, see
  :mod:`sync.server.blob_access`) and ``chunked_uploads`` (each user's chunked
  uploads in progress, with their manifest; the ``uploads`` table of earlier
  versions is no longer read: uploads then in progress start again);
- ``login_throttle`` (failed logins per user name and per address, and the
  backoff they earned) and ``security_events`` (failed, blocked and successful
  logins, password changes, revoked tokens), shared by every server process.
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
import sqlite3
import threading
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

user_profiles = sa.Table(
    "user_profiles", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
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

blob_uploads = sa.Table(
    "blob_uploads", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("jurisdiction", sa.String(6), primary_key=True),  # the uploader's jurisdiction at the time
    sa.Column("uploaded_at", sa.String(32), nullable=False),
)

blob_pack_entries = sa.Table(  # where a blob stored in a pack file lives (sync.server.blob_packs)
    "blob_pack_entries", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("pack", sa.String(80), nullable=False, index=True),  # the pack's file name under DIR/packs/
    sa.Column("start", sa.BigInteger, nullable=False),  # byte offset in the pack
    sa.Column("size", sa.BigInteger, nullable=False),  # bytes
)

chunked_uploads = sa.Table(  # keyed by user: one user's upload never shows, resumes or resets another's
    "chunked_uploads", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("chunk_size", sa.Integer, nullable=False),
    sa.Column("chunk_hashes", sa.Text, nullable=False),
    sa.Column("started_at", sa.String(32), nullable=False),
)

login_throttle = sa.Table(
    "login_throttle", metadata,
    sa.Column("scope", sa.String(10), primary_key=True),  # "user" (the name tried) or "address" (the client's)
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),  # consecutive failed logins
    sa.Column("last_failure_s", sa.Float, nullable=False),  # Unix time (s) of the last one
    sa.Column("blocked_until_s", sa.Float, nullable=False),  # Unix time (s) before which logins are refused
    sa.Column("refused", sa.Integer, nullable=False),  # logins refused (429) while blocked
)

security_events = sa.Table(
    "security_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("user_name", sa.String(200)),
    sa.Column("address", sa.String(64)),
    sa.Column("detail", sa.Text),
)

records_by_blob = sa.Index("records_blob", records.c.blob_sha256)  # who may read a blob: its evidence


def server_now() -> str:
    """The server's UTC time, ISO 8601 with microseconds and a ``Z``."""
    return utc_text(dt.datetime.now(dt.timezone.utc))


def utc_text(moment: dt.datetime) -> str:
    """A UTC time as the server stores it: always the same width, so texts compare like the times."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Storage:
    """The server database: an engine, the schema and transaction helpers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._sqlite_writers = threading.RLock()  # see write()
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
        self._create_blob_index()
        with self.engine.begin() as conn:
            if conn.execute(sa.select(counters.c.value).where(counters.c.name == "seq")).first() is None:
                conn.execute(counters.insert().values(name="seq", value=0))
        self._adopt_earlier_blobs()

    def _create_blob_index(self) -> None:
        """The index of evidence by blob, also in databases made before it existed."""
        try:
            with self.engine.begin() as conn:
                records_by_blob.create(conn, checkfirst=True)
        except sa.exc.DatabaseError:  # fine if another server process starting at the same moment made it
            if records_by_blob.name not in {i["name"] for i in sa.inspect(self.engine).get_indexes("records")}:
                raise

    def _adopt_earlier_blobs(self) -> None:
        """Blobs stored before uploads were recorded per user count as uploaded by their ``uploaded_by``
        user from that user's jurisdiction, so their evidence stays readable (a no-op once done)."""
        orphan = ~sa.exists().where(blob_uploads.c.sha256 == blobs.c.sha256)
        adopted = sa.select(blobs.c.sha256, users.c.id, users.c.jurisdiction, blobs.c.stored_at) \
            .join(users, users.c.name == blobs.c.uploaded_by).where(orphan)
        try:
            with self.write() as conn:
                conn.execute(blob_uploads.insert().from_select(
                    ["sha256", "user_id", "jurisdiction", "uploaded_at"], adopted))
        except sa.exc.IntegrityError:  # another server process starting at the same moment did it
            pass

    @classmethod
    def for_data_dir(cls, data_dir: Path, url: str | None = None) -> "Storage":
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(url or f"sqlite:///{(data_dir / 'server.sqlite').resolve()}")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction; on SQLite it holds the database's write lock from its start. The threads of
        one process queue for SQLite's lock on a process lock first: SQLite's own wait polls with sleeps of up
        to 100 ms, a queue hands the lock on at once (other processes still wait on SQLite's)."""
        with self._sqlite_writers if self.is_sqlite else contextlib.nullcontext():
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


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:  # SQLAlchemy's SQLite driver: sqlite3
    dbapi_conn.isolation_level = None  # the driver issues no BEGIN of its own: _sqlite_begin does
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def insert_new(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose primary key is not taken yet (others, perhaps inserted by a concurrent
    transaction, are left as they are)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert
        conn.execute(postgresql_insert(table).on_conflict_do_nothing(), rows)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        conn.execute(sqlite_insert(table).on_conflict_do_nothing(), rows)


def _sqlite_begin(conn: Connection) -> None:
    """``BEGIN IMMEDIATE`` for write transactions (the write lock at once, so a read inside one cannot go stale
    and two processes never interleave), a deferred ``BEGIN`` (a consistent snapshot) for reads."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def next_seq(conn: Connection) -> int:
    """Draw the next global change number (locks the counter row until commit)."""
    conn.execute(counters.update().where(counters.c.name == "seq").values(value=counters.c.value + 1))
    return int(conn.execute(sa.select(counters.c.value).where(counters.c.name == "seq")).scalar_one())
