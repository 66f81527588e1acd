"""Qt layouts written as what they hold: a column (vbox), a row (hbox) or a form from a list of items.

A widget's layout is then one expression that reads like the screen, instead
of a run of ``addWidget`` / ``addLayout`` / ``addRow`` calls::

    vbox(header, self.message, (scroll, 1), parent=self, margins=(8, 6, 8, 6))
    form_layout([(self.tr("坐标系"), hbox((self.crs, 1), self.recheck)), (self.tr("区域类型"), self.kind)])

An item is a widget or a layout, or ``(item, stretch)``; :data:`STRETCH` is
an empty stretch (``addStretch(1)``).
"""
from __future__ import annotations

from typing import Iterable, Union

from PySide6.QtWidgets import QBoxLayout, QFormLayout, QHBoxLayout, QLayout, QVBoxLayout, QWidget

Part = Union[QWidget, QLayout]
Item = Union[Part, tuple[Part, int], None]
STRETCH: Item = None  # an empty, stretching space
Margins = tuple[int, int, int, int]  # left, top, right, bottom, pixels


def fill_box(layout: QBoxLayout, items: Iterable[Item], margins: Margins | None = None) -> QBoxLayout:
    """``layout`` with ``items`` added in order (and its contents margins set, if given)."""
    if margins is not None:
        layout.setContentsMargins(*margins)
    for item in items:
        if item is STRETCH:
            layout.addStretch(1)
            continue
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def vbox(*items: Item, parent: QWidget | None = None, margins: Margins | None = None) -> QVBoxLayout:
    """The items top to bottom; with ``parent``, the layout of that widget."""
    layout = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    fill_box(layout, items, margins)
    return layout


def hbox(*items: Item, parent: QWidget | None = None, margins: Margins | None = None) -> QHBoxLayout:
    """The items left to right; with ``parent``, the layout of that widget."""
    layout = QHBoxLayout(parent) if parent is not None else QHBoxLayout()
    fill_box(layout, items, margins)
    return layout


def form_layout(rows: Iterable[tuple[str, Part]], parent: QWidget | None = None) -> QFormLayout:
    """A label and a field (a widget or a layout) per row."""
    layout = QFormLayout(parent) if parent is not None else QFormLayout()
    for label, field in rows:
        layout.addRow(label, field)
    return layout
