"""Workbooks that went through LibreOffice: services that use LibreOffice Calc open the
template, fill it and save it as .ods, or save it back as .xlsx. ctgxl must read the same data
from them, and check and merge must behave exactly as on the original files.

Runs a real headless LibreOffice (`soffice`), with a private profile for the session.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctgxl.checking.check import check_paths
from ctgxl.cli import cli
from ctgxl.reading.reader import read_workbook
from ctgxl.reading.tables import SOURCE_COLUMNS, build_tables

from fixtures import DATA_SHEETS, make_territory, sheet_rows

pytestmark = pytest.mark.libreoffice

SOFFICE = shutil.which("soffice")
TIMEOUT = 120
FILTERS = {"ods": "ods", "xlsx": "xlsx:Calc MS Excel 2007 XML"}


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé : tests d'interopérabilité LibreOffice ignorés.")
    profile = tmp_path_factory.mktemp("profil-libreoffice")

    def convert(files: list[Path], kind: str, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", FILTERS[kind], "--outdir", str(folder), *map(str, files)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            pytest.fail(f"LibreOffice n'a pas converti {len(files)} fichier(s) en {TIMEOUT} s")
        converted = [folder / f"{Path(file).stem}.{kind}" for file in files]
        missing = [path for path in converted if not path.exists()]
        assert not missing, (missing, done.stdout, done.stderr)
        return converted

    return convert


@pytest.fixture(scope="module")
def versions(libreoffice, tmp_path_factory) -> dict[str, list[Path]]:
    """The territory's files as typed (xlsx), saved by LibreOffice as ods, and back as xlsx."""
    base = tmp_path_factory.mktemp("libreoffice")
    territory = make_territory(base / "xlsx")
    ods = libreoffice(territory.files, "ods", base / "ods")
    back = libreoffice(ods, "xlsx", base / "retour")
    return {"xlsx": territory.files, "ods": ods, "retour": back}


def data(path: Path) -> dict[str, list[dict]]:
    book = read_workbook(path)
    assert book.readable, book.findings
    frames = build_tables([book]).frames
    return {sheet: [{name: value for name, value in row.items() if not name.startswith("_") or name in SOURCE_COLUMNS}
                    for row in frame.to_dict("records")] for sheet, frame in frames.items()}


def normalised(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Numbers as floats (LibreOffice stores every number as a double), NaN as None."""
    def value(item):
        if isinstance(item, float) and item != item:
            return None
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            return float(item)
        return item

    return {sheet: [{name: value(item) for name, item in row.items()} for row in sheet_rows]
            for sheet, sheet_rows in rows.items()}


def identification(path: Path) -> dict:
    from ctgxl.checking.checks import identification_values

    return identification_values(read_workbook(path))


@pytest.mark.parametrize("kind", ["ods", "retour"])
def test_same_data_after_libreoffice(versions, kind):
    for original, converted in zip(versions["xlsx"], versions[kind]):
        book = read_workbook(converted)
        assert (book.kind, book.version) == (read_workbook(original).kind, 2), converted.name
        assert normalised(data(converted)) == normalised(data(original)), converted.name
        assert identification(converted) == identification(original), converted.name


def _findings(paths: list[Path]) -> list[tuple]:
    report = check_paths(paths)
    return sorted((Path(finding.file).stem, finding.sheet, finding.cell, finding.row, finding.column, finding.code,
                   finding.severity) for finding in report.findings)


@pytest.mark.parametrize("kind", ["ods", "retour"])
def test_check_finds_the_same_after_libreoffice(versions, kind):
    assert _findings(versions[kind]) == _findings(versions["xlsx"])
    for original, converted in zip(versions["xlsx"], versions[kind]):
        assert run("check", converted).exit_code == run("check", original).exit_code == 0


def test_check_finds_the_same_mistakes_after_libreoffice(libreoffice, tmp_path):
    """A workbook with mistakes: the same findings at the same cells once saved by LibreOffice."""
    from userfile import edit, user_workbook

    original = user_workbook(tmp_path / "avec-erreurs.xlsx")
    edit(original, {"Diagnostic": {"A3": "Familles", "D3": "beaucoup"}, "Équipements": {"E2": "9344"},
                    "Plan d'actions": {"L2": 2031, "N3": "commencée"}})
    ods = libreoffice([original], "ods", tmp_path / "ods")
    back = libreoffice(ods, "xlsx", tmp_path / "retour")
    expected = _findings([original])
    codes = {finding[5] for finding in expected}
    assert {"valeur-hors-liste", "nombre-illisible", "code-postal-invalide", "annee-hors-convention"} <= codes
    assert _findings(ods) == expected
    assert _findings(back) == expected
    # percent formats, formulas' cached values, French text numbers: the same values
    assert normalised(data(ods[0])) == normalised(data(back[0])) == normalised(data(original))
    assert run("check", ods[0]).exit_code == run("check", original).exit_code == 1


def merged_rows(paths: list[Path], output: Path) -> dict[str, list[dict]]:
    result = run("merge", *paths, "-o", output)
    assert result.exit_code == 0, result.output
    rows = {}
    for sheet in DATA_SHEETS:
        rows[sheet] = [{**row, "Fichier source": Path(row["Fichier source"]).stem}
                       for row in sheet_rows(output, sheet)[1]]
    return normalised(rows)


def test_merge_gives_the_same_workbook_after_libreoffice(versions, tmp_path):
    expected = merged_rows(versions["xlsx"], tmp_path / "xlsx.xlsx")
    assert merged_rows(versions["ods"], tmp_path / "ods.xlsx") == expected
    assert merged_rows(versions["retour"], tmp_path / "retour.xlsx") == expected
    controls = {kind: [(Path(row["Fichier"]).stem, row["Feuille"], row["Cellule"], row["Ligne"], row["Code"])
                       for row in sheet_rows(tmp_path / f"{kind}.xlsx", "Contrôles")[1]]
                for kind in ("xlsx", "ods", "retour")}
    assert controls["ods"] == controls["xlsx"] == controls["retour"]
    assert any(code == "doublon-fusionne" for *_, code in controls["xlsx"])


def test_consolidated_workbook_through_libreoffice(versions, libreoffice, tmp_path):
    """The Caf may open the consolidated workbook in LibreOffice and save it: still valid, same data."""
    consolidated = tmp_path / "consolide.xlsx"
    assert run("merge", *versions["xlsx"], "-o", consolidated).exit_code == 0
    ods = libreoffice([consolidated], "ods", tmp_path / "ods")[0]
    assert run("check", ods).exit_code == 0
    assert normalised(data(ods)) == normalised(data(consolidated))
    again = tmp_path / "encore.xlsx"
    assert run("merge", ods, "-o", again).exit_code == 0
    for sheet in DATA_SHEETS:
        assert normalised({sheet: sheet_rows(again, sheet)[1]}) == normalised({sheet: sheet_rows(consolidated,
                                                                                                sheet)[1]})
    parts = tmp_path / "parts"
    result = run("split", ods, "-o", parts)
    assert result.exit_code == 0, result.output
    assert len(list(parts.iterdir())) == 3
