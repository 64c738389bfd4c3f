"""The hunspell library itself (Debian's libhunspell, the spell checker LibreOffice and Firefox use),
called through ctypes: it reads a dictionary in a fraction of a second and answers a word in
microseconds, where the pure-Python port (spylls) took 8 s per dictionary and 12 times as long per
word. Every `lederbot index build` and every ingesting test paid that."""

from __future__ import annotations

import codecs
import ctypes
import ctypes.util
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# Debian's libhunspell-1.7-0; find_library finds it under its link name when the -dev package is there.
_LIBRARY_NAMES = ("libhunspell-1.7.so.0", ctypes.util.find_library("hunspell-1.7") or "", "libhunspell.so")


class Dictionary:
    """One hunspell dictionary (``.aff`` + ``.dic``): does it accept a word, inflections and compounds
    included. One object serves a whole process; a lock keeps one thread in it at a time (hunspell
    keeps state in its handle while it checks a word).

    Raises OSError when the files are not a usable dictionary: hunspell itself takes a missing or empty
    file for an empty dictionary, which would reject every word and pass for a loaded one."""

    def __init__(self, library: ctypes.CDLL, stem: Path) -> None:
        self._lib = library
        self._lock = threading.Lock()
        aff, dic = (os.fsencode(stem.with_suffix(suffix)) for suffix in (".aff", ".dic"))
        if not all(os.path.isfile(path) for path in (aff, dic)):
            raise OSError(f"no hunspell dictionary at {stem}")
        self._handle = library.Hunspell_create(aff, dic)
        # The dictionary says how its words are written (Debian's nb_NO and nn_NO: ISO 8859-1).
        self._encoding = (library.Hunspell_get_dic_encoding(self._handle) or b"UTF-8").decode("ascii")
        try:
            codecs.lookup(self._encoding)
        except LookupError as exc:
            raise OSError(f"{stem}: an encoding Python does not know ({self._encoding})") from exc
        if not self.lookup("og"):  # «and» in both written standards: a dictionary without it is broken
            raise OSError(f"{stem} is empty or unreadable")

    def lookup(self, word: str) -> bool:
        if not word or "\0" in word:
            return False  # C would read an empty word as accepted and stop at a NUL
        try:
            raw = word.encode(self._encoding)
        except UnicodeEncodeError:
            return False  # a letter the dictionary's alphabet does not have: not one of its words
        with self._lock:
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
