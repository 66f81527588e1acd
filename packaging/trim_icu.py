"""Build-time only: shrink Qt's ICU data library to the languages the app speaks.

The PySide6 wheel ships ``libicudata.so.NN`` (about 32 MB) with every locale
CLDR knows. Qt uses it for collation, locale names and text codecs; the app
speaks Chinese and English. This module extracts the ICU data package from
the library's ``.rodata``, removes the per-locale items of other languages
with ICU's own ``icupkg`` (root, structural data, converters and break
dictionaries stay), and links the result back into a library with the same
soname and the one symbol ICU looks up (``icudtNN_dat``).

Needs binutils (objcopy, as, ld) and ``icupkg`` (Debian: icu-devtools);
:func:`trim` returns ``None`` when a tool is missing, and the build keeps the
full library.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

KEPT_LANGUAGES = ("en", "zh", "yue")  # yue: zh_Hant_HK's number spell-out rules refer to it
LOCALE_ITEM = re.compile(r"^([a-z]{2,3})(_\w*)?\.res$")
TOOLS = ("objcopy", "icupkg", "as", "ld")


def dropped_items(items: list[str]) -> list[str]:
    """Per-locale resources (``xx.res``, ``coll/xx_YY.res``...) of languages not kept."""
    dropped = []
    for item in items:
        name = item.rsplit("/", 1)[-1]
        match = LOCALE_ITEM.match(name)
        if match and name != "res_index.res" and match.group(1) not in KEPT_LANGUAGES:
            dropped.append(item)
    return dropped


def trim(library: Path, workdir: Path) -> Path | None:
    """A trimmed copy of ``library`` (libicudataNN) under ``workdir``, or None without the tools."""
    if any(shutil.which(tool) is None for tool in TOOLS):
        return None
    version = re.search(r"libicudata\.so\.(\d+)", library.name)
    if version is None:
        return None
    package = f"icudt{version.group(1)}l"  # the data package's own name: items are "icudt73l/..."
    out = Path(workdir) / "icu-trim"
    shutil.rmtree(out, ignore_errors=True)
    (out / "trimmed").mkdir(parents=True)
    full, trimmed = out / f"{package}.dat", out / "trimmed" / f"{package}.dat"

    def run(*command: str | Path) -> str:
        return subprocess.run([str(c) for c in command], check=True, capture_output=True, text=True).stdout

    run("objcopy", "-O", "binary", "--only-section=.rodata", library, full)
    items = [line.strip() for line in run("icupkg", "-l", full).splitlines() if line.strip()]
    drop_list = out / "dropped.txt"
    drop_list.write_text("\n".join(dropped_items(items)) + "\n", encoding="utf-8")
    run("icupkg", "-r", drop_list, full, trimmed)
    symbol = f"icudt{version.group(1)}_dat"
    source = out / "data.s"
    source.write_text(
        f"    .section .rodata\n    .globl {symbol}\n    .type {symbol}, @object\n    .balign 16\n"
        f"{symbol}:\n    .incbin \"{trimmed}\"\n    .size {symbol}, .-{symbol}\n"
        "    .section .note.GNU-stack,\"\",@progbits\n", encoding="utf-8")
    run("as", "-o", out / "data.o", source)
    result = out / library.name
    run("ld", "-shared", "-soname", library.name, "-o", result, out / "data.o")
    return result
