"""Cell grids from any workbook file, read safely.

python-calamine reads the values (fast, every format). Percent formats and formulas
without a cached value, which calamine does not report, come from the sheet XML (or from
openpyxl for unusual layouts) and, for .ods files, from content.xml. Every file is
measured by ``ctgxl.reading.safety`` before a reader is let near it.
"""

from __future__ import annotations

import errno
import os
import hashlib
import re
import stat
import tempfile
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from xlsxwriter.utility import xl_cell_to_rowcol  # lighter to load than openpyxl's

from ctgxl.findings import AVERTISSEMENT, INFORMATION
from ctgxl.limits import Limits
from ctgxl.reading.formats import BUILTIN_PERCENT_IDS, shows_percent, xls_details
from ctgxl.reading.xlsb import xlsb_details
from ctgxl.reading.packages import ENCRYPTED as _ENCRYPTED, decrypted_copy, needs_copy, usual_copy, xls_encrypted
from ctgxl.reading.safety import (DAMAGED, UnreadableFile, check_zip_directory, exceeds, ole_markers, sparse,
                                  sparse_message, survey_ole, survey_zip)
from ctgxl.text import fold
from ctgxl.reading.values import as_text
from ctgxl.names import LISTS, PROPERTY_KIND, PROPERTY_VERSION, RECORD_HEADER

# Sheets ctgxl writes for people to read, never data to read back.
REPORT_SHEETS = {fold(name) for name in ("Lisez-moi", "Synthèse", "Contrôles", "Sources")}

def file_sha256(path: Path, limits: Limits) -> str:
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
            f"Le fichier pèse {_bytes(size)}, au-delà de la limite de {_bytes(limits.max_file_bytes)} : il n'a "
            "pas été lu. Enlevez les images ou les feuilles inutiles, ou envoyez-le en plusieurs fichiers.",
        )
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise UnreadableFile("fichier-illisible", f"Le fichier ne peut pas être ouvert ({_os_error(error)}) : "
                             "il n'a pas été lu.") from None
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


def load_grids(path: Path, limits: Limits):
    """Cells of every sheet as lists of rows, which sheets are hidden, the recorded
    template (kind, version), the cells whose format is a percent, and notes on the file
    as (code, message, severity)."""
    with tempfile.TemporaryDirectory(prefix="ctgxl-") as folder:
        return _load_grids(path, limits, path.suffix, Path(folder))


def _load_grids(path: Path, limits: Limits, suffix: str, folder: Path, depth: int = 0):
    """``load_grids`` of ``path``, a file named with ``suffix``; a copy that calamine can read
    (decrypted, or laid out as usual) is written in ``folder`` when needed."""
    kind = _sniff(path)
    record: dict[str, str] = {}
    notes: list[tuple[str, str, str]] = []
    percent_needed = formulas = macros = False
    survey = None
    parts_read: dict[str, bytes] = {}  # zip members inflated by _inspect_xlsx, read again by _xml_details
    if kind == "zip":
        names = _check_zip(path, limits)
        if "EncryptedPackage" in names:
            raise UnreadableFile("fichier-chiffre", _ENCRYPTED)
        if depth == 0 and _needs_copy(path):
            copy, dropped = usual_copy(path, folder)
            grids, hidden, record, formats, notes = _load_grids(copy, limits, suffix, folder, depth + 1)
            if dropped:
                notes.append(("macros-ignorees", INFORMATION, "Feuilles de macros Excel 4.0 ou de boîte de dialogue "
                              f"laissées de côté (ctgxl ne les exécute jamais) : {_titles(dropped)}. Les autres "
                              "feuilles ont été lues."))
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                notes.append(_MACROS_NOTE)
            return grids, hidden, record, formats, notes
        if "xl/workbook.xml" not in names and "content.xml" not in names and "xl/workbook.bin" not in names:
            raise UnreadableFile("fichier-illisible", "Le fichier n'est pas un classeur Excel ni LibreOffice (c'est "
                                 "un dossier compressé d'un autre type) : enregistrez le classeur en .xlsx depuis "
                                 "Excel ou LibreOffice.")
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
        if depth == 0 and (encrypted or xls_encrypted(path)):  # Excel's built-in key opens it, or a password is needed
            return _load_grids(decrypted_copy(path, folder), limits, suffix, folder, depth + 1)
        if encrypted:
            raise UnreadableFile("fichier-chiffre", _ENCRYPTED)
        format_name, suffixes = "Excel 97-2003 (.xls)", {".xls", ".xlt"}
        survey = survey_ole(path, limits)
        for title, size in survey.too_large(limits).items():
            # calamine reads every sheet of an .xls when it opens it: none can be left out
            raise UnreadableFile("feuille-trop-grande", _sheet_message(title, size, survey.filled.get(title), limits)
                                 + " Le classeur n'a pas été lu.")
    else:
        raise UnreadableFile("fichier-illisible", _not_a_workbook(path))
    by_content = path.suffix.lower() not in suffixes
    if suffix.lower() not in suffixes:
        notes.append(("extension-incorrecte", AVERTISSEMENT, f"Le fichier porte l'extension « {suffix or '(aucune)'} » "
                      f"mais c'est un classeur {format_name} : il a été lu d'après son contenu. Renommez-le ou "
                      "enregistrez-le de nouveau au format .xlsx."))
    if macros:
        notes.append(_MACROS_NOTE)
    grids, hidden = _calamine_grids(path, limits, survey, by_content, skip_own=bool(record))
    formats: dict[str, dict] = {}
    if percent_needed or formulas:
        formats = _xml_details(path, percent_needed, formulas, survey.sheet_parts if survey else None,
                               skip_own=bool(record), parts_read=parts_read)
        if formats is None:  # a layout the quick reading does not handle: openpyxl sees it all
            formats = _openpyxl_details(path, percent_needed, formulas, grids)
    elif kind == "zip" and "content.xml" in names:
        formats = _ods_percent_cells(path)
    elif kind == "ole":
        formats = xls_details(path, {title: grid for title, grid in grids.items()
                                     if not isinstance(grid, (TooLarge, Broken))})
    elif kind == "zip" and format_name.endswith("(.xlsb)"):
        formats = xlsb_details(path, {title: grid for title, grid in grids.items()
                                      if not isinstance(grid, (TooLarge, Broken))})
    if not record and LISTS in grids:
        record = _record_from_lists(grids[LISTS])
    return grids, hidden, record, formats, notes


_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"}
_MACROS_NOTE = ("macros-ignorees", AVERTISSEMENT, "Le classeur contient des macros (VBA ou scripts) : ctgxl ne les "
                "exécute jamais et ne les recopie pas dans les classeurs qu'il produit (fusion, découpage, mise au "
                "format) ; seule la copie annotée, qui reste le fichier de la personne, les garde.")


def _titles(titles: list[str]) -> str:
    return ", ".join(f"« {title} »" for title in titles)


def _needs_copy(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return needs_copy(archive)
    except UnreadableFile:
        raise
    except Exception:  # a damaged package: the usual reading says what is wrong
        return False


# The first record of an Excel 2.x, 3.0 or 4.0 file (BOF, BIFF2 to BIFF4), not inside an OLE2 container.
_OLD_EXCEL = (b"\x09\x00\x04\x00", b"\x09\x02\x06\x00", b"\x09\x04\x06\x00")


def _not_a_workbook(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(_OLD_EXCEL):
        return ("Le fichier est un classeur Excel très ancien (Excel 2, 3 ou 4, des années 1990), que ctgxl ne lit "
                "pas : ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format .xlsx.")
    head = head.lstrip()
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
        raise UnreadableFile("fichier-illisible", DAMAGED) from None
    total = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if total > limits.max_inflated_bytes:
        raise UnreadableFile(
            "fichier-trop-gros",
            f"Le classeur se décompresse en {_bytes(total)}, au-delà de la limite de "
            f"{_bytes(limits.max_inflated_bytes)} : il n'a pas été lu.",
        )
    if total > 50_000_000 and total / packed > limits.max_ratio:
        raise UnreadableFile(
            "fichier-trop-gros",
            f"Le classeur se décompresse en {_bytes(total)} à partir de {_bytes(packed)}, soit {total / packed:.0f} "
            f"fois sa taille ; au-delà de {limits.max_ratio} fois, un classeur n'est pas lu (c'est le signe d'un "
            "fichier piégé). Demandez à son auteur de l'enregistrer de nouveau en .xlsx.",
        )
    return {info.filename for info in infos}


def _inspect_xlsx(path: Path, names: set[str],
                  parts_read: dict[str, bytes] | None = None) -> tuple[dict[str, str], bool, bool]:
    """The recorded template, whether a cell style shows a percent, whether a sheet has formulas.
    The parts inflated on the way are kept in ``parts_read`` for ``_xml_details``."""
    from ctgxl.reading.properties import recorded_properties

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
                    if b"<f>" in data or b"<f " in data or b"<x:f" in data or _ERROR_TYPE.search(data):
                        formulas = True
                        break
    except Exception:
        # A damaged part is reported by the cell reader, which knows which sheet it is.
        return record, False, False
    return record, percent, formulas


def _styles_have_percent(xml: bytes) -> bool:
    root = ElementTree.fromstring(xml)
    namespace = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    percent_ids = {str(number) for number in BUILTIN_PERCENT_IDS}
    for number_format in root.iter(f"{namespace}numFmt"):
        if shows_percent(number_format.get("formatCode", "")):
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

    skipped: dict[str, TooLarge] = {}
    if survey is not None:
        large = survey.too_large(limits)
        skipped = {title: TooLarge(*large[part], filled=survey.filled[part] if sparse(*large[part], survey.filled.get(
            part)) and not exceeds(*large[part], limits) else None)
            for title, part in survey.sheet_parts.items() if part in large}
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
                             f"format inconnu ({_short(error)}). Ouvrez-le dans Excel ou LibreOffice et "
                             "enregistrez-le de nouveau au format .xlsx.") from None
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
            grids[meta.name] = skipped[meta.name]
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            if exceeds(sheet.total_height + 1, sheet.total_width + 1, limits):
                grids[meta.name] = TooLarge(sheet.total_height + 1, sheet.total_width + 1)
                continue
            grids[meta.name] = sheet.to_python(skip_empty_area=False)
        except Exception as error:
            grids[meta.name] = Broken(_short(error))
    return grids, hidden


def _sheet_message(title: str, size: tuple[int, int], filled: int | None, limits: Limits) -> str:
    if exceeds(*size, limits):
        return (f"La feuille « {title} » annonce {size[0]} lignes et {size[1]} colonnes, au-delà des limites "
                f"({limits.max_rows} lignes, {limits.max_columns} colonnes, {limits.max_cells} cellules).")
    return sparse_message(title, size, filled or 0)


class TooLarge(list):
    """A sheet not read: beyond the limits, or (``filled``: the cells written in it) far
    larger than its content."""

    def __init__(self, height: int, width: int, filled: int | None = None):
        super().__init__()
        self.height, self.width, self.filled = height, width, filled


class Broken(list):
    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


_ERROR_WORDS = (
    ("entity", "il contient des déclarations interdites"),
    ("doctype", "il contient des déclarations interdites"),
    ("password", "il est protégé par un mot de passe"),
    ("codepage", "ses textes sont dans un encodage inconnu"),
    ("utf-8", "ses textes sont mal encodés"),
    ("shared strings", "sa liste de textes est incohérente"),
    ("worksheetnotfound", "une partie de la feuille manque"),
    ("not found", "une partie manque"),
    ("cell limit", "il a trop de cellules"),
    ("zip", "le fichier est incomplet ou corrompu"),
    ("cfb", "le fichier Excel 97-2003 est endommagé"),
    ("xml", "son contenu est endommagé"),
)


def _short(error: Exception) -> str:
    """What went wrong, in French words; the library's own (English) words only with
    `ctgxl --debug` (which sets CTGXL_DEBUG, seen by the reading processes too)."""
    text = str(error).splitlines()[0] if str(error) else ""
    lowered = f"{type(error).__name__} {text}".lower()
    words = next((french for key, french in _ERROR_WORDS if key in lowered), "son contenu est endommagé")
    return f"{words} ; détail : {type(error).__name__}: {text[:200]}" if os.environ.get("CTGXL_DEBUG") else words


_ATTRIBUTE = re.compile(rb"""\b([A-Za-z:]+)=(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]+)")
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# A cell's content never runs past the next cell's start, and a tag never holds `<`: each
# match is bounded, so a sheet whose cells are never closed (or closed by `</c >`) is read in
# linear time instead of every cell rescanning the rest of the sheet.
_CELL = re.compile(rb"<" + _PREFIX + rb"c\b([^<>]*?)(?:/>|>((?:[^<]|<(?!" + _PREFIX + rb"c[\s/>]))*?)</" + _PREFIX
                   + rb"c\s*>)")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v\b[^<>]*?(?:/>|>([^<]*)</" + _PREFIX + rb"v\s*>)", re.S)
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
                        elif attributes.get(b"t") == b"e":  # #REF!, #DIV/0!…: calamine reads them as empty
                            shown = _VALUE.search(content).group(1).decode("utf-8", "replace")
                            found.setdefault("errors", {})[_position(attributes)] = shown
                if formulas:
                    _error_constants(data, found)
            return details
    except Exception:  # _Unhandled, or a damaged part: openpyxl decides
        return None


_ERROR_TYPE = re.compile(rb"""\st=["']e["']""")


def _error_constants(data: bytes, found: dict) -> None:
    """Cells holding an error value without a formula (#N/A typed, or left by a paste of values):
    calamine reads them as empty. Found from the literal ``t="e"``, then the cell around it."""
    for hit in _ERROR_TYPE.finditer(data):
        match = _CELL.match(data, data.rfind(b"<", 0, hit.start()))
        if match is None or match.end(1) < hit.end() or _FORMULA.search(match.group(2) or b""):
            continue
        value = _VALUE.search(match.group(2) or b"")
        if value is None or not value.group(1):
            continue
        position = _position(_attributes(match.group(1)))
        found.setdefault("errors", {})[position] = value.group(1).decode("utf-8", "replace")
        found.setdefault("typed_errors", set()).add(position)


class _Unhandled(Exception):
    pass


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(text)}


def _position(attributes: dict[bytes, bytes]) -> tuple[int, int]:
    """(1-based row, 0-based column) of a cell, as openpyxl gives them."""
    match = _CELL_REF.fullmatch(attributes.get(b"r", b""))
    if match is None:
        raise _Unhandled  # cells without their reference: positions depend on order
    return int(match.group(2)), xl_cell_to_rowcol(match.group(0).decode("ascii"))[1]


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


def _percent_styles(xml: bytes) -> set[str]:
    """Indexes (as text) of the cell styles whose number format shows a percent, by the rule
    the openpyxl path applies to a cell's ``number_format``."""
    root = ElementTree.fromstring(xml)
    namespace = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    percent_ids = {str(number) for number in BUILTIN_PERCENT_IDS}
    custom = {}
    for number_format in root.iter(f"{namespace}numFmt"):
        custom[number_format.get("numFmtId")] = number_format.get("formatCode", "")
    for format_id, code in custom.items():
        if shows_percent(code):
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
        if grid is None or isinstance(grid, (TooLarge, Broken)) or not grid:
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
                        if shows_percent(getattr(cell, "number_format", "") or "") and \
                                isinstance(cell.value, (int, float)):
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
                        elif value_cell.data_type == "e":
                            details[sheet.title].setdefault("errors", {})[(cell.row, cell.column - 1)] = \
                                str(value_cell.value)
            values.close()
            texts.close()
    except Exception:
        return details
    return details


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def _ods_percent_cells(path: Path) -> dict[str, dict]:
    """Cells of an .ods file typed as percentages (calamine gives their value, not their type)."""
    import io

    from defusedxml.ElementTree import iterparse

    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml")
        errors = b'value-type="error"' in content  # calcext:value-type: what the cell shows is in <text:p>
        if b'value-type="percentage"' not in content and not errors:
            return {}
        details: dict[str, dict] = {}
        cells: set = set()
        row = col = 0
        for event, element in iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_TABLE}table":
                    current = element.get(f"{_TABLE}name")
                    cells = details.setdefault(current, {"percent": set(), "uncached": set(), "errors": {}})[
                        "percent"]
                    row = 0
                elif tag == f"{_TABLE}table-row":
                    col = 0
                continue
            if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                if errors and element.get(f"{_CALCEXT}value-type") == "error":
                    shown = "".join(element.itertext()).strip() or "#N/A"
                    table_errors = details[current]["errors"]
                    table_errors.update(((row + 1, col + offset), shown) for offset in range(min(repeat, 1000)))
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
