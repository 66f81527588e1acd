"""Evidence images made ready for print: opened safely, upright, downscaled, embedded as JPEG.

Each image is opened with a format whitelist and decompression-bomb warnings
turned into errors, turned upright (EXIF orientation), decoded at a reduced
JPEG scale where possible, downscaled to what its printed box needs (at most
:data:`MAX_EMBED_PX` on the long side) and re-encoded as JPEG, so a form
with 30 phone photos stays a few megabytes. Results are cached by path, size
and modification time (media files are content-addressed and never change),
and :class:`PhotoPreparer` prepares a form's photos on a few threads while the
pages before them are laid out.

A file that cannot be read prints as a framed placeholder; the form still
lists its hash.
"""
from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from inspector.forms.model import FormPhoto
from inspector.forms.styles import CONTENT_WIDTH

MAX_EMBED_PX = 1600  # long side of an embedded image, pixels
EMBED_DPI = 200  # print resolution the downscaling aims for, dots per inch
JPEG_QUALITY = 82
ALLOWED_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")  # MPO (multi-picture JPEG) opens as JPEG
PHOTO_COLUMNS = 2
PHOTO_BOX_WIDTH = CONTENT_WIDTH / PHOTO_COLUMNS - 8  # points: a grid cell less its padding
PHOTO_BOX_HEIGHT = 58 * mm
PREPARE_THREADS = 4  # at most; Pillow releases the GIL while decoding, resizing and encoding
UNREADABLE = (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning)


@dataclass(frozen=True)
class PreparedImage:
    """A JPEG ready to embed, with its pixel size."""

    jpeg: bytes
    width_px: int
    height_px: int


def target_pixels(width_pt: float, height_pt: float) -> int:
    """Long-side pixels needed to print a box of this size at :data:`EMBED_DPI`."""
    needed = max(width_pt, height_pt) / 72.0 * EMBED_DPI
    return int(min(MAX_EMBED_PX, max(64, needed)))


def prepare_image(path: Path, max_px: int) -> PreparedImage:
    """Read, orient and downscale an image file (cached by path, size and mtime); a symbolic
    link is not followed (``OSError``: the form prints the placeholder)."""
    stat = os.lstat(path)
    return _prepare_cached(str(path), stat.st_mtime_ns, stat.st_size, max_px)


@functools.lru_cache(maxsize=96)
def _prepare_cached(path: str, _mtime_ns: int, _size: int, max_px: int) -> PreparedImage:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0))
    with warnings.catch_warnings(), os.fdopen(descriptor, "rb") as stream:
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        with PILImage.open(stream, formats=ALLOWED_FORMATS) as image:
            if image.format == "JPEG":
                # decode at a reduced DCT scale (1/2, 1/4, 1/8) that still covers the target: much faster
                scale = max_px / max(image.size)
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            upright = ImageOps.exif_transpose(image)
            rgb = upright.convert("RGB")
    rgb.thumbnail((max_px, max_px), PILImage.Resampling.BICUBIC)  # after the DCT reduction the step is small
    buffer = io.BytesIO()
    rgb.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return PreparedImage(buffer.getvalue(), rgb.width, rgb.height)


class PhotoPreparer:
    """Prepares a form's photos on worker threads while the rest of the form is laid out.

    Building the story submits each photo it shows; laying out a photo waits
    for its own result only. Pillow releases the GIL while decoding, resizing
    and encoding, so the pages before the photos are laid out meanwhile.
    """

    def __init__(self, threads: int = PREPARE_THREADS) -> None:
        self._threads = max(1, min(threads, os.cpu_count() or 1))
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[tuple[Path, int], Future[PreparedImage]] = {}

    def submit(self, path: Path, max_px: int) -> None:
        key = (Path(path), max_px)
        if key in self._futures:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="form-photo")
        self._futures[key] = self._pool.submit(prepare_image, key[0], max_px)

    def get(self, path: Path, max_px: int) -> PreparedImage:
        """The prepared image (raises what reading it raised)."""
        future = self._futures.get((Path(path), max_px))
        return future.result() if future is not None else prepare_image(path, max_px)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "PhotoPreparer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class JpegReader(ImageReader):
    """An ImageReader for JPEG bytes that reportlab embeds as they are.

    reportlab names every ImageReader image by an MD5 of its decoded pixels;
    here the name comes from the JPEG bytes, so the image is never decoded.
    """

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(io.BytesIO(jpeg))
        self._dataA = None
        self._identity_bytes = hashlib.sha256(jpeg).digest()

    def getRGBData(self) -> bytes:  # noqa: N802 (reportlab API; only used to name the image)
        return self._identity_bytes


class EmbeddedImage(Flowable):
    """A prepared JPEG drawn at a fixed size."""

    def __init__(self, prepared: PreparedImage, width: float, height: float) -> None:
        super().__init__()
        self.prepared = prepared
        self.draw_width = width
        self.draw_height = height
        self.hAlign = "CENTER"

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.draw_width, self.draw_height

    def draw(self) -> None:
        self.canv.drawImage(JpegReader(self.prepared.jpeg), 0, 0, self.draw_width, self.draw_height)


class MissingImage(Flowable):
    """A framed placeholder where an evidence file could not be read."""

    def __init__(self, width: float, height: float, message: str, font_name: str) -> None:
        super().__init__()
        self.box_width = width
        self.box_height = height
        self.message = message
        self.font_name = font_name
        self.hAlign = "CENTER"

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.box_width, self.box_height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setDash(3, 2)
        canvas.rect(0, 0, self.box_width, self.box_height)
        canvas.setFont(self.font_name, 9)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(self.box_width / 2, self.box_height / 2, self.message)
        canvas.restoreState()


class LazyPhoto(Flowable):
    """A photo whose image is prepared in the background and resolved when first laid out."""

    def __init__(self, photo: FormPhoto, box_width: float, box_height: float, font_name: str,
                 preparer: PhotoPreparer) -> None:
        super().__init__()
        self.photo = photo
        self.box_width = box_width
        self.box_height = box_height
        self.font_name = font_name
        self.preparer = preparer
        self.max_px = target_pixels(box_width, box_height)
        self.hAlign = "CENTER"
        self._resolved: Flowable | None = None
        preparer.submit(photo.path, self.max_px)

    def resolve(self) -> Flowable:
        if self._resolved is None:
            try:
                prepared = self.preparer.get(self.photo.path, self.max_px)
            except UNREADABLE:
                self._resolved = MissingImage(self.box_width, self.box_height, "证据文件无法读取", self.font_name)
            else:
                scale = min(self.box_width / prepared.width_px, self.box_height / prepared.height_px)
                self._resolved = EmbeddedImage(prepared, prepared.width_px * scale, prepared.height_px * scale)
        return self._resolved

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = self.resolve().wrap(avail_width, avail_height)
        return self.width, self.height

    def draw(self) -> None:
        self.resolve().drawOn(self.canv, 0, 0)


def photo_flowable(photo: FormPhoto, box_width: float, box_height: float, font_name: str,
                   preparer: PhotoPreparer) -> Flowable:
    """The image scaled to fit the box (aspect kept), or a placeholder if it cannot be read."""
    return LazyPhoto(photo, box_width, box_height, font_name, preparer)
