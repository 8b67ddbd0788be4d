"""The Python API: sources and outputs as paths or streams, data returned, typed refusals,
and nothing shared between calls (threads, click, the date, the standard)."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import ctgxl
from ctgxl.errors import (ConflictsRemain, CtgxlError, ErrorsRemain, InputsUnreadable, NothingRecognised,
                          OutputExists, OutputIsInput)

ROOT = Path(__file__).resolve().parent.parent
DUGNY = sorted((ROOT / "samples" / "dugny").glob("*.xlsx"))
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
