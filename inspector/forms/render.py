"""Entry points: render one of the three 整改销号 forms of a case to PDF bytes or a file.

``render_form(case, "inspection" | "notice" | "closure")`` registers the
embedded CJK fonts (raising :class:`~inspector.errors.SetupError` when none
exists), builds the form's story and lays it out on A4 pages whose footer
knows the page count. Rendering is offline and deterministic: the same case,
time and version give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from reportlab.platypus import Flowable

from inspector import __version__
from inspector.errors import BadInput
from inspector.forms.closure_form import build_closure_story
from inspector.forms.fonts import form_fonts
from inspector.forms.form_common import UNCONFIRMED_MARK, FormContext, make_context
from inspector.forms.inspection_form import build_inspection_story
from inspector.forms.model import FORM_KINDS, FormCase
from inspector.forms.notice_form import build_notice_story
from inspector.forms.page_template import PageDecoration, build_pdf
from inspector.forms.photo_images import PhotoPreparer

STORY_BUILDERS: dict[str, Callable[[FormContext], list[Flowable]]] = {
    "inspection": build_inspection_story,
    "notice": build_notice_story,
    "closure": build_closure_story,
}


def _format_time(generated_at: dt.datetime | str | None) -> str:
    if generated_at is None:
        return dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    if isinstance(generated_at, dt.datetime):
        return generated_at.strftime("%Y-%m-%d %H:%M")
    return str(generated_at)


def render_form(
    case: FormCase,
    kind: str,
    *,
    generated_at: dt.datetime | str | None = None,
    software_version: str = __version__,
) -> bytes:
    """The PDF of one form (``kind``: inspection, notice or closure) for ``case``."""
    if kind not in STORY_BUILDERS:
        raise BadInput(
            f"未知的表单类型：{kind}（可选：{'、'.join(STORY_BUILDERS)}）",
            f"Unknown form kind: {kind} (choose from {', '.join(STORY_BUILDERS)})",
        )
    fonts = form_fonts()
    generated_text = _format_time(generated_at)
    decoration = PageDecoration(
        form_name=FORM_KINDS[kind],
        case_no=case.case_no,
        generated_at=generated_text,
        software_version=software_version,
        body_font=fonts.body,
        heading_font=fonts.heading,
        mark=UNCONFIRMED_MARK if case.unconfirmed else "",
    )
    with PhotoPreparer() as photos:
        context = make_context(case, kind, fonts, generated_text, photos)
        story = STORY_BUILDERS[kind](context)  # submits the photos it shows
        return build_pdf(story, decoration, title=f"{FORM_KINDS[kind]}（{case.case_no}）", subject=case.uuid)


def write_form(
    case: FormCase,
    kind: str,
    path: Path | str,
    *,
    generated_at: dt.datetime | str | None = None,
    software_version: str = __version__,
) -> Path:
    """Render and write atomically (temporary file, fsync, rename); returns the path."""
    data = render_form(case, kind, generated_at=generated_at, software_version=software_version)
    return write_pdf_atomically(Path(path), data)


def write_pdf_atomically(target: Path, data: bytes) -> Path:
    """Write a rendered PDF so that ``target`` is either the old file or the whole new one (temporary file in
    the same folder, fsync, rename); returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".form-", suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
