"""Write the PDF forms of cases to files: one form, or a batch into a folder.

The CLI (``form`` / ``forms``) and the desktop app's batch export both use
this module. A batch gives every case its own file, even when case numbers
differ only in characters a file name cannot hold (``LD/1`` and ``LD:1``),
only in letter case (``ld-1`` and ``LD-1`` on Windows or macOS) or are too
long for the file system: the name keeps the case number's letters, digits,
``-`` and ``_`` (others become ``_``, at most :data:`MAX_NAME_BYTES` bytes of
UTF-8), and a name that lost something or is already taken in the batch also
carries the start of the case's UUID. A case that cannot be written is
reported with the reason and the batch goes on; only a missing system
component (the fonts) stops it, since no form could be rendered then.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Iterable

from inspector.errors import InspectorError, SetupError
from inspector.i18n import pick
from inspector.store.workspace import Workspace

log = logging.getLogger(__name__)
MAX_NAME_BYTES = 120  # UTF-8 bytes of the case-number part of a file name (file systems allow 255)
UUID_CHARS = 8  # characters of the case UUID that tell two cases apart in a file name
Progress = Callable[[int, int, str], None]


def write_case_form(ws: Workspace, ref: str, kind: str, output: Path) -> dict[str, Any]:
    """Render one form of a case (问题编号 or UUID) and write it atomically to ``output``."""
    from inspector.forms.form_data import gather_case
    from inspector.forms.render import write_form

    case = gather_case(ws, ref)
    written = write_form(case, kind, output)
    return {"case_no": case.case_no, "uuid": case.uuid, "kind": kind, "file": str(written),
            "bytes": written.stat().st_size, "photos": len(case.photos)}


def _safe_stem(case_no: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in case_no)
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem or "_"


def form_file_name(case_no: str, kind: str, tag: str | None = None) -> str:
    """``<case number>-<kind>.pdf`` made safe for any file system, with ``tag`` (e.g. the start of
    the case UUID) between them when given: ``LD_1-6f1c2a7e-closure.pdf``."""
    return f"{_safe_stem(case_no)}{f'-{tag}' if tag else ''}-{kind}.pdf"


class FileNames:
    """Distinct file names for the forms of one batch (see the module docstring)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.taken: set[str] = set()  # case-folded: distinct on case-insensitive file systems too

    def name_for(self, case_no: str, uuid: str) -> str:
        name = form_file_name(case_no, self.kind)
        if _safe_stem(case_no) != case_no or name.casefold() in self.taken:
            name = form_file_name(case_no, self.kind, uuid[:UUID_CHARS])
        counter = 2
        while name.casefold() in self.taken:  # two UUIDs sharing their first characters
            name = form_file_name(case_no, self.kind, f"{uuid[:UUID_CHARS]}-{counter}")
            counter += 1
        self.taken.add(name.casefold())
        return name


def failure_reason(exc: Exception) -> str:
    """What went wrong with one case, in the user's language."""
    if isinstance(exc, InspectorError):
        return exc.message.text
    if isinstance(exc, OSError):
        return pick(f"无法写入文件：{exc}", f"could not write the file: {exc}")
    return pick(f"生成表单出错：{type(exc).__name__}: {exc}",
                f"the form could not be rendered: {type(exc).__name__}: {exc}")


def export_forms(ws: Workspace, cases: Iterable[tuple[str, str]], kind: str, folder: Path, *,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Write the ``kind`` form of each ``(uuid, case_no)`` into ``folder``.

    Returns ``{"forms": [...], "failed": [{"case_no", "uuid", "file", "reason"}]}``; every case
    that can be written is written, whatever happens to the others. Raises :class:`SetupError`
    (no form can be rendered) and whatever ``progress`` raises (a cancel).
    """
    todo = list(cases)
    names = FileNames(kind)
    written: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for done, (uuid, case_no) in enumerate(todo):
        if progress is not None:
            progress(done, len(todo), pick("生成表单", "rendering forms"))
        target = folder / names.name_for(case_no, uuid)
        try:
            written.append(write_case_form(ws, uuid, kind, target))
        except SetupError:
            raise
        except Exception as exc:  # noqa: BLE001 - one case never stops the batch; it is reported
            log.warning("form %s of case %s failed", kind, uuid, exc_info=True)
            failed.append({"case_no": case_no, "uuid": uuid, "file": str(target), "reason": failure_reason(exc)})
    if progress is not None:
        progress(len(todo), len(todo), pick("完成", "done"))
    return {"forms": written, "failed": failed}
