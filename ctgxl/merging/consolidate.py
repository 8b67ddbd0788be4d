"""`ctgxl merge`: every service's workbook of one territory into the consolidated workbook
for the Caf. Rows are merged by key; nothing is dropped without a line in `Contrôles`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from ctgxl.checking.check import Report, _order, check_books
from ctgxl.checking.checks import Territory, group_territories, same_value, identification_values
from ctgxl.findings import AVERTISSEMENT, CODES, ERREUR, INFORMATION, Finding
from ctgxl.reading.reader import ReadWorkbook, date_or_none
from ctgxl.standard import DATA_SHEETS, DIAGNOSTIC, EQUIPEMENTS, IDENTIFICATION, Sheet, Standard, load
from ctgxl.reading.tables import BOOK, FILE, ROW, SHEET, SOURCE_COLUMNS, data_columns, extra_columns, year_span
from ctgxl.text import fold, fold_name
from ctgxl.reading.values import as_text, is_number

SECRET = "<5"
CONFLICT_MARK = "Conflit"


@dataclass
class MergedSheet:
    spec: Sheet
    columns: list[str]
    extras: list[str]
    rows: list[list]
    provenance: list[tuple[str, str, str, int]]
    conflicted: set[int] = field(default_factory=set)
    # (file, sheet, row) of every input row -> index of the row that holds it in the output
    landing: dict[tuple[str, str, int], int] = field(default_factory=dict)

    @property
    def years(self) -> range | None:
        return year_span(self.columns)


@dataclass
class MergedBooks:
    """The rows of every data sheet once merged, with what the Synthèse and Sources need."""

    territory: Territory
    contributors: list[str]
    identification: dict[str, object]
    sheets: dict[str, MergedSheet]
    findings: list[Finding]
    books: list[ReadWorkbook]
    secrecy: bool = False
    masked: int = 0
    today: date | None = None  # the consolidation date, shown in Synthèse and Identification


def merge_books(books: list[ReadWorkbook], missing: list[Finding], *, today: date, secrecy: bool = False,
                standard: Standard | None = None) -> tuple[Report, MergedBooks]:
    """Check the books together and merge them; the report gets the merge's findings too.
    Nothing is written here (the writing layer writes the result)."""
    report = check_books(books, missing, standard=standard, today=today)
    merged_books = consolidate(report, secrecy=secrecy, today=today, standard=standard)
    # A row the check already reported as a duplicate needs no second line from the merge.
    checked = {(finding.file, finding.sheet, finding.row) for finding in report.findings
               if finding.code in ("doublon", "doublon-identique")}
    merged = {finding for finding in merged_books.findings
              if not (finding.code in ("conflit", "doublon-fusionne") and
                      (finding.file, finding.sheet, finding.row) in checked)}
    # One sorted list, so that the report groups the merge's findings with the others of their file.
    report.findings = sorted(set(report.findings) | merged, key=_order(books, standard))
    if secrecy:
        report.findings = _mask_secret_findings(report.findings, report.tables, standard)
    return report, merged_books


def consolidate(report: Report, *, today: date, secrecy: bool = False,
                standard: Standard | None = None) -> MergedBooks:
    books = [book for book in report.books if book.readable]
    tables = report.tables
    findings: list[Finding] = []
    std = standard or load()
    territories, groups = group_territories(books, std)
    territory = territories[0] if territories else Territory()
    if len(territories) > 1:
        main_group = max(set(groups), key=groups.count)
        for book, group in zip(books, groups):
            if group != main_group:
                other = territories[group]
                findings.append(Finding(book.name, IDENTIFICATION, book.identification_cells.get("code"), None,
                                        "Code INSEE ou SIREN", "territoire-different", ERREUR,
                                        f"Ce fichier est celui de {other.name or other.code} ({other.code}), pas de "
                                        f"{territories[main_group].name} ({territories[main_group].code}) : "
                                        "retirez-le de la fusion."))
        territory = territories[main_group]
    findings.extend(_reconcile_identification(books, std))
    contributors = list(dict.fromkeys(_contributors(books, tables)))
    sheets: dict[str, MergedSheet] = {}
    for name in DATA_SHEETS:
        frame = tables.frames.get(name) if tables else None
        if frame is None:
            continue
        merged, problems = _merge_sheet(std.sheet(name), frame, books, secrecy)
        sheets[name] = merged
        findings.extend(problems)
    if territory.start and territory.end and "Suivi des indicateurs" in sheets:
        _add_period_years(sheets["Suivi des indicateurs"], territory)
    consolidation = MergedBooks(territory, contributors, _identification(books, territory, contributors, today, std),
                                sheets, findings, books, secrecy, today=today)
    if secrecy and "Diagnostic" in sheets:
        consolidation.masked = _apply_secrecy(sheets["Diagnostic"])
    return consolidation


def _contributors(books: list[ReadWorkbook], tables) -> list[str]:
    names = []
    for book in books:
        names.extend(_sources_of(book, tables) or [book.contributor])
    return names


def _sources_of(book: ReadWorkbook, tables) -> list[str]:
    """Contributors named in the provenance columns of a consolidated input."""
    found: list[str] = []
    if tables is None:
        return found
    index = books_index(tables, book)
    for frame in tables.frames.values():
        if SOURCE_COLUMNS[0] in frame.columns:
            rows = frame[frame[BOOK] == index]
            found.extend(as_text(value) for value in rows[SOURCE_COLUMNS[0]] if value)
    return found


def books_index(tables, book: ReadWorkbook) -> int:
    return next(index for index, candidate in enumerate(tables.books) if candidate is book)


def _reconcile_identification(books: list[ReadWorkbook], std: Standard) -> list[Finding]:
    findings = []
    spec = std.sheet(IDENTIFICATION)
    reference: dict[str, tuple[object, str]] = {}
    for book in books:
        if not book.identification:
            continue
        values = identification_values(book, std)
        for field_id in ("territoire", "type_territoire", "caf", "debut", "fin"):
            value = values.get(field_id)
            if value is None:
                continue
            if field_id not in reference:
                reference[field_id] = (value, book.name)
            elif not same_value(as_text(reference[field_id][0]), as_text(value)):
                header = next(column.header for column in spec.columns if column.id == field_id)
                first, where = reference[field_id]
                findings.append(Finding(book.name, book.identification_title,
                                        book.identification_cells.get(field_id), None, header,
                                        "identification-divergente", AVERTISSEMENT,
                                        f"« {header} » vaut « {as_text(value)} » ici mais « {as_text(first)} » dans "
                                        f"« {where} » : la première valeur est gardée. Harmonisez les fichiers."))
        start, end = date_or_none(values.get("debut")), date_or_none(values.get("fin"))
        first_start = date_or_none(reference.get("debut", (None,))[0])
        first_end = date_or_none(reference.get("fin", (None,))[0])
        if start and end and first_start and first_end and (end < first_start or start > first_end):
            findings.append(Finding(book.name, book.identification_title, book.identification_cells.get("debut"),
                                    None, "Début de la convention", "territoire-different", ERREUR,
                                    f"La convention de ce fichier ({start:%d/%m/%Y} – {end:%d/%m/%Y}) ne recouvre pas "
                                    f"celle des autres fichiers ({first_start:%d/%m/%Y} – {first_end:%d/%m/%Y}) : "
                                    "c'est une autre convention, retirez-le de la fusion."))
    return findings


def _identification(books: list[ReadWorkbook], territory: Territory, contributors: list[str],
                    today: date, std: Standard) -> dict[str, object]:
    merged: dict[str, object] = {}
    for book in books:
        for field_id, value in identification_values(book, std).items():
            if merged.get(field_id) is None and value is not None:
                merged[field_id] = value
    merged["service"] = "; ".join(contributors) or merged.get("service")
    merged["contact"] = None
    merged["courriel"] = None
    merged["mise_a_jour"] = today
    if territory.member_names:
        merged["communes"] = "; ".join(territory.member_names)
    return merged


def _key(spec: Sheet, row: dict) -> tuple | None:
    normalise = spec.name == EQUIPEMENTS
    parts = []
    for column_id in spec.key:
        value = row.get(column_id)
        parts.append("" if value is None else (fold_name(value) if normalise else fold(value)))
    return tuple(parts) if any(parts) else None


def _origin(row: dict, books: list[ReadWorkbook]) -> tuple[str, str, str, int]:
    """(contributor, file, sheet, row) where the row was first typed."""
    if row.get(SOURCE_COLUMNS[1]):
        try:
            line = int(float(row.get(SOURCE_COLUMNS[3]) or 0))
        except (TypeError, ValueError):
            line = 0
        return (as_text(row.get(SOURCE_COLUMNS[0]) or ""), as_text(row[SOURCE_COLUMNS[1]]),
                as_text(row.get(SOURCE_COLUMNS[2]) or ""), line)
    book = books[int(row[BOOK])]
    return book.contributor, book.source_name, row[SHEET], int(row[ROW])


def _merge_sheet(spec: Sheet, frame: pd.DataFrame, books: list[ReadWorkbook],
                 secrecy: bool = False) -> tuple[MergedSheet, list[Finding]]:
    columns = data_columns(spec, frame)
    extras = extra_columns(frame)
    merged = MergedSheet(spec, columns, [name[1:] for name in extras], [], [])
    findings: list[Finding] = []
    kept: dict[tuple, int] = {}
    compare = [column.id for column in spec.columns] + [name for name in columns if name.isdigit()]
    # The rows as tuples of the frame's columns (a dict only for a row met twice): a dict per
    # row would cost more than the merge itself.
    names = list(frame.columns)
    at = {name: position for position, name in enumerate(names)}
    key_at = [at.get(column_id) for column_id in spec.key]
    value_at = [at.get(name) for name in columns] + [at.get(name) for name in extras]
    file_at, sheet_at, row_at, book_at = at[FILE], at[SHEET], at[ROW], at[BOOK]
    sources = SOURCE_COLUMNS[1] in at
    origins: dict[int, tuple[str, str]] = {}
    for record in zip(*(_empty_for_nan(frame[name]) for name in names)):
        key = _key(spec, {column_id: None if position is None else record[position]
                          for column_id, position in zip(spec.key, key_at)})
        place = (record[file_at], record[sheet_at], int(record[row_at]))
        if key is not None and key in kept:
            row = dict(zip(names, record))
            index = kept[key]
            first = merged.rows[index]
            first_values = dict(zip(columns, first))
            origin = merged.provenance[index]
            differences = [(column_id, first_values.get(column_id), row.get(column_id)) for column_id in compare
                           if not same_value(first_values.get(column_id), row.get(column_id))]
            label = " / ".join(as_text(row[column_id]) for column_id in spec.key if row.get(column_id) is not None)
            merged.landing[place] = index
            if not differences:
                findings.append(Finding(row[FILE], row[SHEET], None, int(row[ROW]), None, "doublon-fusionne",
                                        INFORMATION, f"« {label} » figure aussi dans « {origin[1]} » (ligne "
                                        f"{origin[3]}) à l'identique : la ligne est gardée une fois."))
            else:
                def shown(column_id: str, value: object, values: dict) -> str:
                    if secrecy and spec.name == DIAGNOSTIC and column_id == "valeur" \
                            and _small_count(value, values.get("unite")):
                        return SECRET
                    return as_text(value) if value is not None else ""

                detail = "; ".join(f"{_header(spec, column_id)} : « {shown(column_id, a, first_values)} » contre "
                                   f"« {shown(column_id, b, row)} »" for column_id, a, b in differences[:4])
                findings.append(Finding(row[FILE], row[SHEET], None, int(row[ROW]), _header(spec, spec.key[-1]),
                                        "conflit", ERREUR,
                                        f"« {label} » figure aussi dans « {origin[1]} » (ligne {origin[3]}) avec "
                                        f"d'autres valeurs ({detail}). Mettez les fichiers d'accord ; avec "
                                        "--malgre-erreurs, la première version est gardée."))
                merged.conflicted.add(index)
            continue
        values = [None if position is None else record[position] for position in value_at]
        if key is not None:
            kept[key] = len(merged.rows)
        merged.landing[place] = len(merged.rows)
        merged.rows.append(values)
        if sources:
            merged.provenance.append(_origin(dict(zip(names, record)), books))
        else:  # as _origin does for a row without provenance columns, each book's part once
            book_index = int(record[book_at])
            if book_index not in origins:
                book = books[book_index]
                origins[book_index] = (book.contributor, book.source_name)
            contributor, name = origins[book_index]
            merged.provenance.append((contributor, name, record[sheet_at], int(record[row_at])))
    return merged, findings


def _empty_for_nan(column: pd.Series) -> list:
    """The column's values, NaN as None: columns that only some files have (extra columns,
    year columns) are NaN elsewhere, which means empty."""
    values = column.tolist()
    if column.isna().any():  # isna() also sees None: the exact test is below
        values = [None if isinstance(value, float) and value != value else value for value in values]
    return values


def _header(spec: Sheet, column_id: str) -> str:
    return column_id if column_id.isdigit() else spec.column(column_id).header


def _add_period_years(sheet: MergedSheet, territory: Territory) -> None:
    present = [int(column) for column in sheet.columns if column.isdigit()]
    wanted = sorted(set(present) | set(range(territory.start.year, territory.end.year + 1)))
    if wanted == present:
        return
    base = [column for column in sheet.columns if not column.isdigit()]
    new_columns = base + [str(year) for year in wanted]
    positions = {column: index for index, column in enumerate(sheet.columns)}
    extras = len(sheet.extras)
    rows = []
    for values in sheet.rows:
        data = [values[positions[column]] if column in positions else None for column in new_columns]
        rows.append(data + values[len(sheet.columns):len(sheet.columns) + extras])
    sheet.columns = new_columns
    sheet.rows = rows


def _apply_secrecy(sheet: MergedSheet) -> int:
    """Counts strictly between 0 and 5 become `<5` (the Caf's rule on statistical secrecy)."""
    value_at = sheet.columns.index("valeur")
    unit_at = sheet.columns.index("unite")
    masked = 0
    for values in sheet.rows:
        if _small_count(values[value_at], values[unit_at]):
            values[value_at] = SECRET
            masked += 1
    return masked


def _small_count(value: object, unit: object) -> bool:
    return unit == "Nombre" and is_number(value) and 0 < value < 5


def _mask_secret_findings(findings: list[Finding], tables, standard: Standard | None = None) -> list[Finding]:
    """Under statistical secrecy, no message quotes a count of 1 to 4 (they go to Contrôles)."""
    frame = tables.frames.get(DIAGNOSTIC) if tables is not None else None
    if frame is None or frame.empty:
        return findings
    secret = {(file, sheet, int(row)) for file, sheet, row, value, unit
              in zip(frame[FILE], frame[SHEET], frame[ROW], frame["valeur"], frame["unite"])
              if _small_count(value, unit)}
    header = (standard or load()).sheet(DIAGNOSTIC).column("valeur").header
    masked = []
    for finding in findings:
        if finding.column == header and (finding.file, finding.sheet, finding.row) in secret:
            finding = replace(finding, message=f"{CODES[finding.code].title if finding.code in CODES else finding.code} : la valeur, couverte par "
                              "le secret statistique (effectif de 1 à 4), n'est pas reproduite ici.")
        masked.append(finding)
    return masked
