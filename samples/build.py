"""Construit les classeurs d'exemple à partir de ``samples/sources/``.

    python samples/build.py                 # réécrit samples/<territoire>/ et samples/a-corriger/
    python samples/build.py --dest /tmp/x   # écrit ailleurs (c'est ce que font les tests)
    python samples/build.py --tableau       # lignes du tableau de a-corriger/ pour le README

Chaque territoire a un dossier ``sources/<territoire>/`` (format : ``sources/FORMAT.md``) :
``fichiers.toml`` décrit le territoire et les fichiers tels qu'ils arrivent chez la personne
chargée de la coopération, un CSV par (fichier, feuille) donne les valeurs telles qu'elles
ont été tapées.

- ``style = "modele"`` : fichier rempli dans le modèle ctgxl (WorkbookWriter). Les valeurs
  sont converties comme Excel convertit ce qu'on tape : nombres, « 54 % » → 0,54 au format
  pourcentage, « 1 366 627 € » → nombre au format euro, dates, années.
- ``style = "personnel"`` : fichier fait par le service avec son propre tableur (openpyxl) :
  titre et ligne vide au-dessus des en-têtes, en-têtes à sa façon, colonnes dans un autre
  ordre, lignes vides, nombres gardés en texte français, une colonne en plus.

``dugny-2025/`` est ``dugny/`` un an plus tard : les fichiers recopiés et modifiés cellule par
cellule avec openpyxl, comme les services le font (listes ``SAISIES`` et ``NOUVELLES_LIGNES``).

``a-corriger/`` reçoit des copies de quelques fichiers avec UNE erreur courante chacune
(liste ``A_CORRIGER`` ci-dessous). Chaque copie ne garde que l'Identification et les feuilles
dont son erreur a besoin, pour que le dossier contrôlé en entier donne exactement les
constats de la liste. La construction vérifie la cellule de chaque erreur, puis ces constats.

Tout est déterministe : pas de hasard non amorcé, dates des classeurs fixes, archives zip
aux dates fixes, de sorte qu'une reconstruction redonne les mêmes fichiers.
"""

from __future__ import annotations

import argparse
import copy
import csv
import random
import re
import sys
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ctgxl.checking.check import check_paths
from ctgxl.findings import AVERTISSEMENT, ERREUR, cell_ref
from ctgxl.standard import DIAGNOSTIC, ENJEUX, EQUIPEMENTS, IDENTIFICATION, PLAN, SUIVI, Column, load
from ctgxl.text import fold, strip_accents
from ctgxl.reading.values import parse_number  # to verify what was built, never to build it
from ctgxl.writing.writer import WorkbookWriter

ROOT = Path(__file__).resolve().parent
SOURCES = ROOT / "sources"
TERRITORIES = ("dugny", "carrieres-sur-seine", "boulogne-billancourt", "ca-boulonnais")
CORRECTIONS = "a-corriger"
# Date enregistrée dans tous les classeurs (création et modification) : reconstruction stable.
FIXED_TIME = datetime(2025, 1, 6, 9, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

NUMERIC_TYPES = {"nombre", "entier", "valeur", "annee", "annee_suivi", "date"}
LIST_TYPES = {"liste", "multiliste"}
_PLAIN_INTEGER = re.compile(r"0|[1-9]\d{0,14}")
_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A number as Excel takes it when typed: minus, digits grouped by spaces, decimal comma
# (or point, as some sources were typed), then « % » or « € ». Written here: not ctgxl's
# reader, which the samples test.
_TYPED_NUMBER = re.compile(r"(-?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[,.](\d+))?\s*([%€]?)")
_YEAR = re.compile(r"(19|20)\d\d")


# --- Sources --------------------------------------------------------------------------

@dataclass
class Fichier:
    """One file as it arrives: who filled it, how, and the rows of each sheet (typed text)."""

    territoire: str  # folder name under samples/sources/
    info: dict  # [territoire] of fichiers.toml
    nom: str
    service: str
    contact: str
    courriel: str
    mise_a_jour: str
    style: str
    sheets: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    year_headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def years(self) -> range:
        return range(_iso(self.info["debut"]).year, _iso(self.info["fin"]).year + 1)

    @property
    def is_epci(self) -> bool:
        return self.info["type"] == "EPCI"


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def read_csv(path: Path, sheet: str, years: range) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of one CSV, keyed by standard header; checks every header is known."""
    spec = load().sheet(sheet)
    known = {column.header for column in spec.columns}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        headers = next(reader)
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    year_headers = []
    for header in headers:
        if header in known:
            continue
        if spec.year_columns and _YEAR.fullmatch(header):
            if int(header) not in years:
                raise SystemExit(f"{path} : colonne {header} hors de la convention ({years.start}-{years.stop - 1})")
            year_headers.append(header)
            continue
        raise SystemExit(f"{path} : en-tête inconnu « {header} » pour la feuille {sheet}")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(headers):
            raise SystemExit(f"{path}, ligne {number} : {len(row)} valeurs pour {len(headers)} en-têtes")
    return [dict(zip(headers, row)) for row in rows], year_headers


def load_territory(territoire: str, sources: Path = SOURCES) -> tuple[dict, list[Fichier]]:
    folder = sources / territoire
    with open(folder / "fichiers.toml", "rb") as handle:
        raw = tomllib.load(handle)
    info = raw["territoire"]
    files = []
    for entry in raw["fichier"]:
        fichier = Fichier(territoire=territoire, info=info, nom=entry["nom"], service=entry["service"],
                          contact=entry.get("contact", ""), courriel=entry.get("courriel", ""),
                          mise_a_jour=entry.get("mise_a_jour", ""), style=entry["style"])
        if fichier.style not in ("modele", "personnel"):
            raise SystemExit(f"{folder}/fichiers.toml : style inconnu « {fichier.style} » pour {fichier.nom}")
        for sheet, csv_name in entry["feuilles"].items():
            rows, years = read_csv(folder / csv_name, sheet, fichier.years)
            fichier.sheets[sheet] = rows
            fichier.year_headers[sheet] = years
        files.append(fichier)
    return info, files


# --- Values as typed ----------------------------------------------------------------------

def excel_value(text: str, column_type: str) -> tuple[object, str | None]:
    """What Excel stores when someone types ``text`` in a cell: (value, number format or None).

    Numbers become numbers (« 54 % » → 0,54 with a percent format, « 1 234 € » → 1234 with a
    euro format); dates become dates; « <5 », « 2,0 ‰ » (Excel has no per-mille format) and
    a Unicode minus (not a minus sign for Excel) stay text. In text columns only a plain
    integer (a N° action, a code postal, a target) becomes a number, as Excel does.
    """
    typed, text = text, text.strip()
    if not text:
        return None, None
    if match := _DATE_FR.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day), None
    if match := _DATE_ISO.fullmatch(text):
        return date(*(int(part) for part in match.groups())), None
    if column_type not in NUMERIC_TYPES:
        return (int(text), None) if _PLAIN_INTEGER.fullmatch(text) else (typed, None)
    if "‰" in text or "\u2212" in text:
        return typed, None
    match = _TYPED_NUMBER.fullmatch(text)
    if match is None:
        return typed, None
    minus, whole, fraction, sign = match.groups()
    number = float(f"{minus}{re.sub(r'[^0-9]', '', whole)}.{fraction or 0}")
    number = int(number) if number.is_integer() else number
    decimals = "," in text or "." in text
    if sign == "%":
        value = round(number / 100, 12)
        return (int(value) if float(value).is_integer() else value), ("0.00%" if decimals else "0%")
    if sign == "€":
        return number, '#,##0.00\\ "€"' if decimals else '#,##0\\ "€"'  # French Excel's formats
    return number, None


def personal_value(text: str, column_type: str) -> object:
    """What a person's own file holds: French text as typed; plain integers are numbers."""
    text = text.strip()
    if not text:
        return None
    if column_type in NUMERIC_TYPES | {"code_postal"} and _PLAIN_INTEGER.fullmatch(text):
        return int(text)
    return text


# --- Where a value lands ---------------------------------------------------------------

@dataclass
class Placement:
    """Where each sheet and row of a Fichier was written, to name the cell of a finding."""

    titles: dict[str, str] = field(default_factory=dict)  # standard sheet -> sheet title
    rows: dict[str, list[int]] = field(default_factory=dict)  # sheet -> Excel row of each data row
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> header -> 0-based col
    identification: dict[str, str] = field(default_factory=dict)  # field id -> cell

    def cell(self, sheet: str, index: int | None, header: str) -> tuple[str, str]:
        """(sheet title, A1 cell) of a data value, or of an Identification field (index None)."""
        if sheet == IDENTIFICATION:
            return self.titles[IDENTIFICATION], self.identification[header]
        return self.titles[sheet], cell_ref(self.rows[sheet][index], self.columns[sheet][header])


def identification_values(fichier: Fichier) -> dict[str, str]:
    """Identification field id -> value as text (dates ISO)."""
    info = fichier.info
    return {
        "territoire": info["nom"],
        "type_territoire": info["type"],
        "code": info["code"],
        "caf": info["caf"],
        "debut": info["debut"],
        "fin": info["fin"],
        "communes": "; ".join(info.get("communes", [])) if fichier.is_epci else "",
        "service": fichier.service,
        "contact": fichier.contact,
        "courriel": fichier.courriel,
        "mise_a_jour": fichier.mise_a_jour,
    }


# --- Files typed into the template ------------------------------------------------------

def write_modele(fichier: Fichier, target: Path) -> Placement:
    std = load()
    names = set(fichier.sheets) | {IDENTIFICATION}
    kind = std.template_for_sheets(names)
    placement = Placement()
    writer = WorkbookWriter(target, kind, command="template")
    try:
        # Fixed dates so that a rebuild gives the same file; the author is the person who filled it.
        writer.book.set_properties({"title": std.templates[kind].title, "author": fichier.contact,
                                    "created": FIXED_TIME})
        formats: dict[str, object] = {}

        def number_format(code: str):
            if code not in formats:
                formats[code] = writer.book.add_format({"num_format": code, "valign": "top"})
            return formats[code]

        writer.add_readme(fichier.service)
        for sheet_name in std.templates[kind].sheets:
            placement.titles[sheet_name] = sheet_name
            if sheet_name == IDENTIFICATION:
                spec = std.sheet(IDENTIFICATION)
                typed = identification_values(fichier)
                values = {}
                for row, column in enumerate(spec.columns, start=1):
                    values[column.id] = excel_value(typed.get(column.id, ""), column.type)[0]
                    placement.identification[column.id] = cell_ref(row + 1, 1)
                writer.add_identification(values)
                continue
            spec = std.sheet(sheet_name)
            years = fichier.years if spec.year_columns else None
            columns = spec.columns_for(years)
            placement.columns[sheet_name] = {column.header: index for index, column in enumerate(columns)}
            rows, cell_formats = [], []
            for source in fichier.sheets.get(sheet_name, []):
                values, codes = [], {}
                for index, column in enumerate(columns):
                    value, code = excel_value(source.get(column.header, ""), column.type)
                    values.append(value)
                    if code:
                        codes[index] = code
                rows.append(values)
                cell_formats.append(codes)
            placement.rows[sheet_name] = [index + 2 for index in range(len(rows))]

            def row_format(sheet, row, values, cell_formats=cell_formats):
                for index, code in cell_formats[row - 1].items():
                    sheet.write_number(row, index, values[index], number_format(code))

            writer.add_table(spec, rows, years=years, row_format=row_format, percent_fractions=False)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    normalise_zip(target)
    return placement


# --- Files made by the service ----------------------------------------------------------

PERSONAL_TITLES = {
    DIAGNOSTIC: "Diagnostic partagé",
    ENJEUX: "Enjeux",
    EQUIPEMENTS: "Equipements",
    PLAN: "Plan d'action",
    SUIVI: "Suivi",
}
PERSONAL_LABELS = {
    DIAGNOSTIC: "Diagnostic",
    ENJEUX: "Enjeux retenus",
    EQUIPEMENTS: "Équipements et services soutenus",
    PLAN: "Plan d'actions",
    SUIVI: "Suivi des indicateurs",
}
PERSONAL_ALIASES = {"Nom de la structure": "Structure"}
EXTRA_HEADER = "Remarque interne"
EXTRA_NOTES = ("à vérifier avec la Caf", "chiffre repris du document de la convention",
               "validé en réunion de service", "à mettre à jour l'an prochain")
_HEADER_STYLES: tuple[Callable[[str], str], ...] = (
    lambda text: text,
    lambda text: text.lower(),
    lambda text: strip_accents(text),
    lambda text: text.upper(),
    lambda text: text.replace(" ", "\n", 1),
    lambda text: f" {text.replace(' ', '  ', 1)} ",
    lambda text: text[0] + strip_accents(text[1:]).lower(),
)
_HEADER_WEIGHTS = (6, 2, 2, 1, 1, 1, 1)  # mostly as in the standard
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def personal_header(column: Column, rng: random.Random) -> str:
    if column.header in PERSONAL_ALIASES:
        return PERSONAL_ALIASES[column.header]
    return rng.choices(_HEADER_STYLES, weights=_HEADER_WEIGHTS)[0](column.header)


def personal_order(columns: list[Column], rng: random.Random) -> list[Column]:
    """The standard columns in the person's own order: a few moved around."""
    order = list(columns)
    for _ in range(3):
        moved = order.pop(rng.randrange(len(order)))
        order.insert(rng.randrange(len(order) + 1), moved)
    if order == list(columns):
        order[0], order[1] = order[1], order[0]
    return order


def blank_rows_after(index: int) -> int:
    """Fully empty rows left after data row ``index`` (0-based)."""
    if index % 9 == 5:
        return 2
    return 1 if index % 6 == 2 else 0


def lower_lists(index: int) -> bool:
    """Rows whose list values were typed in lower case."""
    return index % 4 == 2


def write_personnel(fichier: Fichier, target: Path) -> Placement:
    std = load()
    info = fichier.info
    placement = Placement()
    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.creator = fichier.contact
    book.properties.lastModifiedBy = fichier.contact
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    owner = f"Ville de {info['nom']}" if info["type"] == "Commune" else info["nom"]
    year = fichier.mise_a_jour[:4]

    sheet = book.create_sheet(IDENTIFICATION)
    placement.titles[IDENTIFICATION] = IDENTIFICATION
    sheet["A1"] = f"{owner} – Convention territoriale globale – fiche d'identification"
    sheet["A1"].font = TITLE_FONT
    typed = identification_values(fichier)
    row = 3
    for column in std.sheet(IDENTIFICATION).columns:
        text = typed.get(column.id, "")
        if column.id == "communes":
            if not fichier.is_epci:
                continue
            text = "\n".join(info["communes"])  # one per line, as the standard allows
        if column.type == "date" and text:
            text = _iso(text).strftime("%d/%m/%Y")
        sheet.cell(row, 1, column.header).font = HEADER_FONT
        cell = sheet.cell(row, 2, text or None)
        cell.data_type = "s" if text else cell.data_type
        if "\n" in text:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        placement.identification[column.id] = f"B{row}"
        row += 1
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60

    for sheet_name in (DIAGNOSTIC, ENJEUX, EQUIPEMENTS, PLAN, SUIVI):
        if sheet_name not in fichier.sheets:
            continue
        rows = fichier.sheets[sheet_name]
        spec = std.sheet(sheet_name)
        rng = random.Random(f"{fichier.nom}|{sheet_name}")
        # Optional columns the service never used are not in its file at all.
        kept = [column for column in spec.columns
                if column.mandatory or any(source.get(column.header, "").strip() for source in rows)]
        columns = personal_order(kept, rng)
        headers = [personal_header(column, rng) for column in columns]
        years = fichier.year_headers.get(sheet_name, [])
        title = PERSONAL_TITLES[sheet_name]
        placement.titles[sheet_name] = title
        sheet = book.create_sheet(title)
        sheet["A1"] = f"{owner} – {PERSONAL_LABELS[sheet_name]} – {fichier.service} ({year})"
        sheet["A1"].font = TITLE_FONT
        header_row = 3
        all_headers = headers + [int(year_header) for year_header in years] + [EXTRA_HEADER]
        for position, header in enumerate(all_headers, start=1):
            cell = sheet.cell(header_row, position, header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[get_column_letter(position)].width = 12 if position > len(headers) else 20
        placement.columns[sheet_name] = {column.header: index for index, column in enumerate(columns)}
        for offset, year_header in enumerate(years):
            placement.columns[sheet_name][year_header] = len(columns) + offset
        placement.rows[sheet_name] = []
        excel_row = header_row + 1
        for index, source in enumerate(rows):
            values = []
            for column in columns:
                value = personal_value(source.get(column.header, ""), column.type)
                if isinstance(value, str) and column.type in LIST_TYPES and lower_lists(index):
                    value = value.lower()
                values.append(value)
            values += [personal_value(source.get(year_header, ""), "annee_suivi") for year_header in years]
            values.append(EXTRA_NOTES[(index // 5) % len(EXTRA_NOTES)] if index % 5 == 1 else None)
            for position, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = sheet.cell(excel_row, position, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text as typed, never a formula
                    if len(value) > 40:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
            placement.rows[sheet_name].append(excel_row)
            excel_row += 1 + (blank_rows_after(index) if index < len(rows) - 1 else 0)
        sheet.freeze_panes = f"A{header_row + 1}"
    book.active = 1 if len(book.worksheets) > 1 else 0
    book.save(target)
    normalise_zip(target)
    return placement


# --- Stable archives ----------------------------------------------------------------------

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalise_zip(path: Path) -> None:
    """Same bytes on every rebuild: fixed entry dates and modification date."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    temporary.replace(path)


def write_fichier(fichier: Fichier, target: Path) -> Placement:
    target.parent.mkdir(parents=True, exist_ok=True)
    if fichier.style == "modele":
        return write_modele(fichier, target)
    return write_personnel(fichier, target)


# --- Files with one mistake -------------------------------------------------------------

@dataclass(frozen=True)
class ACorriger:
    """A copy of a sample file with ONE mistake, and the finding ``ctgxl check`` must give.

    The copy keeps the Identification and only the sheets of ``feuilles``: the ones the
    mistake needs. Two copies of one territory then never share rows of a sheet whose key is
    checked across the files of a territory (N° action of the Plan d'actions), and no copy
    carries the warnings of its source file (Boulogne-Billancourt's empty addresses): checking
    the whole folder gives exactly the findings of ``A_CORRIGER``, as checking each file alone.
    """

    fichier: str  # name in a-corriger/
    territoire: str
    source: str  # name of the sample file it is copied from
    feuilles: tuple[str, ...]  # standard sheets kept besides Identification
    erreur: str  # what was done, in French (README)
    modifier: Callable[[Fichier], tuple[str, int | None, str]]  # -> (sheet, row index, header)
    code: str  # "" : no finding at all (a way of writing the check must accept)
    gravite: str
    feuille: str  # sheet title in the workbook
    cellule: str

    @property
    def constat(self) -> tuple[str, str, str, str, str] | None:
        """(file, sheet title, cell, code, severity) the file must give, or None."""
        return (self.fichier, self.feuille, self.cellule, self.code, self.gravite) if self.code else None


def _set(sheet: str, index: int | None, header: str, value: str):
    """Type ``value`` in one cell (Identification: ``header`` is the field id)."""

    def modify(fichier: Fichier) -> tuple[str, int | None, str]:
        if sheet == IDENTIFICATION:
            if header in ("territoire", "type_territoire", "code", "caf", "debut", "fin"):
                fichier.info = dict(fichier.info, **{header: value})
            else:
                setattr(fichier, header, value)
            return sheet, None, header
        fichier.sheets[sheet][index][header] = value
        return sheet, index, header

    return modify


def _copy_row(sheet: str, index: int, changed: dict[str, str], finding_header: str):
    """Copy row ``index`` just below itself, change some cells but not ``finding_header``."""

    def modify(fichier: Fichier) -> tuple[str, int | None, str]:
        rows = fichier.sheets[sheet]
        rows.insert(index + 1, dict(rows[index], **changed))
        return sheet, index + 1, finding_header

    return modify


def _list_spellings(fichier: Fichier) -> tuple[str, int | None, str]:
    """List values typed in lower case, without accents, with spaces around: all accepted."""
    changes = {
        DIAGNOSTIC: {(0, "Volet"): "petite enfance", (0, "Unité"): "nombre", (1, "Volet"): "PETITE ENFANCE"},
        ENJEUX: {(0, "Volet"): "Petite Enfance"},
        EQUIPEMENTS: {(0, "Type de structure"): "eaje", (0, "Mode de gestion"): " regie municipale ",
                      (1, "Financement Caf"): "psu ; bonus territoire ctg", (4, "Type de structure"): "rpe"},
    }
    for sheet, cells in changes.items():
        for (index, header), value in cells.items():
            fichier.sheets[sheet][index][header] = value
    return "", None, ""


def _commune_spellings(fichier: Fichier) -> tuple[str, int | None, str]:
    """Member communes typed with hyphens, a straight apostrophe, in capitals: all accepted
    (the Identification lists « Hesdin l’Abbé » with a typographic apostrophe)."""
    rows = fichier.sheets[EQUIPEMENTS]
    rows[0]["Collectivité signataire"] = "Hesdin-l'Abbé"
    rows[1]["Collectivité signataire"] = "HESDIN L'ABBE"
    rows[1]["Commune d'implantation"] = "Hesdin-l'Abbé"
    return "", None, ""


A_CORRIGER: tuple[ACorriger, ...] = (
    ACorriger("dugny-type-structure-hors-liste.xlsx", "dugny", "dugny-petite-enfance.xlsx", (EQUIPEMENTS,),
              "Type de structure « Creche » au lieu de « EAJE » (fichier fait par le service)",
              _set(EQUIPEMENTS, 1, "Type de structure", "Creche"),
              "valeur-hors-liste", ERREUR, "Equipements", "B5"),
    ACorriger("dugny-annee-hors-convention.xlsx", "dugny", "dugny-cohesion-sociale.xlsx", (PLAN,),
              "Année de début 2021 pour une convention 2023-2027",
              _set(PLAN, 2, "Année de début", "2021"),
              "annee-hors-convention", ERREUR, PLAN, "L4"),
    ACorriger("dugny-pourcentage-1500.xlsx", "dugny", "dugny-enfance-jeunesse.xlsx", (DIAGNOSTIC,),
              "« 15,00 » tapé dans un Excel réglé en anglais : 1500 sous l'unité %",
              _set(DIAGNOSTIC, 0, "Valeur territoire", "1500"),
              "pourcentage-hors-bornes", ERREUR, DIAGNOSTIC, "D2"),
    ACorriger("dugny-pourcentage-fraction.xlsx", "dugny", "dugny-enfance-jeunesse.xlsx", (DIAGNOSTIC,),
              "0,09 au lieu de 9 sous l'unité % (fraction, sans format pourcentage)",
              _set(DIAGNOSTIC, 1, "Valeur territoire", "0,09"),
              "pourcentage-fraction", AVERTISSEMENT, DIAGNOSTIC, "D3"),
    ACorriger("dugny-capacite-en-lettres.xlsx", "dugny", "dugny-enfance-jeunesse.xlsx", (EQUIPEMENTS,),
              "Capacité écrite en lettres : « vingt-quatre »",
              _set(EQUIPEMENTS, 2, "Capacité (places)", "vingt-quatre"),
              "nombre-illisible", ERREUR, EQUIPEMENTS, "I4"),
    ACorriger("boulogne-pilote-manquant.xlsx", "boulogne-billancourt", "boulogne-jeunesse.xlsx", (PLAN,),
              "Pilote collectivité laissé vide",
              _set(PLAN, 0, "Pilote collectivité", ""),
              "valeur-obligatoire", ERREUR, PLAN, "I2"),
    ACorriger("boulogne-suivi-action-inconnue.xlsx", "boulogne-billancourt", "boulogne-enfance-education.xlsx",
              (PLAN, SUIVI),
              "Suivi des indicateurs : N° action 23, absent du plan (22 actions)",
              _set(SUIVI, 2, "N° action", "23"),
              "action-inconnue", ERREUR, SUIVI, "A4"),
    ACorriger("boulogne-fin-convention-2032.xlsx", "boulogne-billancourt", "boulogne-ccas-solidarites.xlsx", (),
              "Fin de la convention tapée 31/12/2032 au lieu de 31/12/2027",
              _set(IDENTIFICATION, None, "fin", "2032-12-31"),
              "convention-trop-longue", ERREUR, IDENTIFICATION, "B7"),
    ACorriger("carrieres-action-en-double.xlsx", "carrieres-sur-seine", "carrieres-education-equipements-plan.xlsx",
              (PLAN,),
              "Ligne d'action copiée pour en créer une nouvelle, N° action 3 pas changé",
              _copy_row(PLAN, 2, {"Intitulé de l'action": "Forum annuel des familles et du handicap",
                                  "Statut": "À engager", "Année de début": "2025", "Année de fin": "2025"},
                        "N° action"),
              "doublon", ERREUR, PLAN, "A5"),
    ACorriger("carrieres-code-postal-espace.xlsx", "carrieres-sur-seine", "carrieres-petite-enfance.xlsx",
              (EQUIPEMENTS,),
              "Code postal tapé « 78 420 » (avec une espace)",
              _set(EQUIPEMENTS, 2, "Code postal", "78 420"),
              "code-postal-invalide", ERREUR, EQUIPEMENTS, "E4"),
    ACorriger("carrieres-valeur-illisible.xlsx", "carrieres-sur-seine", "carrieres-diagnostic-action-sociale.xlsx",
              (DIAGNOSTIC,),
              "Valeur territoire « 12,5,3 » (deux virgules ; fichier fait par le service)",
              _set(DIAGNOSTIC, 4, "Valeur territoire", "12,5,3"),
              "nombre-illisible", ERREUR, "Diagnostic partagé", "D9"),
    ACorriger("carrieres-orthographes-acceptees.xlsx", "carrieres-sur-seine", "carrieres-petite-enfance.xlsx",
              (DIAGNOSTIC, ENJEUX, EQUIPEMENTS),
              "Valeurs de liste en minuscules, en capitales, sans accents ou avec des espaces autour : "
              "« petite enfance », « PETITE ENFANCE », « nombre », « eaje », « rpe », « regie municipale », "
              "« psu ; bonus territoire ctg »",
              _list_spellings,
              "", "", "", ""),
    ACorriger("cab-siren-cle-fausse.xlsx", "ca-boulonnais", "cab-ctg-2021-2025-plan-actions.xlsx", (),
              "SIREN 246200365 : dernier chiffre faux, la clé de Luhn ne tombe pas juste",
              _set(IDENTIFICATION, None, "code", "246200365"),
              "code-territoire-invalide", ERREUR, IDENTIFICATION, "B4"),
    ACorriger("cab-commune-non-membre.xlsx", "ca-boulonnais", "equipements-le-portel.xlsx", (EQUIPEMENTS,),
              "Collectivité signataire « Marquise » (commune hors de la CAB)",
              _set(EQUIPEMENTS, 0, "Collectivité signataire", "Marquise"),
              "commune-non-membre", ERREUR, EQUIPEMENTS, "A2"),
    ACorriger("cab-communes-graphies-acceptees.xlsx", "ca-boulonnais", "equipements-hesdin-l-abbe.xlsx",
              (EQUIPEMENTS,),
              "Collectivité signataire « Hesdin-l'Abbé » et « HESDIN L'ABBE » pour la commune membre "
              "« Hesdin l’Abbé » (tirets, apostrophe droite, capitales)",
              _commune_spellings,
              "", "", "", ""),
    ACorriger("cab-financement-virgule.xlsx", "ca-boulonnais", "equipements-wimereux.xlsx", (EQUIPEMENTS,),
              "Financement Caf « PSO, Bonus territoire CTG » : virgule au lieu de « ; »",
              _set(EQUIPEMENTS, 1, "Financement Caf", "PSO, Bonus territoire CTG"),
              "valeur-hors-liste", ERREUR, EQUIPEMENTS, "J3"),
)


def expected_findings() -> set[tuple[str, str, str, str, str]]:
    """Errors and warnings ``ctgxl check samples/a-corriger/`` gives: (file, sheet, cell, code, severity)."""
    return {item.constat for item in A_CORRIGER if item.constat}


def readme_rows() -> list[tuple[str, ...]]:
    """The table of samples/README.md for a-corriger/, one tuple of cell texts per file."""
    rows = []
    for item in A_CORRIGER:
        kept = ", ".join((IDENTIFICATION,) + item.feuilles)
        if item.code:
            finding = (f"`{item.feuille}`", f"`{item.cellule}`", f"`{item.code}`", item.gravite)
        else:
            finding = ("—", "—", "aucun constat", "—")
        rows.append((f"`{item.fichier}`", f"`{item.territoire}/{item.source}`", kept, item.erreur) + finding)
    return rows


# --- A second version: the same territory a year later ----------------------------------

SECOND_VERSION = "dugny-2025"  # samples/dugny/ as the services sent it back for the COPIL of 2025
SECOND_VERSION_OF = "dugny"
UPDATED_ON = datetime(2025, 11, 20)
PE, EJ, CS = "dugny-petite-enfance.xlsx", "dugny-enfance-jeunesse.xlsx", "dugny-cohesion-sociale.xlsx"
PE1_RATE = "Taux de couverture en accueil collectif (%)"


@dataclass(frozen=True)
class Saisie:
    """One cell a service changed: in the row whose key (the standard's ``cle``) is ``cle``, the
    column ``colonne`` held ``avant`` (its meaning), the person typed ``tape``, meaning ``apres``."""

    fichier: str
    feuille: str
    cle: tuple[str, ...]
    colonne: str  # header, or the year of a Suivi column
    avant: object
    tape: object
    apres: object


@dataclass(frozen=True)
class NouvelleLigne:
    """A row a service added below its others: ``valeurs`` as typed, ``sens`` as meant."""

    fichier: str
    feuille: str
    cle: tuple[str, ...]
    valeurs: dict[str, object]
    sens: dict[str, object]


# What the services changed, typed the way people type: list values in lower case, numbers
# as text in the file made by the service, an amount with its euro sign.
SAISIES: tuple[Saisie, ...] = (
    # Statuses advanced
    Saisie(PE, PLAN, ("PE-1",), "Statut", "En cours", "réalisée", "Réalisée"),
    Saisie(PE, PLAN, ("PE-1",), "Commentaire de suivi",
           "Diagnostic engagé en 2023, restitution prévue fin 2024",
           "Diagnostic restitué au comité de pilotage de juin 2025", "Diagnostic restitué au comité de pilotage de juin 2025"),
    Saisie(PE, PLAN, ("PE-4",), "Statut", "En cours", "Réalisée", "Réalisée"),
    Saisie(EJ, PLAN, ("EF-2",), "Statut", "En cours", "réalisée", "Réalisée"),
    Saisie(EJ, PLAN, ("EF-3",), "Statut", "À engager", "en cours", "En cours"),
    Saisie(CS, PLAN, ("AD-1",), "Statut", "En cours", "Réalisée", "Réalisée"),
    # One action abandoned, one postponed by a year
    Saisie(PE, PLAN, ("PE-5",), "Statut", "À engager", "abandonnée", "Abandonnée"),
    Saisie(PE, PLAN, ("PE-5",), "Commentaire de suivi",
           "Recrutement conditionné à l'installation dans le nouveau local",
           "Abandonnée : le RPE reste dans son local, pas de poste supplémentaire",
           "Abandonnée : le RPE reste dans son local, pas de poste supplémentaire"),
    Saisie(CS, PLAN, ("AVS-3",), "Statut", "En cours", "Reportée", "Reportée"),
    Saisie(CS, PLAN, ("AVS-3",), "Année de fin", 2025, 2026, 2026),
    # A structure that grew
    Saisie(PE, EQUIPEMENTS, ("EAJE", "MA Les cigognes", "Dugny"), "Capacité (places)", 62, "66", 66),
    # Suivi values of the new year
    Saisie(PE, SUIVI, ("PE-1", PE1_RATE), "2025", None, "21", 21),
    Saisie(PE, SUIVI, ("PE-2", "Nombre de places d'accueil collectif créées"), "2025", None, "0", 0),
    Saisie(PE, SUIVI, ("PE-4", "Taux de fréquentation du RPE par les assistantes maternelles (%)"), "2025", None,
           "68", 68),
    Saisie(PE, SUIVI, ("PE-6", "Nombre d'assistantes maternelles agréées"), "2025", None, "36", 36),
    Saisie(EJ, SUIVI, ("EF-1", "Nombre de places créées"), "2025", None, 48, 48),
    Saisie(EJ, SUIVI, ("EF-2", "Nombre d'enfants fréquentant la ludothèque"), "2025", None, 260, 260),
    Saisie(EJ, SUIVI, ("JE-1", "Nombre d'actions développées en lien avec une thématique"), "2025", None, 4, 4),
    Saisie(CS, SUIVI, ("PAR-1", "Nombre de séances co-animées par le CS et la maison des parents"), "2025", None,
           9, 9),
    Saisie(CS, SUIVI, ("AD-2", "Nombre d'ateliers numériques proposés"), "2025", None, 34, 34),
    Saisie(CS, SUIVI, ("AD-5", "Nombre de réunions partenaires"), "2025", None, 4, 4),
)
NEW_ACTION = {
    "N° action": "EF-4", "Thématique": "enfance", "Enjeu / axe": "Accueil de loisirs du nouveau quartier",
    "Objectif": "Répondre aux besoins d'accueil du mercredi des familles du nouveau quartier",
    "Intitulé de l'action": "Ouvrir un accueil de loisirs le mercredi dans le nouveau quartier",
    "Public cible": "Enfants de 3 à 11 ans", "Pilote collectivité": "Service enfance-jeunesse",
    "Pilote Caf": "Chargée de coopération", "Année de début": 2026, "Année de fin": 2027, "Statut": "à engager",
    "Indicateurs de résultat": "Nombre d'enfants accueillis le mercredi", "Budget prévisionnel (€)": "35 000 €",
}
NEW_INDICATOR = {"N° action": "EF-4", "Indicateur": "Nombre d'enfants accueillis le mercredi", "Type": "résultat",
                 "Cible": "40", "Valeur de référence": 0, "Année de référence": 2022}
NEW_STRUCTURE = {
    "Type de structure": "ALSH périscolaire", "Nom de la structure": "Accueil de loisirs du nouveau quartier",
    "Adresse": "Rue de la Cité-Jardin", "Code postal": "93440", "Commune d'implantation": "Dugny",
    "Gestionnaire": "Ville de Dugny", "Mode de gestion": "régie municipale", "Capacité (places)": 80,
    "Financement Caf": "PSO",
}
NOUVELLES_LIGNES: tuple[NouvelleLigne, ...] = (
    NouvelleLigne(EJ, PLAN, ("EF-4",), NEW_ACTION,
                  {**NEW_ACTION, "Thématique": "Enfance", "Statut": "À engager", "Budget prévisionnel (€)": 35000}),
    NouvelleLigne(EJ, SUIVI, ("EF-4", NEW_INDICATOR["Indicateur"]), NEW_INDICATOR,
                  {**NEW_INDICATOR, "Type": "Résultat"}),
    NouvelleLigne(EJ, EQUIPEMENTS, ("ALSH périscolaire", NEW_STRUCTURE["Nom de la structure"], "Dugny"),
                  NEW_STRUCTURE, {**NEW_STRUCTURE, "Mode de gestion": "Régie municipale"}),
)


def _same(cell_value: object, meant: object) -> bool:
    if meant is None:
        return cell_value is None or (isinstance(cell_value, str) and not cell_value.strip())
    if isinstance(meant, (int, float)):
        number, _ = parse_number(cell_value)
        return number is not None and abs(float(number) - meant) < 1e-9
    return fold(str(cell_value)) == fold(str(meant))


def _row_of(table, spec, key: tuple[str, ...]) -> int:
    """Index of the row whose key columns hold ``key`` (compared as the standard compares)."""
    for index in range(len(table.rows)):
        found = tuple(table.values.get(column_id, [None] * len(table.rows))[index] for column_id in spec.key)
        if all(_same(value, wanted) for value, wanted in zip(found, key)):
            return index
    raise SystemExit(f"{table.title} : pas de ligne {' / '.join(key)}")


def build_second_version(dest: Path) -> list[Path]:
    """Copy dest/dugny/ to dest/dugny-2025/ and make there the changes a year brings, cell by
    cell with openpyxl, as the services do in their spreadsheets. Each cell changed must hold
    the value the list says it held."""
    from ctgxl.reading.reader import read_workbook
    from ctgxl.standard import header_index

    std = load()
    source, folder = dest / SECOND_VERSION_OF, dest / SECOND_VERSION
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    written = []
    for path in sorted(source.glob("*.xlsx")):
        read = read_workbook(path)
        book = openpyxl.load_workbook(path)
        saisies = [saisie for saisie in SAISIES if saisie.fichier == path.name]
        for saisie in saisies:
            table, spec = read.tables[saisie.feuille], std.sheet(saisie.feuille)
            index = _row_of(table, spec, saisie.cle)
            column_id = saisie.colonne if saisie.colonne.isdigit() else header_index(spec)[fold(saisie.colonne)]
            cell = book[table.title][table.cell(index, column_id)]
            if not _same(cell.value, saisie.avant):
                raise SystemExit(f"{path.name} {table.title}!{cell.coordinate} : {cell.value!r} au lieu de "
                                 f"{saisie.avant!r}")
            cell.value = saisie.tape
        for ligne in (ligne for ligne in NOUVELLES_LIGNES if ligne.fichier == path.name):
            table, spec = read.tables[ligne.feuille], std.sheet(ligne.feuille)
            index = header_index(spec)
            row = max(table.rows) + 1
            sheet = book[table.title]
            for header, value in ligne.valeurs.items():
                sheet.cell(row=row, column=table.positions[index[fold(header)]] + 1).value = value
        identification = book[read.identification_title]
        identification[read.identification_cells["mise_a_jour"]].value = UPDATED_ON
        target = folder / path.name
        book.save(target)
        normalise_zip(target)
        written.append(target)
    return written


# --- Building ---------------------------------------------------------------------------

def build_territory(territoire: str, dest: Path, sources: Path = SOURCES) -> list[Path]:
    _, files = load_territory(territoire, sources)
    folder = dest / territoire
    if folder.exists():
        for old in folder.glob("*.xlsx"):
            old.unlink()
    written = []
    for fichier in files:
        target = folder / fichier.nom
        write_fichier(fichier, target)
        written.append(target)
    return written


def build_corrections(dest: Path, sources: Path = SOURCES) -> list[Path]:
    """Write a-corriger/; check that each mistake sits in the cell the README announces and
    that checking the folder gives exactly the findings of ``A_CORRIGER``."""
    folder = dest / CORRECTIONS
    if folder.exists():
        for old in folder.glob("*.xlsx"):
            old.unlink()
    by_territory = {territoire: {fichier.nom: fichier for fichier in load_territory(territoire, sources)[1]}
                    for territoire in {item.territoire for item in A_CORRIGER}}
    written, misplaced = [], []
    for item in A_CORRIGER:
        fichier = copy.deepcopy(by_territory[item.territoire][item.source])
        missing = [sheet for sheet in item.feuilles if sheet not in fichier.sheets]
        if missing:
            raise SystemExit(f"{item.fichier} : {item.source} n'a pas de feuille {', '.join(missing)}")
        fichier.sheets = {sheet: rows for sheet, rows in fichier.sheets.items() if sheet in item.feuilles}
        fichier.year_headers = {sheet: years for sheet, years in fichier.year_headers.items()
                                if sheet in item.feuilles}
        sheet, index, header = item.modifier(fichier)
        target = folder / item.fichier
        placement = write_fichier(fichier, target)
        if sheet:
            where = placement.cell(sheet, index, header)
            if where != (item.feuille, item.cellule):
                misplaced.append(f"{item.fichier} : l'erreur est en {where[0]}!{where[1]}, "
                                 f"pas en {item.feuille}!{item.cellule} comme annoncé")
        written.append(target)
    if misplaced:
        raise SystemExit("\n".join(misplaced))
    unexpected, absent = corrections_differences(folder)
    if unexpected or absent:
        lines = [f"{CORRECTIONS}/ contrôlé en entier ne donne pas les constats annoncés :"]
        lines += [f"  en trop : {' '.join(finding)}" for finding in sorted(unexpected)]
        lines += [f"  absent : {' '.join(finding)}" for finding in sorted(absent)]
        raise SystemExit("\n".join(lines))
    return written


def corrections_differences(folder: Path) -> tuple[set[tuple], set[tuple]]:
    """(findings in excess, findings missing) of ``ctgxl check`` on the folder, errors and
    warnings only: information findings are left aside."""
    report = check_paths([folder])
    found = {(Path(finding.file).name, finding.sheet, finding.cell, finding.code, finding.severity)
             for finding in report.errors + report.warnings}
    expected = expected_findings()
    return found - expected, expected - found


def build(dest: Path = ROOT, sources: Path = SOURCES, territories: tuple[str, ...] = TERRITORIES,
          corrections: bool = True) -> list[Path]:
    written = []
    for territoire in territories:
        written += build_territory(territoire, dest, sources)
    if SECOND_VERSION_OF in territories:
        written += build_second_version(dest)
    if corrections:
        written += build_corrections(dest, sources)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit les classeurs d'exemple de ctgxl.")
    parser.add_argument("--dest", type=Path, default=ROOT, help="dossier de sortie (par défaut : samples/)")
    parser.add_argument("--tableau", action="store_true",
                        help="affiche les lignes du tableau de a-corriger/ de samples/README.md, sans rien écrire")
    parser.add_argument("territoires", nargs="*", metavar="TERRITOIRE",
                        help=f"territoires à construire (par défaut tous : {', '.join(TERRITORIES)} ; "
                             "a-corriger/ n'est construit qu'avec tous)")
    args = parser.parse_args(argv)
    if args.tableau:
        for row in readme_rows():
            print("| " + " | ".join(row) + " |")
        return 0
    unknown = [name for name in args.territoires if name not in TERRITORIES]
    if unknown:
        parser.error(f"territoire inconnu : {', '.join(unknown)} (connus : {', '.join(TERRITORIES)})")
    territories = tuple(args.territoires) or TERRITORIES
    written = build(args.dest, territories=territories, corrections=not args.territoires)
    print(f"{len(written)} classeurs écrits dans {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
