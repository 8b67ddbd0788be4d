"""`ctgxl check`: read every workbook, apply the schemas and the rules, gather the findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ctgxl.checking.checks import Rules, check_identification, group_territories
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding
from ctgxl.limits import Limits
from ctgxl.reading.files import source_names, workbook_files
from ctgxl.reading.reader import ReadWorkbook, read_workbook
from ctgxl.checking.schemas import validate
from ctgxl.standard import PLAN, load
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
    def not_found(self) -> list[Finding]:
        """Names given that were not read (the other ``missing`` say what a folder scan passed by)."""
        return [finding for finding in self.missing if finding.severity == ERREUR]

    @property
    def unreadable(self) -> bool:
        return bool(self.not_found) or any(not book.readable for book in self.books)

    def exit_code(self, strict: bool = False) -> int:
        if self.unreadable:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def cells_read(self, book: ReadWorkbook) -> int:
        return sum(len(table.rows) * len(table.positions) for _, table in book.all_tables())

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
                 for finding in self.not_found],
            # The JSON contract (CLI.md) carries errors and warnings only.
            "constats": [finding.as_json() for finding in self.findings if finding.severity != INFORMATION],
            "resume": {"erreurs": len(self.errors), "avertissements": len(self.warnings)},
        }


# Above this many files, workbooks are read by one process per core (each file costs a few
# milliseconds; starting the processes costs about as much as reading ten files).
PARALLEL_FILES = 20


def read_all(paths: list[Path], limits: Limits | None = None, progress=None) -> tuple[list[ReadWorkbook], list[Finding]]:
    files, missing = workbook_files(paths, limits)
    books: list[ReadWorkbook] = []
    if progress:
        progress(0, len(files))
    workers = _workers(len(files))
    if workers > 1:
        books = _read_in_processes(files, limits, workers, progress)
    for path in files[len(books):]:
        books.append(read_workbook(path, str(path), limits))
        if progress:
            progress(1)
    names = source_names(paths, files)
    for book in books:
        book.source = names.get(book.path, "")
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


_PARSERS: dict = {}  # a worker's list lookups, kept from one file to the next


def _read_one(arguments: tuple[Path, Limits | None]) -> ReadWorkbook:
    """In a worker: read the book and type its tables too (see tables.type_book)."""
    from ctgxl.reading.tables import type_book

    path, limits = arguments
    book = read_workbook(path, str(path), limits)
    if book.readable:
        type_book(book, _PARSERS)
    return book


def _read_in_processes(files: list[Path], limits: Limits | None, workers: int, progress) -> list[ReadWorkbook]:
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
            results = pool.map(_read_one, [(path, limits) for path in files], chunksize=chunk)
            _import_meanwhile("pandera.pandas")  # the workers are started: the checks will need it
            for book in results:
                books.append(book)
                if progress:
                    progress(1)
    except (BrokenProcessPool, OSError):
        pass
    return books


def _import_meanwhile(module: str) -> None:
    """Import a module in a thread while this process waits for its workers (about 0.3 s
    of pandera that would otherwise come after the reading)."""
    import importlib
    import threading

    def load() -> None:
        try:
            importlib.import_module(module)
        except Exception:  # the import is made again where it is needed, and fails there if it must
            pass

    threading.Thread(target=load, name="ctgxl-import", daemon=True).start()


def check_books(books: list[ReadWorkbook], missing: list[Finding] | None = None) -> Report:
    """All the findings on already read workbooks, checked together as one delivery."""
    findings: list[Finding] = list(missing or [])
    for book in books:
        findings.extend(book.findings)
    readable = [book for book in books if book.readable]
    tables = build_tables(readable)
    findings.extend(tables.findings)
    std = load()
    for name, frame in tables.frames.items():
        findings.extend(validate(std.sheet(name), frame, _locator(tables, name)))
    territories, groups = group_territories(readable)
    for book in readable:
        findings.extend(check_identification(book))
    # an action of the Suivi is not « unknown » when the plan it belongs to could not be read
    plan_unread = {book.name for book in readable if PLAN in book.unread}
    findings.extend(finding for finding in Rules(tables, territories, groups).run()
                    if not (finding.code == "action-inconnue" and finding.file in plan_unread))
    findings = sorted(set(_error_cells_once(findings)), key=_order(books))
    return Report(books=books, findings=findings, tables=tables, missing=list(missing or []))


def _error_cells_once(findings: list[Finding]) -> list[Finding]:
    """A cell showing an error (#N/A…) is reported once, as such: not also as an unreadable
    number or a value outside its list."""
    shown = {(finding.file, finding.sheet, finding.cell) for finding in findings
             if finding.code == "valeur-en-erreur"}
    if not shown:
        return findings
    return [finding for finding in findings if finding.code == "valeur-en-erreur" or finding.cell is None
            or (finding.file, finding.sheet, finding.cell) not in shown]


def check_paths(paths: list[Path], limits: Limits | None = None, progress=None) -> Report:
    books, missing = read_all(paths, limits, progress)
    return check_books(books, missing)


def _locator(tables: Tables, sheet: str):
    def locate(row, column_id):
        return row[FILE], row[SHEET], tables.cell(row, sheet, column_id), int(row[ROW])

    return locate


def _order(books: list[ReadWorkbook]):
    position = {book.name: index for index, book in enumerate(books)}
    sheet_order = {name: index for index, name in enumerate(load().sheets)}

    def key(finding: Finding):
        return (position.get(finding.file, -1), finding.sheet is not None, sheet_order.get(finding.sheet, 99),
                finding.sheet or "", finding.row or 0, _column_number(finding.cell), finding.code)

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
