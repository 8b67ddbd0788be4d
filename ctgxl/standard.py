"""The CTG workbook standard, loaded from the TOML descriptions in ``validators/``.

Everything that knows a header, a list or a rule reads it from here: the template
writer, the reader, the schemas and the reference page.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from ctgxl.text import fold

# Amounts in euros. Not `#,##0 "€"`: French LibreOffice saves that as `#,##0,\€` in .xlsx and .xls,
# which shows 24 500 as « 25€ ». This one (French Excel's own) is kept, and shows « 24 500 € ».
EURO_FORMAT = '#,##0\\ "€"'

SHEET_FILES = (
    "identification.toml",
    "diagnostic.toml",
    "enjeux.toml",
    "equipements.toml",
    "plan_actions.toml",
    "suivi.toml",
)

IDENTIFICATION = "Identification"
DIAGNOSTIC = "Diagnostic"
ENJEUX = "Enjeux"
EQUIPEMENTS = "Équipements"
PLAN = "Plan d'actions"
SUIVI = "Suivi des indicateurs"
DATA_SHEETS = (DIAGNOSTIC, ENJEUX, EQUIPEMENTS, PLAN, SUIVI)


@dataclass(frozen=True)
class Column:
    id: str
    header: str
    mandatory: bool
    type: str
    help: str
    list_name: str | None = None
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    width: float = 15
    wrap: bool = False
    number_format: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    # What an empty cell is: "erreur", "avertissement" or "accepte".
    empty: str = "accepte"
    default: str | None = None
    warn_empty_if: tuple[str, tuple[str, ...]] | None = None
    period: str | None = None
    end_of_period: bool = False

    @property
    def template_header(self) -> str:
        """The header as written in generated templates: mandatory ones end with ` *`."""
        return f"{self.header} *" if self.mandatory else self.header

    @property
    def is_year(self) -> bool:
        return self.type == "annee_suivi"


@dataclass(frozen=True)
class Sheet:
    name: str
    help: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # The column that says what a row is about when its key does not (the action's title).
    label: str | None = None
    layout: str = "table"
    year_columns: bool = False
    year_help: str = ""

    def column(self, column_id: str) -> Column:
        for column in self.columns:
            if column.id == column_id:
                return column
        raise KeyError(column_id)

    def columns_for(self, years: range | None = None) -> tuple[Column, ...]:
        """The columns of this sheet, with one column per year where the sheet has them."""
        if not self.year_columns or not years:
            return self.columns
        return self.columns + tuple(year_column(self, year) for year in years)


def year_column(sheet: Sheet, year: int) -> Column:
    return Column(
        id=str(year),
        header=str(year),
        mandatory=False,
        type="annee_suivi",
        help=sheet.year_help.format(annee=year),
        width=9,
        number_format="General",
    )


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    sheets: tuple[str, ...]


@dataclass(frozen=True)
class Standard:
    version: int
    name: str
    lists: dict[str, tuple[str, ...]]
    sheets: dict[str, Sheet]
    templates: dict[str, Template]
    # version -> {"entetes": {sheet: {old: new}}, "valeurs": {list: {old: new}},
    #             "ajouts": {sheet: [header]}, "description"}
    history: dict[int, dict] = field(default_factory=dict)

    def sheet(self, name: str) -> Sheet:
        return self.sheets[name]

    def template_for_sheets(self, names: set[str]) -> str:
        """The smallest template kind holding all these sheets."""
        for kind in ("diagnostic", "equipements", "plan-actions", "complet"):
            if names <= set(self.templates[kind].sheets):
                return kind
        return "complet"

    def header_renames(self, sheet: str, version: int) -> dict[str, str]:
        """Old header -> current header for a workbook of an older version."""
        renames: dict[str, str] = {}
        for old_version in sorted(self.history, reverse=True):
            if old_version >= version:
                for old, new in self.history[old_version].get("entetes", {}).get(sheet, {}).items():
                    renames[old] = renames.get(new, new)
        return renames

    def value_renames(self, list_name: str, up_to_version: int | None = None) -> dict[str, str]:
        """Old list value -> current value, from every older version."""
        renames: dict[str, str] = {}
        for old_version, entry in self.history.items():
            if up_to_version is None or old_version >= up_to_version:
                renames.update(entry.get("valeurs", {}).get(list_name, {}))
        return renames

    def added_since(self, sheet: str, version: int) -> set[str]:
        """Headers of the columns a workbook of an older version cannot have: added since."""
        return {header for old_version, entry in self.history.items() if old_version >= version
                for header in entry.get("ajouts", {}).get(sheet, ())}

    @property
    def all_header_renames(self) -> dict[str, dict[str, str]]:
        renames: dict[str, dict[str, str]] = {}
        for entry in self.history.values():
            for sheet, pairs in entry.get("entetes", {}).items():
                renames.setdefault(sheet, {}).update(pairs)
        return renames


def _validators_dir() -> Path:
    try:
        path = resources.files("ctgxl.validators")
        if path.joinpath("standard.toml").is_file():
            return Path(str(path))
    except ModuleNotFoundError:
        pass
    # Running from a checkout without installing: the folder sits beside the package.
    return Path(__file__).resolve().parent.parent / "validators"


def _read(directory: Path, name: str) -> dict:
    with open(directory / name, "rb") as handle:
        return tomllib.load(handle)


def _column(raw: dict, lists: dict[str, tuple[str, ...]]) -> Column:
    list_name = raw.get("liste")
    if list_name and list_name not in lists:
        raise ValueError(f"liste inconnue « {list_name} » pour la colonne {raw['nom']}")
    mandatory = bool(raw.get("obligatoire", False))
    empty = raw.get("vide", "erreur" if mandatory else "accepte")
    if raw.get("defaut"):
        empty = "avertissement"
    condition = raw.get("vide_avertissement_si")
    allowed = lists.get(list_name, ()) if list_name else ()
    # Help texts name the list's values through {valeurs}, so a renamed value shows everywhere.
    help_text = raw["aide"].replace("{valeurs}", ", ".join(allowed))
    formats = {"entier": "#,##0", "decimal": "General", "euro": EURO_FORMAT, "pourcent": "0.0%"}
    return Column(
        id=raw["id"],
        header=raw["nom"],
        mandatory=mandatory,
        type=raw["type"],
        help=help_text,
        list_name=list_name,
        allowed=allowed,
        aliases=tuple(raw.get("alias", ())),
        width=raw.get("largeur", 15),
        wrap=bool(raw.get("long", False)),
        number_format=formats.get(raw.get("format", "")),
        min=raw.get("min"),
        max=raw.get("max"),
        max_length=raw.get("max_longueur"),
        empty=empty,
        default=raw.get("defaut"),
        warn_empty_if=(condition["colonne"], tuple(condition["valeurs"])) if condition else None,
        period=raw.get("periode"),
        end_of_period=bool(raw.get("fin_de_periode", False)),
    )


@cache
def load(directory: str | None = None) -> Standard:
    """Load the standard from ``validators/`` (or another folder, for tests)."""
    base = Path(directory) if directory else _validators_dir()
    root = _read(base, "standard.toml")
    lists = {name: tuple(values) for name, values in _read(base, "listes.toml").items()}
    sheets: dict[str, Sheet] = {}
    for file_name in SHEET_FILES:
        raw = _read(base, file_name)
        head = raw["feuille"]
        fields = raw.get("colonne") or raw.get("champ") or []
        sheets[head["nom"]] = Sheet(
            name=head["nom"],
            help=head["aide"],
            columns=tuple(_column(item, lists) for item in fields),
            key=tuple(head.get("cle", ())),
            label=head.get("libelle"),
            layout=head.get("disposition", "table"),
            year_columns=bool(head.get("colonnes_annees", False)),
            year_help=head.get("aide_annee", ""),
        )
    templates = {
        kind: Template(kind=kind, title=spec["titre"], sheets=tuple(spec["feuilles"]))
        for kind, spec in root["modeles"].items()
    }
    for template in templates.values():
        unknown = [name for name in template.sheets if name not in sheets]
        if unknown:
            raise ValueError(f"modèle {template.kind} : feuilles inconnues {unknown}")
    history = {entry["version"]: entry for entry in root.get("historique", [])}
    return Standard(
        version=root["standard"]["version"],
        name=root["standard"]["nom"],
        lists=lists,
        sheets=sheets,
        templates=templates,
        history=history,
    )


def header_index(sheet: Sheet, standard: Standard | None = None) -> dict[str, str]:
    """Folded header text (and aliases, and older names) -> column id."""
    std = standard or load()
    index: dict[str, str] = {}
    for column in sheet.columns:
        index[fold(column.header)] = column.id
        for alias in column.aliases:
            index.setdefault(fold(alias), column.id)
    by_header = {column.header: column.id for column in sheet.columns}
    for old, new in std.all_header_renames.get(sheet.name, {}).items():
        if new in by_header:
            index.setdefault(fold(old), by_header[new])
    return index
