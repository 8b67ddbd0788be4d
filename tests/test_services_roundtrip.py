"""The round trip with the services: an annotated copy sent back corrected, reports on any
console, keys and list values that only look right, absurd numbers, empty folders, links
leaving the folder checked."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ctgxl.checking.check import check_paths
from ctgxl.cli import cli
from ctgxl.names import PROVENANCE

from fixtures import PlanSheet, plan_action, sheet_rows, typed_plan_book

PLAN = "Plan d'actions"
ROOT = Path(__file__).resolve().parent.parent
ZWSP = "\u200b"
CYRILLIC_ER = "\u0420"  # Р


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def digests(folder: Path) -> dict[Path, str]:
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(Path(folder).rglob("*"))
            if path.is_file() and not path.is_symlink()}


def at(report, code: str) -> list[tuple[str | None, str | None]]:
    return [(finding.sheet, finding.cell) for finding in report.findings if finding.code == code]


# --- An annotated copy comes back -------------------------------------------------------------

def test_an_annotated_copy_sent_back_corrected_is_read_once(tmp_path):
    received = tmp_path / "recus"
    wrong = typed_plan_book(received / "jeunesse.xlsx", [PlanSheet(PLAN, 1, [
        plan_action("J-1"), plan_action("J-2", **{"Thématique": "jeunesses"})])])
    other = typed_plan_book(received / "ville.xlsx", [PlanSheet(PLAN, 1, [plan_action("V-1")])], service="Ville")
    result = run("check", received, "--annoter", received)
    assert result.exit_code == 1
    copy = received / "copies-annotees" / "jeunesse-annote.xlsx"
    assert copy.exists() and f"Copie annotée : {copy}" in result.output
    # checked again, the folder of copies is passed by, with a line that says so
    again = check_paths([received])
    assert [book.path for book in again.books] == [wrong, other]
    assert [finding.code for finding in again.missing] == ["copies-annotees-ignorees"]
    assert again.exit_code() == 1
    # the service corrects its copy (the cell marked, in Excel) and sends it back: it replaces the file
    book = openpyxl.load_workbook(copy)
    book[PLAN]["B3"] = "Jeunesse"
    book.save(copy)
    wrong.unlink()
    back = shutil.copyfile(copy, received / "jeunesse-corrige.xlsx")
    before = digests(received)
    report = check_paths([received])
    assert [book.path for book in report.books] == [back, other]
    assert report.errors == [] and report.exit_code() == 0
    assert "Contrôles" not in report.books[0].others  # the list of findings is not read as data
    output = tmp_path / "ctg.xlsx"
    result = run("merge", received, "-o", output)
    assert result.exit_code == 0, result.output
    rows = sheet_rows(output, PLAN)[1]
    assert sorted((row["N° action"], row[PROVENANCE[1]]) for row in rows) == [
        ("J-1", "jeunesse-corrige.xlsx"), ("J-2", "jeunesse-corrige.xlsx"), ("V-1", "ville.xlsx")]
    assert digests(received) == before


# --- Reports on any console -------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_the_report_prints_on_any_console_encoding(tmp_path, encoding):
    samples = ROOT / "samples" / "a-corriger"
    before = digests(samples)
    environment = {**os.environ, "PYTHONIOENCODING": encoding}
    text = subprocess.run([sys.executable, "-m", "ctgxl", "check", str(samples)], capture_output=True,
                          env=environment, timeout=300)
    assert text.returncode == 1, text.stderr.decode(encoding, "replace")
    # (on a console that claims ASCII, click writes UTF-8: either way, the whole report)
    output = text.stdout.decode(encoding, "replace")
    assert "Erreur inattendue" not in text.stderr.decode(encoding, "replace")
    assert ": 16 fichiers, 13 erreurs" in output.rstrip().splitlines()[-1]
    found = subprocess.run([sys.executable, "-m", "ctgxl", "check", str(samples), "--format", "json"],
                           capture_output=True, env=environment, timeout=300)
    assert found.returncode == 1
    assert found.stdout.isascii()
    report = json.loads(found.stdout)
    assert report["resume"]["erreurs"] == 13 and "é" in json.dumps(report, ensure_ascii=False)
    assert digests(samples) == before


# --- Values that only look right --------------------------------------------------------------

def test_keys_and_list_values_that_only_look_right(tmp_path):
    path = typed_plan_book(tmp_path / "plan.xlsx", [PlanSheet(PLAN, 1, [
        plan_action("PE-1"),
        plan_action(f"PE-1{ZWSP}", **{"Thématique": f"Jeun{ZWSP}esse"}),
        plan_action(f"{CYRILLIC_ER}E-1", **{"Thématique": "Jeune\u0455se"}),  # a Cyrillic ѕ
    ])])
    before = digests(tmp_path)
    report = check_paths([path])
    messages = {finding.cell: finding for finding in report.findings if finding.code == "caractere-trompeur"}
    assert set(messages) == {"A3", "A4", "B3", "B4"}
    assert "un espace invisible (U+200B)" in messages["A3"].message and messages["A3"].severity == "erreur"
    assert "une lettre cyrillique « Р » (U+0420)" in messages["A4"].message
    assert "« PE-1 »" in messages["A4"].message
    # a list value is read as it looks, and the character named
    assert "un espace invisible" in messages["B3"].message and "lue comme « Jeunesse »" in messages["B3"].message
    assert "une lettre cyrillique « ѕ »" in messages["B4"].message
    assert not at(report, "valeur-hors-liste")
    assert report.exit_code() == 1
    assert digests(tmp_path) == before


def test_an_absurd_budget_is_a_finding(tmp_path):
    path = typed_plan_book(tmp_path / "plan.xlsx", [PlanSheet(PLAN, 1, [
        plan_action("J-1", **{"Budget prévisionnel (€)": 1e308}),
        plan_action("J-2", **{"Budget prévisionnel (€)": "1e20"})])])
    before = digests(tmp_path)
    report = check_paths([path])
    assert at(report, "nombre-demesure") == [(PLAN, "J2"), (PLAN, "J3")]
    assert "« 1E+308 »" in report.findings[[f.code for f in report.findings].index("nombre-demesure")].message
    result = run("merge", path, "-o", tmp_path / "ctg.xlsx")
    assert result.exit_code == 1 and "Fusion refusée" in result.output
    assert digests(tmp_path) == before


# --- Folders ----------------------------------------------------------------------------------

def test_an_empty_folder_is_refused(tmp_path):
    (tmp_path / "vide").mkdir()
    (tmp_path / "vide" / "notes.txt").write_text("rien")
    for command in (["check"], ["merge", "-o", tmp_path / "ctg.xlsx"]):
        result = run(*command[:1], tmp_path / "vide", *command[1:])
        assert result.exit_code == 2
        assert result.stderr.startswith("Erreur : Aucun classeur (.xlsx, .xlsm, .xls, .xlsb, .ods) dans «")
    assert not (tmp_path / "ctg.xlsx").exists()


def test_links_leaving_the_folder_are_not_followed(tmp_path):
    outside = typed_plan_book(tmp_path / "ailleurs" / "secret.xlsx", [PlanSheet(PLAN, 1, [plan_action("S-1")])])
    received = tmp_path / "recus"
    inside = typed_plan_book(received / "plan.xlsx", [PlanSheet(PLAN, 1, [plan_action("J-1")])])
    (received / "lien.xlsx").symlink_to(outside)
    (received / "dossier").symlink_to(outside.parent, target_is_directory=True)
    (received / "meme-dossier.xlsx").symlink_to(inside)  # a link inside the folder is read
    before = digests(tmp_path)
    report = check_paths([received])
    assert [book.path.name for book in report.books] == ["meme-dossier.xlsx", "plan.xlsx"]
    assert sorted(Path(finding.file).name for finding in report.missing if finding.code == "lien-exterieur") == \
        ["dossier", "lien.xlsx"]
    result = run("check", received)
    assert "[lien-exterieur]" in result.output and "n'est pas suivi" in result.output
    assert digests(tmp_path) == before
