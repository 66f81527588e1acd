"""Find and register the CJK TrueType fonts the forms embed.

The forms use only fonts registered here, so every glyph in the PDF is
embedded (``pdffonts`` shows ``emb yes``); no base-14 font is ever referenced.

* body text wants a 宋体-like face, headings a 黑体-like one; one file serves
  both when only one exists (e.g. WenQuanYi Zen Hei on Debian);
* a ``.ttc`` collection is opened with a subfont index;
* CFF-flavoured OpenType (most Noto CJK ``.ttc``/``.otf``) cannot be embedded
  by reportlab and is skipped;
* the check-box glyphs ☑/☐ come from a symbol font when one is available,
  else the forms fall back to ■/□, which every CJK font has.

When no CJK font is found :class:`~inspector.errors.SetupError` names the
package to install.
"""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from inspector.errors import SetupError
from inspector.resources import resource_path

BODY_FONT = "LvdunBody"
HEADING_FONT = "LvdunHeading"
SYMBOL_FONT = "LvdunSymbol"

CHECKED_BOX = "\u2611"  # ☑
UNCHECKED_BOX = "\u2610"  # ☐
CHECKED_FALLBACK = "\u25a0"  # ■
UNCHECKED_FALLBACK = "\u25a1"  # □

# (file name, subfont index, role) in order of preference; role "body" is 宋体-like.
_CJK_CANDIDATES: tuple[tuple[str, int, str], ...] = (
    ("simsun.ttc", 0, "body"),
    ("simsun.ttf", 0, "body"),
    ("NotoSerifCJKsc-Regular.ttf", 0, "body"),
    ("NotoSerifSC-Regular.ttf", 0, "body"),
    ("simhei.ttf", 0, "heading"),
    ("msyh.ttc", 0, "heading"),
    ("msyh.ttf", 0, "heading"),
    ("NotoSansCJKsc-Regular.ttf", 0, "heading"),
    ("NotoSansSC-Regular.ttf", 0, "heading"),
    ("wqy-zenhei.ttc", 0, "heading"),
    ("wqy-microhei.ttc", 0, "heading"),
    ("NotoSansCJK-Regular.ttc", 2, "heading"),
    ("NotoSerifCJK-Regular.ttc", 2, "body"),
)
_SYMBOL_CANDIDATES: tuple[str, ...] = ("seguisym.ttf", "DejaVuSans.ttf", "FreeSerif.ttf")


@dataclass(frozen=True)
class FontFile:
    """A TrueType font on disk (``subfont_index`` selects a face in a ``.ttc``)."""

    path: Path
    subfont_index: int
    role: str  # "body", "heading" or "symbol"


@dataclass(frozen=True)
class FormFonts:
    """Registered reportlab font names and the check-box characters they can draw."""

    body: str
    heading: str
    symbol: str | None
    body_file: Path
    heading_file: Path

    def box(self, checked: bool) -> str:
        """Paragraph markup for a check box (our own markup, never ledger text)."""
        if self.symbol:
            glyph = CHECKED_BOX if checked else UNCHECKED_BOX
            return f'<font name="{self.symbol}">{glyph}</font>'
        return CHECKED_FALLBACK if checked else UNCHECKED_FALLBACK


def font_directories() -> list[Path]:
    """Folders searched for fonts: bundled ``resources/fonts`` first, then the system's."""
    folders = [resource_path("fonts")]
    windows_dir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windows_dir:
        folders.append(Path(windows_dir) / "Fonts")
    local_app_data = os.environ.get("LOCALAPPDATA")
    if local_app_data:
        folders.append(Path(local_app_data) / "Microsoft" / "Windows" / "Fonts")
    if sys.platform == "darwin":
        folders += [Path("/Library/Fonts"), Path("/System/Library/Fonts"), Path.home() / "Library/Fonts"]
    folders += [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path.home() / ".local/share/fonts",
        Path.home() / ".fonts",
    ]
    return [folder for folder in folders if folder.is_dir()]


def _find_files(names: set[str]) -> dict[str, Path]:
    """Map lower-case file name → first path found under the font directories."""
    found: dict[str, Path] = {}
    for folder in font_directories():
        for root, _dirs, files in os.walk(folder):
            for file_name in files:
                key = file_name.lower()
                if key in names and key not in found:
                    found[key] = Path(root) / file_name
    return found


def candidate_font_files() -> list[FontFile]:
    """Every usable-looking CJK and symbol font file on this machine, best first."""
    wanted = {name.lower() for name, _index, _role in _CJK_CANDIDATES}
    wanted |= {name.lower() for name in _SYMBOL_CANDIDATES}
    found = _find_files(wanted)
    candidates = [
        FontFile(found[name.lower()], index, role)
        for name, index, role in _CJK_CANDIDATES
        if name.lower() in found
    ]
    candidates += [
        FontFile(found[name.lower()], 0, "symbol") for name in _SYMBOL_CANDIDATES if name.lower() in found
    ]
    return candidates


def _load(font_file: FontFile, name: str) -> TTFont | None:
    try:
        return TTFont(name, str(font_file.path), subfontIndex=font_file.subfont_index)
    except (TTFError, OSError, ValueError, KeyError):
        return None  # CFF outlines, a broken file, or a missing subfont


def _has_glyphs(font: TTFont, text: str) -> bool:
    char_map = font.face.charToGlyph
    return all(ord(ch) in char_map for ch in text)


def _first_usable(role: str, name: str, candidates: list[FontFile]) -> tuple[TTFont, FontFile] | None:
    for font_file in candidates:
        if font_file.role != role:
            continue
        loaded = _load(font_file, name)
        if loaded is not None and _has_glyphs(loaded, "宋体黑字验收销号"):
            return loaded, font_file
    return None


def _missing_font_error() -> SetupError:
    return SetupError(
        "未找到可嵌入的中文 TrueType 字体。请安装 fonts-wqy-zenhei"
        "（apt-get install fonts-wqy-zenhei），或在 Windows 上确认有 simsun.ttc / simhei.ttf，"
        "或将 .ttf/.ttc 字体放入 resources/fonts/。",
        "No embeddable CJK TrueType font found. Install the Debian package fonts-wqy-zenhei "
        "(apt-get install fonts-wqy-zenhei), make sure simsun.ttc / simhei.ttf exist on Windows, "
        "or put a .ttf/.ttc font under resources/fonts/.",
    )


@functools.cache
def form_fonts() -> FormFonts:
    """Register the fonts once per process and say which names to use.

    When one file serves both roles it is registered once, so the PDF embeds
    one subset of it rather than two.
    """
    candidates = candidate_font_files()
    body = _first_usable("body", BODY_FONT, candidates)
    heading = _first_usable("heading", HEADING_FONT, candidates)
    if body is None and heading is None:
        raise _missing_font_error()
    if body is not None:
        pdfmetrics.registerFont(body[0])
    if heading is not None:
        pdfmetrics.registerFont(heading[0])
    body_name = BODY_FONT if body is not None else HEADING_FONT
    heading_name = HEADING_FONT if heading is not None else BODY_FONT
    text_font = (body or heading)[0]  # type: ignore[index]  # not both None (raised above)
    symbol: str | None = None
    if _has_glyphs(text_font, CHECKED_BOX + UNCHECKED_BOX):
        symbol = body_name
    else:
        symbol_font = _first_usable_symbol(candidates)
        if symbol_font is not None:
            pdfmetrics.registerFont(symbol_font)
            symbol = SYMBOL_FONT
    return FormFonts(
        body=body_name,
        heading=heading_name,
        symbol=symbol,
        body_file=(body or heading)[1].path,  # type: ignore[index]  # not both None (raised above)
        heading_file=(heading or body)[1].path,  # type: ignore[index]  # not both None (raised above)
    )


def _first_usable_symbol(candidates: list[FontFile]) -> TTFont | None:
    for font_file in candidates:
        if font_file.role == "symbol":
            loaded = _load(font_file, SYMBOL_FONT)
            if loaded is not None and _has_glyphs(loaded, CHECKED_BOX + UNCHECKED_BOX):
                return loaded
    return None
