"""Files from other programs (``corpus_programs.py``): read like their plain twin, or refused
in words that say what to do; exact exit codes; inputs byte-identical afterwards."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctgxl.cli import cli
from hostile.corpus_programs import BUILDERS, build, percent_diagnostic
from hostile.test_hostile import snapshot


def check(*paths: Path, env: dict | None = None) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["check", "--format", "json", *map(str, paths)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict) -> list[tuple]:
    return sorted((item["feuille"], item["cellule"], item["code"]) for item in report["constats"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programmes")
    return folder, {case.name: case for case in build(folder)}


@pytest.mark.parametrize("builder", [builder.__name__ for builder in BUILDERS])
def test_each_case(corpus, builder):
    folder, cases = corpus
    case = list(cases.values())[[item.__name__ for item in BUILDERS].index(builder)]
    before = snapshot(folder / case.name)
    code, report = check(folder / case.name, env=case.env)
    assert code == case.exit_code, f"{case.name} ({case.what}) : sortie {code}\n{report}"
    assert [entry["lisible"] for entry in report["fichiers"]] == [case.readable]
    found = report["constats"] + report.get("informations", [])
    for wanted in case.codes:
        messages = [item["message"] for item in found if item["code"] == wanted]
        if not messages and wanted == "macros-ignorees":  # an information: only in the text report
            text = CliRunner().invoke(cli, ["check", str(folder / case.name)]).stdout
            messages = [line for line in text.splitlines() if f"[{wanted}]" in line]
        assert messages, f"{case.name} : pas de « {wanted} » dans {found}"
        for words in case.words:
            assert any(words in message for message in messages), (words, messages)
    for item in report["constats"]:
        assert "CTGXL_" not in item["message"] and "zip" not in item["message"].lower(), item["message"]
    if case.twin:
        _, twin = check(folder / case.twin)
        assert findings(report) == findings(twin)
        assert report["fichiers"][0]["modele"] == twin["fichiers"][0]["modele"]
    assert snapshot(folder / case.name) == before, f"{case.name} a été modifié"


# --- .xls written by LibreOffice ------------------------------------------------------------------

def soffice_convert(source: Path, target_format: str, out: Path, profile: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    target_format, "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=120)
    return out / f"{source.stem}.{target_format.split(':')[0]}"


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) n'est pas installé")
def test_xls_percent_formats(tmp_path):
    """« 7 % », « 47 % » typed in a Diagnostic and saved as .xls: read as percents (no
    pourcentage-fraction warning) and kept as 0.07 / 0.47, as in the .xlsx they came from."""
    source = percent_diagnostic(tmp_path / "diagnostic-pourcents.xlsx")
    xls = soffice_convert(source, "xls", tmp_path / "xls", tmp_path / "profil")
    before = snapshot(xls)
    code, report = check(xls)
    assert code == 0, report
    assert "pourcentage-fraction" not in {item["code"] for item in report["constats"]}
    assert findings(report) == findings(check(source)[1])
    from ctgxl.reading.reader import read_workbook

    table = read_workbook(xls).tables["Diagnostic"]
    assert {key for _, key in table.percent} == {"valeur", "valeur_departement", "valeur_france"}
    assert snapshot(xls) == before


def test_xlsb_percents_and_dates(tmp_path):
    """The number formats of an .xlsb: percents are read as typed, whole day numbers shown as
    dates are dates (calamine gives them as numbers), an error value is said at its cell."""
    from xlsb_writer import Error, Formatted, WholeRk, write_xlsb

    from ctgxl.reading.reader import read_workbook

    from hostile.corpus_programs import binary_percents

    xlsb = tmp_path / binary_percents(tmp_path).name
    table = read_workbook(xlsb).tables["Diagnostic"]
    assert {key for _, key in table.percent} == {"valeur", "valeur_departement", "valeur_france"}
    assert (table.values["valeur"], table.values["valeur_departement"]) == ([0.07], [0.47])

    dated = write_xlsb(tmp_path / "dates.xlsb", {"Feuille": [
        ["Jour", "Heure", "Erreur", "Nombre", "Jour (RK entier)"],
        [Formatted(45611, "dd/mm/yyyy"), Formatted(45611.5, "dd/mm/yyyy hh:mm"), Error("#DIV/0!"), 45611,
         Formatted(WholeRk(45611), "dd/mm/yyyy")]]})
    from ctgxl.limits import Limits
    from ctgxl.reading.grids import load_grids

    grids, _, _, formats, _ = load_grids(dated, Limits())
    assert grids["Feuille"][1][0] == date(2024, 11, 15)
    assert grids["Feuille"][1][1] == datetime(2024, 11, 15, 12)
    assert grids["Feuille"][1][3] == 45611
    assert grids["Feuille"][1][4] == date(2024, 11, 15)  # calamine gives the integer form as a number
    assert formats["Feuille"]["errors"] == {(2, 2): "#DIV/0!"}


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) n'est pas installé")
def test_xlsb_reads_as_libreoffice_shows_it(tmp_path):
    """The .xlsb files of the corpus opened by LibreOffice and saved as .xlsx: the same values,
    percents and dates as ctgxl reads from the .xlsb itself."""
    from hostile.corpus_programs import binary_percents, binary_workbook

    from ctgxl.reading.reader import read_workbook

    for made in (binary_percents(tmp_path), binary_workbook(tmp_path)):
        xlsb = tmp_path / made.name
        shown = soffice_convert(xlsb, "xlsx", tmp_path / "calc", tmp_path / "profil")
        ours, calc = read_workbook(xlsb), read_workbook(shown)
        assert ours.identification == calc.identification
        assert ours.tables.keys() == calc.tables.keys()
        for name, table in ours.tables.items():
            assert table.values == calc.tables[name].values, name
            assert table.percent == calc.tables[name].percent, name
        assert findings(check(xlsb)[1]) == findings(check(shown)[1])


def test_library_words_only_with_debug(tmp_path):
    """A sheet calamine cannot read: the French words, and the library's own only with --debug."""
    import sys

    from hostile.corpus import invalid_xml

    target = tmp_path / invalid_xml(tmp_path).name
    plain, debug = (subprocess.run([sys.executable, "-m", "ctgxl", *options, "check", str(target)],
                                   capture_output=True, text=True, timeout=60).stdout for options in ([], ["--debug"]))
    assert "mal encodés" in plain and "détail" not in plain and "utf-8" not in plain.lower()
    assert "détail : XmlError" in debug
