"""Where login tokens live: the OS keyring, and never a keyring that keeps them in plaintext.

Tokens are kept under service :data:`KEYRING_SERVICE`, user name
``"<server URL>|<user>"``. The ``keyring`` package picks a backend on its own
when nobody configured one, and without a Secret Service it happily picks a
file that holds passwords merely base64-encoded (``keyrings.alt``), or one
that fails or drops everything. So a backend keyring chose *by itself* is
used only when it is one of the operating systems' own stores
(:data:`OS_KEYRING_MODULES`: Secret Service, KWallet, macOS Keychain,
Windows Credential Locker); when it chained several, the first of those in
the chain is used alone. Anything else is refused with
:class:`~sync.errors.AuthError` ("no secure keyring"), and no token is
written. A backend the user configured *explicitly* — ``PYTHON_KEYRING_BACKEND``
or ``default-keyring`` in keyring's ``keyringrc.cfg`` — is the user's choice
and is used as configured.
"""
from __future__ import annotations

import configparser
import os
from typing import TYPE_CHECKING, Optional

from inspector.errors import Message
from sync.errors import AuthError

if TYPE_CHECKING:  # keyring itself is imported when a token is kept or read
    from keyring.backend import KeyringBackend

KEYRING_SERVICE = "lvdun-inspector"
BACKEND_ENV = "PYTHON_KEYRING_BACKEND"  # keyring's own variable naming a backend class
OS_KEYRING_MODULES = ("keyring.backends.SecretService", "keyring.backends.libsecret", "keyring.backends.kwallet",
                      "keyring.backends.macOS", "keyring.backends.Windows")


class NoSecureKeyring(AuthError):
    """No OS keyring that keeps secrets safely is available, and none was configured explicitly."""


def keyring_user(server_url: str, user: str) -> str:
    return f"{server_url.rstrip('/')}|{user}"


def configured_explicitly() -> bool:
    """Whether the user chose a keyring backend (environment, or keyring's configuration file)."""
    if os.environ.get(BACKEND_ENV, "").strip():
        return True
    from keyring.util import platform_

    config = configparser.RawConfigParser()
    try:
        config.read(platform_.config_root() / "keyringrc.cfg", encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return False
    return bool(config.has_option("backend", "default-keyring")
                and config.get("backend", "default-keyring").strip())


def _is_os_keyring(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    return any(module == name or module.startswith(name + ".") for name in OS_KEYRING_MODULES)


def _name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def secure_keyring() -> KeyringBackend:
    """The keyring backend to keep tokens in; raises :class:`NoSecureKeyring` when there is none."""
    import keyring
    from keyring.backends.chainer import ChainerBackend

    try:
        active = keyring.get_keyring()
    except (ImportError, AttributeError, RuntimeError, ValueError) as exc:  # a configured backend that cannot load
        raise NoSecureKeyring(Message("无法加载配置的密钥环后端", "the configured keyring backend cannot be loaded")
                              .detailed(exc)) from exc
    if configured_explicitly():
        return active
    candidates = list(active.backends) if isinstance(active, ChainerBackend) else [active]
    for backend in candidates:
        if _is_os_keyring(backend):
            return backend
    found = ", ".join(_name(b) for b in candidates) or _name(active)
    raise NoSecureKeyring(
        f"没有安全的系统密钥环（找到的是 {found}），登录令牌不会以明文保存：请启用系统密钥环（Secret Service / "
        f"KWallet），或通过 {BACKEND_ENV} 或 keyringrc.cfg 明确指定一个",
        f"no secure keyring: found {found}, which would not keep the login token safe; start the OS keyring "
        f"(Secret Service / KWallet) or configure a backend explicitly ({BACKEND_ENV} or keyringrc.cfg)")


def store_token(server_url: str, user: str, token: str) -> None:
    from keyring.errors import KeyringError

    backend = secure_keyring()
    try:
        backend.set_password(KEYRING_SERVICE, keyring_user(server_url, user), token)
    except (KeyringError, RuntimeError) as exc:
        raise AuthError(Message("无法用系统密钥环（keyring）保存登录令牌，令牌未保存",
                                "no usable OS keyring to keep the login token; the token was not saved")
                        .detailed(exc)) from exc


def load_token(server_url: str, user: str) -> Optional[str]:
    """The kept token, ``None`` when there is none (or the keyring cannot be read); raises
    :class:`NoSecureKeyring` when there is no secure keyring to read it from."""
    from keyring.errors import KeyringError

    backend = secure_keyring()
    try:
        return backend.get_password(KEYRING_SERVICE, keyring_user(server_url, user))
    except (KeyringError, RuntimeError):
        return None
