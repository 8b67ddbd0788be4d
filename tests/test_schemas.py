"""The pandera schemas built from the standard, on typed DataFrames as ``tables.py`` makes them
(object columns, None for an empty cell): each failing cell becomes a finding with its code."""

from __future__ import annotations

import pandas as pd
import pytest

from ctgxl.findings import AVERTISSEMENT, CODES, ERREUR
from ctgxl.checking.schemas import all_schemas, schema_for, validate
from ctgxl.standard import DIAGNOSTIC, EQUIPEMENTS, IDENTIFICATION, PLAN, load

GOOD = {
    DIAGNOSTIC: {"volet": "Petite enfance", "indicateur": "Nombre d'enfants de moins de 3 ans", "commune": None,
                 "valeur": 412, "unite": "Nombre", "valeur_departement": None, "valeur_france": None,
                 "annee": 2021, "source": "Insee RP2021", "commentaire": None},
    EQUIPEMENTS: {"collectivite": None, "type_structure": "EAJE", "nom_structure": "Crèche Les Lutins",
                  "adresse": "1 rue de la Paix", "code_postal": "93440", "commune_implantation": "Dugny",
                  "gestionnaire": "Ville", "mode_gestion": "Régie municipale", "capacite": 40,
                  "financement_caf": "PSU; Bonus territoire CTG", "bonus_ctg": 12000.0, "numero_caf": None,
                  "observations": None},
    PLAN: {"numero": "1", "thematique": "Jeunesse", "objectif": "Accueillir les 11-17 ans",
           "intitule": "Ouvrir un accueil de jeunes", "pilote_collectivite": "Service jeunesse",
           "pilote_caf": "Conseillère territoriale", "annee_debut": 2024, "statut": "En cours", "budget": 10000,
           "financement_caf": 4000},
}


def frame(sheet: str, *changes: dict) -> pd.DataFrame:
    """One row per change, each the good row of the sheet with these values changed."""
    spec = load().sheet(sheet)
    rows = [{**GOOD[sheet], **change} for change in changes or ({},)]
    return pd.DataFrame({column.id: [row.get(column.id) for row in rows] for column in spec.columns}, dtype=object)


def findings(sheet: str, *changes: dict):
    spec = load().sheet(sheet)
    columns = [column.id for column in spec.columns]

    def locate(row, column_id):
        excel_row = int(row.name) + 2
        letter = chr(ord("A") + columns.index(column_id))
        return "essai.xlsx", sheet, f"{letter}{excel_row}", excel_row

    return validate(spec, frame(sheet, *changes), locate)


@pytest.mark.parametrize("sheet", list(GOOD))
def test_good_rows_pass(sheet):
    assert findings(sheet) == []


def test_empty_frame():
    assert validate(load().sheet(DIAGNOSTIC), pd.DataFrame(), lambda row, column_id: None) == []


def test_mandatory_empty_is_an_error():
    [finding] = findings(DIAGNOSTIC, {"indicateur": None})
    assert (finding.code, finding.severity, finding.column, finding.cell, finding.row, finding.file) == (
        "valeur-obligatoire", ERREUR, "Indicateur", "B2", 2, "essai.xlsx")
    assert finding.message.startswith("La colonne « Indicateur » est obligatoire et cette cellule est vide.")


def test_expected_but_empty_is_a_warning():
    found = findings(DIAGNOSTIC, {"valeur": None, "source": None})
    assert sorted((finding.code, finding.severity, finding.column) for finding in found) == [
        ("valeur-manquante", AVERTISSEMENT, "Source"),
        ("valeur-manquante", AVERTISSEMENT, "Valeur territoire"),
    ]


def test_empty_with_a_default_is_left_to_the_reader():
    # An empty Statut is read as « À engager » (valeur-par-defaut) before the schema runs.
    assert findings(PLAN, {"statut": None}) == []


def test_collectivite_may_be_empty():
    assert findings(EQUIPEMENTS, {"collectivite": None}) == []


def test_out_of_list_quotes_the_value_and_suggests():
    [finding] = findings(DIAGNOSTIC, {"volet": "Petite enfanse"})
    assert (finding.code, finding.severity, finding.column, finding.cell) == (
        "valeur-hors-liste", ERREUR, "Volet", "A2")
    assert finding.message.startswith("« Petite enfanse » n'est pas une valeur de la liste « Volet ». "
                                      "Vouliez-vous dire « Petite enfance » ?")
    assert "Valeurs admises : Démographie, Précarité et insertion," in finding.message


def test_out_of_list_in_a_multiple_choice_column():
    [finding] = findings(EQUIPEMENTS, {"financement_caf": "PSU; Prestation jeunesse"})
    assert (finding.code, finding.column) == ("valeur-hors-liste", "Financement Caf")
    assert finding.message.startswith(
        "« Prestation jeunesse » n'est pas une valeur de la liste « Financement Caf »")


def test_negative_numbers():
    found = findings(EQUIPEMENTS, {"capacite": -3}, {"bonus_ctg": -1.5}, {"capacite": 0, "bonus_ctg": 0})
    assert [(finding.code, finding.column, finding.row) for finding in found] == [
        ("nombre-negatif", "Capacité (places)", 2),
        ("nombre-negatif", "Bonus territoire CTG (€)", 3),
    ]
    assert found[0].message == "« -3 » est négatif : « Capacité (places) » doit être un nombre positif ou nul."


def test_unreadable_numbers_are_not_reported_twice():
    # « abc » was already reported by the reader (nombre-illisible); the schema checks numbers only.
    assert findings(PLAN, {"budget": "abc"}) == []


def test_too_long_text():
    assert findings(DIAGNOSTIC, {"indicateur": "x" * 250}) == []
    [finding] = findings(DIAGNOSTIC, {"indicateur": "x" * 251})
    assert (finding.code, finding.severity, finding.column) == ("texte-trop-long", ERREUR, "Indicateur")
    assert "compte 251 caractères : « Indicateur » en admet 250 au plus." in finding.message


def test_every_failing_cell_is_reported_at_once():
    found = findings(DIAGNOSTIC, {"volet": "Sport", "unite": "kg"}, {"indicateur": None}, {"annee": None})
    assert sorted((finding.row, finding.code, finding.column) for finding in found) == [
        (2, "valeur-hors-liste", "Unité"),
        (2, "valeur-hors-liste", "Volet"),
        (3, "valeur-obligatoire", "Indicateur"),
        (4, "valeur-obligatoire", "Année"),
    ]


def test_schema_checks_are_named_by_finding_codes():
    schemas = all_schemas()
    assert set(schemas) == set(load().sheets) - {IDENTIFICATION}
    for schema in schemas.values():
        for column in schema.columns.values():
            for check in column.checks:
                assert check.name in CODES, check.name
    diag = schema_for(load().sheet(DIAGNOSTIC), [])
    assert [check.name for check in diag.columns["volet"].checks] == ["valeur-obligatoire", "valeur-hors-liste"]
    assert [check.name for check in diag.columns["indicateur"].checks] == ["valeur-obligatoire", "texte-trop-long"]
    assert "commentaire" not in diag.columns  # nothing to check


def test_extra_and_provenance_columns_are_ignored():
    spec = load().sheet(PLAN)
    data = frame(PLAN, {"statut": "Terminée"})
    data["+Colonne perso"] = ["n'importe quoi"]
    data["_ligne"] = [7]
    found = validate(spec, data, lambda row, column_id: ("f.xlsx", PLAN, None, int(row["_ligne"])))
    assert [(finding.code, finding.column, finding.row) for finding in found] == [("valeur-hors-liste", "Statut", 7)]
