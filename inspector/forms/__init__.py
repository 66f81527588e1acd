"""PDF forms of the 整改销号 workflow, generated offline with reportlab.

Public API::

    render_form(case, "inspection" | "notice" | "closure", *, generated_at=None,
                software_version=...) -> bytes
    write_form(case, kind, path, *, generated_at=None, software_version=...) -> Path
    evidence_digest(case) -> str

The input is the plain model in :mod:`inspector.forms.model` (frozen
dataclasses, filled by whoever reads the workspace; import them from there);
nothing here touches the database or Qt.

The four names are imported on first use (PEP 562): reportlab takes about 0.2 s
to import, and what only needs the form data (:mod:`inspector.forms.form_data`,
the case detail at start-up) should not wait for it.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.forms.evidence_qr import evidence_digest, qr_payload
    from inspector.forms.render import render_form, write_form

__all__ = ["evidence_digest", "qr_payload", "render_form", "write_form"]
_HOMES = {"evidence_digest": "evidence_qr", "qr_payload": "evidence_qr",  # name: its module in this package
          "render_form": "render", "write_form": "render"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
