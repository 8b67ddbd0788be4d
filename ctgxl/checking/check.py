"""`ctgxl check`: read every workbook, apply the schemas and the rules, gather the findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ctgxl.checking.checks import Rules, check_identification, group_territories
from ctgxl.checking.collect import read_all  # noqa: F401 - where callers have always found it
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding
from ctgxl.limits import Limits
from ctgxl.reading.reader import ReadWorkbook
from ctgxl.checking.schemas import validate
from ctgxl.standard import PLAN, Standard, load
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


def check_books(books: list[ReadWorkbook], missing: list[Finding] | None = None, *,
                standard: Standard | None = None, today: date | None = None) -> Report:
    """All the findings on already read workbooks, checked together as one delivery.
    ``today`` bounds the years of data (none after next year); by default, the date of the day."""
    std = standard or load()
    today = today or date.today()
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
    # an action of the Suivi is not « unknown » when the plan it belongs to could not be read
    plan_unread = {book.name for book in readable if PLAN in book.unread}
    findings.extend(finding for finding in Rules(tables, territories, groups, std, today=today).run()
                    if not (finding.code == "action-inconnue" and finding.file in plan_unread))
    findings = sorted(set(_error_cells_once(findings)), key=_order(books, std))
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


def check_paths(paths: list[Path], limits: Limits | None = None, progress=None, *,
                standard: Standard | None = None, today: date | None = None) -> Report:
    books, missing = read_all(paths, limits, progress, standard=standard)
    return check_books(books, missing, standard=standard, today=today)


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
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.utils.exceptions import CellCoordinatesException

    try:
        return column_index_from_string(coordinate_from_string(cell)[0])
    except (CellCoordinatesException, ValueError):
        return 0
