"""PDF forms of the 整改销号 workflow, generated offline with reportlab.

Public API::

    render_form(case, "inspection" | "notice" | "closure", *, generated_at=None,
                software_version=...) -> bytes
    write_form(case, kind, path, *, generated_at=None, software_version=...) -> Path
    evidence_digest(case) -> str

The input is the plain model in :mod:`inspector.forms.model` (frozen
dataclasses, filled by whoever reads the workspace; import them from there);
nothing here touches the database or Qt.
"""
from __future__ import annotations

from inspector.forms.evidence_qr import evidence_digest, qr_payload
from inspector.forms.render import render_form, write_form

__all__ = ["evidence_digest", "qr_payload", "render_form", "write_form"]
