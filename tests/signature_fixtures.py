"""Signature images and scanned documents for the records tests: a PNG with one dark stroke, a small PDF."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

PAD_SIZE = (600, 240)  # pixels: a signature pad's image


def signature_png(size: tuple[int, int] = PAD_SIZE, *, stroke: int = 12) -> bytes:
    """A transparent PNG with one thick dark zig-zag stroke across it, as the pad produces."""
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    width, height = size
    points = [(int(width * x), int(height * y)) for x, y in
              ((0.08, 0.7), (0.3, 0.2), (0.5, 0.75), (0.7, 0.25), (0.92, 0.6))]
    draw.line(points, fill=(10, 10, 40, 255), width=stroke, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def write_signature(path: Path, size: tuple[int, int] = PAD_SIZE) -> Path:
    path.write_bytes(signature_png(size))
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A one-page PDF, as a scanner writes a countersign document."""
    image = Image.new("RGB", (200, 280), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 180, 60), fill="black")
    image.save(path, "PDF")
    return path
