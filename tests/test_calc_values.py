"""What Excel and Calc make of typing, read as the person saw it: « 25 % » in a text column,
a year typed into a date cell, a postcode outside the territory's département."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from ctgxl.checking.checks import department_of_insee
from ctgxl.cli import cli
from ctgxl.reading.values import parse_date, parse_text
from ctgxl.standard import IDENTIFICATION, load


def test_percent_in_a_text_column_reads_as_shown():
    column = load().sheet("Suivi des indicateurs").column("cible")
    assert parse_text(0.25, column, percent=True) == ("25 %", None)
    assert parse_text(0.075, column, percent=True) == ("7,5 %", None)
    assert parse_text(0.25, column) == ("0.25", None)


def test_year_typed_in_a_date_cell():
    spec = load().sheet(IDENTIFICATION)
    start, end = spec.column("debut"), spec.column("fin")
    # Calc and Excel store « 2023 » typed in a date cell as the day 2023: 15/07/1905
    assert parse_date(datetime(1905, 7, 15), start) == (date(2023, 1, 1), None)
    assert parse_date(datetime(1905, 7, 19), end) == (date(2027, 12, 31), None)
    assert parse_date(datetime(2024, 3, 15), start) == (date(2024, 3, 15), None)
    assert parse_date(datetime(1905, 7, 15, 12), start) == (date(1905, 7, 15), None)  # a time: a real moment


def test_department_of_insee():
    assert department_of_insee("93030") == "93"
    assert department_of_insee("2A004") == "20"
    assert department_of_insee("97411") == "974"
    assert department_of_insee("246200364") is None
    assert department_of_insee(None) is None


def test_percent_text_kept_through_format_merge_split(tmp_path: Path):
    runner = CliRunner()
    template = tmp_path / "modele.xlsx"
    assert runner.invoke(cli, ["template", "plan-actions", "-o", str(template), "--territoire", "Dugny", "--type",
                               "Commune", "--code", "93030", "--caf", "Caf de la Seine-Saint-Denis", "--debut", "2023",
                               "--fin", "2027", "--service", "Petite enfance"]).exit_code == 0
    book = openpyxl.load_workbook(template)
    plan = book["Plan d'actions"]
    headers = {str(cell.value).removesuffix(" *"): cell.column for cell in plan[1] if cell.value}
    for header, value in {"N° action": "PE-1", "Thématique": "Petite enfance", "Objectif": "Offre",
                          "Intitulé de l'action": "Crèche", "Pilote collectivité": "Enfance",
                          "Pilote Caf": "Conseillère", "Année de début": 2024, "Statut": "En cours",
                          "Indicateurs de résultat": "Places"}.items():
        plan.cell(2, headers[header], value)
    follow = book["Suivi des indicateurs"]
    headers = {str(cell.value).removesuffix(" *"): cell.column for cell in follow[1] if cell.value}
    follow.cell(2, headers["N° action"], "PE-1")
    follow.cell(2, headers["Indicateur"], "Taux d'occupation")
    follow.cell(2, headers["Cible"], 0.25).number_format = "0%"
    filled = tmp_path / "rempli.xlsx"
    book.save(filled)
    assert runner.invoke(cli, ["check", str(filled)]).exit_code == 0
    assert runner.invoke(cli, ["format", str(filled), "-o", str(tmp_path / "format.xlsx")]).exit_code == 0
    assert runner.invoke(cli, ["merge", str(filled), "-o", str(tmp_path / "fusion.xlsx")]).exit_code == 0
    assert runner.invoke(cli, ["split", str(tmp_path / "fusion.xlsx"), "-o", str(tmp_path / "decoupe")]).exit_code == 0
    for output in [tmp_path / "format.xlsx", tmp_path / "fusion.xlsx", *sorted((tmp_path / "decoupe").glob("*.xlsx"))]:
        sheet = openpyxl.load_workbook(output, read_only=True)["Suivi des indicateurs"]
        header, row = list(sheet.iter_rows(max_row=2, values_only=True))
        assert row[list(header).index("Cible")] == "25 %", output.name
