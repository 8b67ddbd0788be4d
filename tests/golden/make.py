"""Golden workbooks: what `merge`, `split` and `format` write from the bundled samples, as
readable JSON (every non-empty cell's value and number format, every data validation), with
what varies from run to run left out (the SHA-256 of the inputs).

    python tests/golden/make.py      # rewrites tests/golden/*.json after an intended change

tests/test_golden.py writes the same workbooks again and compares them cell by cell.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date, datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLES = ROOT / "samples"
TODAY = date(2026, 3, 2)  # the consolidation date written in the merged workbook
VARYING_HEADERS = {"SHA-256"}  # columns whose values change with the bytes of the inputs


def written(folder: Path) -> dict[str, Path]:
    """The workbooks to compare, written into ``folder`` by the library."""
    import ctgxl

    merged = folder / "fusion-dugny.xlsx"
    ctgxl.merge(sorted((SAMPLES / "dugny").glob("*.xlsx")), merged, today=TODAY, secret_statistique=True)
    books = {"merge-dugny": merged}
    for part in ctgxl.split(merged, folder / "split").written:
        books[f"split-dugny-{part.path.stem}"] = part.path
    reformatted = folder / "format-boulogne-jeunesse.xlsx"
    ctgxl.reformat(SAMPLES / "boulogne-billancourt" / "boulogne-jeunesse.xlsx", reformatted)
    books["format-boulogne-jeunesse"] = reformatted
    return books


def _shown(value: object) -> object:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def snapshot(path: Path) -> dict:
    """{sheet: {"cellules": {ref: [value, format]}, "validations": [...]}} of a workbook."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheets = {}
    for sheet in book.worksheets:
        varying = {cell.column for cell in sheet[1] if cell.value in VARYING_HEADERS} if sheet.max_row else set()
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = "(varie)" if cell.column in varying and cell.row > 1 else _shown(cell.value)
                cells[cell.coordinate] = [value, cell.number_format] if cell.number_format != "General" else [value]
        validations = sorted(
            [str(rule.sqref), rule.type, rule.formula1, rule.formula2, rule.operator, rule.allow_blank]
            for rule in sheet.data_validations.dataValidation)
        sheets[sheet.title] = {"etat": sheet.sheet_state, "cellules": cells, "validations": validations}
    return sheets


def dump(data: dict) -> str:
    """The snapshot as JSON with one cell, one validation per line (diffs read cell by cell)."""
    def item(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for position, (sheet, content) in enumerate(data.items()):
        cells = [f'   {item(ref)}: {item(value)}' for ref, value in content["cellules"].items()]
        rules = [f"   {item(rule)}" for rule in content["validations"]]
        lines += [f" {item(sheet)}: {{", f'  "etat": {item(content["etat"])},', '  "cellules": {',
                  ",\n".join(cells), "  },", '  "validations": [', ",\n".join(rules), "  ]",
                  " }" + ("," if position < len(data) - 1 else "")]
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"


def expected_path(name: str) -> Path:
    return HERE / f"{name}.json"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        books = written(Path(folder))
        for old in HERE.glob("*.json"):
            old.unlink()
        for name, path in books.items():
            expected_path(name).write_text(dump(snapshot(path)), encoding="utf-8")
            print(f"Écrit : {expected_path(name).relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
