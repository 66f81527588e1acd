"""Hardened Pillow: open evidence images safely and make thumbnails.

Evidence files come from phones, cameras, drones and e-mail attachments, so
every image is treated as hostile until it has decoded:

- only whitelisted formats are opened (JPEG, PNG, TIFF, WEBP, and HEIC/HEIF
  when ``pillow-heif`` is importable); a HEIC file without ``pillow-heif``
  gets an error that says so;
- ``Image.MAX_IMAGE_PIXELS`` is lowered to what cameras produce (200 MP);
  ``DecompressionBombWarning`` is an error (process-wide filter, and a local
  one around ``Image.open`` in case the process-wide filters were reset), and
  the size is checked again here after opening;
- truncated, corrupt or hostile files raise :class:`BadImage`, a
  :class:`~inspector.errors.BadInput`; ``LOAD_TRUNCATED_IMAGES`` stays off.

Sizes always come from the decoded image, never from EXIF tags (a file may
claim 3024 pixels and hold one).
"""
from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from inspector.errors import BadInput

MAX_PIXELS = 200_000_000  # pixels: 200 MP phones (16320×12240) and medium-format cameras fit
BASE_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
THUMBNAIL_QUALITY = 85  # JPEG quality of thumbnails

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

# What Pillow raises on malformed input; MemoryError is left alone on purpose.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    EOFError,
    ZeroDivisionError,
    OverflowError,
    struct.error,
    zlib.error,
)

PathLike = str | os.PathLike[str]


class BadImage(BadInput):
    """The file is not an image this program accepts (format, size or content)."""


class HeifSupportMissing(BadImage):
    """A HEIC/HEIF photo arrived but ``pillow-heif`` is not installed."""


@lru_cache(maxsize=1)
def allowed_formats() -> tuple[str, ...]:
    """Pillow format names this process opens (HEIF only with ``pillow-heif``)."""
    try:
        import pillow_heif
    except ImportError:
        return BASE_FORMATS
    pillow_heif.register_heif_opener()
    return (*BASE_FORMATS, "HEIF")


def _looks_like_heif(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return len(head) == 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def _name(path: PathLike) -> str:
    return Path(path).name


def _check_pixels(size: tuple[int, int], path: PathLike) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise BadImage(f"图像尺寸无效：{_name(path)}", f"Invalid image size: {_name(path)}")
    if width * height > MAX_PIXELS:
        raise BadImage(
            f"图像像素过多（{width}×{height}），可能是解压炸弹：{_name(path)}",
            f"Image has too many pixels ({width}×{height}); possible decompression bomb: {_name(path)}",
        )


def _bomb(path: PathLike) -> BadImage:
    return BadImage(
        f"图像像素过多，可能是解压炸弹：{_name(path)}",
        f"Image has too many pixels; possible decompression bomb: {_name(path)}",
    )


def _corrupt(path: PathLike, exc: BaseException) -> BadImage:
    return BadImage(
        f"图像文件已损坏或被截断：{_name(path)}（{exc}）",
        f"Image file is corrupt or truncated: {_name(path)} ({exc})",
    )


def open_image(path: PathLike) -> Image.Image:
    """Open ``path`` lazily (header only) if it is an allowed, reasonably sized image.

    Use the result in a ``with`` block. Pixels are not decoded yet; use
    :func:`decoded_size` or :func:`make_thumbnail` to prove they decode.
    """
    path = Path(path)
    if not path.is_file():
        raise BadImage(f"找不到图像文件：{path}", f"Image file not found: {path}")
    formats = allowed_formats()
    try:
        with warnings.catch_warnings():  # also where the process-wide filter was reset (pytest)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=list(formats))
    except UnidentifiedImageError as exc:
        if "HEIF" not in formats and _looks_like_heif(path):
            raise HeifSupportMissing(
                f"HEIC/HEIF 照片需要安装 pillow-heif（pip install pillow-heif）：{path.name}",
                f"HEIC/HEIF photos need pillow-heif (pip install pillow-heif): {path.name}",
            ) from exc
        raise BadImage(
            f"不支持的图像格式（只接受 {'/'.join(formats)}）：{path.name}",
            f"Unsupported image format (only {'/'.join(formats)} accepted): {path.name}",
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(path) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt(path, exc) from exc
    try:
        _check_pixels(image.size, path)
    except BadImage:
        image.close()
        raise
    return image


def _draft_for(image: Image.Image, max_px: int) -> None:
    """Let the JPEG decoder scale by 1/2…1/8 while decoding (every byte is still read)."""
    if image.format == "JPEG":
        # max(1, …): a 1×1 image must not ask for a 0×0 draft (division by zero in Pillow).
        image.draft("RGB", (max(1, max_px), max(1, max_px)))


def decoded_size(path: PathLike) -> tuple[int, int]:
    """Real (width, height) of the stored pixels, after proving the whole image decodes.

    JPEGs are decoded at reduced scale, which still reads the entire
    compressed stream, so truncation is detected cheaply.
    """
    with open_image(path) as image:
        size = image.size
        try:
            _draft_for(image, max(1, min(size) // 8))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(path) from exc
        except _DECODE_ERRORS as exc:
            raise _corrupt(path, exc) from exc
    return size


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def make_thumbnail(path: PathLike, max_px: int = 320) -> bytes:
    """JPEG bytes of a thumbnail no larger than ``max_px`` on its long side.

    The EXIF orientation is applied (``ImageOps.exif_transpose``), alpha is
    flattened onto white, and no metadata (EXIF, GPS, ICC, XMP) is carried
    over. Small images are not enlarged.
    """
    if not 16 <= max_px <= 4096:
        raise ValueError(f"max_px must be between 16 and 4096, got {max_px}")
    with open_image(path) as image:
        try:
            _draft_for(image, max_px)
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
            rgb.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            rgb.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(path) from exc
        except _DECODE_ERRORS as exc:
            raise _corrupt(path, exc) from exc
    return out.getvalue()
