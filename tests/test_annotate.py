"""`ctgxl check --annoter DIR`: the annotated copy of each workbook."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from userfile import edit, user_workbook

from ctgxl.writing.annotate import FILLS, annotate_all
from ctgxl.checking.check import Report, check_paths
from ctgxl.cli import cli
from ctgxl.findings import AVERTISSEMENT, ERREUR
from ctgxl.reading.reader import ReadWorkbook

HYPERLINK_TEXT = '=HYPERLINK("https://www.caf.fr","Caf")'


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A user workbook with mistakes, a comment of the user's own, text that looks like a
    formula, and a formula that lost its computed value; checked once, annotated once."""
    folder = tmp_path_factory.mktemp("annoter")
    source = user_workbook(folder / "dugny.xlsx")
    edit(source, {
        "Diagnostic": {"D3": "beaucoup", "A5": "Famille", "D5": "116 %", "D12": "=14+0,2",
                       "K1": "=Total", "K2": "interne"},
        "Plan d'actions": {"M2": 2029},
        "Identification": {"B11": "c.martin@dugny"},
    })
    book = openpyxl.load_workbook(source)
    sheet = book["Diagnostic"]
    sheet["J5"] = HYPERLINK_TEXT
    sheet["J5"].data_type = "s"  # typed as text (an apostrophe in Excel)
    sheet["K1"].data_type = "s"
    sheet["D3"].comment = Comment("Chiffre à demander au CCAS", "Claire")
    book.save(source)
    before = sha256(source)
    report = check_paths([source])
    out = folder / "corrections"
    written = annotate_all(report, out, say=lambda line: None)
    return {"source": source, "before": before, "report": report, "written": written, "out": out}


def test_one_copy_named_after_the_input(checked):
    assert checked["written"] == [checked["out"] / "dugny-annote.xlsx"]
    # no temporary left; the hidden mark tells a scan of the inputs to pass the folder by
    assert sorted(path.name for path in checked["out"].iterdir()) == [".ctgxl-copies-annotees", "dugny-annote.xlsx"]


def test_input_is_not_modified(checked):
    assert sha256(checked["source"]) == checked["before"]


def test_finding_cells_are_coloured_and_commented(checked):
    copy = openpyxl.load_workbook(checked["written"][0])
    report = checked["report"]
    expected = {("Diagnostic", "D3"): ERREUR, ("Diagnostic", "A5"): ERREUR, ("Diagnostic", "D5"): AVERTISSEMENT,
                ("Plan d'actions", "M2"): AVERTISSEMENT, ("Identification", "B11"): AVERTISSEMENT}
    for (title, ref), severity in expected.items():
        cell = copy[title][ref]
        assert cell.fill.fill_type == "solid", (title, ref)
        assert cell.fill.fgColor.rgb.endswith(FILLS[severity]), (title, ref)
        messages = [f.message for f in report.findings if f.sheet == title and f.cell == ref]
        assert messages and all(message in cell.comment.text for message in messages)
        assert cell.comment.author == "ctgxl"
    assert "Erreur [nombre-illisible]" in copy["Diagnostic"]["D3"].comment.text
    # Cells without finding keep no fill and no comment.
    assert copy["Diagnostic"]["D2"].fill.fill_type is None
    assert copy["Diagnostic"]["D2"].comment is None


def test_several_findings_on_one_cell_make_one_comment(checked):
    report = checked["report"]
    on_d12 = [f for f in report.findings if f.sheet == "Diagnostic" and f.cell == "D12"]
    assert {f.code for f in on_d12} == {"formule-sans-valeur", "valeur-manquante"}
    comment = openpyxl.load_workbook(checked["written"][0])["Diagnostic"]["D12"].comment.text
    assert "formule-sans-valeur" in comment and "valeur-manquante" in comment


def test_users_own_comment_is_kept(checked):
    comment = openpyxl.load_workbook(checked["written"][0])["Diagnostic"]["D3"].comment.text
    assert "Chiffre à demander au CCAS" in comment and "Claire" in comment


def test_original_values_formulas_and_sheets_are_kept(checked):
    original = openpyxl.load_workbook(checked["source"])
    copy = openpyxl.load_workbook(checked["written"][0])
    assert copy.sheetnames == original.sheetnames + ["Contrôles"]
    for sheet in original.worksheets:
        other = copy[sheet.title]
        assert other.sheet_state == sheet.sheet_state
        assert other.freeze_panes == sheet.freeze_panes
        assert len(other.data_validations.dataValidation) == len(sheet.data_validations.dataValidation)
        for row in sheet.iter_rows():
            for cell in row:
                twin = other[cell.coordinate]
                assert (twin.value, twin.data_type, twin.number_format) == (cell.value, cell.data_type,
                                                                           cell.number_format), cell.coordinate
    assert copy["Diagnostic"]["D9"].value == "=ROUND(1234/10876*100,1)"
    assert copy["Diagnostic"]["D6"].number_format == "0%"
    assert copy["Listes"].sheet_state == "hidden"


def test_text_that_looks_like_a_formula_stays_text(checked):
    copy = openpyxl.load_workbook(checked["written"][0])
    cell = copy["Diagnostic"]["J5"]
    assert (cell.value, cell.data_type) == (HYPERLINK_TEXT, "s")
    with zipfile.ZipFile(checked["written"][0]) as archive:
        xml = b"".join(archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/"))
    assert b"<f>HYPERLINK" not in xml and b"<f>Total" not in xml
    # The extra column's header "=Total" is quoted in the Contrôles sheet as text too.
    controls = copy["Contrôles"]
    columns = [controls.cell(row=row, column=5) for row in range(2, controls.max_row + 1)]
    total = [cell for cell in columns if cell.value == "=Total"]
    assert total and all(cell.data_type == "s" for cell in total)


def test_controles_sheet(checked):
    copy = openpyxl.load_workbook(checked["written"][0])
    report = checked["report"]
    sheet = copy["Contrôles"]
    assert [cell.value for cell in sheet[1]] == ["Feuille", "Cellule", "Gravité", "Code", "Colonne", "Message"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{len(report.findings) + 1}"
    assert copy.active.title == "Contrôles"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(report.findings)
    labels = {ERREUR: "Erreur", AVERTISSEMENT: "Avertissement", "information": "Information"}
    for values, finding in zip(rows, report.findings):
        assert values[0] == (finding.sheet or None)
        assert values[2] == labels[finding.severity]
        assert values[3] == finding.code
        assert values[5] == finding.message
    links = {sheet.cell(row=row, column=2).value: sheet.cell(row=row, column=2).hyperlink
             for row in range(2, sheet.max_row + 1) if sheet.cell(row=row, column=2).hyperlink}
    assert links["D3"].location == "'Diagnostic'!D3"
    assert links["M2"].location == "'Plan d''actions'!M2"
    assert links["B11"].location == "'Identification'!B11"


def test_no_finding_still_gives_a_copy(tmp_path):
    source = user_workbook(tmp_path / "propre.xlsx", formula=False)
    report = check_paths([source])
    (copy,) = annotate_all(report, tmp_path / "out", say=lambda line: None)
    sheet = openpyxl.load_workbook(copy)["Contrôles"]
    assert sheet.max_row == 2 and "Aucun constat" in sheet["F2"].value


def test_xlsm_keeps_its_macros(tmp_path):
    source = tmp_path / "macro.xlsm"
    shutil.copyfile(user_workbook(tmp_path / "macro.xlsx", formula=False), source)
    macros = b"\xd0\xcf\x11\xe0 not really VBA " * 20
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/vbaProject.bin", macros)
    edit_report = check_paths([source])
    (copy,) = annotate_all(edit_report, tmp_path / "out", say=lambda line: None)
    assert copy.name == "macro-annote.xlsm"
    with zipfile.ZipFile(copy) as archive:
        assert archive.read("xl/vbaProject.bin") == macros
        assert b"macroEnabled" in archive.read("[Content_Types].xml")


def test_other_formats_and_damaged_files_are_skipped(tmp_path):
    damaged = tmp_path / "abime.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    ods = tmp_path / "libre.ods"
    ods.write_bytes(b"PK\x03\x04")
    books = [ReadWorkbook(path=damaged, name=str(damaged)), ReadWorkbook(path=ods, name=str(ods)),
             ReadWorkbook(path=tmp_path / "illisible.xlsx", name="illisible.xlsx", readable=False)]
    said: list[str] = []
    written = annotate_all(Report(books=books, findings=[]), tmp_path / "out", say=said.append)
    assert written == []
    assert len(said) == 3
    assert "abime.xlsx" in said[0] and "ne peut pas être recopié" in said[0]
    assert "libre.ods" in said[1] and ".xlsx" in said[1]
    assert "illisible.xlsx" in said[2]
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_same_name_in_two_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = user_workbook(tmp_path / "a" / "plan.xlsx", formula=False)
    second = shutil.copyfile(first, tmp_path / "b" / "plan.xlsx")
    report = check_paths([first, Path(second)])
    written = annotate_all(report, tmp_path / "out", say=lambda line: None)
    assert [path.name for path in written] == ["plan-annote.xlsx", "plan-annote-2.xlsx"]


def test_cli_annoter_and_replacing(tmp_path):
    source = user_workbook(tmp_path / "dugny.xlsx", formula=False)
    edit(source, {"Diagnostic": {"D3": "beaucoup"}})
    runner = CliRunner()
    out = tmp_path / "corrections"
    result = runner.invoke(cli, ["check", str(source), "--annoter", str(out)])
    assert result.exit_code == 1
    copy = out / "dugny-annote.xlsx"
    assert f"Copie annotée : {copy}" in result.stderr
    assert copy.exists()
    # A second run replaces its own earlier copy, and says so.
    result = runner.invoke(cli, ["check", str(source), "--annoter", str(out)])
    assert "remplace la copie annotée précédente" in result.stderr
    # A file of someone else's with the same name is never replaced.
    copy.write_bytes(b"not ours")
    result = runner.invoke(cli, ["check", str(source), "--annoter", str(out), "--format", "json"])
    assert result.exit_code == 1
    assert copy.read_bytes() == b"not ours"
    assert "existe déjà" in result.stderr


def test_an_input_is_never_a_target(tmp_path):
    source = user_workbook(tmp_path / "dugny.xlsx", formula=False)
    earlier = shutil.copyfile(source, tmp_path / "dugny-annote.xlsx")
    before = sha256(earlier)
    said: list[str] = []
    written = annotate_all(check_paths([tmp_path]), tmp_path, say=said.append)
    assert sha256(earlier) == before
    # The copies go apart from the inputs, in a folder the next scan of the inputs passes by.
    assert sorted(written) == [tmp_path / "copies-annotees" / "dugny-annote-annote.xlsx",
                               tmp_path / "copies-annotees" / "dugny-annote.xlsx"]
    assert any("à part des fichiers contrôlés" in line for line in said)
    again = check_paths([tmp_path])
    assert [book.path for book in again.books] == [earlier, source]
    assert [finding.code for finding in again.missing] == ["copies-annotees-ignorees"]
    assert again.exit_code() == check_paths([source, earlier]).exit_code()


def test_the_copy_is_still_a_workbook_to_check(checked):
    """People correct the annotated copy and send it back: it reads as the original did."""
    again = check_paths([checked["written"][0]])
    key = lambda report: {(f.sheet, f.cell, f.code) for f in report.findings
                          if f.code != "formule-sans-valeur"}
    assert key(again) == key(checked["report"])
    assert again.books[0].kind == "complet"


def test_existing_controles_sheet_is_kept(tmp_path):
    source = user_workbook(tmp_path / "consolide.xlsx", formula=False)
    book = openpyxl.load_workbook(source)
    book.create_sheet("Contrôles")["A1"] = "constats d'origine"
    book.save(source)
    (copy,) = annotate_all(check_paths([source]), tmp_path / "out", say=lambda line: None)
    annotated = openpyxl.load_workbook(copy)
    assert annotated["Contrôles"]["A1"].value == "constats d'origine"
    assert annotated.sheetnames[-1] == "Contrôles (2)"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    pixels = b"".join(b"\x00" + b"\xc0\x00\x00" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


def test_images_and_charts(tmp_path):
    """What openpyxl cannot carry over is said; the chart is kept."""
    import io

    import xlsxwriter

    source = tmp_path / "logo.xlsx"
    book = xlsxwriter.Workbook(source)
    sheet = book.add_worksheet("Plan d'actions")
    sheet.write_row(0, 0, ["N° action", "Thématique", "Objectif", "Intitulé de l'action", "Pilote collectivité",
                           "Année de début", "Statut"])
    sheet.write_row(1, 0, [1, "Jeunesse", "Objectif", "Action", "Ville", 2024, "En cours"])
    sheet.insert_image("J2", "logo.png", {"image_data": io.BytesIO(_png())})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "='Plan d''actions'!$F$2:$F$2"})
    sheet.insert_chart("J10", chart)
    book.close()
    said: list[str] = []
    (copy,) = annotate_all(check_paths([source]), tmp_path / "out", say=said.append)
    with zipfile.ZipFile(copy) as archive:
        names = archive.namelist()
    assert any(name.startswith("xl/charts/chart") for name in names)
    import importlib.util

    if importlib.util.find_spec("PIL") is None:  # without Pillow, openpyxl drops images
        assert said == [(f"La copie annotée de « {source} » ne reprend pas 1 image de l'original (le fichier "
                         "d'origine, lui, est intact).")]
    else:
        assert said == [] and any(name.startswith("xl/media/") for name in names)
