"""Workbooks that Excel or LibreOffice open without a question, made readable for calamine:

- encrypted with Excel's built-in key "VelvetSweatshop" (what Excel writes when a sheet or
  the structure is protected, without a password to open): decrypted with msoffcrypto-tool;
- packages laid out unusually (parts named with backslashes, a workbook part elsewhere than
  ``xl/workbook.xml``): parts are found through their relationships, as OPC says;
- Excel 4.0 macro sheets and dialog sheets next to worksheets: left out, and said.

Each gives a private copy in a temporary folder; the person's file is never touched. The
copy is written from parts whose size ``grids._check_zip`` already bounded (zipfile never
inflates a member past its declared size), and read by the same safety survey as any file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from html import escape, unescape

from defusedxml import ElementTree

from ctgxl.reading.safety import DAMAGED, UnreadableFile

DEFAULT_KEY = "VelvetSweatshop"
ENCRYPTED = "Le classeur est protégé par un mot de passe : enregistrez-en une copie sans mot de passe, puis relancez."

_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_IGNORED_SHEETS = ("macrosheet", "dialogsheet")  # also xlMacrosheet, xlIntlMacrosheet


def decrypted_copy(path: Path, folder: Path) -> Path:
    """The workbook decrypted with Excel's built-in key, written in ``folder``. Raises
    UnreadableFile (fichier-chiffre) when a real password is needed."""
    import msoffcrypto

    target = folder / "dechiffre"
    try:
        with open(path, "rb") as handle:
            office = msoffcrypto.OfficeFile(handle)
            office.load_key(password=DEFAULT_KEY)
            with open(target, "wb") as out:
                office.decrypt(out)
    except Exception:  # a password to open (InvalidKeyError), or an encryption it does not know
        raise UnreadableFile("fichier-chiffre", ENCRYPTED) from None
    return target


def xls_encrypted(path: Path) -> bool:
    """Whether an .xls workbook stream starts with a FILEPASS record (RC4 encryption or XOR
    obfuscation), which Excel writes for a password or for its built-in key."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            if stream is None:
                return False
            with ole.openstream(stream) as handle:
                head = handle.read(4096)
    except Exception:
        return False
    position = 0
    while position + 4 <= len(head):
        kind, size = int.from_bytes(head[position:position + 2], "little"), \
            int.from_bytes(head[position + 2:position + 4], "little")
        if kind == 0x002F:
            return True
        if kind in (0x0085, 0x00FC, 0x000A):  # first sheet, shared strings or end: no FILEPASS before
            return False
        position += 4 + size
    return False


def _element(data: bytes):
    try:
        return ElementTree.fromstring(data)
    except Exception:
        raise UnreadableFile("fichier-illisible", "La description du classeur est illisible ou contient des "
                             "déclarations refusées : le fichier n'a pas été lu. Enregistrez-le de nouveau en "
                             ".xlsx depuis Excel ou LibreOffice.") from None


def part_relations(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> list[tuple[str, str, str]]:
    """(Id, type, resolved part name) of the relationships of ``part``."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in names:
        return []
    found = []
    for relation in _element(archive.read(names[rels])):
        if relation.get("TargetMode") == "External":
            continue
        target = relation.get("Target", "").replace("\\", "/")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found.append((relation.get("Id", ""), relation.get("Type", "").rsplit("/", 1)[-1].lower(),
                      posixpath.normpath(resolved).lstrip("/")))
    return found


def _workbook_part(archive: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    for _, kind, target in part_relations(archive, names, ""):
        if kind == "officedocument" and target in names:
            return target
    return None


def needs_copy(archive: zipfile.ZipFile) -> bool:
    """Whether calamine would stumble on this package: an unusual layout, or a macro or dialog sheet."""
    raw = archive.namelist()
    if any("\\" in name or name.startswith("/") for name in raw):
        return True
    names = {name: name for name in raw}
    if "xl/workbook.xml" not in names:
        part = _workbook_part(archive, names)
        if part == "xl/workbook.bin":  # an .xlsb laid out as usual: a copy only to leave out macro sheets
            return any(kind.endswith(_IGNORED_SHEETS) for _, kind, _ in part_relations(archive, names, part))
        return part is not None
    return any(kind.endswith(_IGNORED_SHEETS) for _, kind, _ in part_relations(archive, names, "xl/workbook.xml"))


def usual_copy(path: Path, folder: Path) -> tuple[Path, list[str]]:
    """A copy of the package laid out as Excel lays it out, without macro or dialog sheets,
    and the titles of the sheets left out."""
    try:
        return _usual_copy(path, folder)
    except UnreadableFile:
        raise
    except Exception:  # a damaged part (bad checksum, cut archive)
        raise UnreadableFile("fichier-illisible", DAMAGED) from None


def _usual_copy(path: Path, folder: Path) -> tuple[Path, list[str]]:
    with zipfile.ZipFile(path) as archive:
        # part name as OPC means it (forward slashes, no leading slash) -> member name
        names = {name.replace("\\", "/").lstrip("/"): name for name in archive.namelist()}
        workbook = _workbook_part(archive, names) or ("xl/workbook.xml" if "xl/workbook.xml" in names else None)
        if workbook is None:
            raise UnreadableFile("fichier-illisible", "Le fichier n'est pas un classeur Excel ni LibreOffice (c'est "
                                 "un dossier compressé d'un autre type) : enregistrez le classeur en .xlsx depuis "
                                 "Excel ou LibreOffice.")
        if workbook.endswith(".bin"):
            return _binary_copy(archive, names, workbook, folder)
        book_xml = archive.read(names[workbook])
        parts: dict[str, bytes] = {}
        relations = []
        dropped_ids = set()
        sheet_number = 0
        for identifier, kind, target in part_relations(archive, names, workbook):
            if target not in names:
                continue
            if kind.endswith(_IGNORED_SHEETS):
                dropped_ids.add(identifier)
                continue
            if kind == "worksheet":
                sheet_number += 1
                place = f"xl/worksheets/sheet{sheet_number}.xml"
            elif kind == "sharedstrings":
                place = "xl/sharedStrings.xml"
            elif kind == "styles":
                place = "xl/styles.xml"
            else:
                continue  # themes, pictures, links: nothing ctgxl reads
            parts[place] = archive.read(names[target])
            relations.append((identifier, kind, place))
        custom = next((target for _, kind, target in part_relations(archive, names, "")
                       if kind == "custom-properties" and target in names), None)
        if custom:
            parts["docProps/custom.xml"] = archive.read(names[custom])
    book_xml, dropped = _without_sheets(book_xml, dropped_ids)
    target = folder / "classeur.xlsx"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", _content_types(parts))
        root = [f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>']
        if custom:
            root.append(f'<Relationship Id="rId2" Type="{_OFFICE_RELS}/custom-properties" '
                        'Target="docProps/custom.xml"/>')
        out.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
                     + "".join(root) + "</Relationships>")
        out.writestr("xl/workbook.xml", book_xml)
        kinds = {"worksheet": "worksheet", "sharedstrings": "sharedStrings", "styles": "styles"}
        out.writestr("xl/_rels/workbook.xml.rels",
                     f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
                     + "".join(f'<Relationship Id="{escape(identifier)}" Type="{_OFFICE_RELS}/{kinds[kind]}" '
                               f'Target="{place[3:]}"/>' for identifier, kind, place in relations)
                     + "</Relationships>")
        for place, data in parts.items():
            out.writestr(place, data)
    return target, dropped


def _binary_copy(archive: zipfile.ZipFile, names: dict[str, str], workbook: str,
                 folder: Path) -> tuple[Path, list[str]]:
    """An .xlsb with its parts where calamine looks for them (under xl/, the workbook as
    xl/workbook.bin), without its macro or dialog sheets (calamine refuses a macro sheet)."""
    from ctgxl.reading.xlsb import BUNDLE_SHEET, record_header, wide_text

    info = archive.getinfo(names[workbook])
    if info.file_size > 50_000_000:
        raise UnreadableFile("fichier-trop-gros", f"La description du classeur pèse {info.file_size} octets : ce "
                             "n'est pas un classeur ordinaire, il n'a pas été lu.")
    relations = part_relations(archive, names, workbook)
    left_out = {identifier for identifier, kind, _ in relations if kind.endswith(_IGNORED_SHEETS)}
    data = archive.read(names[workbook])
    kept, dropped, position = [], [], 0
    while (parsed := record_header(data, position)) is not None and parsed[2] + parsed[1] <= len(data):
        kind, size, start = parsed
        if kind == BUNDLE_SHEET and size >= 12:
            relation, offset = wide_text(data[start:start + size], 8)
            if relation in left_out:
                dropped.append(wide_text(data[start:start + size], offset)[0])
                position = start + size
                continue
        kept.append(data[position:start + size])
        position = start + size
    kept.append(data[position:])
    places = {"styles": "xl/styles.bin", "sharedstrings": "xl/sharedStrings.bin"}
    kinds = {"worksheet": "worksheet", "chartsheet": "chartsheet", "styles": "styles",
             "sharedstrings": "sharedStrings"}
    parts: dict[str, tuple[str, str, str]] = {}  # new place -> (Id, kind, member)
    for number, (identifier, kind, part) in enumerate(relations, 1):
        if identifier in left_out or kind not in kinds or part not in names:
            continue  # themes, pictures, links: nothing ctgxl reads
        place = places.get(kind, f"xl/{kind}s/sheet{number}.bin")  # calamine knows a sheet by its folder
        parts[place] = (identifier, kind, names[part])
    rels = "".join(f'<Relationship Id="{escape(identifier)}" Type="{_OFFICE_RELS}/{kinds[kind]}" '
                   f'Target="{place[3:]}"/>' for place, (identifier, kind, _) in parts.items())
    target = folder / "classeur.xlsb"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
                     f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/officeDocument" Target="xl/workbook.bin"/>'
                     "</Relationships>")
        out.writestr("xl/_rels/workbook.bin.rels",
                     f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">{rels}</Relationships>')
        out.writestr("xl/workbook.bin", b"".join(kept))
        for place, (_, _, member) in parts.items():
            out.writestr(place, archive.read(member))
    return target, dropped


_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s[^>]*?/>")
_SHEET_ID = re.compile(rb"""\s[A-Za-z_][\w.-]*:id\s*=\s*["']([^"']*)["']""")
_SHEET_NAME = re.compile(rb"""\sname\s*=\s*["']([^"']*)["']""")


def _without_sheets(book_xml: bytes, identifiers: set[str]) -> tuple[bytes, list[str]]:
    """workbook.xml without the <sheet> entries of these relationships, and their titles."""
    dropped: list[str] = []

    def drop(match: re.Match) -> bytes:
        identifier = _SHEET_ID.search(match.group(0))
        if identifier and identifier.group(1).decode("utf-8", "replace") in identifiers:
            name = _SHEET_NAME.search(match.group(0))
            dropped.append(unescape(name.group(1).decode("utf-8", "replace")) if name else "?")
            return b""
        return match.group(0)

    return (_SHEET.sub(drop, book_xml) if identifiers else book_xml), dropped


def _content_types(parts: dict[str, bytes]) -> str:
    types = {"xl/sharedStrings.xml": "sharedStrings", "xl/styles.xml": "styles"}
    overrides = ['<Override PartName="/xl/workbook.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    for place in parts:
        if place.startswith("xl/worksheets/"):
            kind = "worksheet"
        elif place in types:
            kind = types[place]
        else:
            continue
        overrides.append(f'<Override PartName="/{place}" '
                         f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"/>')
    if "docProps/custom.xml" in parts:
        overrides.append('<Override PartName="/docProps/custom.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>')
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(overrides) + "</Types>")
