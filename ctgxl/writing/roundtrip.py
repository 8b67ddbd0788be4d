"""`ctgxl split` and `ctgxl format`: what ctgxl reads, it writes back in the current
template without losing a value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ctgxl.checking.checks import identification_values
from ctgxl.errors import NotConsolidated, NothingRecognised, OutputExists, Unreadable
from ctgxl.reading.reader import ReadWorkbook
from ctgxl.standard import DATA_SHEETS, IDENTIFICATION, PLAN, SUIVI, Standard, load
from ctgxl.reading.tables import SOURCE_COLUMNS, Tables, build_tables, data_columns, extra_columns, year_span
from ctgxl.text import fold, strip_accents
from ctgxl.reading.values import as_text
from ctgxl.writing.atomic import is_stream
from ctgxl.writing.outputs import may_replace
from ctgxl.writing.writer import WorkbookWriter, write_value


@dataclass
class FormatResult:
    """What `format` wrote: the template used, the rows per sheet, the sheets kept at the end."""
    output: Path | None  # None when written to a stream
    kind: str
    version: int
    upgraded_from: int | None
    rows: dict[str, int]
    kept_sheets: list[str]


@dataclass
class SplitFile:
    path: Path
    contributor: str
    rows: dict[str, int]


@dataclass
class SplitResult:
    """The workbooks `split` wrote, and those it refused to write over."""
    written: list[SplitFile] = field(default_factory=list)
    refused: list[OutputExists] = field(default_factory=list)


@dataclass
class SheetRows:
    columns: list[str]
    extras: list[str]
    rows: list[list]
    provenance: list[list] | None = None

    @property
    def years(self) -> range | None:
        return year_span(self.columns)


def write_standard(target: Path, kind: str, identification: dict[str, object], sheets: dict[str, SheetRows], *,
                   command: str, others: dict[str, list[list]] | None = None, years: range | None = None,
                   identification_extra: list[tuple[str, object]] = (), standard: Standard | None = None) -> None:
    """A workbook in the current template holding these rows (with extra columns at the right)."""
    std = standard or load()
    names = list(std.templates[kind].sheets)
    writer = WorkbookWriter(target, kind, command=command, standard=std)
    try:
        writer.add_readme(as_text(identification.get("service") or "") or None)
        for name in names:
            if name == IDENTIFICATION:
                writer.add_identification(identification, identification_extra)
                continue
            data = sheets.get(name)
            if data is None:
                writer.add_table(std.sheet(name), [], years=years if name == SUIVI else None)
                continue
            sheet_years = _years(data, years) if name == SUIVI else None
            columns = std.sheet(name).columns_for(sheet_years)
            index = {column: position for position, column in enumerate(data.columns)}
            rows = []
            for position, values in enumerate(data.rows):
                row = [values[index[column.id]] if column.id in index else None for column in columns]
                row += values[len(data.columns):]
                if data.provenance:
                    row += data.provenance[position]
                rows.append(row)
            writer.add_table(std.sheet(name), rows, years=sheet_years, extra_headers=data.extras,
                             provenance=bool(data.provenance))
        for title, grid in (others or {}).items():
            sheet = writer.book.add_worksheet(_free_title(title, writer))
            for row_number, row in enumerate(grid):
                for col, value in enumerate(row):
                    if value not in ("", None):
                        write_value(sheet, row_number, col, value, writer.formats.date if hasattr(value, "year")
                                    else None)
    except BaseException:
        writer.abort()
        raise
    writer.close()


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def _free_title(title: str, writer: WorkbookWriter) -> str:
    """A sheet name Excel accepts (no [ ] : * ? / \\, no apostrophe at either end, at most 31
    characters), different from the sheets already written."""
    title = _SHEET_NAME_FORBIDDEN.sub("_", str(title)).strip().strip("'").strip() or "Feuille"
    if title.casefold() == "history":  # reserved by Excel
        title = f"{title} (2)"
    taken = {sheet.name.casefold() for sheet in writer.book.worksheets()} | {"listes"}
    candidate, number = title[:31], 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = title[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _years(data: SheetRows, period: range | None) -> range | None:
    years = {int(column) for column in data.columns if column.isdigit()}
    if period:
        years |= set(period)
    return range(min(years), max(years) + 1) if years else None


def _period(identification: dict[str, object]) -> range | None:
    start, end = identification.get("debut"), identification.get("fin")
    if hasattr(start, "year") and hasattr(end, "year") and start.year <= end.year:
        return range(start.year, end.year + 1)
    return None


def _sheet_rows(frame: pd.DataFrame, spec_name: str, std: Standard, keep_provenance: bool) -> SheetRows:
    spec = std.sheet(spec_name)
    columns = data_columns(spec, frame)
    extras = extra_columns(frame)
    rows = [list(values) for values in frame[columns + extras].itertuples(index=False, name=None)]
    provenance = None
    if keep_provenance and SOURCE_COLUMNS[1] in frame.columns:
        present = [name for name in SOURCE_COLUMNS]
        provenance = [[row.get(name) for name in present] for row in frame.reindex(columns=present).to_dict("records")]
    return SheetRows(columns, [name[1:] for name in extras], [_clean(row) for row in rows], provenance)


def _clean(values: list) -> list:
    return [None if isinstance(value, float) and value != value else value for value in values]


def _read(source: Path, name: str | None, standard: Standard | None) -> ReadWorkbook:
    """The workbook, read in a capped worker process; Unreadable says why it could not be."""
    from ctgxl.reading.workers import read_one

    book = read_one(source, name or str(source), standard=standard)
    if not book.readable:
        raise Unreadable(book.findings)
    return book


def reformat(source: Path, target, *, name: str | None = None, standard: Standard | None = None) -> FormatResult:
    """Rewrite one filled workbook in the current standard template (``target``: a path or a stream)."""
    std = standard or load()
    book = _read(source, name, std)
    if not book.tables and not book.identification:
        raise NothingRecognised(f"aucune feuille du standard CTG n'a été reconnue dans « {name or source} ».")
    tables = build_tables([book], standard=std)
    present = set(book.tables) | {IDENTIFICATION}
    kind = book.kind if book.kind in std.templates and present <= set(std.templates[book.kind].sheets) \
        else std.template_for_sheets(present)
    identification = identification_values(book)
    sheets = {name: _sheet_rows(frame, name, std, keep_provenance=True) for name, frame in tables.frames.items()}
    kept = _kept_sheets(book)
    write_standard(target, kind, identification, sheets, command="format", others=kept,
                   years=_period(identification), identification_extra=book.identification_extra, standard=std)
    upgraded = book.version if book.version is not None and book.version < std.version else None
    return FormatResult(None if is_stream(target) else Path(target), kind, std.version, upgraded,
                        {name: len(data.rows) for name, data in sheets.items()}, list(kept))


TITLES_SHEET = "Titres d'origine"


def _kept_sheets(book: ReadWorkbook) -> dict[str, list[list]]:
    """Sheets outside the standard, plus the rows that stood above each header (titles,
    notes), so that reformatting loses no value."""
    kept = dict(book.others)
    rows = [[table.title, number, *cells] for _, table in book.all_tables() for number, cells in table.preamble]
    if rows and TITLES_SHEET not in kept:
        kept[TITLES_SHEET] = [["Feuille", "Ligne", "Contenu"], *rows]
    return kept


def slug(text: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", strip_accents(text).casefold()).strip("-")
    return text[:60] or "contributeur"


def split(source: Path, directory: Path, *, force: bool = False, name: str | None = None,
          standard: Standard | None = None) -> SplitResult:
    """One workbook per contributor from a consolidated workbook."""
    from ctgxl.writing.outputs import refuse_input_as_output

    std = standard or load()
    book = _read(source, name, std)
    tables = build_tables([book], standard=std)
    if not any(SOURCE_COLUMNS[0] in frame.columns for frame in tables.frames.values()):
        raise NotConsolidated(f"« {name or source} » n'est pas un classeur consolidé (pas de colonne « Contributeur »"
                              " dans ses feuilles) : rien à redécouper.")
    contacts = _contacts(source)
    base = identification_values(book)
    groups = _by_contributor(tables)
    _add_followed_actions(groups, tables.frames.get(PLAN))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    result = SplitResult()
    used: set[str] = set()
    for contributor, frames in groups.items():
        file_name = slug(contributor)
        while file_name in used:
            file_name += "-bis"
        used.add(file_name)
        target = directory / f"{file_name}.xlsx"
        refuse_input_as_output(target, [source])
        try:
            may_replace(target, force=force, command="split")
        except OutputExists:
            result.refused.append(OutputExists(target, f"« {target} » existe déjà ; ajoutez --force pour le remplacer."))
            continue
        identification = dict(base)
        identification.update({"service": contributor, "contact": None, "courriel": None, "mise_a_jour": None})
        identification.update(contacts.get(contributor, {}))
        sheets = {sheet: _sheet_rows(frame, sheet, std, keep_provenance=False) for sheet, frame in frames.items()}
        kind = std.template_for_sheets(set(sheets) | {IDENTIFICATION})
        write_standard(target, kind, identification, sheets, command="split", years=_period(identification),
                       standard=std)
        result.written.append(SplitFile(target, contributor, {sheet: len(data.rows) for sheet, data in sheets.items()}))
    return result


def _by_contributor(tables: Tables) -> dict[str, dict[str, pd.DataFrame]]:
    groups: dict[str, dict[str, pd.DataFrame]] = {}
    for sheet in DATA_SHEETS:
        frame = tables.frames.get(sheet)
        if frame is None or SOURCE_COLUMNS[0] not in frame.columns:
            continue
        names = frame[SOURCE_COLUMNS[0]].map(lambda value: as_text(value) if value else "Sans contributeur")
        for contributor, part in frame.groupby(names, sort=False):
            groups.setdefault(contributor, {})[sheet] = part
    return groups


def _add_followed_actions(groups: dict[str, dict[str, pd.DataFrame]], plan: pd.DataFrame | None) -> None:
    """A contributor's `Suivi des indicateurs` needs the actions it follows in the same file: an
    action kept under another contributor (the same row sent twice, merged once) is copied in too."""
    if plan is None:
        return
    for frames in groups.values():
        suivi = frames.get(SUIVI)
        if suivi is None:
            continue
        own = frames.get(PLAN)
        known = {fold(value) for value in own["numero"] if value is not None} if own is not None else set()
        wanted = {fold(value) for value in suivi["numero"] if value is not None} - known
        if not wanted:
            continue
        followed = plan[[value is not None and fold(value) in wanted for value in plan["numero"]]]
        if followed.empty:
            continue
        frames[PLAN] = pd.concat([own, followed], ignore_index=True) if own is not None else followed
        for sheet in DATA_SHEETS:  # keep the sheets in the standard's order
            if sheet in frames:
                frames[sheet] = frames.pop(sheet)


def _contacts(source: Path) -> dict[str, dict[str, object]]:
    """Contact, e-mail and update date of each contributor, from the Sources sheet."""
    import python_calamine

    from ctgxl.writing.consolidated import SOURCES

    from ctgxl.limits import Limits
    from ctgxl.reading.safety import survey_zip

    try:
        limits = Limits()
        survey = survey_zip(Path(source), limits)  # a Sources sheet claiming XFD1048576 is not built
        if survey.sheet_parts.get(SOURCES) in survey.too_large(limits):
            return {}
        workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        grid = workbook.get_sheet_by_name(SOURCES).to_python()
    except Exception:
        return {}
    if not grid:
        return {}
    header = [as_text(value) for value in grid[0]]
    wanted = {"Contact": "contact", "Courriel": "courriel", "Date de mise à jour": "mise_a_jour"}
    if "Contributeur" not in header:
        return {}
    found: dict[str, dict[str, object]] = {}
    for row in grid[1:]:
        contributor = as_text(row[header.index("Contributeur")]) if len(row) > header.index("Contributeur") else ""
        if not contributor:
            continue
        found[contributor] = {field_id: (row[header.index(label)] or None) for label, field_id in wanted.items()
                              if label in header and header.index(label) < len(row)}
    return found
