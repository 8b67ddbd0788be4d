"""From what people typed to typed tables: one pandas DataFrame per sheet kind, each row
knowing its file, sheet and Excel row.

Unreadable values are kept as the text typed (never dropped) and reported here; the
rules on readable values are the pandera schemas' job (``schemas.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ctgxl.findings import AVERTISSEMENT, Finding
from ctgxl.reader import ReadWorkbook, SheetTable
from ctgxl.standard import Column, Sheet, load
from ctgxl.values import PARSERS, is_empty, list_lookup, parse_choice, parse_choices, parse_number

BOOK = "_livre"
FILE = "_fichier"
SHEET = "_feuille"
ROW = "_ligne"
BARE_VALUE = "_valeur_nue"
SOURCE_COLUMNS = ("_source_0", "_source_1", "_source_2", "_source_3")
META = (BOOK, FILE, SHEET, ROW)


@dataclass
class Tables:
    """Every book's rows of each sheet kind, concatenated, with the books they came from."""

    books: list[ReadWorkbook]
    frames: dict[str, pd.DataFrame]
    findings: list[Finding]

    def cell(self, row: pd.Series | dict, sheet: str, column_id: str) -> str | None:
        table = self.books[int(row[BOOK])].tables.get(sheet)
        if table is None:
            return None
        position = table.positions.get(column_id)
        if position is None:
            return None
        from ctgxl.findings import cell_ref

        return cell_ref(int(row[ROW]), position)


def _column_parser(column: Column):
    if column.type == "liste":
        lookup = list_lookup(column, load().value_renames(column.list_name))
        return lambda value, col, percent=False: parse_choice(value, col, lookup)
    if column.type == "multiliste":
        lookup = list_lookup(column, load().value_renames(column.list_name))
        return lambda value, col, percent=False: parse_choices(value, col, lookup)
    return PARSERS[column.type]


def _is_list(column: Column) -> bool:
    return column.type in ("liste", "multiliste")


def typed_frame(book_index: int, book: ReadWorkbook, table: SheetTable) -> tuple[pd.DataFrame, list[Finding]]:
    """The rows of one sheet as typed values, with the findings of values that could not be read."""
    spec = table.spec
    findings: list[Finding] = []
    count = len(table.rows)
    data: dict[str, list] = {}
    columns = list(spec.columns) + [column for column in table.columns if column.is_year]
    for column in columns:
        raw = table.values.get(column.id)
        if raw is None:
            data[column.id] = [None] * count
            continue
        parse = _column_parser(column)
        parsed: list = []
        for index, value in enumerate(raw):
            if is_empty(value):
                if column.default:
                    parsed.append(column.default)
                    findings.append(_finding(book, table, index, column, "valeur-par-defaut", AVERTISSEMENT,
                                             f"« {column.header} » est vide : lu comme « {column.default} ». "
                                             "Choisissez la valeur dans la liste."))
                else:
                    parsed.append(None)
                continue
            percent = (index, column.id) in table.percent
            result, problem = parse(value, column, percent) if not _is_list(column) else parse(value, column)
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
    data[BOOK] = [book_index] * count
    data[FILE] = [book.name] * count
    data[SHEET] = [table.title] * count
    data[ROW] = table.rows
    return pd.DataFrame(data, dtype=object), findings


def _finding(book: ReadWorkbook, table: SheetTable, index: int, column: Column, code: str, severity: str,
             message: str) -> Finding:
    return Finding(book.name, table.title, table.cell(index, column.id), table.rows[index], column.header, code,
                   severity, message)


def build_tables(books: list[ReadWorkbook]) -> Tables:
    frames: dict[str, list[pd.DataFrame]] = {}
    findings: list[Finding] = []
    for index, book in enumerate(books):
        for name, table in book.tables.items():
            frame, problems = typed_frame(index, book, table)
            frames.setdefault(name, []).append(frame)
            findings.extend(problems)
    merged = {name: pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
              for name, parts in frames.items()}
    return Tables(books=books, frames=merged, findings=findings)


def data_columns(spec: Sheet, frame: pd.DataFrame) -> list[str]:
    """Standard column ids, then year columns in order, as present in the frame."""
    years = sorted((name for name in frame.columns if name.isdigit()), key=int)
    return [column.id for column in spec.columns] + years


def extra_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if name.startswith("+")]
