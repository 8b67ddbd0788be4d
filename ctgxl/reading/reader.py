"""Reads workbooks as people fill them: finds the standard sheets and their header rows,
and returns each data row with the cells it came from. The cells themselves come from
``ctgxl.reading.grids``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path


from ctgxl.reading.grids import REPORT_SHEETS, Broken, TooLarge, file_sha256, load_grids
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding, cell_ref
from ctgxl.limits import Limits
from ctgxl.reading.safety import UnreadableFile, sparse_message
from ctgxl.standard import DATA_SHEETS, IDENTIFICATION, Column, Sheet, Standard, header_index, load, year_column
from ctgxl.text import fold
from ctgxl.reading.values import as_text, is_empty
from ctgxl.names import LISTS, PROPERTY_COMMAND, PROPERTY_KIND, PROPERTY_VERSION, PROVENANCE

HEADER_SEARCH_ROWS = 20
_YEAR_HEADER = re.compile(r"(19|20|21)\d\d")
_SHEET_ALIASES = {
    fold("Plan d'action"): "Plan d'actions",
    fold("Plan des actions"): "Plan d'actions",
    fold("Fiches actions"): "Plan d'actions",
    fold("Equipement"): "Équipements",
    fold("Liste des équipements"): "Équipements",
    fold("Suivi"): "Suivi des indicateurs",
    fold("Indicateurs"): "Suivi des indicateurs",
    fold("Diagnostic partagé"): "Diagnostic",
}
_PROVENANCE_IDS = {fold(header): f"_source_{index}" for index, header in enumerate(PROVENANCE)}


@dataclass
class SheetTable:
    """One recognised data sheet: where its header is, and its rows as typed by people."""

    spec: Sheet
    title: str
    header_row: int
    positions: dict[str, int]
    columns: tuple[Column, ...]
    extra: list[tuple[str, int]]
    rows: list[int]
    values: dict[str, list]
    percent: set[tuple[int, str]] = field(default_factory=set)
    # Non-empty rows above the header (titles, notes), as (Excel row, cells).
    preamble: list[tuple[int, list]] = field(default_factory=list)

    def cell(self, index: int, column_id: str) -> str | None:
        position = self.positions.get(column_id)
        return cell_ref(self.rows[index], position) if position is not None else None


@dataclass
class ReadWorkbook:
    path: Path
    name: str
    readable: bool = True
    kind: str | None = None
    version: int | None = None
    identification: dict[str, object] = field(default_factory=dict)
    identification_cells: dict[str, str] = field(default_factory=dict)
    identification_title: str = IDENTIFICATION
    tables: dict[str, SheetTable] = field(default_factory=dict)
    # Further sheets of a kind already in ``tables`` (« Plan d'actions (2) »): read, and merged with it.
    more_tables: list[SheetTable] = field(default_factory=list)
    # Sheets outside the standard, kept cell by cell so that `format` loses nothing.
    others: dict[str, list[list]] = field(default_factory=dict)
    # Identification rows whose label is not a standard field, as (label, value).
    identification_extra: list[tuple[str, object]] = field(default_factory=list)
    old_headers: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sha256: str = ""
    written_by: str | None = None  # the ctgxl command that wrote the file, as it records it
    # Standard sheets present but not read (too large, damaged): what depends on them is not judged.
    unread: set[str] = field(default_factory=set)
    # Where the file was found, relative to the folder named (see files.source_names).
    source: str = ""

    @property
    def source_name(self) -> str:
        """The file as the Sources sheet and the provenance columns name it."""
        return self.source or Path(self.name).name

    def finding(self, sheet, cell, row, column, code, severity, message) -> None:
        self.findings.append(Finding(self.name, sheet, cell, row, column, code, severity, message))

    def all_tables(self) -> list[tuple[str, SheetTable]]:
        """(standard sheet name, table) of every sheet read, further sheets of a kind included."""
        return list(self.tables.items()) + [(table.spec.name, table) for table in self.more_tables]

    def table_titled(self, title: str, sheet: str) -> SheetTable | None:
        """The table read from the sheet titled ``title`` (of kind ``sheet``)."""
        table = self.tables.get(sheet)
        if table is None or table.title == title:
            return table
        return next((more for more in self.more_tables if more.title == title), table)

    @property
    def contributor(self) -> str:
        return as_text(self.identification.get("service") or "") or Path(self.name).stem


def read_workbook(path: Path, name: str | None = None, limits: Limits | None = None,
                  standard: Standard | None = None) -> ReadWorkbook:
    """Read one file. Never raises for a bad file: problems become findings."""
    path = Path(path)
    book = ReadWorkbook(path=path, name=name or str(path))
    limits = limits or Limits()
    try:
        book.sha256 = file_sha256(path, limits)
        grids, hidden, record, formats, notes = load_grids(path, limits)
        book.written_by = record.get(PROPERTY_COMMAND) or None
    except UnreadableFile as problem:
        book.readable = False
        book.finding(None, None, None, None, problem.code, ERREUR, problem.message)
        return book
    for code, severity, message in notes:
        book.finding(None, None, None, None, code, severity, message)
    _recognise(book, grids, hidden, record, formats, limits, standard or load())
    return book


# --- Recognising sheets ----------------------------------------------------------------

def _recognise(book: ReadWorkbook, grids, hidden, record, formats, limits: Limits, std: Standard) -> None:
    book.kind = record.get(PROPERTY_KIND) or None
    try:
        book.version = int(record.get(PROPERTY_VERSION, "")) if record.get(PROPERTY_VERSION) else None
    except ValueError:
        book.version = None
    claimed: dict[str, str] = {}
    # Sheets named as in the standard are placed before sheets recognised by their headers only.
    ordered = sorted(grids.items(), key=lambda item: _sheet_by_name(item[0], std) is None)
    for title, grid in ordered:
        if (title == LISTS or fold(title) in REPORT_SHEETS) and record:
            continue  # ctgxl's own sheets; in a file ctgxl did not write, a sheet of that name is kept
        if isinstance(grid, TooLarge) and grid.filled is not None:
            book.finding(title, None, None, None, "feuille-trop-grande", ERREUR,
                         sparse_message(title, (grid.height, grid.width), grid.filled))
            continue
        if isinstance(grid, TooLarge):
            book.unread.add(_sheet_by_name(title, std) or title)
            book.finding(title, None, None, None, "feuille-trop-grande", ERREUR,
                         f"La feuille « {title} » a des valeurs jusqu'à la ligne {grid.height} et la colonne "
                         f"{grid.width}, au-delà de ce qui est lu ({limits.max_rows} lignes, {limits.max_columns} "
                         "colonnes) : elle n'a pas été lue. Supprimez les lignes et colonnes inutiles, ou "
                         "copiez le tableau dans une feuille neuve.")
            continue
        if isinstance(grid, Broken):
            book.unread.add(_sheet_by_name(title, std) or title)
            book.finding(title, None, None, None, "fichier-illisible", ERREUR,
                         f"La feuille « {title} » est endommagée et n'a pas pu être lue ({grid.reason}) : "
                         "copiez son contenu dans une feuille neuve, ou enregistrez le classeur de nouveau "
                         "en .xlsx depuis Excel ou LibreOffice.")
            continue
        name = _sheet_by_name(title, std)
        if name == IDENTIFICATION or (name is None and _looks_like_identification(grid, std)):
            if IDENTIFICATION not in claimed:
                claimed[IDENTIFICATION] = title
                _read_identification(book, title, grid, std)
            continue
        header = _find_header(grid, std, name)
        if header is None:
            if any(any(not is_empty(value) for value in row) for row in grid):
                book.others[title] = grid
                _long_texts(book, title, grid)
            if name:
                book.finding(title, None, None, None, "feuille-sans-entete", ERREUR,
                             f"La feuille « {title} » n'a pas de ligne d'en-têtes reconnaissable : "
                             "recopiez les en-têtes du modèle au-dessus des lignes.")
            elif (partial := _partial_header(grid, std)) is not None:
                kind, row_number, headers = partial
                book.finding(title, None, row_number + 1, None, "feuille-non-reconnue", AVERTISSEMENT,
                             f"La feuille « {title} » a des en-têtes du standard en ligne {row_number + 1} "
                             f"({', '.join(f'« {text} »' for text in headers)}) mais trop peu pour être lue comme "
                             f"« {kind} » : ses lignes ne sont ni contrôlées ni fusionnées. Renommez la feuille "
                             f"« {kind} » ou reprenez les en-têtes du modèle.")
            continue
        sheet_name, header_row = header
        if title in hidden:
            book.finding(title, None, None, None, "feuille-masquee", AVERTISSEMENT,
                         f"La feuille « {title} » est masquée ; elle a été lue quand même.")
        if sheet_name in claimed:
            book.finding(title, None, None, None, "feuille-supplementaire", INFORMATION,
                         f"La feuille « {title} » est une autre feuille « {sheet_name} » (la première est "
                         f"« {claimed[sheet_name]} ») : ses lignes sont lues et fusionnées avec les siennes.")
            book.more_tables.append(_read_table(book, std.sheet(sheet_name), title, grid, header_row,
                                                formats.get(title, {})))
            continue
        claimed[sheet_name] = title
        book.tables[sheet_name] = _read_table(book, std.sheet(sheet_name), title, grid, header_row,
                                              formats.get(title, {}), std)
    found = [title for title in grids if not ((title == LISTS or fold(title) in REPORT_SHEETS) and record)]
    if found and all(isinstance(grids[title], (TooLarge, Broken)) for title in found):
        book.readable = False  # no sheet at all could be read: the file is as good as unreadable
    elif not claimed and not book.unread:
        book.finding(None, None, None, None, "aucune-feuille-reconnue", ERREUR,
                     f"{_sheets_found(found)} — peut-être pas le bon fichier. Un classeur CTG a les feuilles "
                     "Identification, Diagnostic, Enjeux, Équipements, Plan d'actions ou Suivi des indicateurs, "
                     "avec leurs en-têtes : partez du modèle CTG ou recopiez ses en-têtes.")
    if book.version is None and book.old_headers:
        book.version = _version_of_headers(book.old_headers, std)
    if book.version is not None and book.version < std.version:
        book.finding(None, None, None, None, "version-ancienne", INFORMATION,
                     f"Ce classeur suit la version {book.version} du standard (actuelle : {std.version}) ; "
                     "il a été lu avec les anciens noms. « ctgxl format » le met à jour.")
    if book.kind is None and book.tables:
        book.kind = std.template_for_sheets(set(book.tables) | ({IDENTIFICATION} if IDENTIFICATION in claimed else set()))


def _sheets_found(titles: list[str]) -> str:
    """« Ce classeur contient les feuilles « Budget 2024 », « Feuil2 » ; aucune n'est… »"""
    if not titles:
        return "Ce classeur ne contient aucune feuille"
    named = ", ".join(f"« {title} »" for title in titles[:8]) + (f" et {len(titles) - 8} autres" if len(titles) > 8 else "")
    if len(titles) == 1:
        return f"Ce classeur contient la feuille {named}, qui n'est pas une feuille du modèle CTG"
    return f"Ce classeur contient les feuilles {named} ; aucune n'est une feuille du modèle CTG"


def _version_of_headers(headers: list[str], std) -> int | None:
    """The newest older version whose renamed headers this workbook still uses."""
    folded = {fold(header) for header in headers}
    for version in sorted(std.history, reverse=True):
        for pairs in std.history[version].get("entetes", {}).values():
            if folded & {fold(old) for old in pairs}:
                return version
    return None


def _sheet_by_name(title: str, std) -> str | None:
    folded = fold(title)
    for name in std.sheets:
        if fold(name) == folded:
            return name
    return _SHEET_ALIASES.get(folded)


def _looks_like_identification(grid: list[list], std) -> bool:
    labels = {fold(column.header) for column in std.sheet(IDENTIFICATION).columns}
    found = sum(1 for row in grid[:40] if row and isinstance(row[0], str) and fold(row[0]) in labels)
    return found >= 3


def _header_score(row: list, index: dict[str, str], needed: int = 0) -> int:
    """How many distinct standard columns the row names. With ``needed``, stops as soon as
    the row cannot reach it (the result is then below ``needed`` but not exact): long data
    texts, tried last, are then seldom folded."""
    texts = sorted((value for value in row if isinstance(value, str) and value.strip()), key=len)
    if len(texts) < needed:
        return len(texts)
    seen: set[str] = set()
    for remaining, value in zip(range(len(texts) - 1, -1, -1), texts):  # remaining: texts still to try
        column_id = index.get(fold(value))
        if column_id is not None:
            seen.add(column_id)
        if len(seen) + remaining < needed:
            break
    return len(seen)


def _find_header(grid: list[list], std, name: str | None) -> tuple[str, int] | None:
    """(sheet name, 0-based header row): the best header in the first rows, else the first row
    further down that names enough standard columns (titles and notes may fill many rows)."""
    candidates = [name] if name else list(DATA_SHEETS)
    floors = {sheet_name: _floor(std.sheet(sheet_name), bool(name)) for sheet_name in candidates}
    best: tuple[int, str, int] | None = None
    for sheet_name in candidates:
        index = header_index(std.sheet(sheet_name), std)
        for row_number, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            # Enough columns, and more than the best row so far.
            needed = floors[sheet_name] if best is None else max(floors[sheet_name], best[0] + 1)
            score = _header_score(row, index, needed)
            if score >= needed:
                best = (score, sheet_name, row_number)
    if best is None:
        far = _first_header_row(grid, std, floors, HEADER_SEARCH_ROWS)
        return None if far is None else (far[0], far[1])
    return best[1], best[2]


def _floor(spec: Sheet, named: bool) -> int:
    """How many standard headers make a header row: 2 in a sheet named as in the standard,
    half the mandatory columns otherwise."""
    mandatory = sum(1 for column in spec.columns if column.mandatory)
    return 2 if named else max(2, (mandatory + 1) // 2)


def _first_header_row(grid: list[list], std, floors: dict[str, int], start: int) -> tuple[str, int, int] | None:
    """(sheet name, 0-based row, score) of the first row from ``start`` naming at least its floor of
    standard columns. Linear in the cells, and no fold per cell (too slow on a long sheet): the
    header spellings are looked up as typed, in lower case (``_quick_headers``)."""
    quick = _quick_headers(std, tuple(floors))
    least = min(floors.values())
    for row_number in range(start, len(grid)):
        named: dict[str, set[str]] = {}
        for value in grid[row_number]:
            if value.__class__ is str and len(value) <= _HEADER_LENGTH:
                for sheet_name, column_id in quick.get(value.strip().casefold(), ()):
                    named.setdefault(sheet_name, set()).add(column_id)
        if sum(map(len, named.values())) < least:
            continue
        scores = [(len(named.get(sheet_name, ())), sheet_name) for sheet_name in floors]
        score, sheet_name = max(scores, key=lambda pair: pair[0] - floors[pair[1]])
        if score >= floors[sheet_name]:
            return sheet_name, row_number, score
    return None


def _quick_headers(std, sheets: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """Header spelling -> (sheet, column id): the folded spellings (ANNEE DE DEBUT), and those
    of the templates in lower case, with or without accents and the ` *` of mandatory columns."""
    quick: dict[str, list[tuple[str, str]]] = {}
    for sheet_name in sheets:
        spec = std.sheet(sheet_name)
        spellings = list(header_index(spec, std).items())
        for column in spec.columns:
            for text in (column.header, *column.aliases):
                lowered = text.casefold()
                spellings += [(lowered, column.id), (f"{lowered} *", column.id),
                              (lowered.replace("'", "’"), column.id)]
        for spelling, column_id in spellings:
            if (sheet_name, column_id) not in quick.setdefault(spelling, []):
                quick[spelling].append((sheet_name, column_id))
    return quick


def _partial_header(grid: list[list], std) -> tuple[str, int, list[str]] | None:
    """(sheet name, 0-based row, headers typed) of the first row naming two standard columns of
    one sheet, in a sheet not recognised: too few to read it, enough to say it was not read."""
    found = _first_header_row(grid, std, {sheet_name: 2 for sheet_name in DATA_SHEETS}, 0)
    if found is None:
        return None
    sheet_name, row_number, _ = found
    index = header_index(std.sheet(sheet_name), std)
    headers = [value.strip() for value in grid[row_number] if isinstance(value, str) and fold(value) in index]
    return sheet_name, row_number, list(dict.fromkeys(headers))


_IDENTIFICATION_HEADINGS = {fold("Champ"), fold("Valeur"), fold("Aide"), ""}


def _read_identification(book: ReadWorkbook, title: str, grid: list[list], std) -> None:
    book.identification_title = title
    index = header_index(std.sheet(IDENTIFICATION), std)
    for row_number, row in enumerate(grid[:60]):
        if not row or not isinstance(row[0], str):
            continue
        field_id = index.get(fold(row[0]))
        if field_id is None and row_number > 0 and fold(row[0]) not in _IDENTIFICATION_HEADINGS:
            value = row[1] if len(row) > 1 else ""
            book.identification_extra.append((row[0].strip(), None if is_empty(value) else value))
        if field_id and field_id not in book.identification:
            value = row[1] if len(row) > 1 else ""
            book.identification[field_id] = None if is_empty(value) else value
            book.identification_cells[field_id] = cell_ref(row_number + 1, 1)
            _long_text(book, title, row_number + 1, 1, value)


# Excel keeps at most this many characters in a cell; longer texts are cut when written.
EXCEL_TEXT_LIMIT = 32_767


def _long_text(book: ReadWorkbook, title: str, row: int, position: int, value: object) -> None:
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        book.finding(title, cell_ref(row, position), row, None, "texte-trop-long-excel", AVERTISSEMENT,
                     f"Ce texte compte {len(value)} caractères : Excel n'en garde que {EXCEL_TEXT_LIMIT} par "
                     f"cellule, il sera coupé après le {EXCEL_TEXT_LIMIT}e dans les fichiers écrits par ctgxl. "
                     "Raccourcissez-le ou mettez la suite dans une autre cellule.")


def _long_texts(book: ReadWorkbook, title: str, grid: list[list]) -> None:
    for row_number, row in enumerate(grid, start=1):
        for position, value in enumerate(row):
            _long_text(book, title, row_number, position, value)


def _read_table(book: ReadWorkbook, spec: Sheet, title: str, grid: list[list], header_row: int,
                details: dict, std: Standard | None = None) -> SheetTable:
    std_index = header_index(spec, std)
    current = _current_headers(spec)
    header = grid[header_row]
    positions: dict[str, int] = {}
    columns: list[Column] = []
    extra: list[tuple[str, int]] = []
    width = max((len(row) for row in grid), default=0)
    # Provenance columns are those of a consolidated workbook, which writes all four, last: a column
    # a person named « Contributeur » in their own file (or before the four) is an extra column, kept.
    provenance = {fold(as_text(value)): position for position, value in enumerate(header)
                  if not is_empty(value) and fold(as_text(value)) in _PROVENANCE_IDS}
    if set(provenance) != set(_PROVENANCE_IDS):
        provenance = {}
    for position in range(width):
        raw = header[position] if position < len(header) else ""
        text = as_text(raw) if not is_empty(raw) else ""
        column_id = std_index.get(fold(text)) if text else None
        if column_id is None and spec.year_columns and _YEAR_HEADER.fullmatch(text):
            column_id = text
            columns.append(year_column(spec, int(text)))
        elif column_id is None and provenance.get(fold(text)) == position:
            positions[_PROVENANCE_IDS[fold(text)]] = position
            continue
        elif column_id is not None:
            if fold(text) not in current:
                book.old_headers.append(text)
            if column_id in positions:
                book.finding(title, cell_ref(header_row + 1, position), header_row + 1, text, "colonne-en-double",
                             AVERTISSEMENT, f"La colonne « {text} » figure deux fois ; la seconde est gardée "
                             "comme colonne hors standard.")
                extra.append((f"{text} (2)", position))
                continue
            columns.append(spec.column(column_id))
        else:
            if not text and not any(position < len(row) and not is_empty(row[position]) for row in grid[header_row + 1:]):
                continue
            label = text or f"Colonne {cell_ref(1, position)[:-1]}"
            extra.append((label, position))
            book.finding(title, cell_ref(header_row + 1, position), header_row + 1, label, "colonne-inconnue",
                         INFORMATION, f"La colonne « {label} » ne fait pas partie du standard : elle est conservée "
                         "telle quelle.")
            continue
        positions[column_id] = position
    # A workbook of an older version is not told it lacks the columns added since.
    newer = (std or load()).added_since(spec.name, book.version) if book.version is not None else set()
    for column in spec.columns:
        if column.id not in positions and column.header not in newer:
            if column.mandatory:
                book.finding(title, cell_ref(header_row + 1, 0), header_row + 1, column.header, "colonne-manquante",
                             ERREUR, f"La colonne obligatoire « {column.header} » est absente de la feuille "
                             f"« {title} » : ajoutez-la avec cet en-tête.")
            else:
                book.finding(title, None, header_row + 1, column.header, "colonne-absente", INFORMATION,
                             f"La colonne facultative « {column.header} » est absente de la feuille « {title} ».")
    wanted = list(positions.items()) + [(f"+{label}", position) for label, position in extra]
    rows: list[int] = []
    values: dict[str, list] = {key: [] for key, _ in wanted}
    uncached = details.get("uncached", set())
    percent_cells = details.get("percent", set())
    percent: set[tuple[int, str]] = set()
    known = set(std_index.values())
    standard = [(column_id, position) for column_id, position in positions.items() if column_id in known]
    keys = [key for key, _ in wanted]
    places = [position for _, position in wanted]
    outputs = [values[key] for key in keys]
    reach = max(places, default=-1) + 1
    errors = details.get("errors", {})
    typed_errors = details.get("typed_errors", set())
    details_here = bool(uncached or percent_cells or errors)
    kept = None if uncached or errors else _plain_rows(grid, header_row, places, reach, standard, std_index)
    plain = None if kept is None else _plain_columns(grid, kept, places)
    if plain is not None:
        # No repeated header, no formula without its value, no text too long for Excel: nothing to
        # report cell by cell, so the table is built column by column (several times faster).
        for output, column in zip(outputs, plain):
            output.extend(column)
        rows.extend(number + 1 for number in kept)
        if percent_cells:
            index_of = {number + 1: index for index, number in enumerate(kept)}
            for line, position in percent_cells:
                if line in index_of:
                    percent.update((index_of[line], key) for key, place in zip(keys, places) if place == position)
    else:
        for row_number, row, cells in _filled_rows(grid, header_row, places, reach):
            if _repeats_header(row, standard, std_index):
                book.finding(title, None, row_number + 1, None, "entete-repetee", AVERTISSEMENT,
                             f"La ligne {row_number + 1} répète la ligne d'en-têtes (ligne {header_row + 1}) : "
                             "elle est ignorée.")
                continue
            index = len(rows)
            rows.append(row_number + 1)
            for key, position, output, value in zip(keys, places, outputs, cells):
                if isinstance(value, str):
                    value = value.strip() or None
                if details_here:
                    if value is None and (row_number + 1, position) in uncached:
                        book.finding(title, cell_ref(row_number + 1, position), row_number + 1, None,
                                     "formule-sans-valeur", AVERTISSEMENT,
                                     "Cette cellule contient une formule dont la valeur n'a pas été calculée : ouvrez "
                                     "et enregistrez le fichier dans Excel ou LibreOffice.")
                    if value is None and (row_number + 1, position) in errors:
                        value = errors[(row_number + 1, position)]  # kept as shown, never as empty
                        _error_value(book, title, row_number + 1, position, value,
                                     formula=(row_number + 1, position) not in typed_errors)
                    if (row_number + 1, position) in percent_cells:
                        percent.add((index, key))
                if isinstance(value, str):
                    if len(value) > EXCEL_TEXT_LIMIT:
                        _long_text(book, title, row_number + 1, position, value)
                    elif is_error_text(value) and (row_number + 1, position) not in errors:
                        _error_value(book, title, row_number + 1, position, value, formula=False)
                output.append(value)
    preamble = [(number + 1, list(grid[number])) for number in range(header_row)
                if any(not is_empty(value) for value in grid[number])]
    return SheetTable(spec=spec, title=title, header_row=header_row + 1, positions=positions,
                      columns=tuple(columns), extra=extra, rows=rows, values=values, percent=percent,
                      preamble=preamble)


# What a cell shows when its formula fails, in Excel (also typed as constants) and LibreOffice.
ERROR_TEXTS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                         "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"))
_LIBREOFFICE_ERROR = re.compile(r"Err:\d{3}")


def is_error_text(text: str) -> bool:
    """Whether a text is an error value as a spreadsheet shows it (#N/A, #REF!, Err:502…)."""
    if len(text) > 16 or not text:
        return False
    text = text.strip().upper()
    return text in ERROR_TEXTS or _LIBREOFFICE_ERROR.fullmatch(text) is not None


def _error_value(book: ReadWorkbook, title: str, row: int, position: int, shown: str, formula: bool) -> None:
    how = ("le résultat d'une formule en erreur : corrigez la formule ou tapez la valeur" if formula else
           "une valeur d'erreur tapée ou collée à la place d'une valeur : tapez la valeur, ou videz la cellule")
    book.finding(title, cell_ref(row, position), row, None, "valeur-en-erreur", ERREUR,
                 f"La cellule affiche « {shown.strip()} », {how}.")


def _cells(row: list, places: list[int], reach: int) -> list:
    """The cells of a row at these positions ("" past its end)."""
    if len(row) >= reach:
        return [row[position] for position in places]
    return [row[position] if position < len(row) else "" for position in places]


def _plain_rows(grid: list[list], header_row: int, places: list[int], reach: int,
                standard: list[tuple[str, int]], std_index: dict[str, str]) -> list[int] | None:
    """The data rows (0-based) holding something, or None when one repeats the header row
    (the row-by-row path of _read_table reports it)."""
    kept = []
    for row_number, row, _cells_read in _filled_rows(grid, header_row, places, reach):
        if _repeats_header(row, standard, std_index):
            return None
        kept.append(row_number)
    return kept


def _filled_rows(grid: list[list], header_row: int, places: list[int], reach: int):
    """(row number 0-based, row, its cells at ``places``) of each row below the header that
    holds something in the columns read."""
    for row_number in range(header_row + 1, len(grid)):
        row = grid[row_number]
        cells = _cells(row, places, reach)
        if not _blank(cells):
            yield row_number, row, cells


def _plain_columns(grid: list[list], kept: list[int], places: list[int]) -> list[list] | None:
    """The cells of the kept rows, column by column, texts stripped and empty ones None; None
    when a text is longer than Excel keeps (the row-by-row path of _read_table reports it)."""
    rows = [grid[number] for number in kept]
    columns = []
    for position in places:
        column = [row[position] if position < len(row) else "" for row in rows]
        column = [(value.strip() or None) if isinstance(value, str) else value for value in column]
        texts = [value for value in column if isinstance(value, str)]
        if max(map(len, texts), default=0) > EXCEL_TEXT_LIMIT or any(map(is_error_text, texts)):
            return None
        columns.append(column)
    return columns


def _blank(cells: list) -> bool:
    """Whether every cell is empty (``is_empty``), in one pass without a call per cell."""
    for value in cells:
        if value is None:
            continue
        if isinstance(value, str):
            if value and not value.isspace():
                return False
        elif not (isinstance(value, float) and value != value):  # NaN is empty
            return False
    return True


def _repeats_header(row: list, standard: list[tuple[str, int]], std_index: dict[str, str]) -> bool:
    """Whether a data row is the header row again (two header rows, or headers pasted again
    above a second block of rows): most standard columns hold their own header."""
    if len(standard) < 2:
        return False
    needed = max(2, (len(standard) + 1) // 2)
    misses = len(standard) - needed  # cells that may fail before the row cannot be a header
    same = 0
    cells: list[tuple[object, str]] = []
    later: list[tuple[object, str]] = []
    for column_id, position in standard:
        value = row[position] if position < len(row) else None
        # long texts last: they cost the most to fold, and a header is short
        (later if isinstance(value, str) and len(value) > _HEADER_LENGTH else cells).append((value, column_id))
    for value, column_id in cells + later:
        if isinstance(value, str) and std_index.get(fold(value)) == column_id:
            same += 1
            if same >= needed:
                return True
        else:
            misses -= 1
            if misses < 0:
                return False
    return False


_HEADER_LENGTH = 80  # longer than any header: tried last (any length is still tried if needed)


def _current_headers(spec: Sheet) -> set[str]:
    names = set()
    for column in spec.columns:
        names.add(fold(column.header))
        names.update(fold(alias) for alias in column.aliases)
    return names


def date_or_none(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None
