"""`ctgxl merge` (issue 4): the consolidated workbook holds exactly the union of what the
services typed, every input row is either in it or explained in `Contrôles`, and it says
where each row came from."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ctgxl.cli import cli
from ctgxl.names import PROVENANCE

from fixtures import (
    DATA_SHEETS, chart_parts, enfance_jeunesse, make_territory, observatoire, other_territory, petite_enfance,
    provenance_of, sheet_rows,
)

CONTROLS = "Contrôles"
SOURCES = "Sources"
SYNTHESIS = "Synthèse"
# Rows that the services typed twice, identically: (file not kept, sheet, row) -> (file kept, row).
DUPLICATES = {
    ("enfance-jeunesse.xlsx", "Enjeux", 2): ("observatoire.xlsx", 2),
    ("enfance-jeunesse.xlsx", "Équipements", 2): ("petite-enfance.xlsx", 3),
}


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def secret(territory, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("secret") / "ctg-dugny-secret.xlsx"
    result = run("merge", *territory.files, "-o", output, "--secret-statistique")
    assert result.exit_code == 0, result.output
    return output


def controls(path: Path) -> list[dict]:
    return sheet_rows(path, CONTROLS)[1]


# --- Exactly the union of the inputs ----------------------------------------------------------

@pytest.mark.parametrize("sheet", DATA_SHEETS)
def test_each_data_sheet_holds_exactly_the_rows_typed(territory, merged, sheet):
    headers, rows = sheet_rows(merged, sheet)
    expected = territory.expected()
    duplicates = sum(1 for place in DUPLICATES if place[1] == sheet)
    assert len(rows) == territory.rows_typed(sheet) - duplicates
    seen = set()
    for row in rows:
        place = provenance_of(row)
        assert place not in seen, f"{place} écrit deux fois"
        seen.add(place)
        assert place in expected, f"ligne sortie de nulle part : {place}"
        typed = expected[place]
        for header in headers:
            if header in PROVENANCE:
                continue
            assert row[header] == typed.get(header), (place, header, row[header], typed.get(header))
            assert type(row[header]) is not str or not isinstance(typed.get(header), (int, float)), (place, header)
        # every header the service typed is a column of the output
        assert set(typed) <= set(headers), set(typed) - set(headers)


def test_every_input_row_is_in_the_output_or_in_controles(territory, merged):
    findings = controls(merged)
    sources = {row["Fichier"]: row for row in sheet_rows(merged, SOURCES)[1]}
    for sheet in DATA_SHEETS:
        typed = {place for place in territory.expected() if place[1] == sheet}
        written = {provenance_of(row) for row in sheet_rows(merged, sheet)[1]}
        explained = {(finding["Fichier"], finding["Feuille"], finding["Ligne"]) for finding in findings
                     if finding["Code"] in ("doublon-fusionne", "conflit") and finding["Feuille"] == sheet}
        assert written | explained == typed, sheet
        assert not written & explained, sheet
        assert len(written) + len(explained) == len(typed) == territory.rows_typed(sheet)
        # and the rows read per file, as the Sources sheet counts them, add up to the same
        assert sum(row[f"Lignes lues : {sheet}"] for row in sources.values()) == len(typed), sheet


def test_duplicates_are_kept_once_with_an_information(territory, merged):
    findings = [finding for finding in controls(merged) if finding["Code"] == "doublon-fusionne"]
    assert {(finding["Fichier"], finding["Feuille"], finding["Ligne"]) for finding in findings} == set(DUPLICATES)
    for finding in findings:
        kept_file, kept_row = DUPLICATES[(finding["Fichier"], finding["Feuille"], finding["Ligne"])]
        assert finding["Gravité"] == "information"
        assert f"« {kept_file} » (ligne {kept_row})" in finding["Message"]
        assert "gardée une fois" in finding["Message"]
        # the link goes to the row that holds it
        assert finding["Dans ce classeur"] == "Voir la ligne"
    kept = {provenance_of(row) for row in sheet_rows(merged, "Enjeux")[1]}
    assert ("observatoire.xlsx", "Enjeux", 2) in kept


def test_terminal_report_and_exit_code_of_a_clean_merge(territory, tmp_path):
    result = run("merge", *territory.files, "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 0
    assert "[doublon-fusionne]" in result.output
    assert "Résumé : 3 fichiers, 0 erreur" in result.output
    assert "Diagnostic : 8, Enjeux : 2, Équipements : 3, Plan d'actions : 2, Suivi des indicateurs : 2" in result.output


# --- Conflicts and other territories ------------------------------------------------------------

@pytest.fixture(scope="module")
def conflicting(tmp_path_factory):
    return make_territory(tmp_path_factory.mktemp("conflit"), conflict=True)


def test_conflict_refuses_the_merge_and_names_both_sources(conflicting, tmp_path):
    output = tmp_path / "out.xlsx"
    result = run("merge", *conflicting.files, "-o", output)
    assert result.exit_code == 1, result.output
    assert "Fusion refusée : 1 erreur à corriger" in result.output
    assert "Aucun fichier n'a été écrit" in result.output
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left either
    lines = [line for line in result.output.splitlines() if "[conflit]" in line]
    assert len(lines) == 1
    # the finding is on the second file and names the first, with both values
    report = result.output.split(f"Fichier {conflicting.file('enfance-jeunesse.xlsx')}")[1].split("Fichier ")[0]
    assert "[conflit]" in report
    assert "« petite-enfance.xlsx » (ligne 3)" in lines[0]
    assert "« Ville de Dugny » contre « CCAS de Dugny »" in lines[0]


def test_conflict_json_like_check_lists_it_as_error(conflicting, tmp_path):
    import ctgxl
    from ctgxl.errors import ConflictsRemain

    with pytest.raises(ConflictsRemain) as refused:
        ctgxl.merge(conflicting.files, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
    conflicts = [finding for finding in refused.value.report.findings if finding.code == "conflit"]
    assert len(conflicts) == 1
    finding = conflicts[0]
    assert Path(finding.file).name == "enfance-jeunesse.xlsx"
    assert (finding.sheet, finding.row, finding.severity) == ("Équipements", 2, "erreur")
    assert "petite-enfance.xlsx" in finding.message


def test_despite_errors_keeps_the_first_version_and_marks_it(conflicting, tmp_path):
    output = tmp_path / "out.xlsx"
    result = run("merge", *conflicting.files, "-o", output, "--malgre-erreurs")
    assert result.exit_code == 0, result.output
    assert "malgré 1 erreur" in result.output
    _, rows = sheet_rows(output, "Équipements")
    relais = [row for row in rows if row["Nom de la structure"] == "Relais petite enfance"]
    assert len(relais) == 1
    assert relais[0]["Gestionnaire"] == "Ville de Dugny"
    assert provenance_of(relais[0]) == ("petite-enfance.xlsx", "Équipements", 3)
    book = openpyxl.load_workbook(output)
    sheet = book["Équipements"]
    marked = {cell.row for cell in sheet["A"] if cell.comment is not None}
    row_of_relais = next(row for row in range(2, sheet.max_row + 1)
                         if sheet.cell(row=row, column=3).value == "Relais petite enfance")
    assert marked == {row_of_relais}
    assert "Conflit" in sheet.cell(row=row_of_relais, column=1).comment.text
    conflicts = [finding for finding in controls(output) if finding["Code"] == "conflit"]
    assert len(conflicts) == 1 and conflicts[0]["Gravité"] == "erreur"
    assert conflicts[0]["Fichier"] == "enfance-jeunesse.xlsx"
    assert "petite-enfance.xlsx" in conflicts[0]["Message"]


def test_file_of_another_territory_is_named(tmp_path):
    territory = make_territory(tmp_path / "in", [observatoire(), petite_enfance(), enfance_jeunesse(),
                                                 other_territory()])
    output = tmp_path / "out.xlsx"
    result = run("merge", *territory.files, "-o", output)
    assert result.exit_code == 1, result.output
    assert not output.exists()
    lines = [line for line in result.output.splitlines() if "[territoire-different]" in line]
    assert len(lines) == 1
    assert "Le Bourget (93013)" in lines[0] and "Dugny (93030)" in lines[0]
    odd = result.output.split("Fichier ")
    owner = next(part for part in odd if "[territoire-different]" in part)
    assert owner.startswith(str(territory.file("le-bourget.xlsx")))


# --- Extra columns, provenance, sources ----------------------------------------------------------

def test_extra_columns_travel_between_the_standard_and_the_provenance(merged):
    for sheet, extra in (("Équipements", "Remarques internes"), ("Plan d'actions", "Référent interne")):
        headers, rows = sheet_rows(merged, sheet)
        assert headers[-5:] == [extra, *PROVENANCE]
        assert any(row[extra] for row in rows)


def test_provenance_columns(territory, merged):
    contributors = {service.file: service.service for service in territory.services}
    for sheet in DATA_SHEETS:
        headers, rows = sheet_rows(merged, sheet)
        assert headers[-4:] == list(PROVENANCE)
        for row in rows:
            file, origin_sheet, line = provenance_of(row)
            assert row["Contributeur"] == contributors[file]
            assert origin_sheet == sheet
            assert isinstance(row["Ligne source"], int) and line >= 2


def test_sources_sheet(territory, merged):
    _, rows = sheet_rows(merged, SOURCES)
    assert [row["Fichier"] for row in rows] == [path.name for path in territory.files]
    for row, path, service in zip(rows, territory.files, territory.services):
        assert row["SHA-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert row["Contributeur"] == service.service
        assert row["Modèle"] == service.kind
        assert row["Version"] == 2
        assert row["Lisible"] == "oui"
        for sheet in DATA_SHEETS:
            assert row[f"Lignes lues : {sheet}"] == len(service.typed_rows(sheet)), (path.name, sheet)


def test_identification_and_synthesis(territory, merged):
    book = openpyxl.load_workbook(merged)
    ident = {str(row[0].value).removesuffix(" *"): row[1].value for row in book["Identification"].iter_rows(min_row=2)}
    assert ident["Territoire"] == "Dugny"
    assert ident["Code INSEE ou SIREN"] == "93030"
    assert ident["Service contributeur"] == "Observatoire social; Petite enfance; Enfance jeunesse"
    texts = [str(cell.value) for row in book[SYNTHESIS].iter_rows() for cell in row if cell.value is not None]
    assert "Contributeurs" in texts
    assert any(text.startswith("3 : Observatoire social") for text in texts)
    assert not any("Secret statistique" in text for text in texts)
    assert book.sheetnames[:9] == [SYNTHESIS, "Identification", *DATA_SHEETS, CONTROLS, SOURCES]


def test_synthesis_has_charts(merged):
    parts = chart_parts(merged)
    assert len(parts) >= 2, parts
    import zipfile

    with zipfile.ZipFile(merged) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        assert workbook.index(SYNTHESIS) < workbook.index("Identification")
        # the charts hang from the first sheet's drawing
        rels = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing" in rels


# --- Statistical secrecy --------------------------------------------------------------------------

def test_secrecy_masks_counts_from_1_to_4(territory, merged, secret):
    plain = {row["Indicateur"]: row["Valeur territoire"] for row in sheet_rows(merged, "Diagnostic")[1]}
    masked = {row["Indicateur"]: row["Valeur territoire"] for row in sheet_rows(secret, "Diagnostic")[1]}
    assert plain["Enfants bénéficiaires de l'AEEH"] == 3
    assert plain["Familles monoparentales de 4 enfants ou plus"] == 4
    assert masked["Enfants bénéficiaires de l'AEEH"] == "<5"
    assert masked["Familles monoparentales de 4 enfants ou plus"] == "<5"
    assert masked["Naissances domiciliées hors commune"] == 0  # 0 is not secret
    assert masked["Part des allocataires en logement social"] == 2  # a percent is not a count
    assert masked["Jeunes de 16-25 ans suivis par la mission locale"] == 12
    assert masked["Population municipale"] == 10876
    assert masked["Enfants en situation de handicap accueillis en EAJE"] == "<5"
    changed = {name for name in plain if plain[name] != masked[name]}
    assert changed == {"Enfants bénéficiaires de l'AEEH", "Familles monoparentales de 4 enfants ou plus"}
    book = openpyxl.load_workbook(secret)
    texts = [str(cell.value) for row in book[SYNTHESIS].iter_rows() for cell in row if cell.value is not None]
    assert "Secret statistique" in texts
    assert any("2 effectif(s) de 1 à 4 remplacé(s) par « <5 »" in text for text in texts)


def test_secret_consolidated_workbook_passes_check(secret):
    result = run("check", secret)
    assert result.exit_code == 0, result.output


# --- Text that looks like a formula --------------------------------------------------------------

def test_text_starting_like_a_formula_stays_text(territory, merged):
    texts = {meaning for values in territory.expected().values() for meaning in values.values()
             if isinstance(meaning, str) and meaning[:1] in "=+-@"}
    assert {text[0] for text in texts} == set("=+-@")
    book = openpyxl.load_workbook(merged)
    found = set()
    for sheet in DATA_SHEETS:
        for row in book[sheet].iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
                if cell.value in texts:
                    assert cell.data_type == "s"
                    found.add(cell.value)
    assert found == texts


# --- The consolidated workbook is a valid input -------------------------------------------------

def test_consolidated_workbook_passes_check(merged):
    result = run("check", merged)
    assert result.exit_code == 0, result.output
    assert "0 erreur" in result.output


def test_consolidated_workbook_merges_into_itself(territory, merged, tmp_path):
    output = tmp_path / "encore.xlsx"
    result = run("merge", merged, "-o", output)
    assert result.exit_code == 0, result.output
    for sheet in DATA_SHEETS:
        first, again = sheet_rows(merged, sheet), sheet_rows(output, sheet)
        assert first == again, sheet  # same rows, same values, provenance still the services' files


# --- Outputs are never overwritten by surprise ----------------------------------------------------

def test_refuses_to_overwrite_a_file_it_did_not_write(territory, tmp_path):
    output = tmp_path / "rapport.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "Travail de quelqu'un"
    book.save(output)
    before = output.read_bytes()
    result = run("merge", *territory.files, "-o", output)
    assert result.exit_code == 2
    assert f"Erreur : « {output} » existe déjà" in result.output
    assert "--force" in result.output
    assert output.read_bytes() == before
    result = run("merge", *territory.files, "-o", output, "--force")
    assert result.exit_code == 0, result.output
    assert "Synthèse" in openpyxl.load_workbook(output, read_only=True).sheetnames


def test_refuses_to_overwrite_a_template(territory, tmp_path):
    output = tmp_path / "modele.xlsx"
    assert run("template", "complet", "-o", output).exit_code == 0
    before = output.read_bytes()
    result = run("merge", *territory.files, "-o", output)
    assert result.exit_code == 2
    assert "existe déjà" in result.output
    assert output.read_bytes() == before


def test_replaces_its_own_earlier_output_and_says_so(territory, tmp_path):
    output = tmp_path / "out.xlsx"
    assert run("merge", *territory.files, "-o", output).exit_code == 0
    first = output.stat().st_ino
    result = run("merge", *territory.files, "-o", output)
    assert result.exit_code == 0, result.output
    assert f"« {output} » remplace la sortie précédente de « ctgxl merge »." in result.output
    assert output.stat().st_ino != first  # written anew (atomically), not left as it was


def test_refuses_to_write_over_an_input(territory, tmp_path):
    copy = tmp_path / "copie.xlsx"
    shutil.copyfile(territory.files[0], copy)
    before = copy.read_bytes()
    result = run("merge", copy, territory.files[1], "-o", copy, "--force")
    assert result.exit_code == 2
    assert "est un des fichiers d'entrée : ctgxl ne modifie jamais ses entrées, même avec --force" in result.output
    assert copy.read_bytes() == before


def test_inputs_are_never_modified(territory, tmp_path):
    before = {path: path.read_bytes() for path in territory.files}
    assert run("merge", *territory.files, "-o", tmp_path / "out.xlsx", "--secret-statistique").exit_code == 0
    assert {path: path.read_bytes() for path in territory.files} == before


# --- Cases found while writing these tests --------------------------------------------------------

ACTION = {"N° action": "1", "Thématique": "Jeunesse", "Objectif": "Accompagner les projets",
          "Intitulé de l'action": "Bourse aux projets", "Pilote collectivité": "Service jeunesse",
          "Pilote Caf": "Conseillère territoriale", "Année de début": 2024, "Statut": "En cours",
          "Indicateurs de résultat": "Projets soutenus"}


def test_same_row_in_files_with_other_year_columns_is_a_duplicate_not_a_conflict(tmp_path):
    """One service's template covers 2022-2026, the other's 2023-2027: the year columns only one
    file has are empty in the other, not a difference."""
    from dataclasses import replace

    from fixtures import DUGNY, Service

    indicator = {"N° action": "1", "Indicateur": "Projets soutenus", "Cible": "10", "2024": 2, "2025": "3"}
    first = Service("a.xlsx", "plan-actions", "Jeunesse", {"Plan d'actions": [ACTION],
                                                           "Suivi des indicateurs": [indicator]})
    second = Service("b.xlsx", "plan-actions", "Évaluation", {"Suivi des indicateurs": [indicator]},
                     prefill=replace(DUGNY, debut=2022, fin=2026))
    territory = make_territory(tmp_path / "in", [first, second])
    output = tmp_path / "out.xlsx"
    result = run("merge", *territory.files, "-o", output)
    assert result.exit_code == 0, result.output
    assert "[conflit]" not in result.output and "nan" not in result.output
    headers, rows = sheet_rows(output, "Suivi des indicateurs")
    assert len(rows) == 1
    assert [header for header in headers if header.isdigit()] == [str(year) for year in range(2022, 2028)]
    assert (rows[0]["2024"], rows[0]["2025"], rows[0]["2022"]) == (2, 3, None)
    assert [finding["Code"] for finding in controls(output) if finding["Code"] == "doublon-fusionne"] \
        == ["doublon-fusionne"]


def test_secrecy_also_hides_small_counts_in_the_messages(tmp_path):
    """No message of Contrôles quotes a count of 1 to 4 under --secret-statistique."""
    from fixtures import Service

    row = {"Volet": "Enfance", "Indicateur": "Enfants bénéficiaires de l'AEEH", "Valeur territoire": 3,
           "Unité": "Nombre", "Année": 2022, "Source": "Caf au 31/12/2022"}
    fraction = dict(row, **{"Indicateur": "Familles suivies", "Valeur territoire": 2.5})
    first = Service("a.xlsx", "diagnostic", "Observatoire", {"Diagnostic": [row, fraction]})
    second = Service("b.xlsx", "diagnostic", "CCAS", {"Diagnostic": [dict(row, **{"Valeur territoire": 4})]})
    territory = make_territory(tmp_path / "in", [first, second])
    output = tmp_path / "out.xlsx"
    result = run("merge", *territory.files, "-o", output, "--secret-statistique", "--malgre-erreurs")
    assert result.exit_code == 0, result.output
    messages = {finding["Code"]: finding["Message"] for finding in controls(output)}
    assert "« <5 » contre « <5 »" in messages["conflit"]
    assert "secret statistique" in messages["nombre-fractionnaire"]
    for message in messages.values():
        assert "« 3 »" not in message and "« 4 »" not in message and "2.5" not in message and "2,5" not in message
    values = [row["Valeur territoire"] for row in sheet_rows(output, "Diagnostic")[1]]
    assert values == ["<5", "<5"]
    # without secrecy the coordinator sees the values
    plain = run("merge", *territory.files, "-o", tmp_path / "clair.xlsx", "--malgre-erreurs")
    assert "« 3 » contre « 4 »" in plain.output


def test_terminal_report_lists_each_file_once(conflicting, tmp_path):
    result = run("merge", *conflicting.files, "-o", tmp_path / "out.xlsx")
    heads = [line for line in result.output.splitlines() if line.startswith("Fichier ")]
    assert len(heads) == len(set(heads)) == 3
    section = result.output.split(f"Fichier {conflicting.file('enfance-jeunesse.xlsx')}")[1].split("\n\n")[0]
    sheets = [line for line in section.splitlines() if line.startswith("  Feuille")]
    assert len(sheets) == len(set(sheets))


def test_summary_of_a_single_file(tmp_path):
    territory = make_territory(tmp_path / "in", [petite_enfance()])
    result = run("merge", *territory.files, "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    assert "(1 fichier ; " in result.output


def test_a_column_a_service_named_contributeur_is_its_own(tmp_path):
    """« Contributeur » typed by a service is one of its columns, not the consolidated
    workbook's provenance: kept by merge (beside the provenance) and by format."""
    from fixtures import Service

    service = Service("plan.xlsx", "plan-actions", "Jeunesse",
                      {"Plan d'actions": [dict(ACTION, Contributeur="Mme Dupont (CCAS)")]},
                      extra={"Plan d'actions": ["Contributeur"]})
    territory = make_territory(tmp_path / "in", [service])
    output = tmp_path / "out.xlsx"
    result = run("merge", *territory.files, "-o", output)
    assert result.exit_code == 0, result.output
    assert "[colonne-inconnue] La colonne « Contributeur »" in result.output
    book = openpyxl.load_workbook(output)
    header = [cell.value for cell in book["Plan d'actions"][1]]
    values = [cell.value for cell in book["Plan d'actions"][2]]
    assert header[-5:] == ["Contributeur", *PROVENANCE]
    assert values[-5:] == ["Mme Dupont (CCAS)", "Jeunesse", "plan.xlsx", "Plan d'actions", 2]
    ident = {row[0].value: row[1].value for row in book["Identification"].iter_rows(min_row=2)}
    assert ident["Service contributeur *"] == "Jeunesse"
    # merged again, and formatted, the column is still there
    again = tmp_path / "encore.xlsx"
    assert run("merge", output, "-o", again).exit_code == 0
    assert [cell.value for cell in openpyxl.load_workbook(again)["Plan d'actions"][2]][-5:] == values[-5:]
    formatted = tmp_path / "format.xlsx"
    assert run("format", territory.files[0], "-o", formatted).exit_code == 0
    assert sheet_rows(formatted, "Plan d'actions")[1][0]["Contributeur"] == "Mme Dupont (CCAS)"
