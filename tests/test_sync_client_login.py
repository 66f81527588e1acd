"""The client side of logging in (issue 11, item 5): tokens never go to a keyring that keeps them in plaintext
unless the user configured that keyring explicitly, and a password and token never travel over plain
``http://`` except to this machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail, null

from sync.client import SyncClient, load_token, store_token
from sync.errors import AuthError
from tests.keyring_backend import CONFIGURED_AS, FileKeyringForTests

REPO = Path(__file__).resolve().parents[1]
SERVER = "https://sync.example.org"


def _insecure_backends() -> list:
    """Backends keyring may choose by itself that would not keep a token safe."""
    found = [FileKeyringForTests(), fail.Keyring(), null.Keyring()]
    try:
        from keyrings.alt.file import PlaintextKeyring
    except ImportError:  # not installed (the dev extra no longer brings it)
        return found
    return [PlaintextKeyring(), *found]


@pytest.fixture
def chosen_by_keyring(monkeypatch):
    """Make ``backend`` keyring's own choice: nothing configured in the environment or the config file."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)

    def choose(backend) -> None:
        keyring.set_keyring(backend)
    yield choose
    keyring.set_keyring(FileKeyringForTests())


def test_a_plaintext_fail_or_null_keyring_chosen_by_keyring_is_refused(chosen_by_keyring, tmp_path, monkeypatch):
    for backend in _insecure_backends():
        chosen_by_keyring(backend)
        with pytest.raises(AuthError) as refused:
            store_token(SERVER, "inspector_a", "secret-token")
        assert refused.value.is_auth() and "keyring" in str(refused.value), backend
        with pytest.raises(AuthError):
            load_token(SERVER, "inspector_a")
    monkeypatch.setattr(chainer.ChainerBackend, "backends", _insecure_backends())  # a chain of only those
    chosen_by_keyring(chainer.ChainerBackend())
    with pytest.raises(AuthError, match="keyring"):
        store_token(SERVER, "inspector_a", "secret-token")
    written = [p for p in tmp_path.rglob("*") if p.is_file() and b"secret-token" in p.read_bytes()]
    assert written == []


def test_a_keyring_configured_explicitly_is_used(chosen_by_keyring, tmp_path, monkeypatch):
    chosen_by_keyring(FileKeyringForTests())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", CONFIGURED_AS)
    store_token(SERVER, "inspector_a", "from-the-environment")
    assert load_token(SERVER, "inspector_a") == "from-the-environment"

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")  # the same choice in keyring's configuration file
    with pytest.raises(AuthError):
        load_token(SERVER, "inspector_a")
    from keyring.util import platform_

    config = platform_.config_root() / "keyringrc.cfg"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[backend]\ndefault-keyring = {CONFIGURED_AS}\n", encoding="utf-8")
    assert str(config).startswith(str(tmp_path))  # the test's own XDG config directory
    store_token(SERVER, "inspector_a", "from-the-config-file")
    assert load_token(SERVER, "inspector_a") == "from-the-config-file"


@pytest.mark.parametrize("url", ["https://sync.example.org", "https://10.1.2.3:8443/", "http://127.0.0.1:8765",
                                 "http://127.8.9.10", "http://[::1]:8000", "http://localhost:80", "http://LOCALHOST.",
                                 "http://[::ffff:127.0.0.1]:8000"])
def test_https_anywhere_and_http_only_to_this_machine(url):
    from sync.client import check_server_url

    assert check_server_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://sync.example.org", "http://10.1.2.3:8765", "http://127.0.0.1.example.org",
                                 "http://localhost.example.org", "http://127.0.0.1@example.org", "http://0.0.0.0:8765",
                                 "ftp://127.0.0.1", "sync.example.org", "https://", "http://localhost:99999",
                                 "file:///etc/passwd", ""])
def test_other_addresses_are_refused_before_anything_is_sent(url):
    from sync.errors import UnsafeServerURL

    with pytest.raises(UnsafeServerURL) as refused:
        SyncClient(url)
    assert refused.value.zh and refused.value.en and not refused.value.is_retryable()


@pytest.mark.parametrize("lang,words", [("zh", "拒绝通过未加密的 http"), ("en", "refusing plain http")])
def test_login_over_plain_http_to_another_host_is_bad_input(tmp_path, lang, words):
    workspace = str(tmp_path / "ws")
    env = {**os.environ, "INSPECTOR_LANG": lang, "PYTHON_KEYRING_BACKEND": CONFIGURED_AS}
    assert subprocess.run([sys.executable, "-m", "inspector", "--workspace", workspace, "init"], cwd=REPO, env=env,
                          capture_output=True, timeout=300).returncode == 0
    login = subprocess.run([sys.executable, "-m", "inspector", "--workspace", workspace, "login", "--server",
                            "http://192.0.2.10:8765", "--user", "inspector_a", "--password-stdin", "--json"],
                           cwd=REPO, env=env, input="a password\n", capture_output=True, text=True, timeout=300)
    assert login.returncode == 2, login.stderr
    assert words in login.stderr and "192.0.2.10" in login.stderr and login.stdout == ""
    from inspector.store.workspace import Workspace
    from sync.settings import SERVER_URL_KEY

    with Workspace.open(workspace) as ws:  # nothing recorded about the refused server
        assert not ws.meta(SERVER_URL_KEY)
