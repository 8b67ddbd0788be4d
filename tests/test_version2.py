"""Version 2 of the standard: `Suivi des indicateurs` gains `Valeur de référence` and
`Année de référence`. Workbooks of version 1 are still read without a false finding, and
`ctgxl format` upgrades every sample, as a version-1 workbook, keeping every value."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.packaging.custom import StringProperty

from ctgxl.checking.check import check_paths
from ctgxl.checking.checks import identification_values
from ctgxl.names import LISTS, PROPERTY_VERSION, RECORD_HEADER
from ctgxl.reading.reader import read_workbook
from ctgxl.reading.tables import build_tables
from ctgxl.standard import SUIVI, load
from ctgxl import reformat

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted(path for path in SAMPLES.glob("*/*.xlsx"))
NEW_HEADERS = ("Valeur de référence", "Année de référence")
NEW_IDS = ("valeur_reference", "annee_reference")


def as_version_1(source: Path, target: Path) -> Path:
    """The workbook as the version-1 template had it: the Suivi sheet without the two columns
    (opened and saved with openpyxl, as a person's spreadsheet would), version 1 recorded."""
    read = read_workbook(source)
    book = openpyxl.load_workbook(source)
    table = read.tables.get(SUIVI)
    if table is not None:
        sheet = book[table.title]
        for position in sorted((table.positions[column_id] for column_id in NEW_IDS if column_id in table.positions),
                               reverse=True):
            sheet.delete_cols(position + 1)
    if LISTS in book.sheetnames:
        record = book[LISTS]
        for cell in record[1]:
            if cell.value == RECORD_HEADER:
                record.cell(row=3, column=cell.column).value = "1"
    properties = book.custom_doc_props
    if PROPERTY_VERSION in properties.names:
        del properties[PROPERTY_VERSION]
        properties.append(StringProperty(name=PROPERTY_VERSION, value="1"))
    book.save(target)
    return target


def typed_content(path: Path) -> dict:
    """What ctgxl reads in the file: identification, and each sheet's rows, column by column."""
    book = read_workbook(path)
    tables = build_tables([book])
    content: dict = {"Identification": identification_values(book)}
    for name, frame in tables.frames.items():
        columns = [column for column in frame.columns if not column.startswith("_")]
        content[name] = [{column: (None if value != value else value) for column, value in row.items()}
                         for row in frame[columns].to_dict("records")]
    return content


def test_the_standard_is_version_2_with_the_reference_columns():
    std = load()
    assert std.version == 2
    headers = [column.header for column in std.sheet(SUIVI).columns]
    assert headers[3:6] == ["Cible", *NEW_HEADERS]
    assert std.added_since(SUIVI, 1) == set(NEW_HEADERS)
    assert std.added_since(SUIVI, 0) == set(NEW_HEADERS)
    assert std.added_since(SUIVI, 2) == set()


def test_samples_are_version_2():
    recorded = [read_workbook(path) for path in SAMPLE_FILES]
    assert {book.version for book in recorded if book.version is not None} == {2}


@pytest.fixture(scope="module")
def version_1(tmp_path_factory) -> dict[Path, Path]:
    folder = tmp_path_factory.mktemp("v1")
    copies = {}
    for path in SAMPLE_FILES:
        target = folder / path.parent.name / path.name
        target.parent.mkdir(exist_ok=True)
        copies[path] = as_version_1(path, target)
    return copies


def test_version_1_copies_lack_the_new_columns(version_1):
    for original, copy in version_1.items():
        book = read_workbook(copy)
        if book.version is not None:
            assert book.version == 1, copy
        table = book.tables.get(SUIVI)
        if table is not None:
            assert not set(NEW_IDS) & set(table.positions), copy


@pytest.mark.parametrize("folder", sorted({path.parent.name for path in SAMPLE_FILES}))
def test_version_1_reads_without_a_false_finding(version_1, folder):
    """Same findings as the version-2 samples, the new columns' own aside; the only new finding
    says the version is older (information), never that a version-1 template lacks the new
    columns. (A file made without the template records no version: like any optional column,
    its missing ones are reported for information.)"""
    originals = [path for path in version_1 if path.parent.name == folder]
    copies = [version_1[path] for path in originals]
    unrecorded = {path.name for path in copies if read_workbook(path).version is None}

    def findings(paths: list[Path]) -> set[tuple]:
        return {(Path(f.file).name, f.sheet, f.column, f.code, f.severity) for f in check_paths(paths).findings
                if f.column not in NEW_HEADERS or (f.code == "colonne-absente" and Path(f.file).name in unrecorded)}

    before, after = findings(originals), findings(copies)
    new = after - before
    assert {item for item in new if item[3] != "version-ancienne"} == \
        {item for item in new if item[0] in unrecorded and item[2] in NEW_HEADERS}
    assert {item[0] for item in new if item[3] == "version-ancienne"} == {path.name for path in copies} - unrecorded
    assert before - after == set()


def test_format_upgrades_every_sample_keeping_every_value(version_1, tmp_path):
    std = load()
    for original, copy in version_1.items():
        output = tmp_path / copy.parent.name / copy.name
        assert reformat(copy, output).output == output
        upgraded = read_workbook(output)
        assert upgraded.version == std.version, output
        assert not [finding for finding in upgraded.findings if finding.code == "version-ancienne"]
        before, after = typed_content(copy), typed_content(output)
        assert before["Identification"] == after["Identification"], copy
        assert set(before) <= set(after), copy
        assert {name for name, rows in after.items() if rows} <= set(before), copy  # template sheets left empty
        for sheet, rows in before.items():
            if sheet == "Identification":
                continue
            assert len(after[sheet]) == len(rows), (copy, sheet)
            for index, (old, new) in enumerate(zip(rows, after[sheet])):
                for column, value in old.items():
                    if value is not None or column not in new:
                        assert new.get(column) == value, (copy.name, sheet, index + 2, column)
                extra = {column: value for column, value in new.items() if column not in old and value is not None}
                assert extra == {}, (copy.name, sheet, index + 2)
                if sheet == SUIVI:
                    assert new["valeur_reference"] is None and new["annee_reference"] is None


def test_reference_and_a_percent_target_as_typed_in_excel(tmp_path):
    """« 25 % » typed in Cible (a text column) stays 25 %; « 19 % » in Valeur de référence is 19;
    a reference year up to the first year of the convention is accepted."""
    from ctgxl.writing.template import Prefill, write_template

    path = write_template(tmp_path / "plan.xlsx", "plan-actions",
                          Prefill("Dugny", "Commune", "93030", "Caf de la Seine-Saint-Denis", 2023, 2027, (), "PE"))
    book = openpyxl.load_workbook(path)
    plan = book["Plan d'actions"]
    for header, value in {"N° action": "PE-1", "Thématique": "Petite enfance", "Objectif": "Accueillir",
                          "Intitulé de l'action": "Crèche", "Pilote collectivité": "Ville", "Pilote Caf": "Caf",
                          "Année de début": 2023, "Statut": "En cours", "Indicateurs de résultat": "Taux"}.items():
        column = next(cell.column for cell in plan[1] if str(cell.value).removesuffix(" *") == header)
        plan.cell(row=2, column=column).value = value
    suivi = book[SUIVI]
    for column, value, number_format in ((1, "PE-1", None), (2, "Taux de couverture", None), (4, 0.25, "0%"),
                                         (5, 0.19, "0%"), (6, 2023, None), (7, 19, None)):
        cell = suivi.cell(row=2, column=column)
        cell.value = value
        if number_format:
            cell.number_format = number_format
    book.save(path)
    report = check_paths([path])
    assert report.errors == [] and report.warnings == []
    row = report.tables.frames[SUIVI].iloc[0]
    assert (row["cible"], row["valeur_reference"], row["annee_reference"], row["2023"]) == ("25 %", 19, 2023, 19)
