"""A small writer of Excel binary workbooks (.xlsb, MS-XLSB), for the tests.

No maintained library writes .xlsb and LibreOffice only reads it, so the test files are made
here, record by record, in the layout Excel writes: shared strings, numbers as RK or real,
errors, booleans, and number formats (built-in ids or custom codes) through cell styles.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Built-in number formats of Excel, by code: a cell given one of these codes uses its id.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "dd/mm/yyyy": 14, "d/m/yyyy": 14}
ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D,
               "#NUM!": 0x24, "#N/A": 0x2A}


@dataclass(frozen=True)
class Formatted:
    """A number shown through a number format (a code such as ``0 %`` or a built-in id)."""

    value: "float | WholeRk"
    number_format: str | int


@dataclass(frozen=True)
class Error:
    """An error value such as ``#N/A``."""

    text: str


@dataclass(frozen=True)
class WholeRk:
    """A whole number in the integer form of the RK record (Excel writes the floating one)."""

    number: int


@dataclass(frozen=True)
class Blank:
    """An empty cell with a style (what some writers leave far to the right)."""


def record(kind: int, body: bytes = b"") -> bytes:
    """One record: its type and its size as 7-bit groups, then its body."""
    return _seven_bits(kind) + _seven_bits(len(body)) + body


def _seven_bits(number: int) -> bytes:
    """``number`` in groups of 7 bits, lowest first, the high bit saying another follows."""
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


def wide(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return struct.pack("<I", len(encoded) // 2) + encoded


class _Styles:
    def __init__(self):
        self.custom: dict[str, int] = {}
        self.xfs: list[int] = [0]  # the format id of each cell style; style 0 is General

    def index(self, number_format: str | int) -> int:
        if isinstance(number_format, int):
            format_id = number_format
        elif number_format in BUILTIN_FORMATS:
            format_id = BUILTIN_FORMATS[number_format]
        else:
            format_id = self.custom.setdefault(number_format, 164 + len(self.custom))
        if format_id not in self.xfs:
            self.xfs.append(format_id)
        return self.xfs.index(format_id)

    def part(self) -> bytes:
        """The style sheet in Excel's order: formats, one font, two fills, one border, the
        « Normal » style and the cell styles (LibreOffice applies none without the others)."""
        data = record(0x0116)  # BrtBeginStyleSheet
        data += record(0x0267, struct.pack("<I", len(self.custom)))  # BrtBeginFmts
        for code, format_id in self.custom.items():
            data += record(0x002C, struct.pack("<H", format_id) + wide(code))  # BrtFmt
        data += record(0x0268)
        # BrtFont: 11 pt, regular, Calibri, automatic colour
        font = struct.pack("<HHHHBBBB", 220, 0, 400, 0, 0, 2, 0, 0) + _COLOUR + b"\x02" + wide("Calibri")
        data += record(0x0263, struct.pack("<I", 1)) + record(0x002B, font) + record(0x0264)
        fill = struct.pack("<I", 0) + _COLOUR + _COLOUR + struct.pack("<I5dI", 0, 0, 0, 0, 0, 0, 0)
        data += record(0x025B, struct.pack("<I", 2)) + record(0x002D, fill) + record(0x002D, fill) + record(0x025C)
        border = b"\0" + (b"\0\0" + _COLOUR) * 5
        data += record(0x0265, struct.pack("<I", 1)) + record(0x002E, border) + record(0x0266)
        data += record(0x0272, struct.pack("<I", 1))  # BrtBeginCellStyleXFs: the « Normal » style's
        data += record(0x002F, struct.pack("<HHHHHBBI", 0xFFFF, 0, 0, 0, 0, 0, 0, 0x0010))
        data += record(0x0273)
        data += record(0x0269, struct.pack("<I", len(self.xfs)))  # BrtBeginCellXFs
        for format_id in self.xfs:  # BrtXF: parent, format, font, fill, border, rotation, indent, flags
            data += record(0x002F, struct.pack("<HHHHHBBI", 0, format_id, 0, 0, 0, 0, 0, 0x0401))
        data += record(0x026A)
        normal = struct.pack("<IHBB", 0, 0x0001, 0, 0xFF) + wide("Normal")  # BrtStyle, built-in style 0
        data += record(0x026B, struct.pack("<I", 1)) + record(0x0030, normal) + record(0x026C)
        return data + record(0x0117)


# A BrtColor: automatic (type 0, RGB valid), black.
_COLOUR = bytes([0x01, 0x00]) + struct.pack("<h", 0) + bytes([0, 0, 0, 0xFF])


def _cell(column: int, value, styles: _Styles, strings: dict[str, int]) -> bytes:
    style = 0
    if isinstance(value, Formatted):
        style, value = styles.index(value.number_format), value.value
    head = struct.pack("<I", column) + struct.pack("<I", style)[:3] + b"\0"
    if isinstance(value, Blank):
        return record(0x0001, struct.pack("<I", column) + struct.pack("<I", styles.index("0%"))[:3] + b"\0")
    if isinstance(value, Error):
        return record(0x0003, head + bytes([ERROR_CODES[value.text]]))
    if isinstance(value, bool):
        return record(0x0004, head + bytes([value]))
    if isinstance(value, WholeRk):  # the RK form of a whole number, which other writers use
        return record(0x0002, head + struct.pack("<i", (value.number << 2) | 0x2))
    if isinstance(value, (int, float)):
        low, high = struct.unpack("<II", struct.pack("<d", float(value)))
        if low == 0 and high & 0x3 == 0:  # BrtCellRk holding the top of the double, as Excel writes 1 or 45611
            return record(0x0002, head + struct.pack("<I", high))
        return record(0x0005, head + struct.pack("<d", float(value)))  # BrtCellReal
    text = str(value)
    return record(0x0007, head + struct.pack("<I", strings.setdefault(text, len(strings))))  # BrtCellIsst


def _sheet(rows: list[list], styles: _Styles, strings: dict[str, int]) -> bytes:
    width = max((len(row) for row in rows), default=1)
    data = record(0x0081)  # BrtBeginSheet
    data += record(0x0094, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, max(width - 1, 0)))  # BrtWsDim
    data += record(0x0091)  # BrtBeginSheetData
    for index, row in enumerate(rows):
        cells = [(column, value) for column, value in enumerate(row) if value is not None and value != ""]
        if not cells:
            continue
        data += record(0x0000, struct.pack("<IIHBBBI", index, 0, 300, 0, 0, 0, 0))  # BrtRowHdr
        for column, value in cells:
            data += _cell(column, value, styles, strings)
    data += record(0x0092)  # BrtEndSheetData
    return data + record(0x0082)


_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MACRO = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsb(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = (),
               macro_sheets: tuple[str, ...] = (), backslashes: bool = False) -> Path:
    """Write ``sheets`` (title → rows of values; a value may be ``Formatted``, ``Error``…).
    The titles in ``macro_sheets`` are written as Excel 4.0 macro sheets; ``backslashes``
    names the parts with backslashes, as some zip tools on Windows do."""
    styles, strings = _Styles(), {}
    targets = {title: (f"macrosheets/sheet{number}.bin", _MACRO) if title in macro_sheets
               else (f"worksheets/sheet{number}.bin", f"{_OFFICE}/worksheet")
               for number, title in enumerate(sheets, 1)}
    parts = {f"xl/{targets[title][0]}": _sheet(rows, styles, strings) for title, rows in sheets.items()}
    book = record(0x0083) + record(0x0099, struct.pack("<II", 0, 0) + wide(""))  # BrtBeginBook, BrtWbProp
    book += record(0x008F)  # BrtBeginBundleShs
    for number, title in enumerate(sheets, 1):
        state = 1 if title in hidden else 0
        book += record(0x009C, struct.pack("<II", state, number) + wide(f"rId{number}") + wide(title))
    book += record(0x0090) + record(0x0084)
    shared = record(0x009F, struct.pack("<II", len(strings), len(strings)))  # BrtBeginSst
    for text in strings:
        shared += record(0x0013, b"\0" + wide(text))  # BrtSSTItem
    shared += record(0x00A0)
    count = len(sheets)
    relationships = "".join(f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}"/>'
                            for number, (target, kind) in enumerate(targets.values(), 1))
    relationships += (f'<Relationship Id="rId{count + 1}" Type="{_OFFICE}/styles" Target="styles.bin"/>'
                      f'<Relationship Id="rId{count + 2}" Type="{_OFFICE}/sharedStrings" Target="sharedStrings.bin"/>')
    overrides = "".join(
        f'<Override PartName="/{name}" ContentType="application/vnd.ms-excel.'
        f'{"macrosheet" if "macrosheets" in name else "worksheet"}"/>' for name in parts)
    members = {
        "[Content_Types].xml": f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}'
        '<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/>'
        '<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/></Types>',
        "_rels/.rels": f'{_XML_HEAD}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.bin"/></Relationships>',
        "xl/_rels/workbook.bin.rels": f'{_XML_HEAD}<Relationships xmlns="{_RELS}">{relationships}</Relationships>',
        "xl/workbook.bin": book, **parts, "xl/styles.bin": styles.part(), "xl/sharedStrings.bin": shared,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name.replace("/", "\\") if backslashes else name, data)
    return path


def xlsb_copy(source: Path, target: Path, change=None, **options) -> Path:
    """The values and number formats of an .xlsx written as an .xlsb, as Excel's « Enregistrer
    sous » would (dates become day numbers shown through their date format). ``change`` may
    alter the sheets (title → rows) before they are written."""
    from datetime import date, datetime, time

    import openpyxl
    from openpyxl.utils.datetime import to_excel

    book = openpyxl.load_workbook(source)
    sheets: dict[str, list[list]] = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                value = cell.value
                if isinstance(value, (datetime, date, time)):
                    value = to_excel(value)
                    value = int(value) if float(value).is_integer() else value
                if isinstance(value, (int, float)) and not isinstance(value, bool) \
                        and cell.number_format not in ("General", None):
                    value = Formatted(value, cell.number_format)
                values.append(value)
            rows.append(values)
        sheets[sheet.title] = rows
    hidden = tuple(sheet.title for sheet in book.worksheets if sheet.sheet_state != "visible")
    if change is not None:
        change(sheets)
    return write_xlsb(target, sheets, hidden, **options)
