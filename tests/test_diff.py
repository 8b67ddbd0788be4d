"""The diff between two versions (ctgxl.merging.diff).

- On the samples: samples/dugny-2025/ is samples/dugny/ edited cell by cell the way the
  services do (samples/build.py, lists SAISIES and NOUVELLES_LIGNES); the diff lists exactly
  those edits, whether the versions are folders of services' files or consolidated workbooks.
- Properties over random versions (table level): diff(A, A) is empty; spelling, order and
  number-type differences are no change; a random set of edits gives exactly those edits.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ctgxl.cli import cli
from ctgxl.merging.diff import ADDED, CHANGED, PER_FILE_FIELDS, REMOVED, diff, diff_tables
from ctgxl.standard import DATA_SHEETS, IDENTIFICATION, Column, load
from ctgxl.text import strip_accents

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
STD = load()


def _load_build():
    name = "ctgxl_samples_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SAMPLES / "build.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses need the module registered
        spec.loader.exec_module(module)
    return sys.modules[name]


build = _load_build()


def close(left: object, right: object) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return abs(left - right) < 1e-9
    return left == right


# --- The second version of Dugny -----------------------------------------------------------------------

def expected_second_version() -> tuple[set[tuple], dict[tuple, dict]]:
    changed = {(saisie.feuille, saisie.cle, saisie.colonne, saisie.avant, saisie.apres) for saisie in build.SAISIES}
    added = {(ligne.feuille, ligne.cle): ligne.sens for ligne in build.NOUVELLES_LIGNES}
    return changed, added


def assert_lists_exactly_the_edits(found) -> None:
    changed, added = expected_second_version()
    changes = found.changes()
    assert not [change for change in changes if change.kind == REMOVED]
    listed = [(change.sheet, change.key, change.column, change.old, change.new) for change in changes
              if change.kind == CHANGED]
    assert len(listed) == len(changed)
    for item in listed:
        match = [wanted for wanted in changed if wanted[:3] == item[:3]]
        assert len(match) == 1, item
        assert close(item[3], match[0][3]) and close(item[4], match[0][4]), (item, match[0])
    new_rows = {(change.sheet, change.key): change.new for change in changes if change.kind == ADDED}
    assert set(new_rows) == set(added)
    for place, meaning in added.items():
        for header, value in meaning.items():
            assert close(new_rows[place][header], value), (place, header)


def test_second_version_of_dugny_lists_exactly_the_edits():
    assert_lists_exactly_the_edits(diff([SAMPLES / "dugny"], [SAMPLES / "dugny-2025"]))


def test_same_edits_between_consolidated_workbooks(tmp_path):
    outputs = []
    for folder in ("dugny", "dugny-2025"):
        output = tmp_path / f"{folder}.xlsx"
        result = CliRunner().invoke(cli, ["merge", str(SAMPLES / folder), "-o", str(output)])
        assert result.exit_code == 0, result.output
        outputs.append(output)
    assert_lists_exactly_the_edits(diff([outputs[0]], [outputs[1]]))
    assert_lists_exactly_the_edits(diff([SAMPLES / "dugny"], [outputs[1]]))


def test_the_second_version_checks_clean():
    from ctgxl.checking.check import check_paths

    report = check_paths([SAMPLES / "dugny-2025"])
    assert report.errors == [] and report.warnings == []


def test_cli_lists_the_edits_of_the_second_version():
    result = CliRunner().invoke(cli, ["diff", str(SAMPLES / "dugny"), str(SAMPLES / "dugny-2025")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "  modifiée   PE-5 « Développement d'un ETP supplémentaire au RPE » — Statut : « À engager » → " \
           "« Abandonnée »" in lines
    assert "  modifiée   AVS-3 « Dissocier l'accueil du CCAS de l'accueil du centre social e… » — Année de fin : " \
           "2025 → 2026" in lines
    assert "  modifiée   PE-1 / Taux de couverture en accueil collectif (%) — 2025 : (vide) → 21" in lines
    assert "  ajoutée    EF-4 « Ouvrir un accueil de loisirs le mercredi dans le nouveau qu… »" in lines
    assert lines[-1] == "Résumé : 3 lignes ajoutées, 0 ligne supprimée, 18 lignes modifiées (21 valeurs modifiées)."


# --- Properties at table level -------------------------------------------------------------------------

SETTINGS = settings(max_examples=60, deadline=None, database=None)
WORDS = st.sampled_from(["accueil", "Parents", "crèche", "l'été", "RPE", "jeunes", "Ville", "été", "quartier",
                         "n°2", "=1+1", "«\u00a0forum\u00a0»"])
COMMUNES = ("Dugny", "Le Bourget", "Saint-Denis", "L'Île-Saint-Denis")
YEARS = tuple(str(year) for year in range(2023, 2028))


def words() -> st.SearchStrategy[str]:
    return st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


def value_of(column: Column) -> st.SearchStrategy:
    """A value of this column as the reader types it (canonical list values, parsed numbers)."""
    kind = column.type
    if kind == "liste":
        return st.sampled_from(column.allowed)
    if kind == "multiliste":
        return st.lists(st.sampled_from(column.allowed), min_size=1, max_size=3, unique=True).map("; ".join)
    if kind == "communes":
        return st.lists(st.sampled_from(COMMUNES), min_size=1, max_size=3, unique=True).map("; ".join)
    if kind == "commune":
        return st.sampled_from(COMMUNES)
    if kind in ("nombre", "valeur"):
        return st.one_of(st.integers(-10_000, 2_000_000), st.integers(0, 10_000_000).map(lambda cents: cents / 100))
    if kind in ("entier", "annee_suivi"):
        return st.integers(0, 100_000)
    if kind == "annee":
        return st.integers(1990, 2027)
    if kind == "date":
        return st.dates(date(2000, 1, 1), date(2040, 12, 31))
    if kind in ("code_postal", "code_territoire"):
        return st.integers(10_000, 99_999).map(str)
    return words()


def year_column(name: str) -> Column:
    return Column(id=name, header=name, mandatory=False, type="annee_suivi", help="")


def columns_of(sheet: str) -> list[Column]:
    columns = list(STD.sheet(sheet).columns)
    if sheet == IDENTIFICATION:
        return [column for column in columns if column.id not in PER_FILE_FIELDS]
    return columns + ([year_column(year) for year in YEARS] if STD.sheet(sheet).year_columns else [])


def key_values(sheet: str, number: int) -> dict[str, object]:
    """A key no other row of the sheet has, even compared without case, accents or spaces:
    its last column tells the rows apart, the others hold one value."""
    spec = STD.sheet(sheet)
    values: dict[str, object] = {}
    for column_id in spec.key:
        column = spec.column(column_id)
        if column_id == spec.key[-1]:
            values[column_id] = 1990 + number if column.type == "annee" else f"Ligne {number}"
        elif column.type == "liste":
            values[column_id] = column.allowed[0]
        else:
            values[column_id] = COMMUNES[0] if column.type == "commune" else "Clé"
    return values


@st.composite
def row(draw, sheet: str, number: int) -> dict[str, object]:
    spec = STD.sheet(sheet)
    values = {column.id: draw(st.one_of(st.none(), value_of(column)) if not column.mandatory else value_of(column))
              for column in columns_of(sheet) if column.id not in spec.key}
    values.update(key_values(sheet, number))
    return values


@st.composite
def version(draw) -> dict[str, list[dict]]:
    found = {IDENTIFICATION: [draw(row(IDENTIFICATION, 0))]}
    for sheet in DATA_SHEETS:
        numbers = draw(st.lists(st.integers(1, 30), max_size=6, unique=True))
        found[sheet] = [draw(row(sheet, number)) for number in numbers]
    return found


def canonical_key(sheet: str, values: dict) -> tuple:
    return tuple(str(values.get(column_id)) for column_id in STD.sheet(sheet).key)


def shown_key(sheet: str, values: dict) -> tuple[str, ...]:
    from ctgxl.reading.values import as_text

    return tuple(as_text(values[column_id]) for column_id in STD.sheet(sheet).key)


@given(old=version())
@SETTINGS
def test_a_version_against_itself_has_no_change(old):
    found = diff_tables(old, old)
    assert not found and found.changes() == [] and found.counts()["champs_modifies"] == 0


@st.composite
def respelled(draw, values: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The same version as another file may hold it: rows in another order, list values in
    another case or order, numbers as floats, texts with other spaces and apostrophes."""
    result = {}
    for sheet, rows in values.items():
        columns = {column.id: column for column in columns_of(sheet)}
        copies = []
        for values_of_row in rows:
            copy = {}
            for column_id, value in values_of_row.items():
                column = columns.get(column_id)
                if column is not None and column.type in ("liste", "commune") and isinstance(value, str):
                    value = draw(st.sampled_from([value.lower(), value.upper(), strip_accents(value)]))
                elif column is not None and column.type in ("multiliste", "communes") and isinstance(value, str):
                    value = "; ".join(reversed(value.split("; ")))
                elif isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                elif isinstance(value, str) and column is not None and column.type == "texte":
                    value = f"  {value.replace(' ', '  ').replace(chr(39), '’')} "
                copy[column_id] = value
            copies.append(copy)
        result[sheet] = draw(st.permutations(copies))
    return result


@given(data=st.data(), old=version())
@SETTINGS
def test_spelling_order_and_number_types_are_no_change(data, old):
    assert not diff_tables(old, data.draw(respelled(old)))


@st.composite
def edited(draw):
    """A version, the same version after a random set of edits, and those edits as the diff
    must list them: (sheet, key, kind, column, old, new)."""
    old = draw(version())
    new = {sheet: [dict(values) for values in rows] for sheet, rows in old.items()}
    expected: set[tuple] = set()
    for sheet in (IDENTIFICATION, *DATA_SHEETS):
        spec = STD.sheet(sheet)
        rows = new[sheet]
        keep = []
        for values in rows:
            action = draw(st.sampled_from(["garder", "garder", "modifier", "supprimer"]
                                          if sheet != IDENTIFICATION else ["garder", "modifier"]))
            if action == "supprimer":
                expected.add((sheet, shown_key(sheet, values), REMOVED, None))
                continue
            if action == "modifier":
                editable = [column for column in columns_of(sheet) if column.id not in spec.key]
                for column in draw(st.lists(st.sampled_from(editable), min_size=1, max_size=3, unique_by=lambda c: c.id)):
                    before = values.get(column.id)
                    after = draw(st.one_of(st.none(), value_of(column)).filter(
                        lambda value, before=before: _differs(column, before, value)))
                    values[column.id] = after
                    key = shown_key(sheet, values)
                    expected.add((sheet, key, CHANGED, column.header, before, after))
            keep.append(values)
        if sheet != IDENTIFICATION:
            taken = {canonical_key(sheet, values) for values in rows}
            for number in draw(st.lists(st.integers(31, 60), max_size=3, unique=True)):
                added = draw(row(sheet, number))
                assert canonical_key(sheet, added) not in taken
                keep.append(added)
                expected.add((sheet, shown_key(sheet, added), ADDED, None))
        new[sheet] = keep
    return old, new, expected


def _differs(column: Column, before: object, after: object) -> bool:
    from ctgxl.merging.diff import _canonical

    return _canonical(column, before) != _canonical(column, after)


@given(case=edited())
@SETTINGS
def test_random_edits_are_listed_exactly(case):
    old, new, expected = case
    listed = set()
    for change in diff_tables(old, new).changes():
        if change.kind == CHANGED:
            listed.add((change.sheet, change.key, CHANGED, change.column, change.old, change.new))
        else:
            listed.add((change.sheet, change.key, change.kind, None))
    assert listed == expected


def test_a_workbook_level_example(tmp_path):
    """A random-looking set of edits typed into a real workbook: dugny-2025 is the example of
    the samples; this one removes a row, which the samples' second version does not."""
    import openpyxl

    source = SAMPLES / "dugny" / "dugny-cohesion-sociale.xlsx"
    book = openpyxl.load_workbook(source)
    sheet = book["Enjeux"]
    removed = [cell.value for cell in sheet[2]]
    sheet.delete_rows(2)
    plan = book["Plan d'actions"]
    headers = {str(cell.value).removesuffix(" *"): cell.column for cell in plan[1]}
    plan.cell(row=2, column=headers["Budget prévisionnel (€)"]).value = "2 500,50 €"
    target = tmp_path / source.name
    book.save(target)
    changes = diff([source], [target]).changes()
    assert [(change.sheet, change.kind, change.column) for change in changes] == [
        ("Enjeux", REMOVED, None), ("Plan d'actions", CHANGED, "Budget prévisionnel (€)")]
    assert changes[0].key == (removed[0], removed[1])
    assert changes[1].old is None and changes[1].new == 2500.5


@pytest.mark.parametrize("folder", ["carrieres-sur-seine", "boulogne-billancourt", "ca-boulonnais"])
def test_each_sample_territory_against_itself(folder):
    assert not diff([SAMPLES / folder], [SAMPLES / folder])
