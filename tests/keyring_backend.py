"""A keyring backend for the tests: a JSON file in the test's own XDG data directory.

Tests configure it explicitly (``PYTHON_KEYRING_BACKEND=tests.keyring_backend.FileKeyringForTests``, also
inherited by the CLI subprocesses they start, which run from the repository root), the way a user would
configure a backend of their choice; the product never picks it by itself (see :mod:`sync.token_keyring`).
It keeps secrets in plaintext, which is fine for throwaway test tokens and nothing else.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

CONFIGURED_AS = "tests.keyring_backend.FileKeyringForTests"


class FileKeyringForTests(KeyringBackend):
    priority = 0.01  # viable, but never ahead of a real keyring when keyring chooses by itself

    @staticmethod
    def _path() -> Path:
        return Path(os.environ["XDG_DATA_HOME"]) / "test-keyring.json"

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def _save(self, entries: dict[str, str]) -> None:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(temp, path)

    def get_password(self, service: str, username: str) -> Optional[str]:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service}\n{username}"] = password
        self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        if entries.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._save(entries)
