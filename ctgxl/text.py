"""Text folding: how headers, list values and names are compared."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})


# Below U+0370 the only combining marks are U+0300-U+036F, less U+034F (combining class 0).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")


def strip_accents(text: str) -> str:
    if text.isascii():  # NFKD leaves ASCII as it is
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    if max(decomposed) < "\u0370":  # Latin text: one regular expression instead of a test per character
        return _LATIN_MARKS.sub("", decomposed)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(value: object) -> str:
    """Compare key for headers and list values: no case, accents, outer or repeated spaces,
    line breaks, nor a trailing ` *` (the mark of a mandatory header)."""
    return _fold(value if type(value) is str else str(value))


@lru_cache(maxsize=1 << 15)
def _fold(text: str) -> str:
    # Headers, list values and names come back again and again: the cache saves most of the work.
    text = strip_accents(text.translate(_APOSTROPHES)).casefold()
    text = _SPACES.sub(" ", text).strip()
    while text.endswith("*"):
        text = text[:-1].rstrip()
    return text


def fold_name(value: object) -> str:
    """Compare key for names of structures and communes: also without punctuation."""
    text = _PUNCTUATION.sub(" ", strip_accents(str(value)).casefold())
    return _SPACES.sub(" ", text).strip()


def closest(value: str, choices: tuple[str, ...]) -> str | None:
    """The allowed value nearest to what was typed, if one is near enough to suggest."""
    import difflib

    folded = {fold(choice): choice for choice in choices}
    match = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def quote(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: « … », shortened when long."""
    text = str(value).replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"« {text} »"


def fr(number: float, decimals: int | None = None) -> str:
    """A number as written in French: decimal comma, narrow no-break space between thousands."""
    if decimals is None:
        text = f"{number:,.6f}".rstrip("0").rstrip(".")
    else:
        text = f"{number:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")
