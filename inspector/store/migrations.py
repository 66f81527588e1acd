"""Numbered schema migrations, applied by ``PRAGMA user_version``.

Each migration runs in one transaction, after a backup copy of the database
made with the SQLite backup API (``backups/workspace-v{N}-{time}.sqlite``).
Add a migration by appending a function to :data:`MIGRATIONS`; never edit one
that has shipped.

Change tracking for sync is designed in from the start: every record that
syncs carries ``uuid`` (made on the device), ``revision`` (bumped on each
local edit), ``base_revision`` (the server revision it was edited from, NULL
if never synced), ``server_seq``, ``dirty`` (not yet pushed) and ``deleted``
(a tombstone: rows are never removed while sync may need them).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable

from inspector.store.db import Connection, atomic, backup_to, execute_script

# EPSG codes the workspace needs: CGCS2000 geographic, its 3-degree
# Gauss-Krüger zones (with and without zone prefix), WGS84 and Web Mercator.
WORKSPACE_SRIDS = (4490, 4326, 3857, 4527, 4528, 4529, 4548, 4549, 4550)

SYNC_COLUMNS = """
    uuid TEXT NOT NULL UNIQUE,
    revision INTEGER NOT NULL DEFAULT 1,
    base_revision INTEGER,
    server_seq INTEGER,
    dirty INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
"""


def _v1_base(conn: Connection) -> None:
    conn.execute("SELECT InitSpatialMetadata(0, 'NONE')")
    for srid in WORKSPACE_SRIDS:
        conn.execute("SELECT InsertEpsgSrid(?)", (srid,))
    execute_script(conn,
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE admin_areas (
            adcode TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
            parent_adcode TEXT
        );

        CREATE TABLE zones (
            id INTEGER PRIMARY KEY,
            layer_key TEXT NOT NULL,
            feature_key TEXT NOT NULL,
            code TEXT,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            category TEXT,
            function_zone TEXT,
            level TEXT,
            adcode TEXT,
            area_km2 REAL,
            source_file TEXT NOT NULL,
            source_fid INTEGER,
            attributes TEXT NOT NULL DEFAULT '{{}}',
            repaired TEXT,
            content_hash TEXT NOT NULL,
            {SYNC_COLUMNS},
            UNIQUE (layer_key, feature_key)
        );
        CREATE INDEX zones_code ON zones (code);

        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            case_no TEXT NOT NULL UNIQUE,
            ledger_zone_name TEXT,
            ledger_function_zone TEXT,
            problem_type TEXT,
            description TEXT,
            lon REAL NOT NULL,
            lat REAL NOT NULL,
            discovered_on TEXT,
            deadline TEXT,
            responsible_unit TEXT,
            clue_source TEXT,
            ledger_city TEXT,
            ledger_county TEXT,
            area_m2 REAL,
            status TEXT NOT NULL DEFAULT '待核查',
            city_adcode TEXT,
            county_adcode TEXT,
            nearest_zone_id INTEGER REFERENCES zones (id),
            nearest_distance_m REAL,
            attributed_generation INTEGER,
            source_file TEXT,
            source_sheet TEXT,
            source_row INTEGER,
            source_record TEXT,
            ledger_hash TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX cases_status ON cases (status);
        CREATE INDEX cases_position ON cases (lon, lat);
        CREATE INDEX cases_city ON cases (city_adcode);

        CREATE TABLE case_zones (
            case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
            zone_id INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
            PRIMARY KEY (case_id, zone_id)
        ) WITHOUT ROWID;
        CREATE INDEX case_zones_zone ON case_zones (zone_id);

        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('zones', 'ledger')),
            source_file TEXT NOT NULL,
            started_at TEXT NOT NULL,
            summary TEXT NOT NULL
        );

        CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )
    conn.execute("SELECT AddGeometryColumn('admin_areas', 'geom', 4490, 'MULTIPOLYGON', 'XY', 1)")
    conn.execute("SELECT AddGeometryColumn('zones', 'geom', 4490, 'MULTIPOLYGON', 'XY', 1)")
    # Cases are points: lon/lat columns (CGCS2000) with a B-tree index serve
    # bounding-box queries; a registered geometry column's triggers and R-tree
    # would cost more than the whole rest of a ledger import.
    for table in ("admin_areas", "zones"):
        conn.execute("SELECT CreateSpatialIndex(?, 'geom')", (table,))


def _v2_case_search_text(conn: Connection) -> None:
    """One searchable text per case for substring search (LIKE '%养殖%').

    A virtual generated column: always consistent, nothing to maintain on
    import. (FTS5's trigram tokenizer cannot match the two-character words
    common in Chinese queries, and slowed bulk imports.)
    """
    conn.execute(
        "ALTER TABLE cases ADD COLUMN search_text TEXT GENERATED ALWAYS AS ("
        "case_no || ' ' || coalesce(ledger_zone_name, '') || ' ' || coalesce(problem_type, '') || ' ' "
        "|| coalesce(description, '') || ' ' || coalesce(responsible_unit, '') || ' ' "
        "|| coalesce(ledger_city, '') || ' ' || coalesce(ledger_county, '')) VIRTUAL"
    )


def _v3_evidence_workflow_audit(conn: Connection) -> None:
    """Findings, evidence (content-addressed media), rectification, closure checklists,
    workflow transitions and the append-only, hash-chained audit log.

    Times are UTC ISO 8601 (``...Z``). JSON columns hold lists/objects as text.
    ``audit_log`` refuses UPDATE and DELETE through triggers.
    """
    execute_script(conn,
        f"""
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            inspector TEXT,
            observed_at_utc TEXT NOT NULL,
            lon REAL,
            lat REAL,
            position_source TEXT CHECK (position_source IN ('device_gps', 'photo_exif', 'map_pick', 'ledger')),
            accuracy_m REAL,
            activity_type TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            area_m2 REAL,
            area_is_estimate INTEGER NOT NULL DEFAULT 1,
            assessment TEXT NOT NULL CHECK (assessment IN ('确认问题', '排除', '待定')),
            basis TEXT,
            function_zone TEXT,
            zones TEXT NOT NULL DEFAULT '[]',
            {SYNC_COLUMNS}
        );
        CREATE INDEX findings_case ON findings (case_id);

        CREATE TABLE media_blobs (
            sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            size INTEGER NOT NULL,
            mime TEXT,
            stored_at TEXT NOT NULL
        );

        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            finding_id INTEGER REFERENCES findings (id),
            sha256 TEXT NOT NULL REFERENCES media_blobs (sha256),
            kind TEXT NOT NULL CHECK (kind IN ('photo', 'drone', 'orthophoto')),
            phase TEXT NOT NULL CHECK (phase IN ('inspection', 'before', 'after')),
            original_name TEXT,
            lon REAL,
            lat REAL,
            altitude_m REAL,
            bearing_deg REAL,
            bearing_ref TEXT,
            taken_at_utc TEXT,
            make TEXT,
            model TEXT,
            flags TEXT NOT NULL DEFAULT '[]',
            metadata TEXT NOT NULL DEFAULT '{{}}',
            zones TEXT NOT NULL DEFAULT '[]',
            function_zone TEXT,
            footprint_geojson TEXT,
            footprint_area_m2 REAL,
            footprint_zones TEXT NOT NULL DEFAULT '[]',
            bounds TEXT,
            {SYNC_COLUMNS}
        );
        CREATE INDEX evidence_case ON evidence (case_id, phase);
        CREATE INDEX evidence_sha ON evidence (sha256);

        CREATE TABLE rectifications (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            measure_type TEXT NOT NULL CHECK (measure_type IN ('退出', '整治', '生态修复')),
            measures TEXT NOT NULL DEFAULT '',
            deadline TEXT,
            responsible_unit TEXT,
            responsible_person TEXT,
            progress_notes TEXT NOT NULL DEFAULT '[]',
            {SYNC_COLUMNS}
        );
        CREATE INDEX rectifications_case ON rectifications (case_id);

        CREATE TABLE closure_checklists (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL UNIQUE REFERENCES cases (id),
            water_cut INTEGER NOT NULL DEFAULT 0,
            power_cut INTEGER NOT NULL DEFAULT 0,
            materials_cleared INTEGER NOT NULL DEFAULT 0,
            products_cleared INTEGER NOT NULL DEFAULT 0,
            equipment_cleared INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            {SYNC_COLUMNS}
        );

        CREATE TABLE transitions (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            action TEXT NOT NULL,
            from_state TEXT NOT NULL,
            to_state TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('inspector', 'reviewer', 'admin')),
            reason TEXT,
            at_utc TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX transitions_case ON transitions (case_id, id);

        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            at_utc TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_uuid TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            evidence_hashes TEXT NOT NULL DEFAULT '[]',
            prev_hash TEXT NOT NULL,
            entry_hash TEXT NOT NULL
        );
        CREATE INDEX audit_log_record ON audit_log (table_name, record_uuid, seq);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """
    )


def _v4_sync_bookkeeping(conn: Connection) -> None:
    """What the sync client keeps between runs (the pull cursor lives in ``sync_state``).

    ``sync_outbox``: push batches written before they are sent, so a batch
    whose acknowledgement was lost is re-sent with the same operation id.
    ``sync_blob_uploads``: blobs whose full SHA-256 the server confirmed.
    ``sync_conflicts``: records the server refused as conflicting, until a
    later sync applies or supersedes them.
    """
    execute_script(conn,
        """
        CREATE TABLE sync_outbox (
            operation_id TEXT PRIMARY KEY,
            server_url TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE sync_blob_uploads (
            server_url TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            confirmed_at TEXT NOT NULL,
            PRIMARY KEY (server_url, sha256)
        );
        CREATE TABLE sync_conflicts (
            record_uuid TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            reason TEXT,
            conflict_id INTEGER,
            server_revision INTEGER,
            reported_at TEXT NOT NULL
        );
        """
    )


def _v5_sync_quarantine(conn: Connection) -> None:
    """Pulled records this device could not apply, and server tombstones it had no record for.

    ``sync_quarantine``: one row per server record a pull could not apply
    (a constraint, a missing or quarantined parent, a malformed value, an
    unknown kind), with the server's content verbatim (JSON), the reason in
    Chinese and English, the parent it waits for, and when it was first and
    last seen. It leaves the quarantine when a revision of it applies.
    ``sync_skipped_tombstones``: deletions pulled for records this device
    never held (nothing is inserted for them); the end-of-sync check reports
    them as known at that server revision.
    """
    execute_script(conn,
        """
        CREATE TABLE sync_quarantine (
            server_url TEXT NOT NULL,
            record_uuid TEXT NOT NULL,
            kind TEXT NOT NULL,
            server_revision INTEGER NOT NULL,
            server_seq INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            content TEXT NOT NULL,
            resolves TEXT,
            reason_zh TEXT NOT NULL,
            reason_en TEXT NOT NULL,
            waiting_for TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (server_url, record_uuid)
        );
        CREATE INDEX sync_quarantine_waiting ON sync_quarantine (server_url, waiting_for);
        CREATE TABLE sync_skipped_tombstones (
            server_url TEXT NOT NULL,
            record_uuid TEXT NOT NULL,
            kind TEXT NOT NULL,
            server_revision INTEGER NOT NULL,
            skipped_at TEXT NOT NULL,
            PRIMARY KEY (server_url, record_uuid)
        );
        """
    )


def _v6_accounts(conn: Connection) -> None:
    """Local accounts, and who acted in which jurisdiction on each transition.

    ``accounts``: the local accounts of a standalone (bureau) workspace: name,
    display name, roles (JSON list), jurisdiction adcode and the scrypt hash of
    the password (:mod:`inspector.accounts.passwords`). Accounts of a server
    are not kept here: they come from the server's login.
    ``transitions`` gain ``actor_name`` (the display name) and ``jurisdiction``
    (the adcode the actor acted for); rows recorded before have neither.
    A workspace already logged in to a sync server belongs to that server
    account (meta ``accounts.server_owner``, see :mod:`inspector.accounts.sign_in`).
    """
    execute_script(conn,
        """
        CREATE TABLE accounts (
            name TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            roles TEXT NOT NULL,
            jurisdiction TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        ALTER TABLE transitions ADD COLUMN actor_name TEXT;
        ALTER TABLE transitions ADD COLUMN jurisdiction TEXT;
        INSERT INTO meta (key, value)
            SELECT 'accounts.server_owner', json_object('server', rtrim(url.value, '/'), 'user', who.value)
            FROM meta AS url JOIN meta AS who ON url.key = 'sync.server_url' AND who.key = 'sync.user'
            WHERE url.value <> '' AND who.value <> '';
        """
    )



# Evidence kinds before and after v7 (the evidence table's CHECK constraint).
_V3_EVIDENCE_KINDS_CHECK = "CHECK (kind IN ('photo', 'drone', 'orthophoto'))"
_V7_EVIDENCE_KINDS_CHECK = "CHECK (kind IN ('photo', 'drone', 'orthophoto', 'signature', 'document'))"


def _rebuild_table(conn: Connection, table: str, old_clause: str, new_clause: str) -> None:
    """Change one clause of ``table``'s definition by SQLite's table-rebuild procedure: a new table from the
    stored definition with the clause replaced, every row copied (ids kept), the old table dropped, the new
    one renamed, and the table's indexes and triggers made again from their stored definitions. Inside the
    migration's transaction; nothing references ``table`` by foreign key, so dropping it cascades nowhere."""
    definition = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (table,)).fetchone()[0]
    if old_clause not in definition:
        raise RuntimeError(f"{table}: clause to replace not found in its definition")
    companions = [row[0] for row in conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL "
        "ORDER BY type, name", (table,))]
    columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))
    rebuilt = f"{table}_v7_rebuild"
    new_definition = definition.replace(old_clause, new_clause, 1)
    head = re.match(r"\s*CREATE\s+TABLE\s+(\"?)" + re.escape(table) + r"\1", new_definition, re.IGNORECASE)
    if head is None:
        raise RuntimeError(f"{table}: unexpected definition")
    conn.execute(f"CREATE TABLE {rebuilt}" + new_definition[head.end():])
    conn.execute(f"INSERT INTO {rebuilt} ({columns}) SELECT {columns} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    for statement in companions:
        conn.execute(statement)


def _v7_countersigns_publicity_signatures(conn: Connection) -> None:
    """Countersigns (会签) and 公示 as synced records of a case; signatures and scanned documents as evidence.

    ``countersigns``: one department's sign-off on a case's closure — department, signer, date, opinion,
    the scanned document (an evidence record of kind ``document``, by UUID) and who recorded it.
    ``publicity``: a 公示 — its period (first and last day) and where it was published.
    ``evidence`` takes two more kinds (its CHECK constraint, by the table-rebuild procedure: every row, id,
    index and trigger kept): ``signature`` (a handwritten signature, PNG) and ``document`` (a scanned
    document), and three columns for signatures: ``signs_uuid`` (the transition, finding or countersign it
    signs), ``signer_role`` and ``signer_name``. So signatures and documents are stored, hashed, audited
    and synced exactly like photos.
    """
    _rebuild_table(conn, "evidence", _V3_EVIDENCE_KINDS_CHECK, _V7_EVIDENCE_KINDS_CHECK)
    execute_script(conn,
        f"""
        ALTER TABLE evidence ADD COLUMN signs_uuid TEXT;
        ALTER TABLE evidence ADD COLUMN signer_role TEXT CHECK (signer_role IN
            ('inspector', 'inspected_party', 'county', 'city', 'countersign'));
        ALTER TABLE evidence ADD COLUMN signer_name TEXT;
        CREATE INDEX evidence_signs ON evidence (signs_uuid) WHERE signs_uuid IS NOT NULL;

        CREATE TABLE countersigns (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            department TEXT NOT NULL CHECK (department IN ('自然资源', '林业', '水利', '农业农村', '其他')),
            signer TEXT NOT NULL,
            signed_on TEXT NOT NULL,
            opinion TEXT NOT NULL,
            document_uuid TEXT,
            recorded_by TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX countersigns_case ON countersigns (case_id);

        CREATE TABLE publicity (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL CHECK (ends_on >= starts_on),
            published_where TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX publicity_case ON publicity (case_id);
        """
    )


def _v8_case_extent(conn: Connection) -> None:
    """Cases with an extent: remote-sensing change patches (变化图斑) and problems found in the field.

    ``cases`` gain (all synced): ``geometry_geojson`` (the patch polygon as a GeoJSON Polygon/MultiPolygon in
    EPSG:4490; null for a point case — ``lon``/``lat`` stay the case's representative point, inside the
    polygon), ``reported_area_m2`` (the area the office or the remote-sensing centre reported, converted to
    m²; ``area_m2`` is the area computed from the polygon when there is one) and ``area_unit`` (the unit the
    office used: shown back in it), ``verified_geometry_geojson`` / ``verified_area_m2`` (the extent the
    inspector verified on site, 核实面积), ``patch_no`` (图斑编号), ``imaged_before`` / ``imaged_after`` (the
    two imaging dates, 前时相/后时相), ``change_type`` (变化类型) and ``origin`` (``ledger``, ``patch`` or
    ``field``: a problem recorded on a device, with a provisional number until the office gives one).
    ``case_zones`` (local attribution) gain ``overlap_m2`` and ``overlap_share`` (of the patch's area; null
    for a point case).
    """
    execute_script(conn,
        """
        ALTER TABLE cases ADD COLUMN geometry_geojson TEXT;
        ALTER TABLE cases ADD COLUMN reported_area_m2 REAL;
        ALTER TABLE cases ADD COLUMN area_unit TEXT;
        ALTER TABLE cases ADD COLUMN verified_geometry_geojson TEXT;
        ALTER TABLE cases ADD COLUMN verified_area_m2 REAL;
        ALTER TABLE cases ADD COLUMN patch_no TEXT;
        ALTER TABLE cases ADD COLUMN imaged_before TEXT;
        ALTER TABLE cases ADD COLUMN imaged_after TEXT;
        ALTER TABLE cases ADD COLUMN change_type TEXT;
        ALTER TABLE cases ADD COLUMN origin TEXT NOT NULL DEFAULT 'ledger'
            CHECK (origin IN ('ledger', 'patch', 'field'));
        CREATE INDEX cases_patch_no ON cases (patch_no) WHERE patch_no IS NOT NULL;
        ALTER TABLE case_zones ADD COLUMN overlap_m2 REAL;
        ALTER TABLE case_zones ADD COLUMN overlap_share REAL;
        """
    )


def _v9_document_types(conn: Connection) -> None:
    """Documents as evidence with a type: ``evidence.document_type`` (synced) — 整改方案, 批复文件, 验收报告,
    会签意见 or 其他 — on evidence of kind ``document`` attached as a document (a countersign's scanned document,
    recorded before this migration, keeps none)."""
    execute_script(conn,
        """
        ALTER TABLE evidence ADD COLUMN document_type TEXT
            CHECK (document_type IN ('整改方案', '批复文件', '验收报告', '会签意见', '其他'));
        """
    )


CORRECTED_TABLES = ("findings", "evidence", "rectifications")  # the records migration v10 makes correctable


def _v10_corrections(conn: Connection) -> None:
    """Corrections keep history: findings, evidence and rectifications can be edited or voided with a reason.

    Each of the three tables gains (all synced): ``recorded_by`` (the account that recorded it: who may
    correct it in the field; null for a record made before this migration), ``voided_at`` / ``voided_by`` /
    ``void_reason`` (a void: the row stays, shown struck through, left off forms, counts and workflow
    checks) and ``corrections`` (JSON list, append-only: every edit and void with who, when, why and each
    changed field's old and new value — the record's own history, which travels with it). ``evidence``
    also gains ``caption`` (a line the inspector writes under a photo). No existing row changes: the new
    columns hold their defaults, which the audit leaves out of a record's content
    (:data:`inspector.store.audit.LATER_COLUMN_DEFAULTS`), so every audit entry still matches. Written
    without reference to other migrations' columns, so it applies after any of them.
    """
    for table in CORRECTED_TABLES:
        execute_script(conn,
            f"""
            ALTER TABLE {table} ADD COLUMN recorded_by TEXT;
            ALTER TABLE {table} ADD COLUMN voided_at TEXT;
            ALTER TABLE {table} ADD COLUMN voided_by TEXT;
            ALTER TABLE {table} ADD COLUMN void_reason TEXT;
            ALTER TABLE {table} ADD COLUMN corrections TEXT NOT NULL DEFAULT '[]';
            """
        )
    conn.execute("ALTER TABLE evidence ADD COLUMN caption TEXT")


def _v11_form_evidence(conn: Connection) -> None:
    """The photos an inspector chose for a case's forms (``form_evidence``), a synced record of the case.

    One record per case and form (``form``: ``inspection`` or ``closure``), its UUID derived from the case's
    UUID and the form (:func:`inspector.casework.form_evidence.choice_uuid`), so two devices choosing for the
    same form edit one record and a disagreement is a sync conflict kept for review, never two choices.
    ``photos``: a JSON list of evidence UUIDs printed on their own, in order; ``pairs``: a JSON list of
    ``[before UUID, after UUID]`` printed side by side (the closure form). Both empty: nothing chosen, the form
    shows its default. ``chosen_by``: the account that made the choice.
    """
    execute_script(conn,
        f"""
        CREATE TABLE form_evidence (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases (id),
            form TEXT NOT NULL CHECK (form IN ('inspection', 'closure')),
            photos TEXT NOT NULL DEFAULT '[]',
            pairs TEXT NOT NULL DEFAULT '[]',
            chosen_by TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX form_evidence_case ON form_evidence (case_id, form);
        """
    )


def _v12_gnss_quality(conn: Connection) -> None:
    """GNSS quality beside a recorded position (issue 16): ``findings`` gain ``fix_type`` (a GGA fix type code of
    :data:`inspector.geo.gnss.FIX_TYPES`), ``satellites`` and ``hdop`` (``accuracy_m`` they have); ``evidence``
    gains the four (a photo taken or attached while a receiver was connected: the receiver's fix at that moment;
    the photo's own EXIF position stays the evidence position). All synced, all null for what came before."""
    execute_script(conn,
        """
        ALTER TABLE findings ADD COLUMN fix_type TEXT;
        ALTER TABLE findings ADD COLUMN satellites INTEGER;
        ALTER TABLE findings ADD COLUMN hdop REAL;
        ALTER TABLE evidence ADD COLUMN fix_type TEXT;
        ALTER TABLE evidence ADD COLUMN satellites INTEGER;
        ALTER TABLE evidence ADD COLUMN hdop REAL;
        ALTER TABLE evidence ADD COLUMN accuracy_m REAL;
        """
    )


def _v13_patrols(conn: Connection) -> None:
    """Routine patrols (常态化巡查) and their GNSS tracks; findings and cases recorded during one link to it.

    ``patrols`` (synced, audited): purpose, team members (JSON list of names), the area patrolled (free text)
    and the jurisdiction (adcode) it belongs to, ``status`` running/paused/ended, ``started_at``/``ended_at``,
    ``active_since`` (when the current running stretch began; null while paused or ended), ``distance_m``
    (geodesic sum over the track's segments) and ``duration_s`` (moving time: pauses excluded) as of the last
    pause or end, ``point_count``, ``track_sha256`` (the encoded track as a content-addressed blob, written at
    pause and end), ``source`` (``device`` or ``import``) and who recorded it.
    ``patrol_points``: the track, one row per accepted fix, committed one by one as they are logged (so a
    crash loses nothing logged); ``segment`` starts anew after each pause. Not a synced kind of its own: the
    points travel as the patrol's track blob.
    ``findings`` and ``cases`` gain ``patrol_uuid`` (the patrol in progress when they were recorded).
    """
    execute_script(conn,
        f"""
        CREATE TABLE patrols (
            id INTEGER PRIMARY KEY,
            purpose TEXT NOT NULL,
            team_members TEXT NOT NULL DEFAULT '[]',
            area TEXT,
            jurisdiction TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'ended')),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            active_since TEXT,
            distance_m REAL NOT NULL DEFAULT 0,
            duration_s REAL NOT NULL DEFAULT 0,
            point_count INTEGER NOT NULL DEFAULT 0,
            track_sha256 TEXT,
            source TEXT NOT NULL DEFAULT 'device' CHECK (source IN ('device', 'import')),
            recorded_by TEXT NOT NULL,
            recorded_by_name TEXT,
            {SYNC_COLUMNS}
        );
        CREATE INDEX patrols_status ON patrols (status) WHERE status <> 'ended';
        CREATE TABLE patrol_points (
            patrol_id INTEGER NOT NULL REFERENCES patrols (id),
            seq INTEGER NOT NULL,
            segment INTEGER NOT NULL,
            lon REAL NOT NULL,
            lat REAL NOT NULL,
            time_utc TEXT NOT NULL,
            fix_type TEXT,
            satellites INTEGER,
            hdop REAL,
            accuracy_m REAL,
            altitude_m REAL,
            PRIMARY KEY (patrol_id, seq)
        ) WITHOUT ROWID;
        ALTER TABLE findings ADD COLUMN patrol_uuid TEXT;
        ALTER TABLE cases ADD COLUMN patrol_uuid TEXT;
        """
    )


Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = [_v1_base, _v2_case_search_text, _v3_evidence_workflow_audit,
                               _v4_sync_bookkeeping, _v5_sync_quarantine, _v6_accounts,
                               _v7_countersigns_publicity_signatures, _v8_case_extent, _v9_document_types,
                               _v10_corrections, _v11_form_evidence, _v12_gnss_quality, _v13_patrols]
LATEST_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, db_path: Path, *, target: int = LATEST_VERSION) -> list[int]:
    """Apply pending migrations up to ``target``; return the versions applied.

    Before each migration of an existing database, a backup copy is written
    next to it under ``backups/``.
    """
    from inspector.errors import BadInput

    applied: list[int] = []
    version = current_version(conn)
    if version > LATEST_VERSION:
        raise BadInput(
            f"工作空间版本 {version} 比本程序支持的 {LATEST_VERSION} 新，请升级程序",
            f"workspace schema {version} is newer than this program supports ({LATEST_VERSION}); upgrade",
        )
    while version < target:
        if version > 0:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            backup_to(conn, db_path.parent / "backups" / f"workspace-v{version}-{stamp}.sqlite")
        migration = MIGRATIONS[version]
        with atomic(conn):
            migration(conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        version += 1
        applied.append(version)
    return applied
