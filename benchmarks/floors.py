"""The floors ctgxl is measured against: the cost of the libraries alone, no ctgxl code.

    python -m benchmarks.floors lire LISTE        # python-calamine reads the same sheets' cells
    python -m benchmarks.floors ecrire SOURCE SORTIE   # xlsxwriter writes the same cells

``LISTE`` is a text file with one workbook path per line. Each prints one JSON line:
the seconds spent in the operation itself (the process start and imports are not in it),
and the rows and cells handled.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# The sheets ctgxl reads data from (the standard's sheets). Lisez-moi and Listes are not data.
STANDARD_SHEETS = ("Identification", "Diagnostic", "Enjeux", "Équipements", "Plan d'actions",
                   "Suivi des indicateurs")
DATA_SHEETS = STANDARD_SHEETS[1:]


def read_cells(paths: list[Path]) -> dict:
    """Read every cell of the standard's sheets of each workbook, as ctgxl's reader gets them
    (``to_python`` lists of rows); returns counts and the seconds it took."""
    import python_calamine

    start = time.perf_counter()
    rows = cells = 0
    for path in paths:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = set(workbook.sheet_names)
        for name in STANDARD_SHEETS:
            if name not in names:
                continue
            grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if name in DATA_SHEETS:
                rows += max(0, len(grid) - 1)
            cells += sum(len(row) for row in grid)
    return {"secondes": time.perf_counter() - start, "fichiers": len(paths), "lignes": rows, "cellules": cells}


def load_grids(source: Path) -> list[tuple[str, list[list]]]:
    """Every sheet of a workbook as lists of rows (python-calamine)."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(source))
    return [(name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names]


def write_grids(grids: list[tuple[str, list[list]]], target: Path, styled: bool = True,
                constant_memory: bool = True) -> dict:
    """Write the cells with xlsxwriter alone: typed values and, with ``styled``, one format per
    column (set_column, as a consolidated workbook has: xlsxwriter then gives every cell that
    style, which costs about 20 % more than bare cells). No drop-downs, comments, conditional
    formats or charts, no ctgxl code."""
    from datetime import date, datetime, time as clock, timedelta

    import xlsxwriter

    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(target), {"constant_memory": constant_memory, "strings_to_formulas": False,
                                             "strings_to_urls": False, "nan_inf_to_errors": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    column_format = book.add_format({"text_wrap": True, "valign": "top"})
    cells = 0
    for name, grid in grids:
        sheet = book.add_worksheet(name)
        if styled and grid:
            sheet.set_column(0, max(len(row) for row in grid), 18, column_format)
        write_string, write_number = sheet.write_string, sheet.write_number
        for row_number, row in enumerate(grid):
            for column, value in enumerate(row):
                if value == "" or value is None:
                    continue
                cells += 1
                if isinstance(value, str):
                    write_string(row_number, column, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_number, column, value)
                elif isinstance(value, (int, float)):
                    write_number(row_number, column, value)
                elif isinstance(value, (datetime, date)):
                    sheet.write_datetime(row_number, column, value, date_format)
                elif isinstance(value, (clock, timedelta)):
                    write_string(row_number, column, str(value))
    book.close()
    return {"secondes": time.perf_counter() - start, "cellules": cells,
            "lignes": sum(max(0, len(grid) - 1) for _, grid in grids)}


def write_cells(source: Path, target: Path) -> dict:
    """Write the cells of ``source`` (e.g. the consolidated workbook ctgxl wrote) again with
    xlsxwriter alone, with one style per column (the floor) and bare (``secondes_sans_style``).
    Reading ``source`` is not timed."""
    grids = load_grids(source)
    bare = write_grids(grids, target, styled=False)
    result = write_grids(grids, target, styled=True)
    result["secondes_sans_style"] = bare["secondes"]
    return result


def paths_of(listing: Path) -> list[Path]:
    return [Path(line) for line in Path(listing).read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 2 and argv[0] == "lire":
        result = read_cells(paths_of(Path(argv[1])))
    elif len(argv) == 3 and argv[0] == "ecrire":
        result = write_cells(Path(argv[1]), Path(argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
