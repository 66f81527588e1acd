"""Tie a printed form to its records: evidence list, evidence digest and QR code.

Every form lists all evidence files of the case with their full SHA-256
(附：证据文件清单). The evidence digest is the SHA-256 of those hashes,
lower-case hex, de-duplicated, sorted and joined with ``\\n``::

    evidence_digest = sha256("\\n".join(sorted(set(photo.sha256 ...))))

(a case without evidence gets the digest of the empty string). The QR code
carries ``LVDUN:1:<FORM KIND>:<CASE UUID>:<EVIDENCE DIGEST>`` in upper case
(QR alphanumeric mode: a smaller symbol that scans more easily; compare
case-insensitively), and the same values are printed under it in lower case,
so an office can match a printed form to the workspace records by scanning
or by reading.
"""
from __future__ import annotations

import hashlib

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from inspector.forms.coordinates import format_position_dms
from inspector.forms.model import FormCase
from inspector.forms.photos import KIND_NAMES, PHASE_NAMES
from inspector.forms.styles import (
    FormStyles,
    FormTable,
    escape_text,
    grid_style,
    para,
    paras,
    section_heading,
    shade,
    shorten,
    spread_over_rows,
)

QR_PAYLOAD_PREFIX = "LVDUN:1"
QR_SIZE = 30 * mm
CASE_NO_CHARS = 60  # the case number beside the QR code (printed in full in 问题基本信息)


def evidence_hashes(case: FormCase) -> list[str]:
    """Sorted, de-duplicated lower-case SHA-256 of every evidence file of the case."""
    return sorted({photo.sha256.lower() for photo in case.photos})


def evidence_digest(case: FormCase) -> str:
    """SHA-256 (hex) over the sorted evidence hashes listed on the form."""
    joined = "\n".join(evidence_hashes(case))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def qr_payload(case: FormCase, form_kind: str) -> str:
    """What the QR code says; only QR alphanumeric characters (0-9 A-Z - :)."""
    return f"{QR_PAYLOAD_PREFIX}:{form_kind}:{case.uuid}:{evidence_digest(case)}".upper()


def qr_flowable(payload: str, size: float = QR_SIZE) -> Flowable:
    """A QR code (error correction M, 2-module quiet zone) ``size`` points square.

    reportlab's ``QrCode`` flowable draws straight on the canvas; the Drawing-based
    widget would select Helvetica (not embedded) when it is rendered.
    """
    code = QrCode(payload, width=size, height=size, qrLevel="M", qrBorder=2)
    code.hAlign = "CENTER"
    return code


def evidence_list(case: FormCase, numbers: dict[str, int], styles: FormStyles, total_width: float) -> list[Flowable]:
    """The table of every evidence file with its full hash (header repeats on each page)."""
    flowables: list[Flowable] = [section_heading("附：证据文件清单", styles)]
    if not case.photos:
        flowables.append(para("本案暂无照片或航拍证据。", styles.body))
        return flowables
    widths = [12 * mm, 22 * mm, 28 * mm, 38 * mm, total_width - 100 * mm]
    header = ["图号", "类型/阶段", "拍摄时间", "拍摄位置", "SHA-256"]
    rows: list[list[object]] = [[para(text, styles.label) for text in header]]
    continued: list[int] = []
    listed: set[str] = set()
    for photo in case.photos:
        if photo.sha256 in listed:
            continue
        listed.add(photo.sha256)
        position = format_position_dms(photo.lon, photo.lat) if photo.has_position else "无定位"  # type: ignore[arg-type]  # has_position: both set
        group = spread_over_rows(
            [
                para(str(numbers[photo.sha256]), styles.small),
                paras(f"{KIND_NAMES.get(photo.kind, photo.kind)}/{PHASE_NAMES.get(photo.phase, photo.phase)}",
                      styles.small),
                paras(photo.taken_at, styles.small),
                para(position, styles.caption),
                para(photo.sha256, styles.caption),
            ]
        )
        continued += range(len(rows), len(rows) + len(group) - 1)
        rows += group
    style = grid_style(shade([(column, 0) for column in range(len(header))]), rows=len(rows), continued=continued)
    flowables.append(FormTable(rows, colWidths=widths, style=style, repeatRows=1, splitByRow=1, splitInRow=1))
    return flowables


def verification_block(case: FormCase, form_kind: str, styles: FormStyles, total_width: float,
                       generated_at: str) -> Flowable:
    """QR code with its text, next to a plain-language explanation, kept on one page."""
    digest = evidence_digest(case)
    qr_column_width = QR_SIZE + 16 * mm
    under_qr = Paragraph(
        f"案件UUID：{escape_text(case.uuid)}<br/>证据摘要：{escape_text(digest)}", styles.hash_text
    )
    explanation = Paragraph(
        "<br/>".join(
            [
                f"问题编号：{escape_text(shorten(case.case_no, CASE_NO_CHARS))}",
                f"案件UUID：{escape_text(case.uuid)}",
                f"证据文件：{len(evidence_hashes(case))} 个",
                f"证据摘要（SHA-256）：{escape_text(digest)}",
                f"生成时间：{escape_text(generated_at)}",
                "核验方法：扫描左侧二维码或核对上述摘要，与系统中该案件的证据记录比对；"
                "摘要为全部证据文件 SHA-256 值排序后（以换行连接）再计算的 SHA-256。",
            ]
        ),
        styles.small,
    )
    table = FormTable(
        [[[qr_flowable(qr_payload(case, form_kind)), under_qr], explanation]],
        colWidths=[qr_column_width, total_width - qr_column_width],
        style=grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (0, 0), "CENTER")]),
    )
    return KeepTogether([section_heading("表单核验信息", styles), table])
