"""The one password hash of the project: scrypt with a random salt, for local accounts and the sync server.

A stored hash reads ``scrypt$<salt, base64>$<digest, base64>``; checking
compares digests in constant time. A malformed stored hash matches nothing.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1  # scrypt cost parameters (~16 MiB of memory, tens of ms)
SALT_BYTES = 16  # random salt per hash
SCHEME = "scrypt"


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` to store."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"{SCHEME}$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (``False`` for a malformed one)."""
    try:
        scheme, salt_text, digest_text = stored.split("$")
        salt, expected = base64.b64decode(salt_text, validate=True), base64.b64decode(digest_text, validate=True)
    except (ValueError, binascii.Error):
        return False
    if scheme != SCHEME or not salt or not expected:
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return hmac.compare_digest(digest, expected)
