"""The reader: sheets and header rows found in workbooks as people make them, each value
with its cell, and files that cannot be read reported rather than raised."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from userfile import HANDMADE_HEADER_ROW, edit, handmade_workbook, user_workbook

from ctgxl.findings import AVERTISSEMENT, ERREUR
from ctgxl.reading.files import workbook_files
from ctgxl.reading.reader import read_workbook
from ctgxl.standard import DIAGNOSTIC, EQUIPEMENTS, PLAN, SUIVI

PLAN_HEADERS = ["N° action", "Thématique", "Objectif", "Intitulé de l'action", "Pilote collectivité", "Pilote Caf",
                "Année de début", "Statut", "Indicateurs de résultat"]
PLAN_ROW = [1, "Jeunesse", "Objectif", "Action", "Ville", "Caf", 2024, "En cours", "Jeunes accueillis"]


def plan_book(path: Path, title: str = "Plan d'actions", above: int = 0, hidden: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in range(1, above + 1):
        sheet.cell(row=row, column=1, value=f"Titre {row}" if row == 1 else None)
    sheet.append(PLAN_HEADERS)
    sheet.append(PLAN_ROW)
    if hidden:
        book.create_sheet("Visible")
        sheet.sheet_state = "hidden"
    book.save(path)
    return path


def codes(book) -> list[tuple[str | None, str | None, str, str]]:
    return [(f.sheet, f.cell, f.code, f.severity) for f in book.findings]


@pytest.fixture(scope="module")
def template_book(tmp_path_factory):
    path = user_workbook(tmp_path_factory.mktemp("lecture") / "dugny.xlsx")
    return read_workbook(path)


def test_template_is_recognised_by_its_record(template_book):
    assert template_book.readable and template_book.kind == "complet" and template_book.version == 2
    assert set(template_book.tables) == {DIAGNOSTIC, "Enjeux", EQUIPEMENTS, PLAN, SUIVI}
    assert len(template_book.sha256) == 64


def test_rows_keep_their_excel_row_and_cells(template_book):
    table = template_book.tables[DIAGNOSTIC]
    assert table.header_row == 1
    assert table.rows == [2, 3, 5, 6, 7, 8, 9, 11, 12]  # blank rows 4 and 10 skipped
    assert table.cell(2, "valeur") == "D5"
    assert table.cell(0, "annee") == "H2"


def test_percent_format_and_identification_cells(template_book):
    table = template_book.tables[DIAGNOSTIC]
    assert (table.rows.index(6), "valeur") in table.percent
    assert (table.rows.index(3), "valeur") not in table.percent
    assert template_book.identification_cells["fin"] == "B7"
    assert template_book.identification["territoire"] == "Dugny"


def test_year_columns_of_the_suivi(template_book):
    table = template_book.tables[SUIVI]
    assert [column.id for column in table.columns if column.is_year] == ["2023", "2024", "2025", "2026", "2027"]


def test_header_anywhere_in_the_sheet(tmp_path):
    book = read_workbook(plan_book(tmp_path / "plan.xlsx", above=19))
    assert book.tables[PLAN].header_row == 20 and book.tables[PLAN].rows == [21]
    book = read_workbook(plan_book(tmp_path / "plan21.xlsx", above=40))
    assert book.tables[PLAN].header_row == 41 and book.tables[PLAN].rows == [42]


@pytest.mark.parametrize("title", ["Plan d'action", "PLAN D’ACTIONS", "Fiches actions", "Feuil1"])
def test_sheet_found_by_name_alias_or_headers(tmp_path, title):
    book = read_workbook(plan_book(tmp_path / "plan.xlsx", title=title))
    assert list(book.tables) == [PLAN]
    assert book.tables[PLAN].title == title
    assert book.kind == "plan-actions"


def test_hidden_sheet_is_read_with_a_warning(tmp_path):
    book = read_workbook(plan_book(tmp_path / "plan.xlsx", hidden=True))
    assert PLAN in book.tables
    assert (PLAN, None, "feuille-masquee", AVERTISSEMENT) in codes(book)


def test_handmade_headers(tmp_path):
    book = read_workbook(handmade_workbook(tmp_path / "main.xlsx"))
    table = book.tables[EQUIPEMENTS]
    assert table.title == "Equipements" and table.header_row == HANDMADE_HEADER_ROW
    assert table.positions["nom_structure"] == 2 and table.positions["type_structure"] == 1
    assert table.positions["code_postal"] == 4 and table.positions["commune_implantation"] == 5
    assert table.rows == [6, 8]
    assert book.identification["territoire"] == "Dugny"
    assert book.identification_title == "identification"


def test_duplicate_column(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan d'actions"
    sheet.append(PLAN_HEADERS + ["Statut"])
    sheet.append(PLAN_ROW + ["Réalisée"])
    book.save(tmp_path / "plan.xlsx")
    read = read_workbook(tmp_path / "plan.xlsx")
    assert (PLAN, "J1", "colonne-en-double", AVERTISSEMENT) in codes(read)
    assert read.tables[PLAN].values["statut"] == ["En cours"]


def test_formula_without_cached_value(tmp_path):
    path = user_workbook(tmp_path / "f.xlsx", formula=False)
    edit(path, {DIAGNOSTIC: {"D3": "=2+2"}})
    book = read_workbook(path)
    assert (DIAGNOSTIC, "D3", "formule-sans-valeur", AVERTISSEMENT) in codes(book)


@pytest.mark.parametrize("content, said", [
    (b"", "vide"),
    (b"Volet;Indicateur;Valeur\nPetite enfance;Places;12\n", "CSV"),
    (b"%PDF-1.7 blah", "PDF"),
    (b"<!DOCTYPE html><html></html>", "HTML"),
    (b"PK\x03\x04garbage-not-a-zip", "endommagé"),
])
def test_unreadable_files_are_findings(tmp_path, content, said):
    path = tmp_path / "recu.xlsx"
    path.write_bytes(content)
    book = read_workbook(path)
    assert not book.readable
    ((_, _, code, severity),) = codes(book)
    assert severity == ERREUR and code == "fichier-illisible"
    assert said in book.findings[0].message


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "bonjour")
    book = read_workbook(path)
    assert not book.readable and book.findings[0].code == "fichier-illisible"


def test_no_standard_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Nom", "Prénom"])
    book.save(tmp_path / "autre.xlsx")
    read = read_workbook(tmp_path / "autre.xlsx")
    assert read.readable and (None, None, "aucune-feuille-reconnue", ERREUR) in codes(read)


def test_folders_are_walked(tmp_path):
    (tmp_path / "sous-dossier").mkdir()
    for name in ("b.xlsx", "a.xlsm", "sous-dossier/c.ods", "~$b.xlsx", ".cache.xlsx", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    files, problems = workbook_files([tmp_path, tmp_path / "absent.xlsx"])
    assert sorted(path.relative_to(tmp_path).as_posix() for path in files) == ["a.xlsm", "b.xlsx", "sous-dossier/c.ods"]
    assert [(Path(f.file).name, f.code, f.severity) for f in problems] == [("absent.xlsx", "fichier-introuvable",
                                                                            ERREUR)]
