"""A workbook of version 0 of the standard, as services still send them: the first template,
circulated in 2022, filled by hand. Its `Plan d'actions` has the old headers « Pilote Ville »
and « Axe » and the old statuses « Terminée » and « Non commencée »; its `Équipements` has
« Capacité ». It was made without ctgxl, so nothing inside it records a version.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl

CAF = "Caf de la Seine-Saint-Denis"

IDENTIFICATION = [
    ("Territoire", "Dugny"), ("Type de territoire", "Commune"), ("Code INSEE ou SIREN", "93030"), ("Caf", CAF),
    ("Début de la convention", datetime(2023, 1, 1)), ("Fin de la convention", datetime(2027, 12, 31)),
    ("Service contributeur", "Enfance"),
]
PLAN_HEADERS = ["N° action", "Thématique", "Axe", "Objectif", "Intitulé de l'action", "Pilote Ville", "Pilote Caf",
                "Année de début", "Statut", "Indicateurs de résultat", "Budget prévisionnel (€)"]
PLAN_ROWS = [
    [1, "Petite enfance", "Accueil du jeune enfant", "Augmenter l'offre d'accueil", "Micro-crèche de 10 places",
     "Direction petite enfance", "Conseillère territoriale", 2023, "Terminée", "Places créées", "120 000"],
    [2, "Jeunesse", "Autonomie des jeunes", "Accompagner les projets", "Bourse aux projets",
     "Service jeunesse", "Conseillère territoriale", 2024, "Non commencée", "Projets soutenus", 8000],
    [3, "Parentalité", None, "Soutenir les parents", "Café des parents", "Centre social", "Conseillère territoriale",
     2024, "terminée", "Familles venues", None],
]
EQUIPMENT_HEADERS = ["Collectivité signataire", "Type de structure", "Nom de la structure", "Adresse", "Gestionnaire",
                     "Capacité"]
EQUIPMENT_ROWS = [[None, "EAJE", "Crèche Les Lilas", "12 rue des Lilas", "Ville de Dugny", 60]]
# What the rows mean in version 1: new headers, new statuses.
RENAMED_HEADERS = {"Axe": "Enjeu / axe", "Pilote Ville": "Pilote collectivité", "Capacité": "Capacité (places)"}
RENAMED_STATUSES = {"Terminée": "Réalisée", "terminée": "Réalisée", "Non commencée": "À engager"}


def v0_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ident = book.active
    ident.title = "Identification"
    for row, (label, value) in enumerate(IDENTIFICATION, start=1):
        ident.cell(row=row, column=1, value=label)
        ident.cell(row=row, column=2, value=value)
    plan = book.create_sheet("Plan d'actions")
    plan.append(PLAN_HEADERS)
    for values in PLAN_ROWS:
        plan.append(values)
    equipment = book.create_sheet("Équipements")
    equipment.append(EQUIPMENT_HEADERS)
    for values in EQUIPMENT_ROWS:
        equipment.append(values)
    book.save(path)
    return Path(path)


def v1_meaning() -> dict[str, list[dict[str, object]]]:
    """{sheet: [{current header: value}]}: what a reader of version 1 must find in the file."""
    numbers = {"120 000": 120000}
    plan = []
    for values in PLAN_ROWS:
        row = {}
        for header, value in zip(PLAN_HEADERS, values):
            header = RENAMED_HEADERS.get(header, header)
            if header == "Statut":
                value = RENAMED_STATUSES.get(value, value)
            if header == "N° action":
                value = str(value)
            row[header] = numbers.get(value, value) if isinstance(value, str) else value
        plan.append(row)
    equipment = [{RENAMED_HEADERS.get(header, header): value for header, value in zip(EQUIPMENT_HEADERS, values)}
                 for values in EQUIPMENT_ROWS]
    return {"Plan d'actions": plan, "Équipements": equipment}
