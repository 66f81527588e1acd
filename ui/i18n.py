"""UI language: Chinese source strings, English from ``resources/i18n/lvdun_en.qm``.

Widgets wrap their strings in ``self.tr()`` (context: the class name) or
:func:`translate`. :func:`set_language` installs or removes the English
translator at run time; the main window then rebuilds its panels. Core
error messages carry both languages (:class:`inspector.errors.InspectorError`)
and :func:`core_message` picks the one matching the UI.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QTranslator

from inspector.errors import InspectorError
from inspector.resources import resource_path

LANGUAGES = ("zh", "en")
_state: dict[str, object] = {"language": "zh", "translator": None}


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def translation_file(language: str) -> str:
    return str(resource_path("i18n", f"lvdun_{language}.qm"))


def current_language() -> str:
    return str(_state["language"])


def set_language(language: str) -> bool:
    """Switch the UI language ("zh" or "en"); returns False if the translation is missing."""
    app = QCoreApplication.instance()
    language = language if language in LANGUAGES else "zh"
    old = _state["translator"]
    if isinstance(old, QTranslator) and app is not None:
        app.removeTranslator(old)
    _state["translator"] = None
    ok = True
    if language != "zh":
        translator = QTranslator(app)
        ok = translator.load(translation_file(language))
        if ok and app is not None:
            app.installTranslator(translator)
            _state["translator"] = translator
    _state["language"] = language if ok else "zh"
    # The core's own messages (CLI-style texts from inspector.i18n.pick) follow the UI.
    os.environ["INSPECTOR_LANG"] = str(_state["language"])
    return ok


def core_message(exc: InspectorError) -> str:
    return exc.en if current_language() == "en" else exc.zh
