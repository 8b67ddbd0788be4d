"""Each rule of the standard (TEMPLATES.md): one mistake typed at a known cell of a workbook
that is otherwise right, and the finding expected at that cell, with its code and severity."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from userfile import (
    EPCI,
    HANDMADE_HEADER_ROW,
    MINUS,
    NBSP,
    NNBSP,
    edit,
    handmade_workbook,
    second_plan_workbook,
    user_workbook,
)

from ctgxl.checking.check import check_paths
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION
from ctgxl.standard import PLAN

ID = "Identification"
DIAG = "Diagnostic"
EQ = "Équipements"
SUIVI = "Suivi des indicateurs"


@pytest.fixture(scope="session")
def good(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bons")
    (folder / "formule").mkdir()
    # The bases of the mistakes have no formula: the reader then skips a pass (the tests stay fast).
    return {
        "commune": user_workbook(folder / "dugny.xlsx", formula=False),
        "epci": user_workbook(folder / "epci.xlsx", EPCI, formula=False),
        "handmade": handmade_workbook(folder / "fait-main.xlsx"),
        "formula": user_workbook(folder / "formule" / "dugny.xlsx"),
    }


def with_mistake(good: dict[str, Path], tmp_path: Path, base: str, changes: dict) -> Path:
    return edit(good[base], changes, tmp_path / good[base].name)


def found(report, sheet, cell, code):
    return [finding for finding in report.findings
            if finding.sheet == sheet and finding.cell == cell and finding.code == code]


def test_good_workbooks_have_no_error(good):
    for name in ("commune", "epci", "handmade", "formula"):
        report = check_paths([good[name]])
        assert report.errors == [], (name, report.errors)
        assert report.warnings == [], (name, report.warnings)
        assert report.exit_code() == 0


# (base workbook, {sheet: {cell: typed value}}, sheet, cell, code, severity)
CASES = {
    # Identification
    "insee-trop-court": ("commune", {ID: {"B4": "9303"}}, ID, "B4", "code-territoire-invalide", ERREUR),
    "insee-lettres": ("commune", {ID: {"B4": "93A30"}}, ID, "B4", "code-territoire-invalide", ERREUR),
    "siren-cle-fausse": ("epci", {ID: {"B4": "200058098"}}, ID, "B4", "code-territoire-invalide", ERREUR),
    "siren-8-chiffres": ("epci", {ID: {"B4": "20005809"}}, ID, "B4", "code-territoire-invalide", ERREUR),
    "fin-avant-debut": ("commune", {ID: {"B7": "31/12/2022"}}, ID, "B7", "convention-fin-avant-debut", ERREUR),
    "convention-8-ans": ("commune", {ID: {"B7": "31/12/2030"}}, ID, "B7", "convention-trop-longue", ERREUR),
    "convention-5-ans-et-demi": ("commune", {ID: {"B7": "30/06/2028"}}, ID, "B7", "convention-longue", AVERTISSEMENT),
    "date-illisible": ("commune", {ID: {"B7": "fin 2027"}}, ID, "B7", "date-illisible", ERREUR),
    "courriel": ("commune", {ID: {"B11": "c.martin@dugny"}}, ID, "B11", "courriel-invalide", AVERTISSEMENT),
    "epci-sans-communes": ("epci", {ID: {"B8": None}}, ID, "B8", "valeur-obligatoire", ERREUR),
    "caf-vide": ("commune", {ID: {"B5": None}}, ID, "B5", "valeur-obligatoire", ERREUR),
    "type-territoire": ("commune", {ID: {"B3": "Ville"}}, ID, "B3", "valeur-hors-liste", ERREUR),
    # Diagnostic
    "volet-hors-liste": ("commune", {DIAG: {"A3": "Familles"}}, DIAG, "A3", "valeur-hors-liste", ERREUR),
    "volet-vide": ("commune", {DIAG: {"A3": None}}, DIAG, "A3", "valeur-obligatoire", ERREUR),
    "unite-hors-liste": ("commune", {DIAG: {"E3": "pourcent"}}, DIAG, "E3", "valeur-hors-liste", ERREUR),
    "indicateur-trop-long": ("commune", {DIAG: {"B3": "x" * 251}}, DIAG, "B3", "texte-trop-long", ERREUR),
    "commune-non-membre": ("epci", {DIAG: {"C2": "Paris"}}, DIAG, "C2", "commune-non-membre", ERREUR),
    "valeur-vide": ("commune", {DIAG: {"D3": None}}, DIAG, "D3", "valeur-manquante", AVERTISSEMENT),
    "valeur-illisible": ("commune", {DIAG: {"D3": "beaucoup"}}, DIAG, "D3", "nombre-illisible", ERREUR),
    "pourcent-sup-1000": ("commune", {DIAG: {"D3": f"1{NBSP}200 %"}}, DIAG, "D3", "pourcentage-hors-bornes", ERREUR),
    "pourcent-inf-moins-100": ("commune", {DIAG: {"D3": f"{MINUS}150"}}, DIAG, "D3", "pourcentage-hors-bornes",
                               ERREUR),
    "pourcent-sup-100": ("commune", {DIAG: {"D3": "116 %"}}, DIAG, "D3", "pourcentage-eleve", AVERTISSEMENT),
    "pourcent-fraction": ("commune", {DIAG: {"D3": 0.5}}, DIAG, "D3", "pourcentage-fraction", AVERTISSEMENT),
    "pourcent-fraction-texte": ("commune", {DIAG: {"D3": "0,5"}}, DIAG, "D3", "pourcentage-fraction",
                                AVERTISSEMENT),
    "pour-mille-sup-1000": ("commune", {DIAG: {"D12": "1 500"}}, DIAG, "D12", "pour-mille-hors-bornes", ERREUR),
    "nombre-negatif": ("commune", {DIAG: {"D2": f"{MINUS}12"}}, DIAG, "D2", "nombre-negatif", ERREUR),
    "nombre-fraction": ("commune", {DIAG: {"D2": "10 876,5"}}, DIAG, "D2", "nombre-fractionnaire", AVERTISSEMENT),
    "annee-1989": ("commune", {DIAG: {"H2": 1989}}, DIAG, "H2", "annee-invalide", ERREUR),
    "annee-texte": ("commune", {DIAG: {"H2": "vingt"}}, DIAG, "H2", "annee-invalide", ERREUR),
    "source-vide": ("commune", {DIAG: {"I3": None}}, DIAG, "I3", "valeur-manquante", AVERTISSEMENT),
    "departement-illisible": ("commune", {DIAG: {"F3": "n.c."}}, DIAG, "F3", "nombre-illisible", ERREUR),
    "doublon-different": ("commune", {DIAG: {"A13": "Démographie", "B13": "population municipale", "D13": 10900,
                                             "E13": "Nombre", "H13": 2021, "I13": "Insee"}},
                          DIAG, "H13", "doublon", ERREUR),
    "doublon-identique": ("commune", {DIAG: {"A13": "Démographie", "B13": "Population municipale",
                                             "D13": "10 876", "E13": "Nombre", "F13": 1655422, "G13": 68042372,
                                             "H13": "2021", "I13": "Insee RP2021"}},
                          DIAG, "H13", "doublon-identique", AVERTISSEMENT),
    # Enjeux
    "enjeu-volet-hors-liste": ("commune", {"Enjeux": {"A2": "Crèches"}}, "Enjeux", "A2", "valeur-hors-liste", ERREUR),
    "enjeu-vide": ("commune", {"Enjeux": {"B3": None}}, "Enjeux", "B3", "valeur-obligatoire", ERREUR),
    "priorite-4": ("commune", {"Enjeux": {"C2": 4}}, "Enjeux", "C2", "valeur-hors-liste", ERREUR),
    "enjeu-repete": ("commune", {"Enjeux": {"A4": "Petite enfance",
                                            "B4": "Développer l'offre d'accueil du jeune enfant", "C4": 1}},
                     "Enjeux", "B4", "doublon-identique", AVERTISSEMENT),
    # Équipements
    "structure-en-double": ("commune", {EQ: {"C2": "Crèche  Les Lilas", "B6": "EAJE", "C6": "creche les lilas",
                                             "D6": "12 rue Pierre Sémard", "F6": "dugny", "G6": "Association", "I6": 20}},
                            EQ, "F6", "doublon", ERREUR),
    "capacite-vide-eaje": ("commune", {EQ: {"I2": None}}, EQ, "I2", "capacite-manquante", AVERTISSEMENT),
    "capacite-non-entiere": ("commune", {EQ: {"I2": "60,5"}}, EQ, "I2", "nombre-non-entier", ERREUR),
    "capacite-negative": ("commune", {EQ: {"I2": -3}}, EQ, "I2", "nombre-negatif", ERREUR),
    "code-postal": ("commune", {EQ: {"E2": "9344"}}, EQ, "E2", "code-postal-invalide", ERREUR),
    "bonus-negatif": ("commune", {EQ: {"K2": f"{MINUS}1{NNBSP}000 €"}}, EQ, "K2", "nombre-negatif", ERREUR),
    "financement-un-mauvais": ("commune", {EQ: {"J2": "PSU; PSX"}}, EQ, "J2", "valeur-hors-liste", ERREUR),
    "type-hors-liste": ("commune", {EQ: {"B3": "Relais"}}, EQ, "B3", "valeur-hors-liste", ERREUR),
    "gestionnaire-vide": ("commune", {EQ: {"G3": None}}, EQ, "G3", "valeur-obligatoire", ERREUR),
    "adresse-vide": ("commune", {EQ: {"D3": None}}, EQ, "D3", "valeur-manquante", AVERTISSEMENT),
    "mode-gestion": ("commune", {EQ: {"H3": "Mairie"}}, EQ, "H3", "valeur-hors-liste", ERREUR),
    "collectivite-hors-epci": ("epci", {EQ: {"A3": "Sevran"}}, EQ, "A3", "commune-non-membre", ERREUR),
    # Plan d'actions
    "debut-hors-convention": ("commune", {PLAN: {"L3": 2021}}, PLAN, "L3", "annee-hors-convention", ERREUR),
    "fin-avant-debut-action": ("commune", {PLAN: {"M2": 2023}}, PLAN, "M2", "annee-fin-avant-debut", ERREUR),
    "fin-apres-convention": ("commune", {PLAN: {"M2": "2029"}}, PLAN, "M2", "annee-apres-convention",
                             AVERTISSEMENT),
    "statut-vide": ("commune", {PLAN: {"N2": None}}, PLAN, "N2", "valeur-par-defaut", AVERTISSEMENT),
    "statut-hors-liste": ("commune", {PLAN: {"N2": "Fini"}}, PLAN, "N2", "valeur-hors-liste", ERREUR),
    "financement-sup-budget": ("commune", {PLAN: {"R2": "200 000 €"}}, PLAN, "R2", "financement-superieur-budget",
                               AVERTISSEMENT),
    "sans-indicateur": ("commune", {PLAN: {"O2": None}}, PLAN, "O2", "indicateurs-absents", AVERTISSEMENT),
    "pilote-collectivite-vide": ("commune", {PLAN: {"I2": None}}, PLAN, "I2", "valeur-obligatoire", ERREUR),
    "pilote-caf-vide": ("commune", {PLAN: {"J2": None}}, PLAN, "J2", "valeur-manquante", AVERTISSEMENT),
    "budget-negatif": ("commune", {PLAN: {"Q3": -5}}, PLAN, "Q3", "nombre-negatif", ERREUR),
    "thematique-hors-liste": ("commune", {PLAN: {"B3": "Famille"}}, PLAN, "B3", "valeur-hors-liste", ERREUR),
    "numero-en-double-meme-fichier": ("commune", {PLAN: {"A3": "1"}}, PLAN, "A3", "doublon", ERREUR),
    "commune-concernee-hors-epci": ("epci", {PLAN: {"S2": "Dugny; Sevran"}}, PLAN, "S2", "commune-non-membre",
                                    ERREUR),
    # Suivi des indicateurs
    "action-inconnue": ("commune", {SUIVI: {"A2": "99"}}, SUIVI, "A2", "action-inconnue", ERREUR),
    "suivi-valeur-illisible": ("commune", {SUIVI: {"H2": "dix"}}, SUIVI, "H2", "nombre-illisible", ERREUR),
    "suivi-indicateur-vide": ("commune", {SUIVI: {"B3": None}}, SUIVI, "B3", "valeur-obligatoire", ERREUR),
    "suivi-reference-apres-debut": ("commune", {SUIVI: {"F2": 2024}}, SUIVI, "F2", "annee-reference-apres-debut",
                                    ERREUR),
    # Structure of the sheets
    "colonne-obligatoire-absente": ("commune", {DIAG: {"H1": None}}, DIAG, "A1", "colonne-manquante", ERREUR),
}


# The findings that follow from a mistake by construction (nothing else may be reported).
CONSEQUENCES: dict[str, list[tuple[str, str | None, str]]] = {
    # the convention now ends before it starts: the plan's years fall outside it
    "fin-avant-debut": [(PLAN, "L2", "annee-hors-convention"), (PLAN, "L3", "annee-hors-convention"),
                        (PLAN, "M2", "annee-apres-convention")],
    # without its member communes, the communes named in the EPCI's sheets are not members
    "epci-sans-communes": [(DIAG, "C2", "commune-non-membre"), (PLAN, "S2", "commune-non-membre")],
    # the Caf's funding is now above the (negative) budget
    "budget-negatif": [(PLAN, "R3", "financement-superieur-budget")],
    # action 2 is renumbered 1: the Suivi row of action 2 follows an unknown action
    "numero-en-double-meme-fichier": [(SUIVI, "A3", "action-inconnue")],
    # the column is gone: each row lacks its mandatory value (said per row, without a cell)
    "colonne-obligatoire-absente": [(DIAG, None, "valeur-obligatoire")] * 9,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_one_mistake_one_finding(good, tmp_path, case):
    base, changes, sheet, cell, code, severity = CASES[case]
    report = check_paths([with_mistake(good, tmp_path, base, changes)])
    matches = found(report, sheet, cell, code)
    assert matches, f"{code} attendu en {sheet}!{cell}; trouvé : " + "; ".join(
        f"{f.sheet}!{f.cell} {f.code}" for f in report.findings)
    assert {finding.severity for finding in matches} == {severity}
    # and nothing else: no second finding for the same mistake, none elsewhere
    others = sorted((f.sheet, f.cell, f.code) for f in report.findings
                    if f not in matches and f.severity != INFORMATION)
    assert others == sorted(CONSEQUENCES.get(case, [])), others
    assert len(matches) == 1, matches
    finding = matches[0]
    assert finding.message.rstrip().endswith((".", "?", ")")), finding.message
    assert finding.row == int("".join(char for char in cell if char.isdigit()))
    assert report.exit_code() == (1 if severity == ERREUR else 0)
    if severity == AVERTISSEMENT:
        assert report.exit_code(strict=True) == 1


def test_years_of_data_are_bound_to_the_date_of_the_check(good, tmp_path):
    """A year of data is at most next year's, counted from the date the check is given."""
    from datetime import date

    path = with_mistake(good, tmp_path, "commune", {DIAG: {"H2": 2025}})
    assert not found(check_paths([path], today=date(2024, 6, 1)), DIAG, "H2", "annee-invalide")
    late = found(check_paths([path], today=date(2023, 6, 1)), DIAG, "H2", "annee-invalide")
    assert [finding.message for finding in late] == [
        "L'année 2025 est hors bornes : elle doit être comprise entre 1990 et 2024."]


def test_messages_quote_the_value(good, tmp_path):
    report = check_paths([with_mistake(good, tmp_path, "commune", {EQ: {"J2": "PSU; PSX"}, DIAG: {"D3": "beaucoup"}})])
    (financement,) = found(report, EQ, "J2", "valeur-hors-liste")
    assert "« PSX »" in financement.message and "PSU" in financement.message
    assert financement.column == "Financement Caf"
    (number,) = found(report, DIAG, "D3", "nombre-illisible")
    assert "« beaucoup »" in number.message


def test_list_suggestion(good, tmp_path):
    report = check_paths([with_mistake(good, tmp_path, "commune", {DIAG: {"A3": "Petite enfence"}})])
    (finding,) = found(report, DIAG, "A3", "valeur-hors-liste")
    assert "Vouliez-vous dire « Petite enfance » ?" in finding.message


@pytest.mark.parametrize("marker", ["<5", "< 5", "s", "S", "secret", " Secret "])
def test_secrecy_markers_are_accepted(good, tmp_path, marker):
    report = check_paths([with_mistake(good, tmp_path, "commune", {DIAG: {"D8": marker}})])
    assert [f for f in report.findings if f.sheet == DIAG and f.cell == "D8"] == []
    assert report.exit_code() == 0


def test_empty_status_is_read_as_a_engager(good, tmp_path):
    report = check_paths([with_mistake(good, tmp_path, "commune", {PLAN: {"N2": None}})])
    frame = report.tables.frames[PLAN]
    assert list(frame["statut"]) == ["À engager", "À engager"]
    assert report.exit_code() == 0


def test_list_values_are_written_canonically(good):
    report = check_paths([good["commune"]])
    frames = report.tables.frames
    assert frames[DIAG]["volet"][0] == "Démographie"
    assert frames[DIAG]["unite"][0] == "Nombre"
    assert frames[EQ]["type_structure"][0] == "EAJE"
    assert frames[EQ]["financement_caf"][0] == "PSU; Bonus territoire CTG"
    assert frames[PLAN]["statut"][0] == "En cours"


def test_numbers_as_people_type_them(good):
    frame = check_paths([good["formula"]]).tables.frames[DIAG]
    by_row = {row: index for index, row in enumerate(frame["_ligne"])}
    value = lambda row, column="valeur": frame[column][by_row[row]]
    assert value(2) == 10876 and value(2, "valeur_departement") == 1655422
    assert value(3) == 54.5
    assert value(5) == -0.9
    assert value(6) == 54  # 0.54 in a cell with a percent format
    assert value(6, "valeur_departement") == 58.1
    assert value(7) == 1366627
    assert value(8) == "<5"
    assert value(9) == 11.3  # the cached value of a formula
    assert value(12) == 14.2
    assert 4 not in by_row and 10 not in by_row  # blank rows skipped


def test_formula_without_cached_value_is_a_warning(good, tmp_path):
    report = check_paths([with_mistake(good, tmp_path, "formula", {DIAG: {"D3": "=1+1"}})])
    assert [f.severity for f in found(report, DIAG, "D3", "formule-sans-valeur")] == [AVERTISSEMENT]
    assert found(report, DIAG, "D9", "formule-sans-valeur") == []  # D9 kept its computed value


def test_numero_en_double_across_two_files_of_one_territory(good, tmp_path):
    first = with_mistake(good, tmp_path, "commune", {})
    second = second_plan_workbook(tmp_path / "jeunesse.xlsx", numero="1")
    report = check_paths([first, second])
    matches = [f for f in report.findings if f.code == "doublon" and f.sheet == PLAN]
    assert [(Path(f.file).name, f.cell, f.severity) for f in matches] == [("jeunesse.xlsx", "A2", ERREUR)]
    assert "dugny.xlsx" in matches[0].message
    # A different number is fine.
    other = second_plan_workbook(tmp_path / "jeunesse2.xlsx", numero="J-1")
    assert check_paths([first, other]).errors == []


def test_suivi_may_refer_to_an_action_of_another_file(good, tmp_path):
    plan = second_plan_workbook(tmp_path / "jeunesse.xlsx", numero="J-1")
    mine = with_mistake(good, tmp_path, "commune", {SUIVI: {"A3": "j-1"}})
    report = check_paths([mine, plan])
    assert [f for f in report.findings if f.code == "action-inconnue"] == []


def test_extra_column_is_reported_once_as_information(good, tmp_path):
    report = check_paths([with_mistake(good, tmp_path, "commune", {DIAG: {"K1": "Remarques internes",
                                                                         "K2": "à vérifier", "K3": "ok"}})])
    extra = [f for f in report.findings if f.code == "colonne-inconnue"]
    assert [(f.sheet, f.cell, f.severity, f.column) for f in extra] == [(DIAG, "K1", INFORMATION, "Remarques internes")]
    assert report.exit_code(strict=True) == 0


def test_handmade_header_below_a_title(good, tmp_path):
    """Header in row 5, aliases (Structure, Type), case, accents, line breaks, trailing ` *`."""
    book = openpyxl.load_workbook(good["handmade"])
    sheet = book["Equipements"]
    sheet.cell(row=HANDMADE_HEADER_ROW + 1, column=5, value="934")  # code postal of the first row
    sheet.cell(row=HANDMADE_HEADER_ROW + 3, column=2, value="Ludo")  # Type of the second row
    target = tmp_path / "fait-main.xlsx"
    book.save(target)
    report = check_paths([target])
    assert found(report, "Equipements", "E6", "code-postal-invalide")
    assert found(report, "Equipements", "B8", "valeur-hors-liste")
    table = report.books[0].tables[EQ]
    assert table.header_row == HANDMADE_HEADER_ROW
    assert {"type_structure", "nom_structure", "code_postal", "commune_implantation", "gestionnaire",
            "capacite", "financement_caf", "collectivite", "adresse"} <= set(table.positions)
    assert table.extra == [("Remarques internes", 10)]
    assert [f.code for f in report.findings if f.code == "colonne-manquante"] == []


def test_handmade_identification_is_read(good):
    report = check_paths([good["handmade"]])
    book = report.books[0]
    assert book.identification["territoire"] == "Dugny"
    assert book.kind == "equipements"
    frame = report.tables.frames[EQ]
    assert list(frame["type_structure"]) == ["Micro-crèche", "LAEP"]
    assert list(frame["mode_gestion"]) == ["Privé", "Associatif"]


def test_workbook_without_identification_is_a_warning(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan d'actions"
    sheet.append(["N° action", "Thématique", "Objectif", "Intitulé de l'action", "Pilote collectivité",
                  "Pilote Caf", "Année de début", "Statut", "Indicateurs de résultat"])
    sheet.append([1, "Jeunesse", "Objectif", "Action", "Ville", "Caf", 2024, "En cours", "Jeunes accueillis"])
    book.save(tmp_path / "plan.xlsx")
    report = check_paths([tmp_path / "plan.xlsx"])
    assert report.errors == []
    assert [(f.sheet, f.cell, f.severity) for f in report.warnings] == [(None, None, AVERTISSEMENT)]
    assert "Identification" in report.warnings[0].message
