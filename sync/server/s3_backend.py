"""The S3-compatible object store backend (MinIO, Ceph RGW, cloud OSS; SeaweedFS in the tests), through boto3.

Chosen by ``--blobs s3://BUCKET?endpoint=https://host:port[&region=R][&ca=FILE]``. The URL carries no
secret and one with a user or password in it is refused. Credentials come
from the file the server config names (``--s3-credentials FILE``, the AWS
credentials format: ``[default]`` with ``aws_access_key_id`` and
``aws_secret_access_key``) or else from the environment
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, optionally
``AWS_SESSION_TOKEN``); they are handed to boto3 explicitly, so it never
looks further (no instance metadata lookups), and they appear in no
description, log line or JSON answer.

A put is atomic in S3: the object appears whole when the request succeeds.
:meth:`S3Backend.assemble` reads the chunks back while hashing; a blob up to
:data:`PART_BYTES` is put only after its SHA-256 matched, a larger one goes
as a multipart upload that is completed only after the hash of all its parts
matched, and aborted otherwise — so no unverified object is ever visible.
Downloads stream from the object's body.
"""
from __future__ import annotations

import configparser
import hashlib
import os
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, Optional

PART_BYTES = 8 * 1024 * 1024  # bytes per multipart part (S3 requires at least 5 MiB but for the last)
READ_BYTES = 1024 * 1024  # bytes per streamed read
CONNECT_TIMEOUT_S = 10  # seconds to connect to the object store
READ_TIMEOUT_S = 60  # seconds to wait for an answer
POOL_CONNECTIONS = 64  # HTTP connections kept per process (the API's thread pool shares one client)
PARALLEL_PUTS = 16  # a bundle's objects put at once (by all requests of a process together)
DELETE_BATCH = 1000  # keys per DeleteObjects request (the S3 maximum)
CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def _credentials(credentials_file: Optional[str]) -> dict[str, str]:
    """boto3's credential arguments, from the named file, else the environment."""
    if credentials_file:
        parser = configparser.ConfigParser()
        try:
            with open(credentials_file, encoding="utf-8") as handle:
                parser.read_file(handle)
            section = parser["default"]
            found = {"aws_access_key_id": section["aws_access_key_id"],
                     "aws_secret_access_key": section["aws_secret_access_key"]}
        except (OSError, KeyError, configparser.Error):
            raise ValueError("the S3 credentials file is unreadable or lacks [default] aws_access_key_id and "
                             "aws_secret_access_key") from None
        if section.get("aws_session_token"):
            found["aws_session_token"] = section["aws_session_token"]
        return found
    key_id, secret = (os.environ.get(name, "") for name in CREDENTIAL_ENV)
    if not key_id or not secret:
        raise ValueError("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a "
                         "credentials file with --s3-credentials")
    found = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
    if os.environ.get("AWS_SESSION_TOKEN"):
        found["aws_session_token"] = os.environ["AWS_SESSION_TOKEN"]
    return found


def parse_url(url: str) -> tuple[str, dict[str, str]]:
    """``(bucket, options)`` of an ``s3://`` URL; refuses credentials inside it (without echoing them)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("the --blobs URL must not carry credentials: use the environment or --s3-credentials")
    options = dict(urllib.parse.parse_qsl(parts.query))
    unknown = set(options) - {"endpoint", "region", "ca"}
    if unknown or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError("--blobs must be s3://BUCKET?endpoint=URL[&region=R][&ca=FILE]")
    endpoint = urllib.parse.urlsplit(options.get("endpoint", "https://s3.amazonaws.com"))
    if endpoint.scheme not in ("http", "https") or endpoint.username or endpoint.password:
        raise ValueError("the S3 endpoint must be an http(s) URL without credentials")
    return parts.netloc, options


class S3Backend:
    """Objects in one bucket of an S3-compatible store."""

    def __init__(self, bucket: str, *, endpoint: Optional[str], region: str, ca_file: Optional[str],
                 credentials: dict[str, str]) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.description = f"s3://{bucket} at {endpoint or 'AWS'}"
        config = Config(connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                        retries={"max_attempts": 4, "mode": "standard"}, max_pool_connections=POOL_CONNECTIONS,
                        s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
        self._puts = ThreadPoolExecutor(max_workers=PARALLEL_PUTS, thread_name_prefix="s3-put")
        session = boto3.session.Session()
        self.client: Any = session.client("s3", endpoint_url=endpoint, region_name=region,
                                          verify=ca_file if ca_file else True, config=config, **credentials)

    @classmethod
    def from_url(cls, url: str, credentials_file: Optional[str] = None) -> "S3Backend":
        bucket, options = parse_url(url)
        return cls(bucket, endpoint=options.get("endpoint"), region=options.get("region", "us-east-1"),
                   ca_file=options.get("ca"), credentials=_credentials(credentials_file))

    def __repr__(self) -> str:
        return f"S3Backend({self.description})"

    def _missing(self, error: Exception) -> bool:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, key: str, data: memoryview) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(data))

    def put_many(self, items: list[tuple[str, memoryview]]) -> None:
        """The puts in parallel (each is a round trip); returns when all succeeded, raises the first error."""
        if len(items) <= 1:
            for key, data in items:
                self.put(key, data)
            return
        for future in [self._puts.submit(self.put, key, data) for key, data in items]:
            future.result()

    def put_chunk(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body)

    def iter_keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def names(self, prefix: str) -> list[str]:
        return [key[len(prefix):] for key in self.iter_keys(prefix) if "/" not in key[len(prefix):]]

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if self._missing(error):
                return False
            raise
        return True

    def open(self, key: str) -> Optional[tuple[int, Iterator[bytes]]]:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if self._missing(error):
                return None
            raise
        body = answer["Body"]

        def stream() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(READ_BYTES)
            finally:
                body.close()

        return int(answer["ContentLength"]), stream()

    def _read(self, key: str) -> Iterator[bytes]:
        found = self.open(key)
        if found is None:
            raise FileNotFoundError(key)
        return found[1]

    def delete_prefix(self, prefix: str) -> None:
        keys = list(self.iter_keys(prefix))
        for start in range(0, len(keys), DELETE_BATCH):
            objects = [{"Key": key} for key in keys[start:start + DELETE_BATCH]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

    def assemble(self, parts: list[str], key: str, sha256: str, size: int) -> bool:
        digest, buffered, written = hashlib.sha256(), bytearray(), 0
        upload_id: Optional[str] = None
        done_parts: list[dict[str, Any]] = []
        try:
            for part in parts:
                for data in self._read(part):
                    digest.update(data)
                    written += len(data)
                    buffered += data
                    if len(buffered) >= PART_BYTES:
                        if upload_id is None:
                            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
                        number = len(done_parts) + 1
                        answer = self.client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                         PartNumber=number, Body=bytes(buffered))
                        done_parts.append({"PartNumber": number, "ETag": answer["ETag"]})
                        buffered.clear()
            if digest.hexdigest() != sha256 or written != size:
                raise _Mismatch()
            if upload_id is None:  # small: one put, after the check
                self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffered))
                return True
            if buffered:
                number = len(done_parts) + 1
                answer = self.client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                 PartNumber=number, Body=bytes(buffered))
                done_parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                  MultipartUpload={"Parts": done_parts})
            upload_id = None
            return True
        except _Mismatch:
            return False
        finally:
            if upload_id is not None:  # a mismatch or an error: the object never appears
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def close(self) -> None:
        self._puts.shutdown(wait=True)
        self.client.close()


class _Mismatch(Exception):
    """The assembled bytes are not the announced blob."""
