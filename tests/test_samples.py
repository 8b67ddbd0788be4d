"""The sample workbooks of samples/: rebuilt identically, clean under `ctgxl check`, and each
file of samples/a-corriger/ gives exactly the finding samples/README.md announces."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from ctgxl.check import check_paths
from ctgxl.findings import AVERTISSEMENT, ERREUR
from ctgxl.writer import README

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TERRITORIES = ("dugny", "carrieres-sur-seine", "boulogne-billancourt", "ca-boulonnais")

# Warnings each territory may give (all explained in samples/README.md); errors: none.
ALLOWED_WARNINGS = {
    "dugny": set(),
    "carrieres-sur-seine": {"valeur-manquante"},  # one structure without an address
    "boulogne-billancourt": {"valeur-manquante", "pourcentage-eleve"},  # no addresses in annex 2; 116.59 %
    "ca-boulonnais": set(),
}

# a-corriger file -> the one finding it must add to the file it was copied from
# (sheet as titled in the workbook, cell, code, severity); None = no finding at all.
EXPECTED = {
    "dugny-type-structure-hors-liste.xlsx": ("Equipements", "B5", "valeur-hors-liste", ERREUR),
    "dugny-annee-hors-convention.xlsx": ("Plan d'actions", "L4", "annee-hors-convention", ERREUR),
    "dugny-pourcentage-1500.xlsx": ("Diagnostic", "D2", "pourcentage-hors-bornes", ERREUR),
    "dugny-pourcentage-fraction.xlsx": ("Diagnostic", "D3", "pourcentage-fraction", AVERTISSEMENT),
    "boulogne-pilote-manquant.xlsx": ("Plan d'actions", "I2", "valeur-obligatoire", ERREUR),
    "boulogne-capacite-en-lettres.xlsx": ("Équipements", "I5", "nombre-illisible", ERREUR),
    "boulogne-suivi-action-inconnue.xlsx": ("Suivi des indicateurs", "A4", "action-inconnue", ERREUR),
    "boulogne-fin-convention-2032.xlsx": ("Identification", "B7", "convention-trop-longue", ERREUR),
    "carrieres-action-en-double.xlsx": ("Plan d'actions", "A5", "doublon", ERREUR),
    "carrieres-code-postal-espace.xlsx": ("Équipements", "E4", "code-postal-invalide", ERREUR),
    "carrieres-valeur-illisible.xlsx": ("Diagnostic partagé", "D9", "nombre-illisible", ERREUR),
    "carrieres-orthographes-acceptees.xlsx": None,
    "cab-siren-cle-fausse.xlsx": ("Identification", "B4", "code-territoire-invalide", ERREUR),
    "cab-commune-non-membre.xlsx": ("Équipements", "A2", "commune-non-membre", ERREUR),
    "cab-communes-graphies-acceptees.xlsx": None,
    "cab-financement-virgule.xlsx": ("Équipements", "J3", "valeur-hors-liste", ERREUR),
}


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
    assert {item.fichier for item in build.A_CORRIGER} == set(EXPECTED)
    assert sorted(path.name for path in (SAMPLES / "a-corriger").glob("*.xlsx")) == sorted(EXPECTED)
    for item in build.A_CORRIGER:
        expected = EXPECTED[item.fichier]
        announced = (item.feuille, item.cellule, item.code, item.gravite) if item.code else None
        assert announced == expected, item.fichier


@cache
def _signature(path: Path) -> tuple[Counter, list]:
    """Findings of one file checked alone, without the file name, and its errors."""
    report = check_paths([path])
    assert not report.unreadable
    findings = Counter((f.sheet, f.cell, f.code, f.severity) for f in report.findings)
    return findings, [(f.sheet, f.cell, f.code, f.severity) for f in report.errors]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_corriger_gives_exactly_its_finding(name: str) -> None:
    item = next(item for item in build.A_CORRIGER if item.fichier == name)
    expected = EXPECTED[name]
    findings, errors = _signature(SAMPLES / "a-corriger" / name)
    base, _ = _signature(SAMPLES / item.territoire / item.source)
    added = findings - base
    assert added == (Counter([expected]) if expected else Counter())
    assert errors == ([expected] if expected and expected[3] == ERREUR else [])
    # Nothing of the original file disappeared either (the mistake changed nothing else).
    assert base - findings == Counter()
