"""Reads workbooks as people fill them: finds the standard sheets and their header rows,
and returns each data row with the cells it came from.

python-calamine reads the values (fast, every format). For .xlsx files whose cells carry
a percent format or formulas, openpyxl is used as well, since only it sees formats and
formula text; that choice is made per file from a quick look inside the zip.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from defusedxml import ElementTree

from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding, cell_ref
from ctgxl.limits import Limits
from ctgxl.safety import UnreadableFile, check_zip_directory, exceeds, ole_markers, survey_zip
from ctgxl.standard import DATA_SHEETS, IDENTIFICATION, Column, Sheet, header_index, load, year_column
from ctgxl.text import fold
from ctgxl.values import as_text, is_empty
from ctgxl.writer import LISTS, PROPERTY_KIND, PROPERTY_VERSION, PROVENANCE, RECORD_HEADER

HEADER_SEARCH_ROWS = 20
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_YEAR_HEADER = re.compile(r"(19|20|21)\d\d")
_SHEET_ALIASES = {
    fold("Plan d'action"): "Plan d'actions",
    fold("Plan des actions"): "Plan d'actions",
    fold("Fiches actions"): "Plan d'actions",
    fold("Equipement"): "Équipements",
    fold("Liste des équipements"): "Équipements",
    fold("Suivi"): "Suivi des indicateurs",
    fold("Indicateurs"): "Suivi des indicateurs",
    fold("Diagnostic partagé"): "Diagnostic",
}
# Sheets ctgxl writes for people to read, never data to read back.
REPORT_SHEETS = {fold(name) for name in ("Lisez-moi", "Synthèse", "Contrôles", "Sources")}
_PROVENANCE_IDS = {fold(header): f"_source_{index}" for index, header in enumerate(PROVENANCE)}


@dataclass
class SheetTable:
    """One recognised data sheet: where its header is, and its rows as typed by people."""

    spec: Sheet
    title: str
    header_row: int
    positions: dict[str, int]
    columns: tuple[Column, ...]
    extra: list[tuple[str, int]]
    rows: list[int]
    values: dict[str, list]
    percent: set[tuple[int, str]] = field(default_factory=set)
    # Non-empty rows above the header (titles, notes), as (Excel row, cells).
    preamble: list[tuple[int, list]] = field(default_factory=list)

    def cell(self, index: int, column_id: str) -> str | None:
        position = self.positions.get(column_id)
        return cell_ref(self.rows[index], position) if position is not None else None


@dataclass
class ReadWorkbook:
    path: Path
    name: str
    readable: bool = True
    kind: str | None = None
    version: int | None = None
    identification: dict[str, object] = field(default_factory=dict)
    identification_cells: dict[str, str] = field(default_factory=dict)
    identification_title: str = IDENTIFICATION
    tables: dict[str, SheetTable] = field(default_factory=dict)
    # Sheets outside the standard, kept cell by cell so that `format` loses nothing.
    others: dict[str, list[list]] = field(default_factory=dict)
    # Identification rows whose label is not a standard field, as (label, value).
    identification_extra: list[tuple[str, object]] = field(default_factory=list)
    old_headers: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sha256: str = ""

    def finding(self, sheet, cell, row, column, code, severity, message) -> None:
        self.findings.append(Finding(self.name, sheet, cell, row, column, code, severity, message))

    @property
    def contributor(self) -> str:
        return as_text(self.identification.get("service") or "") or Path(self.name).stem


def read_workbook(path: Path, name: str | None = None, limits: Limits | None = None) -> ReadWorkbook:
    """Read one file. Never raises for a bad file: problems become findings."""
    path = Path(path)
    book = ReadWorkbook(path=path, name=name or str(path))
    limits = limits or Limits()
    try:
        book.sha256 = _sha256(path, limits)
        grids, hidden, record, formats, notes = _load(path, limits)
    except UnreadableFile as problem:
        book.readable = False
        book.finding(None, None, None, None, problem.code, ERREUR, problem.message)
        return book
    for code, message in notes:
        book.finding(None, None, None, None, code, AVERTISSEMENT, message)
    _recognise(book, grids, hidden, record, formats, limits)
    return book


def _sha256(path: Path, limits: Limits) -> str:
    try:
        status = path.stat()
    except OSError as error:
        raise UnreadableFile("fichier-illisible", f"Le fichier ne peut pas être ouvert ({_os_error(error)}).") from None
    if not stat.S_ISREG(status.st_mode):
        raise UnreadableFile("fichier-illisible", "Ce n'est pas un fichier ordinaire (dossier, tube ou périphérique) : "
                             "il n'a pas été ouvert.")
    size = status.st_size
    if size == 0:
        raise UnreadableFile("fichier-illisible", "Le fichier est vide (0 octet) : ce n'est pas un classeur.")
    if size > limits.max_file_bytes:
        raise UnreadableFile(
            "fichier-trop-gros",
            f"Le fichier pèse {_bytes(size)}, au-delà de la limite de {_bytes(limits.max_file_bytes)} "
            "(variable CTGXL_MAX_FICHIER_OCTETS) : il n'a pas été lu.",
        )
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_OS_ERRORS = {
    errno.ENOENT: "il n'existe pas ou plus",
    errno.EACCES: "accès refusé",
    errno.EPERM: "accès refusé",
    errno.ELOOP: "lien symbolique qui boucle sur lui-même",
    errno.EISDIR: "c'est un dossier",
    errno.ENAMETOOLONG: "nom trop long",
}


def _os_error(error: OSError) -> str:
    return _OS_ERRORS.get(error.errno, f"erreur système {error.errno}" if error.errno else "erreur système")


def _bytes(count: int) -> str:
    """A size as a French reader expects it: 950 octets, 12,5 Mo."""
    if count < 1_000_000:
        return f"{count:,} octets".replace(",", "\u202f")
    return f"{count / 1e6:,.1f} Mo".replace(",", "\u202f").replace(".", ",")


# --- Loading cells -------------------------------------------------------------------

def _sniff(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "other"


def _load(path: Path, limits: Limits):
    """Cells of every sheet as lists of rows, which sheets are hidden, the recorded
    template (kind, version), and the cells whose format is a percent."""
    kind = _sniff(path)
    record: dict[str, str] = {}
    notes: list[tuple[str, str]] = []
    percent_needed = formulas = macros = False
    survey = None
    parts_read: dict[str, bytes] = {}  # zip members inflated by _inspect_xlsx, read again by _xml_details
    if kind == "zip":
        names = _check_zip(path, limits)
        if "EncryptedPackage" in names:
            raise UnreadableFile("fichier-chiffre", _ENCRYPTED)
        if "xl/workbook.xml" not in names and "content.xml" not in names and "xl/workbook.bin" not in names:
            raise UnreadableFile("fichier-illisible", "Le fichier est une archive zip mais pas un classeur Excel ni LibreOffice.")
        survey = survey_zip(path, limits)  # every later reading is bounded by what it checked
        macros = survey.macros
        if "xl/workbook.xml" in names:
            record, percent_needed, formulas = _inspect_xlsx(path, names, parts_read)
            format_name, suffixes = "Excel (.xlsx)", _XLSX_SUFFIXES
        elif "content.xml" in names:
            format_name, suffixes = "LibreOffice (.ods)", {".ods", ".ots"}
        else:
            format_name, suffixes = "Excel binaire (.xlsb)", {".xlsb"}
    elif kind == "ole":
        encrypted, macros = ole_markers(path)
        if encrypted:
            raise UnreadableFile("fichier-chiffre", _ENCRYPTED)
        format_name, suffixes = "Excel 97-2003 (.xls)", {".xls", ".xlt"}
    else:
        raise UnreadableFile("fichier-illisible", _not_a_workbook(path))
    by_content = path.suffix.lower() not in suffixes
    if by_content:
        notes.append(("extension-incorrecte", f"Le fichier porte l'extension « {path.suffix or '(aucune)'} » mais "
                      f"c'est un classeur {format_name} : il a été lu d'après son contenu. Renommez-le ou "
                      "enregistrez-le de nouveau au format .xlsx."))
    if macros:
        notes.append(("macros-ignorees", "Le classeur contient des macros (VBA ou scripts) : ctgxl ne les exécute "
                      "jamais et ne les recopie pas dans les classeurs qu'il produit (fusion, découpage, "
                      "mise au format) ; seule la copie annotée, qui reste le fichier de la personne, les garde."))
    grids, hidden = _calamine_grids(path, limits, survey, by_content, skip_own=bool(record))
    formats: dict[str, dict] = {}
    if percent_needed or formulas:
        formats = _xml_details(path, percent_needed, formulas, survey.sheet_parts if survey else None,
                               skip_own=bool(record), parts_read=parts_read)
        if formats is None:  # a layout the quick reading does not handle: openpyxl sees it all
            formats = _openpyxl_details(path, percent_needed, formulas, grids)
    elif kind == "zip" and "content.xml" in names:
        formats = _ods_percent_cells(path)
    if not record and LISTS in grids:
        record = _record_from_lists(grids[LISTS])
    return grids, hidden, record, formats, notes


_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"}
_ENCRYPTED = "Le classeur est protégé par un mot de passe : enregistrez-en une copie sans mot de passe, puis relancez."


def _not_a_workbook(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip()
    if head.startswith(b"%PDF"):
        what = "un PDF"
    elif head[:15].lower().startswith((b"<!doctype html", b"<html")):
        what = "une page HTML"
    elif b"," in head or b";" in head or b"\t" in head:
        what = "un fichier texte (CSV ?)"
    else:
        what = "un fichier d'un autre type"
    return f"Le fichier n'est pas un classeur Excel ou LibreOffice : c'est {what}. Enregistrez-le au format .xlsx."


def _check_zip(path: Path, limits: Limits) -> set[str]:
    check_zip_directory(path)  # before zipfile builds one object per part
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise UnreadableFile("fichier-illisible", "Le fichier est endommagé (archive incomplète ou corrompue) : "
                             "demandez à son auteur de l'enregistrer de nouveau.") from None
    total = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if total > limits.max_inflated_bytes or (total > 50_000_000 and total / packed > limits.max_ratio):
        raise UnreadableFile(
            "fichier-trop-gros",
            f"Le classeur se décompresse en {total / 1e6:.0f} Mo, au-delà de la limite de "
            f"{limits.max_inflated_bytes / 1e6:.0f} Mo : il n'a pas été lu.",
        )
    return {info.filename for info in infos}


def _ole_is_encrypted(path: Path) -> bool:
    return ole_markers(path)[0]


_PERCENT_CODE = re.compile(r'(?<!\\)%(?=(?:[^"]*"[^"]*")*[^"]*$)')


def _inspect_xlsx(path: Path, names: set[str],
                  parts_read: dict[str, bytes] | None = None) -> tuple[dict[str, str], bool, bool]:
    """The recorded template, whether a cell style shows a percent, whether a sheet has formulas.
    The parts inflated on the way are kept in ``parts_read`` for ``_xml_details``."""
    from ctgxl.outputs import recorded_properties

    record = recorded_properties(path)
    percent = formulas = False
    parts_read = {} if parts_read is None else parts_read
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/styles.xml" in names:
                parts_read["xl/styles.xml"] = archive.read("xl/styles.xml")
                percent = _styles_have_percent(parts_read["xl/styles.xml"])
            for name in names:
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as stream:
                        data = parts_read[name] = stream.read()
                    if b"<f>" in data or b"<f " in data or b"<x:f" in data:
                        formulas = True
                        break
    except Exception:
        # A damaged part is reported by the cell reader, which knows which sheet it is.
        return record, False, False
    return record, percent, formulas


def _styles_have_percent(xml: bytes) -> bool:
    root = ElementTree.fromstring(xml)
    namespace = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    percent_ids = {"9", "10"}
    for number_format in root.iter(f"{namespace}numFmt"):
        if _PERCENT_CODE.search(number_format.get("formatCode", "")):
            percent_ids.add(number_format.get("numFmtId"))
    cell_xfs = root.find(f"{namespace}cellXfs")
    if cell_xfs is None:
        return False
    return any(xf.get("numFmtId") in percent_ids for xf in cell_xfs)


def _calamine_grids(path: Path, limits: Limits, survey=None, by_content: bool = False,
                    skip_own: bool = False) -> tuple[dict[str, list[list]], set[str]]:
    """Every worksheet as a grid. A sheet that the survey measured beyond the limits is never
    handed to calamine (which would allocate its whole rectangle at once)."""
    import python_calamine

    skipped: dict[str, tuple[int, int]] = {}
    if survey is not None:
        large = survey.too_large(limits)
        skipped = {title: large[part] for title, part in survey.sheet_parts.items() if part in large}
    try:
        if by_content:  # calamine picks its reader from the extension; the content decides here
            with open(path, "rb") as handle:
                workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
        else:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise UnreadableFile("fichier-chiffre", _ENCRYPTED) from None
    except Exception as error:
        raise UnreadableFile("fichier-illisible", f"Le classeur ne peut pas être lu : il est endommagé ou d'un "
                             f"format inconnu ({_short(error)}).") from None
    grids: dict[str, list[list]] = {}
    hidden: set[str] = set()
    for meta in workbook.sheets_metadata:
        if str(meta.typ).endswith("WorkSheet") is False:
            continue
        if not str(meta.visible).endswith("Visible"):
            hidden.add(meta.name)
        if skip_own and (meta.name == LISTS or fold(meta.name) in REPORT_SHEETS):
            continue  # a file ctgxl wrote: its own sheets are never read as data (see _recognise)
        if meta.name in skipped:
            grids[meta.name] = _TooLarge(*skipped[meta.name])
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            if exceeds(sheet.total_height + 1, sheet.total_width + 1, limits):
                grids[meta.name] = _TooLarge(sheet.total_height + 1, sheet.total_width + 1)
                continue
            grids[meta.name] = sheet.to_python(skip_empty_area=False)
        except Exception as error:
            grids[meta.name] = _Broken(_short(error))
    return grids, hidden


class _TooLarge(list):
    def __init__(self, height: int, width: int):
        super().__init__()
        self.height, self.width = height, width


class _Broken(list):
    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


_ERROR_WORDS = (
    ("entity", "entité XML non autorisée"),
    ("doctype", "déclaration XML non autorisée"),
    ("password", "protégé par un mot de passe"),
    ("utf-8", "texte mal encodé"),
    ("shared strings", "table des textes partagés incohérente"),
    ("worksheetnotfound", "partie de la feuille absente"),
    ("not found", "partie absente"),
    ("cell limit", "trop de cellules"),
    ("zip", "archive zip endommagée"),
    ("cfb", "fichier Excel 97-2003 endommagé"),
    ("xml", "XML endommagé"),
)


def _short(error: Exception) -> str:
    """What went wrong, in French words, with the technical detail kept short after them."""
    text = str(error).splitlines()[0] if str(error) else ""
    lowered = f"{type(error).__name__} {text}".lower()
    words = next((french for key, french in _ERROR_WORDS if key in lowered), "contenu endommagé")
    detail = text[:100] or type(error).__name__
    return f"{words} : {detail}"


_ATTRIBUTE = re.compile(rb"""\b([A-Za-z:]+)=(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]+)")
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_CELL = re.compile(rb"<" + _PREFIX + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _PREFIX + rb"c>)", re.S)
_VALUE = re.compile(rb"<" + _PREFIX + rb"v\b[^>]*?(?:/>|>(.*?)</" + _PREFIX + rb"v>)", re.S)
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f\b")
_INLINE = re.compile(rb"<" + _PREFIX + rb"is\b")


def _xml_details(path: Path, percent: bool, formulas: bool, parts: dict[str, str] | None = None,
                 skip_own: bool = False, parts_read: dict[str, bytes] | None = None) -> dict[str, dict] | None:
    """What ``_openpyxl_details`` finds, read straight from the sheets' XML: cells whose style
    has a percent format and hold a number, formula cells without a cached value. About 30×
    faster than openpyxl; None when the file is laid out in a way this does not handle.
    ``parts`` (sheet title -> zip member, from the survey) saves reading the workbook's
    description again. With ``skip_own`` (a file ctgxl wrote), its own sheets (Lisez-moi,
    Listes…), never read as data, are skipped. ``parts_read``: parts already inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = list(parts.items()) if parts else _worksheet_parts(archive)
            parts_read = parts_read or {}
            styles = _percent_styles(parts_read.get("xl/styles.xml") or archive.read("xl/styles.xml")) \
                if percent else set()
            details: dict[str, dict] = {}
            for title, part in sheets:
                if skip_own and (title == LISTS or fold(title) in REPORT_SHEETS):
                    continue
                data = parts_read[part] if part in parts_read else archive.read(part)
                found = details.setdefault(title, {"percent": set(), "uncached": set()})
                if styles:
                    style_ids = b"|".join(str(index).encode() for index in sorted(styles))
                    # Find the style attributes first (a literal search), then the cell around each.
                    needle = re.compile(rb"""\ss=["'](?:""" + style_ids + rb""")["']""")
                    for hit in needle.finditer(data):
                        match = _CELL.match(data, data.rfind(b"<", 0, hit.start()))
                        if match is None or match.end(1) < hit.end():
                            continue  # the style of a row or column, not of a cell
                        attributes = _attributes(match.group(1))
                        if attributes.get(b"s", b"").decode() not in styles:
                            continue
                        if attributes.get(b"t", b"n") not in (b"n", b"b") or not _cached(match.group(2)):
                            continue
                        found["percent"].add(_position(attributes))
                if formulas and _FORMULA.search(data):
                    for match in _CELL.finditer(data):
                        content = match.group(2)
                        if content is None or not _FORMULA.search(content):
                            continue
                        attributes = _attributes(match.group(1))
                        if attributes.get(b"t") == b"inlineStr" and _INLINE.search(content):
                            continue
                        if not _cached(content):
                            found["uncached"].add(_position(attributes))
            return details
    except Exception:  # _Unhandled, or a damaged part: openpyxl decides
        return None


class _Unhandled(Exception):
    pass


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(text)}


def _position(attributes: dict[bytes, bytes]) -> tuple[int, int]:
    """(1-based row, 0-based column) of a cell, as openpyxl gives them."""
    match = _CELL_REF.fullmatch(attributes.get(b"r", b""))
    if match is None:
        raise _Unhandled  # cells without their reference: positions depend on order
    column = 0
    for char in match.group(1):
        column = column * 26 + char - 64
    return int(match.group(2)), column - 1


def _cached(content: bytes | None) -> bool:
    """Whether a cell's XML holds a non-empty value (openpyxl reads ``<v></v>`` as None)."""
    if not content:
        return False
    value = _VALUE.search(content)
    return value is not None and bool(value.group(1))


def _worksheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet title, zip member) of every worksheet, in workbook order."""
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for relation in relations:
        if relation.get("Type", "").endswith("/worksheet"):
            target = relation.get("Target", "")
            target = target[1:] if target.startswith("/") else f"xl/{target}"
            targets[relation.get("Id")] = target
    names = set(archive.namelist())
    parts = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        relation = next((value for key, value in element.attrib.items() if key.rsplit("}", 1)[-1] == "id"
                         and key != "sheetId"), None)
        target = targets.get(relation)
        if target is None:
            continue  # a chartsheet or dialog sheet
        target = _normalise_part(target)
        if target not in names:
            raise _Unhandled
        parts.append((element.get("name"), target))
    return parts


def _normalise_part(target: str) -> str:
    parts: list[str] = []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


# Excel's built-in number formats that show a percent.
_BUILTIN_PERCENT = {"9", "10"}


def _percent_styles(xml: bytes) -> set[str]:
    """Indexes (as text) of the cell styles whose number format shows a '%', as openpyxl
    judges a cell's ``number_format``."""
    root = ElementTree.fromstring(xml)
    namespace = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    percent_ids = set(_BUILTIN_PERCENT)
    custom = {}
    for number_format in root.iter(f"{namespace}numFmt"):
        custom[number_format.get("numFmtId")] = number_format.get("formatCode", "")
    for format_id, code in custom.items():
        if "%" in code:
            percent_ids.add(format_id)
        elif format_id in percent_ids:
            raise _Unhandled  # a built-in percent id redefined
    cell_xfs = root.find(f"{namespace}cellXfs")
    if cell_xfs is None:
        return set()
    styles = {str(index) for index, xf in enumerate(cell_xfs.findall(f"{namespace}xf"))
              if xf.get("numFmtId", "0") in percent_ids}
    if "0" in styles:
        raise _Unhandled  # the default style: cells without a style attribute would be percents
    return styles


def _openpyxl_details(path: Path, percent: bool, formulas: bool, grids: dict | None = None) -> dict[str, dict]:
    """Per sheet: cells with a percent format, and formula cells without a cached value.

    Only the cells calamine read are visited: openpyxl would otherwise trust the sheet's
    claimed <dimension> and pad every row to it (A1:XFD1048576 is 17 billion cells)."""
    import openpyxl

    def bounds(title: str) -> dict | None:
        grid = (grids or {}).get(title)
        if grids is None:
            return {}
        if grid is None or isinstance(grid, (_TooLarge, _Broken)) or not grid:
            return None
        return {"max_row": len(grid), "max_col": max(1, max(len(row) for row in grid))}

    details: dict[str, dict] = {}
    try:
        if percent:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                cells = details.setdefault(sheet.title, {"percent": set(), "uncached": set()})["percent"]
                if (limits := bounds(sheet.title)) is None:
                    continue
                for row in sheet.iter_rows(**limits):
                    for cell in row:
                        if "%" in (getattr(cell, "number_format", "") or "") and isinstance(cell.value, (int, float)):
                            cells.add((cell.row, cell.column - 1))
            book.close()
        if formulas:
            values = openpyxl.load_workbook(path, read_only=True, data_only=True)
            texts = openpyxl.load_workbook(path, read_only=True, data_only=False)
            for sheet in texts.worksheets:
                uncached = details.setdefault(sheet.title, {"percent": set(), "uncached": set()})["uncached"]
                if (limits := bounds(sheet.title)) is None:
                    continue
                cached = values[sheet.title].iter_rows(**limits)
                for row, value_row in zip(sheet.iter_rows(**limits), cached):
                    for cell, value_cell in zip(row, value_row):
                        if cell.data_type == "f" and value_cell.value is None:
                            uncached.add((cell.row, cell.column - 1))
            values.close()
            texts.close()
    except Exception:
        return details
    return details


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_percent_cells(path: Path) -> dict[str, dict]:
    """Cells of an .ods file typed as percentages (calamine gives their value, not their type)."""
    import io

    from defusedxml.ElementTree import iterparse

    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml")
        if b'value-type="percentage"' not in content:
            return {}
        details: dict[str, dict] = {}
        cells: set = set()
        row = col = 0
        for event, element in iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_TABLE}table":
                    cells = details.setdefault(element.get(f"{_TABLE}name"), {"percent": set(), "uncached": set()})[
                        "percent"]
                    row = 0
                elif tag == f"{_TABLE}table-row":
                    col = 0
                continue
            if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                if element.get(f"{_OFFICE}value-type") == "percentage":
                    cells.update((row + 1, col + offset) for offset in range(min(repeat, 1000)))
                col += repeat
                element.clear()
            elif tag == f"{_TABLE}table-row":
                row += int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                element.clear()
        return details
    except Exception:
        return {}


def _record_from_lists(grid: list[list]) -> dict[str, str]:
    if not grid:
        return {}
    for index, value in enumerate(grid[0]):
        if value == RECORD_HEADER and len(grid) > 2:
            return {PROPERTY_KIND: as_text(grid[1][index]), PROPERTY_VERSION: as_text(grid[2][index])}
    return {}


# --- Recognising sheets ----------------------------------------------------------------

def _recognise(book: ReadWorkbook, grids, hidden, record, formats, limits: Limits) -> None:
    std = load()
    book.kind = record.get(PROPERTY_KIND) or None
    try:
        book.version = int(record.get(PROPERTY_VERSION, "")) if record.get(PROPERTY_VERSION) else None
    except ValueError:
        book.version = None
    claimed: dict[str, str] = {}
    # Sheets named as in the standard are placed before sheets recognised by their headers only.
    ordered = sorted(grids.items(), key=lambda item: _sheet_by_name(item[0], std) is None)
    for title, grid in ordered:
        if (title == LISTS or fold(title) in REPORT_SHEETS) and record:
            continue  # ctgxl's own sheets; in a file ctgxl did not write, a sheet of that name is kept
        if isinstance(grid, _TooLarge):
            book.finding(title, None, None, None, "feuille-trop-grande", ERREUR,
                         f"La feuille « {title} » annonce {grid.height} lignes et {grid.width} colonnes, "
                         f"au-delà des limites ({limits.max_rows} lignes, {limits.max_columns} colonnes, "
                         f"{limits.max_cells} cellules ; variables CTGXL_MAX_LIGNES, CTGXL_MAX_COLONNES, "
                         "CTGXL_MAX_CELLULES) : elle n'a pas été lue.")
            continue
        if isinstance(grid, _Broken):
            book.finding(title, None, None, None, "fichier-illisible", ERREUR,
                         f"La feuille « {title} » est endommagée et n'a pas pu être lue ({grid.reason}).")
            continue
        name = _sheet_by_name(title, std)
        if name == IDENTIFICATION or (name is None and _looks_like_identification(grid, std)):
            if IDENTIFICATION not in claimed:
                claimed[IDENTIFICATION] = title
                _read_identification(book, title, grid, std)
            continue
        header = _find_header(grid, std, name)
        if header is None:
            if any(any(not is_empty(value) for value in row) for row in grid):
                book.others[title] = grid
                _long_texts(book, title, grid)
            if name:
                book.finding(title, None, None, None, "feuille-sans-entete", ERREUR,
                             f"La feuille « {title} » n'a pas de ligne d'en-têtes reconnaissable dans ses "
                             f"{HEADER_SEARCH_ROWS} premières lignes : recopiez les en-têtes du modèle.")
            continue
        sheet_name, header_row = header
        if sheet_name in claimed:
            book.finding(title, None, None, None, "colonne-en-double", AVERTISSEMENT,
                         f"La feuille « {title} » ressemble à « {sheet_name} », déjà lue dans « {claimed[sheet_name]} » : "
                         "elle est ignorée. Réunissez les lignes dans une seule feuille.")
            continue
        claimed[sheet_name] = title
        if title in hidden:
            book.finding(title, None, None, None, "feuille-masquee", AVERTISSEMENT,
                         f"La feuille « {title} » est masquée ; elle a été lue quand même.")
        book.tables[sheet_name] = _read_table(book, std.sheet(sheet_name), title, grid, header_row,
                                              formats.get(title, {}))
    if not claimed:
        book.finding(None, None, None, None, "aucune-feuille-reconnue", ERREUR,
                     "Aucune feuille du standard CTG n'a été reconnue (Identification, Diagnostic, Enjeux, "
                     "Équipements, Plan d'actions, Suivi des indicateurs) : partez d'un modèle ctgxl "
                     "ou reprenez ses en-têtes.")
    if book.version is None and book.old_headers:
        book.version = _version_of_headers(book.old_headers, std)
    if book.version is not None and book.version < std.version:
        book.finding(None, None, None, None, "version-ancienne", INFORMATION,
                     f"Ce classeur suit la version {book.version} du standard (actuelle : {std.version}) ; "
                     "il a été lu avec les anciens noms. « ctgxl format » le met à jour.")
    if book.kind is None and book.tables:
        book.kind = std.template_for_sheets(set(book.tables) | ({IDENTIFICATION} if IDENTIFICATION in claimed else set()))


def _version_of_headers(headers: list[str], std) -> int | None:
    """The newest older version whose renamed headers this workbook still uses."""
    folded = {fold(header) for header in headers}
    for version in sorted(std.history, reverse=True):
        for pairs in std.history[version].get("entetes", {}).values():
            if folded & {fold(old) for old in pairs}:
                return version
    return None


def _sheet_by_name(title: str, std) -> str | None:
    folded = fold(title)
    for name in std.sheets:
        if fold(name) == folded:
            return name
    return _SHEET_ALIASES.get(folded)


def _looks_like_identification(grid: list[list], std) -> bool:
    labels = {fold(column.header) for column in std.sheet(IDENTIFICATION).columns}
    found = sum(1 for row in grid[:40] if row and isinstance(row[0], str) and fold(row[0]) in labels)
    return found >= 3


def _header_score(row: list, index: dict[str, str], needed: int = 0) -> int:
    """How many distinct standard columns the row names. With ``needed``, stops as soon as
    the row cannot reach it (the result is then below ``needed`` but not exact): long data
    texts, tried last, are then seldom folded."""
    texts = sorted((value for value in row if isinstance(value, str) and value.strip()), key=len)
    if len(texts) < needed:
        return len(texts)
    seen: set[str] = set()
    for remaining, value in zip(range(len(texts) - 1, -1, -1), texts):  # remaining: texts still to try
        column_id = index.get(fold(value))
        if column_id is not None:
            seen.add(column_id)
        if len(seen) + remaining < needed:
            break
    return len(seen)


def _find_header(grid: list[list], std, name: str | None) -> tuple[str, int] | None:
    """(sheet name, 0-based header row) for the best header in the first rows."""
    candidates = [name] if name else list(DATA_SHEETS)
    best: tuple[int, str, int] | None = None
    for sheet_name in candidates:
        index = header_index(std.sheet(sheet_name))
        mandatory = sum(1 for column in std.sheet(sheet_name).columns if column.mandatory)
        floor = 2 if name else max(2, (mandatory + 1) // 2)
        for row_number, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            # Enough columns, and more than the best row so far.
            needed = floor if best is None else max(floor, best[0] + 1)
            score = _header_score(row, index, needed)
            if score >= needed:
                best = (score, sheet_name, row_number)
    return (best[1], best[2]) if best else None


_IDENTIFICATION_HEADINGS = {fold("Champ"), fold("Valeur"), fold("Aide"), ""}


def _read_identification(book: ReadWorkbook, title: str, grid: list[list], std) -> None:
    book.identification_title = title
    index = header_index(std.sheet(IDENTIFICATION))
    for row_number, row in enumerate(grid[:60]):
        if not row or not isinstance(row[0], str):
            continue
        field_id = index.get(fold(row[0]))
        if field_id is None and row_number > 0 and fold(row[0]) not in _IDENTIFICATION_HEADINGS:
            value = row[1] if len(row) > 1 else ""
            book.identification_extra.append((row[0].strip(), None if is_empty(value) else value))
        if field_id and field_id not in book.identification:
            value = row[1] if len(row) > 1 else ""
            book.identification[field_id] = None if is_empty(value) else value
            book.identification_cells[field_id] = cell_ref(row_number + 1, 1)
            _long_text(book, title, row_number + 1, 1, value)


# Excel keeps at most this many characters in a cell; longer texts are cut when written.
EXCEL_TEXT_LIMIT = 32_767


def _long_text(book: ReadWorkbook, title: str, row: int, position: int, value: object) -> None:
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        book.finding(title, cell_ref(row, position), row, None, "texte-trop-long-excel", AVERTISSEMENT,
                     f"Ce texte compte {len(value)} caractères : Excel n'en garde que {EXCEL_TEXT_LIMIT} par "
                     f"cellule, il sera coupé après le {EXCEL_TEXT_LIMIT}e dans les fichiers écrits par ctgxl. "
                     "Raccourcissez-le ou mettez la suite dans une autre cellule.")


def _long_texts(book: ReadWorkbook, title: str, grid: list[list]) -> None:
    for row_number, row in enumerate(grid, start=1):
        for position, value in enumerate(row):
            _long_text(book, title, row_number, position, value)


def _read_table(book: ReadWorkbook, spec: Sheet, title: str, grid: list[list], header_row: int,
                details: dict) -> SheetTable:
    std_index = header_index(spec)
    current = _current_headers(spec)
    header = grid[header_row]
    positions: dict[str, int] = {}
    columns: list[Column] = []
    extra: list[tuple[str, int]] = []
    width = max((len(row) for row in grid), default=0)
    # Provenance columns are those of a consolidated workbook, which writes all four, last: a column
    # a person named « Contributeur » in their own file (or before the four) is an extra column, kept.
    provenance = {fold(as_text(value)): position for position, value in enumerate(header)
                  if not is_empty(value) and fold(as_text(value)) in _PROVENANCE_IDS}
    if set(provenance) != set(_PROVENANCE_IDS):
        provenance = {}
    for position in range(width):
        raw = header[position] if position < len(header) else ""
        text = as_text(raw) if not is_empty(raw) else ""
        column_id = std_index.get(fold(text)) if text else None
        if column_id is None and spec.year_columns and _YEAR_HEADER.fullmatch(text):
            column_id = text
            columns.append(year_column(spec, int(text)))
        elif column_id is None and provenance.get(fold(text)) == position:
            positions[_PROVENANCE_IDS[fold(text)]] = position
            continue
        elif column_id is not None:
            if fold(text) not in current:
                book.old_headers.append(text)
            if column_id in positions:
                book.finding(title, cell_ref(header_row + 1, position), header_row + 1, text, "colonne-en-double",
                             AVERTISSEMENT, f"La colonne « {text} » figure deux fois ; la seconde est gardée "
                             "comme colonne hors standard.")
                extra.append((f"{text} (2)", position))
                continue
            columns.append(spec.column(column_id))
        else:
            if not text and not any(position < len(row) and not is_empty(row[position]) for row in grid[header_row + 1:]):
                continue
            label = text or f"Colonne {cell_ref(1, position)[:-1]}"
            extra.append((label, position))
            book.finding(title, cell_ref(header_row + 1, position), header_row + 1, label, "colonne-inconnue",
                         INFORMATION, f"La colonne « {label} » ne fait pas partie du standard : elle est conservée "
                         "telle quelle.")
            continue
        positions[column_id] = position
    for column in spec.columns:
        if column.id not in positions:
            if column.mandatory:
                book.finding(title, cell_ref(header_row + 1, 0), header_row + 1, column.header, "colonne-manquante",
                             ERREUR, f"La colonne obligatoire « {column.header} » est absente de la feuille "
                             f"« {title} » : ajoutez-la avec cet en-tête.")
            else:
                book.finding(title, None, header_row + 1, column.header, "colonne-absente", INFORMATION,
                             f"La colonne facultative « {column.header} » est absente de la feuille « {title} ».")
    wanted = list(positions.items()) + [(f"+{label}", position) for label, position in extra]
    rows: list[int] = []
    values: dict[str, list] = {key: [] for key, _ in wanted}
    uncached = details.get("uncached", set())
    percent_cells = details.get("percent", set())
    percent: set[tuple[int, str]] = set()
    known = set(std_index.values())
    standard = [(column_id, position) for column_id, position in positions.items() if column_id in known]
    keys = [key for key, _ in wanted]
    places = [position for _, position in wanted]
    outputs = [values[key] for key in keys]
    reach = max(places, default=-1) + 1
    details_here = bool(uncached or percent_cells)
    kept = None if uncached else _plain_rows(grid, header_row, places, reach, standard, std_index)
    plain = None if kept is None else _plain_columns(grid, kept, places)
    if plain is not None:
        # No repeated header, no formula without its value, no text too long for Excel: nothing to
        # report cell by cell, so the table is built column by column (several times faster).
        for output, column in zip(outputs, plain):
            output.extend(column)
        rows.extend(number + 1 for number in kept)
        if percent_cells:
            index_of = {number + 1: index for index, number in enumerate(kept)}
            for line, position in percent_cells:
                if line in index_of:
                    percent.update((index_of[line], key) for key, place in zip(keys, places) if place == position)
    else:
        for row_number in range(header_row + 1, len(grid)):
            row = grid[row_number]
            if len(row) >= reach:
                cells = [row[position] for position in places]
            else:
                cells = [row[position] if position < len(row) else "" for position in places]
            if _blank(cells):
                continue
            if _repeats_header(row, standard, std_index):
                book.finding(title, None, row_number + 1, None, "entete-repetee", AVERTISSEMENT,
                             f"La ligne {row_number + 1} répète la ligne d'en-têtes (ligne {header_row + 1}) : "
                             "elle est ignorée.")
                continue
            index = len(rows)
            rows.append(row_number + 1)
            for key, position, output, value in zip(keys, places, outputs, cells):
                if isinstance(value, str):
                    value = value.strip() or None
                if details_here:
                    if value is None and (row_number + 1, position) in uncached:
                        book.finding(title, cell_ref(row_number + 1, position), row_number + 1, None,
                                     "formule-sans-valeur", AVERTISSEMENT,
                                     "Cette cellule contient une formule dont la valeur n'a pas été calculée : ouvrez "
                                     "et enregistrez le fichier dans Excel ou LibreOffice.")
                    if (row_number + 1, position) in percent_cells:
                        percent.add((index, key))
                if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
                    _long_text(book, title, row_number + 1, position, value)
                output.append(value)
    preamble = [(number + 1, list(grid[number])) for number in range(header_row)
                if any(not is_empty(value) for value in grid[number])]
    return SheetTable(spec=spec, title=title, header_row=header_row + 1, positions=positions,
                      columns=tuple(columns), extra=extra, rows=rows, values=values, percent=percent,
                      preamble=preamble)


def _plain_rows(grid: list[list], header_row: int, places: list[int], reach: int,
                standard: list[tuple[str, int]], std_index: dict[str, str]) -> list[int] | None:
    """The data rows (0-based) holding something, or None when one repeats the header row
    (the row-by-row path of _read_table reports it)."""
    kept = []
    for row_number in range(header_row + 1, len(grid)):
        row = grid[row_number]
        if len(row) >= reach:
            cells = [row[position] for position in places]
        else:
            cells = [row[position] if position < len(row) else "" for position in places]
        if _blank(cells):
            continue
        if _repeats_header(row, standard, std_index):
            return None
        kept.append(row_number)
    return kept


def _plain_columns(grid: list[list], kept: list[int], places: list[int]) -> list[list] | None:
    """The cells of the kept rows, column by column, texts stripped and empty ones None; None
    when a text is longer than Excel keeps (the row-by-row path of _read_table reports it)."""
    rows = [grid[number] for number in kept]
    columns = []
    for position in places:
        column = [row[position] if position < len(row) else "" for row in rows]
        column = [(value.strip() or None) if isinstance(value, str) else value for value in column]
        if max((len(value) for value in column if isinstance(value, str)), default=0) > EXCEL_TEXT_LIMIT:
            return None
        columns.append(column)
    return columns


def _blank(cells: list) -> bool:
    """Whether every cell is empty (``is_empty``), in one pass without a call per cell."""
    for value in cells:
        if value is None:
            continue
        if isinstance(value, str):
            if value and not value.isspace():
                return False
        elif not (isinstance(value, float) and value != value):  # NaN is empty
            return False
    return True


def _repeats_header(row: list, standard: list[tuple[str, int]], std_index: dict[str, str]) -> bool:
    """Whether a data row is the header row again (two header rows, or headers pasted again
    above a second block of rows): most standard columns hold their own header."""
    if len(standard) < 2:
        return False
    needed = max(2, (len(standard) + 1) // 2)
    misses = len(standard) - needed  # cells that may fail before the row cannot be a header
    same = 0
    later: list[tuple[str, str]] = []
    for column_id, position in standard:
        value = row[position] if position < len(row) else None
        if isinstance(value, str) and len(value) > _HEADER_LENGTH:
            later.append((value, column_id))  # long texts last: they cost the most to fold
            continue
        if isinstance(value, str) and std_index.get(fold(value)) == column_id:
            same += 1
            if same >= needed:
                return True
        else:
            misses -= 1
            if misses < 0:
                return False
    for value, column_id in later:
        if std_index.get(fold(value)) == column_id:
            same += 1
            if same >= needed:
                return True
        else:
            misses -= 1
            if misses < 0:
                return False
    return False


_HEADER_LENGTH = 80  # longer than any header: tried last (any length is still tried if needed)


def _current_headers(spec: Sheet) -> set[str]:
    names = set()
    for column in spec.columns:
        names.add(fold(column.header))
        names.update(fold(alias) for alias in column.aliases)
    return names


def workbook_files(paths: list[Path], limits: Limits | None = None) -> tuple[list[Path], list[Finding]]:
    """Expand folders into the workbooks under them, in a stable order."""
    limits = limits or Limits()
    files: list[Path] = []
    problems: list[Finding] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(_walk(path, limits))
            files.extend(found)
        elif os.path.lexists(path):  # a broken or looping link is read, and says why it cannot be
            files.append(path)
        else:
            problems.append(Finding(str(path), None, None, None, None, "fichier-introuvable", ERREUR,
                                    f"Le fichier ou dossier « {path} » n'existe pas."))
    return files, problems


def _walk(folder: Path, limits: Limits):
    """Workbook files under a folder. Links are followed only inside the folder (never to the
    whole disk), each folder once (a link loop ends there); a workbook name that is not a
    plain file (broken or looping link, tube) is still listed, so that it is reported."""
    seen: set[tuple[int, int]] = set()
    root = folder.resolve()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            stat = current.stat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue  # a link loop
        seen.add((stat.st_dev, stat.st_ino))
        try:
            entries = list(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "~$")):
                continue  # hidden files and Office lock files
            try:
                if entry.is_dir():
                    if entry.is_symlink() and not entry.resolve().is_relative_to(root):
                        continue
                    stack.append(entry)
                elif entry.suffix.lower() in WORKBOOK_SUFFIXES and not _annotated_copy(entry):
                    yield entry
            except (OSError, RuntimeError):
                continue


_ANNOTATED = re.compile(r".*-annote(-\d+)?\.xls[xm]$", re.IGNORECASE)


def _annotated_copy(path: Path) -> bool:
    """A copy written by `check --annoter`, left in the folder being checked."""
    if not _ANNOTATED.fullmatch(path.name):
        return False
    from ctgxl.outputs import written_by

    return written_by(path) == "check"


def date_or_none(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None
