"""Sync benchmark (a script, not collected by pytest).

Syncs N findings with 3·N photos (~100 KB each) from a fresh workspace to the
reference server over loopback, through a byte-counting proxy, and compares:

- wall time against a raw streamed HTTP upload of the same bytes to the same
  server (one PUT to a sink route mounted beside the API in the same uvicorn
  process) — target ≤ 1.5×;
- bytes on the wire (both directions) against the photo payload — target ≤ 1.05×;
- a chunked upload cut at 50 %: chunks re-sent on resume — target ≤ 1.

    .venv/bin/python tests/bench/bench_sync.py [--findings 1000] [--photo-kb 100]

``--findings 200`` is a quicker run for profiling; the per-phase times printed
(blobs, push, pull, verify) show where a sync spends its time.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
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


def make_field_work(root: Path, findings: int, photo_bytes: int) -> int:
    """Findings and photo evidence written straight through record_store (random bytes as photos)."""
    from inspector.db import atomic
    from inspector.media_store import store_file
    from inspector.record_store import insert_record
    from inspector.workspace import Workspace, utc_now

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


def raw_upload(url: str, media_dir: Path) -> float:
    import requests

    files = sorted(p for p in media_dir.glob("??/*") if p.is_file())
    size = sum(p.stat().st_size for p in files)

    class Concatenation:
        """The files one after another as one readable stream of known length."""

        def __init__(self) -> None:
            self.pending = list(files)
            self.buffer = b""

        def __len__(self) -> int:
            return size

        def read(self, amount: int = -1) -> bytes:
            while self.pending and (amount < 0 or len(self.buffer) < amount):
                self.buffer += self.pending.pop(0).read_bytes()
            amount = len(self.buffer) if amount < 0 else amount
            data, self.buffer = self.buffer[:amount], self.buffer[amount:]
            return data

    session = requests.Session()
    session.trust_env = False
    started = time.perf_counter()
    answer = session.put(url + "/bench/sink", data=Concatenation(), timeout=(5, 600))
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200 and int(answer.text) == size, answer.text
    return elapsed


def cut_at_half(server_url: str, proxy, work: Path) -> tuple[int, int, int]:
    from sync.blob_transfer import upload_chunked
    from sync.client import SyncClient
    from sync.errors import NetworkError
    from sync_fixtures import PASSWORD

    data = os.urandom(16 * 1024 * 1024)
    path = work / "big.bin"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    chunk = 1024 * 1024
    client = SyncClient(proxy.url)
    client.login("inspector_a", PASSWORD, remember=False)
    proxy.arm("up", len(data) // 2)
    sent_before = 0
    try:
        upload_chunked(client, path, sha, len(data), chunk_size=chunk)
    except NetworkError:
        pass
    proxy.disarm()
    state = client._json("GET", f"/blobs/{sha}/upload")
    held = len(state["received"])
    sent_after = upload_chunked(client, path, sha, len(data), chunk_size=chunk)
    sent_before = held  # chunks confirmed before the cut
    chunks = len(data) // chunk
    client.close()
    return chunks, sent_before, sent_after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--photo-kb", type=int, default=100)
    args = parser.parse_args()
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.environ["XDG_DATA_HOME"] = str(work / "xdg")
    from sync_fixtures import ServerThread, client_workspace, prepare_server_data, sync
    from sync_proxy import FaultProxy

    prepare_server_data(work / "server", None, work / "publish")
    server = ServerThread(work / "server", wrap=lambda app: SinkBeside(app, work / "sink.bin")).start()
    proxy = FaultProxy(server.port)
    root = client_workspace(work / "a", proxy.url, "inspector_a")
    sync(root)
    started = time.perf_counter()
    payload = make_field_work(root, args.findings, args.photo_kb * 1024)
    print(f"prepared {args.findings} findings, {3 * args.findings} photos, {payload / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f} s")

    before = dict(proxy.bytes)
    phases: dict[str, float] = {}  # when each phase began (first progress call)

    def progress(phase: str, done: int, total: int) -> None:
        phases.setdefault(phase, time.perf_counter())

    cpu = os.times()
    started = time.perf_counter()
    report = sync(root, progress=progress)
    sync_s = time.perf_counter() - started
    sync_user, sync_sys = os.times().user - cpu.user, os.times().system - cpu.system
    marks = sorted(phases.items(), key=lambda item: item[1]) + [("end", started + sync_s)]
    print("phases: " + ", ".join(f"{name} {end - begin:.2f} s"
                                 for (name, begin), (_, end) in zip(marks, marks[1:])))
    wire = (proxy.bytes["up"] - before["up"]) + (proxy.bytes["down"] - before["down"])
    assert report.verified and report.pending == 0, report
    print(f"sync: {sync_s:.2f} s (CPU of client, proxy and server together: "
          f"user {sync_user:.2f} s, system {sync_sys:.2f} s), "
          f"pushed {report.pushed}, blobs {report.blobs_uploaded}, "
          f"{wire / 1e6:.1f} MB on the wire")
    cpu = os.times()
    raw_s = raw_upload(proxy.url, root / "media")
    raw_user, raw_sys = os.times().user - cpu.user, os.times().system - cpu.system
    print(f"raw streamed upload of the same bytes: {raw_s:.2f} s (CPU user {raw_user:.2f} s, "
          f"system {raw_sys:.2f} s; {os.cpu_count()} CPUs)")
    print(f"time ratio sync/raw: {sync_s / raw_s:.2f}x (target <= 1.5x)")
    print(f"wire/payload: {wire / payload:.4f}x (target <= 1.05x)")
    chunks, held, resent = cut_at_half(server.url, proxy, work)
    extra = resent - (chunks - held)
    print(f"cut at 50% of a {chunks}-chunk upload: {held} chunks kept, {resent} sent on resume "
          f"(re-sent beyond the missing ones: {extra}; chunks lost in flight: {chunks // 2 - held})")
    proxy.close()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
