"""The Python API: sources and outputs as paths or streams, data returned, typed refusals,
and nothing shared between calls (threads, click, the date, the standard)."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from html import unescape
from pathlib import Path

import openpyxl
import pytest

import ctgxl
from ctgxl.errors import (ConflictsRemain, CtgxlError, DuplicateOutput, ErrorsRemain, InputsUnreadable,
                          NothingRecognised, OtherTerritory, OutputExists, OutputIsInput, Unreadable, UnreadableVersion,
                          WrongOutputType)

ROOT = Path(__file__).resolve().parent.parent
DUGNY = sorted((ROOT / "samples" / "dugny").glob("*.xlsx"))
DUGNY_2025 = sorted((ROOT / "samples" / "dugny-2025").glob("*.xlsx"))  # a later version of Dugny
TO_FIX = sorted((ROOT / "samples" / "a-corriger").glob("*.xlsx"))


def streams(paths: list[Path]) -> list[io.BytesIO]:
    found = []
    for path in paths:
        stream = io.BytesIO(path.read_bytes())
        stream.name = path.name
        found.append(stream)
    return found


def summary(report) -> list[tuple]:
    return [(Path(finding.file).name, finding.sheet, finding.cell, finding.code, finding.message)
            for finding in report.findings]


def test_a_stream_is_checked_as_its_file():
    by_path = ctgxl.check(DUGNY)
    by_stream = ctgxl.check(streams(DUGNY))
    assert [book.name for book in by_stream.books] == [path.name for path in DUGNY]
    assert summary(by_stream) == summary(by_path)
    assert by_stream.exit_code() == 0


def test_an_unnamed_stream_is_refused():
    with pytest.raises(TypeError):
        ctgxl.check([io.BytesIO(DUGNY[0].read_bytes())])


def test_merge_into_a_stream_returns_the_counts(tmp_path):
    output = io.BytesIO()
    result = ctgxl.merge(streams(DUGNY), output, today=date(2030, 1, 2))
    assert result.output is None and result.files == 3 and result.errors == 0
    book = openpyxl.load_workbook(io.BytesIO(output.getvalue()))
    for sheet, rows in result.rows.items():
        assert book[sheet].max_row - 1 == rows
    assert result.rows["Plan d'actions"] > 0
    # the date of the day is the one given, in the Synthèse and the Identification
    synthesis = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert synthesis["Classeur consolidé le"] == "02/01/2030"
    identification = {row[0].removesuffix(" *"): row[1] for row in book["Identification"].iter_rows(values_only=True)
                      if row[0]}
    assert identification["Date de mise à jour"].date() == date(2030, 1, 2)
    assert list(tmp_path.iterdir()) == []


def test_merge_refusals_write_nothing(tmp_path):
    output = tmp_path / "out.xlsx"
    with pytest.raises(ErrorsRemain) as refused:
        ctgxl.merge([ROOT / "samples" / "a-corriger" / "dugny-pourcentage-1500.xlsx"], output)
    assert type(refused.value) is ErrorsRemain and refused.value.report.errors
    assert str(refused.value).startswith("Fusion refusée : 1 erreur à corriger")
    with pytest.raises(InputsUnreadable):
        ctgxl.merge([*DUGNY, tmp_path / "absent.xlsx"], output)
    assert not output.exists()
    with pytest.raises(OutputIsInput):
        ctgxl.merge(DUGNY, DUGNY[0])
    output.write_bytes(b"not ctgxl's")
    with pytest.raises(OutputExists) as exists:
        ctgxl.merge(DUGNY, output)
    assert isinstance(exists.value, CtgxlError) and "existe déjà" in str(exists.value)
    assert output.read_bytes() == b"not ctgxl's"
    assert ctgxl.merge(DUGNY, output, force=True).output == output


def test_the_library_refuses_an_output_that_is_an_input_by_another_name_and_an_empty_merge(tmp_path):
    import os

    inputs = tmp_path / "recus"
    inputs.mkdir()
    for path in DUGNY:
        (inputs / path.name).write_bytes(path.read_bytes())
    linked = tmp_path / "lien.xlsx"
    os.link(inputs / DUGNY[0].name, linked)
    before = linked.read_bytes()
    with pytest.raises(OutputIsInput):
        ctgxl.merge([inputs], linked, force=True)
    with pytest.raises(OutputIsInput):
        ctgxl.reformat(inputs / DUGNY[0].name, linked, force=True)
    assert linked.read_bytes() == before
    stray = tmp_path / "notes.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["rien", "à fusionner"])
    book.save(stray)
    with pytest.raises(NothingRecognised) as nothing:
        ctgxl.merge([stray], tmp_path / "vide.xlsx", malgre_erreurs=True)
    assert "aucune feuille du standard CTG" in str(nothing.value) and nothing.value.report is not None
    assert not (tmp_path / "vide.xlsx").exists()


def test_conflicts_are_their_own_refusal(territory, tmp_path):
    from fixtures import make_territory

    conflicting = make_territory(tmp_path / "conflit", conflict=True)
    with pytest.raises(ConflictsRemain) as refused:
        ctgxl.merge(conflicting.files, tmp_path / "out.xlsx")
    assert [finding.code for finding in refused.value.report.errors] == ["conflit"]


def test_split_and_reformat_take_streams(tmp_path):
    consolidated = io.BytesIO()
    ctgxl.merge(DUGNY, consolidated)
    consolidated.name = "ctg-dugny.xlsx"
    parts = ctgxl.split(consolidated, tmp_path / "parts")
    assert parts.refused == [] and len(parts.written) == 3
    assert all(part.path.exists() and part.rows for part in parts.written)
    again = ctgxl.split(consolidated, tmp_path / "parts")  # its own earlier files are replaced
    assert [part.path for part in again.written] == [part.path for part in parts.written]
    reformatted = io.BytesIO()
    result = ctgxl.reformat(streams(DUGNY[:1])[0], reformatted)
    assert result.output is None and result.kind and result.rows
    assert openpyxl.load_workbook(io.BytesIO(reformatted.getvalue())).sheetnames
    with pytest.raises(NothingRecognised):
        stray = io.BytesIO()
        openpyxl.Workbook().save(stray)
        stray.name = "vide.xlsx"
        ctgxl.reformat(stray, io.BytesIO())


def test_write_template_and_annotate(tmp_path):
    target = ctgxl.write_template("plan-actions", tmp_path / "plan.xlsx", {"territoire": "Dugny", "debut": 2023})
    assert target == tmp_path / "plan.xlsx"
    assert ctgxl.write_template("plan-actions", target) == target  # its own earlier template
    (tmp_path / "mine.xlsx").write_bytes(b"typed by someone")
    with pytest.raises(OutputExists):
        ctgxl.write_template("plan-actions", tmp_path / "mine.xlsx")
    stream = io.BytesIO()
    assert ctgxl.write_template("diagnostic", stream) is None
    assert "Diagnostic" in openpyxl.load_workbook(io.BytesIO(stream.getvalue())).sheetnames
    report = ctgxl.check(TO_FIX[:2])
    annotation = ctgxl.annotate(report, tmp_path / "notes")
    assert len(annotation.written) == 2 and annotation.notes == []
    uploads = streams(TO_FIX[:2])
    from_streams = ctgxl.annotate(ctgxl.check(uploads), tmp_path / "notes-flux", uploads)
    assert [path.name for path in from_streams.written] == [path.name for path in annotation.written]
    assert from_streams.notes == []


def test_standard_reaches_reading_and_checking(validators_copy, tmp_path):
    from ctgxl.standard import load

    plan = validators_copy / "plan_actions.toml"
    text = plan.read_text(encoding="utf-8")
    assert 'nom = "Objectif"' in text
    plan.write_text(text.replace('nom = "Objectif"', 'nom = "Finalité"'), encoding="utf-8")
    custom = load(str(validators_copy))
    target = ctgxl.write_template("plan-actions", tmp_path / "plan.xlsx", standard=custom)
    assert "Finalité" in [str(cell.value).removesuffix(" *") for cell in openpyxl.load_workbook(target)["Plan d'actions"][1]]
    default = {finding.code for finding in ctgxl.check([target]).findings}
    assert "colonne-inconnue" in default
    columns = {"colonne-inconnue", "colonne-absente", "colonne-manquante"}
    # the empty template's own findings (Identification to fill) remain, not the renamed column's
    assert {finding.code for finding in ctgxl.check([target], standard=custom).findings} == default - columns
    assert summary(ctgxl.check([target], standard=validators_copy)) == summary(ctgxl.check([target], standard=custom))


def test_checks_from_eight_threads_match_sequential_calls():
    groups = [[path] for path in TO_FIX[:8]]
    assert len(groups) == 8
    alone = [summary(ctgxl.check(group)) for group in groups]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda group: summary(ctgxl.check(streams(group))), groups))
    assert together == alone
    assert sum(bool(found) for found in alone) >= 6  # most of these files have something to fix


def sheet_values(book) -> dict[str, list[tuple]]:
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def slide_texts(data: bytes) -> list[str]:
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    return [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]


def test_bilan_from_paths_and_from_streams_into_streams(tmp_path):
    inputs = {path: path.read_bytes() for path in DUGNY}
    by_path = ctgxl.bilan(DUGNY, tmp_path / "bilan.xlsx", pptx=tmp_path / "copil.pptx", html=tmp_path / "bilan.html",
                          annee=2025, today=date(2026, 3, 4))
    assert by_path.written == {"xlsx": tmp_path / "bilan.xlsx", "pptx": tmp_path / "copil.pptx",
                               "html": tmp_path / "bilan.html"}
    assert by_path.replaced == [] and by_path.report.errors == [] and by_path.previous_report is None
    assert by_path.bilan.year == 2025 and by_path.bilan.prepared == date(2026, 3, 4)
    assert by_path.bilan.territory == "Dugny" and by_path.bilan.progress.total > 0

    uploads = streams(DUGNY)
    workbook, deck, page = io.BytesIO(), io.BytesIO(), io.BytesIO()
    by_stream = ctgxl.bilan(uploads, workbook, pptx=deck, html=page, annee=2025, today=date(2026, 3, 4))
    assert by_stream.written == {"xlsx": None, "pptx": None, "html": None}
    assert by_stream.bilan == by_path.bilan
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bilan.html", "bilan.xlsx", "copil.pptx"]

    book = openpyxl.load_workbook(io.BytesIO(workbook.getvalue()))
    assert sheet_values(book) == sheet_values(openpyxl.load_workbook(tmp_path / "bilan.xlsx"))
    assert book["Synthèse"]["A1"].value == "Bilan 2025 de la Convention Territoriale Globale – Dugny"
    texts = slide_texts(deck.getvalue())
    assert "Bilan 2025 — comité de pilotage" in texts and "Dugny" in texts
    assert any("Préparé le 04/03/2026 avec ctgxl" in text for text in texts)
    text = page.getvalue().decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and text == (tmp_path / "bilan.html").read_text(encoding="utf-8")
    assert "<h1>Bilan 2025 de la CTG – Dugny</h1>" in text and "préparé le 04/03/2026" in text
    assert "Avancement du plan d'actions" in unescape(text)
    # the inputs, files and streams, are as they were
    assert {path: path.read_bytes() for path in DUGNY} == inputs
    assert [upload.getvalue() for upload in uploads] == list(inputs.values())


def test_bilan_year_is_the_year_of_today_and_outputs_are_optional():
    result = ctgxl.bilan(DUGNY, today=date(2031, 5, 6))
    assert result.written == {} and result.bilan.year == 2031 and result.bilan.prepared == date(2031, 5, 6)


def test_bilan_depuis_streams_lists_the_changes_of_the_later_version(tmp_path):
    from ctgxl.merging.diff import diff as diff_paths

    workbook = io.BytesIO()
    by_stream = ctgxl.bilan(streams(DUGNY_2025), workbook, depuis=streams(DUGNY), annee=2025)
    by_path = ctgxl.bilan(DUGNY_2025, depuis=DUGNY, annee=2025)
    assert by_stream.bilan.previous == ", ".join(path.name for path in DUGNY)
    assert by_stream.bilan.changes == by_path.bilan.changes
    # one change of the bilan per row added or removed and per value changed between the versions
    counts = diff_paths(DUGNY, DUGNY_2025).counts()
    assert len(by_stream.bilan.changes) == counts["ajoutees"] + counts["supprimees"] + counts["champs_modifies"] > 0
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook.getvalue()))["Modifications"].iter_rows(values_only=True))
    assert len([row for row in rows if any(row)]) > len(by_stream.bilan.changes)


def test_bilan_keeps_the_errors_of_the_workbooks_and_reports_them():
    result = ctgxl.bilan([ROOT / "samples" / "a-corriger" / "dugny-pourcentage-1500.xlsx"], io.BytesIO())
    assert len(result.report.errors) == 1 and result.written == {"xlsx": None}


def test_bilan_refusals_are_typed_and_write_nothing(tmp_path):
    inputs = {path: path.read_bytes() for path in [*DUGNY, *DUGNY_2025]}
    output = tmp_path / "bilan.xlsx"
    with pytest.raises(WrongOutputType) as wrong:
        ctgxl.bilan(DUGNY, output, html=tmp_path / "bilan.txt")
    assert (wrong.value.output, wrong.value.expected) == ("html", ".html")
    assert str(wrong.value) == f"La page HTML s'écrit dans un fichier .html : « {tmp_path / 'bilan.txt'} » n'en est pas un."
    with pytest.raises(OutputIsInput):
        ctgxl.bilan(DUGNY, DUGNY[0], force=True)
    with pytest.raises(OutputIsInput):  # a file of a folder given, even with force
        ctgxl.bilan([DUGNY[0].parent], DUGNY[0], force=True)
    with pytest.raises(DuplicateOutput):
        ctgxl.bilan(DUGNY, output, pptx=output)
    same = io.BytesIO()
    with pytest.raises(DuplicateOutput):
        ctgxl.bilan(DUGNY, same, pptx=same)
    assert same.getvalue() == b""
    (tmp_path / "copil.pptx").write_bytes(b"someone's deck")
    with pytest.raises(OutputExists):
        ctgxl.bilan(DUGNY, output, pptx=tmp_path / "copil.pptx")
    missing = tmp_path / "absent"
    with pytest.raises(Unreadable) as unreadable:
        ctgxl.bilan(DUGNY, output, depuis=missing)
    assert str(unreadable.value) == f"« {missing} » n'existe pas."
    text = io.BytesIO(b"pas un classeur")
    text.name = "texte.xlsx"
    with pytest.raises(Unreadable) as unreadable:
        ctgxl.bilan([text], output)
    assert str(unreadable.value).endswith(" Le bilan n'est pas écrit.") and unreadable.value.findings
    stray = io.BytesIO()
    openpyxl.Workbook().save(stray)
    stray.name = "budget.xlsx"
    with pytest.raises(NothingRecognised) as nothing:
        ctgxl.bilan([stray], output)
    assert str(nothing.value).startswith("Aucun classeur CTG reconnu dans « budget.xlsx » :")
    with pytest.raises(OtherTerritory) as other:
        ctgxl.bilan(DUGNY, output, depuis=ROOT / "samples" / "carrieres-sur-seine")
    assert "est la convention de Carrières-sur-Seine, pas celle de Dugny" in str(other.value)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["copil.pptx"]
    assert (tmp_path / "copil.pptx").read_bytes() == b"someone's deck"
    assert {path: path.read_bytes() for path in inputs} == inputs
    for refusal in (WrongOutputType, DuplicateOutput, OtherTerritory, Unreadable):
        assert issubclass(refusal, CtgxlError)


def test_bilan_replaces_its_own_earlier_outputs_and_says_so(tmp_path):
    output = tmp_path / "bilan.xlsx"
    assert ctgxl.bilan(DUGNY, output).replaced == []
    assert ctgxl.bilan(DUGNY, output).replaced == [output]
    assert ctgxl.bilan(DUGNY, output, force=True).replaced == []  # replaced by choice, nothing to tell


def test_diff_between_versions_given_as_streams(tmp_path):
    from ctgxl.merging.diff import diff as diff_paths

    old, new = streams(DUGNY), streams(DUGNY_2025)
    found = ctgxl.diff(old, new)
    assert found and found.changes() == diff_paths(DUGNY, DUGNY_2025).changes()
    assert not ctgxl.diff(streams(DUGNY), DUGNY[0].parent)  # the same version, as streams and as a folder
    assert [stream.getvalue() for stream in old + new] == [path.read_bytes() for path in DUGNY + DUGNY_2025]

    listing = io.BytesIO()
    assert ctgxl.write_changes(found, listing, "envoi 2024", "envoi 2025", today=date(2026, 1, 2)) is None
    sheet = openpyxl.load_workbook(io.BytesIO(listing.getvalue()))["Modifications"]
    assert sheet["A1"].value == "Liste des modifications"
    assert sheet["A3"].value == "Nouvelle version : envoi 2025 — liste établie le 02/01/2026"
    assert sheet.max_row - 5 == len(found.changes())
    target = tmp_path / "modifications.xlsx"
    assert ctgxl.write_changes(found, target, "a", "b") == target
    assert ctgxl.write_changes(found, target, "a", "b") == target  # its own earlier list
    (tmp_path / "mine.xlsx").write_bytes(b"typed by someone")
    with pytest.raises(OutputExists):
        ctgxl.write_changes(found, tmp_path / "mine.xlsx", "a", "b")


def test_the_list_of_changes_never_replaces_a_file_the_diff_read(tmp_path):
    import shutil

    old = tmp_path / "envoi-2024"
    shutil.copytree(DUGNY[0].parent, old)
    found = ctgxl.diff(old, DUGNY_2025)
    before = {path: path.read_bytes() for path in old.iterdir()}
    for target in (old / DUGNY[0].name, DUGNY_2025[0]):
        with pytest.raises(OutputIsInput):
            ctgxl.write_changes(found, target, "a", "b", force=True)
    assert {path: path.read_bytes() for path in old.iterdir()} == before


def test_diff_says_which_version_cannot_be_read(tmp_path):
    stray = io.BytesIO()
    openpyxl.Workbook().save(stray)
    stray.name = "budget.xlsx"
    with pytest.raises(UnreadableVersion) as old:
        ctgxl.diff(stray, DUGNY)
    assert old.value.version == "ancienne"
    assert str(old.value) == ("L'ancienne version ne peut pas être lue : aucune feuille du standard CTG n'a été "
                              "reconnue dans « budget.xlsx ».")
    with pytest.raises(UnreadableVersion) as new:
        ctgxl.diff(DUGNY, tmp_path / "absent.xlsx")
    assert new.value.version == "nouvelle" and str(new.value).startswith("La nouvelle version ne peut pas être lue : ")
    assert isinstance(new.value, CtgxlError)


def test_import_leaves_click_alone():
    code = ("import gettext, click.core, click.types, ctgxl, ctgxl.cli, ctgxl.api;"
            "assert click.core._ is gettext.gettext and click.types.ngettext is gettext.ngettext;"
            "import sys; assert not [name for name in ('pandas', 'pandera', 'openpyxl', 'xlsxwriter') "
            "if name in sys.modules], 'heavy import'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_cli_puts_click_back_after_a_run():
    import gettext

    import click.core
    from click.testing import CliRunner

    from ctgxl.cli import cli

    result = CliRunner().invoke(cli, ["check"])
    assert "Utilisation" in result.output
    assert click.core._ is gettext.gettext


def test_the_cli_colours_every_severity():
    from ctgxl.cli import COLOURS
    from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION

    assert set(COLOURS) == {ERREUR, AVERTISSEMENT, INFORMATION}
