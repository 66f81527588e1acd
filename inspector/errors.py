"""The one form of every user-facing message and error: Chinese and English together.

:class:`Message` holds a text in both languages; ``str()`` (and ``.text``)
gives the current language's (:func:`inspector.i18n.pick`), and JSON output
carries the current language's text under its usual key with both languages
beside it (:meth:`Message.fields`: ``reason``, ``reason_zh``, ``reason_en``).
A technical detail that exists only in English — GDAL's, GEOS's, the
operating system's own words — is appended to both (:meth:`Message.detailed`).

Errors carry a :class:`Message`. The CLI maps them to exit codes:
:class:`BadInput` is 2 (the caller gave something unusable), :class:`SetupError`
is 3 (the machine lacks something), anything else derived from
:class:`InspectorError` is 1. :class:`InvalidValue` is the bad input of one
value (a ledger cell): a ``ValueError`` too, so that a parser's callers
catch it as one, and a row rejected for it carries its message.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from inspector.i18n import pick


@dataclass(frozen=True)
class Message:
    """A message for a person, in Chinese (``zh``) and English (``en``)."""

    zh: str
    en: str

    @property
    def text(self) -> str:
        """The message in the current language."""
        return pick(self.zh, self.en)

    def in_language(self, language: str) -> str:
        """The message in ``language`` ("zh" or "en"), whatever the process language is (the GUI's choice)."""
        return self.en if language == "en" else self.zh

    def __str__(self) -> str:
        return self.text

    def detailed(self, detail: object) -> Message:
        """This message with a detail that has only one wording (a library's English message, a file name)
        appended in brackets to both languages."""
        return Message(f"{self.zh}（{detail}）", f"{self.en} ({detail})")

    def prefixed(self, zh: str, en: str) -> Message:
        """This message after a label in each language (``发现时间：`` / ``discovered on: ``)."""
        return Message(zh + self.zh, en + self.en)

    def fields(self, key: str = "reason") -> dict[str, str]:
        """``{key: text in the current language, key_zh: Chinese, key_en: English}`` for a JSON document."""
        return {key: self.text, f"{key}_zh": self.zh, f"{key}_en": self.en}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any], key: str = "reason") -> Message | None:
        """The message :meth:`fields` wrote into ``data`` (an entry without the two languages gives its one
        text in both), or ``None`` when there is none."""
        zh, en, text = data.get(f"{key}_zh"), data.get(f"{key}_en"), data.get(key)
        if zh is None and en is None and text is None:
            return None
        return cls(str(zh if zh is not None else text if text is not None else en),
                   str(en if en is not None else text if text is not None else zh))

    @classmethod
    def joined(cls, messages: Iterable[Message], zh_separator: str = "；", en_separator: str = "; ") -> Message:
        """Several messages as one, each language with its own separator."""
        items = list(messages)
        return cls(zh_separator.join(m.zh for m in items), en_separator.join(m.en for m in items))


class InspectorError(Exception):
    """An error with a message for the user: ``InspectorError(zh, en)`` or ``InspectorError(Message)``."""

    exit_code = 1

    def __init__(self, zh: str | Message, en: str | None = None) -> None:
        self.message = zh if isinstance(zh, Message) else Message(zh, en if en is not None else zh)
        super().__init__(self.message)

    @property
    def zh(self) -> str:
        return self.message.zh

    @property
    def en(self) -> str:
        return self.message.en

    def __str__(self) -> str:
        return self.message.text


class BadInput(InspectorError):
    """The file, argument or record given cannot be used."""

    exit_code = 2


class InvalidValue(BadInput, ValueError):
    """One value (a cell of a ledger row, a coordinate, a date) that cannot be used."""


class NotFound(BadInput):
    """A case, zone or record named by the caller does not exist."""


class SetupError(InspectorError):
    """A system component (SpatiaLite, GDAL, a font) is missing."""

    exit_code = 3
