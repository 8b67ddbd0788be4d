"""A formula whose result is an error (#DIV/0!, #REF!) is reported at its cell, never read
silently as an empty cell."""

import zipfile

import openpyxl

from ctgxl.checking.check import check_paths
from ctgxl.writing.template import Prefill, write_template


def _with_error_cell(path, cell: str, formula: str, shown: str) -> None:
    """Put a formula with a cached error value in the Diagnostic sheet, as Excel saves it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    book = openpyxl.load_workbook(path)
    index = book.sheetnames.index("Diagnostic") + 1
    name = f"xl/worksheets/sheet{index}.xml"
    xml = parts[name].decode()
    marker = f'<c r="{cell}"'
    start = xml.index(marker)
    end = xml.index("</c>", start) + 4  # the cell holds a number typed before: <c …><v>0</v></c>
    xml = xml[:start] + f'<c r="{cell}" t="e"><f>{formula}</f><v>{shown}</v></c>' + xml[end:]
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


def test_error_value_of_a_formula_is_reported_at_its_cell(tmp_path):
    path = tmp_path / "diagnostic.xlsx"
    write_template(path, "diagnostic", Prefill("Dugny", "Commune", "93030", "Caf de la Seine-Saint-Denis", 2023, 2027,
                                               (), "Petite enfance"))
    book = openpyxl.load_workbook(path)
    sheet = book["Diagnostic"]
    sheet.append(["Démographie", "Population municipale", None, 10_000, "Nombre", None, None, 2020, "Insee RP2020"])
    sheet["D2"] = 0  # placeholder replaced by the error cell below
    book.save(path)
    _with_error_cell(path, "D2", "A1/0", "#DIV/0!")
    report = check_paths([path])
    found = [(finding.cell, finding.code, finding.severity) for finding in report.findings
             if finding.code == "valeur-en-erreur"]
    assert found == [("D2", "valeur-en-erreur", "erreur")]
    message = next(finding.message for finding in report.findings if finding.code == "valeur-en-erreur")
    assert "« #DIV/0! »" in message
    assert report.exit_code() == 1
