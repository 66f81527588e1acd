"""Message language: Chinese by default, English when asked for.

``INSPECTOR_LANG=en`` (or a ``LANG``/``LC_ALL`` starting with ``en``) selects
English; everything else gets Chinese.
"""
from __future__ import annotations

import os


def language() -> str:
    explicit = os.environ.get("INSPECTOR_LANG", "").lower()
    if explicit:
        return "en" if explicit.startswith("en") else "zh"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def pick(zh: str, en: str) -> str:
    """Return the message in the current language."""
    return en if language() == "en" else zh
