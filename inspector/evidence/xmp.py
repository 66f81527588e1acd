"""Find the XMP packet of a JPEG and read the properties of one XMP namespace.

The JPEG is walked segment by segment up to the start of scan (SOS): the
standard XMP packet lives in an APP1 segment whose payload starts with
``http://ns.adobe.com/xap/1.0/\\0``. No image decoding and no dependency on
Pillow's ``getxmp()`` (which needs defusedxml at runtime and returns nested
dicts whose shape changes with the packet layout).

Properties are collected whether the writer used the attribute form
(``<rdf:Description drone-dji:RelativeAltitude="+120.20"/>``) or the element
form (``<drone-dji:RelativeAltitude>+120.20</drone-dji:RelativeAltitude>``).
The XML is parsed with defusedxml (no DTDs, no entity expansion); a packet
that is not well-formed falls back to a plain pattern match over the bytes
and reports ``xmp_malformed``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree as SafeET

from inspector.evidence.imaging import PathLike

XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
MAX_HEADER_BYTES = 16 * 1024 * 1024  # bytes of APPn segments read before giving up
MAX_SEGMENTS = 4096  # markers read before giving up

_SOI, _SOS, _EOI = 0xD8, 0xDA, 0xD9
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0…RST7 carry no length


def _read_exact(fh: BinaryIO, size: int) -> bytes | None:
    data = fh.read(size)
    return data if len(data) == size else None


def jpeg_segments(fh: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(marker, payload) of each JPEG header segment, stopping at SOS, EOI or damage."""
    if _read_exact(fh, 2) != b"\xff\xd8":
        return
    total = 0
    for _ in range(MAX_SEGMENTS):
        byte = fh.read(1)
        if byte != b"\xff":
            return
        marker = 0xFF
        while marker == 0xFF:  # fill bytes
            nxt = fh.read(1)
            if not nxt:
                return
            marker = nxt[0]
        if marker in (_SOS, _EOI, _SOI, 0x00):
            return
        if marker in _STANDALONE:
            continue
        length_bytes = _read_exact(fh, 2)
        if length_bytes is None:
            return
        length = int.from_bytes(length_bytes, "big")
        if length < 2:
            return
        total += length
        if total > MAX_HEADER_BYTES:
            return
        payload = _read_exact(fh, length - 2)
        if payload is None:
            return
        yield marker, payload


def read_jpeg_xmp(path: PathLike) -> bytes | None:
    """The standard XMP packet of the JPEG at ``path``, or ``None``."""
    with open(Path(path), "rb") as fh:
        for marker, payload in jpeg_segments(fh):
            if marker == 0xE1 and payload.startswith(XMP_SIGNATURE):
                return payload[len(XMP_SIGNATURE):]
    return None


def _clean_packet(packet: bytes) -> bytes:
    start = packet.find(b"<")
    return packet[start:].rstrip(b"\x00 \t\r\n") if start >= 0 else b""


def _local_name(qualified: str, namespace_prefix: str) -> str | None:
    if qualified.startswith("{"):
        uri, _, name = qualified[1:].partition("}")
        if uri.startswith(namespace_prefix):
            return name
    return None


def namespace_properties(packet: bytes, namespace_prefix: str, prefix: str) -> tuple[dict[str, str], list[str]]:
    """Simple properties of the namespace whose URI starts with ``namespace_prefix``.

    ``prefix`` (e.g. ``"drone-dji"``) is used only by the fallback pattern
    match when the packet is not well-formed XML. Returns (properties, flags).
    """
    cleaned = _clean_packet(packet)
    if not cleaned:
        return {}, []
    try:
        root = SafeET.fromstring(cleaned, forbid_dtd=True)
    except Exception:  # noqa: BLE001 - ParseError, DTDForbidden, EntitiesForbidden, …
        return _pattern_properties(cleaned, prefix), ["xmp_malformed"]
    found: dict[str, str] = {}
    for element in root.iter():
        for key, value in element.attrib.items():
            name = _local_name(key, namespace_prefix)
            if name is not None:
                found.setdefault(name, value.strip())
        name = _local_name(element.tag, namespace_prefix) if isinstance(element.tag, str) else None
        if name is not None and len(element) == 0 and element.text is not None:
            found.setdefault(name, element.text.strip())
    return found, []


def _pattern_properties(packet: bytes, prefix: str) -> dict[str, str]:
    text = packet.decode("utf-8", "replace")
    escaped = re.escape(prefix)
    found: dict[str, str] = {}
    for name, value in re.findall(escaped + r':([A-Za-z][\w.-]*)\s*=\s*"([^"<>]{0,200})"', text):
        found.setdefault(name, value.strip())
    element = r"<" + escaped + r":([A-Za-z][\w.-]*)>([^<>]{0,200})</" + escaped + r":\1>"
    for name, value in re.findall(element, text):
        found.setdefault(name, value.strip())
    return found
