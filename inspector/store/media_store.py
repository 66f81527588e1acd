"""The workspace's content-addressed media store: ``media/ab/cdef…`` by SHA-256.

A file is stored in four steps, so that a crash at any point leaves either
nothing, a stray temporary file, or a complete blob — never a half-written
file under its final name:

1. copy into ``media/.tmp/`` while hashing, then ``fsync`` the copy;
2. re-read the copy and check its hash (catches a bad disk or a file that
   changed while being read);
3. ``os.replace`` it to ``media/<first two hex digits>/<remaining 62>``;
4. ``fsync`` the directories, so the rename itself survives power loss.

The original is only read. Storing the same content twice yields one blob.
Only after :func:`store_file` returns may the database reference the blob
(``media_blobs`` row, inserted by the caller in its transaction).

A crash between storing and committing leaves an *orphan*: a blob no row
references. :func:`quarantine_orphans` moves orphans and stale temporary
files into ``media/quarantine/`` — it never deletes anything.

The store stays inside the workspace: symbolic links under ``media/`` (or
``media/`` itself being one) are never followed. Storing, quarantining and
reading a blob (:func:`readable_blob`, for the forms and the viewer) check
every path component below the workspace with ``lstat`` and open files with
``O_NOFOLLOW``, and refuse with :class:`BadInput`; :func:`media_links` lists
every link for ``verify-audit``.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from inspector.errors import BadInput
from inspector.store.workspace import Workspace

CHUNK_BYTES = 1024 * 1024  # read/write unit while copying and hashing
TMP_DIR = ".tmp"
QUARANTINE_DIR = "quarantine"
THUMBS_DIR = "thumbs"
READ_ONLY = 0o444  # permission bits of stored blobs
_HEX = frozenset("0123456789abcdef")
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; Windows has no symbolic-link flag here


@dataclass(frozen=True)
class StoredBlob:
    """A blob in the media store."""

    sha256: str
    size: int  # bytes
    path: Path
    created: bool  # False when identical content was already stored


def is_sha256(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX


def blob_path(media_dir: Path, sha256: str) -> Path:
    if not is_sha256(sha256):
        raise BadInput(f"不是有效的 SHA-256：{sha256}", f"not a valid SHA-256: {sha256}")
    return media_dir / sha256[:2] / sha256[2:]


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def symlink_in_path(media_dir: Path, path: Path) -> Path | None:
    """The first symbolic link among ``media_dir`` and the components of ``path`` below it."""
    current = media_dir
    for part in (None, *path.relative_to(media_dir).parts):
        current = current / part if part else current
        if _is_link(current):
            return current
    return None


def refuse_symlinks(media_dir: Path, path: Path) -> None:
    """Raise :class:`BadInput` if ``path`` (under ``media_dir``) would go through a symbolic link."""
    link = symlink_in_path(media_dir, path)
    if link is not None:
        raise BadInput(f"媒体库中有符号链接，拒绝读写：{link}（请运行 verify-audit 检查）",
                       f"symbolic link in the media store, refused: {link} (run verify-audit)")


def media_links(media_dir: Path) -> list[Path]:
    """Every symbolic link at or under ``media_dir`` (not followed; ``[media_dir]`` if it is one)."""
    if _is_link(media_dir):
        return [media_dir]
    links: list[Path] = []
    for folder, dirs, files in os.walk(media_dir):  # os.walk does not descend into linked folders
        links += [Path(folder, name) for name in sorted(dirs + files) if _is_link(Path(folder, name))]
    return links


def readable_blob(media_dir: Path, sha256: str) -> Path:
    """The path of a stored blob to read, refused (:class:`BadInput`) if a symbolic link is on the way."""
    path = blob_path(media_dir, sha256)
    refuse_symlinks(media_dir, path)
    return path


def open_no_follow(path: Path) -> BinaryIO:
    """Open a file for reading in binary mode, failing (``OSError``) if it is a symbolic link."""
    return os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | _NO_FOLLOW), "rb")


def _checked_dir(media_dir: Path, directory: Path) -> Path:
    """``directory`` under the media store, created if missing, with no symbolic link on the way."""
    refuse_symlinks(media_dir, directory)
    directory.mkdir(parents=True, exist_ok=True)
    refuse_symlinks(media_dir, directory)  # nothing was swapped in while it was made
    return directory


def hash_file(path: Path) -> tuple[str, int]:
    """(hex SHA-256, size in bytes) of a file (never read through a symbolic link)."""
    digest, size = hashlib.sha256(), 0
    with open_no_follow(path) as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def fsync_dir(directory: Path) -> None:
    """Make a rename or new entry in ``directory`` durable (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open directories; NTFS journals the rename
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def file_chunks(path: Path) -> Iterator[bytes]:
    """The bytes of a file, :data:`CHUNK_BYTES` at a time (the file is opened on the first one)."""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def write_hashed_temp(chunks: Iterable[bytes], tmp_dir: Path) -> tuple[Path, str, int]:
    """Write ``chunks`` one after another into a new temporary file in ``tmp_dir`` while hashing them, and
    ``fsync`` it; returns (its path, hex SHA-256, size in bytes). On any error the file is removed. The caller
    checks the hash and renames the file into place (the media store here, the sync server's blob store)."""
    digest, size = hashlib.sha256(), 0
    # O_EXCL: never opens a link planted under the temporary name
    handle = tempfile.NamedTemporaryFile(dir=tmp_dir, prefix="incoming-", suffix=".part", delete=False)
    temp = Path(handle.name)
    try:
        with handle:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, digest.hexdigest(), size


def store_file(ws: Workspace, source: str | os.PathLike[str]) -> StoredBlob:
    """Copy ``source`` into the media store (see the module docstring); returns the blob."""
    source = Path(source)
    if not source.is_file():
        raise BadInput(f"找不到文件：{source}", f"file not found: {source}")
    return _store_chunks(ws, file_chunks(source), source.name)


def store_bytes(ws: Workspace, data: bytes, label: str) -> StoredBlob:
    """Store ``data`` (a signature drawn on the pad) in the media store like a file; ``label`` names it in
    errors."""
    return _store_chunks(ws, [data], label)


def _store_chunks(ws: Workspace, chunks: Iterable[bytes], label: str) -> StoredBlob:
    media = ws.media_dir
    temp, sha, size = write_hashed_temp(chunks, _checked_dir(media, media / TMP_DIR))
    try:
        check, _ = hash_file(temp)
        if check != sha:
            raise BadInput(f"复制后校验失败（文件在读取时被改动？）：{label}",
                           f"hash check after copying failed (file changed while read?): {label}")
        final = blob_path(media, sha)
        _checked_dir(media, final.parent)
        refuse_symlinks(media, final)
        if final.is_file() and hash_file(final)[0] == sha:
            temp.unlink()
            return StoredBlob(sha, size, final, created=False)
        with contextlib.suppress(OSError):
            os.chmod(temp, READ_ONLY)  # blobs are never modified after writing
        os.replace(temp, final)  # replaces the name itself: a rename never follows the target
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(final.parent)
    fsync_dir(media)
    return StoredBlob(sha, size, final, created=True)


def verify_blob(ws: Workspace, sha256: str) -> str | None:
    """``None`` if the blob exists with matching content, else the problem."""
    path = blob_path(ws.media_dir, sha256)
    link = symlink_in_path(ws.media_dir, path)
    if link is not None:
        return f"symbolic link, not followed: {link}"
    if not path.is_file():
        return "missing"
    actual, _ = hash_file(path)
    return None if actual == sha256 else f"content changed (now {actual})"


def _move_to_quarantine(media: Path, path: Path, target_dir: Path, name: str) -> Path:
    _checked_dir(media, target_dir)
    target = target_dir / name
    counter = 1
    while os.path.lexists(target):
        target = target_dir / f"{name}.{counter}"
        counter += 1
    shutil.move(str(path), str(target))
    return target


def quarantine_orphans(ws: Workspace, *, min_age_s: float = 0.0) -> list[dict[str, Any]]:
    """Move unreferenced blobs and temporary files older than ``min_age_s`` into ``media/quarantine/``.

    Returns what was moved: ``{"file", "moved_to", "reason"}``. Nothing is deleted.
    Run it when no other process is attaching evidence to this workspace (or
    give a ``min_age_s`` longer than an attach takes). Refuses (:class:`BadInput`,
    before moving anything) while any symbolic link is under ``media/``: a move
    could then take files from, or put them, outside the workspace.
    """
    media = ws.media_dir
    links = media_links(media)
    if links:
        raise BadInput(f"媒体库中有符号链接，未隔离任何文件：{', '.join(map(str, links))}",
                       f"symbolic links in the media store, nothing quarantined: {', '.join(map(str, links))}")
    if not media.is_dir():
        return []
    referenced = {r[0] for r in ws.conn.execute("SELECT sha256 FROM media_blobs")}
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target_dir = media / QUARANTINE_DIR / stamp
    cutoff = time.time() - min_age_s
    moved: list[dict[str, Any]] = []

    def old_enough(path: Path) -> bool:
        try:
            return path.stat().st_mtime <= cutoff
        except FileNotFoundError:
            return False

    for temp in sorted((media / TMP_DIR).glob("*")) if (media / TMP_DIR).is_dir() else []:
        if temp.is_file() and old_enough(temp):
            dest = _move_to_quarantine(media, temp, target_dir, f"tmp-{temp.name}")
            moved.append({"file": str(temp), "moved_to": str(dest), "reason": "unfinished copy"})
    for prefix_dir in sorted(media.iterdir()):
        if not (prefix_dir.is_dir() and len(prefix_dir.name) == 2 and set(prefix_dir.name) <= _HEX):
            continue
        for blob in sorted(prefix_dir.iterdir()):
            sha = prefix_dir.name + blob.name
            if blob.is_file() and sha not in referenced and old_enough(blob):
                reason = "not referenced" if is_sha256(sha) else "not a blob name"
                dest = _move_to_quarantine(media, blob, target_dir, sha)
                moved.append({"file": str(blob), "moved_to": str(dest), "reason": reason})
    return moved


def thumbnail_path(ws: Workspace, sha256: str, max_px: int = 320) -> Path:
    """A cached JPEG thumbnail of a stored image or of a stored PDF's first page, made on first request (never
    through a link)."""
    from inspector.evidence.imaging import make_thumbnail

    media = ws.media_dir
    source = readable_blob(media, sha256)
    target = media / THUMBS_DIR / f"{sha256}-{max_px}.jpg"
    refuse_symlinks(media, target)
    if target.is_file():
        return target
    if not source.is_file():
        raise BadInput(f"媒体文件不存在：{sha256}", f"media file missing: {sha256}")
    with open_no_follow(source) as blob:
        is_pdf = blob.read(5) == b"%PDF-"
    if is_pdf:  # a document: its first page, drawn by poppler (no scripts run)
        from inspector.evidence.documents import pdf_thumbnail

        page = pdf_thumbnail(source, max_px)
        if page is None:
            raise BadInput(f"无法生成 PDF 缩略图：{sha256}", f"cannot render a thumbnail of the PDF: {sha256}")
        data = page
    else:
        data = make_thumbnail(source, max_px)
    _checked_dir(media, target.parent)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, target)
    return target
