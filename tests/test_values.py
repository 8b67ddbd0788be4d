"""Values as people type them (TEMPLATES.md, « Values, as people type them »)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctgxl.findings import AVERTISSEMENT, ERREUR
from ctgxl.standard import DIAGNOSTIC, EQUIPEMENTS, IDENTIFICATION, PLAN, load
from ctgxl.text import fold, fold_name
from ctgxl.reading.values import (
    as_text,
    list_lookup,
    luhn_ok,
    parse_choice,
    parse_choices,
    parse_date,
    parse_email,
    parse_integer,
    parse_number,
    parse_postcode,
    parse_territory_code,
    parse_value,
    parse_year,
    split_names,
    territory_code_problem,
)

NBSP, NNBSP, THIN, MINUS = "\u00a0", "\u202f", "\u2009", "\u2212"


def column(sheet: str, column_id: str):
    return load().sheet(sheet).column(column_id)


@pytest.mark.parametrize("typed, expected", [
    ("1 366 627 €", (1366627, "€")),
    (f"1{NNBSP}366{NNBSP}627{NBSP}€", (1366627, "€")),
    (f"1{NBSP}366{NBSP}627", (1366627, "")),
    (f"1{THIN}234", (1234, "")),
    ("54 %", (54, "%")),
    ("54,5%", (54.5, "%")),
    (f"54,5{NBSP}%", (54.5, "%")),
    ("2,0 ‰", (2, "‰")),
    ("1,17", (1.17, "")),
    (f"{MINUS}0,9", (-0.9, "")),
    (f"{MINUS} 0,9 %", (-0.9, "%")),
    ("–5", (-5, "")),  # en dash
    ("+3,5 %", (3.5, "%")),
    ("1.234,5", (1234.5, "")),
    ("1.234.567", (1234567, "")),
    ("1.234", (1234, "")),  # a dot between groups of three is a thousands separator in French
    ("12.5", (12.5, "")),
    ("1'234", (1234, "")),
    ("1 234,56 €", (1234.56, "€")),
    ("€ 12", (12, "€")),
    ("12 EUR", (12, "€")),
    ("12 euros", (12, "€")),
    ("12 Euros", (12, "€")),
    ("  42  ", (42, "")),
    (42, (42, "")),
    (2.5, (2.5, "")),
    ("0", (0, "")),
])
def test_parse_number(typed, expected):
    value, sign = parse_number(typed)
    assert (value, sign) == expected
    assert type(value) is type(expected[0])  # whole numbers come back as int


@pytest.mark.parametrize("typed", ["abc", "", "12,5,3", "--5", "1 2 3 a", True, None, float("nan"), float("inf"),
                                   "inf", "nan", "€", "%", date(2024, 1, 1)])
def test_parse_number_refuses(typed):
    assert parse_number(typed) == (None, "")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from([" ", NBSP, NNBSP, THIN]))
def test_french_thousands_round_trip(number, space):
    typed = f"{number:,}".replace(",", space).replace("-", MINUS)
    assert parse_number(typed) == (number, "")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_french_decimals_round_trip(whole, cents):
    typed = f"{whole:,}".replace(",", NNBSP) + f",{cents:02d} €"
    value, sign = parse_number(typed)
    assert sign == "€" and value == pytest.approx(whole + cents / 100)


# --- Valeur territoire: numbers, percents, secrecy markers ------------------------------------

VALEUR = column(DIAGNOSTIC, "valeur")


@pytest.mark.parametrize("typed, expected", [("<5", "<5"), ("< 5", "<5"), ("s", "s"), ("S", "s"),
                                             ("secret", "secret"), (" Secret ", "secret")])
def test_secrecy_markers(typed, expected):
    assert parse_value(typed, VALEUR) == (expected, None)


def test_percent_format_means_times_100():
    assert parse_value(0.54, VALEUR, percent=True) == (54, None)
    assert parse_value(0.545, VALEUR, percent=True) == (54.5, None)
    assert parse_value(1.16, VALEUR, percent=True) == (116, None)
    assert parse_value("54 %", VALEUR) == (54, None)
    assert parse_value(54, VALEUR) == (54, None)


def test_unreadable_value_is_kept_and_quoted():
    value, (code, severity, message) = parse_value("env. 12", VALEUR)
    assert value == "env. 12"
    assert (code, severity) == ("nombre-illisible", ERREUR)
    assert "« env. 12 »" in message


def test_integer():
    capacity = column(EQUIPEMENTS, "capacite")
    assert parse_integer("60", capacity) == (60, None)
    assert parse_integer(60.0, capacity) == (60, None)
    value, problem = parse_integer("60,5", capacity)
    assert value == 60.5 and problem[:2] == ("nombre-non-entier", ERREUR)


# --- Years and dates ----------------------------------------------------------------------------

def test_years():
    annee = column(DIAGNOSTIC, "annee")
    next_year = date.today().year + 1
    assert parse_year(2021, annee) == (2021, None)
    assert parse_year("2021", annee) == (2021, None)
    assert parse_year(2021.0, annee) == (2021, None)
    assert parse_year(datetime(2021, 5, 3), annee) == (2021, None)
    assert parse_year(1990, annee) == (1990, None)
    # a year of data after next year is a rule of the check (test_rules), bound to its date
    assert parse_year(next_year + 1, annee) == (next_year + 1, None)
    for wrong in ("20xx", "2021,5", 21, 1899, 2201):
        _, problem = parse_year(wrong, annee)
        assert problem[:2] == ("annee-invalide", ERREUR) and "«" in problem[2]


def test_plan_years_are_bounded_by_the_convention_not_here():
    debut = column(PLAN, "annee_debut")
    assert parse_year(1985, debut) == (1985, None)  # the period rule says what is wrong


@pytest.mark.parametrize("typed, expected", [
    ("25/11/2024", date(2024, 11, 25)),
    ("25/11/24", date(2024, 11, 25)),
    ("25.11.2024", date(2024, 11, 25)),
    ("2024-11-25", date(2024, 11, 25)),
    ("2024-11-25 00:00:00", date(2024, 11, 25)),
    (datetime(2024, 11, 25, 0, 0), date(2024, 11, 25)),
    (date(2024, 11, 25), date(2024, 11, 25)),
    (45621, date(2024, 11, 25)),  # an Excel serial number
    (2023, date(2023, 1, 1)),
    ("2023", date(2023, 1, 1)),
])
def test_dates(typed, expected):
    assert parse_date(typed, column(IDENTIFICATION, "debut")) == (expected, None)


def test_a_year_as_end_date_is_the_31st_of_december():
    assert parse_date(2027, column(IDENTIFICATION, "fin")) == (date(2027, 12, 31), None)
    assert parse_date("2027", column(IDENTIFICATION, "fin")) == (date(2027, 12, 31), None)


@pytest.mark.parametrize("typed", ["31/02/2024", "demain", "2024/13/01", "13/13/2024"])
def test_unreadable_dates(typed):
    value, problem = parse_date(typed, column(IDENTIFICATION, "debut"))
    assert value == typed and problem[:2] == ("date-illisible", ERREUR)
    assert f"« {typed} »" in problem[2]


# --- Codes, e-mail, lists -------------------------------------------------------------------

def test_postcodes():
    code = column(EQUIPEMENTS, "code_postal")
    assert parse_postcode("93440", code) == ("93440", None)
    assert parse_postcode(93440, code) == ("93440", None)
    assert parse_postcode(1000, code) == ("01000", None)  # Excel dropped the leading zero
    assert parse_postcode("9344", code)[1][:2] == ("code-postal-invalide", ERREUR)


def test_email():
    courriel = column(IDENTIFICATION, "courriel")
    assert parse_email("c.martin@ville-dugny.fr", courriel) == ("c.martin@ville-dugny.fr", None)
    for wrong in ("c.martin@dugny", "c.martin", "a b@c.fr"):
        assert parse_email(wrong, courriel)[1][:2] == ("courriel-invalide", AVERTISSEMENT)


def test_territory_codes():
    assert luhn_ok("200058097") and not luhn_ok("200058098")
    assert territory_code_problem("93030", "Commune") is None
    assert territory_code_problem("2A004", "Commune") is None
    assert territory_code_problem("2B033", "Commune") is None
    assert territory_code_problem("9303", "Commune")
    assert territory_code_problem("2C004", "Commune")
    assert territory_code_problem("200058097", "EPCI") is None
    assert "clé" in territory_code_problem("200058098", "EPCI")
    assert territory_code_problem("93030", "EPCI")
    assert territory_code_problem("93030", "Autre groupement") is None
    code = column(IDENTIFICATION, "code")
    assert parse_territory_code(1004, code) == ("01004", None)
    assert parse_territory_code("200 058 097", code) == ("200058097", None)
    assert parse_territory_code("2a004", code) == ("2A004", None)


def test_list_values_compare_without_case_accents_spaces():
    types = column(EQUIPEMENTS, "type_structure")
    lookup = list_lookup(types)
    assert parse_choice("eaje", types, lookup) == ("EAJE", None)
    assert parse_choice(" micro-creche ", types, lookup) == ("Micro-crèche", None)
    statut = column(PLAN, "statut")
    statuts = list_lookup(statut, load().value_renames("statuts"))
    assert parse_choice("en cours", statut, statuts) == ("En cours", None)
    assert parse_choice("A ENGAGER", statut, statuts) == ("À engager", None)
    assert parse_choice("Terminée", statut, statuts) == ("Réalisée", None)  # the older spelling
    value, problem = parse_choice("Fini", statut, statuts)
    assert value == "Fini" and problem[:2] == ("valeur-hors-liste", ERREUR)


def test_multi_list():
    financement = column(EQUIPEMENTS, "financement_caf")
    lookup = list_lookup(financement)
    assert parse_choices("psu;PSO\ncmg; psu", financement, lookup) == ("PSU; PSO; CMG", None)
    value, problem = parse_choices("PSU; PSX", financement, lookup)
    assert value == "PSU; PSX" and problem[0] == "valeur-hors-liste" and "« PSX »" in problem[2]


def test_names_and_text():
    assert split_names("Dugny;Le Bourget\n Aulnay-sous-Bois ;") == ["Dugny", "Le Bourget", "Aulnay-sous-Bois"]
    assert as_text(12.0) == "12" and as_text(12.5) == "12.5"
    assert as_text(datetime(2024, 11, 25)) == "25/11/2024"
    assert as_text(True) == "VRAI"


def test_folding():
    assert fold("Capacité (places) *") == fold("capacite (places)")
    assert fold("Code\npostal") == fold("CODE POSTAL ")
    assert fold("Commune d’implantation") == fold("Commune d'implantation")
    assert fold_name("Crèche  Les Lilas") == fold_name("creche les lilas") == fold_name("Crèche-Les Lilas.")
