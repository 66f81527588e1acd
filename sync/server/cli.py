"""``inspector-server``: run the reference sync server and administer its data directory.

::

    inspector-server --data DIR serve --host 127.0.0.1 --port N [--db URL] [--workers N]
                                      [--blobs s3://BUCKET?endpoint=URL] [--s3-credentials FILE]
                                      [--ssl-certfile F --ssl-keyfile F] [--token-ttl-hours H] [--openapi]
    inspector-server --data DIR add-user NAME --role inspector|reviewer|admin --jurisdiction ADCODE
                                [--name 显示名] --password-stdin
    inspector-server --data DIR revoke-tokens NAME
    inspector-server --data DIR publish-ledger FILE
    inspector-server --data DIR publish-zones FILE [--crs EPSG:n] [--encoding E] [--map k=F,...] [--kind K] [--layer L]
    inspector-server --data DIR check-records
    inspector-server --data DIR purge-record UUID --reason TEXT [--by NAME]
    inspector-server --data DIR verify-blobs
    inspector-server --data DIR compact-blobs

The database is SQLite in ``DIR/server.sqlite`` unless ``--db`` names another
(e.g. ``postgresql+psycopg://user@127.0.0.1:5432/db``); the evidence lives in
``DIR`` unless ``--blobs`` names an S3-compatible object store (credentials
from ``--s3-credentials FILE`` or the environment, see
:mod:`sync.server.s3_backend`; never on the command line). Each of these given
once is remembered in ``DIR/server.json`` for later commands (the credentials
file by its path only). Output is one JSON
document; exit code 2 for bad input. ``publish-zones`` also publishes a new
version of every changed zone layer, which devices download on their next sync.
``add-user`` on an existing user changes their password (and role and
jurisdiction) and revokes every token they hold. Tokens expire
``--token-ttl-hours`` after login (default 12); ``--openapi`` serves the API's
OpenAPI document at ``/openapi.json`` with ``/docs`` and ``/redoc`` (off by
default).
``serve --workers N`` runs N API processes (uvicorn workers) over the same
data directory and database; every lock lives in the database.
``verify-blobs`` reads every stored blob back and checks it against its SHA-256 and size (exit 2 when any
fails); with the data directory's pack files it also reports the bytes no index names (a torn tail after a
crash, never served), which ``compact-blobs`` reclaims (see :mod:`sync.server.blob_packs`).
``check-records`` lists the stored records that fail the current record
schema (``[{"uuid", "kind", "reason"}]``) and ``purge-record`` archives one
verbatim and leaves a bare tombstone (see :mod:`sync.server.purge`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

from inspector.casework.statuses import ROLES  # the workflow's roles, without importing its rules

CONFIG_NAME = "server.json"
DATA_DIR_ENV = "INSPECTOR_SERVER_DATA"  # the data directory, for the worker processes of serve --workers
APP_OPTIONS_ENV = "INSPECTOR_SERVER_APP_OPTIONS"  # serve's options for create_app, as JSON, for the workers
WORKER_APP = "sync.server.cli:worker_app"  # what each worker process imports and calls


CONFIG_KEYS = ("db", "blobs", "s3_credentials")  # what server.json remembers


def server_config(data_dir: Path, **given: Optional[str]) -> dict[str, Optional[str]]:
    """The ``--db``, ``--blobs`` and ``--s3-credentials`` settings: those given now, remembered in the data
    directory's ``server.json``, over those remembered earlier (``None``: the default)."""
    config = data_dir / CONFIG_NAME
    known: dict[str, Optional[str]] = dict.fromkeys(CONFIG_KEYS)
    if config.is_file():
        known.update({k: v for k, v in json.loads(config.read_text(encoding="utf-8")).items() if k in CONFIG_KEYS})
    fresh = {key: value for key, value in given.items() if value}
    if fresh:
        if fresh.get("blobs"):
            from sync.server.blob_backends import open_backend

            open_backend(data_dir, fresh["blobs"], fresh.get("s3_credentials") or known["s3_credentials"]).close()
        known.update(fresh)
        data_dir.mkdir(parents=True, exist_ok=True)
        config.write_text(json.dumps({k: v for k, v in known.items() if v}), encoding="utf-8")
    return known


def build_parser() -> argparse.ArgumentParser:
    from sync.server.auth import DEFAULT_TOKEN_TTL_HOURS

    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: SQLite in DIR)")
    db_parent.add_argument("--blobs", metavar="URL",
                           help="evidence store: s3://BUCKET?endpoint=https://HOST:PORT[&region=R][&ca=FILE] "
                                "(default: DIR)")
    db_parent.add_argument("--s3-credentials", metavar="FILE",
                           help="AWS-format credentials file for --blobs (default: AWS_ACCESS_KEY_ID and "
                                "AWS_SECRET_ACCESS_KEY from the environment)")
    parser = argparse.ArgumentParser(prog="inspector-server", description="绿盾 Inspector sync server")
    parser.add_argument("--data", required=True, metavar="DIR", help="server data directory")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", parents=[db_parent], help="run the HTTP(S) server",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run the API. Every process is stateless: users, tokens, login throttling, upload sessions, "
                    "records, sequence numbers and locks live in the database, evidence and zone layers in the "
                    "blob store.\n\nSeveral machines (behind a load balancer) serve as one when each runs\n"
                    "  inspector-server --data DIR serve --db postgresql+psycopg://USER@DBHOST/DB \\\n"
                    "      --blobs 's3://BUCKET?endpoint=https://S3HOST' --workers N\n"
                    "with the same --db and --blobs (credentials in the environment or --s3-credentials FILE); "
                    "DIR then holds only server.json. Publish ledgers and zones from one admin machine.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--ssl-certfile")
    serve.add_argument("--ssl-keyfile")
    serve.add_argument("--token-ttl-hours", type=float, default=DEFAULT_TOKEN_TTL_HOURS, metavar="H",
                       help=f"hours a login token stays valid (default {DEFAULT_TOKEN_TTL_HOURS:g})")
    serve.add_argument("--openapi", action="store_true",
                       help="serve the OpenAPI document (/openapi.json, /docs, /redoc)")
    serve.add_argument("--workers", type=int, default=1, metavar="N", help="API worker processes (default 1)")

    user = commands.add_parser("add-user", parents=[db_parent],
                               help="create a user, or update one (a new password revokes their tokens)")
    user.add_argument("name")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--jurisdiction", required=True, metavar="ADCODE")
    user.add_argument("--name", dest="display_name", metavar="显示名",
                      help="the name printed on forms and shown in history (default: the account name)")
    user.add_argument("--password-stdin", action="store_true", required=True,
                      help="read the password from the first line of standard input")

    revoke = commands.add_parser("revoke-tokens", parents=[db_parent], help="revoke every token of a user")
    revoke.add_argument("name")

    ledger = commands.add_parser("publish-ledger", parents=[db_parent], help="import and publish a ledger")
    ledger.add_argument("file")

    zones = commands.add_parser("publish-zones", parents=[db_parent],
                                help="import zones, re-publish cases, publish the zone layers devices download")
    zones.add_argument("file")
    zones.add_argument("--crs")
    zones.add_argument("--encoding")
    zones.add_argument("--map", dest="field_map", metavar="KEY=FIELD,...")
    zones.add_argument("--kind")
    zones.add_argument("--layer")

    commands.add_parser("verify-blobs", parents=[db_parent],
                        help="check every stored blob against its SHA-256 (exit 2 when any fails)")
    commands.add_parser("compact-blobs", parents=[db_parent],
                        help="reclaim pack file bytes no index names (torn tails, packs a crash left unindexed)")
    commands.add_parser("check-records", parents=[db_parent],
                        help="list stored records that fail the current record schema")
    purge = commands.add_parser("purge-record", parents=[db_parent],
                                help="archive a stored record verbatim and replace it by a bare tombstone")
    purge.add_argument("uuid")
    purge.add_argument("--reason", required=True, help="why (kept with the archived record)")
    purge.add_argument("--by", metavar="NAME", help="who purges (default: the login running this command)")
    assign = commands.add_parser("assign-case-no", parents=[db_parent],
                                 help="give a case found in the field its official 问题编号 (devices take it on sync)")
    assign.add_argument("case", metavar="CASE", help="the case's current number (e.g. 临-…) or its UUID")
    assign.add_argument("official", metavar="OFFICIAL", help="the official 问题编号")
    assign.add_argument("--by", metavar="NAME", help="who gives it (default: the login running this command)")
    export = commands.add_parser("export-ledger", parents=[db_parent],
                                 help="export the ledger with its progress (.xlsx / .csv / .gpkg) for a jurisdiction")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument("--jurisdiction", metavar="ADCODE", help="a city or county adcode (default: the province)")
    export.add_argument("--encoding", help="CSV text encoding: utf-8 (with BOM, the default) or gbk")
    return parser


def serve_app(app: Any, *, host: str, port: int, ssl_certfile: Optional[str] = None,
              ssl_keyfile: Optional[str] = None, workers: int = 1) -> None:
    """Run an ASGI app the way ``serve`` does (uvicorn picks httptools and uvloop when installed: the
    ``server`` extra brings them); returns when the server stops. With several ``workers``, ``app`` is the
    import string of an app factory, which each worker process calls."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                log_level="warning", timeout_keep_alive=30, workers=workers, factory=workers > 1)


def worker_app() -> Any:
    """The API of one worker process of ``serve --workers N``: the data directory and serve's options come from
    the environment (``INSPECTOR_SERVER_DATA``, ``INSPECTOR_SERVER_APP_OPTIONS``), the database URL from that
    directory's ``server.json``."""
    from sync.server.app import create_app

    data_dir = Path(os.environ[DATA_DIR_ENV])
    config = server_config(data_dir)
    return create_app(data_dir, config["db"], blobs_url=config["blobs"], s3_credentials=config["s3_credentials"],
                      **json.loads(os.environ.get(APP_OPTIONS_ENV, "{}")))


def _serve(args: argparse.Namespace, data_dir: Path, config: dict[str, Optional[str]]) -> dict[str, Any]:
    from sync.server.app import create_app
    from sync.server.storage import Storage

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise ValueError("give both --ssl-certfile and --ssl-keyfile, or neither")
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    app_options = {"token_ttl_hours": args.token_ttl_hours, "openapi": args.openapi}
    options = {"host": args.host, "port": args.port, "ssl_certfile": args.ssl_certfile,
               "ssl_keyfile": args.ssl_keyfile}
    url = config["db"]
    if args.workers == 1:
        serve_app(create_app(data_dir, url, blobs_url=config["blobs"], s3_credentials=config["s3_credentials"],
                             **app_options), **options)
    else:
        Storage.for_data_dir(data_dir, url).dispose()  # the schema, made once before the workers start
        os.environ[DATA_DIR_ENV] = str(data_dir.resolve())
        os.environ[APP_OPTIONS_ENV] = json.dumps(app_options)
        serve_app(WORKER_APP, workers=args.workers, **options)
    return {"stopped": True}


def run(args: argparse.Namespace) -> Any:
    data_dir = Path(args.data)
    config = server_config(data_dir, db=args.db, blobs=args.blobs, s3_credentials=args.s3_credentials)
    if args.command == "serve":
        return _serve(args, data_dir, config)
    from sync.server.blob_backends import open_backend
    from sync.server.storage import Storage

    storage = Storage.for_data_dir(data_dir, config["db"])
    try:
        if args.command in ("verify-blobs", "compact-blobs"):
            from sync.server.blob_store import BlobStore

            store = BlobStore(open_backend(data_dir, config["blobs"], config["s3_credentials"]), storage)
            try:
                return store.verify() if args.command == "verify-blobs" else store.compact()
            finally:
                store.close()
        if args.command == "add-user":
            from sync.server.auth import add_user

            password = sys.stdin.readline().rstrip("\r\n")
            user = add_user(storage, args.name, args.role, args.jurisdiction, password, args.display_name)
            return {"user": user.name, "role": user.role, "jurisdiction": user.jurisdiction,
                    "name": user.display_name or user.name}
        if args.command == "revoke-tokens":
            from sync.server.auth import revoke_tokens

            return {"user": args.name, "revoked": revoke_tokens(storage, args.name)}
        if args.command in ("check-records", "purge-record"):
            from sync.server import purge

            if args.command == "check-records":
                return purge.invalid_records(storage)
            return purge.purge_record(storage, args.uuid, args.reason, args.by or purge.default_purger())
        if args.command == "assign-case-no":
            from sync.server import purge
            from sync.server.field_cases import assign_case_no

            with storage.write() as conn:
                return assign_case_no(conn, None, args.case, args.official, by=args.by or purge.default_purger())
        if args.command == "export-ledger":
            from sync.server.ledger_export import export_scope, export_server_ledger

            return export_server_ledger(data_dir, storage, Path(args.output), export_scope(args.jurisdiction),
                                        encoding=args.encoding).as_dict()
        from sync.server import publish

        if args.command == "publish-ledger":
            return publish.publish_ledger(data_dir, storage, Path(args.file))
        from inspector.importers.zone_import import parse_field_map

        backend = open_backend(data_dir, config["blobs"], config["s3_credentials"])
        try:
            return publish.publish_zones(data_dir, storage, Path(args.file), backend=backend, crs=args.crs,
                                         encoding=args.encoding, field_map=parse_field_map(args.field_map),
                                         kind=args.kind, layer=args.layer)
        finally:
            backend.close()
    finally:
        storage.dispose()


def main(argv: Optional[list[str]] = None) -> int:
    from inspector.errors import InspectorError

    args = build_parser().parse_args(argv)
    try:
        result = run(args)
    except (ValueError, InspectorError) as exc:
        print(f"inspector-server: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")
    return 2 if args.command == "verify-blobs" and result["failed"] else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
