"""Text folding: how headers, list values and names are compared."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})


_NON_ASCII = re.compile("[^\x00-\x7f]+")
_APOSTROPHE = re.compile("[’ʼ‘`´]")


def strip_accents(text: str) -> str:
    """NFKD without the combining marks. Decomposition works character by character and the
    marks it reorders are all removed, so each run of non-ASCII characters is done on its own
    (and remembered): ASCII text is left as it is."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_strip_run, text)


def _strip_run(match: re.Match) -> str:
    return _stripped(match.group())


@lru_cache(maxsize=1 << 12)
def _stripped(run: str) -> str:
    decomposed = unicodedata.normalize("NFKD", run)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(value: object) -> str:
    """Compare key for headers and list values: no case, accents, outer or repeated spaces,
    line breaks, nor a trailing ` *` (the mark of a mandatory header)."""
    return _fold(value if type(value) is str else str(value))


@lru_cache(maxsize=1 << 18)
def _fold(text: str) -> str:
    # Headers, list values and names come back again and again, and the keys of a merge are
    # folded by the checks and then by the merge: the cache saves most of the work.
    if _APOSTROPHE.search(text):
        text = text.translate(_APOSTROPHES)
    text = " ".join(strip_accents(text).casefold().split())  # str.split() and \s: the same spaces
    while text.endswith("*"):
        text = text[:-1].rstrip()
    return text


def plain(text: str) -> str:
    """A text as compared between two versions: same words, spaces and apostrophes aside."""
    return " ".join(text.translate(_APOSTROPHES).split())


def fold_name(value: object) -> str:
    """Compare key for names of structures and communes: also without punctuation."""
    return _fold_name(value if type(value) is str else str(value))


@lru_cache(maxsize=1 << 14)
def _fold_name(text: str) -> str:
    text = _PUNCTUATION.sub(" ", strip_accents(text).casefold())
    return " ".join(text.split())


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
