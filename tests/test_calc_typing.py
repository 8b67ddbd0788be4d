"""Typing into a template as a person does in LibreOffice Calc in French (``calc_typing.py``,
run under the system Python that has LibreOffice's `uno`), saved as .xlsx, .ods and .xls:

- values typed right give no finding, and every value ctgxl reads is what Calc shows;
- real mistakes are each found at their cell;
- amounts in the files LibreOffice saved still show « 24 500 € » (not « 25€ »).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from ctgxl.checking.check import check_paths
from ctgxl.checking.checks import identification_values
from ctgxl.reading.reader import read_workbook
from ctgxl.reading.tables import build_tables
from ctgxl.reading.values import parse_number
from ctgxl.writing.template import Prefill, write_template

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None or not Path("/usr/bin/python3").exists(),
                                 reason="LibreOffice et son module uno (python3-uno) sont nécessaires")]

SCRIPT = Path(__file__).with_name("calc_typing.py")
FORMATS = ("xlsx", "ods", "xls")
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})

# What a service types, column by column (headers without « * »); Identification by its labels.
GOOD = {
    "Identification": {"Début de la convention": "2023", "Fin de la convention": "31/12/2027",
                       "Courriel": "creche@dugny.fr", "Date de mise à jour": "15/03/2024"},
    "Diagnostic": {"Volet": "Petite enfance", "Indicateur": "Taux de couverture", "Valeur territoire": "54 %",
                   "Unité": "%", "Valeur département": "47 %", "Valeur France": "59,5 %", "Année": "2022",
                   "Source": "Caf"},
    "Équipements": {"Collectivité signataire": "Dugny", "Type de structure": "EAJE",
                    "Nom de la structure": "Crèche Les Lilas", "Adresse": "2 rue de la Paix", "Code postal": "93440",
                    "Gestionnaire": "Ville de Dugny", "Capacité (places)": "60",
                    "Bonus territoire CTG (€)": "24 500 €"},
    "Plan d'actions": {"N° action": "PE-1", "Thématique": "Petite enfance", "Objectif": "Augmenter l'offre",
                       "Intitulé de l'action": "Ouvrir une crèche", "Pilote collectivité": "Direction enfance",
                       "Pilote Caf": "Conseillère territoriale",
                       "Année de début": "2024", "Statut": "En cours", "Indicateurs de résultat": "Places créées",
                       "Budget prévisionnel (€)": "24 500 €", "Financement Caf (€)": "12 000 €"},
    "Suivi des indicateurs": {"N° action": "PE-1", "Indicateur": "Taux d'occupation", "Type": "Résultat",
                              "Cible": "25 %", "2024": "54 %"},
}
# Real mistakes: (sheet, column, typed, finding code expected at that cell).
MISTAKES = [
    ("Équipements", "Code postal", "9344", "code-postal-departement"),
    ("Équipements", "Capacité (places)", "soixante", "nombre-illisible"),
    ("Plan d'actions", "Année de début", "2019", "annee-hors-convention"),
    ("Plan d'actions", "Statut", "Fini", "valeur-hors-liste"),
    ("Plan d'actions", "Budget prévisionnel (€)", "beaucoup", "nombre-illisible"),
    ("Identification", "Courriel", "creche.dugny.fr", "courriel-invalide"),
    ("Suivi des indicateurs", "N° action", "PE-9", "action-inconnue"),
]
AMOUNTS = [("Équipements", "Bonus territoire CTG (€)"), ("Plan d'actions", "Budget prévisionnel (€)")]


def places(template: Path) -> dict[str, dict[str, str]]:
    """sheet -> header (or Identification label) -> cell where a person types it (first data row)."""
    book = openpyxl.load_workbook(template, read_only=True)
    found: dict[str, dict[str, str]] = {}
    for title in GOOD:
        rows = list(book[title].iter_rows(min_row=1, max_row=20 if title == "Identification" else 1))
        if title == "Identification":
            found[title] = {str(row[0].value).removesuffix(" *"): f"B{row[0].row}" for row in rows if row[0].value}
        else:
            found[title] = {str(cell.value).removesuffix(" *"): f"{cell.column_letter}2" for cell in rows[0]
                            if cell.value is not None}
    book.close()
    return found


def type_in_calc(template: Path, cells: dict[str, dict[str, str]], folder: Path) -> tuple[dict, dict]:
    outputs = {kind: str(folder / f"saisi.{kind}") for kind in FORMATS}
    job = folder / "saisie.json"
    job.write_text(json.dumps({"source": str(template), "profile": str(folder / "profil"), "cells": cells,
                               "outputs": outputs}, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(["/usr/bin/python3", str(SCRIPT), str(job)], capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stderr[-3000:]
    return {kind: Path(path) for kind, path in outputs.items()}, json.loads(done.stdout)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("modele")
    prefill = Prefill(territoire="Dugny", type_territoire="Commune", code="93030", caf="Caf de la Seine-Saint-Denis",
                      debut=2023, fin=2027, service="Petite enfance")
    return write_template(folder / "ctg-complet.xlsx", "complet", prefill)


def cells_of(template: Path, typed: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    where = places(template)
    return {title: {where[title][header]: text for header, text in columns.items()} for title, columns in typed.items()}


def read_values(path: Path) -> dict[tuple[str, str], object]:
    """(sheet, cell) -> value as ctgxl reads and types it."""
    book = read_workbook(path)
    assert book.readable, book.findings
    values = {}
    for field_id, cell in book.identification_cells.items():
        values[("Identification", cell)] = book.identification.get(field_id)
    tables = build_tables([book])
    for sheet, frame in tables.frames.items():
        for row in frame.to_dict("records"):
            for column in frame.columns:
                cell = tables.cell(row, sheet, column) if not column.startswith("_") else None
                if cell:
                    values[(book.tables[sheet].title, cell)] = row[column]
    return values


def shown_as_read(shown: str, value: object) -> bool:
    """Whether what Calc shows and what ctgxl read are the same thing."""
    shown = shown.translate(SPACES).strip()
    if isinstance(value, (datetime, date)):
        value = value.date() if isinstance(value, datetime) else value
        return shown in (value.strftime("%d/%m/%Y"), str(value.year))
    if isinstance(value, str):
        if shown == value.translate(SPACES):
            return True
        # a percent typed in a text column, read back as « 25 % » where Calc shows « 25,00 % »
        return value.endswith("%") and parse_number(shown) == parse_number(value)
    number, sign = parse_number(shown)
    if number is None or value is None:
        return False
    return abs(number - float(value)) < 1e-9  # a percent is read in points, as shown (54 % -> 54)


def test_typed_right_reads_as_calc_shows(template, tmp_path):
    cells = cells_of(template, GOOD)
    outputs, shown = type_in_calc(template, cells, tmp_path)
    before = {kind: path.read_bytes() for kind, path in outputs.items()}
    for kind, path in outputs.items():
        report = check_paths([path])
        assert [(f.sheet, f.cell, f.code) for f in report.errors + report.warnings] == [], kind
        values = read_values(path)
        for title, typed in cells.items():
            for cell in typed:
                seen = shown[kind][title][cell]
                assert shown_as_read(seen, values.get((title, cell))), (kind, title, cell, seen, values.get((title, cell)))
        for title, header in AMOUNTS:
            assert shown[kind][title][places(template)[title][header]].translate(SPACES) == "24 500 €", (kind, title)
        assert path.read_bytes() == before[kind]
    # the year typed in the date cell (Calc shows 15/07/1905): read as that year, no cascade on the plan's years
    for path in outputs.values():
        assert identification_values(read_workbook(path))["debut"] == date(2023, 1, 1)


def test_mistakes_found_at_their_cell(template, tmp_path):
    typed = {title: dict(columns) for title, columns in GOOD.items()}
    for title, header, text, _ in MISTAKES:
        typed[title][header] = text
    outputs, _ = type_in_calc(template, cells_of(template, typed), tmp_path)
    where = places(template)
    for kind, path in outputs.items():
        found = {(f.sheet, f.cell, f.code) for f in check_paths([path]).findings}
        for title, header, text, code in MISTAKES:
            assert (title, where[title][header], code) in found, (kind, title, header, text, code, sorted(found))
