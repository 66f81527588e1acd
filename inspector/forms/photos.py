"""Evidence photos on the forms: oriented, downscaled, captioned, laid out in grids.

Each image is opened with a format whitelist and decompression-bomb warnings
turned into errors, turned upright (EXIF orientation), downscaled to what
the printed size needs (at most :data:`MAX_EMBED_PX` on the long side) and
embedded as a JPEG, so a form with 30 phone photos stays a few megabytes.
A file that cannot be read prints as a framed placeholder with its hash, so
the form still lists every piece of evidence.

Captions say the photo number (the same number marks it on the map), kind,
time, position in 度分秒, bearing and the first 12 hex digits of SHA-256.
"""
from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph

from inspector.forms.coordinates import format_bearing, format_position_dms
from inspector.forms.model import FormPhoto
from inspector.forms.styles import FormTable, FormStyles, blank_cell, escape_text, grid_style, para, shade

MAX_EMBED_PX = 1600  # long side of an embedded image, pixels
EMBED_DPI = 220  # print resolution the downscaling aims for, dots per inch
JPEG_QUALITY = 82
ALLOWED_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")  # MPO (multi-picture JPEG) opens as JPEG
PHASE_NAMES = {"before": "整改前", "after": "整改后", "inspection": "核查"}
KIND_NAMES = {"photo": "照片", "drone": "无人机航拍"}


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
    """Read, orient and downscale an image file (cached by path, size and mtime)."""
    stat = Path(path).stat()
    return _prepare_cached(str(path), stat.st_mtime_ns, stat.st_size, max_px)


@functools.lru_cache(maxsize=96)
def _prepare_cached(path: str, _mtime_ns: int, _size: int, max_px: int) -> PreparedImage:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        with PILImage.open(path, formats=ALLOWED_FORMATS) as image:
            if image.format == "JPEG":
                image.draft("RGB", (max_px, max_px))  # decode at a reduced scale: much faster
            upright = ImageOps.exif_transpose(image)
            rgb = upright.convert("RGB")
    rgb.thumbnail((max_px, max_px), PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    rgb.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=False)
    return PreparedImage(buffer.getvalue(), rgb.width, rgb.height)


class MissingImage(Flowable):
    """A framed placeholder where an evidence file could not be read."""

    def __init__(self, width: float, height: float, message: str, font_name: str) -> None:
        super().__init__()
        self.box_width = width
        self.box_height = height
        self.message = message
        self.font_name = font_name

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


def photo_flowable(photo: FormPhoto, box_width: float, box_height: float, styles: FormStyles) -> Flowable:
    """The image scaled to fit the box (aspect kept), or a placeholder."""
    try:
        prepared = prepare_image(photo.path, target_pixels(box_width, box_height))
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        return MissingImage(box_width, box_height, "证据文件无法读取", styles.fonts.body)
    scale = min(box_width / prepared.width_px, box_height / prepared.height_px)
    image = Image(
        io.BytesIO(prepared.jpeg), width=prepared.width_px * scale, height=prepared.height_px * scale
    )
    image.hAlign = "CENTER"
    return image


def caption_markup(photo: FormPhoto, number: int) -> str:
    """Caption text (escaped) for one photo."""
    kind = KIND_NAMES.get(photo.kind, photo.kind)
    phase = PHASE_NAMES.get(photo.phase, photo.phase)
    if photo.has_position:
        position = format_position_dms(photo.lon, photo.lat)  # type: ignore[arg-type]
    else:
        position = "无定位"
    lines = [
        f"图{number}&nbsp;&nbsp;{escape_text(kind)}（{escape_text(phase)}）&nbsp;&nbsp;{escape_text(photo.taken_at)}",
        f"{escape_text(position)}&nbsp;&nbsp;{escape_text(format_bearing(photo.bearing_deg))}",
        f"SHA-256：{escape_text(photo.short_hash)}",
    ]
    if photo.caption:
        lines.append(f"说明：{escape_text(photo.caption)}")
    return "<br/>".join(lines)


def photo_cell(
    photo: FormPhoto, number: int, box_width: float, box_height: float, styles: FormStyles
) -> list[Flowable]:
    return [
        photo_flowable(photo, box_width, box_height, styles),
        Paragraph(caption_markup(photo, number), styles.caption),
    ]


def photo_grid(
    photos: list[FormPhoto],
    numbers: dict[str, int],
    styles: FormStyles,
    total_width: float,
    columns: int = 2,
    image_height: float = 58 * mm,
) -> Table:
    """Photos two to a row in a grid that splits between rows across pages."""
    cell_width = total_width / columns
    box_width = cell_width - 8
    rows: list[list[object]] = []
    for start in range(0, len(photos), columns):
        row: list[object] = []
        for photo in photos[start : start + columns]:
            row.append(photo_cell(photo, numbers[photo.sha256], box_width, image_height, styles))
        row += [blank_cell() for _ in range(columns - len(row))]
        rows.append(row)
    return FormTable(
        rows,
        colWidths=[cell_width] * columns,
        style=grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]),
        splitByRow=1,
    )


def pair_photos(before: list[FormPhoto], after: list[FormPhoto]) -> list[tuple[FormPhoto | None, FormPhoto | None]]:
    """Before/after pairs: an after photo's ``pair_sha256`` wins, the rest pair in order."""
    pairs: list[tuple[FormPhoto | None, FormPhoto | None]] = []
    by_hash = {photo.sha256: photo for photo in before}
    unpaired_after: list[FormPhoto] = []
    explicit: dict[str, FormPhoto] = {}
    for photo in after:
        target = (photo.pair_sha256 or "").lower()
        if target in by_hash and target not in explicit:
            explicit[target] = photo
        else:
            unpaired_after.append(photo)
    for photo in before:
        if photo.sha256 in explicit:
            pairs.append((photo, explicit[photo.sha256]))
        else:
            pairs.append((photo, unpaired_after.pop(0) if unpaired_after else None))
    pairs += [(None, photo) for photo in unpaired_after]
    return pairs


def pair_table(
    pairs: list[tuple[FormPhoto | None, FormPhoto | None]],
    numbers: dict[str, int],
    styles: FormStyles,
    total_width: float,
    image_height: float = 58 * mm,
) -> Table:
    """整改前 | 整改后 side by side; the header row repeats on every page."""
    cell_width = total_width / 2
    rows: list[list[object]] = [[para("整改前", styles.label), para("整改后", styles.label)]]
    for before, after in pairs:
        row: list[object] = []
        for photo in (before, after):
            if photo is None:
                row.append(para("（无对应照片）", styles.small))
            else:
                row.append(photo_cell(photo, numbers[photo.sha256], cell_width - 8, image_height, styles))
        rows.append(row)
    style = [("VALIGN", (0, 1), (-1, -1), "TOP"), ("ALIGN", (0, 1), (-1, -1), "CENTER")] + shade([(0, 0), (1, 0)])
    return FormTable(rows, colWidths=[cell_width] * 2, style=grid_style(style), repeatRows=1, splitByRow=1)
