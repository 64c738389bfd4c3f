"""The hunspell library itself (Debian's libhunspell, the spell checker LibreOffice and Firefox use),
called through ctypes: it reads a dictionary in a fraction of a second and answers a word in
microseconds, where the pure-Python port (spylls) took 8 s per dictionary and 12 times as long per
word. Every `lederbot index build` and every ingesting test paid that."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# Debian's libhunspell-1.7-0; find_library finds it under its link name when the -dev package is there.
_LIBRARY_NAMES = ("libhunspell-1.7.so.0", ctypes.util.find_library("hunspell-1.7") or "", "libhunspell.so")


class Dictionary:
    """One hunspell dictionary (``.aff`` + ``.dic``): does it accept a word, inflections and compounds
    included. Read only after loading, so one object serves a whole process."""

    def __init__(self, library: ctypes.CDLL, stem: Path) -> None:
        self._lib = library
        aff, dic = (os.fsencode(stem.with_suffix(suffix)) for suffix in (".aff", ".dic"))
        self._handle = library.Hunspell_create(aff, dic)
        if not self._handle:
            raise OSError(f"hunspell could not read {stem}")
        # The dictionary says how its words are written (Debian's nb_NO and nn_NO: ISO 8859-1).
        self._encoding = (library.Hunspell_get_dic_encoding(self._handle) or b"UTF-8").decode("ascii")

    def lookup(self, word: str) -> bool:
        try:
            raw = word.encode(self._encoding)
        except (UnicodeEncodeError, LookupError):
            return False  # a letter the dictionary's alphabet does not have: not one of its words
        return bool(self._lib.Hunspell_spell(self._handle, raw))


@lru_cache(maxsize=1)
def library() -> ctypes.CDLL | None:
    """libhunspell, or None when it is not installed (apt-get install libhunspell-1.7-0)."""
    for name in filter(None, _LIBRARY_NAMES):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.Hunspell_create.restype = ctypes.c_void_p
        lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.Hunspell_spell.restype = ctypes.c_int
        lib.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.Hunspell_get_dic_encoding.restype = ctypes.c_char_p
        lib.Hunspell_get_dic_encoding.argtypes = [ctypes.c_void_p]
        return lib
    log.warning("libhunspell is not installed (apt-get install libhunspell-1.7-0): only word frequencies are used")
    return None
