"""Conservation: every row a person typed is in the consolidated workbook with its values, or
named by a finding. Header rows far down a sheet, second sheets of a kind, error values (#N/A,
#DIV/0!…) in every format, files of the same name in two folders, Excel's 29/02/1900."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctgxl.checking.check import check_paths, read_all
from ctgxl.cli import cli
from ctgxl import merge
from ctgxl.names import PROVENANCE

from fixtures import PlanSheet, plan_action, sheet_rows, typed_plan_book

PLAN = "Plan d'actions"
BUDGET = "J"  # column of « Budget prévisionnel (€) » in typed_plan_book
OBJECTIVE = "C"


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def digests(folder: Path) -> dict[Path, str]:
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(Path(folder).rglob("*"))
            if path.is_file()}


def found(report, code: str) -> list[tuple[str, str | None, str | None]]:
    return [(Path(finding.file).name, finding.sheet, finding.cell) for finding in report.findings
            if finding.code == code]


def merged_plan(output: Path) -> list[dict]:
    return sheet_rows(output, PLAN)[1]


def actions(count: int, start: int = 1, prefix: str = "J") -> list[dict]:
    return [plan_action(f"{prefix}-{number}") for number in range(start, start + count)]


# --- Header rows and sheets -----------------------------------------------------------------------

def test_header_typed_at_row_25_loses_no_action(tmp_path):
    titles = tuple(f"Note {number}" for number in range(1, 25))
    path = typed_plan_book(tmp_path / "recus" / "plan.xlsx", [PlanSheet(PLAN, 25, actions(3), titles)])
    before = digests(tmp_path / "recus")
    output = tmp_path / "ctg.xlsx"
    result = run("merge", tmp_path / "recus", "-o", output)
    assert result.exit_code == 0, result.output
    assert [row["N° action"] for row in merged_plan(output)] == ["J-1", "J-2", "J-3"]
    assert [int(row[PROVENANCE[3]]) for row in merged_plan(output)] == [26, 27, 28]
    assert digests(tmp_path / "recus") == before
    assert path.exists()


def test_a_second_plan_sheet_is_merged_with_the_first(tmp_path):
    path = typed_plan_book(tmp_path / "plan.xlsx", [PlanSheet(PLAN, 3, actions(3)),
                                                    PlanSheet("Plan d'actions (2)", 1, actions(2, start=4))])
    before = digests(tmp_path)
    output = tmp_path / "sortie" / "ctg.xlsx"
    result = run("merge", path, "-o", output)
    assert result.exit_code == 0, result.output
    rows = merged_plan(output)
    assert [(row["N° action"], row[PROVENANCE[2]], int(row[PROVENANCE[3]])) for row in rows] == [
        ("J-1", PLAN, 4), ("J-2", PLAN, 5), ("J-3", PLAN, 6),
        ("J-4", "Plan d'actions (2)", 2), ("J-5", "Plan d'actions (2)", 3)]
    report = check_paths([path])
    assert found(report, "feuille-supplementaire") == [("plan.xlsx", "Plan d'actions (2)", None)]
    assert digests(tmp_path) == {**before, **digests(tmp_path / "sortie")}


def test_a_sheet_not_read_says_why(tmp_path):
    path = typed_plan_book(tmp_path / "plan.xlsx", [PlanSheet(PLAN, 1, actions(1))])
    book = openpyxl.load_workbook(path)
    book.create_sheet("Suivi des indicateurs")["A1"] = "Rien encore"  # a standard sheet without its headers
    loose = book.create_sheet("Feuil3")  # two standard headers: too few to read it
    loose.append(["Objectif", "Statut", "Remarque"])
    loose.append(["Ouvrir un accueil", "En cours", "à voir"])
    book.save(path)
    report = check_paths([path])
    assert found(report, "feuille-sans-entete") == [("plan.xlsx", "Suivi des indicateurs", None)]
    assert found(report, "feuille-non-reconnue") == [("plan.xlsx", "Feuil3", None)]
    message = next(finding.message for finding in report.findings if finding.code == "feuille-non-reconnue")
    assert "« Objectif », « Statut »" in message and "ni contrôlées ni fusionnées" in message
    assert report.exit_code() == 1


# --- Error values ---------------------------------------------------------------------------------

def _error_book(path: Path) -> Path:
    """Row 2: #N/A typed in the objective; row 3: a budget whose formula divides by zero."""
    typed_plan_book(path, [PlanSheet(PLAN, 1, [plan_action("J-1", **{"Objectif": "#N/A"}),
                                               plan_action("J-2", **{"Budget prévisionnel (€)": "=1/0"})])])
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_typed_error_values_are_findings_at_their_cell(tmp_path, suffix):
    path = _error_book(tmp_path / "plan.xlsx")
    if suffix != ".xlsx":
        path = path.rename(path.with_suffix(suffix))
    before = digests(tmp_path)
    report = check_paths([path])
    assert (path.name, PLAN, f"{OBJECTIVE}2") in found(report, "valeur-en-erreur")
    assert not [finding for finding in report.findings if finding.cell == f"{OBJECTIVE}2"
                and finding.code != "valeur-en-erreur"]  # reported once, as what it is
    assert "« #N/A »" in next(finding.message for finding in report.findings if finding.code == "valeur-en-erreur")
    assert report.exit_code() == 1
    # merged despite the errors, the cell keeps what the person saw, never an empty cell
    output = tmp_path / "sortie.xlsx"
    assert run("merge", path, "-o", output, "--malgre-erreurs").exit_code == 0
    assert [row["Objectif"] for row in merged_plan(output)][0] == "#N/A"
    assert digests(tmp_path) == {**before, output: digests(tmp_path)[output]}


@pytest.mark.libreoffice
@pytest.mark.parametrize("target", ["ods", "xls", "xlsx"])
def test_error_values_saved_by_libreoffice(tmp_path, target):
    """Saved by LibreOffice, the formula =1/0 shows #DIV/0! and the typed #N/A stays an error."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé")
    source = _error_book(tmp_path / "source" / "plan.xlsx")
    subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", target, "--outdir",
                    str(tmp_path / "lo"), str(source)], check=True, capture_output=True, timeout=180)
    path = tmp_path / "lo" / f"plan.{target}"
    before = digests(tmp_path / "lo")
    report = check_paths([path])
    cells = {cell for _, _, cell in found(report, "valeur-en-erreur")}
    assert cells == {f"{OBJECTIVE}2", f"{BUDGET}3"}
    shown = {finding.cell: finding.message for finding in report.findings if finding.code == "valeur-en-erreur"}
    assert "« #DIV/0! »" in shown[f"{BUDGET}3"] and "« #N/A »" in shown[f"{OBJECTIVE}2"]
    assert report.exit_code() == 1
    assert digests(tmp_path / "lo") == before


# --- Provenance and dates -------------------------------------------------------------------------

def test_files_of_the_same_name_in_two_folders_are_told_apart(tmp_path):
    first = typed_plan_book(tmp_path / "recus" / "ville" / "plan.xlsx", [PlanSheet(PLAN, 1, actions(1))],
                            service="Ville")
    second = typed_plan_book(tmp_path / "recus" / "ccas" / "plan.xlsx", [PlanSheet(PLAN, 1, actions(1, 2))],
                             service="CCAS")
    before = digests(tmp_path / "recus")
    output = tmp_path / "ctg.xlsx"
    result = run("merge", tmp_path / "recus", "-o", output)
    assert result.exit_code == 0, result.output
    sources = sheet_rows(output, "Sources")[1]
    assert sorted((row["Fichier"], row["SHA-256"]) for row in sources) == sorted([
        ("ccas/plan.xlsx", hashlib.sha256(second.read_bytes()).hexdigest()),
        ("ville/plan.xlsx", hashlib.sha256(first.read_bytes()).hexdigest())])
    assert sorted(row[PROVENANCE[1]] for row in merged_plan(output)) == ["ccas/plan.xlsx", "ville/plan.xlsx"]
    assert digests(tmp_path / "recus") == before
    # named one by one from two folders, the files keep the paths they were named by
    books, _ = read_all([first, second])
    assert [book.source_name for book in books] == [first.as_posix(), second.as_posix()]


def test_date_serial_60_is_shown_as_excel_shows_it(tmp_path):
    path = typed_plan_book(tmp_path / "plan.xlsx", [PlanSheet(PLAN, 1, actions(1))])
    book = openpyxl.load_workbook(path)
    book["Identification"].append(["Date de mise à jour", 60])  # a number where a date was wanted
    book.save(path)
    report = check_paths([path])
    (finding,) = [finding for finding in report.findings if finding.code == "date-illisible"]
    assert (finding.sheet, finding.cell) == ("Identification", "B8")
    assert "29/02/1900" in finding.message and "bissextile" in finding.message
    assert report.exit_code() == 1


# --- The property ---------------------------------------------------------------------------------

NOT_READ = {"feuille-sans-entete", "feuille-non-reconnue", "feuille-trop-grande", "fichier-illisible"}
ERROR_VALUES = ("#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")


@st.composite
def plan_sheet(draw, title: str, prefix: str) -> PlanSheet:
    """A sheet as people lay it out: 0 to 30 lines of titles and notes above the header (which
    may come far down), blank rows between rows, an error value here and there."""
    header_row = draw(st.sampled_from([1, 2, 4, 21, 26, 31]))
    rows: list[dict | None] = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        if draw(st.integers(0, 3)) == 0:
            rows.append(None)
        cells = {}
        if draw(st.integers(0, 3)) == 0:
            header = draw(st.sampled_from(["Objectif", "Budget prévisionnel (€)", "Pilote Caf"]))
            cells[header] = draw(st.sampled_from(ERROR_VALUES))
        rows.append(plan_action(f"{prefix}-{number}", **cells))
    titles = tuple(f"Ligne de titre {number}" for number in range(1, header_row))
    return PlanSheet(title, header_row, rows, titles)


@st.composite
def territory(draw) -> list[tuple[str, list[PlanSheet]]]:
    """Files as (path in the folder received, sheets): same names in two folders, second sheets."""
    files = []
    for index in range(draw(st.integers(1, 3))):
        folder = draw(st.sampled_from(["", "ville/", "ccas/"]))
        name = f"{folder}{draw(st.sampled_from(['plan.xlsx', f'plan-{index}.xlsx']))}"
        if name in {existing for existing, _ in files}:
            continue
        sheets = [draw(plan_sheet(draw(st.sampled_from([PLAN, "Actions", "Plan d'action"])), f"F{index}A"))]
        if draw(st.booleans()):
            sheets.append(draw(plan_sheet(draw(st.sampled_from(["Plan d'actions (2)", "Feuil2"])), f"F{index}B")))
        files.append((name, sheets))
    return files


@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=territory())
def test_every_typed_row_is_merged_or_named(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("recus")
    for name, sheets in files:
        typed_plan_book(folder / name, sheets, service=name)
    before = digests(folder)
    output = tmp_path_factory.mktemp("sortie") / "ctg.xlsx"
    result = merge([folder], output, malgre_erreurs=True)
    books = result.report.books
    named = {(book.source_name, finding.sheet, finding.row) for book in books for finding in result.report.findings
             if finding.file == book.name and finding.row is not None}
    # a sheet not read at all is named once, by a finding saying why
    unread = {(book.source_name, finding.sheet) for book in books for finding in result.report.findings
              if finding.file == book.name and finding.code in NOT_READ}
    merged = {(row[PROVENANCE[1]], row[PROVENANCE[2]], int(row[PROVENANCE[3]])): row for row in merged_plan(output)}
    for name, sheets in files:
        for sheet in sheets:
            for row, typed in sheet.typed_rows():
                place = (name, sheet.title, row)
                if place in merged:
                    for header in ("N° action", "Objectif", "Intitulé de l'action", "Pilote Caf"):
                        assert merged[place][header] == typed[header], (place, header)
                else:
                    assert place in named or place[:2] in unread, f"{place} ni fusionnée ni signalée"
                for header, value in typed.items():
                    if value in ERROR_VALUES:  # an error value is always named at its row
                        assert place in named, (place, header)
    assert digests(folder) == before
