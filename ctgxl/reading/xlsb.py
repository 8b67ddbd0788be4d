"""Excel binary workbooks (.xlsb, MS-XLSB): the records of their parts, read as a stream.

The survey measures each sheet from its cell records before calamine reads it
(``BinarySheetExtent``); ``xlsb_details`` reads what calamine does not give: the number
formats of the cells (percents, whole day numbers shown as dates) and the error values.
"""

from __future__ import annotations

import struct
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from ctgxl.reading.formats import BUILTIN_PERCENT_IDS, shows_percent


def record_header(data: bytes, position: int) -> tuple[int, int, int] | None:
    """(record type, size, start of data) of the .xlsb record at ``position``, or None if cut."""
    values = []
    for limit in (2, 4):
        value = shift = 0
        for _ in range(limit):
            if position >= len(data):
                return None
            byte = data[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        values.append(value)
    return values[0], values[1], position


class BinarySheetExtent:
    """Last row and column of the cell records of an .xlsb sheet part, fed in chunks. Only the
    first bytes of each record are kept (row and column): a record that claims to be huge is
    skipped over, never gathered."""

    _CELLS = set(range(1, 12)) | {62}
    _SHORT_CELLS = set(range(12, 19))
    _BLANK, _SHORT_BLANK = 1, 12  # a style without a value: not counted

    def __init__(self):
        self.buffer = b""
        self.skip = 0  # bytes of the current record still to pass over
        self.row = self.column = self.rows = self.columns = self.cells = 0

    def feed(self, chunk: bytes) -> None:
        if self.skip:
            passed = min(self.skip, len(chunk))
            self.skip -= passed
            chunk = chunk[passed:]
        data = self.buffer + chunk
        position = 0
        while True:
            parsed = record_header(data, position)
            if parsed is None:
                break
            kind, size, start = parsed
            head = data[start:start + min(size, 4)]
            if len(head) < min(size, 4):
                break
            if kind == 0 and size >= 4:  # BrtRowHdr
                self.row = struct.unpack_from("<I", head)[0] + 1
            elif kind in self._CELLS and size >= 8:  # a cell: column, then style
                self.column = struct.unpack_from("<I", head)[0] + 1
                if kind != self._BLANK:
                    self._cell()
            elif kind in self._SHORT_CELLS:
                self.column += 1
                if kind != self._SHORT_BLANK:
                    self._cell()
            if start + size > len(data):
                self.skip, position = start + size - len(data), len(data)
                break
            position = start + size
        self.buffer = data[position:]

    def _cell(self) -> None:
        self.cells += 1
        self.rows = max(self.rows, self.row)
        self.columns = max(self.columns, self.column)

    def finish(self) -> tuple[int, int]:
        return self.rows, self.columns

    @property
    def cut(self) -> bool:
        """Whether the part ended inside a record (a damaged file)."""
        return bool(self.skip or self.buffer)


def records(stream, keep: int | None = None, chunk_size: int = 1 << 20):
    """(type, body) of each record of a BIFF12 part read from ``stream``. With ``keep``, only
    the first ``keep`` bytes of each body are returned and the rest is read past."""
    data, position = b"", 0
    while True:
        parsed = record_header(data, position)
        if parsed is not None:
            kind, size, start = parsed
            wanted = size if keep is None else min(size, keep)
            if start + wanted <= len(data):
                body, end = data[start:start + wanted], start + size
                if end > len(data):
                    _read_past(stream, end - len(data))
                    data, position = b"", 0
                else:
                    position = end
                yield kind, body
                continue
            missing = start + wanted - len(data)
        else:
            missing = 0
        chunk = stream.read(max(chunk_size, missing))
        if not chunk:
            return
        data, position = data[position:] + chunk, 0


def _read_past(stream, count: int, chunk_size: int = 1 << 20) -> None:
    while count > 0:
        chunk = stream.read(min(count, chunk_size))
        if not chunk:
            return
        count -= len(chunk)


# .xlsb record types (MS-XLSB 2.3.2)
_ROW_HEADER, _END_SHEET_DATA = 0x0000, 0x0092
_RK, _ERROR, _REAL, _FORMULA_NUMBER, _FORMULA_ERROR = 0x0002, 0x0003, 0x0005, 0x0009, 0x000B
BUNDLE_SHEET, _END_BUNDLE_SHEETS, _WORKBOOK_PROPERTIES = 0x009C, 0x0090, 0x0099
_FORMAT, _BEGIN_CELL_STYLES, _CELL_STYLE, _END_CELL_STYLES = 0x002C, 0x0269, 0x002F, 0x026A
_ERROR_TEXTS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def xlsb_details(path: Path, grids: dict[str, list[list]]) -> dict[str, dict]:
    """``xls_details`` for an .xlsb file, from its records: numbers whose cell style shows a
    percent, and cells showing an error. Whole numbers shown as a date, which calamine gives
    as numbers, become dates in ``grids``. The parts were measured by the survey first."""
    from ctgxl.reading.safety import UnreadableFile  # safety measures sheets with this module

    details: dict[str, dict] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = {name.lower(): name for name in archive.namelist()}

            def part(name: str) -> str | None:
                return names.get(name.lower())

            styles = part("xl/styles.bin")
            percent_styles, date_styles = _xlsb_styles(archive, styles) if styles else (set(), set())
            if part("xl/workbook.bin") is None:
                return details
            sheets, epoch = workbook_sheets(archive)
            for title, sheet_part in sheets:
                grid = grids.get(title)
                if not grid or sheet_part is None:
                    continue
                found = details.setdefault(title, {"percent": set(), "uncached": set(), "errors": {}})
                _xlsb_cells(archive, sheet_part, grid, found, percent_styles, date_styles, epoch)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, IndexError, struct.error, EOFError, UnreadableFile):
        pass  # what calamine read stays read; the formats are then unknown
    return details


def wide_text(body: bytes, offset: int) -> tuple[str, int]:
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
        for kind, body in records(stream):
            if kind == _FORMAT and len(body) >= 6:
                codes[struct.unpack_from("<H", body)[0]] = wide_text(body, 2)[0]
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


def workbook_sheets(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str | None]], date]:
    """(title, part) of each sheet of the .xlsb, in order, and the date of day 0 (1904 or 1900
    system). Part names are matched without regard to case, as calamine does."""
    from ctgxl.reading.packages import part_relations

    names = {name.lower(): name for name in archive.namelist()}
    workbook = names.get("xl/workbook.bin", "xl/workbook.bin")
    targets = {identifier: names[part.lower()]
               for identifier, _, part in part_relations(archive, names, "xl/workbook.bin") if part.lower() in names}
    sheets: list[tuple[str, str | None]] = []
    epoch = date(1899, 12, 30)
    with archive.open(workbook) as stream:
        for kind, body in records(stream, keep=4096):
            if kind == _WORKBOOK_PROPERTIES and body and body[0] & 0x1:
                epoch = date(1904, 1, 1)
            elif kind == BUNDLE_SHEET and len(body) >= 12:
                relation, offset = wide_text(body, 8)
                title, _ = wide_text(body, offset)
                sheets.append((title, targets.get(relation)))
            elif kind == _END_BUNDLE_SHEETS:
                break
    return sheets, epoch


def _xlsb_cells(archive: zipfile.ZipFile, name: str, grid: list[list], found: dict, percent_styles: set[int],
                date_styles: set[int], epoch: date) -> None:
    """One pass over the sheet's records, read whole (the survey measured the part): a loop
    written out rather than ``records``, which costs ten times calamine's own reading."""
    data = archive.read(name)
    unpack, size_of, length, height = struct.unpack_from, len(data), len, len(grid)
    numbers, errors = (_RK, _REAL, _FORMULA_NUMBER), (_ERROR, _FORMULA_ERROR)
    wanted = frozenset(numbers + errors)
    position = row = 0
    try:
        while position < size_of:
            kind = data[position]
            if kind < 0x80:  # most records: a one-byte type and a one-byte size
                position += 1
            else:
                kind = (kind & 0x7F) | ((data[position + 1] & 0x7F) << 7)
                position += 2
            size = data[position]
            if size < 0x80:
                position += 1
            else:
                size = shift = 0
                for _ in range(4):
                    byte = data[position]
                    position += 1
                    size |= (byte & 0x7F) << shift
                    if not byte & 0x80:
                        break
                    shift += 7
            if kind not in wanted:
                if kind == _ROW_HEADER and size >= 4:
                    row = unpack("<I", data, position)[0]
                elif kind == _END_SHEET_DATA:
                    return
            elif size >= 9 and row < height:
                column, style = unpack("<II", data, position)
                cells = grid[row]
                if column < length(cells):
                    style &= 0xFFFFFF
                    if kind in errors:
                        found["errors"][(row + 1, column)] = _ERROR_TEXTS.get(data[position + 8], "#N/A")
                    elif style in percent_styles:
                        found["percent"].add((row + 1, column))
                    elif style in date_styles and type(cells[column]) in (int, float):
                        # calamine dates neither the integer form of RK nor a style it did not parse
                        cells[column] = _serial_date(cells[column], epoch)
            position += size
    except IndexError:  # a record cut short: what was read stays
        return


def _serial_date(serial: float, epoch: date):
    """The day (and time) a serial stands for (Excel's 1900 system counts a 29/02/1900 that
    never was: 60 stays a number, which the reading of dates reports)."""
    days = int(serial)
    if serial < 1 or (epoch.year == 1899 and days == 60):
        return serial
    start = date(1899, 12, 31) if epoch.year == 1899 and days < 60 else epoch
    try:
        day = start + timedelta(days=days)
    except OverflowError:
        return serial
    fraction = serial - days
    if not fraction:
        return day
    return datetime(day.year, day.month, day.day) + timedelta(seconds=round(fraction * 86400))
