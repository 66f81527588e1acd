"""Blobs only through evidence the caller may read (issue 11, item 3).

Inspector A (盐城 320900) syncs a finding with a photo S. Inspector B (南京 320100) knows S's SHA-256 — every
PDF form prints it — but not the photo. Every blob endpoint must answer B about S exactly as about a hash N
that exists nowhere; B's evidence may not name S; and evidence naming S that reached the server anyway does
not make S readable. Deduplication stays invisible: B uploading the same bytes stores nothing twice and
only then lets B's evidence name it.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid as uuids

import sqlalchemy as sa

from inspector.store.workspace import Workspace
from sync.blob_transfer import upload_chunked
from sync.client import SyncClient
from sync.protocol import BlobManifest, PushBatch, RecordChange, VerifyRequest
from sync.server.storage import blobs, records, server_now
from tests.sync_fixtures import PASSWORD, client_workspace, db_url, field_work, server, stored_bytes, sync  # noqa: F401


def _api(server, user: str) -> SyncClient:  # noqa: F811
    client = SyncClient(server.url)
    client.login(user, PASSWORD, remember=False)
    return client


def _call(client: SyncClient, method: str, path: str, **kwargs) -> tuple[int, str]:
    """(status, body with every hash and the server time blanked): what the caller can tell apart."""
    headers = {"Authorization": f"Bearer {client.token}", **kwargs.pop("headers", {})}
    response = client.session.request(method, client.base + path, timeout=30, headers=headers, **kwargs)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        body.pop("server_time", None)
    return response.status_code, json.dumps(body, sort_keys=True)


def _same_answers(client: SyncClient, secret: str, nowhere: str, method: str, path: str, **kwargs) -> tuple[int, str]:
    """Ask about both hashes; the answers must be identical once the hash itself is blanked."""
    def ask(sha: str) -> tuple[int, str]:
        options = {k: json.loads(json.dumps(v).replace("{sha}", sha)) if k == "json" else v for k, v in kwargs.items()}
        status, body = _call(client, method, path.replace("{sha}", sha), **options)
        return status, body.replace(sha, "<sha>")
    about_secret, about_nothing = ask(secret), ask(nowhere)
    assert about_secret == about_nothing, (method, path, about_secret, about_nothing)
    return about_secret


def _synced_photo(server, tmp_path):  # noqa: F811
    """A's synced photo: (its SHA-256, its bytes, the wire content of its evidence record)."""
    from inspector.store.media_store import blob_path

    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=1)
    assert sync(a).verified
    with Workspace.open(a) as ws:
        sha = ws.conn.execute("SELECT sha256 FROM evidence").fetchone()[0]
        data = blob_path(ws.media_dir, sha).read_bytes()
    owner = _api(server, "inspector_a")
    evidence = next(r for r in owner.changes(0, 1000).changes if r.kind == "evidence")
    owner.close()
    return sha, data, evidence.content


def _own_case(client: SyncClient, case_no: str) -> str:
    cases = [r for r in client.changes(0, 1000).changes if r.kind == "cases"]
    return next(r.uuid for r in cases if r.content["case_no"] == case_no)


def _evidence_in(case_uuid: str, content: dict, sha: str) -> RecordChange:
    return RecordChange(kind="evidence", uuid=str(uuids.uuid4()),
                        content={**content, "case_uuid": case_uuid, "finding_uuid": None, "sha256": sha})


def test_every_blob_endpoint_answers_about_a_foreign_blob_as_about_no_blob(server, tmp_path):  # noqa: F811
    secret, data, content = _synced_photo(server, tmp_path)
    nowhere = hashlib.sha256(b"a photo that exists nowhere").hexdigest()
    b = _api(server, "inspector_b")

    assert b.blobs_missing([secret, nowhere]) == [secret, nowhere]
    status, _ = _same_answers(b, secret, nowhere, "GET", "/blobs/{sha}")
    assert status == 404
    status, body = _same_answers(b, secret, nowhere, "GET", "/blobs/{sha}/upload")
    assert status == 200 and json.loads(body) == {"sha256": "<sha>", "received": [], "complete": False}
    status, _ = _same_answers(b, secret, nowhere, "POST", "/blobs/{sha}/complete")
    assert status == 409  # no upload of B's started
    fake = b"not the photo"
    manifest = {"sha256": "{sha}", "size": len(fake), "chunk_size": 1024, "chunks": [hashlib.sha256(fake).hexdigest()]}
    status, body = _same_answers(b, secret, nowhere, "PUT", "/blobs/{sha}/manifest", json=manifest)
    assert status == 200 and json.loads(body)["complete"] is False
    status, _ = _same_answers(b, secret, nowhere, "PUT", "/blobs/{sha}/chunks/0", data=fake,
                              headers={"Content-Type": "application/octet-stream"})
    assert status == 200
    status, body = _same_answers(b, secret, nowhere, "POST", "/blobs/{sha}/complete")
    assert status == 422 and "does not match" in body  # bytes that are not the blob prove nothing

    bundles = []
    for sha in (secret, nowhere):  # a bundle whose bytes are not the blob stores nothing, either way
        header = json.dumps({"blobs": [{"sha256": sha, "size": len(fake)}]}).encode()
        status, body = _call(b, "POST", "/blobs/bundle", data=len(header).to_bytes(4, "big") + header + fake)
        bundles.append((status, body.replace(sha, "<sha>")))
    assert bundles[0] == bundles[1] == (200, json.dumps({"stored": []}))

    case_b = _own_case(b, "LD-002")
    pushed = b.push(PushBatch(operation_id="name-a-foreign-photo", records=[
        _evidence_in(case_b, content, secret), _evidence_in(case_b, content, nowhere)]))
    assert [(r.status, r.reason) for r in pushed.results] == [("rejected", "blob not uploaded yet")] * 2
    checked = b.verify(VerifyRequest(records=[], blobs=[secret, nowhere]))
    assert checked.blobs_missing_on_server == sorted([secret, nowhere]) and not checked.ok

    with server.storage.write() as conn:  # evidence naming S that reached B's jurisdiction anyway (before the fix)
        conn.execute(records.insert().values(
            uuid=str(uuids.uuid4()), kind="evidence", case_uuid=case_b, city_adcode="320100", county_adcode=None,
            revision=1, deleted=False, content=json.dumps({**content, "case_uuid": case_b}), content_hash="x" * 64,
            blob_sha256=secret, server_seq=10 ** 6, updated_by="inspector_b", received_at=server_now()))
    assert _call(b, "GET", f"/blobs/{secret}")[0] == 404
    assert b.blobs_missing([secret]) == [secret]
    b.close()

    reviewer = _api(server, "reviewer_r")  # A's city: the photo is readable through A's evidence
    answer = reviewer.session.get(reviewer.base + f"/blobs/{secret}", timeout=30,
                                  headers={"Authorization": f"Bearer {reviewer.token}"})
    assert answer.status_code == 200 and answer.content == data
    assert reviewer.blobs_missing([secret, nowhere]) == [nowhere]
    reviewer.close()


def test_uploading_bytes_already_stored_elsewhere_stores_them_once_and_lets_the_uploader_use_them(
        server, tmp_path):  # noqa: F811
    from sync.server.storage import blob_uploads

    secret, data, content = _synced_photo(server, tmp_path)
    b = _api(server, "inspector_b")  # B took the very same photo (or was given the file)
    path = tmp_path / "same.jpg"
    path.write_bytes(data)
    assert upload_chunked(b, path, secret, len(data), chunk_size=64 * 1024) == -(-len(data) // (64 * 1024))
    assert b.blobs_missing([secret]) == []
    assert b.start_upload(BlobManifest(sha256=secret, size=len(data), chunk_size=len(data),
                                       chunks=[secret])).complete
    case_b = _own_case(b, "LD-002")
    pushed = b.push(PushBatch(operation_id="b-attaches-its-copy", records=[_evidence_in(case_b, content, secret)]))
    assert pushed.results[0].status == "applied", pushed.results[0].reason
    answer = b.session.get(b.base + f"/blobs/{secret}", timeout=30, headers={"Authorization": f"Bearer {b.token}"})
    assert answer.status_code == 200 and answer.content == data
    b.close()

    store = server.app.state.blob_store
    assert not list(store.backend.blob_dir.rglob(secret[2:] + "*"))  # stored once: in the pack of A's bundle
    assert stored_bytes(store, secret) == data
    with server.storage.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(blobs).where(blobs.c.sha256 == secret)).scalar() == 1
        uploaders = conn.execute(sa.select(blob_uploads.c.jurisdiction).where(blob_uploads.c.sha256 == secret)
                                 .order_by(blob_uploads.c.jurisdiction)).scalars().all()
    assert uploaders == ["320100", "320900"]
    assert not [p for p in store.backend.upload_dir.rglob("*") if p.is_file()]  # the chunks are gone


def test_a_bundle_records_the_upload_and_evidence_in_the_own_jurisdiction_may_reuse_a_blob(
        server, tmp_path):  # noqa: F811
    secret, data, content = _synced_photo(server, tmp_path)
    b = _api(server, "inspector_b")
    header = json.dumps({"blobs": [{"sha256": secret, "size": len(data)}]}).encode()
    assert b.put_bundle(len(header).to_bytes(4, "big") + header + data)["stored"] == [secret]
    assert b.blobs_missing([secret]) == []
    b.close()

    reviewer = _api(server, "reviewer_r")  # S is already in 盐城: its office may attach it to another 盐城 case
    other_case = _own_case(reviewer, "LD-010")
    pushed = reviewer.push(PushBatch(operation_id="reuse-in-own-city", records=[
        _evidence_in(other_case, content, secret)]))
    assert pushed.results[0].status == "applied", pushed.results[0].reason
    reviewer.close()


def test_blobs_stored_before_uploads_were_recorded_stay_readable(tmp_path):
    """A server data directory from before this change: its blobs count as uploaded by their uploader."""
    from sync.server.auth import add_user
    from sync.server.blob_access import readable
    from sync.server.storage import Storage

    storage = Storage.for_data_dir(tmp_path / "server")
    owner = add_user(storage, "owner", "inspector", "320900", PASSWORD)
    stranger = add_user(storage, "stranger", "inspector", "320100", PASSWORD)
    sha = hashlib.sha256(os.urandom(16)).hexdigest()
    with storage.write() as conn:
        conn.execute(blobs.insert().values(sha256=sha, size=16, uploaded_by="owner", stored_at=server_now()))
        conn.execute(records.insert().values(
            uuid=str(uuids.uuid4()), kind="evidence", case_uuid=str(uuids.uuid4()), city_adcode="320900",
            county_adcode="320902", revision=1, deleted=False, content="{}", content_hash="x" * 64, blob_sha256=sha,
            server_seq=1, updated_by="owner", received_at=server_now()))
    storage.dispose()
    storage = Storage.for_data_dir(tmp_path / "server")
    with storage.read() as conn:
        assert readable(conn, owner, sha) and not readable(conn, stranger, sha)
    storage.dispose()
    Storage.for_data_dir(tmp_path / "server").dispose()  # adopting again changes nothing
