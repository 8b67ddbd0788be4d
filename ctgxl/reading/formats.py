"""Number formats, read once for every kind of workbook: which cells show a percent.

calamine gives values (and dates) but not formats. A percent format is read from
``xl/styles.xml`` for .xlsx and .xlsm (``grids._xml_details``), from the BIFF FORMAT and XF
records for .xls (xlrd, ``formatting_info=True``), from the value type for .ods, and from
the BIFF12 records of styles.bin and of each sheet for .xlsb (``xlsb.xlsb_details``: no
maintained library exposes them).
"""

from __future__ import annotations

from pathlib import Path

BUILTIN_PERCENT_IDS = {9, 10}


def shows_percent(code: str) -> bool:
    """Whether a number format shows a percent (multiplies by 100): a '%' outside quoted text
    and not escaped. One pass: a regular expression looking ahead for paired quotes after
    each '%' takes minutes on a format of 200 000 '%'."""
    quotes_after = code.count('"')  # outside quotes: an even number of them follows
    for index, char in enumerate(code):
        if char == '"':
            quotes_after -= 1
        elif char == "%" and quotes_after % 2 == 0 and (index == 0 or code[index - 1] != "\\"):
            return True
    return False


def xls_details(path: Path, grids: dict[str, list[list]]) -> dict[str, dict]:
    """What calamine does not say of the cells of an .xls file, per sheet, as (1-based row,
    0-based column): numbers shown as a percent ("percent"), cells showing an error such as
    #N/A or #DIV/0! ("errors", which calamine reads as empty). One pass of xlrd over the cells
    calamine read."""
    import xlrd

    details: dict[str, dict] = {}
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=_Silent())
    except Exception:  # what calamine could read stays read; the formats are then unknown
        return details
    try:
        percent_xfs = {index for index, xf in enumerate(book.xf_list)
                       if xf.format_key in BUILTIN_PERCENT_IDS
                       or shows_percent(getattr(book.format_map.get(xf.format_key), "format_str", ""))}
        for index, title in enumerate(book.sheet_names()):
            grid = grids.get(title)
            if not grid:
                continue
            sheet = book.sheet_by_index(index)
            found = details.setdefault(title, {"percent": set(), "uncached": set(), "errors": {}})
            for row in range(min(sheet.nrows, len(grid))):
                for column, kind in enumerate(sheet.row_types(row)):
                    if kind == xlrd.XL_CELL_NUMBER:
                        if percent_xfs and sheet.cell_xf_index(row, column) in percent_xfs:
                            found["percent"].add((row + 1, column))
                    elif kind == xlrd.XL_CELL_ERROR:
                        found["errors"][(row + 1, column)] = \
                            xlrd.error_text_from_code.get(sheet.cell_value(row, column), "#N/A")
            book.unload_sheet(index)
    except Exception:
        return details
    finally:
        book.release_resources()
    return details


class _Silent:
    """xlrd writes its warnings (in English) to a log file: they are not the reader's business."""

    def write(self, text: str) -> None:
        pass
