"""Values as people type them: French numbers, percents, dates, list spellings.

Each parser takes a raw cell value and returns ``(value, problem)`` where ``problem`` is
``None`` or ``(code, severity, message)``. A value that cannot be read is kept as the
text that was typed, so that nothing is lost on the way to a merged or reformatted file.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

from ctgxl.findings import AVERTISSEMENT, ERREUR
from ctgxl.standard import Column
from ctgxl.text import closest, fold, quote

SECRET_MARKERS = {"<5": "<5", "< 5": "<5", "s": "s", "secret": "secret"}
_SPACES_IN_NUMBERS = str.maketrans("", "", " \u00a0\u202f\u2009\u2007\u2008\u200a'")
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"})
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?")
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
_DATE_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_YEAR = re.compile(r"\d{4}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_POSTCODE = re.compile(r"\d{5}")
_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_SIREN = re.compile(r"\d{9}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Split, then strip: `\s*[;\n]\s*` would rescan a run of spaces from each of its positions.
_LIST_SEPARATORS = re.compile(r"[;\n]")
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_FIRST_DATE = date(1900, 1, 1)  # Excel stores no earlier date
# Excel counts a 29/02/1900 (serial 60) that never was: serials below 61 are one day off the calendar.
EXCEL_LEAP_BUG = date(1900, 3, 1)


def is_number(value: object) -> bool:
    """An int or a float as a cell holds it (a boolean is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value: object) -> str:
    """Cell value as text: whole floats without `.0`, dates as jj/mm/aaaa."""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def parse_number(value: object) -> tuple[float | None, str]:
    """A number from a cell, with the unit sign typed after it (`%`, `‰`, `€` or "").

    Returns ``(None, "")`` when the value is not a number.
    """
    if isinstance(value, bool):
        return None, ""
    if isinstance(value, (int, float)):
        return (None, "") if isinstance(value, float) and not math.isfinite(value) else (value, "")
    if not isinstance(value, str):
        return None, ""
    text = value.strip().translate(_MINUSES)
    sign = ""
    for unit in ("%", "‰", "€", "EUR", "euros", "euro"):
        if text.casefold().endswith(unit.casefold()):
            text, sign = text[: -len(unit)].rstrip(), unit if unit in "%‰" else "€"
            break
    if text.startswith("€"):
        text, sign = text[1:].lstrip(), "€"
    text = text.translate(_SPACES_IN_NUMBERS)
    if _THOUSANDS_DOT.fullmatch(text):
        text = text.replace(".", "")
    text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text.lower()):
        return None, ""
    number = float(text)
    if not math.isfinite(number):
        return None, ""
    return (int(number) if number.is_integer() and abs(number) < 2**53 else number), sign


def _unreadable_number(value: object, column: Column) -> tuple[object, tuple]:
    return as_text(value), (
        "nombre-illisible",
        ERREUR,
        f"{quote(as_text(value))} n'est pas un nombre lisible : écrivez par exemple 1234 ou 12,5.",
    )


def parse_plain_number(value: object, column: Column, percent: bool = False):
    number, _ = parse_number(value)
    if number is None:
        return _unreadable_number(value, column)
    if percent:
        number = _whole(number * 100)
    return number, None


def parse_value(value: object, column: Column, percent: bool = False):
    """Valeur territoire: a number, or a statistical-secrecy marker kept as typed."""
    if isinstance(value, str):
        marker = SECRET_MARKERS.get(value.strip().casefold())
        if marker:
            return marker, None
    return parse_plain_number(value, column, percent)


def parse_integer(value: object, column: Column, percent: bool = False):
    number, _ = parse_number(value)
    if number is None:
        return _unreadable_number(value, column)
    if not float(number).is_integer():
        return number, (
            "nombre-non-entier",
            ERREUR,
            f"{quote(as_text(value))} n'est pas un nombre entier : écrivez un nombre sans décimales.",
        )
    return int(number), None


def _whole(number: float) -> float | int:
    number = round(number, 10)
    return int(number) if float(number).is_integer() else number


def parse_year(value: object, column: Column, percent: bool = False):
    if isinstance(value, (datetime, date)):
        return value.year, None
    number, _ = parse_number(value)
    if number is None or not float(number).is_integer() or not 1900 <= number <= 2200:
        return as_text(value), (
            "annee-invalide",
            ERREUR,
            f"{quote(as_text(value))} n'est pas une année : écrivez l'année sur 4 chiffres, par exemple 2024.",
        )
    return int(number), None  # a year of data later than next year: checks.Rules.data_years


def parse_date(value: object, column: Column, percent: bool = False):
    parsed, problem = _parse_date(value, column)
    if problem is None and isinstance(parsed, date) and EXCEL_FIRST_DATE <= parsed < EXCEL_LEAP_BUG:
        # A cell formatted as a date holding 60 is read as 28/02/1900 (no 29th): Excel shows 29/02/1900.
        ambiguous = isinstance(value, date) and parsed == date(1900, 2, 28)
        shown = "28/02/1900 (ou du 29/02/1900 dans Excel)" if ambiguous else as_text(parsed)
        return as_text(parsed), (
            "date-illisible",
            ERREUR,
            f"La cellule affiche la date du {shown}, des premiers jours qu'Excel sait compter : "
            "sans doute un petit nombre lu comme une date. Tapez la date voulue (jj/mm/aaaa).",
        )
    if problem is None and isinstance(parsed, date) and parsed < EXCEL_FIRST_DATE:
        return as_text(value), (
            "date-illisible",
            ERREUR,
            f"{quote(as_text(value))} est une date antérieure à 1900, qu'Excel ne sait pas enregistrer : "
            "vérifiez l'année (jj/mm/aaaa, par exemple 01/01/2024).",
        )
    return parsed, problem


def _parse_date(value: object, column: Column):
    if isinstance(value, (date, datetime)) and (year := _typed_year(value)):
        return (date(year, 12, 31) if column.end_of_period else date(year, 1, 1)), None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, timedelta):
        return as_text(value), _bad_date(value)
    number, _ = parse_number(value) if not isinstance(value, str) or _YEAR.fullmatch(value.strip()) else (None, "")
    if number is not None:
        if float(number).is_integer() and 1900 <= number <= 2200:
            year = int(number)
            return (date(year, 12, 31) if column.end_of_period else date(year, 1, 1)), None
        if 60 <= number < 61:  # the 29/02/1900 Excel shows, which no calendar has
            return "29/02/1900", (
                "date-illisible",
                ERREUR,
                f"{quote(as_text(value))} est, pour Excel, le 29/02/1900 : une date qui n'existe pas (Excel "
                "compte à tort 1900 comme bissextile). Tapez la date voulue (jj/mm/aaaa).",
            )
        if 1 <= number < 60:
            return (EXCEL_EPOCH + timedelta(days=float(number) + 1)).date(), None
        if 61 <= number < 2958466:
            return (EXCEL_EPOCH + timedelta(days=float(number))).date(), None
        return as_text(value), _bad_date(value)
    text = as_text(value)
    try:
        if match := _DATE_FR.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            year = year + 2000 if year < 100 else year
            return date(year, month, day), None
        if match := _DATE_ISO.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day), None
    except ValueError:
        pass
    return text, _bad_date(value)


def _typed_year(value: date) -> int | None:
    """The year typed into a date cell: Excel and Calc store « 2023 » typed there as the day
    number 2023, shown as 15/07/1905. Days 1900 to 2200 (March 1905 to January 1906) are read
    as that year."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    days = (moment - EXCEL_EPOCH).total_seconds() / 86400
    return int(days) if days.is_integer() and 1900 <= days <= 2200 else None


def _bad_date(value: object) -> tuple:
    return (
        "date-illisible",
        ERREUR,
        f"{quote(as_text(value))} n'est pas une date lisible : écrivez-la sous la forme jj/mm/aaaa, par exemple 01/01/2024.",
    )


def list_lookup(column: Column, renames: dict[str, str] | None = None) -> dict[str, str]:
    """Folded spelling -> canonical value, older spellings included."""
    lookup = {fold(value): value for value in column.allowed}
    for old, new in (renames or {}).items():
        lookup.setdefault(fold(old), new)
    return lookup


def _out_of_list(text: str, column: Column) -> tuple:
    suggestion = closest(text, column.allowed)
    hint = f" Vouliez-vous dire « {suggestion} » ?" if suggestion else ""
    allowed = ", ".join(column.allowed)
    return (
        "valeur-hors-liste",
        ERREUR,
        f"{quote(text)} n'est pas dans la liste de la colonne « {column.header} ».{hint} Valeurs admises : {allowed}.",
    )


def parse_choice(value: object, column: Column, lookup: dict[str, str]):
    text = as_text(value)
    canonical = lookup.get(fold(text))
    if canonical is None:
        return text, _out_of_list(text, column)
    return canonical, None


def parse_choices(value: object, column: Column, lookup: dict[str, str]):
    parts = split_names(value)
    canonical, problem = [], None
    for part in parts:
        found = lookup.get(fold(part))
        if found is None and problem is None:
            problem = _out_of_list(part, column)
        canonical.append(found or part)
    return "; ".join(dict.fromkeys(canonical)), problem


def split_names(value: object) -> list[str]:
    return [part for piece in _LIST_SEPARATORS.split(as_text(value)) if (part := piece.strip())]


def parse_names(value: object, column: Column, percent: bool = False):
    return "; ".join(split_names(value)), None


def has_control_characters(text: str) -> bool:
    """Whether parse_text would remove something from this text."""
    return _CONTROL.search(text) is not None


def parse_text(value: object, column: Column, percent: bool = False):
    if percent and is_number(value):  # « 25 % » typed in a text column (Cible) keeps its meaning
        return f"{as_text(_whole(value * 100)).replace('.', ',')} %", None
    text = as_text(value)
    if _CONTROL.search(text):
        cleaned = _CONTROL.sub("", text)
        return cleaned, (
            "caractere-invalide",
            AVERTISSEMENT,
            f"Le texte {quote(cleaned)} contenait des caractères de contrôle invisibles, qui ont été retirés.",
        )
    return text, None


def parse_postcode(value: object, column: Column, percent: bool = False):
    text = as_text(value)
    if is_number(value) and 1000 <= value < 10000:
        text = f"{int(value):05d}"  # Excel drops the leading zero of 01000
    if not _POSTCODE.fullmatch(text):
        return text, (
            "code-postal-invalide",
            ERREUR,
            f"{quote(text)} n'est pas un code postal : écrivez ses 5 chiffres, par exemple 93440.",
        )
    return text, None


def parse_email(value: object, column: Column, percent: bool = False):
    text = as_text(value)
    if not _EMAIL.fullmatch(text):
        return text, (
            "courriel-invalide",
            AVERTISSEMENT,
            f"{quote(text)} ne ressemble pas à une adresse électronique (prenom.nom@exemple.fr).",
        )
    return text, None


def parse_identifier(value: object, column: Column, percent: bool = False):
    return as_text(value), None


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def territory_code_problem(code: str, territory_type: str | None) -> str | None:
    """A French sentence saying what is wrong with an INSEE or SIREN code, or None."""
    if territory_type == "Commune":
        if not _INSEE.fullmatch(code):
            return f"{quote(code)} n'est pas un code INSEE de commune : 5 caractères, par exemple 93030 (ou 2A004 en Corse)."
        return None
    if not _SIREN.fullmatch(code):
        if _INSEE.fullmatch(code) and territory_type != "EPCI":
            return None
        return f"{quote(code)} n'est pas un numéro SIREN : 9 chiffres, par exemple 200054781."
    if not luhn_ok(code):
        return f"Le numéro SIREN {quote(code)} a une clé de contrôle fausse : vérifiez les 9 chiffres."
    return None


def parse_territory_code(value: object, column: Column, percent: bool = False):
    text = as_text(value).replace(" ", "").upper()
    if is_number(value) and 1000 <= value < 10000:
        text = f"{int(value):05d}"
    return text, None


PARSERS = {
    "texte": parse_text,
    "commune": parse_text,
    "communes": parse_names,
    "nombre": parse_plain_number,
    "entier": parse_integer,
    "valeur": parse_value,
    "annee": parse_year,
    "annee_suivi": parse_plain_number,
    "date": parse_date,
    "code_postal": parse_postcode,
    "courriel": parse_email,
    "identifiant": parse_identifier,
    "code_territoire": parse_territory_code,
}
