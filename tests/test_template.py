"""The blank templates: golden files in ``workbook_templates/`` compared cell by cell (never
byte for byte), drop-downs fed by the hidden Listes sheet, mandatory headers, prefill, and the
``ctgxl template`` command."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from ctgxl.cli import cli
from ctgxl.regenerate import FIXED_DATE, write_templates
from ctgxl.standard import IDENTIFICATION, SUIVI, load
from ctgxl.writing.template import KINDS, Prefill, default_name, write_template
from ctgxl.names import LISTS, README
from ctgxl.writing.writer import VALIDATED_ROWS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "workbook_templates"
FIX = "Les modèles de workbook_templates/ ne correspondent plus au code : lancez « python -m ctgxl.regenerate »."


# --- golden files --------------------------------------------------------------------------


def _colour(colour) -> str | None:
    return None if colour is None else str(colour.rgb if colour.type == "rgb" else f"{colour.type}:{colour.value}")


def _cell(cell) -> tuple:
    return (
        cell.value,
        cell.number_format,
        bool(cell.font.b),
        bool(cell.font.i),
        _colour(cell.font.color),
        cell.fill.fill_type,
        _colour(cell.fill.fgColor) if cell.fill.fill_type else None,
        bool(cell.alignment.wrap_text),
    )


def snapshot(path: Path) -> dict[str, object]:
    """Everything a person sees or uses in a workbook, as plain comparable values."""
    book = openpyxl.load_workbook(path)
    shot: dict[str, object] = {
        "feuilles": book.sheetnames,
        "propriétés": {prop.name: (type(prop).__name__, prop.value) for prop in book.custom_doc_props.props},
        "titre": book.properties.title,
        "feuille active": book.active.title,
    }
    for sheet in book.worksheets:
        name = sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                shot[f"{name}!{cell.coordinate}"] = _cell(cell)
        shot[f"{name} : état"] = sheet.sheet_state
        shot[f"{name} : volets figés"] = sheet.freeze_panes
        shot[f"{name} : filtre"] = sheet.auto_filter.ref
        shot[f"{name} : colonnes"] = sorted(
            (dim.min, dim.max, round(dim.width or 0, 2), dim.number_format, bool(dim.alignment.wrap_text),
             bool(dim.hidden))
            for dim in sheet.column_dimensions.values()
        )
        shot[f"{name} : hauteurs"] = {index: dim.height for index, dim in sheet.row_dimensions.items() if dim.height}
        shot[f"{name} : validations"] = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.promptTitle, dv.prompt, dv.errorStyle, dv.errorTitle, dv.error)
            for dv in sheet.data_validations.dataValidation
        )
        setup = sheet.page_setup
        shot[f"{name} : impression"] = (
            setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight,
            bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage),
            sheet.print_title_rows, sheet.print_title_cols,
        )
        shot[f"{name} : quadrillage"] = sheet.sheet_view.showGridLines
    return shot


def differences(expected: dict, actual: dict, limit: int = 15) -> list[str]:
    found = []
    for key in list(expected) + [key for key in actual if key not in expected]:
        if expected.get(key, "(absent)") != actual.get(key, "(absent)"):
            found.append(f"{key} : attendu {expected.get(key, '(absent)')!r}, obtenu {actual.get(key, '(absent)')!r}")
    return found[:limit]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("modeles")
    write_templates(folder)
    return folder


@pytest.mark.parametrize("kind", KINDS)
def test_golden_template(fresh, kind):
    golden = GOLDEN / default_name(kind)
    assert golden.exists(), f"{golden} manque. {FIX}"
    found = differences(snapshot(golden), snapshot(fresh / default_name(kind)))
    assert not found, FIX + "\n" + "\n".join(found)


def test_golden_compare_sees_a_change(fresh, tmp_path):
    """The comparison itself is not blind: one changed header is reported."""
    changed = tmp_path / "change.xlsx"
    book = openpyxl.load_workbook(fresh / "ctg-plan-actions.xlsx")
    book["Plan d'actions"]["B1"] = "Thème"
    book.save(changed)
    found = differences(snapshot(fresh / "ctg-plan-actions.xlsx"), snapshot(changed))
    assert any(line.startswith("Plan d'actions!B1 : ") for line in found)


def test_regenerated_templates_are_reproducible(fresh, tmp_path):
    """A fixed document date: regenerating an unchanged standard rewrites the same files."""
    write_templates(tmp_path)
    for kind in KINDS:
        assert (tmp_path / default_name(kind)).read_bytes() == (fresh / default_name(kind)).read_bytes(), kind
    assert openpyxl.load_workbook(tmp_path / "ctg-complet.xlsx").properties.created == FIXED_DATE.replace(tzinfo=None)


# --- what every template holds -------------------------------------------------------------


def _validation_at(sheet, coordinate: str):
    column, row = re.fullmatch(r"([A-Z]+)(\d+)", coordinate).groups()
    for validation in sheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            low_col, low_row, high_col, high_row = range_boundaries(str(cells))
            if low_col <= column_index_from_string(column) <= high_col and low_row <= int(row) <= high_row:
                return validation
    return None


def _list_source(book, formula: str) -> list[str]:
    match = re.fullmatch(r"=?(\w+)!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet_name, first_col, first_row, last_col, last_row = match.groups()
    assert sheet_name == LISTS and first_col == last_col
    sheet = book[sheet_name]
    return [sheet[f"{first_col}{row}"].value for row in range(int(first_row), int(last_row) + 1)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_list_column_has_a_drop_down_fed_by_the_hidden_lists_sheet(fresh, kind):
    std = load()
    book = openpyxl.load_workbook(fresh / default_name(kind))
    assert book[LISTS].sheet_state == "hidden"
    assert book.sheetnames[0] == README and book.sheetnames[-1] == LISTS
    assert book.sheetnames[1:-1] == list(std.templates[kind].sheets)
    checked = 0
    for name in std.templates[kind].sheets:
        spec = std.sheet(name)
        sheet = book[name]
        for index, column in enumerate(spec.columns):
            if name == IDENTIFICATION:
                cells = [f"B{index + 2}"]
            else:
                letter = get_column_letter(index + 1)
                cells = [f"{letter}2", f"{letter}{VALIDATED_ROWS + 1}"]
            for coordinate in cells:
                validation = _validation_at(sheet, coordinate)
                assert validation is not None, f"{name}!{coordinate} sans bulle d'aide"
                assert validation.prompt == column.help[:255]
                if column.type == "liste":
                    assert validation.type == "list", f"{name}!{coordinate}"
                    assert _list_source(book, validation.formula1) == list(column.allowed)
                    checked += 1
    assert checked > 0


@pytest.mark.parametrize("kind", KINDS)
def test_mandatory_headers_end_with_a_star(fresh, kind):
    std = load()
    book = openpyxl.load_workbook(fresh / default_name(kind))
    for name in std.templates[kind].sheets:
        spec = std.sheet(name)
        if name == IDENTIFICATION:
            labels = [book[name].cell(row=index + 2, column=1).value for index in range(len(spec.columns))]
        else:
            labels = [cell.value for cell in book[name][1]]
        assert labels == [column.template_header for column in spec.columns]
        for label, column in zip(labels, spec.columns):
            assert label.endswith(" *") == column.mandatory, label
            assert label.removesuffix(" *") == column.header


def test_blank_template_is_blank(fresh):
    book = openpyxl.load_workbook(fresh / "ctg-complet.xlsx")
    identification = book[IDENTIFICATION]
    assert all(identification.cell(row=row, column=2).value is None for row in range(2, identification.max_row + 1))
    suivi = book[SUIVI]
    assert [cell.value for cell in suivi[1]] == [column.template_header for column in load().sheet(SUIVI).columns]
    for name in load().templates["complet"].sheets[1:]:
        assert book[name].max_row == 1, f"{name} devrait n'avoir que la ligne d'en-têtes"


def test_prefill_fills_identification_and_year_columns(tmp_path):
    target = write_template(
        tmp_path / "dugny.xlsx", "complet",
        Prefill("Dugny", "Commune", "93030", "Caf de la Seine-Saint-Denis", 2023, 2027, ("Dugny",), "Petite enfance"),
    )
    book = openpyxl.load_workbook(target)
    values = {book[IDENTIFICATION].cell(row=row, column=1).value.removesuffix(" *"):
              book[IDENTIFICATION].cell(row=row, column=2).value
              for row in range(2, book[IDENTIFICATION].max_row + 1)}
    assert values == {
        "Territoire": "Dugny",
        "Type de territoire": "Commune",
        "Code INSEE ou SIREN": "93030",
        "Caf": "Caf de la Seine-Saint-Denis",
        "Début de la convention": datetime(2023, 1, 1),
        "Fin de la convention": datetime(2027, 12, 31),
        "Communes membres": "Dugny",
        "Service contributeur": "Petite enfance",
        "Contact": None,
        "Courriel": None,
        "Date de mise à jour": None,
    }
    assert book[IDENTIFICATION]["B6"].number_format == "dd/mm/yyyy"
    suivi = book[SUIVI]
    headers = [cell.value for cell in suivi[1]]
    assert headers == ["N° action *", "Indicateur *", "Type", "Cible", "Valeur de référence", "Année de référence",
                       "2023", "2024", "2025", "2026", "2027"]
    prompt = _validation_at(suivi, "I2").prompt
    assert "2025" in prompt
    readme = [cell.value for cell in book[README]["A"] if cell.value]
    assert "Service contributeur : Petite enfance" in readme


def test_epci_prefill_lists_member_communes(tmp_path):
    target = write_template(tmp_path / "epci.xlsx", "equipements",
                            Prefill("CA du Boulonnais", "EPCI", "200040178", "Caf du Pas-de-Calais", 2022, 2026,
                                    ("Boulogne-sur-Mer", "Baincthun"), "Coordination"))
    sheet = openpyxl.load_workbook(target)[IDENTIFICATION]
    assert sheet["B3"].value == "EPCI"
    assert sheet["B8"].value == "Boulogne-sur-Mer; Baincthun"


def test_template_records_kind_and_version(fresh):
    for kind in KINDS:
        book = openpyxl.load_workbook(fresh / default_name(kind))
        props = {prop.name: prop.value for prop in book.custom_doc_props.props}
        assert props["ctgxl_modele"] == kind
        assert props["ctgxl_version"] == str(load().version)


def test_data_sheets_print_landscape_fitting_the_width(fresh):
    book = openpyxl.load_workbook(fresh / "ctg-complet.xlsx")
    for name in load().templates["complet"].sheets[1:]:
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.print_title_rows == "$1:$1", name
        assert sheet.page_setup.fitToHeight == 0, name
        assert int(sheet.page_setup.fitToWidth or 1) == 1, name  # 1 is the default, left unwritten
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
    assert int(book["Plan d'actions"].page_setup.paperSize) == 8  # A3: 20 columns stay readable
    assert int(book["Enjeux"].page_setup.paperSize) == 9  # A4


# --- the command line ----------------------------------------------------------------------


def _runner() -> CliRunner:
    """Standard output and error kept apart (click 8.2+ always does; 8.1 needs mix_stderr=False)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def test_cli_writes_template(tmp_path):
    target = tmp_path / "plan.xlsx"
    result = _runner().invoke(cli, ["template", "plan-actions", "-o", str(target), "--territoire", "Dugny",
                                      "--type", "Commune", "--code", "93030", "--debut", "2023", "--fin", "2027"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Modèle « plan-actions » écrit dans {target}\n"
    book = openpyxl.load_workbook(target)
    assert book[IDENTIFICATION]["B2"].value == "Dugny"
    assert [cell.value for cell in book[SUIVI][1]][-5:] == ["2023", "2024", "2025", "2026", "2027"]


def test_cli_default_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _runner().invoke(cli, ["template", "equipements"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Modèle « equipements » écrit dans ctg-equipements.xlsx\n"
    assert (tmp_path / "ctg-equipements.xlsx").exists()


def test_cli_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "mon-fichier.xlsx"
    target.write_bytes(b"pas un classeur ctgxl")
    runner = _runner()
    result = runner.invoke(cli, ["template", "diagnostic", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : ")
    assert result.stderr == (f"Erreur : « {target} » existe déjà : choisissez un autre nom ou ajoutez --force "
                             "pour le remplacer.\n")
    assert target.read_bytes() == b"pas un classeur ctgxl"
    result = runner.invoke(cli, ["template", "diagnostic", "-o", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(target).sheetnames[1] == IDENTIFICATION


def test_cli_replaces_its_own_earlier_template(tmp_path):
    target = tmp_path / "diag.xlsx"
    runner = _runner()
    assert runner.invoke(cli, ["template", "diagnostic", "-o", str(target)]).exit_code == 0
    result = runner.invoke(cli, ["template", "complet", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"« {target} » remplace la sortie précédente de « ctgxl template ».\n"
    assert "Équipements" in openpyxl.load_workbook(target).sheetnames


def test_cli_end_before_start(tmp_path):
    target = tmp_path / "x.xlsx"
    result = _runner().invoke(cli, ["template", "complet", "-o", str(target), "--debut", "2027", "--fin", "2023"])
    assert result.exit_code == 2
    assert result.stderr == "Erreur : --fin (2023) précède --debut (2027).\n"
    assert not target.exists()


def test_cli_unknown_kind(tmp_path):
    target = tmp_path / "x.xlsx"
    result = _runner().invoke(cli, ["template", "budget", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.endswith("Erreur : Valeur invalide pour 'KIND' : 'budget' n'est pas parmi 'diagnostic', "
                                  "'equipements', 'plan-actions', 'complet'.\n")
    assert not target.exists()


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_is_french_with_an_example(command):
    args = ([command] if command else []) + ["--help"]
    result = _runner().invoke(cli, args)
    assert result.exit_code == 0
    assert "Exemple" in result.stdout
    assert result.stdout.startswith("Utilisation : ")
    assert "Affiche cette aide et quitte." in result.stdout and "Show this message" not in result.stdout
    help_text = (cli.commands[command] if command else cli).help
    assert help_text and help_text.split("\n")[0] in result.stdout
    for param in (cli.commands[command] if command else cli).params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"option {param.opts} sans aide"
