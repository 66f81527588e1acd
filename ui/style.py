"""The application's look: a calm light theme with touch-sized controls (≥ 40 px targets).

Sizes are in device-independent pixels; the window is laid out for 1366×768
laptops and works up to 1920×1200 screens. :data:`TOUCH_STYLESHEET` is laid
over it on the main window in the touch (tablet) layout: every control a
gloved finger must hit is at least :data:`FINGER_PX` tall.
"""
from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

TOUCH_PX = 40  # minimum height of anything a finger must hit
ROW_PX = 40  # case table row height
ACCENT = "#1b6e4f"  # 绿盾 green
FINGER_PX = 44  # touch layout: minimum height of a control or list row a gloved finger must hit
TOUCH_ROW_PX = 52  # touch layout: case table row height
TOUCH_BAR_PX = 60  # touch layout: height of the bottom bar's pane buttons

STYLESHEET = f"""
QWidget {{ font-size: 14px; }}
QMainWindow, QDialog {{ background: #f5f7f6; }}
QToolBar {{ background: #ffffff; border-bottom: 1px solid #d6dcd9; spacing: 6px; padding: 4px; }}
QToolBar QToolButton {{ min-height: {TOUCH_PX}px; padding: 0 10px; border-radius: 6px; }}
QToolBar QToolButton:hover {{ background: #e4efe9; }}
QToolBar QToolButton[popupMode="1"] {{ padding-right: 24px; }}
QToolBar QToolButton::menu-button {{ border: none; border-left: 1px solid #d6dcd9; width: 20px; }}
QPushButton {{ min-height: {TOUCH_PX}px; padding: 0 14px; border: 1px solid #b9c4bf; border-radius: 6px;
              background: #ffffff; }}
QPushButton:hover {{ background: #eef5f1; }}
QPushButton:disabled {{ color: #9aa5a0; background: #f0f2f1; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border-color: {ACCENT}; font-weight: bold; }}
QPushButton[primary="true"]:hover {{ background: #15583f; }}
QPushButton[danger="true"] {{ color: #a32020; border-color: #d8a0a0; }}
QPushButton[primary="true"]:disabled, QPushButton[danger="true"]:disabled {{ color: #9aa5a0; background: #f0f2f1;
              border-color: #d6dcd9; font-weight: normal; }}
QComboBox, QLineEdit, QDoubleSpinBox, QSpinBox, QDateEdit {{ min-height: {TOUCH_PX - 4}px; padding: 0 8px;
              border: 1px solid #b9c4bf; border-radius: 6px; background: #ffffff; }}
QComboBox QAbstractItemView {{ min-width: 160px; }}
QComboBox QAbstractItemView::item {{ min-height: {TOUCH_PX - 4}px; }}
QTableView {{ background: #ffffff; alternate-background-color: #f7faf8; gridline-color: #e3e8e5;
              selection-background-color: #cfe6da; selection-color: #111; border: 1px solid #d6dcd9; }}
QHeaderView::section {{ background: #eef2f0; padding: 6px; border: none; border-right: 1px solid #dde3e0;
              font-weight: bold; }}
QGroupBox {{ background: #ffffff; border: 1px solid #d6dcd9; border-radius: 8px; margin-top: 14px;
              padding: 10px 8px 8px 8px; font-weight: bold; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {ACCENT}; }}
QGroupBox QLabel {{ font-weight: normal; }}
QScrollArea {{ border: none; }}
QTabBar::tab {{ min-height: {TOUCH_PX - 4}px; padding: 0 16px; }}
QTabBar::tab:selected {{ color: {ACCENT}; font-weight: bold; }}
QStatusBar {{ background: #ffffff; border-top: 1px solid #d6dcd9; }}
QStatusBar QLabel {{ padding: 0 6px; }}
QCheckBox {{ min-height: {TOUCH_PX - 8}px; }}
QCheckBox::indicator {{ width: 22px; height: 22px; }}
QListWidget {{ background: #ffffff; border: 1px solid #d6dcd9; border-radius: 6px; }}
QLabel#caseTitle {{ font-size: 20px; font-weight: bold; }}
QLabel#statusChip {{ border-radius: 10px; padding: 3px 10px; font-weight: bold; }}
QLabel#refusal {{ background: #fdecea; color: #8e1b1b; border: 1px solid #f1b0a8; border-radius: 6px;
              padding: 8px; }}
QLabel#notice {{ background: #e8f4ec; color: #1b5e3a; border: 1px solid #a9d3b9; border-radius: 6px;
              padding: 8px; }}
QLabel#muted {{ color: #6b7570; }}
QFrame#demoBanner {{ background: #fff4d6; border-bottom: 1px solid #e8cf8a; }}
QFrame#demoBanner QLabel {{ color: #6b4e00; font-weight: bold; }}
QLabel#firstStepsTitle {{ font-size: 20px; font-weight: bold; color: {ACCENT}; }}
QFrame#geofenceBanner {{ background: #b71c1c; border-radius: 0px; }}
QFrame#geofenceBanner QLabel {{ color: white; font-size: 16px; font-weight: bold; }}
QFrame#geofenceBanner QPushButton {{ background: #ffffff; color: #b71c1c; border: none; }}
"""

TOUCH_STYLESHEET = f"""
QToolBar QToolButton, QPushButton {{ min-height: {FINGER_PX}px; }}
QComboBox, QLineEdit, QDoubleSpinBox, QSpinBox, QDateEdit {{ min-height: {FINGER_PX}px; }}
QComboBox QAbstractItemView::item {{ min-height: {FINGER_PX}px; }}
QTabBar::tab {{ min-height: {FINGER_PX}px; }}
QCheckBox {{ min-height: {FINGER_PX}px; }}
QCheckBox::indicator {{ width: 28px; height: 28px; }}
QMenuBar::item {{ padding: 12px 16px; }}
QMenu::item {{ padding: 12px 28px 12px 16px; }}
QScrollBar:vertical {{ width: 14px; }}
QScrollBar:horizontal {{ height: 14px; }}
QFrame#touchBar {{ background: #ffffff; border-top: 1px solid #d6dcd9; }}
QFrame#touchBar QPushButton {{ min-height: {TOUCH_BAR_PX}px; font-size: 17px; border: none; border-radius: 0; }}
QFrame#touchBar QPushButton:checked {{ color: {ACCENT}; font-weight: bold; background: #e4efe9;
              border-top: 3px solid {ACCENT}; }}
QPushButton#touchBack {{ text-align: left; border: none; background: #ffffff; color: {ACCENT};
              font-size: 16px; border-bottom: 1px solid #d6dcd9; border-radius: 0; }}
"""


def apply_style(app: QApplication) -> None:
    """The Fusion style with the stylesheet above and a CJK-capable UI font."""
    app.setStyle("Fusion")
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "Sans Serif"])
    font.setPointSizeF(10.5)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
