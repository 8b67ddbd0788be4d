"""Properties over random valid tables, typed as people type them: French numbers as text
("1 234,5", thin spaces, Unicode minus), secrecy markers, accents, long texts, empty optional
cells, list values in any case.

- typed into a template, then read: the same data (numbers compared as numbers);
- merge, split, merge: the same data;
- format is idempotent, and keeps the data.
"""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctgxl.checking.check import check_books
from ctgxl.reading.reader import read_workbook
from ctgxl import merge, reformat, split
from ctgxl.standard import load
from ctgxl.reading.tables import SOURCE_COLUMNS, build_tables

from fixtures import MINUS, NBSP, NNBSP, Service, T, meant, write_service

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STD = load()
SHEETS = ("Diagnostic", "Enjeux", "Équipements", "Plan d'actions", "Suivi des indicateurs")
YEARS = range(2023, 2028)


def header(sheet: str, column_id: str) -> str:
    return STD.sheet(sheet).column(column_id).header


# --- Strategies ------------------------------------------------------------------------------------

_LETTERS = st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="_\u2028\u2029\x85",
                         include_characters="éèêàçùôîÉÀŒœ’«»\n")


def text(max_size: int = 60, min_size: int = 1) -> st.SearchStrategy[str]:
    """Free text as typed: stripped, never empty. Any first character, "=" and "@" included."""
    return st.text(_LETTERS, min_size=min_size, max_size=max_size).map(str.strip).filter(bool)


def long_text() -> st.SearchStrategy[str]:
    return st.one_of(text(80), st.text(_LETTERS, min_size=500, max_size=2000).map(str.strip).filter(bool))


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


@st.composite
def in_any_case(draw, values: tuple[str, ...]) -> T:
    """A list value as a person may type it: any case, spaces around, accents dropped."""
    value = draw(st.sampled_from(values))
    from ctgxl.text import strip_accents

    spelling = draw(st.sampled_from([value, value.lower(), value.upper(), strip_accents(value).lower(),
                                     f" {value} "]))
    return T(spelling, value)


def french(number: float | int, separator: str, minus: str) -> str:
    """1234.5 as "1 234,5" (with the given thousands separator and minus sign)."""
    whole, _, decimals = f"{abs(number):.2f}".partition(".")
    decimals = decimals.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", separator)
    return (minus if number < 0 else "") + grouped + ("," + decimals if decimals else "")


@st.composite
def number(draw, low: int = 0, high: int = 10_000_000, whole: bool = False, unit: str = "") -> T:
    """A number, typed as a number or as French text (thousands separators, comma, unit sign)."""
    if whole:
        value = draw(st.integers(low, high))
    else:
        cents = draw(st.integers(low * 100, high * 100))
        value = cents // 100 if cents % 100 == 0 else cents / 100
    how = draw(st.sampled_from(["nombre", "texte", "texte-unite"]))
    if how == "nombre":
        return T(value, value)
    typed = french(value, draw(st.sampled_from([" ", NBSP, NNBSP, ""])), draw(st.sampled_from(["-", MINUS])))
    if how == "texte-unite" and unit:
        typed += draw(st.sampled_from([f" {unit}", unit, f"{NBSP}{unit}"]))
    return T(typed, value)


@st.composite
def year(draw, low: int, high: int) -> T:
    value = draw(st.integers(low, high))
    return T(draw(st.sampled_from([value, str(value)])), value)


@st.composite
def diagnostic_row(draw, index: int) -> dict:
    sheet = "Diagnostic"
    unit = draw(st.sampled_from(["Nombre", "%", "€", "Ratio"]))
    if draw(st.integers(0, 5)) == 0:
        marker = draw(st.sampled_from(["<5", "< 5", "s", "secret", "Secret", "S"]))
        value = T(marker, {"< 5": "<5"}.get(marker, marker.casefold()))
    elif unit == "Nombre":
        value = draw(number(0, 2_000_000, whole=True))
    elif unit == "%":
        value = draw(number(2, 100, unit="%"))
    else:
        value = draw(number(0, 5_000_000, unit="€" if unit == "€" else ""))
    unit_typed = draw(in_any_case((unit,)))
    return {
        header(sheet, "volet"): draw(in_any_case(STD.lists["volets"])),
        header(sheet, "indicateur"): f"{draw(text(200))} n°{index}",
        header(sheet, "valeur"): value,
        header(sheet, "unite"): unit_typed,
        header(sheet, "valeur_departement"): draw(optional(number(-1000, 1_000_000))),
        header(sheet, "valeur_france"): draw(optional(number(-1000, 100_000_000))),
        header(sheet, "annee"): draw(year(1990, 2024)),
        header(sheet, "source"): draw(text(80)),
        header(sheet, "commentaire"): draw(optional(long_text())),
    }


@st.composite
def enjeu_row(draw, index: int) -> dict:
    sheet = "Enjeux"
    priority = draw(optional(st.sampled_from(["1", "2", "3"])))
    return {
        header(sheet, "volet"): draw(in_any_case(STD.lists["volets"])),
        header(sheet, "enjeu"): f"{draw(text(150))} ({index})",
        header(sheet, "priorite"): None if priority is None else T(draw(st.sampled_from([priority, int(priority)])),
                                                                   priority),
        header(sheet, "commentaire"): draw(optional(long_text())),
    }


@st.composite
def equipment_row(draw, index: int) -> dict:
    sheet = "Équipements"
    kind = draw(in_any_case(STD.lists["types_structure"]))
    funding = draw(st.lists(st.sampled_from(STD.lists["financements_caf"]), max_size=3, unique=True))
    postcode = draw(optional(st.integers(10000, 98999)))
    return {
        header(sheet, "collectivite"): draw(optional(st.just("Dugny"))),
        header(sheet, "type_structure"): kind,
        header(sheet, "nom_structure"): f"{draw(text(80))} {index}",
        header(sheet, "adresse"): draw(text(80)),
        header(sheet, "code_postal"): None if postcode is None else T(draw(st.sampled_from([postcode, str(postcode)])),
                                                                      str(postcode)),
        header(sheet, "gestionnaire"): draw(text(60)),
        header(sheet, "mode_gestion"): draw(optional(in_any_case(STD.lists["modes_gestion"]))),
        header(sheet, "capacite"): draw(number(0, 500, whole=True)),
        header(sheet, "financement_caf"): T(";".join(value.lower() for value in funding), "; ".join(funding))
        if funding else None,
        header(sheet, "bonus_ctg"): draw(optional(number(0, 200_000, unit="€"))),
        header(sheet, "numero_caf"): draw(optional(text(20))),
        header(sheet, "observations"): draw(optional(long_text())),
    }


@st.composite
def action_row(draw, index: int) -> dict:
    sheet = "Plan d'actions"
    start = draw(st.integers(2023, 2027))
    end = draw(optional(year(start, 2027)))
    numero = draw(st.sampled_from([T(index + 1, str(index + 1)), T(f"A-{index + 1}", f"A-{index + 1}")]))
    budget = draw(optional(number(0, 1_000_000, unit="€")))
    return {
        header(sheet, "numero"): numero,
        header(sheet, "thematique"): draw(in_any_case(STD.lists["thematiques"])),
        header(sheet, "enjeu"): draw(optional(text(100))),
        header(sheet, "objectif"): draw(text(200)),
        header(sheet, "intitule"): draw(text(120)),
        header(sheet, "description"): draw(optional(long_text())),
        header(sheet, "pilote_collectivite"): draw(text(60)),
        header(sheet, "pilote_caf"): draw(text(60)),
        header(sheet, "annee_debut"): draw(year(start, start)),
        header(sheet, "annee_fin"): end,
        header(sheet, "statut"): draw(in_any_case(STD.lists["statuts"])),
        header(sheet, "indicateurs_resultat"): draw(text(100)),
        header(sheet, "budget"): budget,
        header(sheet, "financement_caf"): None if budget is None else draw(optional(number(0, int(meant(budget)),
                                                                                           unit="€"))),
        header(sheet, "commentaire"): draw(optional(long_text())),
    }


@st.composite
def tables(draw) -> dict[str, list[dict]]:
    sizes = {sheet: draw(st.integers(0 if sheet != "Plan d'actions" else 1, 4)) for sheet in SHEETS[:4]}
    rows = {
        "Diagnostic": [draw(diagnostic_row(index)) for index in range(sizes["Diagnostic"])],
        "Enjeux": [draw(enjeu_row(index)) for index in range(sizes["Enjeux"])],
        "Équipements": [draw(equipment_row(index)) for index in range(sizes["Équipements"])],
        "Plan d'actions": [draw(action_row(index)) for index in range(sizes["Plan d'actions"])],
    }
    followed = draw(st.lists(st.sampled_from(rows["Plan d'actions"]), max_size=3))
    rows["Suivi des indicateurs"] = [{
        "N° action": action["N° action"],
        "Indicateur": f"{draw(text(100))} ({index})",
        "Type": draw(optional(in_any_case(STD.lists["types_indicateur"]))),
        "Cible": draw(optional(text(20))),
        **{str(year_): draw(optional(number(0, 10_000))) for year_ in YEARS},
    } for index, action in enumerate(followed)]
    return rows


# --- Reading back -------------------------------------------------------------------------------------

def same(left: object, right: object) -> bool:
    def is_number(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    if is_number(left) and is_number(right):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-9)
    if isinstance(left, float) and left != left:
        left = None
    if isinstance(right, float) and right != right:
        right = None
    return left == right


def data(paths: list[Path], *, provenance: bool = False) -> dict[str, list[dict]]:
    """What ctgxl reads in these workbooks: {sheet: [{column id or +extra: value}]}."""
    read = build_tables([read_workbook(path) for path in paths])
    found = {}
    for sheet, frame in read.frames.items():
        keep = [column.id for column in STD.sheet(sheet).columns] + [name for name in frame.columns
                                                                      if name.isdigit() or name.startswith("+")]
        if provenance and SOURCE_COLUMNS[0] in frame.columns:
            keep.append(SOURCE_COLUMNS[0])
        found[sheet] = [{name: row.get(name) for name in keep} for row in frame.to_dict("records")]
    return {sheet: rows for sheet, rows in found.items() if rows}


def meaning(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    by_id = {}
    for sheet, sheet_rows in rows.items():
        spec = STD.sheet(sheet)
        ids = {column.header: column.id for column in spec.columns}
        by_id[sheet] = [{ids.get(name, name): meant(value) for name, value in row.items()} for row in sheet_rows]
    return {sheet: sheet_rows for sheet, sheet_rows in by_id.items() if sheet_rows}


def assert_same_data(found: dict[str, list[dict]], expected: dict[str, list[dict]], ordered: bool = True) -> None:
    assert set(found) == set(expected), (set(found), set(expected))
    for sheet, rows in expected.items():
        assert len(found[sheet]) == len(rows), sheet
        if not ordered:
            found[sheet], rows = sorted(found[sheet], key=_sort_key), sorted(rows, key=_sort_key)
        for index, (got, want) in enumerate(zip(found[sheet], rows)):
            for name in set(got) | set(want):
                assert same(got.get(name), want.get(name)), (sheet, index, name, got.get(name), want.get(name))


def _sort_key(row: dict) -> str:
    return repr(sorted((name, None if isinstance(value, float) and value != value else value)
                       for name, value in row.items()))


def service(name: str, rows: dict[str, list[dict]], file: str) -> Service:
    return Service(file, "complet", name, {sheet: sheet_rows for sheet, sheet_rows in rows.items() if sheet_rows})


def fresh(tmp_path: Path) -> Path:
    """A new folder for each example (hypothesis reuses the test's tmp_path)."""
    import tempfile

    return Path(tempfile.mkdtemp(dir=tmp_path))


# --- Properties ---------------------------------------------------------------------------------------

@SETTINGS
@given(rows=tables())
def test_typed_workbook_reads_back_the_same_data(tmp_path, rows):
    folder = fresh(tmp_path)
    path = write_service(folder, service("Service enfance", rows, "saisi.xlsx"))
    assert_same_data(data([path]), meaning(rows))
    report = check_books([read_workbook(path)])
    assert report.errors == [], report.errors


@settings(SETTINGS, max_examples=12)  # the slowest: five workbooks written per example
@given(rows=tables(), owners=st.lists(st.booleans(), min_size=20, max_size=20))
def test_merge_split_merge_gives_the_same_data(tmp_path, rows, owners):
    folder = fresh(tmp_path)
    shares: list[dict[str, list[dict]]] = [{}, {}]
    turn = iter(owners)
    for sheet, sheet_rows in rows.items():
        for row in sheet_rows:
            shares[int(next(turn, False))].setdefault(sheet, []).append(row)
    files = [write_service(folder, service(f"Service {letter}", share, f"service-{letter.lower()}.xlsx"))
             for letter, share in zip("AB", shares)]
    first = folder / "consolide.xlsx"
    result = merge(files, first)
    assert result.errors == 0, [finding for finding in result.report.errors]
    parts = folder / "parts"
    outcome = split(first, parts)
    assert outcome.refused == []
    written = [part.path for part in outcome.written]
    for part in written:
        assert check_books([read_workbook(part)]).errors == []
    second = folder / "encore.xlsx"
    ordered = sorted(written, key=lambda path: path.name)  # service-a before service-b
    again = merge(ordered, second)
    assert again.errors == 0, [finding for finding in again.report.errors]
    # The same rows. Their order and contributor may differ in one case: a service following
    # (in Suivi) another's action gets a copy of it in its split file, which comes first on merging.
    assert_same_data(data([second]), data([first]), ordered=False)
    # and the consolidated data is what the services typed, in file order
    expected = {sheet: shares[0].get(sheet, []) + shares[1].get(sheet, []) for sheet in SHEETS}
    assert_same_data(data([first]), meaning(expected))


@settings(SETTINGS, max_examples=20)
@given(rows=tables())
def test_format_keeps_the_data_and_is_idempotent(tmp_path, rows):
    folder = fresh(tmp_path)
    path = write_service(folder, service("Service enfance", rows, "saisi.xlsx"))
    once, twice = folder / "une-fois.xlsx", folder / "deux-fois.xlsx"
    assert reformat(path, once).output == once
    assert reformat(once, twice).output == twice
    assert_same_data(data([once]), meaning(rows))
    import openpyxl

    def cells(target: Path) -> dict:
        book = openpyxl.load_workbook(target)
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}

    assert cells(twice) == cells(once)
