"""Sync security: the authorization matrix, spoofed jurisdiction, revoked tokens, environment
attacks (REQUESTS_CA_BUNDLE / HTTPS_PROXY), TLS with a test CA, untrusted servers, 413 limits,
and resumable chunked uploads.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import ssl
import threading

import pytest
import requests

from inspector.store.workspace import Workspace
from sync.blob_transfer import upload_chunked
from sync.client import SyncClient
from sync.errors import AuthError, UntrustedServer
from sync.protocol import (
    API_PREFIX,
    MAX_BUNDLE_BYTES,
    MAX_CHUNK_BYTES,
    MAX_JSON_BODY_BYTES,
    BlobManifest,
    PushBatch,
    RecordChange,
)
from sync.record_codec import to_wire
from sync.server.auth import revoke_tokens
from tests.sync_fixtures import (  # noqa: F401
    PASSWORD,
    client_workspace,
    db_url,
    field_work,
    server,
    start_server,
    sync,
    upload_cut_at_half,
)
from tests.sync_proxy import FaultProxy


def _api(server, user):
    client = SyncClient(server.url)
    client.login(user, PASSWORD, remember=False)
    return client


def _raw(client, method, path, **kwargs):
    return client.session.request(method, client.base + path, timeout=10,
                                  headers={"Authorization": f"Bearer {client.token}"}, **kwargs)


def test_authorization_matrix(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=1)
    sync(a)
    with Workspace.open(a) as ws:
        mine = {k: [dict(r) for r in ws.conn.execute(f"SELECT * FROM {k}")] for k in ("cases", "findings", "evidence")}
        case_row = ws.conn.execute("SELECT * FROM cases WHERE case_no = 'LD-001'").fetchone()
        finding_row = ws.conn.execute("SELECT * FROM findings").fetchone()
        case_content, finding_content = to_wire(ws.conn, "cases", case_row), to_wire(ws.conn, "findings", finding_row)
    secret_uuids = {r["uuid"] for rows in mine.values() for r in rows}
    sha = mine["evidence"][0]["sha256"]
    finding_uuid = mine["findings"][0]["uuid"]

    anonymous = requests.Session()
    for method, path in (("GET", "/changes"), ("GET", "/conflicts"), ("POST", "/push"), ("POST", "/verify"),
                         ("DELETE", f"/records/{finding_uuid}"), ("GET", f"/blobs/{sha}"),
                         ("POST", "/blobs/missing"), ("PUT", f"/blobs/{sha}/manifest"),
                         ("PUT", f"/blobs/{sha}/chunks/0"), ("POST", f"/blobs/{sha}/complete"),
                         ("POST", "/blobs/bundle"), ("POST", "/conflicts/1/resolve"), ("GET", "/zone-layers"),
                         ("GET", f"/zone-layers/{sha}")):
        assert anonymous.request(method, server.url + API_PREFIX + path, data=b"{}").status_code == 401, path

    for user in ("inspector_b", "reviewer_nj"):
        client = _api(server, user)
        page = client.changes(0, 1000)
        seen = {r.uuid for r in page.changes + page.parents}
        assert not seen & secret_uuids and all(r.city_adcode == "320100" for r in page.changes)
        assert client.conflicts().conflicts == []
        assert _raw(client, "GET", f"/blobs/{sha}").status_code == 404
        assert _raw(client, "GET", f"/zone-layers/{sha}").status_code == 404  # a media blob is not a zone layer
        expected_resolve = 403 if user == "inspector_b" else 404  # no conflict 1 in 南京's jurisdiction
        assert _raw(client, "POST", "/conflicts/1/resolve", json={"keep": "server"}).status_code == expected_resolve
        expected = 403 if user == "inspector_b" else 404
        assert _raw(client, "DELETE", f"/records/{finding_uuid}").status_code == expected
        pushed = client.push(PushBatch(operation_id=f"foreign-{user}", records=[
            RecordChange(kind="cases", uuid=case_row["uuid"], base_revision=case_row["base_revision"],
                         content={**case_content, "status": "已销号"}),
            RecordChange(kind="findings", uuid=finding_uuid, base_revision=1,
                         content={**finding_content, "description": "篡改"}),
            RecordChange(kind="findings", uuid="00000000-0000-4000-8000-000000000001",
                         content={**finding_content, "description": "冒充"}),
        ]))
        assert [r.status for r in pushed.results] == ["rejected"] * 3
        assert {r.reason for r in pushed.results} == {"case not found in your jurisdiction"}
        client.close()

    with Workspace.open(a) as ws:  # nothing changed for A
        assert ws.conn.execute("SELECT description FROM findings").fetchone()[0] == mine["findings"][0]["description"]
    owner = _api(server, "inspector_a")
    assert owner.changes(0, 1000).changes[0].city_adcode == "320900"
    spoofed = owner.push(PushBatch(operation_id="spoof-jurisdiction", records=[
        RecordChange(kind="cases", uuid=case_row["uuid"], base_revision=case_row["base_revision"],
                     content={**case_content, "city_adcode": "320100"}),
        RecordChange(kind="findings", uuid="00000000-0000-4000-8000-000000000002",
                     content={**finding_content, "city_adcode": "320100", "county_adcode": "320102"}),
        RecordChange(kind="transitions", uuid="00000000-0000-4000-8000-000000000003",
                     content={"case_uuid": case_row["uuid"], "action": "已销号", "from_state": "市级验收",
                              "to_state": "已销号", "actor": "inspector_a", "role": "reviewer", "reason": None,
                              "at_utc": "2026-01-01T00:00:00Z", "revision": 1, "created_at": "2026-01-01T00:00:00Z",
                              "updated_at": "2026-01-01T00:00:00Z"}),
    ]))
    assert [r.status for r in spoofed.results] == ["rejected"] * 3
    assert "jurisdiction" in spoofed.results[0].reason and "jurisdiction" in spoofed.results[1].reason
    assert "role" in spoofed.results[2].reason
    assert _raw(owner, "DELETE", f"/records/{finding_uuid}").status_code == 403  # inspectors cannot delete
    owner.close()


def test_revoked_token_asks_for_login_and_keeps_data(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=1)
    revoke_tokens(server.storage, "inspector_a")
    with pytest.raises(AuthError) as failure:
        sync(a)
    assert failure.value.is_auth() and not failure.value.is_retryable() and "log in" in str(failure.value)
    with Workspace.open(a) as ws:
        assert ws.conn.execute("SELECT count(*) FROM findings WHERE dirty = 1").fetchone()[0] == 1


def test_environment_cannot_redirect_or_retrust(server, tmp_path, monkeypatch):  # noqa: F811
    attacker = socket.socket()
    attacker.bind(("127.0.0.1", 0))
    attacker.listen(8)
    attacker.settimeout(0.2)
    bogus_ca = tmp_path / "attacker-ca.pem"
    bogus_ca.write_text("not a certificate")
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{attacker.getsockname()[1]}")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bogus_ca))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(bogus_ca))
    monkeypatch.delenv("NO_PROXY", raising=False)
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    assert sync(a).verified
    with pytest.raises(socket.timeout):
        attacker.accept()
    attacker.close()


def _make_ca(tmp_path, name):
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {k: tmp_path / f"{name}-{k}.pem" for k in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return {k: str(v) for k, v in paths.items()}


def test_https_with_test_ca_and_untrusted_server(tmp_path, monkeypatch):
    from tests.sync_fixtures import use_test_keyring

    use_test_keyring(monkeypatch)
    good, evil = _make_ca(tmp_path, "office"), _make_ca(tmp_path, "attacker")
    server = start_server(tmp_path, None, certfile=good["cert"], keyfile=good["key"])
    try:
        a = client_workspace(tmp_path / "a", server.url, "inspector_a", ca_bundle=good["ca"])
        assert sync(a).verified
        with pytest.raises(UntrustedServer):
            SyncClient(server.url, ca_bundle=evil["ca"]).login("inspector_a", PASSWORD, remember=False)
    finally:
        server.stop()

    received: list[bytes] = []  # an impostor with the attacker's certificate on the same address
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(evil["cert"], evil["key"])

    def impostor() -> None:
        conn, _ = listener.accept()
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                received.append(tls.recv(65536))
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=impostor, daemon=True)
    thread.start()
    client = SyncClient(f"https://127.0.0.1:{listener.getsockname()[1]}", ca_bundle=good["ca"], token="secret-token")
    with pytest.raises(UntrustedServer) as failure:
        client.changes(0, 10)
    assert not failure.value.is_retryable()
    thread.join(5)
    listener.close()
    assert not any(b"secret-token" in chunk for chunk in received)


def test_oversized_bodies_are_413_and_store_nothing(server):  # noqa: F811
    client = _api(server, "inspector_a")
    big = os.urandom(MAX_CHUNK_BYTES + 1)
    sha = hashlib.sha256(big).hexdigest()
    manifest = BlobManifest(sha256=sha, size=len(big), chunk_size=MAX_CHUNK_BYTES,
                            chunks=[hashlib.sha256(big[:MAX_CHUNK_BYTES]).hexdigest(),
                                    hashlib.sha256(big[MAX_CHUNK_BYTES:]).hexdigest()])
    client.start_upload(manifest)
    answer = client.session.put(client.base + f"/blobs/{sha}/chunks/0", data=big, timeout=30,
                                headers={"Authorization": f"Bearer {client.token}"})
    assert answer.status_code == 413
    bundle = client.session.post(client.base + "/blobs/bundle", data=os.urandom(MAX_BUNDLE_BYTES + 1), timeout=30,
                                 headers={"Authorization": f"Bearer {client.token}"})
    assert bundle.status_code == 413
    push = client.session.post(client.base + "/push", data=b" " * (MAX_JSON_BODY_BYTES + 1), timeout=30,
                               headers={"Authorization": f"Bearer {client.token}",
                                        "Content-Type": "application/json"})
    assert push.status_code == 413
    files = server.app.state.blob_store.backend
    assert not [p for p in files.upload_dir.rglob("*") if p.is_file()] and not files.blob_path(sha).exists()
    assert not [p for p in files.blob_dir.rglob("*") if p.is_file()]
    assert not [p for p in files.tmp_dir.iterdir()]
    assert not [p for p in (files.root / "packs").glob("*") if p.stat().st_size]  # nothing appended to a pack
    client.close()


def test_chunked_upload_cut_at_half_resends_at_most_one_chunk(server, tmp_path):  # noqa: F811
    proxy = FaultProxy(server.port)
    chunk = 256 * 1024
    client, path, data, sha = upload_cut_at_half(proxy, 3 * 1024 * 1024, chunk, tmp_path)
    held = len(client.start_upload(BlobManifest(sha256=sha, size=len(data), chunk_size=chunk,
                                                chunks=[hashlib.sha256(data[i:i + chunk]).hexdigest()
                                                        for i in range(0, len(data), chunk)])).received)
    resent = upload_chunked(client, path, sha, len(data), chunk_size=chunk)
    assert held >= len(data) // chunk // 2 - 1 and resent == 12 - held and resent <= 12 // 2 + 1
    assert hashlib.sha256(server.app.state.blob_store.backend.blob_path(sha).read_bytes()).hexdigest() == sha
    client.close()
    proxy.close()
