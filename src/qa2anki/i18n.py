"""The language qa2anki speaks: English, or Chinese (简体中文) from the gettext catalogue.

Messages are written in English in the code and marked with :func:`gettext` (imported as ``_``) or
:func:`ngettext`; ``pybabel extract`` collects them into ``locale/qa2anki.pot`` and the Chinese
translations live in ``locale/zh_CN/LC_MESSAGES/qa2anki.po``. The compiled ``.mo`` is committed beside it
and read by the standard library's :mod:`gettext`, so Babel is needed only to update translations.

The language is process-wide, English until :func:`use` changes it: library functions called from Python
speak English, whatever the locale. The command line chooses the language once per run
(:func:`language_from`: ``--lang``, then ``QA2ANKI_LANG``, then the locale) and puts it back when it ends.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

DOMAIN = "qa2anki"
"""The gettext domain: the catalogue files are ``qa2anki.po`` and ``qa2anki.mo``."""
LOCALE_DIR = Path(__file__).parent / "locale"
"""Where the catalogues are, inside the package (so wheels carry them)."""
LANGUAGES = ("en", "zh")
"""The languages qa2anki speaks; ``en`` is the code's own text."""
CATALOGUES = {"zh": "zh_CN"}
"""The catalogue folder of each translated language."""
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The locale variables that choose the language of messages, first set wins (as POSIX says)."""

_current = "en"


def normalize_language(value: str) -> str:
    """``en`` or ``zh`` for a language or locale name (``zh_CN.UTF-8``, ``zh-TW``, ``C``, ``en_US``, ``fr``):
    every Chinese locale reads the simplified Chinese catalogue, and every other one is English."""
    return "zh" if value.strip().lower().startswith("zh") else "en"


def language_from(option: str | None, environ: Mapping[str, str]) -> str:
    """The language of this run: the ``--lang`` option, else ``QA2ANKI_LANG``, else the locale variables
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``); English when none is set."""
    if option:
        return normalize_language(option)
    for name in ("QA2ANKI_LANG", *LOCALE_VARIABLES):
        if value := environ.get(name):
            return normalize_language(value)
    return "en"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalogue of ``language``; for English (and if a catalogue were missing), the text as written."""
    folder = CATALOGUES.get(language)
    if folder is None:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[folder], fallback=True)


def language() -> str:
    """The language messages are in now."""
    return _current


def use(new: str) -> str:
    """Speak ``new`` (``en`` or ``zh``) from now on; returns the language spoken until now."""
    global _current
    previous, _current = _current, normalize_language(new)
    return previous


@contextmanager
def speaking(new: str) -> Iterator[None]:
    """Speak ``new`` inside the block, and the previous language after it."""
    previous = use(new)
    try:
        yield
    finally:
        use(previous)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count`` things, in the current language."""
    return translations(_current).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it here: it is translated where it is shown."""
    return message
