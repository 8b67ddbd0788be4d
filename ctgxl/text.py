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


# --- Characters that deceive the eye ------------------------------------------------------------

# Cyrillic and Greek letters drawn like Latin ones, and the Latin letter each passes for.
_LOOKALIKE_LETTERS = "АВЕКМНОРСТХУаеорсхуіјѕԁӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧοκνρτυ"
_LOOKALIKES = str.maketrans(_LOOKALIKE_LETTERS, "ABEKMHOPCTXYaeopcxyijsdlABEZHIKMNOPTYXoKvptu")
_SPACE_NAMES = {"\u00a0": "un espace insécable", "\u202f": "un espace insécable fine",
                "\u2007": "un espace insécable", "\u200b": "un espace invisible", "\ufeff": "un espace invisible"}


# Format characters (Unicode category Cf: they take no room on screen), no-break spaces, look-alikes.
_SUSPECT = re.compile("[\u00a0\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u2007\u200b-\u200f\u202a-\u202f"
                      "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U0001bca0-\U0001bca3"
                      "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f" + _LOOKALIKE_LETTERS + "]")


def deceptive_characters(text: str, spaces: bool = True) -> list[str]:
    """What in a key or a list value looks like something else, in French words: invisible
    characters, no-break spaces (with ``spaces``), Cyrillic or Greek letters drawn like Latin
    ones. Empty for plain text (and at once for ASCII)."""
    if text.isascii() or _SUSPECT.search(text) is None:
        return []
    found: list[str] = []
    for char in dict.fromkeys(text):
        if char.isascii():
            continue
        code = f"U+{ord(char):04X}"
        name = unicodedata.name(char, "")
        if char in _SPACE_NAMES and (spaces or unicodedata.category(char) == "Cf"):
            found.append(f"{_SPACE_NAMES[char]} ({code})")
        elif unicodedata.category(char) == "Cf":
            found.append(f"un caractère invisible ({code})")
        elif char in _LOOKALIKE_LETTERS:
            script = "cyrillique" if name.startswith("CYRILLIC") else "grecque"
            found.append(f"une lettre {script} « {char} » ({code}) qui ressemble à « {char.translate(_LOOKALIKES)} »")
    return found


def unmasked(text: str) -> str:
    """The text as it looks: invisible characters removed, look-alike letters made Latin."""
    return "".join(char for char in text.translate(_LOOKALIKES) if unicodedata.category(char) != "Cf")


def fr_figure(number: float) -> str:
    """A number as a listing shows it: in French, with a thousands space from 10 000 on (years
    and small counts stay 2025, 1500)."""
    if abs(number) >= 10_000:
        return fr(number)
    return fr(number).replace("\u202f", "")
