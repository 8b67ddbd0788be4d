"""Workbooks made the way people make them: a generated template, opened with openpyxl,
values typed into cells (French numbers as text, lower-case list values, blank rows…),
saved. Also a hand-made workbook with a title above its headers and loose header spellings.

Every helper works on a path and leaves a saved .xlsx behind, as Excel would.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

from ctgxl.writing.template import Prefill, write_template
from ctgxl.text import fold

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, what French Word/Excel put in 1 366 627
MINUS = "\u2212"

CAF = "Caf de la Seine-Saint-Denis"
COMMUNE = Prefill("Dugny", "Commune", "93030", CAF, 2023, 2027, (), "Petite enfance")
EPCI_MEMBERS = ("Aulnay-sous-Bois", "Dugny", "Le Blanc-Mesnil", "Le Bourget", "Tremblay-en-France")
EPCI_SIREN = "200058097"  # valid Luhn key
EPCI = Prefill("Paris Terres d'Envol", "EPCI", EPCI_SIREN, CAF, 2023, 2027, EPCI_MEMBERS, "Service enfance")

# Rows of the identification sheet of a generated template (label in A, value in B).
IDENTIFICATION_ROWS = {
    "territoire": 2, "type_territoire": 3, "code": 4, "caf": 5, "debut": 6, "fin": 7, "communes": 8,
    "service": 9, "contact": 10, "courriel": 11, "mise_a_jour": 12,
}


def new_template(path: Path, prefill: Prefill = COMMUNE, kind: str = "complet") -> Path:
    write_template(Path(path), kind, prefill)
    return Path(path)


def columns_of(sheet, header_row: int = 1) -> dict[str, int]:
    """Folded header -> 1-based column number."""
    found = {}
    for cell in sheet[header_row]:
        if cell.value is not None:
            found[fold(cell.value)] = cell.column
    return found


def column_letter(sheet, header: str, header_row: int = 1) -> str:
    return openpyxl.utils.get_column_letter(columns_of(sheet, header_row)[fold(header)])


def type_row(sheet, row: int, values: dict[str, object], header_row: int = 1) -> None:
    """Type one row, header by header, as a person would (None leaves the cell empty)."""
    columns = columns_of(sheet, header_row)
    for header, value in values.items():
        cell = sheet.cell(row=row, column=columns[fold(header)])
        type_value(cell, value)


def type_value(cell, value: object) -> None:
    """What a person typing does: text starting with "=" typed in a text cell stays text."""
    if isinstance(value, tuple) and value and value[0] == "format":
        _, number, number_format = value
        cell.value = number
        cell.number_format = number_format
        return
    cell.value = value


def edit(path: Path, changes: dict[str, dict[str, object]], target: Path | None = None) -> Path:
    """Open the workbook, type ``{sheet: {cell: value}}``, save (to ``target`` if given).

    Formulas that were there keep their computed value, as when Excel saves.
    """
    cached = _cached_values(path)
    book = openpyxl.load_workbook(path)
    for title, cells in changes.items():
        sheet = book[title]
        for ref, value in cells.items():
            type_value(sheet[ref], value)
            cached.get(title, {}).pop(ref, None)
    target = Path(target or path)
    book.save(target)
    for title, values in cached.items():
        if values:
            add_cached_values(target, title, values)
    return target


def _cached_values(path: Path) -> dict[str, dict[str, str]]:
    """Computed values stored with formulas, per sheet title, read from the sheet XML."""
    book = openpyxl.load_workbook(path, read_only=True)
    titles = book.sheetnames
    book.close()
    found: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(path) as archive:
        for index, title in enumerate(titles, start=1):
            part = f"xl/worksheets/sheet{index}.xml"
            if part not in archive.namelist():
                continue
            text = archive.read(part).decode("utf-8")
            for ref, value in _FORMULA_WITH_VALUE.findall(text):
                found.setdefault(title, {})[ref] = value
    return found


_FORMULA_WITH_VALUE = re.compile(r'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f>.*?</f>\s*<v>([^<]+)</v>')


def add_cached_values(path: Path, title: str, values: dict[str, object]) -> None:
    """Give formula cells the value Excel would have stored with them on saving.

    openpyxl writes formulas without their computed value; Excel and LibreOffice store both.
    """
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(title) + 1
    book.close()
    part = f"xl/worksheets/sheet{index}.xml"
    temporary = Path(path).with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                for ref, value in values.items():
                    pattern = re.compile(rf'(<c r="{ref}"[^>]*>\s*<f>.*?</f>)\s*(?:<v\s*/>|<v>\s*</v>)')
                    text, count = pattern.subn(lambda match, value=value: f"{match.group(1)}<v>{value}</v>", text)
                    assert count == 1, f"no formula cell {ref} in {title}"
                data = text.encode("utf-8")
            out.writestr(info, data)
    shutil.move(temporary, path)


# --- The workbook of a careful user: everything right, typed in every usual way ------------

# Where things are in the user workbook (row numbers of the data sheets).
DIAGNOSTIC_ROWS = {"population": 2, "monoparentales": 3, "evolution": 5, "couverture": 6, "depenses": 7,
                   "secret": 8, "formule": 9, "logement": 11, "natalite": 12}


def user_workbook(path: Path, prefill: Prefill = COMMUNE, formula: bool = True) -> Path:
    """A complete template filled by a person, with no mistake (0 error expected).

    With ``formula``, one value is a formula with its computed value (D9 of Diagnostic);
    without, the same value typed (faster to read: no formula to look for).
    """
    path = new_template(path, prefill)
    book = openpyxl.load_workbook(path)
    epci = prefill.type_territoire == "EPCI"

    ident = book["Identification"]
    ident["B7"] = "31/12/2027"  # typed as text; B6 stays a real date from the template
    ident["B10"] = "Claire Martin"
    ident["B11"] = "c.martin@ville-dugny.fr"
    ident["B12"] = "25/11/2024"

    diag = book["Diagnostic"]
    commune = "Dugny" if epci else None
    rows = [
        (2, "démographie", "Population municipale", commune, f"10{NBSP}876", "nombre", f"1{NNBSP}655{NNBSP}422",
         "68 042 372", 2021, "Insee RP2021"),
        (3, "Précarité et insertion", "Part des familles monoparentales", None, "54,5 %", "%", "12,1", 10.5,
         "2021", "Insee RP2021"),
        (5, "Démographie", "Évolution annuelle de la population", None, f"{MINUS}0,9", "%", "0,4", "0,3", 2021,
         "Insee RP2015-2021"),
        (6, "petite enfance", "Taux de couverture accueil jeune enfant", None, ("format", 0.54, "0%"), "%",
         ("format", 0.581, "0.0%"), 59.8, 2022, "Caf au 31/12/2022"),
        (7, "Financements Caf", "Dépenses Caf petite enfance", None, f"1{NNBSP}366{NNBSP}627 €", "€", None, None,
         2022, "Caf au 31/12/2022"),
        (8, "Enfance", "Enfants bénéficiaires de l'AEEH", None, "<5", "Nombre", "2 310", None, 2022,
         "Caf au 31/12/2022"),
        (9, "Jeunesse", "Part des 15-24 ans", None, "=ROUND(1234/10876*100,1)" if formula else 11.3, "%", 12.4,
         12.1, 2021, "Insee RP2021"),
        (11, "Logement", "Allocataires d'une aide au logement", None, f"2{NBSP}034", "Nombre", None, None, 2022,
         "Caf au 31/12/2022"),
        (12, "Parentalité", "Taux de natalité", None, "14,2", "‰", "13,9", "10,7", "2021", "Insee état civil"),
    ]
    headers = ("Volet", "Indicateur", "Commune", "Valeur territoire", "Unité", "Valeur département",
               "Valeur France", "Année", "Source")
    for row, *values in rows:
        type_row(diag, row, dict(zip(headers, values)))
    diag["J3"] = "Source : tableau 4"  # a comment cell

    enjeux = book["Enjeux"]
    type_row(enjeux, 2, {"Volet": "petite enfance", "Enjeu": "Développer l'offre d'accueil du jeune enfant",
                         "Priorité": 1})
    type_row(enjeux, 3, {"Volet": "Jeunesse", "Enjeu": "Renforcer l'accompagnement des 16-25 ans", "Priorité": "2"})

    equip = book["Équipements"]
    equipment = [
        (2, None, "eaje", "Crèche Les Lilas", "12 rue des Lilas", "93440", "Dugny", "Ville de Dugny",
         "régie municipale", "60", "psu; Bonus territoire CTG", f"12{NBSP}000 €", "EAJE-0042"),
        (3, "Dugny" if not epci else EPCI.territoire, "RPE", "Relais petite enfance", "2 place de la Mairie", 93440,
         "Dugny", "Ville de Dugny", "Régie municipale", None, "PS RPE", None, None),
        (5, None, "ALSH périscolaire", "Accueil de loisirs Jean Moulin", "3 avenue Jean Moulin", "93440", "Dugny",
         "Ville de Dugny", "Régie municipale", 120, "PSO", 0, None),
    ]
    headers = ("Collectivité signataire", "Type de structure", "Nom de la structure", "Adresse", "Code postal",
               "Commune d'implantation", "Gestionnaire", "Mode de gestion", "Capacité (places)", "Financement Caf",
               "Bonus territoire CTG (€)", "N° équipement Caf")
    for row, *values in equipment:
        type_row(equip, row, dict(zip(headers, values)))

    plan = book["Plan d'actions"]
    type_row(plan, 2, {
        "N° action": 1, "Thématique": "petite enfance", "Enjeu / axe": "Accueil du jeune enfant",
        "Objectif": "Augmenter l'offre d'accueil", "Constats": "Taux de couverture de 54 %",
        "Intitulé de l'action": "Création de 20 places en micro-crèche", "Public cible": "Familles",
        "Pilote collectivité": "Direction petite enfance", "Pilote Caf": "Conseillère territoriale",
        "Partenaires associés": "PMI", "Année de début": 2024, "Année de fin": "2026", "Statut": "en cours",
        "Indicateurs de résultat": "Nombre de places créées", "Budget prévisionnel (€)": "150 000",
        "Financement Caf (€)": f"50{NBSP}000 €", "Communes concernées": "Dugny" if epci else None,
    })
    type_row(plan, 3, {
        "N° action": "PE-2", "Thématique": "Parentalité", "Objectif": "Soutenir les parents",
        "Intitulé de l'action": "Café des parents", "Pilote collectivité": "Centre social",
        "Pilote Caf": "Conseillère territoriale", "Année de début": "2023", "Statut": "À engager",
        "Indicateurs d'impact": "Familles accompagnées", "Budget prévisionnel (€)": 20000,
        "Financement Caf (€)": 5000,
    })

    suivi = book["Suivi des indicateurs"]
    type_row(suivi, 2, {"N° action": "1", "Indicateur": "Nombre de places créées", "Type": "résultat",
                        "Cible": "20", "2023": 0, "2024": "10"})
    type_row(suivi, 3, {"N° action": "pe-2", "Indicateur": "Familles accompagnées", "Type": "Impact",
                        "Cible": "50", "2023": "12", "2024": "18,5"})
    book.save(path)
    if formula:
        add_cached_values(path, "Diagnostic", {"D9": 11.3})
    return path


# --- A hand-made workbook: title rows, loose headers, aliases ---------------------------------

HANDMADE_HEADER_ROW = 5


def handmade_workbook(path: Path) -> Path:
    """Made from scratch in Excel by someone who copied the headers loosely."""
    book = openpyxl.Workbook()
    ident = book.active
    ident.title = "identification"
    for row, (label, value) in enumerate([
        ("Territoire", "Dugny"), ("TYPE DE TERRITOIRE", "commune"), ("Code INSEE ou SIREN", 93030),
        ("Caf", CAF), ("Début de la convention", 2023), ("Fin de la convention", datetime(2027, 12, 31)),
        ("Service contributeur *", "Enfance"), ("Courriel", "enfance@ville-dugny.fr"),
    ], start=1):
        ident.cell(row=row, column=1, value=label)
        ident.cell(row=row, column=2, value=value)

    sheet = book.create_sheet("Equipements")
    sheet["A1"] = "Liste des équipements soutenus par la CTG – Ville de Dugny"
    sheet["A2"] = "Mise à jour : novembre 2024"
    headers = ["collectivite signataire", "Type", "Structure", "ADRESSE ", "Code\npostal",
               "Commune d’implantation", "Gestionnaire *", "Mode de gestion", "Capacité (places) *",
               "Financement  CAF", "Remarques internes"]
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=HANDMADE_HEADER_ROW, column=column, value=header)
    rows = [
        ["", "Micro-crèche", "Micro-crèche Les Petits Pas", "5 rue Pasteur", "93440", "Dugny",
         "Les Petits Pas SAS", "privé", 12, "PSU", "à revoir en 2025"],
        None,
        ["Dugny", "laep", "LAEP La Passerelle", "1 rue de la Paix", "93440", "Dugny", "Association La Passerelle",
         "Associatif", None, "PS LAEP", None],
    ]
    for offset, values in enumerate(rows, start=HANDMADE_HEADER_ROW + 1):
        for column, value in enumerate(values or [], start=1):
            if value is not None:
                sheet.cell(row=offset, column=column, value=value)
    book.save(path)
    return Path(path)


def second_plan_workbook(path: Path, numero: object = 1) -> Path:
    """Another service of the same territory, with its own plan d'actions."""
    prefill = Prefill("Dugny", "Commune", "93030", CAF, 2023, 2027, (), "Enfance jeunesse")
    path = new_template(path, prefill, "plan-actions")
    book = openpyxl.load_workbook(path)
    type_row(book["Plan d'actions"], 2, {
        "N° action": numero, "Thématique": "Jeunesse", "Objectif": "Accompagner les projets des jeunes",
        "Intitulé de l'action": "Bourse aux projets jeunes", "Pilote collectivité": "Service jeunesse",
        "Pilote Caf": "Conseillère territoriale", "Année de début": 2025, "Statut": "À engager",
        "Indicateurs de résultat": "Projets soutenus", "Budget prévisionnel (€)": "8 000 €",
    })
    book.save(path)
    return path
