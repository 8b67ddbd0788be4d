"""`ctgxl split` and `ctgxl format` (issue 5): what ctgxl reads, it writes back in the current
template without losing a value, and a workbook of an older standard is brought up to date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ctgxl.cli import cli
from ctgxl.reading.reader import read_workbook
from ctgxl.standard import load
from ctgxl.names import PROVENANCE

from fixtures import (
    DATA_SHEETS, Service, handmade, header_text, make_territory, sheet_rows,
)
from v0 import PLAN_ROWS, RENAMED_HEADERS, v0_workbook, v1_meaning

CONTRIBUTORS = {"observatoire-social.xlsx": "Observatoire social", "petite-enfance.xlsx": "Petite enfance",
                "enfance-jeunesse.xlsx": "Enfance jeunesse"}


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def identification(path: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(path, read_only=True)
    values = {header_text(row[0]): row[1] for row in book["Identification"].iter_rows(min_row=2, values_only=True)
              if row and row[0]}
    book.close()
    return values


def all_values(path: Path) -> dict[str, list[list]]:
    """Every sheet's cells, by title, as openpyxl reads them."""
    book = openpyxl.load_workbook(path)
    grids = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    book.close()
    return grids


def without_provenance(rows: list[dict]) -> list[dict]:
    return [{header: value for header, value in row.items() if header not in PROVENANCE} for row in rows]


# --- split ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def parts(merged, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("par-service")
    result = run("split", merged, "-o", folder)
    assert result.exit_code == 0, result.output
    for name, contributor in CONTRIBUTORS.items():
        assert f"{folder / name} — {contributor} (" in result.output
    return folder


def test_split_writes_one_workbook_per_contributor(parts):
    assert sorted(path.name for path in parts.iterdir()) == sorted(CONTRIBUTORS)


def test_split_workbooks_pass_check_as_the_consolidated_did(merged, parts):
    assert run("check", merged).exit_code == 0
    for name in CONTRIBUTORS:
        result = run("check", parts / name)
        assert result.exit_code == 0, result.output


def test_split_identification_is_prefilled_with_the_contributor(merged, parts):
    consolidated = identification(merged)
    for name, contributor in CONTRIBUTORS.items():
        values = identification(parts / name)
        assert values["Service contributeur"] == contributor
        for field in ("Territoire", "Type de territoire", "Code INSEE ou SIREN", "Caf", "Début de la convention",
                      "Fin de la convention"):
            assert values[field] == consolidated[field], (name, field)
        assert values["Début de la convention"] == datetime(2023, 1, 1)
        # the contact comes from the Sources sheet, for the service that gave one
        if contributor == "Petite enfance":
            assert values["Contact"] == "Claire Martin"
            assert values["Courriel"] == "c.martin@ville-dugny.fr"
            assert values["Date de mise à jour"] == datetime(2024, 11, 25)
        else:
            assert values["Contact"] is None and values["Courriel"] is None


def test_split_workbooks_hold_each_contributors_rows(merged, parts):
    for sheet in DATA_SHEETS:
        rows = sheet_rows(merged, sheet)[1]
        for name, contributor in CONTRIBUTORS.items():
            book = openpyxl.load_workbook(parts / name, read_only=True)
            present = sheet in book.sheetnames
            book.close()
            own = without_provenance([row for row in rows if row["Contributeur"] == contributor])
            if not present:
                assert own == [], (name, sheet)
                continue
            split_headers, split_rows = sheet_rows(parts / name, sheet)
            assert not set(PROVENANCE) & set(split_headers)
            assert split_rows == own, (name, sheet)


def test_split_workbooks_use_the_smallest_template(parts):
    kinds = {name: read_workbook(parts / name).kind for name in CONTRIBUTORS}
    assert kinds == {"observatoire-social.xlsx": "diagnostic", "petite-enfance.xlsx": "equipements",
                     "enfance-jeunesse.xlsx": "plan-actions"}
    for name in CONTRIBUTORS:
        book = read_workbook(parts / name)
        assert book.version == load().version
        assert not [finding for finding in book.findings if finding.code == "version-ancienne"]


def test_merge_split_merge_gives_the_same_data(territory, merged, parts, tmp_path):
    again = tmp_path / "encore.xlsx"
    order = [parts / name for name in ("observatoire-social.xlsx", "petite-enfance.xlsx", "enfance-jeunesse.xlsx")]
    result = run("merge", *order, "-o", again)
    assert result.exit_code == 0, result.output
    for sheet in DATA_SHEETS:
        first, second = sheet_rows(merged, sheet), sheet_rows(again, sheet)
        assert first[0] == second[0], sheet
        assert without_provenance(first[1]) == without_provenance(second[1]), sheet
        assert [row["Contributeur"] for row in first[1]] == [row["Contributeur"] for row in second[1]]


def test_split_keeps_the_actions_a_contributor_follows(tmp_path):
    """The same action sent by two services is kept once, under the first; the second's
    indicators still need it in their file to pass check."""
    action = {"N° action": "PE-1", "Thématique": "Petite enfance", "Objectif": "Accueillir",
              "Intitulé de l'action": "Micro-crèche", "Pilote collectivité": "Direction petite enfance",
              "Pilote Caf": "Conseillère territoriale", "Année de début": 2024, "Statut": "En cours",
              "Indicateurs de résultat": "Places créées"}
    first = Service("plan.xlsx", "plan-actions", "Petite enfance", {"Plan d'actions": [action]})
    second = Service("suivi.xlsx", "plan-actions", "Évaluation", {
        "Plan d'actions": [action],
        "Suivi des indicateurs": [{"N° action": "pe-1", "Indicateur": "Places créées", "Cible": "10", "2024": 4}],
    })
    territory = make_territory(tmp_path / "in", [first, second])
    consolidated = tmp_path / "consolide.xlsx"
    assert run("merge", *territory.files, "-o", consolidated).exit_code == 0
    assert run("check", consolidated).exit_code == 0
    result = run("split", consolidated, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    evaluation = tmp_path / "out" / "evaluation.xlsx"
    check = run("check", evaluation)
    assert check.exit_code == 0, check.output
    assert [row["N° action"] for row in sheet_rows(evaluation, "Plan d'actions")[1]] == ["PE-1"]
    # merged again, the action is still there once
    again = tmp_path / "encore.xlsx"
    assert run("merge", *sorted((tmp_path / "out").iterdir()), "-o", again).exit_code == 0
    assert len(sheet_rows(again, "Plan d'actions")[1]) == 1
    assert len(sheet_rows(again, "Suivi des indicateurs")[1]) == 1


def test_split_refuses_to_overwrite_a_file_it_did_not_write(merged, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    squatter = folder / "petite-enfance.xlsx"
    squatter.write_bytes(b"pas un classeur ctgxl")
    result = run("split", merged, "-o", folder)
    assert result.exit_code == 2
    assert f"Erreur : « {squatter} » existe déjà ; ajoutez --force pour le remplacer." in result.output
    assert squatter.read_bytes() == b"pas un classeur ctgxl"
    assert (folder / "observatoire-social.xlsx").exists()  # the others are written
    # its own earlier output is replaced; --force replaces the rest
    assert run("split", merged, "-o", folder, "--force").exit_code == 0
    assert run("split", merged, "-o", folder).exit_code == 0
    assert read_workbook(squatter).readable


def test_split_of_a_workbook_that_is_not_consolidated(territory, tmp_path):
    result = run("split", territory.files[0], "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "n'est pas un classeur consolidé" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# --- format of a hand-made workbook -----------------------------------------------------------------

@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return handmade(tmp_path_factory.mktemp("fait-main"))


@pytest.fixture(scope="module")
def formatted(made, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("format") / "au-format.xlsx"
    before = made.path.read_bytes()
    result = run("format", made.path, "-o", output)
    assert result.exit_code == 0, result.output
    assert f"Classeur au format du modèle « complet », version 2, écrit dans {output}" in result.output
    assert "Feuilles hors standard recopiées à la fin : Notes de réunion, Titres d'origine." in result.output
    assert made.path.read_bytes() == before
    return output


def test_format_writes_the_current_template(formatted):
    book = read_workbook(formatted)
    assert (book.kind, book.version) == ("complet", load().version)
    workbook = openpyxl.load_workbook(formatted)
    assert workbook.sheetnames == ["Lisez-moi", "Identification", *DATA_SHEETS, "Notes de réunion", "Titres d'origine",
                                   "Listes"]
    assert workbook["Listes"].sheet_state == "hidden"
    for sheet in DATA_SHEETS:
        spec = load().sheet(sheet)
        headers = [cell.value for cell in workbook[sheet][1] if cell.value is not None]
        standard = [column.template_header for column in spec.columns_for(range(2023, 2028) if spec.year_columns
                                                                           else None)]
        assert headers[:len(standard)] == standard, sheet
        lists = [column for column in spec.columns if column.type == "liste"]
        assert len(workbook[sheet].data_validations.dataValidation) >= len(lists)


def test_format_keeps_every_value_with_canonical_spellings(made, formatted):
    for sheet in ("Plan d'actions", "Équipements", "Diagnostic"):
        headers, rows = sheet_rows(formatted, sheet)
        expected = made.meaning(sheet)
        assert len(rows) == len(expected), sheet
        for row, meaning in zip(rows, expected):
            assert set(meaning) <= set(headers), set(meaning) - set(headers)
            for header in headers:
                assert row[header] == meaning.get(header), (sheet, header, row[header], meaning.get(header))
                if isinstance(meaning.get(header), (int, float)):
                    assert isinstance(row[header], (int, float)), (sheet, header, row[header])
        typed = sum(1 for row in made.rows[sheet] for value in row.values() if value is not None)
        written = sum(1 for row in rows for value in row.values() if value is not None)
        assert written == typed, sheet


def test_format_puts_extra_columns_at_the_right(formatted):
    assert sheet_rows(formatted, "Plan d'actions")[0][-1] == "Notes internes"
    assert sheet_rows(formatted, "Équipements")[0][-1] == "Remarques"
    remark = sheet_rows(formatted, "Équipements")[1][0]["Remarques"]
    assert remark == "=à revoir"
    cell = next(cell for row in openpyxl.load_workbook(formatted)["Équipements"].iter_rows() for cell in row
                if cell.value == "=à revoir")
    assert cell.data_type == "s"


def test_format_copies_the_sheets_outside_the_standard(made, formatted):
    grid = all_values(formatted)["Notes de réunion"]
    assert grid == made.others["Notes de réunion"]


def test_format_keeps_the_identification(formatted):
    values = identification(formatted)
    assert values["Territoire"] == "Dugny"
    assert values["Type de territoire"] == "Commune"
    assert values["Code INSEE ou SIREN"] == "93030"
    assert values["Début de la convention"] == datetime(2023, 1, 1)
    assert values["Fin de la convention"] == datetime(2027, 12, 31)
    assert values["Service contributeur"] == "Direction enfance"
    assert values["Contact"] == "Paul Roux"


def test_format_is_idempotent(formatted, tmp_path):
    again = tmp_path / "encore.xlsx"
    result = run("format", formatted, "-o", again)
    assert result.exit_code == 0, result.output
    assert all_values(again) == all_values(formatted)


def test_formatted_workbook_passes_check(made, formatted):
    assert run("check", made.path).exit_code == 0
    result = run("check", formatted)
    assert result.exit_code == 0, result.output
    assert "Résumé : 1 fichier, 0 erreur, 0 avertissement" in result.output


def test_format_never_writes_over_its_input_nor_someone_elses_file(made, formatted, tmp_path):
    result = run("format", made.path, "-o", made.path)
    assert result.exit_code == 2
    assert "est un des fichiers d'entrée : ctgxl ne modifie jamais ses entrées" in result.output
    other = tmp_path / "autre.xlsx"
    other.write_bytes(b"x")
    result = run("format", made.path, "-o", other)
    assert result.exit_code == 2 and "existe déjà" in result.output
    assert other.read_bytes() == b"x"
    copy = tmp_path / "copie.xlsx"
    copy.write_bytes(formatted.read_bytes())
    result = run("format", made.path, "-o", copy)
    assert result.exit_code == 0
    assert "remplace la sortie précédente de « ctgxl format »" in result.output


# --- a workbook of version 0 -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def v0(tmp_path_factory) -> Path:
    return v0_workbook(tmp_path_factory.mktemp("v0") / "plan-2022.xlsx")


def test_v0_workbook_reads_with_an_information(v0):
    book = read_workbook(v0)
    assert book.version == 0
    found = [finding for finding in book.findings if finding.code == "version-ancienne"]
    assert len(found) == 1 and found[0].severity == "information"
    assert "version 0" in found[0].message and "ctgxl format" in found[0].message
    result = run("check", v0, "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"version": 0' in result.output


def test_v0_values_are_read_with_the_new_names(v0):
    from ctgxl.reading.tables import build_tables

    tables = build_tables([read_workbook(v0)])
    plan = tables.frames["Plan d'actions"]
    assert list(plan["pilote_collectivite"]) == [row[5] for row in PLAN_ROWS]
    assert list(plan["enjeu"]) == [row[2] for row in PLAN_ROWS]
    assert list(plan["statut"]) == ["Réalisée", "À engager", "Réalisée"]
    assert list(tables.frames["Équipements"]["capacite"]) == [60]


def test_format_upgrades_a_v0_workbook(v0, tmp_path):
    output = tmp_path / "plan-a-jour.xlsx"
    result = run("format", v0, "-o", output)
    assert result.exit_code == 0, result.output
    assert "(mis à jour depuis la version 0)" in result.output
    for sheet, rows in v1_meaning().items():
        headers, written = sheet_rows(output, sheet)
        assert not set(RENAMED_HEADERS) & set(headers)
        assert set(RENAMED_HEADERS.values()) & set(headers)
        assert len(written) == len(rows)
        for row, meaning in zip(written, rows):
            for header in headers:
                assert row[header] == meaning.get(header), (sheet, header)
    book = read_workbook(output)
    assert book.version == load().version
    assert book.old_headers == []
    assert not [finding for finding in book.findings if finding.code == "version-ancienne"]
    assert run("check", output).exit_code == 0
    # formatting it again changes nothing
    again = tmp_path / "encore.xlsx"
    assert run("format", output, "-o", again).exit_code == 0
    assert all_values(again) == all_values(output)

