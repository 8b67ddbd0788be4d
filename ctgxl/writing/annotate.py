"""`ctgxl check --annoter DIR`: for each checked workbook, a copy of the person's own file
where each finding's cell is coloured and carries a comment with the message, plus a
`Contrôles` sheet listing the findings with links to their cells.

The copy is the user's workbook opened with openpyxl (macros kept for .xlsm), so their
values, formulas, formats and sheets stay as they were; the input is never written.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

from ctgxl.errors import OutputExists
from ctgxl.writing.atomic import atomic_path
from ctgxl.writing.outputs import may_replace
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding
from ctgxl.names import PROPERTY_COMMAND
from ctgxl.writing.writer import HEADER_FILL

ANNOTATABLE = {".xlsx", ".xlsm"}
SUFFIX = "-annote"
SHEET_TITLE = "Contrôles"
AUTHOR = "ctgxl"
COMMAND = "check"
FILLS = {ERREUR: "FF9C9C", AVERTISSEMENT: "FFD966", INFORMATION: "BDD7EE"}
LABELS = {ERREUR: "Erreur", AVERTISSEMENT: "Avertissement", INFORMATION: "Information"}
RANK = {ERREUR: 0, AVERTISSEMENT: 1, INFORMATION: 2}
HEADERS = ("Feuille", "Cellule", "Gravité", "Code", "Colonne", "Message")
WIDTHS = (22, 10, 14, 26, 24, 100)


class CannotAnnotate(Exception):
    """The copy could not be made; the message says why, in French."""


def annotate_all(report, directory: Path, say=None) -> list[Path]:
    """Write one annotated copy per readable .xlsx/.xlsm input into ``directory``.

    Returns the copies written. Files that cannot be annotated (other formats, unreadable or
    damaged files) are skipped with one sentence given to ``say``; nothing raises.
    """
    say = say or (lambda line: None)
    directory = Path(directory)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[finding.file].append(finding)
    inputs = {_resolved(book.path) for book in report.books}
    directory = _own_folder(directory, inputs, say)
    used: set[Path] = set()
    written: list[Path] = []
    for book in report.books:
        source = Path(book.path)
        if not book.readable:
            say(f"Pas de copie annotée pour « {book.name} » : le fichier n'a pas pu être lu.")
            continue
        if source.suffix.lower() not in ANNOTATABLE:
            say(f"Pas de copie annotée pour « {book.name} » : seuls les classeurs .xlsx et .xlsm peuvent être "
                "annotés ; enregistrez-le au format .xlsx pour en avoir une.")
            continue
        target = _target(directory, source, used)
        used.add(_resolved(target))
        if _resolved(target) in inputs:
            say(f"Pas de copie annotée pour « {book.name} » : « {target} » est un des fichiers contrôlés, "
                "il n'est jamais remplacé. Choisissez un autre dossier pour --annoter.")
            continue
        try:
            if may_replace(target, force=False, command=COMMAND):
                say(f"« {target} » remplace la copie annotée précédente.")
        except OutputExists:
            say(f"Pas de copie annotée pour « {book.name} » : « {target} » existe déjà et n'est pas "
                "une copie annotée par ctgxl. Choisissez un autre dossier pour --annoter.")
            continue
        try:
            annotate_book(source, by_file.get(book.name, []), target)
        except CannotAnnotate as problem:
            say(f"Pas de copie annotée pour « {book.name} » : {problem}")
            continue
        lost = _lost_drawings(source, target)
        if lost:
            say(f"La copie annotée de « {book.name} » ne reprend pas {lost} de l'original "
                "(le fichier d'origine, lui, est intact).")
        written.append(target)
        _mark(directory)
    return written


OWN_FOLDER = "copies-annotees"


def _own_folder(directory: Path, inputs: set[Path], say) -> Path:
    """The folder of the copies, apart from the files checked (a sub-folder when ``directory``
    holds some). It is marked (``_mark``) so that a scan of the inputs passes it by: a copy
    sent back corrected is read in place of its original, never beside it."""
    if any(path.is_relative_to(_resolved(directory)) for path in inputs):
        directory = directory / OWN_FOLDER
        say(f"Les copies annotées sont écrites dans « {directory} », à part des fichiers contrôlés.")
    return directory


def _mark(directory: Path) -> None:
    from ctgxl.reading.files import ANNOTATED_MARKER

    marker = directory / ANNOTATED_MARKER
    try:
        if not marker.exists():
            marker.write_text("Copies annotées par « ctgxl check --annoter » : ce dossier n'est pas relu "
                              "avec les fichiers reçus.\n", encoding="utf-8")
    except OSError:
        pass  # a folder that takes the copies but not this mark: the copies are still named -annote


def _drawings(path: Path) -> tuple[int, int]:
    """(images, charts) stored in an .xlsx package."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return 0, 0
    images = sum(1 for name in names if name.startswith("xl/media/"))
    charts = sum(1 for name in names if name.startswith("xl/charts/chart") and name.endswith(".xml"))
    return images, charts


def _lost_drawings(source: Path, target: Path) -> str:
    """What openpyxl could not carry over (images without Pillow, some charts), in words."""
    before, after = _drawings(source), _drawings(target)
    parts = []
    for count, word in ((before[0] - after[0], "image"), (before[1] - after[1], "graphique")):
        if count > 0:
            parts.append(f"{count} {word}{'s' if count > 1 else ''}")
    return " ni ".join(parts)


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path).absolute()


def _target(directory: Path, source: Path, used: set[Path]) -> Path:
    """`<stem>-annote<suffix>`, numbered when two inputs share a name."""
    target = directory / f"{source.stem}{SUFFIX}{source.suffix}"
    number = 2
    while _resolved(target) in used:
        target = directory / f"{source.stem}{SUFFIX}-{number}{source.suffix}"
        number += 1
    return target


def annotate_book(source: Path, findings: list[Finding], target: Path) -> Path:
    """Copy ``source`` to ``target`` with the findings shown on their cells and listed."""
    import openpyxl

    source = Path(source)
    _affordable(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on parts it does not know, in English
            book = openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", rich_text=True,
                                         keep_links=True)
    except Exception as error:  # openpyxl raises many kinds of errors on damaged parts
        raise CannotAnnotate(f"le classeur ne peut pas être recopié ({_short(error)}).") from None
    _mark_cells(book, findings)
    _add_list(book, findings)
    _record(book)
    try:
        with atomic_path(Path(target)) as temporary:
            book.save(temporary)
    except OSError as error:
        raise CannotAnnotate(f"la copie n'a pas pu être écrite ({error.strerror or _short(error)}).") from None
    except Exception as error:
        raise CannotAnnotate(f"la copie n'a pas pu être écrite ({_short(error)}).") from None
    finally:
        book.close()
    return Path(target)


def _affordable(source: Path) -> None:
    """openpyxl loads the whole workbook and makes one object per cell of a merged range or a
    hyperlink: a sheet claiming A1:XFD1048576 would exhaust the machine. Measured first."""
    from ctgxl.limits import Limits
    from ctgxl.reading.safety import UnreadableFile, survey_zip

    limits = Limits()
    try:
        problem = survey_zip(source, limits).openpyxl_problem(limits)
    except UnreadableFile as refused:
        problem = refused.message
    if problem:
        raise CannotAnnotate(f"le classeur ne peut pas être recopié ({problem[0].lower()}{problem[1:].rstrip('.')}).")


def _short(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:120]


# --- Cells ------------------------------------------------------------------------------------

def _mark_cells(book, findings: list[Finding]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.sheet and finding.cell and finding.sheet in book.sheetnames:
            by_cell[(finding.sheet, finding.cell)].append(finding)
    for (title, ref), here in by_cell.items():
        sheet = book[title]
        if not hasattr(sheet, "merged_cells"):
            continue  # a chart sheet
        try:
            cell = _anchor(sheet, ref)
        except ValueError:
            continue
        here = sorted(here, key=lambda finding: RANK.get(finding.severity, 3))
        colour = FILLS.get(here[0].severity, FILLS[INFORMATION])
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        text = "\n".join(f"{LABELS.get(finding.severity, finding.severity)} [{finding.code}] : "
                         f"{_clean(finding.message)}" for finding in here)
        if cell.comment is not None and cell.comment.author != AUTHOR:
            text += f"\n\nCommentaire d'origine ({cell.comment.author or 'sans auteur'}) :\n{cell.comment.text}"
        lines = sum(1 + len(line) // 60 for line in text.splitlines())
        cell.comment = Comment(text, AUTHOR, height=min(600, 20 + 15 * lines), width=380)


def _anchor(sheet, ref: str):
    """The cell to mark: the top-left cell when ``ref`` lies in a merged range."""
    from openpyxl.utils.cell import coordinate_from_string

    column, row = coordinate_from_string(ref)
    cell = sheet[f"{column}{row}"]
    if type(cell).__name__ == "MergedCell":
        for merged in sheet.merged_cells.ranges:
            if ref in merged:
                return sheet.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(text))


# --- The Contrôles sheet ------------------------------------------------------------------------

def _sheet_title(book) -> str:
    taken = {name.casefold() for name in book.sheetnames}
    title, number = SHEET_TITLE, 1
    while title.casefold() in taken:
        number += 1
        title = f"{SHEET_TITLE} ({number})"
    return title


def _add_list(book, findings: list[Finding]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheet = book.create_sheet(_sheet_title(book))
    base = _base_font(book)
    header_fill = PatternFill(fill_type="solid", start_color=HEADER_FILL.lstrip("#"), end_color=HEADER_FILL.lstrip("#"))
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(name=base.name, sz=base.sz, bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    link_font = Font(name=base.name, sz=base.sz, color="0563C1", underline="single")
    line_height = 1.3 * float(base.sz or 11)
    row = 1
    for finding in findings:
        row += 1
        place = finding.cell or (f"ligne {finding.row}" if finding.row else "")
        values = (finding.sheet or "", place, LABELS.get(finding.severity, finding.severity), finding.code,
                  finding.column or "", finding.message)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            _write_text(cell, value)
            cell.alignment = wrap if column == len(values) else top
        location = _location(book, finding)
        if location:
            link = sheet.cell(row=row, column=2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=location,
                                       tooltip=f"Aller à la cellule {finding.sheet}!{_target_ref(finding)}"[:255])
            link.font = link_font
        # Wrapped text does not grow its row by itself in every spreadsheet: give the height.
        lines = sum(1 + len(part) // 110 for part in finding.message.splitlines() or [""])
        sheet.row_dimensions[row].height = round(line_height * lines + 2, 1)
        colour = FILLS.get(finding.severity)
        if colour:
            sheet.cell(row=row, column=3).fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
    if row == 1:
        row = 2
        _write_text(sheet.cell(row=2, column=6), "Aucun constat : ce classeur ne présente ni erreur ni avertissement.")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{row}"
    errors = any(finding.severity == ERREUR for finding in findings)
    sheet.sheet_properties.tabColor = "C00000" if errors else HEADER_FILL.lstrip("#")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = book.sheetnames.index(sheet.title)
    sheet.sheet_view.tabSelected = True


def _base_font(book):
    """The workbook's default font, so that the added sheet looks like the others."""
    from openpyxl.styles import Font

    try:
        font = book._fonts[0]
        return Font(name=font.name or "Calibri", sz=font.sz or 11)
    except (AttributeError, IndexError):
        return Font(name="Calibri", sz=11)


def _write_text(cell, value: str) -> None:
    """Text stays text: openpyxl would store a string starting with "=" as a formula."""
    text = _clean(value)
    cell.value = text
    if isinstance(text, str) and text:
        cell.data_type = "s"


def _target_ref(finding: Finding) -> str | None:
    if finding.cell:
        return finding.cell
    if finding.row:
        return f"A{finding.row}"
    return "A1" if finding.sheet else None


def _location(book, finding: Finding) -> str | None:
    """`'Sheet name'!B5` (quotes doubled inside the name), or None without a sheet."""
    if not finding.sheet or finding.sheet not in book.sheetnames:
        return None
    ref = _target_ref(finding)
    from openpyxl.utils.cell import quote_sheetname

    return f"{quote_sheetname(finding.sheet)}!{ref}"


def _record(book) -> None:
    """Mark the copy as written by `ctgxl check`, so a later run may replace it."""
    from openpyxl.packaging.custom import StringProperty

    properties = book.custom_doc_props
    if PROPERTY_COMMAND in properties.names:
        del properties[PROPERTY_COMMAND]
    properties.append(StringProperty(name=PROPERTY_COMMAND, value=COMMAND))
