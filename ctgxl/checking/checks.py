"""The rules no single column can see: units, periods, keys, links between sheets, member
communes, and the Identification sheet. They work on the typed tables, never on cells."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding
from ctgxl.reading.reader import ReadWorkbook, date_or_none
from ctgxl.standard import DIAGNOSTIC, ENJEUX, EQUIPEMENTS, IDENTIFICATION, PLAN, SUIVI, Standard, load
from ctgxl.reading.tables import BARE_VALUE, BOOK, FILE, ROW, SHEET, Tables
from ctgxl.text import fold, fold_name, fr, quote
from ctgxl.reading.values import PARSERS, as_text, is_number, split_names, territory_code_problem

MAX_YEARS_ERROR = 6
MAX_YEARS_WARNING = 5
# What a value in % or in ‰ may be (an evolution may be negative, a billing rate above 100 %).
PERCENT_BOUNDS = (-100, 1000)
PER_MILLE_BOUNDS = (-1000, 1000)


@dataclass
class Territory:
    """What the Identification sheets say of the territory a group of files belongs to."""

    name: str | None = None
    type: str | None = None
    code: str | None = None
    start: date | None = None
    end: date | None = None
    members: set[str] = field(default_factory=set)
    member_names: list[str] = field(default_factory=list)

    @property
    def is_epci(self) -> bool:
        return self.type == "EPCI" or len(self.members) > 0

    def is_member(self, name: str) -> bool:
        folded = fold_name(name)
        return folded in self.members or (self.name is not None and folded == fold_name(self.name))


def department_of_insee(code: str | None) -> str | None:
    """The first digits a postcode of this commune starts with: its département (20 for
    Corsica's 2A/2B, three digits overseas), or None when the code is not a commune's INSEE code."""
    if not code or len(code) != 5:
        return None
    if code[:2] in ("2A", "2B"):
        return "20"
    if not code.isdigit():
        return None
    return code[:3] if code.startswith("97") else code[:2]


def identification_values(book: ReadWorkbook, standard: Standard | None = None) -> dict[str, object]:
    """Identification fields as typed values (unreadable ones as typed)."""
    spec = (standard or load()).sheet(IDENTIFICATION)
    values: dict[str, object] = {}
    for column in spec.columns:
        raw = book.identification.get(column.id)
        if raw is None:
            values[column.id] = None
            continue
        if column.type == "liste":
            lookup = {fold(value): value for value in column.allowed}
            values[column.id] = lookup.get(fold(raw), as_text(raw))
        else:
            values[column.id] = PARSERS[column.type](raw, column)[0]
    return values


def territory_of(book: ReadWorkbook, standard: Standard | None = None) -> Territory:
    values = identification_values(book, standard)
    members = split_names(values["communes"]) if values.get("communes") else []
    return Territory(
        name=as_text(values["territoire"]) if values.get("territoire") else None,
        type=values.get("type_territoire"),
        code=as_text(values["code"]) if values.get("code") else None,
        start=date_or_none(values.get("debut")),
        end=date_or_none(values.get("fin")),
        members={fold_name(name) for name in members},
        member_names=members,
    )


def check_identification(book: ReadWorkbook, standard: Standard | None = None) -> list[Finding]:
    standard = standard or load()
    spec = standard.sheet(IDENTIFICATION)
    title = book.identification_title
    findings: list[Finding] = []

    def add(field_id: str, code: str, severity: str, message: str) -> None:
        column = next(column for column in spec.columns if column.id == field_id)
        cell = book.identification_cells.get(field_id)
        row = int(cell[1:]) if cell else None
        findings.append(Finding(book.name, title, cell, row, column.header, code, severity, message))

    if not book.identification and book.tables and IDENTIFICATION not in book.unread:
        findings.append(Finding(book.name, None, None, None, None, "identification-absente", AVERTISSEMENT,
                                "Le classeur n'a pas de feuille « Identification » : le territoire et la période "
                                "de la convention sont pris dans les autres fichiers du même envoi."))
        return findings
    if not book.identification:
        return findings
    values = identification_values(book, standard)
    for column in spec.columns:
        raw = book.identification.get(column.id)
        if raw is None:
            if column.mandatory:
                add(column.id, "valeur-obligatoire", ERREUR,
                    f"« {column.header} » n'est pas renseigné dans l'Identification. {column.help}")
            continue
        value = values[column.id]
        if column.type == "liste" and value not in column.allowed:
            add(column.id, "valeur-hors-liste", ERREUR,
                f"{quote(as_text(raw))} n'est pas un type de territoire : écrivez {', '.join(column.allowed)}.")
        problem = PARSERS[column.type](raw, column)[1] if column.type in PARSERS else None
        if problem:
            add(column.id, problem[0], problem[1], problem[2])
    territory_type = values.get("type_territoire")
    if values.get("code"):
        problem = territory_code_problem(as_text(values["code"]), territory_type)
        if problem:
            add("code", "code-territoire-invalide", ERREUR, problem)
    if territory_type == "EPCI" and not values.get("communes"):
        add("communes", "valeur-obligatoire", ERREUR,
            "Pour un EPCI, listez les communes membres (une par ligne ou séparées par « ; »).")
    start, end = date_or_none(values.get("debut")), date_or_none(values.get("fin"))
    if start and end:
        years = (end - start).days / 365.25
        if end <= start:
            add("fin", "convention-fin-avant-debut", ERREUR,
                f"La fin de la convention ({end:%d/%m/%Y}) précède son début ({start:%d/%m/%Y}).")
        elif years > MAX_YEARS_ERROR:
            add("fin", "convention-trop-longue", ERREUR,
                f"La convention dure {fr(years, 1)} ans ({start:%d/%m/%Y} – {end:%d/%m/%Y}) : plus de "
                f"{MAX_YEARS_ERROR} ans n'est pas admis. Vérifiez les dates.")
        elif years > MAX_YEARS_WARNING + 0.01:
            add("fin", "convention-longue", AVERTISSEMENT,
                f"La convention dure {fr(years, 1)} ans : une CTG est en général signée pour 5 ans au plus.")
    return findings


class Rules:
    """Cross-column and cross-row rules over all files of one check."""

    def __init__(self, tables: Tables, territories: list[Territory], groups: list[int],
                 standard: Standard | None = None, *, today: date):
        self.standard = standard or load()
        self.today = today
        self.tables = tables
        self.territories = territories
        self.groups = groups  # book index -> territory group
        self.findings: list[Finding] = []

    def territory(self, row) -> Territory:
        return self.territories[self.groups[int(row[BOOK])]]

    def add(self, row, sheet: str, column_id: str | None, code: str, severity: str, message: str) -> None:
        header = self.standard.sheet(sheet).column(column_id).header if column_id and not column_id.isdigit() else column_id
        cell = self.tables.cell(row, sheet, column_id) if column_id else None
        self.findings.append(Finding(row[FILE], row[SHEET], cell, int(row[ROW]), header, code, severity, message))

    def run(self) -> list[Finding]:
        frames = self.tables.frames
        if DIAGNOSTIC in frames:
            self.diagnostic(frames[DIAGNOSTIC])
        if EQUIPEMENTS in frames:
            self.equipements(frames[EQUIPEMENTS])
        if PLAN in frames:
            self.plan(frames[PLAN])
        if SUIVI in frames:
            self.suivi(frames[SUIVI], frames.get(PLAN))
        if ENJEUX in frames:
            self.duplicates(frames[ENJEUX], ENJEUX, ["volet", "enjeu"], per_file=True)
        for name, frame in frames.items():
            self.data_years(name, frame)
        return self.findings

    def data_years(self, sheet: str, frame: pd.DataFrame) -> None:
        """A year of data (not one of the convention's period) from 1990 to next year."""
        upper = self.today.year + 1
        for column in self.standard.sheet(sheet).columns:
            if column.type != "annee" or column.period is not None or column.id not in frame.columns:
                continue
            for row in _records(frame, (column.id,)):
                year = row[column.id]
                if isinstance(year, int) and not 1990 <= year <= upper:
                    self.add(row, sheet, column.id, "annee-invalide", ERREUR,
                             f"L'année {year} est hors bornes : elle doit être comprise entre 1990 et {upper}.")

    def diagnostic(self, frame: pd.DataFrame) -> None:
        for row in _records(frame, ("valeur", "unite", BARE_VALUE, "commune")):
            value, unit = row["valeur"], row["unite"]
            if is_number(value):
                self.unit_rules(row, value, unit)
            commune = row.get("commune")
            territory = self.territory(row)
            if commune and territory.is_epci and not territory.is_member(commune):
                self.add(row, DIAGNOSTIC, "commune", "commune-non-membre", ERREUR,
                         f"{quote(commune)} n'est pas une commune membre de {territory.name or 'l’EPCI'} : "
                         f"écrivez une de ses communes ({', '.join(territory.member_names[:6])}"
                         f"{'…' if len(territory.member_names) > 6 else ''}) ou laissez vide pour tout le territoire.")
        self.duplicates(frame, DIAGNOSTIC, ["commune", "indicateur", "annee"], per_file=True,
                        compare=["valeur", "unite", "valeur_departement", "valeur_france"])

    def unit_rules(self, row, value: float, unit: str | None) -> None:
        if unit == "%":
            low, high = PERCENT_BOUNDS
            if not low <= value <= high:
                self.add(row, DIAGNOSTIC, "valeur", "pourcentage-hors-bornes", ERREUR,
                         f"{fr(value)} % est hors des bornes d'un pourcentage (de {low} à {high}) : vérifiez la "
                         "valeur ou l'unité.")
            elif value > 100:
                self.add(row, DIAGNOSTIC, "valeur", "pourcentage-eleve", AVERTISSEMENT,
                         f"{fr(value)} % dépasse 100 % : possible pour un taux (de facturation, d'évolution), "
                         "vérifiez-le.")
            elif row.get(BARE_VALUE) and 0 < value <= 1:
                self.add(row, DIAGNOSTIC, "valeur", "pourcentage-fraction", AVERTISSEMENT,
                         f"{fr(value)} en pourcentage : s'agit-il de {fr(value * 100)} % ? Écrivez "
                         f"{fr(value * 100)} (ou « {fr(value * 100)} % ») pour lever le doute.")
        elif unit == "‰" and not PER_MILLE_BOUNDS[0] <= value <= PER_MILLE_BOUNDS[1]:
            self.add(row, DIAGNOSTIC, "valeur", "pour-mille-hors-bornes", ERREUR,
                     f"{fr(value)} ‰ est hors des bornes d'un taux pour mille (de {PER_MILLE_BOUNDS[0]} à "
                     f"{PER_MILLE_BOUNDS[1]}).")
        elif unit == "Nombre":
            if value < 0:
                self.add(row, DIAGNOSTIC, "valeur", "nombre-negatif", ERREUR,
                         f"{fr(value)} est négatif : un effectif (unité Nombre) est positif ou nul. "
                         "Pour une évolution, choisissez l'unité %.")
            elif not float(value).is_integer():
                self.add(row, DIAGNOSTIC, "valeur", "nombre-fractionnaire", AVERTISSEMENT,
                         f"{fr(value)} n'est pas entier : un effectif (unité Nombre) se compte en entiers. "
                         "Vérifiez l'unité (Ratio ?).")

    def equipements(self, frame: pd.DataFrame) -> None:
        capacity = self.standard.sheet(EQUIPEMENTS).column("capacite")
        column_id, types = capacity.warn_empty_if
        for row in _records(frame, ("capacite", column_id, "collectivite", "code_postal")):
            if row["capacite"] is None and row.get(column_id) in types:
                self.add(row, EQUIPEMENTS, "capacite", "capacite-manquante", AVERTISSEMENT,
                         f"La capacité d'un équipement de type « {row[column_id]} » est attendue : "
                         "indiquez le nombre de places.")
            collectivite = row.get("collectivite")
            territory = self.territory(row)
            expected = department_of_insee(territory.code) if not territory.is_epci else None
            postcode = row.get("code_postal")
            if expected and isinstance(postcode, str) and len(postcode) == 5 and postcode.isdigit() \
                    and not postcode.startswith(expected):
                self.add(row, EQUIPEMENTS, "code_postal", "code-postal-departement", AVERTISSEMENT,
                         f"Le code postal {postcode} n'est pas dans le département du territoire "
                         f"({expected}, d'après le code INSEE {territory.code}) : vérifiez les 5 chiffres "
                         f"(un chiffre oublié, par exemple {expected}… ?).")
            if collectivite and territory.is_epci and not territory.is_member(collectivite):
                self.add(row, EQUIPEMENTS, "collectivite", "commune-non-membre", ERREUR,
                         f"{quote(collectivite)} n'est ni l'EPCI ni une de ses communes membres : "
                         "écrivez le nom exact d'une commune membre, ou laissez vide.")
        self.duplicates(frame, EQUIPEMENTS, ["type_structure", "nom_structure", "commune_implantation"],
                        per_file=True, normalise=True, message_key="cette structure")

    def plan(self, frame: pd.DataFrame) -> None:
        for row in _records(frame, ("annee_debut", "annee_fin", "budget", "financement_caf", "indicateurs_resultat",
                                    "indicateurs_impact", "communes")):
            territory = self.territory(row)
            start, end = row["annee_debut"], row["annee_fin"]
            period = (territory.start.year, territory.end.year) if territory.start and territory.end else None
            if isinstance(start, int) and period and not period[0] <= start <= period[1]:
                self.add(row, PLAN, "annee_debut", "annee-hors-convention", ERREUR,
                         f"L'année de début {start} est en dehors de la convention ({period[0]}-{period[1]}) : "
                         f"écrivez une année de {period[0]} à {period[1]}.")
            if isinstance(end, int):
                if isinstance(start, int) and end < start:
                    self.add(row, PLAN, "annee_fin", "annee-fin-avant-debut", ERREUR,
                             f"L'année de fin {end} précède l'année de début {start}.")
                elif period and end > period[1]:
                    self.add(row, PLAN, "annee_fin", "annee-apres-convention", AVERTISSEMENT,
                             f"L'année de fin {end} est après la fin de la convention ({period[1]}).")
            budget, funding = row["budget"], row["financement_caf"]
            if is_number(budget) and is_number(funding) and funding > budget:
                self.add(row, PLAN, "financement_caf", "financement-superieur-budget", AVERTISSEMENT,
                         f"Le financement Caf ({fr(funding, 0)} €) dépasse le budget prévisionnel "
                         f"({fr(budget, 0)} €).")
            if row["indicateurs_resultat"] is None and row["indicateurs_impact"] is None:
                self.add(row, PLAN, "indicateurs_resultat", "indicateurs-absents", AVERTISSEMENT,
                         "Aucun indicateur de résultat ni d'impact : indiquez comment l'action sera évaluée.")
            if row.get("communes") and territory.is_epci:
                for name in split_names(row["communes"]):
                    if not territory.is_member(name):
                        self.add(row, PLAN, "communes", "commune-non-membre", ERREUR,
                                 f"{quote(name)} n'est pas une commune membre de {territory.name or 'l’EPCI'}.")
        self.duplicates(frame, PLAN, ["numero"], per_file=False, message_key="ce N° action")

    def suivi(self, frame: pd.DataFrame, plan: pd.DataFrame | None) -> None:
        known_by_book: dict[int, set[str]] = {}
        known_by_group: dict[int, set[str]] = {}
        if plan is not None:
            for book, numero in zip(plan[BOOK], plan["numero"]):
                if numero is not None:
                    known_by_book.setdefault(int(book), set()).add(fold(numero))
                    known_by_group.setdefault(self.groups[int(book)], set()).add(fold(numero))
        for row in _records(frame, ("numero",)):
            numero = row["numero"]
            if numero is None:
                continue
            book = int(row[BOOK])
            folded = fold(numero)
            if folded not in known_by_book.get(book, ()) and folded not in known_by_group.get(self.groups[book], ()):
                self.add(row, SUIVI, "numero", "action-inconnue", ERREUR,
                         f"L'action {quote(numero)} n'existe pas dans le plan d'actions : écrivez le N° d'une "
                         "action de la feuille « Plan d'actions ».")
        if "annee_reference" in frame.columns:
            for row in _records(frame, ("annee_reference",)):
                year, territory = row["annee_reference"], self.territory(row)
                if isinstance(year, int) and territory.start and year > territory.start.year:
                    self.add(row, SUIVI, "annee_reference", "annee-reference-apres-debut", ERREUR,
                             f"L'année de référence {year} est après le début de la convention "
                             f"({territory.start.year}) : la valeur de référence est celle d'avant la convention, "
                             f"de {territory.start.year} au plus tard.")
        reported: set[tuple[int, str]] = set()
        years = [name for name in frame.columns if name.isdigit()]
        for row in frame.drop_duplicates(BOOK).to_dict("records"):
            territory = self.territory(row)
            if not (territory.start and territory.end):
                continue
            for year in years:
                outside = not territory.start.year <= int(year) <= territory.end.year
                key = (int(row[BOOK]), year)
                if outside and key not in reported and self.tables.cell(row, SUIVI, year):
                    reported.add(key)
                    self.add(row, SUIVI, year, "annee-suivi-hors-convention", INFORMATION,
                             f"La colonne {year} est hors de la période de la convention "
                             f"({territory.start.year}-{territory.end.year}).")
        self.duplicates(frame, SUIVI, ["numero", "indicateur"], per_file=True)

    def duplicates(self, frame: pd.DataFrame, sheet: str, key: list[str], per_file: bool, normalise: bool = False,
                   compare: list[str] | None = None, message_key: str = "cette clé") -> None:
        """The same key twice: an error when the rows differ, a warning when they are equal."""
        spec = self.standard.sheet(sheet)
        books = frame[BOOK].tolist()
        parts = [[str(book) for book in books] if per_file else [str(self.groups[int(book)]) for book in books]]
        folder = fold_name if normalise else fold
        for column_id in key:
            parts.append(["" if value is None else folder(value) for value in frame[column_id].tolist()])
        keys = list(zip(*parts))
        counts = Counter(keys)
        repeated = [position for position, signature in enumerate(keys) if counts[signature] > 1]
        if not repeated:
            return
        content = compare or [column.id for column in spec.columns]
        first_seen: dict[tuple, dict] = {}
        labels = frame.index
        for position in repeated:
            row = frame.loc[labels[position]].to_dict()
            if all(row.get(column_id) is None for column_id in key):
                continue
            signature = keys[position]
            if signature not in first_seen:
                first_seen[signature] = row
                continue
            first = first_seen[signature]
            same = all(same_value(first.get(column_id), row.get(column_id)) for column_id in content)
            where = f"ligne {first[ROW]}" + ("" if first[FILE] == row[FILE] else f" de « {first[FILE]} »")
            label = " / ".join(as_text(row[column_id]) for column_id in key if row[column_id] is not None)
            if same:
                self.add(row, sheet, key[-1], "doublon-identique", AVERTISSEMENT,
                         f"{quote(label)} est répété à l'identique ({where}) : supprimez l'une des deux lignes.")
            else:
                self.add(row, sheet, key[-1], "doublon", ERREUR,
                         f"{quote(label)} figure déjà ({where}) avec d'autres valeurs : {message_key} doit être "
                         "unique. Gardez une seule ligne ou distinguez-les.")


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict]:
    """``frame.to_dict("records")`` limited to the columns a rule reads (and the row's place):
    the frames hold Python objects already, so the values are the same, at a fraction of the cost."""
    names = [name for name in dict.fromkeys((*columns, BOOK, FILE, SHEET, ROW)) if name in frame.columns]
    return [dict(zip(names, values)) for values in zip(*(frame[name].tolist() for name in names))]


def same_value(left: object, right: object) -> bool:
    if is_number(left) and is_number(right):
        return abs(float(left) - float(right)) < 1e-9
    return (left is None and right is None) or (left is not None and right is not None and fold(left) == fold(right))


def group_territories(books: list[ReadWorkbook],
                      standard: Standard | None = None) -> tuple[list[Territory], list[int]]:
    """Group files by territory (code, else name); files without Identification join the only
    group when there is one. Returns the merged territory of each group and each book's group."""
    keys: list[str | None] = []
    found: list[Territory] = []
    for book in books:
        territory = territory_of(book, standard)
        found.append(territory)
        key = territory.code or (fold_name(territory.name) if territory.name else None)
        keys.append(key)
    distinct = list(dict.fromkeys(key for key in keys if key is not None))
    if not distinct:
        distinct = [None]
    groups = [distinct.index(key) if key in distinct else 0 for key in keys]
    merged = [Territory() for _ in distinct]
    for territory, group in zip(found, groups):
        target = merged[group]
        for name in ("name", "type", "code", "start", "end"):
            if getattr(target, name) is None and getattr(territory, name) is not None:
                setattr(target, name, getattr(territory, name))
        if not target.members and territory.members:
            target.members = set(territory.members)
            target.member_names = list(territory.member_names)
    return merged, groups
