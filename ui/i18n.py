"""UI language: Chinese source strings, English from ``resources/i18n/lvdun_en.qm``.

Widgets wrap their strings in ``self.tr()`` (context: the class name) or
:func:`translate`. :func:`set_language` installs or removes the English
translator at run time; the main window then rebuilds its panels. In Chinese
it installs Qt's own ``qtbase_zh_CN`` catalogue instead, so the standard
buttons and dialogs Qt draws (确定 / 取消 / 关闭, file dialogs) speak Chinese
too. Core
error messages carry both languages (:class:`inspector.errors.InspectorError`)
and :func:`core_message` picks the one matching the UI.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from inspector.errors import InspectorError, Message
from inspector.resources import resource_path

LANGUAGES = ("zh", "en")
QT_CATALOGUES = {"zh": "qtbase_zh_CN"}  # Qt's own strings; Qt's source strings are already English
_state: dict[str, object] = {"language": "zh", "translators": []}


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def translation_file(language: str) -> str:
    return str(resource_path("i18n", f"lvdun_{language}.qm"))


def current_language() -> str:
    return str(_state["language"])


def _translator(app: QCoreApplication | None, path: str) -> QTranslator | None:
    translator = QTranslator(app)
    if not translator.load(path):
        return None
    if app is not None:
        app.installTranslator(translator)
    return translator


def set_language(language: str) -> bool:
    """Switch the UI language ("zh" or "en"); returns False if the translation is missing."""
    app = QCoreApplication.instance()
    language = language if language in LANGUAGES else "zh"
    for old in _state["translators"]:  # type: ignore[attr-defined]
        if app is not None:
            app.removeTranslator(old)
    translators = []
    ok = True
    if language != "zh":
        ours = _translator(app, translation_file(language))
        ok = ours is not None
        translators.append(ours)
    language = language if ok else "zh"
    if language in QT_CATALOGUES:  # missing from a trimmed Qt: Qt's strings stay English, nothing else changes
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translators.append(_translator(app, os.path.join(qt_dir, QT_CATALOGUES[language] + ".qm")))
    _state["translators"] = [t for t in translators if t is not None]
    _state["language"] = language
    # The core's own messages (CLI-style texts from inspector.i18n.pick) follow the UI.
    os.environ["INSPECTOR_LANG"] = language
    return ok


def core_message(item: InspectorError | Message) -> str:
    """A core error's (or message's) text in the UI language."""
    message = item.message if isinstance(item, InspectorError) else item
    return message.in_language(current_language())
