"""`ctgxl check`: read every workbook, apply the schemas and the rules, gather the findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ctgxl.checking.checks import Rules, check_identification, group_territories
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding
from ctgxl.limits import Limits
from ctgxl.reading.files import workbook_files
from ctgxl.reading.reader import ReadWorkbook, read_workbook
from ctgxl.checking.schemas import validate
from ctgxl.standard import Standard, load
from ctgxl.reading.tables import FILE, ROW, SHEET, Tables, build_tables

SEVERITY_ORDER = {ERREUR: 0, AVERTISSEMENT: 1, INFORMATION: 2}


@dataclass
class Report:
    books: list[ReadWorkbook]
    findings: list[Finding]
    tables: Tables | None = None
    missing: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == ERREUR]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == AVERTISSEMENT]

    @property
    def informations(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == INFORMATION]

    @property
    def unreadable(self) -> bool:
        return bool(self.missing) or any(not book.readable for book in self.books)

    def exit_code(self, strict: bool = False) -> int:
        if self.unreadable:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def cells_read(self, book: ReadWorkbook) -> int:
        return sum(len(table.rows) * len(table.positions) for table in book.tables.values())

    def valid_share(self, book: ReadWorkbook) -> float | None:
        cells = self.cells_read(book)
        if not cells:
            return None
        bad = {(finding.sheet, finding.cell) for finding in self.errors if finding.file == book.name and finding.cell}
        return max(0.0, 1 - len(bad) / cells)

    def counts(self, book_name: str) -> Counter:
        return Counter(finding.code for finding in self.findings if finding.file == book_name
                       and finding.severity != INFORMATION)

    def as_json(self) -> dict:
        return {
            "fichiers": [
                {"fichier": book.name, "modele": book.kind, "version": book.version, "lisible": book.readable}
                for book in self.books
            ] + [{"fichier": finding.file, "modele": None, "version": None, "lisible": False}
                 for finding in self.missing],
            # The JSON contract (CLI.md) carries errors and warnings only.
            "constats": [finding.as_json() for finding in self.findings if finding.severity != INFORMATION],
            "resume": {"erreurs": len(self.errors), "avertissements": len(self.warnings)},
        }


# Above this many files, workbooks are read by one process per core (each file costs a few
# milliseconds; starting the processes costs about as much as reading ten files).
PARALLEL_FILES = 20


def read_all(paths: list[Path], limits: Limits | None = None, progress=None, *, standard: Standard | None = None,
             names: dict[Path, str] | None = None) -> tuple[list[ReadWorkbook], list[Finding]]:
    """Read the workbooks named and those under the folders named. ``names`` gives the name
    shown for a file (an uploaded file read from a temporary copy), else its path."""
    files, missing = workbook_files(paths, limits)
    names = names or {}
    books: list[ReadWorkbook] = []
    if progress:
        progress(0, len(files))
    workers = _workers(len(files))
    if workers > 1:
        books = _read_in_processes(files, limits, workers, progress, standard, names)
    for path in files[len(books):]:
        books.append(read_workbook(path, names.get(path, str(path)), limits, standard))
        if progress:
            progress(1)
    return books, missing


def _workers(files: int) -> int:
    """How many processes read the files: one per core available when there are many files.
    CTGXL_PROCESSUS sets it (1: everything in this process)."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        wanted = int(os.environ.get("CTGXL_PROCESSUS", "0"))
    except ValueError:
        wanted = 0
    if wanted > 0:
        return min(wanted, files)
    return min(cores, 8) if files > PARALLEL_FILES else 1


def _read_one(arguments: tuple[Path, str, Limits | None, Standard | None]) -> ReadWorkbook:
    """In a worker: read the book and type its tables too (see tables.type_book)."""
    from ctgxl.reading.tables import ListParsers, type_book

    path, name, limits, standard = arguments
    book = read_workbook(path, name, limits, standard)
    if book.readable:
        type_book(book, ListParsers(standard))
    return book


def _read_in_processes(files: list[Path], limits: Limits | None, workers: int, progress,
                       standard: Standard | None = None, names: dict[Path, str] | None = None) -> list[ReadWorkbook]:
    """The books of ``files`` in order, read by ``workers`` processes. If a process dies (a
    file that crashes the reader), the books read so far are returned and the rest is read
    in this process, as without processes."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    methods = multiprocessing.get_all_start_methods()
    # fork: the workers start at once with every module already imported.
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") and "fork" in methods else None)
    books: list[ReadWorkbook] = []
    chunk = max(1, min(16, len(files) // (workers * 8)))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = pool.map(_read_one, [(path, (names or {}).get(path, str(path)), limits, standard)
                                           for path in files], chunksize=chunk)
            for book in results:
                books.append(book)
                if progress:
                    progress(1)
    except (BrokenProcessPool, OSError):
        pass
    return books


def check_books(books: list[ReadWorkbook], missing: list[Finding] | None = None, *,
                standard: Standard | None = None) -> Report:
    """All the findings on already read workbooks, checked together as one delivery."""
    std = standard or load()
    findings: list[Finding] = list(missing or [])
    for book in books:
        findings.extend(book.findings)
    readable = [book for book in books if book.readable]
    tables = build_tables(readable, std)
    findings.extend(tables.findings)
    for name, frame in tables.frames.items():
        findings.extend(validate(std.sheet(name), frame, _locator(tables, name)))
    territories, groups = group_territories(readable, std)
    for book in readable:
        findings.extend(check_identification(book, std))
    findings.extend(Rules(tables, territories, groups, std).run())
    findings = sorted(set(findings), key=_order(books, std))
    return Report(books=books, findings=findings, tables=tables, missing=list(missing or []))


def check_paths(paths: list[Path], limits: Limits | None = None, progress=None, *,
                standard: Standard | None = None) -> Report:
    books, missing = read_all(paths, limits, progress, standard=standard)
    return check_books(books, missing, standard=standard)


def _locator(tables: Tables, sheet: str):
    def locate(row, column_id):
        return row[FILE], row[SHEET], tables.cell(row, sheet, column_id), int(row[ROW])

    return locate


def _order(books: list[ReadWorkbook], standard: Standard | None = None):
    position = {book.name: index for index, book in enumerate(books)}
    sheet_order = {name: index for index, name in enumerate((standard or load()).sheets)}

    def key(finding: Finding):
        return (position.get(finding.file, -1), finding.sheet is not None, sheet_order.get(finding.sheet, 99),
                finding.sheet or "", finding.row or 0, _column_number(finding.cell), finding.code,
                finding.message)  # the message last: equal keys would keep the order of a set

    return key


def _column_number(cell: str | None) -> int:
    if not cell:
        return 0
    number = 0
    for char in cell:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number
