"""`ctgxl diff` as users run it: exact messages and exit codes, JSON and the « liste des
modifications » workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ctgxl.cli import cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CARRIERES = SAMPLES / "carrieres-sur-seine"
PLAN_FILE = CARRIERES / "carrieres-education-equipements-plan.xlsx"


def run(*args: object):
    return CliRunner().invoke(cli, ["diff", *map(str, args)])


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Path:
    """The Carrières plan file with three cells changed by hand: a statut, a budget typed in
    French, and an Intitulé turned into a text that looks like a formula."""
    folder = tmp_path_factory.mktemp("diff")
    book = openpyxl.load_workbook(PLAN_FILE)
    sheet = book["Plan d'actions"]
    columns = {str(cell.value).removesuffix(" *"): cell.column for cell in sheet[1] if cell.value}
    sheet.cell(row=2, column=columns["Statut"]).value = "réalisée"
    sheet.cell(row=3, column=columns["Budget prévisionnel (€)"]).value = "12 500 €"
    title = sheet.cell(row=4, column=columns["Intitulé de l'action"])
    title.value = "=1+1"
    title.data_type = "s"  # typed as '=1+1: a text
    target = folder / "plan-modifie.xlsx"
    book.save(target)
    return target


def test_same_version_exits_0_with_one_sentence():
    result = run(CARRIERES, CARRIERES)
    assert result.exit_code == 0
    assert result.stdout == f"Aucune différence entre « {CARRIERES} » et « {CARRIERES} ».\n"


def test_a_folder_and_its_consolidated_workbook_are_the_same_version(tmp_path):
    consolidated = tmp_path / "ctg.xlsx"
    assert CliRunner().invoke(cli, ["merge", str(CARRIERES), "-o", str(consolidated)]).exit_code == 0
    result = run(CARRIERES, consolidated)
    assert (result.exit_code, result.stdout) == (0, f"Aucune différence entre « {CARRIERES} » et « {consolidated} ».\n")


def test_differences_exit_1_one_line_per_change(edited):
    result = run(PLAN_FILE, edited)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Modifications de « {PLAN_FILE} » à « {edited} »"
    assert "Feuille « Plan d'actions » (clé : N° action) : 0 ligne ajoutée, 0 ligne supprimée, 3 lignes modifiées" \
        in lines
    changed = [line for line in lines if line.startswith("  modifiée")]
    assert len(changed) == 3
    assert any(line.endswith("— Statut : « En cours » → « Réalisée »") for line in changed), changed
    assert any("— Budget prévisionnel (€) : " in line and line.endswith("→ 12\u202f500") for line in changed), changed
    assert any("— Intitulé de l'action : " in line and line.endswith("→ « =1+1 »") for line in changed), changed
    assert lines[-1] == "Résumé : 0 ligne ajoutée, 0 ligne supprimée, 3 lignes modifiées (3 valeurs modifiées)."


def test_json_lists_each_field_old_and_new(edited):
    result = run(PLAN_FILE, edited, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ancien"] == str(PLAN_FILE) and document["nouveau"] == str(edited)
    assert document["resume"] == {"ajoutees": 0, "supprimees": 0, "modifiees": 3, "champs_modifies": 3}
    [sheet] = document["feuilles"]
    assert sheet["feuille"] == "Plan d'actions" and sheet["cle"] == ["N° action"]
    fields = {field["colonne"]: field for row in sheet["modifiees"] for field in row["champs"]}
    assert fields["Statut"]["ancienne"] == "En cours" and fields["Statut"]["nouvelle"] == "Réalisée"
    assert fields["Budget prévisionnel (€)"]["nouvelle"] == 12500
    assert fields["Intitulé de l'action"]["nouvelle"] == "=1+1"


def test_xlsx_is_the_list_of_changes_with_text_kept_as_text(edited, tmp_path):
    output = tmp_path / "modifications.xlsx"
    result = run(PLAN_FILE, edited, "--format", "xlsx", "-o", output)
    assert result.exit_code == 1, result.output
    assert result.stdout == f"Liste des modifications écrite dans {output} (3 lignes).\n"
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Modifications"]
    sheet = book["Modifications"]
    assert sheet["A1"].value == "Liste des modifications"
    header = [cell.value for cell in sheet[5]]
    assert header == ["Feuille", "Ligne (clé)", "Intitulé", "Type de modification", "Champ", "Ancienne valeur",
                      "Nouvelle valeur"]
    assert sheet.auto_filter.ref == "A5:G8"
    assert sheet.print_title_rows == "$5:$5"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=6)]
    formula_like = next(row for row in rows if row[4] == "Intitulé de l'action")
    assert formula_like[6] == "=1+1"
    cell = sheet.cell(row=6 + rows.index(formula_like), column=7)
    assert cell.data_type == "s"
    assert {row[3] for row in rows} == {"Valeur modifiée"}


def test_xlsx_needs_an_output_file(edited):
    result = run(PLAN_FILE, edited, "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stderr == "Erreur : --format xlsx écrit un classeur : indiquez-le avec -o FICHIER.\n"


def test_an_output_never_replaces_a_version(edited):
    result = run(PLAN_FILE, edited, "--format", "json", "-o", edited)
    assert result.exit_code == 2
    assert result.stderr == "Erreur : Le fichier de sortie ne peut pas remplacer une des versions comparées.\n"


def test_missing_version_exits_2(tmp_path):
    missing = tmp_path / "absent.xlsx"
    result = run(CARRIERES, missing)
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : la nouvelle version ne peut pas être lue : Le fichier ou dossier "
                             f"« {missing} » n'existe pas.\n")


def test_a_file_without_the_standard_exits_2(tmp_path):
    other = tmp_path / "autre.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "Liste de courses"
    book.save(other)
    result = run(other, CARRIERES)
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : l'ancienne version ne peut pas être lue : aucune feuille du standard CTG "
                             f"n'a été reconnue dans « {other} ».\n")
