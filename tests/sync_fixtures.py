"""Sync test fixtures: a real server on loopback (uvicorn in a thread, or ``inspector-server serve --workers N`` in a
child process), users, published ledger, client workspaces, clients released together.

The ledger is ``test_ledger_import``'s plus two more 盐城 cases, so city
320900 (盐城) holds LD-001, LD-010 and LD-011 while 南京 (320100) holds LD-002
and 苏州 (320500) LD-003. ``SYNC_TEST_DATABASE_URL`` (a PostgreSQL URL; see
``.ci/run``) runs the same tests against PostgreSQL; each server gets a
fresh schema-less database by dropping the tables first.
"""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

PASSWORD = "correct horse battery staple"
USERS = {  # name: (role, jurisdiction): the province's admin, 盐城 (320900), 南京 (320100), 射阳 county (320924),
    # 大丰 county (320904, where LD-001 lies), a provincial reviewer
    "admin": ("admin", "320000"), "inspector_a": ("inspector", "320900"), "reviewer_r": ("reviewer", "320900"),
    "inspector_b": ("inspector", "320100"), "reviewer_nj": ("reviewer", "320100"), "county_c": ("inspector", "320924"),
    "reviewer_k": ("reviewer", "320904"), "reviewer_p": ("reviewer", "320000"),
}
DB_ENV = "SYNC_TEST_DATABASE_URL"
REPO = Path(__file__).resolve().parents[1]
EXTRA_ROWS = [
    [9, "LD-010", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", "鱼塘", 120.45, 33.52, None, None, "射阳县"],
    [10, "LD-011", "盐城市", "东台市", "条子泥", None, "码头", "码头", 120.9, 32.85, None, None, "东台市"],
]


def wait_for(ready: Callable[[], bool], what: str, *, seconds: float, alive: Callable[[], bool] = lambda: True,
             poll_s: float = 0.02) -> None:
    """Poll a real condition (``ready()``, e.g. "the server answers") until it holds; RuntimeError when
    ``seconds`` pass or ``alive()`` turns false first. The tests' one polling loop: everything else
    waits on a signal, an event or a process."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline or not alive():
            raise RuntimeError(f"{what} did not start")
        time.sleep(poll_s)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_urls() -> list[Any]:
    """SQLite always; PostgreSQL when ``SYNC_TEST_DATABASE_URL`` is set (else a clearly skipped param)."""
    url = os.environ.get(DB_ENV)
    postgres = pytest.param(url, id="postgresql") if url else pytest.param(
        None, id="postgresql", marks=pytest.mark.skip(reason=f"{DB_ENV} not set: no PostgreSQL to test against"))
    return [pytest.param(None, id="sqlite"), postgres]


def reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    from sync.server.storage import metadata

    engine = sa.create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()


class ServerThread:
    """The reference server (FastAPI app under uvicorn) in a daemon thread on a loopback port."""

    def __init__(self, data_dir: Path, db_url: Optional[str] = None, *, port: Optional[int] = None,
                 certfile: Optional[str] = None, keyfile: Optional[str] = None,
                 wrap: Optional[Callable[[Any], Any]] = None, blobs_url: Optional[str] = None) -> None:
        self.data_dir, self.db_url, self.wrap, self.blobs_url = data_dir, db_url, wrap, blobs_url
        self.port = port or free_port()
        self.certfile, self.keyfile = certfile, keyfile
        self.server: Any = None
        self.thread: Optional[threading.Thread] = None
        self.app: Any = None

    @property
    def url(self) -> str:
        return f"{'https' if self.certfile else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> "ServerThread":
        import uvicorn

        from sync.server.app import create_app

        self.app = create_app(self.data_dir, self.db_url, blobs_url=self.blobs_url)
        asgi = self.wrap(self.app) if self.wrap else self.app
        config = uvicorn.Config(asgi, host="127.0.0.1", port=self.port, log_level="error",
                                ssl_certfile=self.certfile, ssl_keyfile=self.keyfile, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, "server", seconds=20, alive=self.thread.is_alive)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(10)
            self.app.state.storage.dispose()
            self.app.state.blob_store.close()
            self.server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def storage(self) -> Any:
        return self.app.state.storage


class ServerProcess:
    """The real server as ``inspector-server --data DIR serve --workers N`` in a child process (its own process
    group, so stopping it stops its workers too)."""

    def __init__(self, data_dir: Path, db_url: Optional[str] = None, *, workers: int = 1,
                 blobs_url: Optional[str] = None, stderr: Any = None) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "sync.server.cli", "--data", str(data_dir), "serve", "--host",
                   "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        command += (["--db", db_url] if db_url else []) + (["--blobs", blobs_url] if blobs_url else [])
        self.process = subprocess.Popen(command, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                                        stderr=stderr)
        try:
            wait_for(self._answers, "server process", seconds=60, alive=lambda: self.process.poll() is None,
                     poll_s=0.1)
        except RuntimeError:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"GET /api/v1/info HTTP/1.0\r\n\r\n")
                return sock.recv(12).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def prepare_server_data(data_dir: Path, db_url: Optional[str], work: Path) -> None:
    """Users and a published ledger in a server data directory."""
    from sync.server.auth import add_user
    from sync.server.publish import publish_ledger
    from sync.server.storage import Storage
    from tests.test_ledger_import import ledger_rows, write_xlsx

    if db_url:
        reset_postgres(db_url)
    storage = Storage.for_data_dir(data_dir, db_url)
    for name, (role, jurisdiction) in USERS.items():
        add_user(storage, name, role, jurisdiction, PASSWORD)
    work.mkdir(parents=True, exist_ok=True)
    publish_ledger(data_dir, storage, write_xlsx(work / "ledger.xlsx", ledger_rows() + EXTRA_ROWS))
    storage.dispose()


def use_test_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' file keyring in this test's XDG dir, configured explicitly (in the environment, so CLI
    subprocesses use it too) — headless CI has no OS keyring, and the product refuses plaintext ones it was
    not told to use."""
    import keyring

    from tests.keyring_backend import CONFIGURED_AS, FileKeyringForTests

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", CONFIGURED_AS)
    keyring.set_keyring(FileKeyringForTests())


def client_workspace(root: Path, server_url: str, user: str, *, ca_bundle: Optional[str] = None) -> Path:
    """A fresh workspace logged in to the server as ``user``."""
    from inspector.store.workspace import Workspace
    from sync.client import SyncClient
    from sync.settings import save_login

    with Workspace.create(root) as ws:
        client = SyncClient(server_url, ca_bundle=ca_bundle)
        client.login(user, PASSWORD)
        client.close()
        save_login(ws, server_url, user, ca_bundle)
    return root


def api(url: str, user: str) -> Any:
    """A protocol client logged in as ``user`` (the token is not kept in the keyring)."""
    from sync.client import SyncClient

    client = SyncClient(url)
    client.login(user, PASSWORD, remember=False)
    return client


def upload_cut_at_half(proxy: Any, size: int, chunk: int, work: Path) -> tuple[Any, Path, bytes, str]:
    """A chunked upload of ``size`` random bytes by inspector_a through ``proxy`` (a FaultProxy or the benchmark's
    proxy process), cut once half of them have gone up. Returns the client, still logged in through the proxy
    (disarmed again), and the blob's path, bytes and SHA-256."""
    from sync.blob_transfer import upload_chunked
    from sync.errors import NetworkError

    data = os.urandom(size)
    path = work / "big.bin"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    client = api(proxy.url, "inspector_a")
    proxy.arm("up", size // 2)
    try:
        upload_chunked(client, path, sha, size, chunk_size=chunk)
    except NetworkError:
        proxy.disarm()
        return client, path, data, sha
    raise AssertionError("the upload was not cut")


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released at the same moment by a barrier; their results (or the exception each
    raised) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(30)
        try:
            results[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001 - an error answer is tallied, not raised in a thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


CASE = "LD-001"  # a 盐城 case every test ledger holds
CENTRE = (120.5, 33.5)


def field_work(root: Path, tmp_path: Path, photos: int = 3) -> None:
    """Inspector A checks CASE on site: one confirmed finding with ``photos`` geotagged photos."""
    from evidence_fixtures import make_geotagged_photo
    from inspector.casework.evidence_attach import attach
    from inspector.casework.findings import add_finding
    from inspector.casework.workflow import transition
    from inspector.store.workspace import Workspace

    with Workspace.open(root) as ws:
        transition(ws, CASE, "现场核查", role="inspector", actor="inspector_a")
        finding = add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description="养殖塘",
                              actor="inspector_a")
        files = [make_geotagged_photo(tmp_path / f"f{i}.jpg", CENTRE[0] + i * 1e-4, CENTRE[1], size=(640, 480))
                 for i in range(photos)]
        attach(ws, CASE, files, finding=finding["uuid"], actor="inspector_a")
        transition(ws, CASE, "确认问题", role="inspector", actor="inspector_a")


def finding_on_both_devices(server_url: str, tmp_path: Path) -> tuple[Path, Path, str]:
    """Inspector A's synced finding (one photo), pulled by reviewer R: (A's root, R's root, finding uuid)."""
    from inspector.store.workspace import Workspace

    a = client_workspace(tmp_path / "a", server_url, "inspector_a")
    r = client_workspace(tmp_path / "r", server_url, "reviewer_r")
    sync(a)
    field_work(a, tmp_path, photos=1)
    sync(a)
    sync(r)
    with Workspace.open(a) as ws:
        uuid = ws.conn.execute("SELECT uuid FROM findings").fetchone()[0]
    return a, r, uuid


def edit_finding(root: Path, uuid: str, description: str, actor: str = "inspector_a") -> None:
    """Correct a finding's description on one device as the server account ``actor`` (a correction with a
    reason, :func:`inspector.casework.corrections.edit_finding`)."""
    from inspector.casework.authority import SERVER, Actor
    from inspector.casework.corrections import edit_finding as correct_finding
    from inspector.store.workspace import Workspace

    role, jurisdiction = USERS[actor]
    account = Actor(user=actor, name=actor, roles=(role,), jurisdiction=jurisdiction, source=SERVER)
    with Workspace.open(root) as ws:
        correct_finding(ws, uuid, description=description, reason="复核更正", actor=account)


def sync(root: Path, **job_options: Any) -> Any:
    """Run one sync of a workspace in this thread; returns the report."""
    from inspector.store.workspace import Workspace
    from sync.job import SyncJob
    from sync.settings import client_for

    with Workspace.open(root) as ws:
        client, settings = client_for(ws)
    try:
        return SyncJob(root, client, actor=settings.user, **job_options).run()
    finally:
        client.close()


class FailNthRequest:
    """ASGI wrapper: answer the ``n``-th request to ``path`` with ``status`` — after the app handled it
    (``after=True``: the server committed, the client sees an error) or instead of it."""

    def __init__(self, app: Any, path: str, n: int, status: int = 503, after: bool = True) -> None:
        self.app, self.path, self.n, self.status, self.after = app, path, n, status, after
        self.seen = 0

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["path"].endswith(self.path):
            self.seen += 1
            if self.seen == self.n:
                if self.after:
                    async def swallow(message: dict) -> None:
                        return None
                    await self.app(scope, receive, swallow)
                await send({"type": "http.response.start", "status": self.status,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": b'{"detail": "injected failure"}'})
                return
        await self.app(scope, receive, send)


def start_server(tmp_path: Path, db_url: Optional[str], **options: Any) -> ServerThread:
    data_dir = tmp_path / "server"
    prepare_server_data(data_dir, db_url, tmp_path / "publish")
    return ServerThread(data_dir, db_url, **options).start()


@pytest.fixture(params=database_urls())
def db_url(request: pytest.FixtureRequest) -> Optional[str]:
    return request.param


@pytest.fixture
def server(db_url: Optional[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, db_url)
    yield running
    running.stop()


def stored_bytes(blob_store, sha256: str) -> bytes:
    """A blob's bytes as the server's blob store serves them (from a pack or a file); fails when not stored."""
    found = blob_store.open_blob(sha256)
    assert found is not None, f"blob {sha256} not stored"
    return b"".join(found[1])
