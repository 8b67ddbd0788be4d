"""From what people typed to typed tables: one pandas DataFrame per sheet kind, each row
knowing its file, sheet and Excel row.

Unreadable values are kept as the text typed (never dropped) and reported here; the
rules on readable values are the pandera schemas' job (``schemas.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ctgxl.findings import AVERTISSEMENT, ERREUR, Finding
from ctgxl.reading.reader import ReadWorkbook, SheetTable
from ctgxl.standard import Column, Sheet, Standard, load
from ctgxl.text import deceptive_characters, quote, unmasked
from ctgxl.reading.values import (PARSERS, as_text, has_control_characters, is_empty, is_number, list_lookup,
                                  parse_choice, parse_choices, parse_number, parse_plain_number, parse_text,
                                  parse_value)

BOOK = "_livre"
FILE = "_fichier"
SHEET = "_feuille"
ROW = "_ligne"
BARE_VALUE = "_valeur_nue"
SOURCE_COLUMNS = ("_source_0", "_source_1", "_source_2", "_source_3")
TYPED = "_typed"  # attribute of a ReadWorkbook typed ahead by ``type_book``
META = (BOOK, FILE, SHEET, ROW)


@dataclass
class Tables:
    """Every book's rows of each sheet kind, concatenated, with the books they came from."""

    books: list[ReadWorkbook]
    frames: dict[str, pd.DataFrame]
    findings: list[Finding]

    def cell(self, row: pd.Series | dict, sheet: str, column_id: str) -> str | None:
        table = self.books[int(row[BOOK])].table_titled(row[SHEET], sheet)
        if table is None:
            return None
        position = table.positions.get(column_id)
        if position is None:
            return None
        from ctgxl.findings import cell_ref

        return cell_ref(int(row[ROW]), position)


def _column_parser(column: Column, std: Standard):
    if column.type == "liste":
        lookup = list_lookup(column, std.value_renames(column.list_name))
        return lambda value, col, percent=False: parse_choice(value, col, lookup)
    if column.type == "multiliste":
        lookup = list_lookup(column, std.value_renames(column.list_name))
        return lambda value, col, percent=False: parse_choices(value, col, lookup)
    return PARSERS[column.type]


def _is_list(column: Column) -> bool:
    return column.type in ("liste", "multiliste")


class ListParsers(dict):
    """The parsers of list columns (and their lookups), made once per call and kept from one
    table to the next; the lists come from ``standard``."""

    def __init__(self, standard: Standard | None = None):
        super().__init__()
        self.standard = standard or load()


def type_book(book: ReadWorkbook, parsers: ListParsers) -> None:
    """Type every table of a book now and keep the result in it for ``build_tables`` (which
    then sets the book's index): lets the processes that read books type them as well."""
    book.__dict__[TYPED] = [_typed_columns(None, book, table, parsers) for _, table in book.all_tables()]


def _typed_columns(book_index: int | None, book: ReadWorkbook, table: SheetTable,
                   parsers: ListParsers) -> tuple[dict[str, list], list[Finding]]:
    """The rows of one sheet as typed columns (lists), with the findings of values that could
    not be read (BOOK is None when ``book_index`` is).
    ``parsers`` keeps the parsers of list columns (and their lookups) from one table to the next."""
    spec = table.spec
    findings: list[Finding] = []
    count = len(table.rows)
    data: dict[str, list] = {}
    columns = list(spec.columns) + [column for column in table.columns if column.is_year]
    percent_rows: dict[str, set[int]] = {}
    for index, column_id in table.percent:
        percent_rows.setdefault(column_id, set()).add(index)
    keys = set(spec.key)
    for column in columns:
        raw = table.values.get(column.id)
        if raw is None:
            data[column.id] = [None] * count
            continue
        if column.id in keys:
            _deceptive_keys(book, table, column, raw, findings)
        if not column.default and PARSERS.get(column.type) is parse_text:
            texts = _plain_texts(raw)
            if texts is not None:
                data[column.id] = texts
                continue
        is_list = _is_list(column)
        if is_list:  # the lookup of a list is made once per build
            key = (column.type, column.list_name, column.allowed)
            parse = parsers.get(key)
            if parse is None:
                parse = parsers[key] = _column_parser(column, parsers.standard)
        else:
            parse = PARSERS[column.type]
        percent = percent_rows.get(column.id, ())
        # List cells repeat a handful of values: each distinct text is looked up once.
        known: dict[str, tuple] = {}
        parsed: list = []
        # A number typed as a number is read as it is (what parse_plain_number and parse_value do
        # with it, outside a percent cell): the commonest cell of a numeric column.
        numbers = parse in (parse_plain_number, parse_value)
        for index, value in enumerate(raw):
            kind = value.__class__
            if numbers and (kind is int or (kind is float and math.isfinite(value))) and index not in percent:
                if not -HUGE < value < HUGE:
                    findings.append(_finding(book, table, index, column, *_huge(value)))
                parsed.append(value)
                continue
            if is_empty(value):
                if column.default:
                    parsed.append(column.default)
                    findings.append(_finding(book, table, index, column, "valeur-par-defaut", AVERTISSEMENT,
                                             f"« {column.header} » est vide : lu comme « {column.default} ». "
                                             "Choisissez la valeur dans la liste."))
                else:
                    parsed.append(None)
                continue
            if not is_list:
                result, problem = parse(value, column, index in percent)
                if problem is None and is_number(result) and not -HUGE < result < HUGE:
                    problem = _huge(value)
            elif value.__class__ is str:
                outcome = known.get(value)
                if outcome is None:
                    outcome = known[value] = _parse_list_value(parse, value, column)
                result, problem = outcome
            else:
                result, problem = parse(value, column)
            parsed.append(result)
            # List values outside the list are reported by the schema, with the allowed values.
            if problem and problem[0] != "valeur-hors-liste":
                findings.append(_finding(book, table, index, column, *problem))
        data[column.id] = parsed
    if "valeur" in data and "valeur" in table.values:
        # A bare number: typed without a % sign (a number, or text such as "0,5") and not in a
        # cell with a percent format.
        data[BARE_VALUE] = [
            (index, "valeur") not in table.percent and not isinstance(value, bool)
            and (isinstance(value, (int, float)) or (isinstance(value, str) and parse_number(value) != (None, "")
                                                     and parse_number(value)[1] == ""))
            for index, value in enumerate(table.values["valeur"])
        ]
    for label, _ in table.extra:
        data[f"+{label}"] = table.values[f"+{label}"]
    for source in SOURCE_COLUMNS:
        if source in table.values:
            data[source] = table.values[source]
    data[BOOK] = None if book_index is None else [book_index] * count
    data[FILE] = [book.name] * count
    data[SHEET] = [table.title] * count
    data[ROW] = table.rows
    return data, findings


# Far beyond any count or amount of a CTG (a million billion): a slip of the keyboard or a formula.
HUGE = 1e15


def _huge(value: object) -> tuple[str, str, str]:
    shown = as_text(value) if isinstance(value, str) else f"{value:.6G}"  # as Excel shows it: 1E+308
    return ("nombre-demesure", ERREUR,
            f"{quote(shown)} est un nombre démesuré (au-delà d'un million de milliards) : sans doute une faute de "
            "frappe ou une formule qui s'emballe. Tapez la valeur voulue.")


def _parse_list_value(parse, value: str, column: Column) -> tuple:
    """A list value; one holding an invisible or look-alike character is read as it looks, and
    the character named (the value otherwise reads as a different one, or as outside the list)."""
    found = deceptive_characters(value, spaces=False)
    if not found:
        return parse(value, column)
    result, problem = parse(unmasked(value), column)
    if problem is None:
        return result, ("caractere-trompeur", AVERTISSEMENT,
                        f"{quote(value)} contient {_listed(found)} : la valeur est lue comme « {result} ». "
                        "Retapez-la au clavier ou choisissez-la dans la liste.")
    return parse(value, column)[0], ("caractere-trompeur", ERREUR,
                                     f"{quote(value)} contient {_listed(found)}, et n'est pas dans la liste de la "
                                     f"colonne « {column.header} ». Retapez-la au clavier ou choisissez-la dans "
                                     "la liste.")


def _deceptive_keys(book: ReadWorkbook, table: SheetTable, column: Column, raw: list,
                    findings: list[Finding]) -> None:
    """Key cells (N° action, indicator…) holding a character that does not show or looks like
    another: « PE-1 » with a zero-width space, or with a Cyrillic « Р », is not the action PE-1.
    (No-break spaces are not counted: keys are compared with spaces folded.) An error in an
    identifier; a warning in a free text, where another alphabet may be meant."""
    severity = ERREUR if column.type == "identifiant" else AVERTISSEMENT
    for index, value in enumerate(raw):
        if value.__class__ is not str or value.isascii():
            continue
        found = deceptive_characters(value, spaces=False)
        if found:
            findings.append(_finding(book, table, index, column, "caractere-trompeur", severity,
                                     f"{quote(value)} contient {_listed(found)} : à l'écran elle se confond avec "
                                     f"« {unmasked(value).strip()} », mais c'est une autre valeur pour ctgxl comme "
                                     "pour Excel. Retapez-la au clavier."))


def _listed(found: list[str]) -> str:
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " et " + found[-1]


def _plain_texts(raw: list) -> list | None:
    """What parse_text makes of each cell, when every cell is text without control characters
    or empty (the usual case): the texts, stripped, and None for empty cells. None otherwise,
    for the cell-by-cell path."""
    for value in raw:
        if value is not None and value.__class__ is not str:
            return None
    if has_control_characters("\n".join(value for value in raw if value is not None)):
        return None
    return [None if value is None else (value.strip() or None) for value in raw]


def _finding(book: ReadWorkbook, table: SheetTable, index: int, column: Column, code: str, severity: str,
             message: str) -> Finding:
    return Finding(book.name, table.title, table.cell(index, column.id), table.rows[index], column.header, code,
                   severity, message)


def build_tables(books: list[ReadWorkbook], standard: Standard | None = None) -> Tables:
    parts: dict[str, list[dict[str, list]]] = {}
    findings: list[Finding] = []
    parsers = ListParsers(standard)
    for index, book in enumerate(books):
        # Typed beforehand by the process that read the book (check.read_all), if it was one.
        typed = book.__dict__.pop(TYPED, None) or []
        for position, (name, table) in enumerate(book.all_tables()):
            data, problems = typed[position] if position < len(typed) else _typed_columns(index, book, table, parsers)
            data[BOOK] = [index] * len(table.rows)
            parts.setdefault(name, []).append(data)
            findings.extend(problems)
    merged = {name: _concatenate(datas) for name, datas in parts.items()}
    return Tables(books=books, frames=merged, findings=findings)


def _concatenate(parts: list[dict[str, list]]) -> pd.DataFrame:
    """One frame from the columns of several tables, as ``pd.concat(ignore_index=True)`` of
    their frames makes it (columns in order of first appearance, NaN where a table lacks
    one), built at once: a frame per table would cost more than its rows."""
    if len(parts) == 1:
        return pd.DataFrame(parts[0], dtype=object)
    columns: dict[str, list] = {}
    for name in dict.fromkeys(name for part in parts for name in part):
        values: list = []
        for part in parts:
            column = part.get(name)
            values.extend(column if column is not None else [np.nan] * len(part[ROW]))
        columns[name] = values
    return pd.DataFrame(columns, dtype=object)


def data_columns(spec: Sheet, frame: pd.DataFrame) -> list[str]:
    """Standard column ids, then year columns in order, as present in the frame."""
    years = sorted((name for name in frame.columns if name.isdigit()), key=int)
    return [column.id for column in spec.columns] + years


def year_span(columns) -> range | None:
    """The years from the first to the last year column (ids such as "2024"), if any."""
    years = [int(column) for column in columns if column.isdigit()]
    return range(min(years), max(years) + 1) if years else None


def extra_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if name.startswith("+")]
