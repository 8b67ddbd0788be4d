"""`ctgxl check` as users run it: exit codes, text and JSON reports (CLI.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from userfile import EPCI, edit, handmade_workbook, user_workbook

from ctgxl.cli import cli

FINDING_KEYS = {"fichier", "feuille", "cellule", "ligne", "colonne", "code", "gravite", "message"}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    good = user_workbook(folder / "dugny.xlsx")
    errors = edit(good, {"Diagnostic": {"D3": "beaucoup", "A5": "Famille"}}, folder / "erreurs.xlsx")
    warnings = edit(good, {"Diagnostic": {"I3": None}, "Plan d'actions": {"M2": 2029}}, folder / "avertissements.xlsx")
    text = folder / "pas-un-classeur.xlsx"
    text.write_text("Volet;Indicateur;Valeur\nPetite enfance;Places;12\n", encoding="utf-8")
    return {"good": good, "errors": errors, "warnings": warnings, "text": text,
            "handmade": handmade_workbook(folder / "fait-main.xlsx"), "epci": user_workbook(folder / "epci.xlsx", EPCI)}


def run(*args: object):
    return CliRunner().invoke(cli, ["check", *map(str, args)])


def as_json(*args: object):
    result = run(*args, "--format", "json")
    return result, json.loads(result.stdout)


def test_a_workbook_typed_by_a_person_passes(files):
    result = run(files["good"], files["handmade"])
    assert result.exit_code == 0, result.output
    assert "0 erreur" in result.stdout and "0 avertissement" in result.stdout
    assert f"Fichier {files['good']} (modèle complet, version 2" in result.stdout
    assert "Aucun problème." in result.stdout
    assert "Résumé : 2 fichiers, 0 erreur, 0 avertissement" in result.stdout


def test_epci_workbook_passes(files):
    assert run(files["epci"]).exit_code == 0


def test_errors_exit_1_and_are_shown_at_their_cell(files):
    result = run(files["errors"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "  Feuille « Diagnostic » : 2 erreurs, 0 avertissement" in lines
    d3 = next(line for line in lines if line.strip().startswith("D3"))
    assert "erreur [nombre-illisible]" in d3 and "« beaucoup »" in d3
    assert any(line.strip().startswith("A5") and "[valeur-hors-liste]" in line for line in lines)
    assert "Résumé : 1 fichier, 2 erreurs, 0 avertissement" in result.stdout


def test_warnings_exit_0_unless_strict(files):
    assert run(files["warnings"]).exit_code == 0
    assert run(files["warnings"], "--strict").exit_code == 1
    assert run(files["good"], "--strict").exit_code == 0


def test_json_has_the_documented_structure(files):
    # Two territories (a commune and an EPCI), so that their plans are not compared.
    result, data = as_json(files["errors"], files["epci"])
    assert result.exit_code == 1
    assert {"fichiers", "constats", "resume"} <= set(data)
    assert data["fichiers"] == [
        {"fichier": str(files["errors"]), "modele": "complet", "version": 2, "lisible": True},
        {"fichier": str(files["epci"]), "modele": "complet", "version": 2, "lisible": True},
    ]
    for item in data["constats"]:
        assert set(item) == FINDING_KEYS
        assert item["gravite"] in ("erreur", "avertissement")
        assert item["ligne"] is None or isinstance(item["ligne"], int)
    constats = {(Path(c["fichier"]).name, c["feuille"], c["cellule"]): c for c in data["constats"]}
    d3 = constats[("erreurs.xlsx", "Diagnostic", "D3")]
    assert d3 == {"fichier": str(files["errors"]), "feuille": "Diagnostic", "cellule": "D3", "ligne": 3,
                  "colonne": "Valeur territoire", "code": "nombre-illisible", "gravite": "erreur",
                  "message": d3["message"]}
    assert "« beaucoup »" in d3["message"]
    assert (data["resume"]["erreurs"], data["resume"]["avertissements"]) == (2, 0) == (len(data["constats"]), 0)


def test_json_warnings(files):
    result, data = as_json(files["warnings"])
    assert result.exit_code == 0
    constats = {(c["feuille"], c["cellule"]): c for c in data["constats"]}
    m2 = constats[("Plan d'actions", "M2")]
    assert (m2["code"], m2["gravite"], m2["colonne"], m2["ligne"]) == ("annee-apres-convention", "avertissement",
                                                                      "Année de fin", 2)
    assert constats[("Diagnostic", "I3")]["code"] == "valeur-manquante"
    assert (data["resume"]["erreurs"], data["resume"]["avertissements"]) == (0, 2)
    result, data = as_json(files["warnings"], "--strict")
    assert result.exit_code == 1 and data["resume"]["avertissements"] == 2


def test_same_action_number_in_two_files_of_one_territory(files):
    result, data = as_json(files["good"], files["warnings"])
    assert result.exit_code == 1
    assert [(Path(c["fichier"]).name, c["cellule"], c["code"]) for c in data["constats"]
            if c["feuille"] == "Plan d'actions" and c["code"].startswith("doublon")] == [
        ("avertissements.xlsx", "A2", "doublon"), ("avertissements.xlsx", "A3", "doublon-identique")]


def test_json_of_a_good_file(files):
    result, data = as_json(files["good"])
    assert result.exit_code == 0
    assert data["constats"] == []
    assert data["resume"]["erreurs"] == 0 and data["resume"]["avertissements"] == 0


def test_unreadable_file_exits_2_and_the_other_file_is_still_checked(files):
    result, data = as_json(files["text"], files["errors"])
    assert result.exit_code == 2
    readable = {Path(f["fichier"]).name: f["lisible"] for f in data["fichiers"]}
    assert readable == {"pas-un-classeur.xlsx": False, "erreurs.xlsx": True}
    (unreadable,) = [c for c in data["constats"] if c["fichier"] == str(files["text"])]
    assert (unreadable["code"], unreadable["gravite"], unreadable["cellule"]) == ("fichier-illisible", "erreur", None)
    assert "CSV" in unreadable["message"]
    assert any(c["cellule"] == "D3" and c["code"] == "nombre-illisible" for c in data["constats"])
    text = run(files["text"], files["good"])
    assert text.exit_code == 2
    assert "(illisible)" in text.stdout


def test_missing_path_exits_2(files, tmp_path):
    result = run(tmp_path / "absent.xlsx", files["good"])
    assert result.exit_code == 2
    assert "n'existe pas" in result.stdout


def test_folder_argument(files, tmp_path):
    folder = tmp_path / "recus"
    (folder / "communes").mkdir(parents=True)
    shutil.copyfile(files["good"], folder / "dugny.xlsx")
    shutil.copyfile(files["handmade"], folder / "communes" / "fait-main.xlsx")
    (folder / "~$dugny.xlsx").write_bytes(b"lock")
    (folder / "notes.txt").write_text("à faire")
    result, data = as_json(folder)
    assert result.exit_code == 0
    assert sorted(Path(f["fichier"]).name for f in data["fichiers"]) == ["dugny.xlsx", "fait-main.xlsx"]
    shutil.copyfile(files["errors"], folder / "erreurs.xlsx")
    assert run(folder).exit_code == 1


def test_help_is_french():
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert result.exit_code == 0
    assert "Contrôle des classeurs remplis" in result.stdout and "--annoter" in result.stdout
    assert "--strict" in result.stdout


def test_no_argument_is_a_usage_error():
    assert CliRunner().invoke(cli, ["check"]).exit_code == 2
