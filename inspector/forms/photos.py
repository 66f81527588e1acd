"""Evidence photos laid out on the forms: which ones (chosen or default), captions, grids, before/after pairs.

Captions say the photo number (the same number marks it on the map), kind,
phase, time, position in 度分秒, bearing and the first 12 hex digits of
SHA-256, then the photo's flags (疑点： and their Chinese text, from
:data:`inspector.evidence.plausibility.FLAG_TEXTS`), then the inspector's own caption. The images themselves come from
:mod:`inspector.forms.photo_images` (upright, downscaled, embedded as JPEG).
"""
from __future__ import annotations

from typing import Iterable

from reportlab.platypus import Flowable, Paragraph

from inspector.casework.form_evidence import AFTER_PHASES, INSPECTION_PHASES, default_pairs
from inspector.evidence.plausibility import flag_message
from inspector.forms.coordinates import format_bearing, format_position_dms
from inspector.forms.model import FormCase, FormPhoto
from inspector.forms.photo_images import PHOTO_BOX_HEIGHT, PHOTO_BOX_WIDTH, PHOTO_COLUMNS, PhotoPreparer, photo_flowable
from inspector.forms.styles import (
    CONTENT_WIDTH,
    FormStyles,
    FormTable,
    blank_cell,
    escape_text,
    grid_style,
    para,
    paras,
    shade,
    shorten,
)

PHASE_NAMES = {"before": "整改前", "after": "整改后", "inspection": "核查"}
CAPTION_WORD_CHARS = 24  # kind, phase or time under a photo; longer ones end in "…"
KIND_NAMES = {"photo": "照片", "drone": "无人机航拍"}
PhotoPair = tuple[FormPhoto, FormPhoto]  # (整改前, 整改后)
FLAG_COLOUR = "#A14D00"  # flags under a photo: the GUI's warning colour


def caption_markup(photo: FormPhoto, number: int) -> str:
    """Caption text (escaped) for one photo: number, kind, phase, time (shortened: the evidence
    list prints it in full), position, bearing and hash; the inspector's caption is
    :func:`photo_cell`'s."""
    kind = KIND_NAMES.get(photo.kind, photo.kind)
    phase = PHASE_NAMES.get(photo.phase, photo.phase)
    if photo.has_position:
        position = format_position_dms(photo.lon, photo.lat)  # type: ignore[arg-type]  # has_position: both set
    else:
        position = "无定位"
    lines = [
        f"图{number}&nbsp;&nbsp;{escape_text(shorten(kind, CAPTION_WORD_CHARS))}"
        f"（{escape_text(shorten(phase, CAPTION_WORD_CHARS))}）"
        f"&nbsp;&nbsp;{escape_text(shorten(photo.taken_at, CAPTION_WORD_CHARS))}",
        f"{escape_text(position)}&nbsp;&nbsp;{escape_text(format_bearing(photo.bearing_deg))}",
        f"SHA-256：{escape_text(photo.short_hash)}",
        *(f'<font color="{FLAG_COLOUR}">疑点：{escape_text(flag_message(code).zh)}</font>'
          for code in dict.fromkeys(photo.flags)),
    ]
    return "<br/>".join(lines)


def photo_cell(photo: FormPhoto, number: int, styles: FormStyles, preparer: PhotoPreparer) -> list[Flowable]:
    """The photo in its fixed-size box with its caption under it."""
    return [
        photo_flowable(photo, PHOTO_BOX_WIDTH, PHOTO_BOX_HEIGHT, styles.fonts.body, preparer),
        Paragraph(caption_markup(photo, number), styles.caption),
        *(paras(photo.caption, styles.caption, "说明：") if photo.caption else []),
    ]


def photo_grid(photos: list[FormPhoto], numbers: dict[str, int], styles: FormStyles,
               preparer: PhotoPreparer) -> FormTable:
    """Photos two to a row in a grid that splits between rows across pages."""
    columns = PHOTO_COLUMNS
    cell_width = CONTENT_WIDTH / columns
    rows: list[list[object]] = []
    for start in range(0, len(photos), columns):
        row: list[object] = []
        for photo in photos[start : start + columns]:
            row.append(photo_cell(photo, numbers[photo.sha256], styles, preparer))
        row += [blank_cell() for _ in range(columns - len(row))]
        rows.append(row)
    return FormTable(
        rows,
        colWidths=[cell_width] * columns,
        style=grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]),
        splitByRow=1,
        splitInRow=1,
    )


def _resolved(case: FormCase, uuids: Iterable[str]) -> list[FormPhoto]:
    """The case's photos named by evidence UUID, in that order (one no longer on the case is left out)."""
    by_uuid = {photo.uuid: photo for photo in case.photos if photo.uuid}
    return [by_uuid[uuid] for uuid in uuids if uuid in by_uuid]


def _position(photo: FormPhoto) -> tuple[float, float] | None:
    return (photo.lon, photo.lat) if photo.lon is not None and photo.lat is not None else None


def inspection_photos(case: FormCase) -> list[FormPhoto]:
    """The inspection form's photos: the inspector's choice, else every 现场核查 photo."""
    choice = (case.photo_choices or {}).get("inspection")
    if choice is not None and choice.photos:
        return _resolved(case, choice.photos)
    return list(case.photos_in_phase(*INSPECTION_PHASES))


def closure_layout(case: FormCase) -> tuple[list[PhotoPair], list[FormPhoto]]:
    """The closure form's (before/after pairs, photos on their own): the inspector's choice, else the default
    pairing (:func:`~inspector.casework.form_evidence.default_pairs`) of the 整改前 photos (or, without any, the
    现场核查 ones) with the 整改后 photos, the rest unpaired."""
    choice = (case.photo_choices or {}).get("closure")
    if choice is not None and (choice.pairs or choice.photos):
        pairs = [(before[0], after[0]) for before, after in
                 ((_resolved(case, [b]), _resolved(case, [a])) for b, a in choice.pairs) if before and after]
        return pairs, _resolved(case, choice.photos)
    before = list(case.photos_in_phase("before")) or list(case.photos_in_phase("inspection"))
    return default_pairs(before, list(case.photos_in_phase(*AFTER_PHASES)), lambda p: p.taken_at or None,
                         _position, lambda p: p.flags)


def pair_table(
    pairs: list[PhotoPair],
    numbers: dict[str, int],
    styles: FormStyles,
    preparer: PhotoPreparer,
) -> FormTable:
    """整改前 | 整改后 side by side; the header row repeats on every page."""
    cell_width = CONTENT_WIDTH / 2
    rows: list[list[object]] = [[para("整改前", styles.label), para("整改后", styles.label)]]
    for before, after in pairs:
        rows.append([photo_cell(photo, numbers[photo.sha256], styles, preparer) for photo in (before, after)])
    style = [("VALIGN", (0, 1), (-1, -1), "TOP"), ("ALIGN", (0, 1), (-1, -1), "CENTER")] + shade([(0, 0), (1, 0)])
    return FormTable(rows, colWidths=[cell_width] * 2, style=grid_style(style), repeatRows=1, splitByRow=1,
                     splitInRow=1)
