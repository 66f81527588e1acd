"""The reference sync server's HTTP API (FastAPI).

Every endpoint except ``/info`` and ``/login`` needs a bearer token that is
neither revoked nor older than the server's token lifetime, and every read
and write is scoped on the server by the token's user: role and jurisdiction
(see :mod:`sync.server.auth`). Records outside a user's jurisdiction are
indistinguishable from records that do not exist (404, or a ``rejected``
push result), so nothing about them leaks; the same holds for blobs, which
a user sees only as :mod:`sync.server.blob_access` decides. Failed logins
earn a backoff (429 with ``Retry-After``, :mod:`sync.server.login_guard`).
Integer parameters outside what the database stores are refused with 422.
Request bodies larger than the protocol's limits are refused with 413
before anything is stored. The OpenAPI document and its ``/docs`` and
``/redoc`` pages are served only when asked for (``serve --openapi``);
:meth:`FastAPI.openapi` builds the document either way.
Every response carries the server's UTC time in ``X-Server-Time``.
Conflict resolution is for reviewers and admins (403 for inspectors); zone
layers are provincial maps that every signed-in user may download.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect

from inspector import __version__
from inspector.casework.workflow import OFFICE_ROLES
from sync.protocol import (
    API_PREFIX,
    DEFAULT_PULL_PAGE,
    MAX_BUNDLE_BYTES,
    MAX_CHUNK_BYTES,
    MAX_JSON_BODY_BYTES,
    MAX_PULL_PAGE,
    MAX_SKIP_RANGES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SERVER_TIME_HEADER,
    AssignCaseNoRequest,
    AssignCaseNoResult,
    BlobManifest,
    BlobMissing,
    BlobQuery,
    ConflictList,
    LoginRequest,
    LoginResult,
    PullPage,
    PushBatch,
    PushResult,
    RecordResult,
    ResolveRequest,
    ResolveResult,
    ServerInfo,
    UploadState,
    VerifyRequest,
    VerifyResult,
    ZoneLayerList,
    parse_ranges,
)
from sync.server import auth, blob_access, conflict_review, field_cases, ledger_export, login_guard, zone_layers
from sync.server import records as record_logic
from sync.server.blob_backends import layer_key, open_backend
from sync.server.blob_store import BlobStore, UploadProblem
from sync.server.ledger_export import EXPORT_MEDIA_TYPES
from sync.server.storage import Storage, server_now, utc_text

MAX_SEQ = 2 ** 63 - 1  # the largest change number (a 64-bit column)
MAX_ROW_ID = 2 ** 31 - 1  # the largest conflict id (a 32-bit column on PostgreSQL)
MAX_CHUNK_INDEX = 2 ** 31 - 1  # far above any manifest's chunk count
ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class BodyLimit:
    """Pure ASGI middleware: 413 for bodies over the limit, 411 for bodies of unknown length."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = MAX_JSON_BODY_BYTES
        if scope["path"].endswith("/blobs/bundle"):
            limit = MAX_BUNDLE_BYTES
        elif "/chunks/" in scope["path"]:
            limit = MAX_CHUNK_BYTES
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        status, detail = 0, ""
        if length is None:
            status, detail = 411, "Content-Length required"
        elif not length.isdigit() or int(length) > limit:
            status, detail = 413, f"request body larger than {limit} bytes"
        if status:
            response = JSONResponse({"detail": detail}, status_code=status,
                                    headers={SERVER_TIME_HEADER: server_now(), "Connection": "close"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class StampHeaders:
    """Pure ASGI middleware: the server's time and the protocol version on every response. (Not
    ``@app.middleware("http")``, which runs each message of a request body — a bundle has dozens — through
    a task group and memory streams of its own.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[SERVER_TIME_HEADER] = server_now()
                headers[PROTOCOL_HEADER] = str(PROTOCOL_VERSION)
            await send(message)

        await self.app(scope, receive, stamped)


def _printable(value: Any) -> str:
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def create_app(data_dir: Path, db_url: Optional[str] = None, *,
               token_ttl_hours: float = auth.DEFAULT_TOKEN_TTL_HOURS, openapi: bool = False,
               blobs_url: Optional[str] = None, s3_credentials: Optional[str] = None) -> FastAPI:
    """The API over a data directory and a database (default SQLite there), with the evidence in the data
    directory or in the object store ``blobs_url`` names (see :mod:`sync.server.blob_backends`).

    Tokens are valid for ``token_ttl_hours`` after login; ``openapi`` serves ``/openapi.json``, ``/docs``
    and ``/redoc``."""
    if not 0 < token_ttl_hours <= auth.MAX_TOKEN_TTL_HOURS:
        raise ValueError(f"the token lifetime must be more than 0 and at most {auth.MAX_TOKEN_TTL_HOURS:g} hours")
    storage = Storage.for_data_dir(data_dir, db_url)
    backend = open_backend(data_dir, blobs_url, s3_credentials)
    blob_store = BlobStore(backend, storage)
    documented: dict[str, Any] = {} if openapi else {"openapi_url": None, "docs_url": None, "redoc_url": None}
    app = FastAPI(title="绿盾 Inspector sync server", version=__version__,
                  description=f"Sync protocol {PROTOCOL_VERSION}: idempotent pushes, scoped pulls, "
                              "chunked content-addressed blobs.", **documented)
    app.state.storage = storage
    app.state.blob_store = blob_store
    app.state.token_ttl_hours = token_ttl_hours
    app.add_middleware(BodyLimit)
    app.add_middleware(StampHeaders)  # outermost: the 413s of BodyLimit are stamped too
    bearer = HTTPBearer(auto_error=False)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """422 naming each field at fault and why, without echoing the input (which may not even be text that
        can be encoded: a lone surrogate parses from JSON)."""
        detail = [{"loc": [part if isinstance(part, int) else _printable(part) for part in error["loc"]],
                   "msg": _printable(error["msg"]), "type": error["type"]} for error in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)

    def current_user(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> auth.User:
        if credentials is None:
            raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
        with storage.read() as conn:
            user = auth.user_for_token(conn, credentials.credentials, token_ttl_hours)
        if user is None:
            raise HTTPException(401, "token invalid, expired or revoked; log in again",
                                headers={"WWW-Authenticate": "Bearer"})
        return user

    def office_user(user: auth.User = Depends(current_user)) -> auth.User:
        if user.role not in OFFICE_ROLES:
            raise HTTPException(403, "reviewer or admin role required")
        return user

    def check_sha(sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise HTTPException(422, "not a SHA-256")
        return sha256

    async def upload_body(request: Request) -> bytes:
        """A chunk's or bundle's body; a client gone mid-upload (a cut connection, resumed later) is answered with
        400, not logged as a server error."""
        try:
            return await request.body()
        except ClientDisconnect:
            raise HTTPException(400, "the client disconnected during the upload") from None

    def holds(user: auth.User, sha256: str) -> bool:
        with storage.read() as conn:
            return sha256 in blob_access.held(conn, user, [sha256])

    def upload_state(sha256: str, user: auth.User) -> UploadState:
        """The caller's upload of a blob: complete when they hold it, else the chunks of their own upload."""
        done = holds(user, sha256)
        return UploadState(sha256=sha256, received=[] if done else blob_store.received(sha256, user), complete=done,
                           server_time=server_now())

    def record_upload(user: auth.User, sha256s: list[str]) -> None:
        with storage.write() as conn:
            blob_access.record_uploads(conn, user, sha256s)

    @app.get(API_PREFIX + "/info", response_model=ServerInfo)
    def info() -> ServerInfo:
        return ServerInfo(protocol=PROTOCOL_VERSION, server_time=server_now(), max_chunk_bytes=MAX_CHUNK_BYTES,
                          max_json_body_bytes=MAX_JSON_BODY_BYTES)

    @app.post(API_PREFIX + "/login", response_model=LoginResult,
              responses={401: {"description": "wrong user name or password"},
                         429: {"description": "too many failed logins for this user or from this address; "
                                              "see Retry-After"}})
    def login(body: LoginRequest, request: Request) -> LoginResult:
        address = request.client.host if request.client else "unknown"
        try:
            found = auth.login(storage, body.user, body.password, address)
        except login_guard.LoginThrottled as exc:
            raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after_s)}) from None
        if found is None:
            raise HTTPException(401, "wrong user name or password")
        user, token = found
        now = server_now()
        expires = dt.datetime.fromisoformat(now.replace("Z", "+00:00")) + dt.timedelta(hours=token_ttl_hours)
        return LoginResult(token=token, user=user.name, role=user.role, jurisdiction=user.jurisdiction,
                           server_time=now, name=user.display_name or user.name, roles=[user.role],
                           level=user.level, expires_at=utc_text(expires))

    @app.post(API_PREFIX + "/push", response_model=PushResult)
    def push(batch: PushBatch, user: auth.User = Depends(current_user)) -> PushResult:
        if batch.protocol != PROTOCOL_VERSION:
            raise HTTPException(400, f"protocol {batch.protocol} not supported (server: {PROTOCOL_VERSION})")
        try:
            return record_logic.push(storage, blob_store, user, batch)
        except record_logic.OperationReused:
            raise HTTPException(409, "operation id already used for a different batch") from None

    @app.get(API_PREFIX + "/changes", response_model=PullPage)
    def changes(since: int = Query(0, ge=0, le=MAX_SEQ), limit: int = Query(DEFAULT_PULL_PAGE, ge=1, le=MAX_PULL_PAGE),
                skip: str = Query("", max_length=MAX_SKIP_RANGES * 40),
                user: auth.User = Depends(current_user)) -> PullPage:
        """Changes after ``since`` in the caller's scope; ``skip=first-last,…`` leaves out change numbers whose
        versions the caller holds already (see :func:`sync.server.records.pull`)."""
        ranges = parse_ranges(skip, MAX_SEQ)
        if ranges is None:
            raise HTTPException(422, f"skip must be first-last,... (at most {MAX_SKIP_RANGES} ranges)")
        with storage.read() as conn:
            found, parents, cursor, more = record_logic.pull(conn, user, since, limit, ranges)
        return PullPage(changes=found, parents=parents, next_cursor=cursor, has_more=more, server_time=server_now())

    @app.get(API_PREFIX + "/conflicts", response_model=ConflictList)
    def list_conflicts(include_resolved: bool = Query(False), user: auth.User = Depends(current_user)) -> ConflictList:
        """Open conflicts in the user's jurisdiction (an inspector's own only); resolved ones too on request."""
        with storage.read() as conn:
            found = conflict_review.list_conflicts(conn, user, office=user.role in OFFICE_ROLES,
                                                   include_resolved=include_resolved)
        return ConflictList(conflicts=found, server_time=server_now())

    @app.post(API_PREFIX + "/conflicts/{conflict_id}/resolve", response_model=ResolveResult,
              responses={403: {"description": "reviewer or admin role required"},
                         404: {"description": "no such conflict in your jurisdiction"},
                         409: {"description": "already resolved, or the client version is no longer current"}})
    def resolve_conflict(body: ResolveRequest, conflict_id: int = PathParam(ge=1, le=MAX_ROW_ID),
                         user: auth.User = Depends(office_user)) -> ResolveResult:
        """Keep the server's or the client's version as the record's next server revision."""
        try:
            with storage.write() as conn:
                return conflict_review.resolve(conn, user, conflict_id, body.keep)
        except conflict_review.ReviewProblem as exc:
            raise HTTPException(exc.status, str(exc)) from None
        except sa.exc.IntegrityError:  # another reviewer resolved it at the same moment
            raise HTTPException(409, "conflict already resolved") from None

    @app.patch(API_PREFIX + "/cases/{uuid}", response_model=AssignCaseNoResult,
               responses={403: {"description": "reviewer or admin role required"},
                          404: {"description": "no such case in your jurisdiction"},
                          409: {"description": "the number belongs to another case, or is already the case's"}})
    def assign_case_no(body: AssignCaseNoRequest, uuid: str = PathParam(min_length=36, max_length=36),
                       user: auth.User = Depends(office_user)) -> AssignCaseNoResult:
        """Give a case (found in the field) its official 问题编号: a new server revision devices pull."""
        try:
            with storage.write() as conn:
                result = field_cases.assign_case_no(conn, user, uuid, body.case_no, by=user.name)
        except field_cases.AssignProblem as exc:
            raise HTTPException(exc.status, exc.message.en) from None
        return AssignCaseNoResult(**result, server_time=server_now())

    @app.get(API_PREFIX + "/zone-layers", response_model=ZoneLayerList)
    def list_zone_layers(user: auth.User = Depends(current_user)) -> ZoneLayerList:
        """The current version of every published zone layer (provincial maps: any signed-in user)."""
        with storage.read() as conn:
            return ZoneLayerList(layers=zone_layers.current_layers(conn), server_time=server_now())

    @app.get(API_PREFIX + "/zone-layers/{sha256}", response_class=StreamingResponse,
             responses={200: {"content": {"application/octet-stream": {}}}, 404: {"description": "no such layer"}})
    def download_zone_layer(sha256: str, user: auth.User = Depends(current_user)) -> StreamingResponse:
        """A published zone layer file (gzip'd JSON Lines, see ``inspector.importers.zone_layer_file``)."""
        check_sha(sha256)
        with storage.read() as conn:
            published = zone_layers.is_published(conn, sha256)
        found = backend.open(layer_key(sha256)) if published else None
        if found is None:
            raise HTTPException(404, "no such zone layer")
        size, stream = found
        return StreamingResponse(stream, media_type="application/octet-stream",
                                 headers={"Content-Length": str(size), "X-Content-SHA256": sha256})

    @app.get(API_PREFIX + "/export/ledger", response_class=StreamingResponse,
             responses={200: {"content": {media: {} for media in EXPORT_MEDIA_TYPES.values()}}})
    def export_ledger(format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
                      user: auth.User = Depends(office_user)) -> StreamingResponse:
        """The ledger of the caller's jurisdiction with its progress (reviewers and admins)."""
        return ledger_export.export_response(data_dir, storage, user, format)

    @app.delete(API_PREFIX + "/records/{uuid}", response_model=RecordResult)
    def delete_record(uuid: str, user: auth.User = Depends(office_user)) -> RecordResult:
        with storage.write() as conn:
            result = record_logic.tombstone(conn, user, uuid)
        if result is None:
            raise HTTPException(404, "no such record")
        return result

    @app.post(API_PREFIX + "/verify", response_model=VerifyResult)
    def verify(body: VerifyRequest, user: auth.User = Depends(current_user)) -> VerifyResult:
        with storage.read() as conn:
            return record_logic.verify(conn, user, body)

    @app.post(API_PREFIX + "/blobs/missing", response_model=BlobMissing)
    def blobs_missing(body: BlobQuery, user: auth.User = Depends(current_user)) -> BlobMissing:
        """The hashes the caller must upload: all but those they hold (see :mod:`sync.server.blob_access`)."""
        wanted = [check_sha(s) for s in body.sha256s]
        with storage.read() as conn:
            held = blob_access.held(conn, user, wanted)
        missing = [s for s in wanted if s not in held]
        return BlobMissing(missing=missing, server_time=server_now())

    @app.put(API_PREFIX + "/blobs/{sha256}/manifest", response_model=UploadState)
    def start_upload(sha256: str, manifest: BlobManifest, user: auth.User = Depends(current_user)) -> UploadState:
        if check_sha(sha256) != manifest.sha256:
            raise HTTPException(422, "manifest is for another blob")
        if not holds(user, sha256):
            try:
                blob_store.start(manifest, user)
            except UploadProblem as exc:
                raise HTTPException(exc.status, str(exc)) from None
        return upload_state(sha256, user)

    @app.get(API_PREFIX + "/blobs/{sha256}/upload", response_model=UploadState)
    def get_upload(sha256: str, user: auth.User = Depends(current_user)) -> UploadState:
        return upload_state(check_sha(sha256), user)

    @app.put(API_PREFIX + "/blobs/{sha256}/chunks/{index}", response_model=UploadState,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def put_chunk(sha256: str, request: Request, index: int = PathParam(ge=0, le=MAX_CHUNK_INDEX),
                        user: auth.User = Depends(current_user)) -> UploadState:
        body = await upload_body(request)
        if len(body) > MAX_CHUNK_BYTES:
            raise HTTPException(413, f"chunk larger than {MAX_CHUNK_BYTES} bytes")
        try:
            await run_in_threadpool(blob_store.put_chunk, check_sha(sha256), index, body, user)
        except UploadProblem as exc:
            raise HTTPException(exc.status, str(exc)) from None
        return await run_in_threadpool(upload_state, sha256, user)

    @app.post(API_PREFIX + "/blobs/bundle", openapi_extra={"requestBody": {"required": True, "content": {
                  "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def put_bundle(request: Request, user: auth.User = Depends(current_user)) -> dict[str, Any]:
        """Several small blobs whole: 4-byte header length, JSON ``{"blobs": [{"sha256", "size"}]}``, bytes."""
        body = await upload_body(request)
        try:
            stored = await run_in_threadpool(blob_store.store_bundle, body, user.name,
                                             lambda conn, sha256s: blob_access.record_uploads(conn, user, sha256s))
        except UploadProblem as exc:
            raise HTTPException(exc.status, str(exc)) from None
        return {"stored": stored, "server_time": server_now()}

    @app.post(API_PREFIX + "/blobs/{sha256}/complete", response_model=UploadState)
    def complete_upload(sha256: str, user: auth.User = Depends(current_user)) -> UploadState:
        if not holds(user, check_sha(sha256)):
            try:
                blob_store.complete(sha256, user)
            except UploadProblem as exc:
                raise HTTPException(exc.status, str(exc)) from None
            record_upload(user, [sha256])
        return upload_state(sha256, user)

    @app.get(API_PREFIX + "/blobs/{sha256}", response_class=StreamingResponse,
             responses={200: {"content": {"application/octet-stream": {}}}})
    def download_blob(sha256: str, user: auth.User = Depends(current_user)) -> StreamingResponse:
        """A blob the caller may read through evidence (see :mod:`sync.server.blob_access`)."""
        check_sha(sha256)
        with storage.read() as conn:
            visible = blob_access.readable(conn, user, sha256)
        found = blob_store.open_blob(sha256) if visible else None
        if found is None:
            raise HTTPException(404, "no such blob")
        size, stream = found
        return StreamingResponse(stream, media_type="application/octet-stream",
                                 headers={"Content-Length": str(size), "X-Content-SHA256": sha256})

    return app
