"""The reference page ``docs/standard.md`` is what ``ctgxl/docs.py`` generates now, and it
covers every sheet, column, list value, rule and finding code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ctgxl import docs
from ctgxl.findings import AVERTISSEMENT, CODES, ERREUR, INFORMATION
from ctgxl.regenerate import regenerate
from ctgxl.standard import load

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "standard.md"
FIX = "docs/standard.md n'est plus à jour : lancez « python -m ctgxl.regenerate »."


def test_page_is_up_to_date():
    assert PAGE.exists(), FIX
    assert PAGE.read_text(encoding="utf-8") == docs.render(), FIX


def test_page_covers_the_standard():
    std = load()
    page = docs.render()
    assert page.startswith("<!-- Page générée par ctgxl/docs.py")
    assert f"# {std.name} — version {std.version}" in page
    for template in std.templates.values():
        assert f"| `{template.kind}` | `ctg-{template.kind}.xlsx` | {template.title} |" in page
    for sheet in std.sheets.values():
        assert f"### Feuille « {sheet.name} »" in page
        for column in sheet.columns:
            assert f"| {column.header} | {docs.obligation(sheet, column)} | {docs.column_type(column)} |" in page
    for name, values in std.lists.items():
        section = page.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert [line[2:] for line in section.splitlines() if line.startswith("- ")] == list(values)
    for code, entry in CODES.items():
        assert f"| `{code}` | {entry.title} | {entry.severity} |" in page
    # a few lines as they must read, written out here rather than computed
    for line in ("| `fichier-illisible` | Le fichier n'est pas un classeur lisible | erreur |",
                 "| `colonne-inconnue` | Colonne hors standard (conservée) | information |",
                 "| `pourcentage-eleve` | Pourcentage supérieur à 100 | avertissement |",
                 "| `conflit` | Même clé, contenus différents dans deux fichiers | erreur |",
                 "| Valeur territoire | oui | Nombre ou secret statistique | nombre, ou marque du secret statistique",
                 "| Capacité (places) | non | Nombre entier |",
                 "- Unité % : « Valeur territoire » hors de −100 … 1000 est une erreur. (`pourcentage-hors-bornes`)",
                 "- Unité ‰ : « Valeur territoire » hors de −1000 … 1000 est une erreur. (`pour-mille-hors-bornes`)",
                 "- Une convention de plus de 6 ans est une erreur. (`convention-trop-longue`)"):
        assert line in page, line


def test_obligation_and_types_in_plain_french():
    std = load()
    ident = std.sheet("Identification")
    assert docs.obligation(ident, ident.column("communes")) == "pour un EPCI"
    assert docs.obligation(ident, ident.column("courriel")) == "non"
    equip = std.sheet("Équipements")
    assert docs.obligation(equip, equip.column("collectivite")) == "oui (vide accepté)"
    used = {column.type for sheet in std.sheets.values() for column in sheet.columns}
    assert used <= set(docs.TYPES), f"types sans nom français : {used - set(docs.TYPES)}"
    page = docs.render()
    assert "| Capacité (places) | non | Nombre entier |" in page
    assert "vide : lu comme « À engager » (avertissement)" in page
    assert "autres en-têtes acceptés : « Pilote Ville »" in page


def test_every_code_raised_is_in_the_registry_with_a_severity():
    assert {entry.severity for entry in CODES.values()} <= {ERREUR, AVERTISSEMENT, INFORMATION}
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "ctgxl").rglob("*.py"))
    raised = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)",\s*(?:ERREUR|AVERTISSEMENT|INFORMATION)\b', source))
    assert raised and raised <= set(CODES), f"codes absents de ctgxl/findings.py : {raised - set(CODES)}"
    assert {"pourcentage-hors-bornes", "action-inconnue", "territoire-different"} <= raised  # the search sees them


def test_rules_mirror_the_checks():
    checks = (ROOT / "ctgxl" / "checking" / "checks.py").read_text(encoding="utf-8")
    rules = docs.sheet_rules(load())
    assert set(rules) == set(load().sheets)
    for sheet, sheet_rules in rules.items():
        for code, text in sheet_rules:
            assert code in CODES
            assert f'"{code}"' in checks, f"{code} ({sheet}) n'est plus produit par ctgxl/checks.py"
            assert text.endswith((".", ")"))
    # Every code that checks.py raises is described on the page.
    raised = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)", (?:ERREUR|AVERTISSEMENT|INFORMATION)', checks))
    described = {code for sheet_rules in rules.values() for code, _ in sheet_rules}
    # values of a list, years of data: said in the column tables
    assert raised - described <= {"valeur-hors-liste", "annee-invalide"}, raised - described


def test_history_and_how_to_declare_a_new_version():
    std = load()
    page = docs.render()
    history = page.split("## Historique des versions", 1)[1]
    assert f"### Version {std.version} (actuelle)" in history
    for version, entry in std.history.items():
        assert f"### Version {version}\n" in history
        for sheet, pairs in entry.get("entetes", {}).items():
            for old, new in pairs.items():
                assert f"| {sheet} | {old} | {new} |" in history
        for pairs in entry.get("valeurs", {}).values():
            for old, new in pairs.items():
                assert f"| {old} | {new} |" in history
        for sheet, headers in entry.get("ajouts", {}).items():
            for header in headers:
                assert f"| {sheet} | {header} |" in history
    assert "### Déclarer une nouvelle version" in history
    example = re.search(r"```toml\n(.*?)```", history, re.S).group(1)
    block = tomllib.loads(example)["historique"][0]
    assert block["version"] == std.version
    assert block["entetes"]["Plan d'actions"] == {"Ancien en-tête": "Nouvel en-tête"}
    assert list(block["valeurs"]) == ["statuts"] and "statuts" in std.lists


def test_declared_example_works_as_the_page_says(validators_copy):
    """Follow the page's own recipe on a copy of the standard: version 3 renames a header and a
    list value; version 2 workbooks are then read through the renames."""
    path = validators_copy / "standard.toml"
    text = path.read_text(encoding="utf-8").replace("version = 2\n", "version = 3\n", 1)
    text += ('\n[[historique]]\nversion = 2\ndescription = "Essai."\n'
             '[historique.entetes."Plan d\'actions"]\n"Public cible" = "Publics visés"\n'
             '[historique.valeurs.statuts]\n"Reportée" = "Différée"\n')
    path.write_text(text, encoding="utf-8")
    plan = validators_copy / "plan_actions.toml"
    plan.write_text(plan.read_text(encoding="utf-8").replace('nom = "Public cible"', 'nom = "Publics visés"'),
                    encoding="utf-8")
    lists = validators_copy / "listes.toml"
    lists.write_text(lists.read_text(encoding="utf-8").replace('"Reportée"', '"Différée"'), encoding="utf-8")
    std = load(str(validators_copy))
    assert std.version == 3
    assert std.header_renames("Plan d'actions", 0)["Pilote Ville"] == "Pilote collectivité"
    assert std.header_renames("Plan d'actions", 2) == {"Public cible": "Publics visés"}
    assert std.header_renames("Plan d'actions", 1) == {"Public cible": "Publics visés"}
    assert std.value_renames("statuts") == {"Terminée": "Réalisée", "Non commencée": "À engager",
                                            "Reportée": "Différée"}
    page = docs.render(std)
    assert "### Version 3 (actuelle)" in page and "| Plan d'actions | Public cible | Publics visés |" in page
    assert "Pour publier la version 4 du standard" in page


def test_regenerate_writes_templates_and_page(tmp_path):
    written = regenerate(tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in written) == [
        "docs/standard.md", "workbook_templates/ctg-complet.xlsx", "workbook_templates/ctg-diagnostic.xlsx",
        "workbook_templates/ctg-equipements.xlsx", "workbook_templates/ctg-plan-actions.xlsx",
    ]
    assert (tmp_path / "docs" / "standard.md").read_text(encoding="utf-8") == docs.render()
