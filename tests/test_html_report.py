"""`ctgxl check --format html`: one self-contained, printable page, the same renderer as the
web page's « Télécharger le rapport », every workbook value escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from ctgxl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXES = ROOT / "samples" / "a-corriger"


def test_html_report_escapes_workbook_values(tmp_path):
    from ctgxl.html_report import render

    hostile = "<script>alert(1)</script>"
    data = {"fichiers": [{"nom": hostile + ".xlsx", "lisible": True, "modele": "plan-actions", "version": 1,
                          "part_valide": 0.5, "erreurs": 1, "avertissements": 0, "informations": 0}],
            "constats": [{"fichier": hostile + ".xlsx", "feuille": hostile, "cellule": "B2", "ligne": 2,
                          "code": "valeur-hors-liste", "gravite": "erreur", "message": f"« {hostile} » hors liste"}]}
    page = render(data)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_check_format_html_to_a_file(tmp_path):
    target = tmp_path / "rapport.html"
    result = CliRunner().invoke(cli, ["check", str(FIXES), "--format", "html", "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert f"Rapport écrit dans {target}" in result.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "<script" not in page and "<link" not in page and "src=" not in page  # nothing fetched
    findings = json.loads(CliRunner().invoke(cli, ["check", str(FIXES), "--format", "json"]).output)["constats"]
    rows = re.findall(r"<tr><td>([^<]*)</td><td><span class=\"badge (\w+)\">", page)
    assert len([row for row in rows if row[1] != "information"]) == len(findings)
    for finding in findings:
        assert f"<code>{finding['code']}</code>" in page


def test_check_format_html_on_standard_output():
    result = CliRunner().invoke(cli, ["check", str(FIXES / "dugny-pourcentage-1500.xlsx"), "--format", "html"])
    assert result.exit_code == 1
    assert result.output.startswith("<!DOCTYPE html>")
    assert "pourcentage-hors-bornes" in result.output


def test_output_only_with_html(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(FIXES), "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 2
    assert "-o ne sert qu'avec --format html." in result.output


def test_report_never_replaces_an_input(tmp_path):
    source = tmp_path / "plan.xlsx"
    source.write_bytes((FIXES / "dugny-pourcentage-1500.xlsx").read_bytes())
    before = source.read_bytes()
    result = CliRunner().invoke(cli, ["check", str(source), "--format", "html", "-o", str(source)])
    assert result.exit_code == 2
    assert source.read_bytes() == before
