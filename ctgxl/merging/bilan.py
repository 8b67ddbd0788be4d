"""The yearly bilan for the comité de pilotage, as data: progress of the plan, indicators
against their reference and target, equipment, the diagnostic's largest gaps with the
département and, given an earlier version, what changed. Nothing here writes a file.

Under statistical secrecy every count from 1 to 4 (actions, structures, places, indicator
values that are not rates) is already replaced here by « <5 », so that no output can show it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from dataclasses import dataclass, field

from ctgxl.merging.comparisons import Comparison, comparisons, largest_gaps
from ctgxl.merging.consolidate import SECRET, MergedBooks, MergedSheet, _key
from ctgxl.reading.values import as_text, is_number, parse_number
from ctgxl.standard import DIAGNOSTIC, EQUIPEMENTS, PLAN, SUIVI, load
from ctgxl.text import fold

DONE = ("Réalisée", "Abandonnée")
REALISED = "Réalisée"
HAUSSE, BAISSE, STABLE = "hausse", "baisse", "stable"
GAPS_SHOWN = 10

Count = int | str  # a count, or SECRET


def secret_count(number: float, secrecy: bool) -> float | str:
    """A count as it may be shown: « <5 » for 1 to 4 under statistical secrecy."""
    return SECRET if secrecy and is_number(number) and 0 < abs(number) < 5 else number


def secret_change(number: float, secrecy: bool) -> float | str:
    """A change of a count, signed; « +<5 » / « −<5 » for 1 to 4 under secrecy."""
    if secrecy and is_number(number) and 0 < abs(number) < 5:
        return f"+{SECRET}" if number > 0 else f"−{SECRET}"
    return number


@dataclass
class Action:
    numero: str
    intitule: str
    thematique: str
    pilote: str
    debut: int | None
    fin: int | None
    statut: str


@dataclass
class ThemeProgress:
    theme: str
    by_status: dict[str, Count]
    total: Count
    actions: list[Action]


@dataclass
class Progress:
    statuses: tuple[str, ...]
    total: Count
    by_status: dict[str, Count]
    themes: list[ThemeProgress]
    realised_share: float | str | None  # SECRET when the count of realised actions is
    late: list[Action]
    starting: list[Action]
    next_year: list[Action]
    late_count: Count = 0
    starting_count: Count = 0
    next_year_count: Count = 0


@dataclass
class IndicatorYear:
    year: int
    value: float | str | None
    share: float | None  # value / target
    trend: str | None  # HAUSSE, BAISSE or STABLE against the previous known value
    share_masked: bool = False  # a share withheld by secrecy, not one without a target


@dataclass
class Indicator:
    numero: str
    indicateur: str
    type: str | None
    percent: bool
    target: float | str | None
    target_text: str | None
    reference: float | str | None
    reference_year: int | None
    reference_assumed: bool  # no Valeur de référence: the earliest value stands for it
    years: list[IndicatorYear]
    latest: IndicatorYear | None  # the bilan year's, else the last known before it


@dataclass
class EquipmentType:
    type: str
    structures: Count
    places: Count | None  # None: no structure of this type gives its places
    structures_before: Count | None = None
    places_before: Count | None = None
    structures_change: float | str | None = None
    places_change: float | str | None = None


@dataclass
class Structure:
    type: str
    name: str
    commune: str | None
    places: Count | None


@dataclass
class Equipment:
    types: list[EquipmentType]
    structures: Count
    places: Count
    compared: bool = False
    structures_before: Count | None = None
    places_before: Count | None = None
    structures_change: float | str | None = None
    places_change: float | str | None = None
    added: list[Structure] = field(default_factory=list)
    removed: list[Structure] = field(default_factory=list)


@dataclass
class Change:
    sheet: str
    key: str  # what the row is (action number and title, structure, indicator)
    what: str  # « ligne ajoutée », « ligne retirée », or the changed field's header
    old: str
    new: str


@dataclass
class Bilan:
    territory: str
    territory_type: str | None
    caf: str
    start: int | None
    end: int | None
    year: int
    secrecy: bool
    contributors: list[str]
    progress: Progress
    indicators: list[Indicator]
    equipment: Equipment
    gaps: list[Comparison]
    gaps_total: int
    changes: list[Change] | None = None
    previous: str | None = None  # what --depuis named
    prepared: date | None = None  # the day of the consolidation it is made from (given by the caller)

    @property
    def period(self) -> str:
        return f"{self.start} – {self.end}" if self.start and self.end else "période non renseignée"

    @property
    def reference_assumed(self) -> bool:
        return any(indicator.reference_assumed for indicator in self.indicators)


def compute_bilan(current: MergedBooks, year: int, *, secrecy: bool = False,
                  previous: MergedBooks | None = None, previous_label: str | None = None) -> Bilan:
    territory = current.territory
    ident = current.identification
    diagnostic = current.sheets.get(DIAGNOSTIC)
    figures = comparisons(diagnostic.columns, diagnostic.rows) if diagnostic else []
    bilan = Bilan(
        territory=territory.name or as_text(ident.get("territoire") or "") or "Territoire",
        territory_type=territory.type,
        caf=as_text(ident.get("caf") or ""),
        start=territory.start.year if territory.start else None,
        end=territory.end.year if territory.end else None,
        year=year,
        secrecy=secrecy,
        contributors=list(current.contributors),
        progress=progress(current.sheets.get(PLAN), year, secrecy),
        indicators=indicators(current.sheets.get(SUIVI), year, secrecy),
        equipment=equipment(current.sheets.get(EQUIPEMENTS), previous.sheets.get(EQUIPEMENTS) if previous else None,
                            secrecy, compared=previous is not None),
        gaps=largest_gaps(figures, GAPS_SHOWN),
        gaps_total=len(figures),
        prepared=current.today,
    )
    if previous is not None:
        bilan.changes = changes(previous, current, secrecy)
        bilan.previous = previous_label
    return bilan


def _records(sheet: MergedSheet | None) -> list[dict]:
    if sheet is None:
        return []
    return [dict(zip(sheet.columns, values)) for values in sheet.rows]


def _year(value: object) -> int | None:
    return int(value) if is_number(value) else None


def _action(row: dict) -> Action:
    return Action(as_text(row.get("numero") or ""), as_text(row.get("intitule") or ""),
                  as_text(row.get("thematique") or "Non précisée"), as_text(row.get("pilote_collectivite") or ""),
                  _year(row.get("annee_debut")), _year(row.get("annee_fin")), as_text(row.get("statut") or "À engager"))


def progress(plan: MergedSheet | None, year: int, secrecy: bool) -> Progress:
    std = load()
    statuses = std.lists["statuts"]
    actions = [_action(row) for row in _records(plan)]
    counts = Counter(action.statut for action in actions)
    themes = []
    order = list(std.lists["thematiques"]) + sorted({action.thematique for action in actions}
                                                    - set(std.lists["thematiques"]))
    for theme in order:
        members = [action for action in actions if action.thematique == theme]
        if not members:
            continue
        theme_counts = Counter(action.statut for action in members)
        themes.append(ThemeProgress(theme, {status: secret_count(theme_counts[status], secrecy) for status in statuses},
                                    secret_count(len(members), secrecy), members))
    realised = counts[REALISED]
    share: float | str | None = realised / len(actions) if actions else None
    if secrecy and 0 < realised < 5:
        share = SECRET  # the share and the total would give the count away
    late = [action for action in actions if action.fin is not None and action.fin < year and action.statut not in DONE]
    starting = [action for action in actions if action.debut == year]
    next_year = [action for action in actions if action.debut == year + 1]
    return Progress(statuses, secret_count(len(actions), secrecy),
                    {status: secret_count(counts[status], secrecy) for status in statuses}, themes, share,
                    late, starting, next_year, secret_count(len(late), secrecy), secret_count(len(starting), secrecy),
                    secret_count(len(next_year), secrecy))


def _is_percent(name: str, target: object) -> bool:
    folded = fold(name)
    return parse_number(target)[1] == "%" or "%" in name or folded.startswith(("taux", "part "))


def indicators(suivi: MergedSheet | None, year: int, secrecy: bool) -> list[Indicator]:
    if suivi is None:
        return []
    years = sorted(int(column) for column in suivi.columns if column.isdigit())
    found = []
    for row in _records(suivi):
        name = as_text(row.get("indicateur") or "")
        percent = _is_percent(name, row.get("cible"))
        hide = (lambda number: number) if percent else (lambda number: secret_count(number, secrecy))
        target, _ = parse_number(row.get("cible"))
        values = {column: row.get(str(column)) for column in years if is_number(row.get(str(column)))}
        reference, reference_year = row.get("valeur_reference"), _year(row.get("annee_reference"))
        assumed = not is_number(reference)
        if assumed:
            first = min(values, default=None)
            reference, reference_year = (values[first], first) if first is not None else (None, None)
        lines = []
        previous = None if assumed else reference
        for column in years:
            value = values.get(column)
            trend = None
            if value is not None and previous is not None:
                trend = HAUSSE if value > previous else BAISSE if value < previous else STABLE
            share = value / target if value is not None and target else None
            # With the target, the share would give a small count away.
            masked = share is not None and not percent and secrecy and (_small(value) or _small(target))
            lines.append(IndicatorYear(column, None if value is None else hide(value), None if masked else share,
                                       trend, masked))
            if value is not None:
                previous = value
        known = [line for line in lines if line.value is not None and line.year <= year]
        found.append(Indicator(
            as_text(row.get("numero") or ""), name, row.get("type"), percent,
            None if target is None else hide(target), as_text(row["cible"]) if row.get("cible") is not None else None,
            None if reference is None else hide(reference), reference_year, assumed, lines,
            known[-1] if known else None))
    return found


def _small(number: object) -> bool:
    return is_number(number) and 0 < abs(number) < 5


def _places(value: object) -> float:
    return value if is_number(value) else 0


def _tally(rows: list[dict]) -> dict[str, list]:
    """Type -> [structures, places], places None when no structure of the type gives them."""
    tally: dict[str, list] = {}
    for row in rows:
        entry = tally.setdefault(as_text(row.get("type_structure") or "Non précisé"), [0, None])
        entry[0] += 1
        if is_number(row.get("capacite")):
            entry[1] = (entry[1] or 0) + row["capacite"]
    return tally


def equipment(sheet: MergedSheet | None, before: MergedSheet | None, secrecy: bool, compared: bool) -> Equipment:
    rows, old_rows = _records(sheet), _records(before)
    now, then = _tally(rows), _tally(old_rows)
    known = load().lists["types_structure"]
    kinds = [kind for kind in known if kind in now or kind in then] + \
        sorted((set(now) | set(then)) - set(known))

    def count(number):
        return secret_count(number, secrecy)

    types = []
    for kind in kinds:
        structures, places = now.get(kind, [0, None])
        line = EquipmentType(kind, count(structures), None if places is None else count(places))
        if compared:
            old_structures, old_places = then.get(kind, [0, None])
            line.structures_before = count(old_structures)
            line.places_before = None if old_places is None else count(old_places)
            line.structures_change = secret_change(structures - old_structures, secrecy)
            if places is not None or old_places is not None:
                line.places_change = secret_change((places or 0) - (old_places or 0), secrecy)
        types.append(line)
    total_structures, total_places = len(rows), sum(_places(row.get("capacite")) for row in rows)
    result = Equipment(types, count(total_structures), count(total_places), compared)
    if compared:
        old_places = sum(_places(row.get("capacite")) for row in old_rows)
        result.structures_before, result.places_before = count(len(old_rows)), count(old_places)
        result.structures_change = secret_change(total_structures - len(old_rows), secrecy)
        result.places_change = secret_change(total_places - old_places, secrecy)
        spec = load().sheet(EQUIPEMENTS)
        current = {_key(spec, row): row for row in rows}
        earlier = {_key(spec, row): row for row in old_rows}
        result.added = [_structure(row, secrecy) for key, row in current.items() if key not in earlier]
        result.removed = [_structure(row, secrecy) for key, row in earlier.items() if key not in current]
    return result


def _structure(row: dict, secrecy: bool) -> Structure:
    places = row.get("capacite")
    return Structure(as_text(row.get("type_structure") or ""), as_text(row.get("nom_structure") or ""),
                     row.get("commune_implantation"), secret_count(places, secrecy) if is_number(places) else None)


def _shown(value: object, secrecy: bool, count: bool) -> str:
    if value is None:
        return ""
    number, _ = parse_number(value)
    if count and number is not None and secret_count(number, secrecy) == SECRET:
        return SECRET
    return as_text(value)


def changes(previous: MergedBooks, current: MergedBooks, secrecy: bool) -> list[Change]:
    """What changed from the earlier version to this one, as `ctgxl diff` lists it (rows added,
    removed, each changed field), with small counts masked under secrecy."""
    from ctgxl.merging.diff import ADDED, CHANGED, REMOVED, diff_tables, version_of

    found = []
    for item in diff_tables(version_of(previous), version_of(current)).changes():
        key = " / ".join(part for part in item.key if part)
        if item.label:
            key = f"{key} – {item.label}" if key else item.label
        if item.kind == CHANGED:
            count = _counted(item.sheet, item.column, key)
            found.append(Change(item.sheet, key, item.column or "", _shown(item.old, secrecy, count),
                                _shown(item.new, secrecy, count)))
        elif item.kind == ADDED:
            found.append(Change(item.sheet, key, "ligne ajoutée", "", _summary(item.sheet, item.new, secrecy)))
        elif item.kind == REMOVED:
            found.append(Change(item.sheet, key, "ligne retirée", _summary(item.sheet, item.old, secrecy), ""))
    return found


def _counted(sheet: str, column: str | None, key: str) -> bool:
    """Whether a changed field holds a count (masked under secrecy): places, indicator values
    and targets that are not rates, diagnostic values (whatever their unit: the safe side)."""
    if sheet == EQUIPEMENTS:
        return column == load().sheet(EQUIPEMENTS).column("capacite").header
    if sheet == SUIVI:
        return (column == "Cible" or (column or "").isdigit()) and not _is_percent(key, None)
    return sheet == DIAGNOSTIC and column in _diagnostic_values()


def _diagnostic_values() -> tuple[str, ...]:
    spec = load().sheet(DIAGNOSTIC)
    return tuple(spec.column(column_id).header for column_id in ("valeur", "valeur_departement", "valeur_france"))


def _summary(sheet: str, values: dict, secrecy: bool) -> str:
    """What an added or removed row was: an action's status, a structure's places."""
    if sheet == PLAN:
        return as_text(values.get(load().sheet(PLAN).column("statut").header) or "")
    if sheet == EQUIPEMENTS:
        places = values.get(load().sheet(EQUIPEMENTS).column("capacite").header)
        return f"{_shown(places, secrecy, True)} places" if is_number(places) else ""
    return ""
