"""The standard as data (``validators/``) says what TEMPLATES.md says, and it is the one
place: a list value changed there changes the drop-downs, the schemas and the reference page."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from ctgxl import docs
from ctgxl.checking.schemas import schema_for, validate
from ctgxl.standard import DATA_SHEETS, IDENTIFICATION, PLAN, header_index, load
from ctgxl.writing.template import write_template
from ctgxl.text import fold
from ctgxl.names import LISTS

# The contract (TEMPLATES.md), written out: headers in order, mandatory ones marked with *.
HEADERS = {
    IDENTIFICATION: ["Territoire *", "Type de territoire *", "Code INSEE ou SIREN *", "Caf *",
                     "Début de la convention *", "Fin de la convention *", "Communes membres",
                     "Service contributeur *", "Contact", "Courriel", "Date de mise à jour"],
    "Diagnostic": ["Volet *", "Indicateur *", "Commune", "Valeur territoire *", "Unité *", "Valeur département",
                   "Valeur France", "Année *", "Source *", "Commentaire"],
    "Enjeux": ["Volet *", "Enjeu *", "Priorité", "Commentaire"],
    "Équipements": ["Collectivité signataire *", "Type de structure *", "Nom de la structure *", "Adresse",
                    "Code postal", "Commune d'implantation", "Gestionnaire *", "Mode de gestion",
                    "Capacité (places)", "Financement Caf", "Bonus territoire CTG (€)", "N° équipement Caf",
                    "Observations"],
    "Plan d'actions": ["N° action *", "Thématique *", "Enjeu / axe", "Objectif *", "Constats",
                       "Intitulé de l'action *", "Description et modalités", "Public cible", "Pilote collectivité *",
                       "Pilote Caf", "Partenaires associés", "Année de début *", "Année de fin", "Statut *",
                       "Indicateurs de résultat", "Indicateurs d'impact", "Budget prévisionnel (€)",
                       "Financement Caf (€)", "Communes concernées", "Commentaire de suivi"],
    "Suivi des indicateurs": ["N° action *", "Indicateur *", "Type", "Cible", "Valeur de référence", "Année de référence"],
}

LISTS_EXPECTED = {
    "volets": ["Démographie", "Précarité et insertion", "Handicap", "Logement", "Petite enfance", "Enfance",
               "Jeunesse", "Parentalité", "Accès aux droits", "Inclusion numérique", "Animation de la vie sociale",
               "Financements Caf"],
    "unites": ["Nombre", "%", "‰", "€", "Ratio", "Jours", "ETP"],
    "types_territoire": ["Commune", "EPCI", "Autre groupement"],
    "types_structure": ["EAJE", "Micro-crèche", "Crèche familiale", "Crèche parentale", "RPE", "MAM", "LAEP",
                        "ALSH périscolaire", "ALSH extrascolaire", "Accueil de jeunes", "Centre social", "EVS",
                        "Ludothèque", "CLAS", "Reaap", "Médiation familiale", "Espace de rencontre", "PIJ / BIJ",
                        "France services", "Point numérique", "Séjours", "BAFA / BAFD", "Coordination", "Autre"],
    "modes_gestion": ["Régie municipale", "Régie intercommunale", "CCAS / CIAS", "Syndicat intercommunal",
                      "Associatif", "Privé", "DSP", "Autre"],
    "financements_caf": ["PSU", "PSO", "PS RPE", "PS LAEP", "PS Centre social", "PS EVS", "CMG",
                         "Bonus territoire CTG", "Aucun", "Autre"],
    "thematiques": ["Petite enfance", "Enfance", "Jeunesse", "Parentalité", "Animation de la vie sociale",
                    "Accès aux droits", "Inclusion numérique", "Logement", "Handicap", "Accompagnement social",
                    "Insertion", "Pilotage et coordination", "Transversal"],
    "statuts": ["À engager", "En cours", "Réalisée", "Reportée", "Abandonnée"],
    "types_indicateur": ["Résultat", "Impact"],
    "priorites": ["1", "2", "3"],
}

# Which list feeds which column.
LIST_OF = {
    (IDENTIFICATION, "Type de territoire"): "types_territoire",
    ("Diagnostic", "Volet"): "volets",
    ("Diagnostic", "Unité"): "unites",
    ("Enjeux", "Volet"): "volets",
    ("Enjeux", "Priorité"): "priorites",
    ("Équipements", "Type de structure"): "types_structure",
    ("Équipements", "Mode de gestion"): "modes_gestion",
    ("Équipements", "Financement Caf"): "financements_caf",
    ("Plan d'actions", "Thématique"): "thematiques",
    ("Plan d'actions", "Statut"): "statuts",
    ("Suivi des indicateurs", "Type"): "types_indicateur",
}


def test_version_and_templates():
    std = load()
    assert std.version == 2
    assert {kind: list(template.sheets) for kind, template in std.templates.items()} == {
        "diagnostic": [IDENTIFICATION, "Diagnostic", "Enjeux"],
        "equipements": [IDENTIFICATION, "Équipements"],
        "plan-actions": [IDENTIFICATION, "Plan d'actions", "Suivi des indicateurs"],
        "complet": [IDENTIFICATION, "Diagnostic", "Enjeux", "Équipements", "Plan d'actions",
                    "Suivi des indicateurs"],
    }
    assert list(std.sheets) == [IDENTIFICATION, *DATA_SHEETS]


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_headers_match_the_contract(sheet):
    assert [column.template_header for column in load().sheet(sheet).columns] == HEADERS[sheet]


def test_lists_match_the_contract():
    assert {name: list(values) for name, values in load().lists.items()} == LISTS_EXPECTED


def test_list_columns_use_the_right_list():
    std = load()
    found = {(sheet.name, column.header): column.list_name
             for sheet in std.sheets.values() for column in sheet.columns if column.list_name}
    assert found == LIST_OF
    assert std.sheet("Équipements").column("financement_caf").type == "multiliste"


def test_key_rules_of_the_contract():
    std = load()
    diag, equip, plan = std.sheet("Diagnostic"), std.sheet("Équipements"), std.sheet(PLAN)
    assert diag.column("indicateur").max_length == 250
    assert diag.column("valeur").empty == "avertissement"  # empty Valeur territoire is a warning
    assert diag.column("source").empty == "avertissement"
    assert equip.column("capacite").min == 0 and equip.column("capacite").type == "entier"
    assert equip.column("capacite").warn_empty_if == (
        "type_structure", ("EAJE", "Micro-crèche", "Crèche familiale", "Crèche parentale", "MAM",
                           "ALSH périscolaire", "ALSH extrascolaire"))
    assert equip.column("collectivite").empty == "accepte"  # empty = the territory
    assert plan.column("statut").default == "À engager"
    assert plan.column("annee_debut").period == "erreur" and plan.column("annee_fin").period == "avertissement"
    assert plan.column("pilote_caf").empty == "avertissement"
    assert {plan.column(column_id).min for column_id in ("budget", "financement_caf")} == {0}
    assert diag.key == ("commune", "indicateur", "annee")
    assert equip.key == ("type_structure", "nom_structure", "commune_implantation")
    assert std.sheet("Suivi des indicateurs").year_columns


def test_every_column_has_french_help():
    for sheet in load().sheets.values():
        assert sheet.help
        for column in sheet.columns:
            assert column.help and len(column.help) <= 255, column.header
            assert column.header == column.header.strip() and not column.header.endswith("*")


def test_aliases_and_older_headers_are_recognised():
    std = load()
    equip = header_index(std.sheet("Équipements"))
    assert equip[fold("Structure")] == "nom_structure"
    assert equip[fold("Type")] == "type_structure"
    assert equip[fold("Capacité")] == "capacite"  # version 0
    plan = header_index(std.sheet(PLAN))
    assert plan[fold("Pilote Ville")] == "pilote_collectivite"
    assert plan[fold("  ENJEU / AXE * ")] == "enjeu"
    assert std.value_renames("statuts") == {"Terminée": "Réalisée", "Non commencée": "À engager"}
    assert std.header_renames(PLAN, 0) == {"Pilote Ville": "Pilote collectivité", "Axe": "Enjeu / axe"}


def test_every_list_value_is_unique_once_folded():
    for name, values in load().lists.items():
        assert len({fold(value) for value in values}) == len(values), name


# --- the one-place property ----------------------------------------------------------------


def _edited_standard(folder):
    """The standard with « Reportée » renamed « Différée » and « Sport » added to the volets."""
    path = folder / "listes.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count('"Reportée"') == 1 and text.count('"Financements Caf",') == 1
    text = text.replace('"Reportée"', '"Différée"').replace('"Financements Caf",', '"Financements Caf", "Sport",')
    path.write_text(text, encoding="utf-8")
    return load(str(folder))


def _list_values(book, list_name: str) -> list[str]:
    sheet = book[LISTS]
    for cell in sheet[1]:
        if cell.value == list_name:
            return [row[0].value for row in sheet.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column)
                    if row[0].value is not None]
    raise KeyError(list_name)


def _drop_down(book, sheet_name: str, header: str) -> list[str]:
    sheet = book[sheet_name]
    letter = next(cell.column_letter for cell in sheet[1] if cell.value.removesuffix(" *") == header)
    validation = next(dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}2:"))
    assert validation.type == "list"
    sheet_name, letter, first, last = re.fullmatch(r"=?(\w+)!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)",
                                                   validation.formula1).groups()
    assert sheet_name == LISTS
    return [book[LISTS][f"{letter}{row}"].value for row in range(int(first), int(last) + 1)]


def _statut_findings(standard, value: str) -> list[str]:
    spec = standard.sheet(PLAN)
    frame = pd.DataFrame({column.id: [None] for column in spec.columns}, dtype=object)
    frame.loc[0, "statut"] = value
    return [finding.code for finding in validate(spec, frame, lambda row, column_id: ("f.xlsx", PLAN, "N2", 2))
            if finding.column == "Statut"]


def test_one_list_value_changed_in_one_place(validators_copy, tmp_path):
    original = load()
    edited = _edited_standard(validators_copy)
    assert edited.lists["statuts"] == ("À engager", "En cours", "Réalisée", "Différée", "Abandonnée")

    # Drop-downs: the hidden Listes sheet and the validation range.
    book = openpyxl.load_workbook(write_template(tmp_path / "edite.xlsx", "complet", standard=edited))
    assert "Différée" in _list_values(book, "statuts") and "Reportée" not in _list_values(book, "statuts")
    assert _drop_down(book, PLAN, "Statut") == list(edited.lists["statuts"])
    assert _drop_down(book, "Diagnostic", "Volet")[-1] == "Sport"
    assert _drop_down(book, "Enjeux", "Volet") == list(edited.lists["volets"])
    before = openpyxl.load_workbook(write_template(tmp_path / "avant.xlsx", "complet"))
    assert _drop_down(before, PLAN, "Statut") == list(original.lists["statuts"])

    # Schemas: the list check follows.
    assert _statut_findings(edited, "Différée") == []
    assert _statut_findings(edited, "Reportée") == ["valeur-hors-liste"]
    assert _statut_findings(original, "Différée") == ["valeur-hors-liste"]
    assert _statut_findings(original, "Reportée") == []
    schema = schema_for(edited.sheet(PLAN), [column.id for column in edited.sheet(PLAN).columns])
    assert "valeur-hors-liste" in [check.name for check in schema.columns["statut"].checks]

    # Reference page.
    page, page_before = docs.render(edited), docs.render(original)
    assert "- Différée\n" in page and "- Reportée\n" not in page
    assert "- Reportée\n" in page_before and "- Différée\n" not in page_before
    assert "- Sport\n" in page and "- Sport\n" not in page_before


def test_one_header_renamed_in_one_place(validators_copy, tmp_path):
    path = validators_copy / "plan_actions.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count('nom = "Objectif"') == 1
    path.write_text(text.replace('nom = "Objectif"', 'nom = "Objectif visé"'), encoding="utf-8")
    edited = load(str(validators_copy))
    book = openpyxl.load_workbook(write_template(tmp_path / "edite.xlsx", "plan-actions", standard=edited))
    assert "Objectif visé *" in [cell.value for cell in book[PLAN][1]]
    assert "| Objectif visé | oui | Texte |" in docs.render(edited)
    spec = edited.sheet(PLAN)
    frame = pd.DataFrame({column.id: [None] for column in spec.columns}, dtype=object)
    found = validate(spec, frame, lambda row, column_id: ("f.xlsx", PLAN, None, 2))
    assert ("Objectif visé", "valeur-obligatoire") in {(finding.column, finding.code) for finding in found}


def test_an_unknown_list_is_refused(validators_copy):
    path = validators_copy / "enjeux.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('liste = "priorites"', 'liste = "priorite"'),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="liste inconnue « priorite »"):
        load(str(validators_copy))
