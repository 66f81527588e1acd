"""Sync benchmark (a script, not collected by pytest).

Syncs N findings with 3·N photos (~100 KB each) from a fresh workspace to the
reference server over loopback, through a byte-counting proxy, and compares:

- wall time against a raw streamed HTTP upload of the same bytes over the
  same path (one PUT to a sink route mounted beside the API in the same
  server process, through the same proxy) — target ≤ 1.5×;
- bytes on the wire (both directions) against the photo payload — target ≤ 1.05×;
- a chunked upload cut at 50 %: chunks re-sent on resume — target ≤ 1.

As in deployment, the server runs in its own process, started like
``inspector-server serve`` (:func:`sync.server.cli.serve_app`, so uvicorn with
httptools when installed), and the proxy in another: the client, the proxy
and the server do not share one interpreter lock. The file system's dirty
pages are flushed (``os.sync``) before each timed run, so neither run pays
for the other's writes; the raw upload runs twice and the faster one counts.

    .venv/bin/python tests/bench/bench_sync.py [--findings 1000] [--photo-kb 100]

``--findings 200`` is a quicker run for profiling; the per-phase times printed
(blobs, push, pull, verify) show where a sync spends its time, and the CPU
seconds of each process where the machine spends it. The push is pipelined
behind the blob uploads: "blobs" is the time until the first batch goes,
"push" includes the uploads still in flight. The "floor" line times the
server's blob store alone on the same blobs (no network, no records): what
any sync must spend on verifying the blobs and making them durable (each
bundle appended to a pack file with one ``fsync``, its index committed). The
"push floor" line times the server's record logic alone on the same push
batches (:func:`sync.server.records.push` on a copy of the server's database
as it was before the sync, no network): what any sync must spend on deciding
and storing the records, one transaction per batch. The "bundle pipeline"
floor, measured last, uploads the same blobs with the client's own code
(:func:`sync.blob_transfer.upload_missing`, as the job drives it: same bundle
size, same requests in flight) through a second byte-counting proxy to a
second, fresh server (no blob already there, no records pushed): what the
sync's blob uploads cost on their own, network and both ends included. Its CPU seconds (client, proxy and
server added up) divided by the machine's CPUs are the least wall time that work can take however well the
processes overlap: the "pipeline CPU" floor.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

from summary import floor_row, ratio_row  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
USER = "inspector_a"  # the field account that syncs
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


class SinkBeside:
    """ASGI: ``PUT /bench/sink`` streams the body to a file; everything else goes to the API."""

    def __init__(self, app, target: Path) -> None:
        self.app, self.target = app, target

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != "/bench/sink":
            await self.app(scope, receive, send)
            return
        size = 0
        with open(self.target, "wb") as handle:
            while True:
                message = await receive()
                body = message.get("body", b"")
                handle.write(body)
                size += len(body)
                if not message.get("more_body"):
                    break
            handle.flush()
            os.fsync(handle.fileno())
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": str(size).encode()})


def serve(data_dir: Path, port: int, sink: Path) -> None:
    """The server process: the API over ``data_dir`` with the sink beside it, run as ``serve`` runs it."""
    from sync.server.app import create_app
    from sync.server.cli import serve_app

    serve_app(SinkBeside(create_app(data_dir), sink), host="127.0.0.1", port=port)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its threads so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """The reference server in a child process on a loopback port."""

    def __init__(self, data_dir: Path, sink: Path) -> None:
        from sync_fixtures import free_port, wait_for

        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(data_dir), "--port",
                                         str(self.port), "--sink", str(sink)])
        wait_for(self._answers, "server", seconds=30, alive=lambda: self.process.poll() is None, poll_s=0.05)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        import requests

        try:
            return requests.get(self.url + "/api/v1/info", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _proxy_main(target_port: int, pipe: Any) -> None:
    """The proxy process: a :class:`FaultProxy` driven by commands over ``pipe``."""
    from sync_proxy import FaultProxy

    proxy = FaultProxy(target_port)
    pipe.send((proxy.port, os.getpid()))
    while True:
        command, args = pipe.recv()
        if command == "close":
            proxy.close()
            pipe.send(None)
            return
        pipe.send(dict(proxy.bytes) if command == "bytes" else getattr(proxy, command)(*args))


class ProxyProcess:
    """The byte-counting :class:`FaultProxy` in its own process (``bytes``, ``arm`` and ``disarm`` over a pipe)."""

    def __init__(self, target_port: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self.process = context.Process(target=_proxy_main, args=(target_port, child), daemon=True)
        self.process.start()
        self.port, self.pid = self._pipe.recv()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, command: str, *args: Any) -> Any:
        self._pipe.send((command, args))
        return self._pipe.recv()

    @property
    def bytes(self) -> dict[str, int]:
        return self._call("bytes")

    def arm(self, direction: str, offset: int) -> None:
        self._call("arm", direction, offset)

    def disarm(self) -> None:
        self._call("disarm")

    def close(self) -> None:
        self._call("close")
        self.process.join(10)


class Meter:
    """Wall time and the CPU seconds of the client (this process), the proxy and the server during a run."""

    def __init__(self, proxy: ProxyProcess, server: ServerProcess) -> None:
        self.pids = {"proxy": proxy.pid, "server": server.process.pid}

    def __enter__(self) -> "Meter":
        os.sync()  # dirty pages of earlier writes are not this run's cost
        self.cpu = self._cpu()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.started
        self.cpu = {name: round(after - self.cpu[name], 2) for name, after in self._cpu().items()}

    def _cpu(self) -> dict[str, float]:
        times = os.times()
        return {"client": times.user + times.system, **{name: cpu_seconds(pid) for name, pid in self.pids.items()}}

    def describe(self) -> str:
        return f"{self.seconds:.2f} s (CPU s: " + ", ".join(f"{k} {v:.2f}" for k, v in self.cpu.items()) + ")"


def make_field_work(root: Path, findings: int, photo_bytes: int) -> int:
    """Findings and photo evidence written straight through record_store (random bytes as photos)."""
    from inspector.store.db import atomic
    from inspector.store.media_store import store_file
    from inspector.store.record_store import insert_record
    from inspector.store.workspace import Workspace, utc_now

    total = 0
    with Workspace.open(root) as ws:
        case_id = ws.conn.execute("SELECT id FROM cases WHERE case_no = 'LD-001'").fetchone()[0]
        scratch = root / "scratch.bin"
        for i in range(findings):
            with atomic(ws.conn):
                fid, _ = insert_record(ws.conn, "findings", {
                    "case_id": case_id, "observed_at_utc": utc_now(), "activity_type": "养殖",
                    "description": f"bench {i}", "assessment": "确认问题", "lon": 120.5, "lat": 33.5,
                    "position_source": "map_pick", "zones": "[]"}, actor="bench", action="finding.add")
            for _ in range(3):
                scratch.write_bytes(os.urandom(photo_bytes))
                blob = store_file(ws, scratch)
                total += blob.size
                with atomic(ws.conn):
                    ws.conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) "
                                    "VALUES (?, ?, 'image/jpeg', ?)", (blob.sha256, blob.size, utc_now()))
                    insert_record(ws.conn, "evidence", {"case_id": case_id, "finding_id": fid, "sha256": blob.sha256,
                                                        "kind": "photo", "phase": "inspection"},
                                  actor="bench", action="evidence.attach", evidence_hashes=[blob.sha256])
        scratch.unlink()
    return total


class Concatenation:
    """The files one after another as one readable stream of known length; each read comes straight from a
    file (no buffering beyond what ``read`` returns)."""

    def __init__(self, files: list[Path]) -> None:
        self.pending = list(reversed(files))
        self.size = sum(p.stat().st_size for p in files)
        self.handle: Optional[Any] = None

    def __len__(self) -> int:
        return self.size

    def read(self, amount: int = -1) -> bytes:
        while True:
            if self.handle is None:
                if not self.pending:
                    return b""
                self.handle = open(self.pending.pop(), "rb")
            data = self.handle.read(amount)
            if data:
                return data
            self.handle.close()
            self.handle = None


def raw_upload(url: str, media_dir: Path) -> int:
    """One streamed PUT of every media file to the sink; returns the bytes sent."""
    import requests

    body = Concatenation(sorted(p for p in media_dir.glob("??/*") if p.is_file()))
    with requests.Session() as session:
        session.trust_env = False
        answer = session.put(url + "/bench/sink", data=body, timeout=(5, 600))
    assert answer.status_code == 200 and int(answer.text) == body.size, answer.text
    return body.size


def storage_floor(root: Path, work: Path) -> float:
    """Seconds the server's blob store takes for the same blobs without any network: the bundles the client
    would send, verified and written durably by :meth:`BlobStore.store_bundle` from as many threads as the
    client has uploads in flight (a floor for the blob phase, in this process)."""
    from concurrent.futures import ThreadPoolExecutor

    from inspector.store.workspace import Workspace
    from sync import blob_transfer
    from sync.server.blob_backends import FileBackend
    from sync.server.blob_store import BlobStore
    from sync.server.storage import Storage

    with Workspace.open(root) as ws:
        blobs = ws.conn.execute("SELECT m.sha256, m.size FROM evidence e JOIN media_blobs m ON m.sha256 = e.sha256 "
                                "GROUP BY m.sha256, m.size ORDER BY MIN(e.id)").fetchall()
        jobs = blob_transfer.plan_uploads([(sha, int(size)) for sha, size in blobs])
        bodies = [b"".join(blob_transfer._bundle_body(ws.media_dir, job)) for job in jobs]
    storage = Storage.for_data_dir(work / "floor")
    store = BlobStore(FileBackend(work / "floor"), storage)
    os.sync()
    started = time.perf_counter()
    with ThreadPoolExecutor(blob_transfer.UPLOAD_WORKERS) as pool:
        stored = sum(len(done) for done in pool.map(lambda body: store.store_bundle(body, "bench"), bodies))
    seconds = time.perf_counter() - started
    store.close()
    storage.dispose()
    assert stored == sum(len(job) for job in jobs)
    return seconds


def pending_batches(root: Path) -> list[Any]:
    """The push batches the sync will send (the workspace's dirty records in push order, as the job cuts them)."""
    import uuid

    from inspector.store.workspace import Workspace
    from sync import local_store
    from sync.protocol import MAX_PUSH_RECORDS, PushBatch

    with Workspace.open(root) as ws:
        changes = [change for change, _ in local_store.dirty_changes(ws)]
    return [PushBatch(operation_id=str(uuid.uuid4()), records=changes[start:start + MAX_PUSH_RECORDS])
            for start in range(0, len(changes), MAX_PUSH_RECORDS)]


def snapshot_database(server_dir: Path, target_dir: Path) -> None:
    """A copy of the (idle) server's SQLite database (the backup API: consistent also under WAL)."""
    import sqlite3

    target_dir.mkdir(parents=True)
    with sqlite3.connect(server_dir / "server.sqlite") as source, \
            sqlite3.connect(target_dir / "server.sqlite") as target:
        source.backup(target)


def push_floor(floor_dir: Path, batches: list[Any], user_name: str) -> float:
    """Seconds the server's record logic takes for the same push batches without any network:
    :func:`sync.server.records.push` (schema checks, scope, workflow, conflicts, one transaction per batch with
    its write lock and commit) on a copy of the server's database as it was before the sync, in this process.
    The blobs' uploads are recorded first (untimed: the blob phase's work, timed by the blob floor)."""
    import sqlalchemy as sa

    from sync.protocol import blob_of
    from sync.server import blob_access, records
    from sync.server.auth import User
    from sync.server.blob_backends import FileBackend
    from sync.server.blob_store import BlobStore
    from sync.server.storage import Storage, users

    storage = Storage.for_data_dir(floor_dir)
    store = BlobStore(FileBackend(floor_dir), storage)
    with storage.write() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == user_name)).one()
        user = User(row.id, row.name, row.role, row.jurisdiction)
        blob_access.record_uploads(conn, user, [sha for batch in batches for change in batch.records
                                                if (sha := blob_of(change.kind, change.content))])
    os.sync()
    started = time.perf_counter()
    results = [records.push(storage, store, user, batch) for batch in batches]
    seconds = time.perf_counter() - started
    store.close()
    storage.dispose()
    statuses = {answer.status for result in results for answer in result.results}
    assert statuses == {"applied"}, statuses
    return seconds


def copy_workspace(root: Path, target: Path) -> None:
    """A copy of the (closed) workspace as it is before its sync, for the bundle pipeline floor: the database by
    SQLite's backup API, the media files as hard links (no bytes copied). Its records stay unpushed."""
    import sqlite3
    from contextlib import closing

    from inspector.store.workspace import DB_NAME

    (target / "media").mkdir(parents=True)
    with closing(sqlite3.connect(root / DB_NAME)) as source, closing(sqlite3.connect(target / DB_NAME)) as copy:
        source.backup(copy)
    for path in (root / "media").glob("??/*"):
        if path.is_file():
            (target / "media" / path.parent.name).mkdir(exist_ok=True)
            os.link(path, target / "media" / path.parent.name / path.name)


def pipeline_floor(floor_ws: Path, work: Path) -> tuple[Meter, int, int, int]:
    """(the timed run, blobs uploaded, bundles, bytes on the wire) of the workspace copy's blobs uploaded by the
    client's own bundle code path (:func:`sync.blob_transfer.upload_missing`: :class:`BlobUploads` as the job
    drives it, same bundle size and requests in flight) through a byte-counting proxy to a second, fresh server
    in ``work`` (its own data directory, so no blob is already there; no records pushed). The login and the
    opening of the workspace are not timed. The server, the proxy and ``work`` are gone afterwards."""
    from inspector.store.workspace import Workspace
    from sync import blob_transfer
    from sync_fixtures import api, prepare_server_data

    prepare_server_data(work / "server", None, work / "publish")
    server = ServerProcess(work / "server", work / "sink.bin")
    proxy = ProxyProcess(server.port)
    try:
        client = api(proxy.url, USER)
        try:
            with Workspace.open(floor_ws) as ws:
                todo = blob_transfer.unconfirmed_blobs(ws, client.server_url)
                bundles = len(blob_transfer.plan_uploads(todo))
                before = proxy.bytes
                with Meter(proxy, server) as timed:
                    uploaded = blob_transfer.upload_missing(client, ws)
                after = proxy.bytes
            assert uploaded == len(todo) and not client.blobs_missing([sha for sha, _ in todo]), uploaded
        finally:
            client.close()
    finally:
        proxy.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    wire = (after["up"] - before["up"]) + (after["down"] - before["down"])
    return timed, uploaded, bundles, wire


def cut_at_half(proxy: ProxyProcess, work: Path) -> tuple[int, int, int]:
    """(chunks, chunks the server kept after a cut at 50 %, chunks sent on resume) for a 16 MiB blob."""
    from sync.blob_transfer import upload_chunked
    from sync_fixtures import upload_cut_at_half

    size, chunk = 16 * 1024 * 1024, 1024 * 1024
    client, path, _, sha = upload_cut_at_half(proxy, size, chunk, work)
    held = len(client._json("GET", f"/blobs/{sha}/upload")["received"])
    sent_after = upload_chunked(client, path, sha, size, chunk_size=chunk)
    client.close()
    return size // chunk, held, sent_after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--photo-kb", type=int, default=100)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the server process (data directory)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sink", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.sink)
        return 0
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.FileKeyringForTests"
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.environ["XDG_DATA_HOME"] = str(work / "xdg")
    from sync_fixtures import client_workspace, prepare_server_data, sync

    prepare_server_data(work / "server", None, work / "publish")
    server = ServerProcess(work / "server", work / "sink.bin")
    proxy = ProxyProcess(server.port)
    try:
        root = client_workspace(work / "a", proxy.url, USER)
        sync(root)
        started = time.perf_counter()
        payload = make_field_work(root, args.findings, args.photo_kb * 1024)
        print(f"prepared {args.findings} findings, {3 * args.findings} photos, {payload / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s")
        copy_workspace(root, work / "floor-ws")
        batches = pending_batches(root)
        snapshot_database(work / "server", work / "push-floor")

        before = proxy.bytes
        phases: dict[str, float] = {}  # when each phase began (first progress call)

        def progress(phase: str, done: int, total: int) -> None:
            phases.setdefault(phase, time.perf_counter())

        with Meter(proxy, server) as synced:
            report = sync(root, progress=progress)
        marks = sorted(phases.items(), key=lambda item: item[1]) + [("end", synced.started + synced.seconds)]
        print("phases: " + ", ".join(f"{name} {end - begin:.2f} s"
                                     for (name, begin), (_, end) in zip(marks, marks[1:])))
        after = proxy.bytes
        wire = (after["up"] - before["up"]) + (after["down"] - before["down"])
        assert report.verified and report.pending == 0, report
        print(f"sync: {synced.describe()}, pushed {report.pushed}, blobs {report.blobs_uploaded}, "
              f"{wire / 1e6:.1f} MB on the wire")
        raws = []
        for _ in range(2):
            with Meter(proxy, server) as raw:
                assert raw_upload(proxy.url, root / "media") == payload
            raws.append(raw)
        raw = min(raws, key=lambda r: r.seconds)
        print(f"raw streamed upload of the same bytes: {raw.describe()}; runs "
              + ", ".join(f"{r.seconds:.2f} s" for r in raws) + f"; {os.cpu_count()} CPUs")
        print(f"time ratio sync/raw: {synced.seconds / raw.seconds:.2f}x (target <= 1.5x)")
        ratio_row(f"sync {args.findings:,} findings + photos", synced.seconds, raw.seconds, "streamed upload", 1.5)
        floor = storage_floor(root, work)
        print(f"floor: the server's blob store alone (verify + pack append, fsync, index commit; no network): "
              f"{floor:.2f} s = {floor / raw.seconds:.2f}x raw")
        push_phase = phases["zones"] - phases["push"]
        records_floor = push_floor(work / "push-floor", batches, USER)
        print(f"push floor: the server's record logic alone (the same {len(batches)} batches through records.push, "
              f"one transaction each; no network): {records_floor:.2f} s = {records_floor / raw.seconds:.2f}x raw; "
              f"push phase {push_phase:.2f} s = {push_phase / records_floor:.2f}x that floor")
        floor_row("sync push floor: record logic alone / streamed upload", records_floor / raw.seconds, "×", 1.5,
                  higher_is_better=False)
        print(f"wire/payload: {wire / payload:.4f}x (target <= 1.05x)")
        floor_row("sync bytes on the wire / payload", wire / payload, "×", 1.05, higher_is_better=False)
        chunks, held, resent = cut_at_half(proxy, work)
        extra = resent - (chunks - held)
        print(f"cut at 50% of a {chunks}-chunk upload: {held} chunks kept, {resent} sent on resume "
              f"(re-sent beyond the missing ones: {extra}; chunks lost in flight: {chunks // 2 - held})")
        from sync.blob_transfer import BUNDLE_TARGET_BYTES, UPLOAD_WORKERS

        piped, blobs, bundles, piped_wire = pipeline_floor(work / "floor-ws", work / "pipeline-floor")
        shutil.rmtree(work / "floor-ws")
        upload_phases = phases["zones"] - phases["blobs"]
        print(f"floor: the bundle pipeline alone ({blobs:,} blobs in {bundles} bundles of "
              f"{BUNDLE_TARGET_BYTES // 2**20} MiB, {UPLOAD_WORKERS} in flight, through the proxy; no records): "
              f"{piped.describe()}, {piped_wire / 1e6:.1f} MB on the wire = {piped.seconds / raw.seconds:.2f}x raw; "
              f"sync = {synced.seconds / piped.seconds:.2f}x that floor; blobs + push phases {upload_phases:.2f} s "
              f"= {upload_phases / piped.seconds:.2f}x that floor")
        floor_row("sync floor: bundle pipeline alone / streamed upload", piped.seconds / raw.seconds, "×", 1.5,
                  higher_is_better=False)
        cores = os.cpu_count() or 1
        piped_cpu = sum(piped.cpu.values())
        print(f"the bundle pipeline's work: {piped_cpu:.2f} CPU s in the client, proxy and server together, "
              f"on {cores} CPUs: however well the three processes overlapped, at least {piped_cpu / cores:.2f} s "
              f"= {piped_cpu / cores / raw.seconds:.2f}x raw (the raw upload's: {sum(raw.cpu.values()):.2f} CPU s)")
        floor_row("sync floor: bundle pipeline CPU s ÷ CPUs / streamed upload", piped_cpu / cores / raw.seconds, "×",
                  1.5, higher_is_better=False)
    finally:
        proxy.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
