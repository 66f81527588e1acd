"""Logins and tokens on the server (issue 11, item 5): backoff after failed logins (429 + Retry-After, kept in
the database for every server process, with security events), one scrypt per login whether or not the user
exists, a password change revokes tokens, tokens expire, out-of-range integers are 422, and the OpenAPI
pages only when configured.
"""
from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
import requests
import sqlalchemy as sa

from inspector.store.workspace import Workspace
from sync.errors import AuthError
from sync.protocol import API_PREFIX
from sync.server import auth
from sync.server.storage import Storage, tokens
from tests.sync_fixtures import PASSWORD, ServerThread, client_workspace, db_url, field_work, server, sync  # noqa: F401


def _login(server, user: str, password: str) -> requests.Response:  # noqa: F811
    return requests.post(server.url + API_PREFIX + "/login", json={"user": user, "password": password}, timeout=30)


def _events(storage, event: str) -> list:
    from sync.server.storage import security_events

    with storage.read() as conn:
        return conn.execute(sa.select(security_events).where(security_events.c.event == event)).fetchall()


def test_failed_logins_back_off_with_429_shared_by_every_server_process(server):  # noqa: F811
    from sync.server.login_guard import FIRST_BLOCK_S, FREE_FAILURES, LoginThrottled
    from sync.server.storage import login_throttle

    answers = [_login(server, "inspector_a", f"guess {n}") for n in range(FREE_FAILURES["user"] + 1)]
    assert [a.status_code for a in answers] == [401] * FREE_FAILURES["user"] + [429]
    retry_after = int(answers[-1].headers["Retry-After"])
    assert 1 <= retry_after <= FIRST_BLOCK_S and "try again" in answers[-1].json()["detail"]
    right = _login(server, "inspector_a", PASSWORD)  # blocked: the right password does not get through either
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    other_process = Storage(server.storage.url)  # the block lives in the database
    with pytest.raises(LoginThrottled):
        auth.login(other_process, "inspector_a", PASSWORD, "127.0.0.1")
    other_process.dispose()
    assert _login(server, "inspector_b", PASSWORD).status_code == 200  # other users from the address still can

    failed, blocked = _events(server.storage, "login_failed"), _events(server.storage, "login_blocked")
    assert len(failed) == FREE_FAILURES["user"] and {e.user_name for e in failed} == {"inspector_a"}
    assert {e.address for e in failed} == {"127.0.0.1"} and blocked and "user blocked" in blocked[0].detail

    with server.storage.write() as conn:  # the block has run out (instead of waiting for it)
        conn.execute(login_throttle.update().values(blocked_until_s=0.0))
    assert _login(server, "inspector_a", PASSWORD).status_code == 200
    with server.storage.read() as conn:
        assert conn.execute(sa.select(login_throttle).where(login_throttle.c.scope == "user")).fetchall() == []
    assert _login(server, "inspector_a", "wrong again").status_code == 401  # the count started over


def test_an_address_guessing_many_names_is_blocked(tmp_path):
    from sync.server.login_guard import FREE_FAILURES, LoginThrottled

    storage = Storage.for_data_dir(tmp_path / "server")
    auth.add_user(storage, "known", "inspector", "320900", PASSWORD)
    for n in range(FREE_FAILURES["address"]):
        assert auth.login(storage, f"name-{n}", "guess", "203.0.113.9") is None
    with pytest.raises(LoginThrottled) as blocked:
        auth.login(storage, "known", PASSWORD, "203.0.113.9")
    assert blocked.value.retry_after_s >= 1
    assert auth.login(storage, "known", PASSWORD, "198.51.100.7") is not None  # from elsewhere it works
    assert any("address blocked" in e.detail for e in _events(storage, "login_blocked"))
    storage.dispose()


def test_unknown_and_known_users_cost_the_same_time(tmp_path):
    """One scrypt either way: medians of unknown-user and wrong-password logins within 25 %."""
    storage = Storage.for_data_dir(tmp_path / "server")
    known = [f"known-{n}" for n in range(3)]
    for name in known:
        auth.add_user(storage, name, "inspector", "320900", PASSWORD)
    unknown_s, known_s = [], []
    for attempt in range(9):  # interleaved, three tries per known user (below the backoff)
        started = time.perf_counter()
        assert auth.login(storage, f"nobody-{attempt}", "guess") is None
        unknown_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert auth.login(storage, known[attempt % 3], "guess") is None
        known_s.append(time.perf_counter() - started)
    ratio = statistics.median(unknown_s) / statistics.median(known_s)
    assert 0.75 <= ratio <= 1.25, (ratio, unknown_s, known_s)
    storage.dispose()


def test_a_password_change_revokes_the_users_tokens(server):  # noqa: F811
    token = _login(server, "inspector_a", PASSWORD).json()["token"]
    others = _login(server, "inspector_b", PASSWORD).json()["token"]
    changes = server.url + API_PREFIX + "/changes"
    assert requests.get(changes, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200
    auth.add_user(server.storage, "inspector_a", "inspector", "320900", "a new password")
    assert requests.get(changes, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 401
    assert requests.get(changes, headers={"Authorization": f"Bearer {others}"}, timeout=30).status_code == 200
    assert _login(server, "inspector_a", "a new password").status_code == 200
    assert "1 tokens revoked" in _events(server.storage, "password_changed")[0].detail


def test_an_expired_token_asks_for_login_and_keeps_local_data(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    sync(a)
    field_work(a, tmp_path, photos=1)
    issued = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=auth.DEFAULT_TOKEN_TTL_HOURS, minutes=1))
    with server.storage.write() as conn:
        conn.execute(tokens.update().values(created_at=issued.isoformat().replace("+00:00", "Z")))
    with pytest.raises(AuthError) as failure:
        sync(a)
    assert failure.value.status == 401 and failure.value.is_auth() and "log in" in str(failure.value)
    with Workspace.open(a) as ws:
        assert ws.conn.execute("SELECT count(*) FROM findings WHERE dirty = 1").fetchone()[0] == 1
    client_workspace(tmp_path / "a2", server.url, "inspector_a")  # a new login works again
    fresh = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=auth.DEFAULT_TOKEN_TTL_HOURS, minutes=-1))
    with server.storage.write() as conn:
        conn.execute(tokens.update().values(created_at=fresh.isoformat(timespec="microseconds")
                                            .replace("+00:00", "Z")))
    assert sync(a).pending == 0  # a token a minute short of its lifetime still works


def test_integer_parameters_out_of_range_are_422(server):  # noqa: F811
    office = _login(server, "reviewer_r", PASSWORD).json()["token"]
    headers = {"Authorization": f"Bearer {office}"}
    base = server.url + API_PREFIX
    sha = "0" * 64
    for method, path, params in (
            ("GET", "/changes", {"since": 2 ** 63}), ("GET", "/changes", {"since": -1}),
            ("GET", "/changes", {"limit": 2 ** 63}),
            ("POST", f"/conflicts/{2 ** 63}/resolve", None), ("POST", f"/conflicts/{2 ** 31}/resolve", None),
            ("POST", "/conflicts/0/resolve", None), ("PUT", f"/blobs/{sha}/chunks/{2 ** 63}", None),
            ("PUT", f"/blobs/{sha}/chunks/-1", None)):
        answer = requests.request(method, base + path, params=params, headers=headers, timeout=30,
                                  json={"keep": "server"} if "resolve" in path else None,
                                  data=b"x" if "chunks" in path else None)
        assert answer.status_code == 422, (path, params, answer.status_code, answer.text)
    largest = requests.get(base + "/changes", params={"since": 2 ** 63 - 1}, headers=headers, timeout=30)
    assert largest.status_code == 200 and largest.json()["changes"] == []
    assert requests.post(base + f"/conflicts/{2 ** 31 - 1}/resolve", json={"keep": "server"}, headers=headers,
                         timeout=30).status_code == 404


def test_openapi_pages_only_when_configured(server, tmp_path):  # noqa: F811
    from sync.server.app import create_app

    for path in ("/docs", "/redoc", "/openapi.json"):
        assert requests.get(server.url + path, timeout=30).status_code == 404, path
    document = server.app.openapi()  # the document is still built by the app's own function
    login = document["paths"][API_PREFIX + "/login"]["post"]
    assert "429" in login["responses"] and API_PREFIX + "/blobs/{sha256}" in document["paths"]
    documented = create_app(tmp_path / "documented", openapi=True)
    running = ServerThread(tmp_path / "documented", wrap=lambda _default: documented).start()
    try:
        assert requests.get(running.url + "/openapi.json", timeout=30).json()["paths"] == document["paths"]
        for path in ("/docs", "/redoc"):
            assert requests.get(running.url + path, timeout=30).status_code == 200, path
    finally:
        running.stop()
        documented.state.storage.dispose()


def test_serve_options_reach_the_app(tmp_path, monkeypatch, capsys):
    from sync.server import cli

    served = []
    monkeypatch.setattr(cli, "serve_app", lambda app, **options: served.append(app))
    assert cli.main(["--data", str(tmp_path / "s"), "serve", "--token-ttl-hours", "0.5", "--openapi"]) == 0
    assert served[0].state.token_ttl_hours == 0.5 and served[0].openapi_url == "/openapi.json"
    assert cli.main(["--data", str(tmp_path / "s"), "serve"]) == 0
    assert served[1].state.token_ttl_hours == auth.DEFAULT_TOKEN_TTL_HOURS and served[1].openapi_url is None
    for bad in ("0", "-1", "nan", "inf"):
        assert cli.main(["--data", str(tmp_path / "s"), "serve", "--token-ttl-hours", bad]) == 2
    assert "token lifetime" in capsys.readouterr().err
    for app in served:
        app.state.storage.dispose()
