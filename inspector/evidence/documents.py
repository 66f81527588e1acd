"""Documents as evidence: plans, approvals, acceptance reports, countersign opinions — checked, never run.

:func:`check_document` decides whether a file may be stored as a document and what it is, without opening it
with anything that could execute its content:

- the size is checked from ``stat`` before a byte is read (:data:`MAX_DOCUMENT_BYTES`);
- the extension must be one this program accepts (:data:`DOCUMENT_MIME`) and the content must be that kind
  of file: a PDF starts with ``%PDF-``; DOCX, XLSX and OFD are ZIP containers whose central directory is
  read (never extracted) and bounded — at most :data:`MAX_ZIP_ENTRIES` entries, at most
  :data:`MAX_UNCOMPRESSED_BYTES` declared in all, no entry expanding more than :data:`MAX_COMPRESSION_RATIO`
  times (a zip bomb) — and must hold their format's main part (``[Content_Types].xml``; ``OFD.xml``); scanned
  images decode with the hardened Pillow of :mod:`inspector.evidence.imaging`;
- macro containers are refused: the ``.docm``/``.xlsm`` extensions, and any Office container holding a VBA
  project (``vbaProject.bin``) whatever its name says;
- a PDF with JavaScript or automatic actions (``/JavaScript``, ``/JS``, ``/OpenAction``, ``/AA``,
  ``/Launch``) is stored — offices receive such files — and flagged ``pdf_javascript``; nothing in it ever runs
  (its thumbnail is drawn by poppler's ``pdftoppm``, which runs no scripts).

:func:`pdf_thumbnail` renders a PDF's first page with ``pdftoppm`` in a subprocess with a timeout; ``None``
when poppler is missing or the page does not render (the GUI then shows a generic document icon).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from inspector.errors import BadInput
from inspector.evidence.imaging import decoded_size

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # bytes: one document file
MAX_ZIP_ENTRIES = 5_000  # entries in a DOCX/XLSX/OFD container
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024  # bytes: all entries of a container, as declared
MAX_COMPRESSION_RATIO = 200  # uncompressed / compressed size of one entry above 1 MiB
RATIO_FLOOR_BYTES = 1024 * 1024  # bytes: smaller entries may compress as well as they like
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
SCAN_CHUNK_BYTES = 1024 * 1024  # bytes read at a time while scanning a PDF for scripts
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|OpenAction|AA|Launch)\b")
THUMBNAIL_TIMEOUT_S = 20.0  # seconds pdftoppm may take for one first page
DOCUMENT_MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ofd": "application/ofd",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff", ".tiff": "image/tiff",
}
MACRO_SUFFIXES = (".docm", ".xlsm", ".dotm", ".xltm", ".pptm")
ZIP_MAIN_PART = {".docx": "[Content_Types].xml", ".xlsx": "[Content_Types].xml", ".ofd": "OFD.xml"}


@dataclass(frozen=True)
class CheckedDocument:
    """A file that may be stored as a document: its MIME type, size and flags."""

    mime: str
    size: int  # bytes
    flags: tuple[str, ...] = ()


def _refuse(zh: str, en: str, path: Path) -> BadInput:
    return BadInput(f"{zh}：{path.name}", f"{en}: {path.name}")


def _check_zip(path: Path, suffix: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise _refuse(f"文档包含的条目过多（上限 {MAX_ZIP_ENTRIES}）",
                              f"the document has too many entries (limit {MAX_ZIP_ENTRIES})", path)
            total = 0
            names = set()
            for entry in entries:
                total += entry.file_size
                names.add(entry.filename)
                expands = entry.file_size > RATIO_FLOOR_BYTES and \
                    entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
                if expands or total > MAX_UNCOMPRESSED_BYTES:
                    raise _refuse("文档解压后过大（疑似压缩炸弹），已拒绝",
                                  "the document expands too much (a zip bomb?); refused", path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(f"文档已损坏或不是 {suffix[1:].upper()} 文件（{exc}）",
                      f"the document is damaged or not a {suffix[1:].upper()} file ({exc})", path) from None
    if ZIP_MAIN_PART[suffix] not in names:
        raise _refuse(f"不是 {suffix[1:].upper()} 文件（缺少 {ZIP_MAIN_PART[suffix]}）",
                      f"not a {suffix[1:].upper()} file (no {ZIP_MAIN_PART[suffix]})", path)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("文档含有宏（VBA），不接受带宏的文档", "the document contains macros (VBA); refused", path)


def _scan_pdf(path: Path) -> tuple[str, ...]:
    """``("pdf_javascript",)`` when the PDF names scripts or automatic actions (read as bytes, never run)."""
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(SCAN_CHUNK_BYTES):
            if PDF_ACTIVE.search(tail + chunk):
                return ("pdf_javascript",)
            tail = chunk[-32:]
    return ()


def check_document(path: Path) -> CheckedDocument:
    """What the document at ``path`` is (see the module docstring); :class:`BadInput` when it may not be stored."""
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise _refuse("不接受带宏的文档（.docm/.xlsm）；请另存为 .docx/.xlsx 或 PDF",
                      "macro-enabled documents (.docm/.xlsm) are refused; save as .docx/.xlsx or PDF", path)
    mime = DOCUMENT_MIME.get(suffix)
    if mime is None:
        raise _refuse("文档须为 PDF、DOCX、XLSX、OFD 或扫描图像（JPEG/PNG/TIFF）",
                      "a document must be a PDF, DOCX, XLSX, OFD or a scanned image (JPEG/PNG/TIFF)", path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise _refuse("不是普通文件", "not a regular file", path)
        if size > MAX_DOCUMENT_BYTES:
            limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
            raise _refuse(f"文档过大（上限 {limit} MiB）", f"the document is too large (limit {limit} MiB)", path)
        if size == 0:
            raise _refuse("文档为空", "the document is empty", path)
        with open(path, "rb") as handle:
            head = handle.read(8)
        if suffix == ".pdf":
            if not head.startswith(PDF_MAGIC):
                raise _refuse("不是 PDF 文件（扩展名与内容不符）", "not a PDF file (name and content disagree)", path)
            return CheckedDocument(mime, size, _scan_pdf(path))
        if suffix in ZIP_MAIN_PART:
            if not head.startswith(ZIP_MAGIC):
                raise _refuse(f"不是 {suffix[1:].upper()} 文件（扩展名与内容不符）",
                              f"not a {suffix[1:].upper()} file (name and content disagree)", path)
            _check_zip(path, suffix)
            return CheckedDocument(mime, size)
    except OSError as exc:
        raise _refuse(f"无法读取文档（{exc.strerror}）", f"cannot read the document ({exc.strerror})", path) from None
    decoded_size(path)  # a scanned image: decodes safely, or BadInput
    return CheckedDocument(mime, size)


def pdf_thumbnail(source: Path, max_px: int) -> bytes | None:
    """A JPEG of a PDF's first page, at most ``max_px`` on its long side; ``None`` when it cannot be made."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory(prefix="pdf-thumb-") as folder:
        target = Path(folder) / "page"
        try:
            subprocess.run([tool, "-f", "1", "-l", "1", "-singlefile", "-jpeg", "-scale-to", str(max_px),
                            "--", str(source), str(target)], capture_output=True, timeout=THUMBNAIL_TIMEOUT_S,
                           check=True)
            return (target.with_suffix(".jpg")).read_bytes()
        except (subprocess.SubprocessError, OSError):
            return None
