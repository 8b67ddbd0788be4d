"""A territory of service workbooks, made as people make them: each service gets a generated
template, types its rows into it with openpyxl (French numbers as text, lower-case list
values, a blank row, a column of its own at the right), and saves it.

Each typed value may carry its meaning: ``T("12 000 €", 12000)`` is what was typed and what
it must be read as. Plain values mean themselves. The territory knows, for every row typed,
the value each header must hold once read: tests compare outputs against that, never
against ctgxl's own reading.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl

from ctgxl.writing.template import Prefill, write_template
from ctgxl.text import fold
from ctgxl.names import PROVENANCE

NBSP = "\u00a0"
NNBSP = "\u202f"
MINUS = "\u2212"
CAF = "Caf de la Seine-Saint-Denis"
DUGNY = Prefill("Dugny", "Commune", "93030", CAF, 2023, 2027, (), None)
LE_BOURGET = Prefill("Le Bourget", "Commune", "93013", CAF, 2023, 2027, (), None)
DATA_SHEETS = ("Diagnostic", "Enjeux", "Équipements", "Plan d'actions", "Suivi des indicateurs")


@dataclass(frozen=True)
class T:
    """What a person typed, and what it means."""

    typed: object
    value: object


def typed(value: object) -> object:
    return value.typed if isinstance(value, T) else value


def meant(value: object) -> object:
    return value.value if isinstance(value, T) else value


def header_text(header: object) -> str:
    """A header as written by ctgxl, without the ` *` of mandatory columns."""
    return str(header).removesuffix(" *").strip()


@dataclass
class Service:
    """One service's workbook: the template it starts from and the rows it types.

    ``rows[sheet]`` is a list of ``{header: value}``; ``None`` in the list leaves a blank row.
    ``extra[sheet]`` are headers the service adds at the right of the template's columns.
    """

    file: str
    kind: str
    service: str
    rows: dict[str, list[dict[str, object] | None]]
    extra: dict[str, list[str]] = field(default_factory=dict)
    prefill: Prefill = DUGNY
    # Identification fields typed besides the prefilled ones: {label: value}.
    identification: dict[str, object] = field(default_factory=dict)

    def typed_rows(self, sheet: str) -> list[tuple[int, dict[str, object]]]:
        """(Excel row, values) of the rows typed in ``sheet``, blank rows left out."""
        return [(row, values) for row, values in enumerate(self.rows.get(sheet, []), start=2) if values]


def type_text_or_value(cell, value: object) -> None:
    """Type one value. Text starting with "=" is typed as text (Excel's leading apostrophe)."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def write_service(folder: Path, service: Service) -> Path:
    path = Path(folder) / service.file
    write_template(path, service.kind, replace(service.prefill, service=service.service))
    book = openpyxl.load_workbook(path)
    ident = book["Identification"]
    labels = {fold(cell.value): cell.row for cell in ident["A"] if cell.value is not None}
    for label, value in service.identification.items():
        type_text_or_value(ident.cell(row=labels[fold(label)], column=2), value)
    for sheet_name, rows in service.rows.items():
        sheet = book[sheet_name]
        columns = {fold(cell.value): cell.column for cell in sheet[1] if cell.value is not None}
        for header in service.extra.get(sheet_name, []):
            column = max(columns.values()) + 1
            sheet.cell(row=1, column=column, value=header)
            columns[fold(header)] = column
        for row, values in enumerate(rows, start=2):
            for header, value in (values or {}).items():
                if typed(value) is not None:
                    type_text_or_value(sheet.cell(row=row, column=columns[fold(header)]), typed(value))
    book.save(path)
    return path


@dataclass
class Territory:
    folder: Path
    services: list[Service]
    files: list[Path]

    def file(self, name: str) -> Path:
        return next(path for path in self.files if path.name == name)

    def expected(self) -> dict[tuple[str, str, int], dict[str, object]]:
        """(file name, sheet, Excel row) -> {header: meaning} of every row typed."""
        rows = {}
        for service in self.services:
            for sheet in service.rows:
                for row, values in service.typed_rows(sheet):
                    rows[(service.file, sheet, row)] = {header: meant(value) for header, value in values.items()}
        return rows

    def rows_typed(self, sheet: str) -> int:
        return sum(len(service.typed_rows(sheet)) for service in self.services)


# --- The territory: three services of Dugny ---------------------------------------------------

def observatoire() -> Service:
    return Service("observatoire.xlsx", "diagnostic", "Observatoire social", {
        "Diagnostic": [
            {"Volet": T("démographie", "Démographie"), "Indicateur": "Population municipale",
             "Valeur territoire": T(f"10{NBSP}876", 10876), "Unité": T("nombre", "Nombre"),
             "Valeur département": T(f"1{NNBSP}655{NNBSP}422", 1655422), "Valeur France": 68042372,
             "Année": 2021, "Source": "Insee RP2021"},
            {"Volet": "Précarité et insertion", "Indicateur": "Part des familles monoparentales",
             "Valeur territoire": T("54,5 %", 54.5), "Unité": "%", "Valeur département": T("12,1", 12.1),
             "Valeur France": 10.5, "Année": T("2021", 2021), "Source": "Insee RP2021",
             "Commentaire": "=Source : tableau 4 du RP"},
            None,
            {"Volet": "Enfance", "Indicateur": "Enfants bénéficiaires de l'AEEH", "Valeur territoire": 3,
             "Unité": "Nombre", "Valeur département": T("2 310", 2310), "Année": 2022,
             "Source": "Caf au 31/12/2022"},
            {"Volet": "Petite enfance", "Indicateur": "Naissances domiciliées hors commune",
             "Valeur territoire": 0, "Unité": "Nombre", "Année": 2022, "Source": "Insee état civil"},
            {"Volet": "Parentalité", "Indicateur": "Familles monoparentales de 4 enfants ou plus",
             "Valeur territoire": T("4", 4), "Unité": "Nombre", "Année": 2022, "Source": "Caf au 31/12/2022"},
            {"Volet": "Logement", "Indicateur": "Part des allocataires en logement social",
             "Valeur territoire": 2, "Unité": "%", "Valeur département": T(f"{MINUS}0,5", -0.5), "Année": 2022,
             "Source": "Caf au 31/12/2022", "Commentaire": "-2 points depuis 2019"},
            {"Volet": "Handicap", "Indicateur": "Enfants en situation de handicap accueillis en EAJE",
             "Valeur territoire": T("< 5", "<5"), "Unité": "Nombre", "Année": 2022, "Source": "Caf au 31/12/2022"},
            {"Volet": "Jeunesse", "Indicateur": "Jeunes de 16-25 ans suivis par la mission locale",
             "Valeur territoire": 12, "Unité": T("nombre", "Nombre"), "Année": 2022, "Source": "Mission locale"},
        ],
        "Enjeux": [
            {"Volet": T("petite enfance", "Petite enfance"), "Enjeu": "Développer l'offre d'accueil du jeune enfant",
             "Priorité": T(1, "1")},
            {"Volet": "Jeunesse", "Enjeu": "Renforcer l'accompagnement des 16-25 ans", "Priorité": T("2", "2"),
             "Commentaire": "+ lien avec le PIJ"},
        ],
    })


def petite_enfance() -> Service:
    return Service("petite-enfance.xlsx", "equipements", "Petite enfance", {
        "Équipements": [
            {"Type de structure": T("eaje", "EAJE"), "Nom de la structure": "Crèche Les Lilas",
             "Adresse": "12 rue des Lilas", "Code postal": T(93440, "93440"), "Commune d'implantation": "Dugny",
             "Gestionnaire": "Ville de Dugny", "Mode de gestion": T("régie municipale", "Régie municipale"),
             "Capacité (places)": T("60", 60),
             "Financement Caf": T("psu; bonus territoire ctg", "PSU; Bonus territoire CTG"),
             "Bonus territoire CTG (€)": T(f"12{NBSP}000 €", 12000), "N° équipement Caf": "EAJE-0042",
             "Observations": "@crechelilas sur l'ENT", "Remarques internes": "à revoir en 2025"},
            {"Collectivité signataire": "Dugny", "Type de structure": "RPE", "Nom de la structure":
             "Relais petite enfance", "Adresse": "2 place de la Mairie", "Code postal": "93440",
             "Commune d'implantation": "Dugny", "Gestionnaire": "Ville de Dugny",
             "Mode de gestion": "Régie municipale", "Financement Caf": "PS RPE"},
            {"Type de structure": T("micro-crèche", "Micro-crèche"), "Nom de la structure":
             "Micro-crèche Les Petits Pas", "Adresse": "5 rue Pasteur", "Code postal": "93440",
             "Commune d'implantation": "Dugny", "Gestionnaire": "Les Petits Pas SAS",
             "Mode de gestion": T("privé", "Privé"), "Capacité (places)": 12, "Financement Caf": "PSU",
             "Remarques internes": "=convention à renouveler"},
        ],
    }, extra={"Équipements": ["Remarques internes"]},
        identification={"Contact": "Claire Martin", "Courriel": "c.martin@ville-dugny.fr",
                        "Date de mise à jour": "25/11/2024"})


def enfance_jeunesse(conflict: bool = False) -> Service:
    relais = {"Collectivité signataire": "Dugny", "Type de structure": T("rpe", "RPE"), "Nom de la structure":
              "Relais petite enfance", "Adresse": "2 place de la Mairie", "Code postal": T(93440, "93440"),
              "Commune d'implantation": "Dugny", "Gestionnaire": "CCAS de Dugny" if conflict else "Ville de Dugny",
              "Mode de gestion": "Régie municipale", "Financement Caf": T("ps rpe", "PS RPE")}
    return Service("enfance-jeunesse.xlsx", "complet", "Enfance jeunesse", {
        # The same enjeu as the Observatoire's, typed in another case: a duplicate, kept once.
        "Enjeux": [
            {"Volet": T("PETITE ENFANCE", "Petite enfance"), "Enjeu": "Développer l'offre d'accueil du jeune enfant",
             "Priorité": "1"},
        ],
        # The same relais as the Petite enfance service's (a conflict when the manager differs).
        "Équipements": [relais],
        "Plan d'actions": [
            {"N° action": T(1, "1"), "Thématique": T("petite enfance", "Petite enfance"),
             "Enjeu / axe": "Accueil du jeune enfant", "Objectif": "Augmenter l'offre d'accueil",
             "Constats": "Taux de couverture de 54 %", "Intitulé de l'action": "Création de 20 places en micro-crèche",
             "Description et modalités": "- ateliers d'éveil\n- accueil occasionnel", "Public cible": "Familles",
             "Pilote collectivité": "Direction petite enfance", "Pilote Caf": "Conseillère territoriale",
             "Partenaires associés": "PMI", "Année de début": 2024, "Année de fin": T("2026", 2026),
             "Statut": T("en cours", "En cours"), "Indicateurs de résultat": "Nombre de places créées",
             "Budget prévisionnel (€)": T("150 000", 150000), "Financement Caf (€)": T(f"50{NBSP}000 €", 50000),
             "Référent interne": "M. Durand"},
            None,
            {"N° action": "J-1", "Thématique": "Jeunesse", "Objectif": "Accompagner les projets des jeunes",
             "Intitulé de l'action": "Bourse aux projets jeunes", "Pilote collectivité": "Service jeunesse",
             "Pilote Caf": "Conseillère territoriale", "Année de début": 2025, "Statut": T("réalisée", "Réalisée"),
             "Indicateurs de résultat": "Projets soutenus", "Budget prévisionnel (€)": T("8 000,50 €", 8000.5),
             "Commentaire de suivi": "@jeunesse : bilan en juin"},
        ],
        "Suivi des indicateurs": [
            {"N° action": T(1, "1"), "Indicateur": "Nombre de places créées", "Type": T("résultat", "Résultat"),
             "Cible": T("20", "20"), "2023": 0, "2024": T("10", 10)},
            {"N° action": "J-1", "Indicateur": "Projets soutenus", "Type": "Impact", "Cible": "5",
             "2025": T("2,5", 2.5)},
        ],
    }, extra={"Plan d'actions": ["Référent interne"]})


def other_territory() -> Service:
    return Service("le-bourget.xlsx", "equipements", "Petite enfance du Bourget", {
        "Équipements": [
            {"Type de structure": "EAJE", "Nom de la structure": "Crèche du Bourget",
             "Gestionnaire": "Ville du Bourget", "Capacité (places)": 40, "Adresse": "1 rue de Paris"},
        ],
    }, prefill=LE_BOURGET)


def make_territory(folder: Path, services: list[Service] | None = None, *, conflict: bool = False) -> Territory:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    services = services or [observatoire(), petite_enfance(), enfance_jeunesse(conflict)]
    return Territory(folder, services, [write_service(folder, service) for service in services])


# --- Reading what ctgxl wrote ------------------------------------------------------------------

def sheet_rows(path: Path, sheet: str) -> tuple[list[str], list[dict[str, object]]]:
    """Headers (without ` *`) and rows (as {header: value}) of a data sheet with its header in row 1.
    A number in a percent format reads as the percentage shown (0.545 in `0.0%` is 54.5)."""
    book = openpyxl.load_workbook(path, read_only=True)
    grid = [[_as_shown(cell) for cell in row] for row in book[sheet].iter_rows()]
    book.close()
    headers = [header_text(value) for value in grid[0] if value is not None]
    rows = []
    for values in grid[1:]:
        if all(value is None for value in values):
            continue
        rows.append(dict(zip(headers, values)))
    return headers, rows


def _as_shown(cell) -> object:
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        shown = round(value * 100, 10)
        return int(shown) if float(shown).is_integer() else shown
    return value


def provenance_of(row: dict[str, object]) -> tuple[str, str, int]:
    return row[PROVENANCE[1]], row[PROVENANCE[2]], int(row[PROVENANCE[3]])


def chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [name for name in archive.namelist() if name.startswith("xl/charts/chart") and name.endswith(".xml")]


# --- A workbook made by hand, to be put in the template by `ctgxl format` ---------------------

@dataclass
class Handmade:
    path: Path
    # {standard sheet: [{header: T or value}]} in the order typed (blank rows left out)
    rows: dict[str, list[dict[str, object]]]
    # header rows of the sheets, as typed (their order, extra columns in the middle)
    headers: dict[str, list[str]]
    others: dict[str, list[list[object]]]

    def meaning(self, sheet: str) -> list[dict[str, object]]:
        """The rows as {standard or extra header: meaning}."""
        return [{HANDMADE_STANDARD_HEADER.get(header, header): meant(value) for header, value in row.items()}
                for row in self.rows[sheet]]


HANDMADE_PLAN_HEADERS = ["Intitulé de l'action", "N° action", "Notes internes", "STATUT", "thématique",
                         "Objectif *", "Pilote collectivité", "Année de début", "Budget prévisionnel (€)",
                         "Financement Caf (€)", "Pilote Caf", "Indicateurs de résultat"]
HANDMADE_EQUIPMENT_HEADERS = ["Nom de la structure", "Type", "Gestionnaire", "Capacité (places)", "Financement Caf",
                              "Collectivité signataire", "Adresse", "Bonus territoire CTG (€)", "Remarques"]
HANDMADE_DIAGNOSTIC_HEADERS = ["Indicateur", "Volet", "Unité", "Valeur territoire", "Valeur département", "Année",
                               "Source"]
# Headers typed loosely, and the standard header each one is.
HANDMADE_STANDARD_HEADER = {"STATUT": "Statut", "thématique": "Thématique", "Objectif *": "Objectif",
                            "Type": "Type de structure"}


def handmade(folder: Path, name: str = "fait-main.xlsx") -> Handmade:
    """Standard headers in another order under title rows, blank rows, extra columns,
    lower-case list values, French numbers typed as text, and sheets of the service's own."""
    path = Path(folder) / name
    book = openpyxl.Workbook()
    ident = book.active
    ident.title = "Identification"
    ident["A1"] = "Fiche d'identification"
    for row, (label, value) in enumerate([
        ("Territoire", "Dugny"), ("Type de territoire", "commune"), ("Code INSEE ou SIREN", 93030), ("Caf", CAF),
        ("Début de la convention", 2023), ("Fin de la convention", "31/12/2027"),
        ("Service contributeur", "Direction enfance"), ("Contact", "Paul Roux"),
    ], start=3):
        ident.cell(row=row, column=1, value=label)
        ident.cell(row=row, column=2, value=value)
    rows = {
        "Plan d'actions": [
            {"Intitulé de l'action": "Café des parents", "N° action": T(12, "12"), "Notes internes": "voir budget",
             "STATUT": T("en cours", "En cours"), "thématique": T("parentalité", "Parentalité"),
             "Objectif *": "Soutenir les parents", "Pilote collectivité": "Centre social",
             "Année de début": T("2024", 2024), "Budget prévisionnel (€)": T("1 234,5", 1234.5),
             "Financement Caf (€)": T(f"1{NBSP}000 €", 1000), "Pilote Caf": "Conseillère territoriale",
             "Indicateurs de résultat": "Familles venues"},
            {"Intitulé de l'action": "Accueil de loisirs ado", "N° action": "J-2",
             "STATUT": T("RÉALISÉE", "Réalisée"), "thématique": T("jeunesse", "Jeunesse"),
             "Objectif *": "Ouvrir un accueil pour les 11-14 ans", "Pilote collectivité": "Service jeunesse",
             "Année de début": 2023, "Budget prévisionnel (€)": T(f"25{NNBSP}000", 25000),
             "Pilote Caf": "Conseillère territoriale", "Indicateurs de résultat": "Jeunes inscrits"},
        ],
        "Équipements": [
            {"Nom de la structure": "Ludothèque La Toupie", "Type": T("ludothèque", "Ludothèque"),
             "Gestionnaire": "Association La Toupie", "Financement Caf": T("aucun", "Aucun"),
             "Adresse": "3 rue Voltaire", "Remarques": "=à revoir"},
            {"Nom de la structure": "Multi-accueil Les Lilas", "Type": T("EAJE ", "EAJE"),
             "Gestionnaire": "Ville de Dugny", "Capacité (places)": T("45", 45),
             "Financement Caf": T("psu ; bonus territoire ctg", "PSU; Bonus territoire CTG"),
             "Collectivité signataire": "Dugny", "Adresse": "1 allée des Lilas",
             "Bonus territoire CTG (€)": T("3 500 €", 3500)},
        ],
        "Diagnostic": [
            {"Indicateur": "Familles allocataires", "Volet": T("démographie", "Démographie"),
             "Unité": T("NOMBRE", "Nombre"), "Valeur territoire": T(f"1{NBSP}523", 1523),
             "Valeur département": T("210 417", 210417), "Année": 2022, "Source": "Caf au 31/12/2022"},
            {"Indicateur": "Taux de pauvreté", "Volet": "précarité et insertion", "Unité": "%",
             "Valeur territoire": T("24,3 %", 24.3), "Valeur département": T(f"{MINUS}1,5", -1.5),
             "Année": T("2021", 2021), "Source": "Insee Filosofi"},
            {"Indicateur": "Enfants en situation de handicap", "Volet": "Handicap", "Unité": "Nombre",
             "Valeur territoire": T("<5", "<5"), "Année": 2022, "Source": "Caf"},
        ],
    }
    rows["Diagnostic"][1]["Volet"] = T("précarité et insertion", "Précarité et insertion")
    headers = {"Plan d'actions": HANDMADE_PLAN_HEADERS, "Équipements": HANDMADE_EQUIPMENT_HEADERS,
               "Diagnostic": HANDMADE_DIAGNOSTIC_HEADERS}
    layouts = {  # sheet title as the service named it, header row, blank rows between data rows
        "Plan d'actions": ("Plan d'action", 4, {1}),
        "Équipements": ("Liste des équipements", 2, set()),
        "Diagnostic": ("Diagnostic partagé", 1, {0}),
    }
    for sheet_name, (title, header_row, gaps) in layouts.items():
        sheet = book.create_sheet(title)
        if header_row > 1:
            sheet["A1"] = f"{sheet_name} – Ville de Dugny"
        if header_row > 3:
            sheet["A2"] = "Document de travail, mis à jour en novembre 2024"
        for column, header in enumerate(headers[sheet_name], start=1):
            sheet.cell(row=header_row, column=column, value=header)
        row = header_row + 1
        for index, values in enumerate(rows[sheet_name]):
            if index in gaps:
                row += 1  # a blank row left between two rows
            for header, value in values.items():
                column = headers[sheet_name].index(header) + 1
                type_text_or_value(sheet.cell(row=row, column=column), typed(value))
            row += 1
    notes = [["Réunion du comité de pilotage", None, None],
             ["Date", datetime(2024, 11, 25), None],
             [None, None, None],
             ["Participants", 12, "dont 3 élus"]]
    sheet = book.create_sheet("Notes de réunion")
    for row, values in enumerate(notes, start=1):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    book.save(path)
    return Handmade(path, rows, headers, {"Notes de réunion": notes})


# --- A plan d'actions typed by hand: title rows, header far down, several sheets ----------------

PLAN_HEADERS = ["N° action", "Thématique", "Objectif", "Intitulé de l'action", "Pilote collectivité", "Pilote Caf",
                "Année de début", "Statut", "Indicateurs de résultat", "Budget prévisionnel (€)"]


def plan_action(numero: str, **typed: object) -> dict[str, object]:
    """One valid action as a person types it (``typed`` replaces some of its cells)."""
    row = {"N° action": numero, "Thématique": "Jeunesse", "Objectif": f"Objectif de l'action {numero}",
           "Intitulé de l'action": f"Action {numero}", "Pilote collectivité": "Service jeunesse",
           "Pilote Caf": "Conseillère territoriale", "Année de début": 2025, "Statut": "À engager",
           "Indicateurs de résultat": "Jeunes accueillis", "Budget prévisionnel (€)": "8 000 €"}
    row.update(typed)
    return row


@dataclass
class PlanSheet:
    """A sheet as someone laid it out: ``titles`` lines of title and notes above the header,
    at ``header_row``; ``rows`` typed below it, None for a blank row left between two."""

    title: str
    header_row: int
    rows: list[dict[str, object] | None]
    titles: tuple[str, ...] = ("Plan d'actions de la ville de Dugny", "Document de travail")

    def typed_rows(self) -> list[tuple[int, dict[str, object]]]:
        """(Excel row, values) of every row typed."""
        return [(self.header_row + offset, values) for offset, values in enumerate(self.rows, start=1) if values]


def typed_plan_book(path: Path, sheets: list[PlanSheet], service: str = "Service jeunesse") -> Path:
    """A workbook made from scratch in Excel: an Identification sheet, then plan sheets laid out
    as ``sheets`` say. A value "=…" is a formula; "#N/A" and the like are typed error values
    (as Excel stores them)."""
    book = openpyxl.Workbook()
    ident = book.active
    ident.title = "Identification"
    for row, (label, value) in enumerate([
        ("Territoire", "Dugny"), ("Type de territoire", "Commune"), ("Code INSEE ou SIREN", "93030"), ("Caf", CAF),
        ("Début de la convention", 2023), ("Fin de la convention", 2027), ("Service contributeur", service),
    ], start=1):
        ident.cell(row=row, column=1, value=label)
        ident.cell(row=row, column=2, value=value)
    for layout in sheets:
        sheet = book.create_sheet(layout.title)
        for row, title in enumerate(layout.titles[: max(0, layout.header_row - 1)], start=1):
            sheet.cell(row=row, column=1, value=title)
        for column, header in enumerate(PLAN_HEADERS, start=1):
            sheet.cell(row=layout.header_row, column=column, value=header)
        for row, values in layout.typed_rows():
            for header, value in values.items():
                if value is not None:
                    sheet.cell(row=row, column=PLAN_HEADERS.index(header) + 1, value=value)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return Path(path)
