"""The sample workbooks of samples/: rebuilt identically, clean under `ctgxl check`, and
samples/a-corriger/, checked as a folder or file by file, gives exactly the findings of the
table of samples/README.md, which is the list A_CORRIGER of samples/build.py."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import click
import openpyxl
import pytest

from ctgxl.checking.check import check_paths
from ctgxl.report import format_text
from ctgxl.names import README

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TERRITORIES = ("dugny", "carrieres-sur-seine", "boulogne-billancourt", "ca-boulonnais")

# Warnings each territory may give (all explained in samples/README.md); errors: none.
ALLOWED_WARNINGS = {
    "dugny": set(),
    "carrieres-sur-seine": {"valeur-manquante"},  # one structure without an address
    "boulogne-billancourt": {"valeur-manquante", "pourcentage-eleve"},  # no addresses in annex 2; 116.59 %
    "ca-boulonnais": set(),
}

CORRECTIONS = SAMPLES / "a-corriger"
README_FILE = SAMPLES / "README.md"
TABLE_HEADER = "| Fichier | Copie de | Feuilles remplies | Modification | Feuille | Cellule | Code | Gravité |"


def _readme_table() -> list[tuple[str, ...]]:
    """The rows of the a-corriger/ table of samples/README.md, as cell texts."""
    lines = README_FILE.read_text(encoding="utf-8").splitlines()
    assert lines.count(TABLE_HEADER) == 1, "samples/README.md : tableau de a-corriger/ introuvable"
    start = lines.index(TABLE_HEADER) + 2  # after the header and the --- line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(tuple(cell.strip() for cell in line.strip().strip("|").split(" | ")))
    return rows


def _readme_findings() -> dict[str, set[tuple[str, str, str, str]]]:
    """a-corriger file -> the errors and warnings the README announces: {(sheet, cell, code, severity)}."""
    announced = {}
    for name, _, _, _, sheet, cell, code, severity in _readme_table():
        findings = set()
        if code != "aucun constat":
            findings.add((sheet.strip("`"), cell.strip("`"), code.strip("`"), severity))
        announced[name.strip("`")] = findings
    return announced


def _load_build():
    spec = importlib.util.spec_from_file_location("ctgxl_samples_build", SAMPLES / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


build = _load_build()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("samples")
    build.build(dest)
    return dest


def _workbooks(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.glob("*/*.xlsx") if path.parent.name != "sources")


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's non-empty cells: (row, column, value, number format of numbers).

    The Lisez-moi sheet is boilerplate of the template writer, not sample data: only its
    presence is compared, so that rewording it does not call for a rebuild of the samples.
    """
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        content = {}
        for sheet in book.worksheets:
            if sheet.title == README:
                content[sheet.title] = []
                continue
            cells = []
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    number_format = cell.number_format if isinstance(cell.value, (int, float)) else None
                    cells.append((cell.row, cell.column, cell.value, number_format))
            content[sheet.title] = cells
        return content
    finally:
        book.close()


def test_rebuild_gives_the_committed_workbooks(rebuilt: Path) -> None:
    committed = _workbooks(SAMPLES)
    assert committed, "samples/ n'a aucun classeur : lancez python samples/build.py"
    assert _workbooks(rebuilt) == committed
    for name in committed:
        assert _cells(rebuilt / name) == _cells(SAMPLES / name), f"{name} diffère : relancez python samples/build.py"


@pytest.mark.parametrize("territory", TERRITORIES)
def test_territory_has_no_error(territory: str) -> None:
    report = check_paths([SAMPLES / territory])
    assert not report.unreadable
    assert [(f.file, f.sheet, f.cell, f.code, f.message) for f in report.errors] == []
    assert {finding.code for finding in report.warnings} <= ALLOWED_WARNINGS[territory]
    assert report.exit_code() == 0


def test_every_sample_file_is_read() -> None:
    """Each file of each territory is recognised, with every row of its source CSVs."""
    for territory in TERRITORIES:
        _, files = build.load_territory(territory)
        report = check_paths([SAMPLES / territory])
        books = {Path(book.name).name: book for book in report.books}
        assert set(books) == {fichier.nom for fichier in files}
        for fichier in files:
            book = books[fichier.nom]
            assert book.identification, fichier.nom
            for sheet, rows in fichier.sheets.items():
                assert len(book.tables[sheet].rows) == len(rows), (fichier.nom, sheet)


def test_a_corriger_table_matches_the_build() -> None:
    """The README table is the list A_CORRIGER (print it with python samples/build.py --tableau),
    and a-corriger/ holds exactly its files."""
    assert _readme_table() == build.readme_rows(), "remplacez le tableau par : python samples/build.py --tableau"
    assert sorted(path.name for path in CORRECTIONS.glob("*.xlsx")) == sorted(_readme_findings())
    assert {item.fichier: {item.constat[1:]} if item.constat else set() for item in build.A_CORRIGER} \
        == _readme_findings()


def _key(finding) -> tuple:
    return Path(finding.file).name, finding.sheet, finding.cell, finding.row, finding.code, finding.severity


def test_a_corriger_folder_gives_exactly_the_readme_findings() -> None:
    """`ctgxl check samples/a-corriger/` gives the errors and warnings of the README table, no
    other, and the announced summary line (information findings are not in the table)."""
    report = check_paths([CORRECTIONS])
    assert not report.unreadable
    found = [(Path(f.file).name, f.sheet, f.cell, f.code, f.severity) for f in report.errors + report.warnings]
    announced = {(name,) + finding for name, findings in _readme_findings().items() for finding in findings}
    assert sorted(found) == sorted(announced)
    summary = click.unstyle(format_text(report)[-1])
    readme = README_FILE.read_text(encoding="utf-8")
    assert "ctgxl check samples/a-corriger/\n" in readme
    assert f"\n{summary}\n" in readme, f"samples/README.md doit annoncer : {summary}"


@pytest.mark.parametrize("name", [item.fichier for item in build.A_CORRIGER])
def test_a_corriger_file_alone_gives_the_same_findings(name: str) -> None:
    """Checked alone, each file gives its README finding(s), and exactly what it gives within
    the folder (information findings included): no effect of one copy on another."""
    path = CORRECTIONS / name
    alone = check_paths([path])
    assert not alone.unreadable
    assert {(f.sheet, f.cell, f.code, f.severity) for f in alone.errors + alone.warnings} == _readme_findings()[name]
    assert len(alone.errors + alone.warnings) == len(_readme_findings()[name])
    within = [_key(f) for f in _folder_report().findings if Path(f.file).name == name]
    assert sorted(map(_key, alone.findings), key=repr) == sorted(within, key=repr)


@pytest.mark.parametrize("item", build.A_CORRIGER, ids=lambda item: item.fichier)
def test_a_corriger_keeps_only_the_sheets_of_its_mistake(item) -> None:
    """Besides Identification, only the sheets listed in A_CORRIGER hold rows, each with as many
    rows as in the file it was copied from (one more for a copied row)."""
    book = next(book for book in _folder_report().books if Path(book.name).name == item.fichier)
    assert book.identification
    filled = {sheet for sheet, table in book.tables.items() if table.rows}
    assert filled == set(item.feuilles)
    _, files = build.load_territory(item.territoire)
    source = next(fichier for fichier in files if fichier.nom == item.source)
    for sheet in item.feuilles:
        assert len(book.tables[sheet].rows) - len(source.sheets[sheet]) in (0, 1), (item.fichier, sheet)


@cache
def _folder_report():
    return check_paths([CORRECTIONS])
