"""Errors the core raises, each with a Chinese and an English message.

The CLI maps them to exit codes: :class:`BadInput` is 2 (the caller gave
something unusable), :class:`SetupError` is 3 (the machine lacks something),
anything else derived from :class:`InspectorError` is 1.
"""
from __future__ import annotations

from inspector.i18n import pick


class InspectorError(Exception):
    exit_code = 1

    def __init__(self, zh: str, en: str | None = None) -> None:
        self.zh = zh
        self.en = en or zh
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return pick(self.zh, self.en)

    def __str__(self) -> str:
        return self.message


class BadInput(InspectorError):
    """The file, argument or record given cannot be used."""

    exit_code = 2


class NotFound(BadInput):
    """A case, zone or record named by the caller does not exist."""


class SetupError(InspectorError):
    """A system component (SpatiaLite, GDAL, a font) is missing."""

    exit_code = 3
