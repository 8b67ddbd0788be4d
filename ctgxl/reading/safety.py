"""Looks at a file before any parser does, so that a damaged or hostile workbook becomes a
finding instead of exhausting the machine.

- Every zip member is inflated once, in bounded chunks: a member that inflates past the size
  its header declares (a "lying" zip bomb) refuses the file; after this pass, every later
  reading (calamine, openpyxl, zipfile) is bounded by the declared sizes, which
  ``_check_zip`` already holds under the limits.
- The extent of each sheet (last row, last column of a cell holding a value) is measured from
  its XML (or .xlsb records, or .ods repetitions) before calamine builds a grid for it:
  calamine allocates rows × columns cells at once, so a single cell in XFD1048576 would ask
  for 17 billion cells and abort the process.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from ctgxl.limits import Limits
from ctgxl.reading.xlsb import BinarySheetExtent

CHUNK = 1 << 20
MAX_MEMBERS = 20_000
SHEET_FOLDERS = ("xl/worksheets/", "xl/macrosheets/", "xl/dialogsheets/")
DAMAGED = ("Le fichier est endommagé (incomplet ou corrompu) : demandez à son auteur de "
            "l'enregistrer de nouveau.")


class UnreadableFile(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Survey:
    """What the first pass over a zip-based workbook found."""

    extents: dict[str, tuple[int, int]] = field(default_factory=dict)  # sheet part -> (rows, columns)
    filled: dict[str, int] = field(default_factory=dict)  # sheet part -> cells written in it
    sheet_parts: dict[str, str] = field(default_factory=dict)          # sheet title -> part (xlsx)
    macros: bool = False
    # sheet part -> cells covered by its merged ranges and hyperlinks (openpyxl makes one object each)
    spans: dict[str, int] = field(default_factory=dict)

    def too_large(self, limits: Limits) -> dict[str, tuple[int, int]]:
        return {part: size for part, size in self.extents.items()
                if exceeds(*size, limits) or sparse(*size, self.filled.get(part))}

    def sparse_parts(self) -> set[str]:
        return {part for part, size in self.extents.items() if sparse(*size, self.filled.get(part))}

    def openpyxl_problem(self, limits: Limits) -> str | None:
        """Why loading this workbook whole with openpyxl (as `check --annoter` does) would
        exhaust the machine, in French, or None."""
        titles = {part: title for title, part in self.sheet_parts.items()}
        for part, (rows, columns) in self.too_large(limits).items():
            return (f"la feuille « {titles.get(part, part)} » annonce {rows} lignes et {columns} colonnes, "
                    "au-delà des limites")
        for part, cells in self.spans.items():
            if cells > limits.max_cells:
                return (f"la feuille « {titles.get(part, part)} » a des cellules fusionnées ou des liens qui couvrent "
                        f"{cells} cellules, au-delà de la limite de {limits.max_cells}")
        return None


def exceeds(rows: int, columns: int, limits: Limits) -> bool:
    return rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells


# A reader builds the whole rectangle of a sheet: one spanning far more cells than are written
# in it (a note in the last row, repetitions, a declared size that lies) would cost memory and
# time out of proportion to its content.
SPARSE_AREA = 1_000_000
SPARSE_RATIO = 100


def sparse(rows: int, columns: int, filled: int | None) -> bool:
    """Whether a sheet spans more than SPARSE_AREA cells and SPARSE_RATIO times the cells
    written in it (None: not counted)."""
    area = rows * columns
    return filled is not None and area > SPARSE_AREA and area > SPARSE_RATIO * max(filled, 1)


def sparse_message(title: str, size: tuple[int, int], filled: int) -> str:
    return (f"La feuille « {title} » s'étend sur {size[0]} lignes et {size[1]} colonnes pour seulement {filled} "
            "cellules écrites : elle n'a pas été lue (la lire coûterait une mémoire sans rapport avec son contenu). "
            "Supprimez les lignes et colonnes vides au-delà des données (ou la cellule isolée tout en bas ou à "
            "droite), puis enregistrez de nouveau.")


MAX_DIRECTORY_BYTES = 16_000_000


def check_zip_directory(path: Path) -> None:
    """Refuse an archive whose table of contents announces more parts than a workbook has,
    before zipfile reads it (it builds one object per part). Damaged archives are left to
    zipfile, which says so."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return
    count, directory_bytes = struct.unpack("<HI", tail[at + 10:at + 16])
    if count != 0xFFFF and count > MAX_MEMBERS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise UnreadableFile("fichier-trop-gros", f"Le fichier annonce {count if count != 0xFFFF else 'plus de 65 535'} "
                             f"parties et une table des matières de {directory_bytes} octets : ce n'est pas un "
                             "classeur ordinaire, il n'a pas été lu.")


def survey_zip(path: Path, limits: Limits) -> Survey:
    """Inflate every member once (bounded), measure the sheets. Raises UnreadableFile."""
    survey = Survey()
    try:
        with zipfile.ZipFile(path) as archive, open(path, "rb") as handle:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise UnreadableFile("fichier-trop-gros", f"Le fichier compte {len(infos)} parties, au-delà de "
                                     f"{MAX_MEMBERS} : ce n'est pas un classeur ordinaire, il n'a pas été lu.")
            names = {info.filename for info in infos}
            survey.macros = any(name.lower().endswith("vbaproject.bin") or name.startswith(("Basic/", "Scripts/"))
                                for name in names)
            sheet_parts, titles = _xlsx_sheet_parts(archive, names) if "xl/workbook.xml" in names else (set(), {})
            if "xl/workbook.bin" in names:  # each too large .xlsb sheet is then left out alone
                titles = _xlsb_sheet_parts(archive)
            survey.sheet_parts = titles
            for info in infos:
                if info.is_dir():
                    continue
                if info.flag_bits & 0x1:
                    raise UnreadableFile("fichier-illisible", "Une partie du fichier est chiffrée : "
                                         "ce n'est pas un classeur Excel ordinaire, il n'a pas été lu.")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise UnreadableFile("fichier-illisible", "Une partie du fichier est compressée d'une manière "
                                         "inhabituelle : le fichier n'a pas été lu. "
                                         "Enregistrez-le de nouveau depuis Excel ou LibreOffice.")
                name = info.filename
                if name in sheet_parts or (name.startswith(SHEET_FOLDERS) and name.endswith(".xml")):
                    scanner = _XmlSheetExtent()
                elif name.startswith("xl/worksheets/") and name.endswith(".bin"):
                    scanner = BinarySheetExtent()
                elif name == "content.xml":
                    scanner = _OdsExtent()
                else:
                    scanner = None
                for chunk in _inflate(handle, info):
                    if scanner is not None:
                        scanner.feed(chunk)
                if isinstance(scanner, _OdsExtent):
                    for title, size in scanner.finish().items():
                        if exceeds(*size, limits):
                            raise UnreadableFile("feuille-trop-grande", _too_large_message(title, size, limits)
                                                 + " Le classeur n'a pas été lu.")
                        if sparse(*size, scanner.filled.get(title, 0)):
                            raise UnreadableFile("feuille-trop-grande", sparse_message(
                                title, size, scanner.filled.get(title, 0)) + " Le classeur n'a pas été lu.")
                elif scanner is not None:
                    if isinstance(scanner, BinarySheetExtent) and scanner.cut:
                        raise UnreadableFile("fichier-illisible", DAMAGED)
                    size = scanner.finish()
                    if size is None:  # cells in an unusual form: measured again, tag by tag
                        scanner = _XmlSheetExtent(exact=True)
                        for chunk in _inflate(handle, info):
                            scanner.feed(chunk)
                        size = scanner.finish()
                    previous = survey.extents.get(name, (0, 0))
                    survey.extents[name] = (max(size[0], previous[0]), max(size[1], previous[1]))
                    survey.filled[name] = survey.filled.get(name, 0) + scanner.cells
                    if isinstance(scanner, _XmlSheetExtent):
                        survey.spans[name] = survey.spans.get(name, 0) + scanner.spans
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError,
            zlib.error, struct.error):
        raise UnreadableFile("fichier-illisible", DAMAGED) from None
    large = survey.too_large(limits)
    unmapped = [part for part in large if part not in survey.sheet_parts.values()]
    if unmapped:
        rows, columns = large[unmapped[0]]
        raise UnreadableFile("feuille-trop-grande", f"Une feuille du classeur annonce {rows} lignes et {columns} "
                             f"colonnes, au-delà des limites ({limits.max_rows} lignes, {limits.max_columns} "
                             "colonnes) : le classeur n'a pas été lu.")
    return survey


def _too_large_message(title: str, size: tuple[int, int], limits: Limits) -> str:
    return (f"La feuille « {title} » annonce {size[0]} lignes et {size[1]} colonnes, au-delà des limites "
            f"({limits.max_rows} lignes, {limits.max_columns} colonnes, {limits.max_cells} cellules).")


def _inflate(handle, info: zipfile.ZipInfo):
    """The member's inflated bytes, in chunks of at most CHUNK. Raises UnreadableFile when it
    inflates past its declared size."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise UnreadableFile("fichier-illisible", DAMAGED)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    produced = 0
    decompressor = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while True:
        if decompressor is None:
            if left <= 0:
                break
            out = handle.read(min(left, CHUNK))
            if not out:
                raise UnreadableFile("fichier-illisible", DAMAGED)
            left -= len(out)
        else:
            data = decompressor.unconsumed_tail
            if not data and left > 0 and not decompressor.eof:
                data = handle.read(min(left, CHUNK))
                if not data:
                    raise UnreadableFile("fichier-illisible", DAMAGED)
                left -= len(data)
            out = decompressor.decompress(data, CHUNK) if data else b""
            if not out and not decompressor.unconsumed_tail and (left <= 0 or decompressor.eof):
                break
        produced += len(out)
        if produced > info.file_size:
            raise UnreadableFile("fichier-illisible", f"La partie « {info.filename[:80]} » du fichier se décompresse "
                                 f"au-delà de la taille qu'elle annonce ({info.file_size} octets) : le fichier est "
                                 "endommagé ou piégé, il n'a pas été lu.")
        if out:
            yield out


def _xlsx_sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> tuple[set[str], dict[str, str]]:
    """Every part the workbook names as a sheet, and sheet title -> part for the worksheets."""
    try:
        workbook = _small_xml(archive, "xl/workbook.xml")
        relations = _small_xml(archive, "xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names \
            else None
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile("fichier-illisible", "La description du classeur (xl/workbook.xml) est illisible ou "
                             "contient des déclarations XML refusées : le fichier n'a pas été lu.") from None
    targets: dict[str, str] = {}
    parts: set[str] = set()
    for relation in (relations if relations is not None else []):
        target = relation.get("Target", "")
        candidates = {_normalise(target.lstrip("/")), _normalise(posixpath.join("xl", target))}
        kind = relation.get("Type", "").rsplit("/", 1)[-1].lower()
        if kind.endswith("sheet"):
            parts |= candidates
            present = [candidate for candidate in candidates if candidate in names]
            if present:
                targets[relation.get("Id")] = present[0]
    titles: dict[str, str] = {}
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        relation = next((value for key, value in element.attrib.items()
                         if key.rsplit("}", 1)[-1] == "id" and key != "sheetId"), None)
        if relation in targets and element.get("name") is not None:
            titles[element.get("name")] = targets[relation]
    return parts, titles


def _xlsb_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    from ctgxl.reading.xlsb import workbook_sheets

    try:
        sheets, _ = workbook_sheets(archive)
    except Exception:  # calamine says what is wrong with the workbook part
        return {}
    return {title: part for title, part in sheets if part}


def _small_xml(archive: zipfile.ZipFile, name: str):
    info = archive.getinfo(name)
    if info.file_size > 50_000_000:
        raise UnreadableFile("fichier-trop-gros", f"La partie « {name} » pèse {info.file_size} octets : ce n'est "
                             "pas un classeur ordinaire, il n'a pas été lu.")
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    return ElementTree.fromstring(data)


def _normalise(target: str) -> str:
    return posixpath.normpath(target).lstrip("/") if target else ""


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^<>]*)>")
_R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]*)\s*(\d*)\s*["']""")
# Fast path: every cell written as Excel, LibreOffice, openpyxl and xlsxwriter write it, `<c r="B7"`.
# Only cells holding something count: an empty styled cell (`<c r="AMJ1" s="3"/>`, which older
# LibreOffice writes to the sheet's last column) shows nothing, and calamine leaves it out of its grid.
_CELL_TAGS = re.compile(rb'<c[\s/>]')
_FILLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>/]*>(?!</c>)')
_EMPTY_CELL = re.compile(rb'<c r="[A-Z]{1,3}\d+"[^>/]*(?:/>|></c>)')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_SPAN = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell|hyperlink)\s[^<>]*?\bref\s*=\s*["']([^"']*)["']""")
_RANGE = re.compile(rb"([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?")


def _span(references: bytes) -> int:
    """Cells covered by a reference such as `A1:XFD1048576 B2`."""
    total = 0
    for first, top, last, bottom in _RANGE.findall(references):
        if last:
            columns = abs(_column_number(last) - _column_number(first)) + 1
            total += columns * (abs(int(bottom) - int(top)) + 1)
        else:
            total += 1
    return total


class _XmlSheetExtent:
    """Last row and column holding a cell in a worksheet's XML, fed in chunks.

    The fast path reads the cells' `r` references with C-speed regular expressions (a cell's
    reference alone places it, whatever its row says). A part with a cell lacking its
    reference, or with prefixed tags, is measured again by the exact tag-by-tag path
    (``exact=True``), which places unreferenced rows and cells by their order as calamine does.
    """

    def __init__(self, exact: bool = False):
        self.exact = exact
        self.fallback = False
        self.carry = b""
        self.rows = 0
        self.columns = 0
        self.row = 0
        self.column = 0
        self.spans = 0
        self.cells = 0

    def feed(self, chunk: bytes) -> None:
        if self.fallback:
            return
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut < 0:
            self.carry = b""
            return
        if data.find(b">", cut) >= 0:  # the last tag is complete: keep nothing back
            cut = len(data)
        self.carry = data[cut:][-65536:]
        self._scan(data[:cut])

    def _scan(self, data: bytes) -> None:
        if b"mergeCell" in data or b"hyperlink" in data:
            self.spans += sum(_span(reference) for reference in _SPAN.findall(data))
        if not self.exact:
            tags = len(_CELL_TAGS.findall(data))
            if not tags:
                if _PREFIXED.search(data):
                    self.fallback = True
                return
            filled = _FILLED_CELL.findall(data)
            if len(filled) + len(_EMPTY_CELL.findall(data)) != tags or _PREFIXED.search(data):
                self.fallback = True  # a cell in another form: placed tag by tag
                return
            self.cells += tags
            if filled:
                letters, digits = zip(*filled)
                self.columns = max(self.columns, max(map(_column_number, set(letters))))
                self.rows = max(self.rows, max(map(int, set(digits))))
            return
        for match in _SHEET_TAG.finditer(data):
            reference = _R_ATTRIBUTE.search(match.group(2))
            if match.group(1) == b"row":
                self.row = int(reference.group(2)) if reference and reference.group(2) else self.row + 1
                self.column = 0
                continue
            if reference and reference.group(1):
                self.column = _column_number(reference.group(1))
                if reference.group(2):
                    self.row = int(reference.group(2))
            else:
                self.column += 1
            self.cells += 1
            if match.group(2).rstrip().endswith(b"/"):
                continue  # an empty cell (a style only): it takes its place, shows nothing
            self.rows = max(self.rows, self.row)
            self.columns = max(self.columns, self.column)

    def finish(self) -> tuple[int, int] | None:
        """(rows, columns), or None when the part must be measured again with ``exact=True``."""
        if self.carry and not self.fallback:
            self._scan(self.carry)
            self.carry = b""
        return None if self.fallback else (self.rows, self.columns)


_ODS_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
                      rb"([^<>]*)>")
_ODS_NAME = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?name\s*=\s*"([^"]*)\"""")
_ODS_ROWS = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?number-rows-repeated\s*=\s*["'](\d+)["']""")
_ODS_COLUMNS = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?number-columns-repeated\s*=\s*["'](\d+)["']""")
_ODS_VALUE = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?value-type\s*=""")


class _OdsExtent:
    """Rows and columns each table of an .ods spans once repetitions are expanded, counting
    only repeated cells that hold something (LibreOffice repeats empty ones to the sheet's end)."""

    def __init__(self):
        self.carry = b""
        self.tables: dict[str, tuple[int, int]] = {}
        self.filled: dict[str, int] = {}  # table -> cell elements holding something, as written
        self.name = ""
        self.row = self.rows = self.columns = 0
        self.repeat_rows = 1
        self.row_start = 0
        self.column = 0
        self.row_width = 0
        self.in_cell = False
        self.cell_start = 0
        self.cell_repeat = 1
        self.cell_filled = False

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut < 0:
            self.carry = b""
            return
        if data.find(b">", cut) >= 0:
            cut = len(data)
        self.carry = data[cut:][-65536:]
        self._scan(data[:cut])

    def _scan(self, data: bytes) -> None:
        for match in _ODS_TAG.finditer(data):
            closing, tag, attributes = match.group(1), match.group(2), match.group(3)
            empty = attributes.endswith(b"/")
            if tag == b"table":
                if closing:
                    self.tables[self.name] = (self.rows, self.columns)
                else:
                    name = _ODS_NAME.search(attributes)
                    self.name = name.group(1).decode("utf-8", "replace") if name else ""
                    self.row = self.rows = self.columns = 0
            elif tag == b"table-row":
                if closing:
                    self._end_row()
                else:
                    repeat = _ODS_ROWS.search(attributes)
                    self.repeat_rows = int(repeat.group(1)) if repeat else 1
                    self.row_start, self.column, self.row_width = self.row, 0, 0
                    if empty:
                        self._end_row()
            else:
                if closing:
                    self._end_cell(True)
                    continue
                repeat = _ODS_COLUMNS.search(attributes)
                self.cell_repeat = int(repeat.group(1)) if repeat else 1
                self.cell_filled = bool(_ODS_VALUE.search(attributes))
                if empty:
                    self._end_cell(False)
                else:
                    self.in_cell = True

    def _end_cell(self, had_content: bool) -> None:
        if self.cell_filled or had_content:
            self.row_width = self.column + self.cell_repeat
            self.filled[self.name] = self.filled.get(self.name, 0) + 1
        self.column += self.cell_repeat
        self.in_cell = False

    def _end_row(self) -> None:
        if self.row_width:
            self.rows = max(self.rows, self.row_start + self.repeat_rows)
            self.columns = max(self.columns, self.row_width)
        self.row = self.row_start + self.repeat_rows

    def finish(self) -> dict[str, tuple[int, int]]:
        if self.carry:
            self._scan(self.carry)
        return self.tables


def ole_markers(path: Path) -> tuple[bool, bool]:
    """(encrypted, macros) of an OLE2 compound file: whether its directory names an
    ``EncryptedPackage`` stream (a workbook with a password to open) or a VBA project.

    Directory entries are 128 bytes, aligned on 128 in the file, and start with the UTF-16
    name followed by its length in bytes: only such places count, wherever the directory lies
    (it may come after megabytes of data), so text inside a cell never matches.
    """
    wanted = {"EncryptedPackage": "encrypted", "_VBA_PROJECT_CUR": "macros", "_VBA_PROJECT": "macros",
              "VBA": "macros"}
    patterns = {(name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0") + struct.pack("<H", 2 * len(name) + 2): what
                for name, what in wanted.items()}
    found = set()
    with open(path, "rb") as handle:
        while True:
            block = handle.read(CHUNK)
            if not block:
                break
            for entry in range(0, len(block) - 65, 128):
                what = patterns.get(block[entry:entry + 66])
                if what:
                    found.add(what)
    return "encrypted" in found, "macros" in found


# --- Excel 97-2003 (.xls) -------------------------------------------------------------------

_BIFF_BOF, _BIFF_BOUNDSHEET, _BIFF_DIMENSIONS = 0x0809, 0x0085, 0x0200
_BIFF_CELLS = {0x0203, 0x00FD, 0x027E, 0x0006, 0x0201, 0x0205, 0x0204, 0x00D6}  # row u16, column u16
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column (u16 at the end)


def survey_ole(path: Path, limits: Limits) -> Survey:
    """The extent of each sheet of an .xls, from its declared dimensions and its cell records,
    measured before calamine builds the sheet's rectangle. Sheets are keyed by title. A file
    this cannot parse is left to calamine (in its capped worker), which says what is wrong."""
    import io

    from xlrd import compdoc

    survey = Survey()
    try:
        document = compdoc.CompDoc(path.read_bytes(), logfile=io.StringIO())
        for name in ("Workbook", "Book"):
            memory, start, size = document.locate_named_stream(name)
            if memory is not None:
                break
        else:
            return survey
        data = memory[start:start + size]
    except Exception:
        return survey
    titles: dict[int, str] = {}
    title = None
    at = 0
    while at + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, at)
        body = data[at + 4:at + 4 + size]
        if kind == _BIFF_BOUNDSHEET and len(body) >= 8:
            titles[struct.unpack_from("<I", body)[0]] = _biff_title(body[6:])
        elif kind == _BIFF_BOF:
            title = titles.get(at)
            if title is not None:
                survey.sheet_parts[title] = title
                survey.extents.setdefault(title, (0, 0))
                survey.filled.setdefault(title, 0)
        elif title is not None:
            extent = None
            if kind == _BIFF_DIMENSIONS:
                if len(body) >= 14:
                    _, rows, _, columns = struct.unpack_from("<IIHH", body)
                    extent = (rows, columns)
                elif len(body) >= 8:
                    _, rows, _, columns = struct.unpack_from("<HHHH", body)
                    extent = (rows, columns)
            elif kind in _BIFF_CELLS and len(body) >= 4:
                row, column = struct.unpack_from("<HH", body)
                extent = (row + 1, column + 1)
                survey.filled[title] += 1
            elif kind in _BIFF_MULTI and len(body) >= 6:
                row, first = struct.unpack_from("<HH", body)
                last = struct.unpack_from("<H", body, len(body) - 2)[0]
                extent = (row + 1, last + 1)
                survey.filled[title] += max(1, last - first + 1)
            if extent is not None:
                rows, columns = survey.extents[title]
                survey.extents[title] = (max(rows, extent[0]), max(columns, extent[1]))
        at += 4 + size
    return survey


def _biff_title(data: bytes) -> str:
    """A sheet name of a BOUNDSHEET record (BIFF8: length, flags, then Latin-1 or UTF-16)."""
    if len(data) < 2:
        return ""
    length, flags = data[0], data[1]
    if flags & 1:
        return data[2:2 + 2 * length].decode("utf-16-le", "replace")
    return data[2:2 + length].decode("latin-1")
