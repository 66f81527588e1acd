"""The S3-compatible blob store backend against a real SeaweedFS: sync through it, uploads visible only once
verified, downloads, zone layers, ``verify-blobs``, and credentials that never show (issue 18, item 1)."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.store.workspace import Workspace
from sync.protocol import BlobManifest
from sync.server.blob_backends import blob_key
from sync.server.cli import main as server_main
from tests.object_store import s3_bucket, seaweed  # noqa: F401 - fixtures
from tests.sync_fixtures import (
    REPO,
    api,
    client_workspace,
    field_work,
    start_server,
    sync,
    use_test_keyring,
)


def _bucket(url: str) -> str:
    return url[len("s3://"):].split("?")[0]


@pytest.fixture
def s3_server(s3_bucket, tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, None, blobs_url=s3_bucket)
    yield running
    running.stop()


def test_photos_sync_through_the_object_store(s3_server, seaweed, s3_bucket, tmp_path):
    """A device's photos go into the bucket under their content address (nothing in the data directory), and
    another device of the jurisdiction downloads the same bytes."""
    a = client_workspace(tmp_path / "a", s3_server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=3)
    assert sync(a).verified
    with Workspace.open(a) as ws:
        shas = sorted(r[0] for r in ws.conn.execute("SELECT sha256 FROM evidence"))
    assert len(shas) == 3
    stored = seaweed.keys(_bucket(s3_bucket), "blobs/")
    assert sorted(stored) == sorted(blob_key(sha) for sha in shas)
    assert not (s3_server.data_dir / "blobs").exists() and not (s3_server.data_dir / "uploads").exists()
    r = client_workspace(tmp_path / "r", s3_server.url, "reviewer_r")
    assert sync(r).verified
    with Workspace.open(r) as ws:
        for sha in shas:
            assert hashlib.sha256((ws.media_dir / sha[:2] / sha[2:]).read_bytes()).hexdigest() == sha


def test_chunked_upload_appears_only_after_its_hash_matched(s3_server, seaweed, s3_bucket, tmp_path):
    """Chunks that each match the manifest but not the announced blob: 422, and no object under the blob's key;
    the honest upload of a multipart-sized blob is stored whole and streams back byte for byte."""
    bucket = _bucket(s3_bucket)
    client = api(s3_server.url, "inspector_a")
    chunk = 1024 * 1024
    data = os.urandom(9 * chunk + 123)  # above the backend's part size: a multipart upload
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    claimed = hashlib.sha256(b"something else").hexdigest()
    manifest = BlobManifest(sha256=claimed, size=len(data), chunk_size=chunk,
                            chunks=[hashlib.sha256(c).hexdigest() for c in chunks])
    client.start_upload(manifest)
    for index, body in enumerate(chunks):
        client.put_chunk(claimed, index, body)
    with pytest.raises(Exception):
        client.complete_upload(claimed)
    assert seaweed.keys(bucket, "blobs/") == [] and seaweed.keys(bucket, "uploads/") == []
    assert seaweed.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []

    sha = hashlib.sha256(data).hexdigest()
    client.start_upload(BlobManifest(sha256=sha, size=len(data), chunk_size=chunk, chunks=manifest.chunks))
    for index, body in enumerate(chunks[:4]):
        client.put_chunk(sha, index, body)
    assert seaweed.keys(bucket, "blobs/") == []  # half an upload is never a blob
    for index, body in enumerate(chunks[4:], start=4):
        client.put_chunk(sha, index, body)
    assert client.complete_upload(sha).complete
    assert seaweed.keys(bucket, "blobs/") == [blob_key(sha)] and seaweed.keys(bucket, "uploads/") == []
    stored = seaweed.client.get_object(Bucket=bucket, Key=blob_key(sha))["Body"].read()
    assert stored == data
    client.close()


def _verify(data_dir: Path, env: dict[str, str], *options: str) -> tuple[int, dict, str]:
    done = subprocess.run([sys.executable, "-m", "sync.server.cli", "--data", str(data_dir), "verify-blobs",
                           *options],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def test_verify_blobs_finds_a_damaged_object_and_no_credential_shows(s3_server, seaweed, s3_bucket, tmp_path):
    a = client_workspace(tmp_path / "a", s3_server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=2)
    assert sync(a).verified
    data_dir = s3_server.data_dir
    s3_server.stop()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code, report, err = _verify(data_dir, env, "--blobs", s3_bucket)  # remembered for the next commands
    assert code == 0 and report["checked"] == 2 and report["ok"] == 2 and report["failed"] == []
    config = (data_dir / "server.json").read_text()
    assert json.loads(config)["blobs"] == s3_bucket
    for text in (config, json.dumps(report), err):
        assert seaweed.secret_key not in text and seaweed.access_key not in text

    bucket = _bucket(s3_bucket)
    damaged = seaweed.keys(bucket, "blobs/")[0]
    seaweed.client.put_object(Bucket=bucket, Key=damaged, Body=b"not the photo")
    code, report, err = _verify(data_dir, env)
    assert code == 2 and report["ok"] == 1
    assert report["failed"] == [{"sha256": damaged[len("blobs/"):].replace("/", ""),
                                 "problem": f"size 13 bytes, expected {report['failed'][0]['problem'].split()[-1]}"}]

    without = {k: v for k, v in env.items() if not k.startswith("AWS_")}
    code, _, err = _verify(data_dir, without)
    assert code == 2 and "AWS_ACCESS_KEY_ID" in err


def test_credentials_in_the_url_are_refused_without_being_echoed(tmp_path, capsys):
    secret = "Very-Secret-Key-123"
    code = server_main(["--data", str(tmp_path / "d"), "verify-blobs", "--blobs",
                        f"s3://key:{secret}@bucket?endpoint=http://127.0.0.1:9"])
    out, err = capsys.readouterr()
    assert code == 2 and secret not in out + err and "credentials" in err
    assert not (tmp_path / "d" / "server.json").exists()


def test_verify_blobs_on_the_filesystem_backend(tmp_path, monkeypatch, capsys):
    """The default backend is checked the same way (a bureau's single server)."""
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, None)
    a = client_workspace(tmp_path / "a", running.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=1)
    assert sync(a).verified
    running.stop()
    assert server_main(["--data", str(running.data_dir), "verify-blobs"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["checked"] == 1 and report["failed"] == [] and report["backend"].startswith("file://")
    blob = next(p for p in (running.data_dir / "packs").glob("*.pack"))  # a bundled blob lives in a pack
    blob.chmod(0o644)
    blob.write_bytes(b"x" * blob.stat().st_size)
    assert server_main(["--data", str(running.data_dir), "verify-blobs"]) == 2
    assert json.loads(capsys.readouterr().out)["failed"][0]["problem"] == "content does not match its SHA-256"
