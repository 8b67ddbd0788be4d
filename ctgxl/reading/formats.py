"""Number formats, read once for every kind of workbook: which cells show a percent.

calamine gives values (and dates) but not formats. A percent format is read from
``xl/styles.xml`` for .xlsx and .xlsm (``grids._xml_details``), from the BIFF FORMAT and XF
records for .xls (xlrd, ``formatting_info=True``), from the value type for .ods, and from
the BIFF12 records of styles.bin and of each sheet for .xlsb (``xlsb_details``: no maintained
library exposes them).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from datetime import date, timedelta
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


# .xlsb record types (MS-XLSB 2.3.2)
_ROW_HEADER, _END_SHEET_DATA = 0x0000, 0x0092
_RK, _ERROR, _REAL, _FORMULA_NUMBER, _FORMULA_ERROR = 0x0002, 0x0003, 0x0005, 0x0009, 0x000B
_BUNDLE_SHEET, _END_BUNDLE_SHEETS, _WORKBOOK_PROPERTIES = 0x009C, 0x0090, 0x0099
_FORMAT, _BEGIN_CELL_STYLES, _CELL_STYLE, _END_CELL_STYLES = 0x002C, 0x0269, 0x002F, 0x026A
_ERROR_TEXTS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def xlsb_details(path: Path, grids: dict[str, list[list]]) -> dict[str, dict]:
    """``xls_details`` for an .xlsb file, from its records: numbers whose cell style shows a
    percent, and cells showing an error. Whole numbers shown as a date, which calamine gives
    as numbers, become dates in ``grids``. The parts were measured by the survey first."""
    details: dict[str, dict] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = {name.lower(): name for name in archive.namelist()}

            def part(name: str) -> str | None:
                return names.get(name.lower())

            styles = part("xl/styles.bin")
            percent_styles, date_styles = _xlsb_styles(archive, styles) if styles else (set(), set())
            workbook = part("xl/workbook.bin")
            if workbook is None:
                return details
            sheets, epoch = _xlsb_sheets(archive, workbook, part)
            for title, sheet_part in sheets:
                grid = grids.get(title)
                if not grid or sheet_part is None:
                    continue
                found = details.setdefault(title, {"percent": set(), "uncached": set(), "errors": {}})
                _xlsb_cells(archive, sheet_part, grid, found, percent_styles, date_styles, epoch)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, IndexError, struct.error, EOFError):
        pass  # what calamine read stays read; the formats are then unknown
    return details


def _records(stream, chunk_size: int = 1 << 20):
    """(type, body) of each record of a BIFF12 part, read in chunks."""
    from ctgxl.reading.safety import _record_header

    data, position = b"", 0
    while True:
        parsed = _record_header(data, position)
        if parsed is None or parsed[2] + parsed[1] > len(data):
            chunk = stream.read(chunk_size)
            if not chunk:
                return
            data, position = data[position:] + chunk, 0
            continue
        kind, size, start = parsed
        yield kind, data[start:start + size]
        position = start + size


def _wide_text(body: bytes, offset: int) -> tuple[str, int]:
    """An XLWideString at ``offset``: its text and the offset after it."""
    count = struct.unpack_from("<I", body, offset)[0]
    if count == 0xFFFFFFFF:  # a null XLNullableWideString
        return "", offset + 4
    end = offset + 4 + 2 * count
    if end > len(body):
        raise ValueError("texte tronqué")
    return body[offset + 4:end].decode("utf-16-le", "replace"), end


def _xlsb_styles(archive: zipfile.ZipFile, name: str) -> tuple[set[int], set[int]]:
    """Indexes of the cell styles whose number format shows a percent, and of those showing a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    codes: dict[int, str] = {}
    percent: set[int] = set()
    dates: set[int] = set()
    in_cell_styles, index = False, 0
    with archive.open(name) as stream:
        for kind, body in _records(stream):
            if kind == _FORMAT and len(body) >= 6:
                codes[struct.unpack_from("<H", body)[0]] = _wide_text(body, 2)[0]
            elif kind == _BEGIN_CELL_STYLES:
                in_cell_styles = True
            elif kind == _END_CELL_STYLES:
                break
            elif kind == _CELL_STYLE and in_cell_styles and len(body) >= 4:
                format_id = struct.unpack_from("<H", body, 2)[0]
                code = codes.get(format_id, BUILTIN_FORMATS.get(format_id, ""))
                if (format_id in BUILTIN_PERCENT_IDS and format_id not in codes) or shows_percent(code):
                    percent.add(index)
                elif is_date_format(code) and not is_timedelta_format(code):
                    dates.add(index)
                index += 1
    return percent, dates


def _xlsb_sheets(archive: zipfile.ZipFile, workbook: str, part) -> tuple[list[tuple[str, str | None]], date]:
    """(title, part) of each sheet, in order, and the date of day 0 (1904 or 1900 system)."""
    from defusedxml import ElementTree

    relations_name = part(posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"))
    targets: dict[str, str] = {}
    if relations_name:
        info = archive.getinfo(relations_name)
        if info.file_size < 10_000_000:
            for relation in ElementTree.fromstring(archive.read(info)):
                target = relation.get("Target", "")
                full = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(workbook),
                                                                                       target)
                targets[relation.get("Id", "")] = posixpath.normpath(full)
    sheets: list[tuple[str, str | None]] = []
    epoch = date(1899, 12, 30)
    with archive.open(workbook) as stream:
        for kind, body in _records(stream):
            if kind == _WORKBOOK_PROPERTIES and body and body[0] & 0x1:
                epoch = date(1904, 1, 1)
            elif kind == _BUNDLE_SHEET and len(body) >= 12:
                relation, offset = _wide_text(body, 8)
                title, _ = _wide_text(body, offset)
                sheets.append((title, part(targets[relation]) if relation in targets else None))
            elif kind == _END_BUNDLE_SHEETS:
                break
    return sheets, epoch


def _xlsb_cells(archive: zipfile.ZipFile, name: str, grid: list[list], found: dict, percent_styles: set[int],
                date_styles: set[int], epoch: date) -> None:
    row = 0
    with archive.open(name) as stream:
        for kind, body in _records(stream):
            if kind == _ROW_HEADER and len(body) >= 4:
                row = struct.unpack_from("<I", body)[0]
            elif kind in (_RK, _REAL, _FORMULA_NUMBER, _ERROR, _FORMULA_ERROR) and len(body) >= 9:
                column, style = struct.unpack_from("<II", body)
                style &= 0xFFFFFF
                if row >= len(grid) or column >= len(grid[row]):
                    continue
                if kind in (_ERROR, _FORMULA_ERROR):
                    found["errors"][(row + 1, column)] = _ERROR_TEXTS.get(body[8], "#N/A")
                elif style in percent_styles:
                    found["percent"].add((row + 1, column))
                elif style in date_styles and kind == _RK and isinstance(grid[row][column], int):
                    grid[row][column] = _serial_date(grid[row][column], epoch)
            elif kind == _END_SHEET_DATA:
                return


def _serial_date(serial: int, epoch: date):
    """The day an integer serial stands for (Excel's 1900 system counts a 29/02/1900 that never was)."""
    if serial < 1:
        return serial
    if epoch.year == 1899 and serial < 61:
        return date(1899, 12, 31) + timedelta(days=serial) if serial != 60 else serial
    try:
        return epoch + timedelta(days=serial)
    except OverflowError:
        return serial


class _Silent:
    """xlrd writes its warnings (in English) to a log file: they are not the reader's business."""

    def write(self, text: str) -> None:
        pass
