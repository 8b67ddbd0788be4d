"""The consolidated workbook of the web equals `ctgxl merge` of the same files, cell by cell,
except the dates of the day it was made."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner


def merge_with_cli(files: list[Path], folder: Path) -> Path:
    """`ctgxl merge` run from a folder holding the files, so that it names them as the web does."""
    from ctgxl.cli import cli

    work = folder / "merge-cli"
    work.mkdir()
    for path in files:
        shutil.copy(path, work / path.name)
    output = folder / "consolide-cli.xlsx"
    import os

    here = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(cli, ["merge", *[path.name for path in files], "-o", str(output),
                                          "--malgre-erreurs"])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return output


def _cells(book) -> dict:
    values = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is not None:
                    values[(sheet.title, cell.coordinate)] = value
    return values


def assert_same_workbooks(web: bytes | Path, cli: Path) -> None:
    web_book = openpyxl.load_workbook(io.BytesIO(web) if isinstance(web, bytes) else web)
    cli_book = openpyxl.load_workbook(cli)
    assert web_book.sheetnames == cli_book.sheetnames
    today = {date.today(), datetime.now().date()}
    web_cells, cli_cells = _cells(web_book), _cells(cli_book)
    assert web_cells.keys() == cli_cells.keys()
    differing = {place: (web_cells[place], cli_cells[place]) for place in web_cells
                 if web_cells[place] != cli_cells[place]
                 and not all(_is_today(value, today) for value in (web_cells[place], cli_cells[place]))}
    assert not differing, differing


def _is_today(value, today) -> bool:
    if isinstance(value, datetime):
        return value.date() in today
    if isinstance(value, date):
        return value in today
    return isinstance(value, str) and any(day.strftime("%d/%m/%Y") in value for day in today)
