"""Files as other programs write them, which Excel or LibreOffice open without a question:
each must read like its plain twin, or be refused in words that say what to do.

    python tests/hostile/corpus_programs.py DOSSIER     # writes these cases and lists them

Importable: ``build(folder) -> list[Case]``; a case with a ``twin`` must give the same findings
(sheet, cell, code) as that twin. Everything is generated here from the project's own
samples and writers; the .xls cases that need LibreOffice are made by the tests themselves.
"""

from __future__ import annotations

import re
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import msoffcrypto

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: hostile, xlsb_writer

from hostile.corpus import (  # noqa: E402
    MAIN, OFFICE_RELS, RawZip, Sheet, biff8, compound_file, good_sheets, identification, plan, sheet_xml, sheets_of,
    xlsx_parts,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "dugny" / "dugny-cohesion-sociale.xlsx"   # a real sample: every standard sheet


@dataclass
class Case:
    name: str
    codes: tuple[str, ...]          # finding codes the check must report (all of them)
    exit_code: int
    what: str
    twin: str | None = None         # a file that must give the same findings
    words: tuple[str, ...] = ()     # what the message of the first code must say
    readable: bool = True
    env: dict | None = None


BUILDERS = []


def case(function):
    BUILDERS.append(function)
    return function


def rewrite_parts(source: Path, target: Path, change) -> Path:
    """A copy of a package whose parts go through ``change(name, data) -> (name, data) | None``."""
    archive = RawZip()
    with zipfile.ZipFile(source) as package:
        for info in package.infolist():
            changed = change(info.filename, package.read(info))
            if changed is not None:
                archive.add(*changed)
    return archive.write(target)


def plain_twin(folder: Path, name: str, tag: str) -> Path:
    archive = RawZip()
    for part, data in xlsx_parts(sheets_of(good_sheets(tag))):
        archive.add(part, data)
    return archive.write(folder / name)


# --- 1. Size from cells that hold a value -------------------------------------------------------

@case
def styled_far_cells(folder: Path) -> Case:
    """Empty styled cells at AMJ1 and XFD1 (older LibreOffice writes them to the last column)
    and a row styled to XFD, on every sheet of a real sample."""
    shutil.copy(SAMPLE, folder / "exemple-dugny.xlsx")

    def styled(name: str, data: bytes):
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            data = re.sub(rb'(<row r="1"[^>]*>.*?)(</row>)', rb'\1<c r="AMJ1" s="1"/><c r="XFD1" s="1"></c>\2',
                          data, count=1, flags=re.S)
            data = data.replace(b"</sheetData>", b'<row r="300" spans="1:16384" s="1" customFormat="1">'
                                b'<c r="XFD300" s="1"/></row></sheetData>')
        return name, data

    rewrite_parts(SAMPLE, folder / "cellules-vides-stylees.xlsx", styled)
    return Case("cellules-vides-stylees.xlsx", (), 0, "échantillon réel avec des cellules vides mises en forme en "
                "AMJ1, XFD1 et XFD300", twin="exemple-dugny.xlsx")


# --- 2. Readable files ---------------------------------------------------------------------------

@case
def default_key(folder: Path) -> Case:
    """Excel's built-in key (what Excel writes for a protected sheet or structure). msoffcrypto
    writes only files of at least one segment (4 KiB) correctly: the real sample is larger."""
    with open(SAMPLE, "rb") as plain, open(folder / "cle-integree-excel.xlsx", "wb") as out:
        msoffcrypto.OfficeFile(plain).encrypt("VelvetSweatshop", out)
    shutil.copy(SAMPLE, folder / "exemple-dugny.xlsx")
    return Case("cle-integree-excel.xlsx", (), 0, "chiffré avec la clé intégrée d'Excel (VelvetSweatshop)",
                twin="exemple-dugny.xlsx")


@case
def real_password(folder: Path) -> Case:
    with open(SAMPLE, "rb") as plain, open(folder / "mot-de-passe.xlsx", "wb") as out:
        msoffcrypto.OfficeFile(plain).encrypt("motdepasse-du-service", out)
    return Case("mot-de-passe.xlsx", ("fichier-chiffre",), 2, "chiffré avec un vrai mot de passe",
                words=("mot de passe",), readable=False)


@case
def backslash_names(folder: Path) -> Case:
    plain_twin(folder, "jumeau-barres.xlsx", "BARRES")
    archive = RawZip()
    for part, data in xlsx_parts(sheets_of(good_sheets("BARRES"))):
        archive.add(part.replace("/", "\\"), data)
    archive.write(folder / "noms-antislash.xlsx")
    return Case("noms-antislash.xlsx", (), 0, "parties nommées avec des barres obliques inverses (xl\\workbook.xml)",
                twin="jumeau-barres.xlsx")


@case
def minimal_package(folder: Path) -> Case:
    """The workbook and its sheets at the root of the package, found through the relationships."""
    plain_twin(folder, "jumeau-minimal.xlsx", "MINIMAL")
    parts = dict(xlsx_parts(sheets_of(good_sheets("MINIMAL"))))
    places = {"xl/workbook.xml": "classeur.xml", "xl/worksheets/sheet1.xml": "f1.xml",
              "xl/worksheets/sheet2.xml": "f2.xml"}
    archive = RawZip()
    archive.add("[Content_Types].xml", parts["[Content_Types].xml"].replace(b"/xl/workbook.xml", b"/classeur.xml")
                .replace(b"/xl/worksheets/sheet", b"/f"))
    archive.add("_rels/.rels", parts["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="/classeur.xml"'))
    archive.add("_rels/classeur.xml.rels", parts["xl/_rels/workbook.xml.rels"].replace(b"worksheets/sheet", b"f"))
    for old, new in places.items():
        archive.add(new, parts[old])
    archive.write(folder / "paquet-minimal.xlsx")
    return Case("paquet-minimal.xlsx", (), 0, "paquet minimal : classeur et feuilles à la racine", twin="jumeau-minimal.xlsx")


@case
def macro_sheets(folder: Path) -> Case:
    """An Excel 4.0 macro sheet and a dialog sheet next to the data sheets."""
    plain_twin(folder, "jumeau-macros.xlsx", "XLM")
    macro = (f'<?xml version="1.0" encoding="UTF-8"?>\n<xm:macrosheet xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}" '
             'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData><row r="1">'
             '<c r="A1" t="str"><f>EXEC("calc")</f><v>0</v></c></row><row r="2"><c r="A2" t="b"><f>HALT()</f>'
             "<v>1</v></c></row></sheetData></xm:macrosheet>")
    dialog = f'<?xml version="1.0" encoding="UTF-8"?>\n<dialogsheet xmlns="{MAIN}"><sheetPr/></dialogsheet>'
    extra = {"Macro1": ("xlMacrosheet", "http://schemas.microsoft.com/office/2006/relationships",
                        "macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml", macro),
             "Dialogue1": ("dialogsheet", OFFICE_RELS, "dialogsheets/sheet1.xml",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml", dialog)}

    def change(name: str, data: bytes):
        for number, (title, (kind, base, target, content_type, _)) in enumerate(extra.items(), start=20):
            if name == "xl/workbook.xml":
                data = data.replace(b"</sheets>", f'<sheet name="{title}" sheetId="{number}" r:id="rId{number}"/>'
                                    "</sheets>".encode())
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rId{number}" Type="{base}/{kind}" '
                                    f'Target="{target}"/></Relationships>'.encode())
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/{target}" ContentType="{content_type}"/>'
                                    "</Types>".encode())
        return name, data

    rewrite_parts(folder / "jumeau-macros.xlsx", folder / "feuille-macro-xlm.xlsm", change)
    with zipfile.ZipFile(folder / "feuille-macro-xlm.xlsm", "a") as package:
        for _, _, target, _, xml in extra.values():
            package.writestr(f"xl/{target}", xml)
    return Case("feuille-macro-xlm.xlsm", ("macros-ignorees",), 0, "feuille de macros Excel 4.0 et feuille de "
                "boîte de dialogue à côté des feuilles de données", words=("Macro1", "Dialogue1"))


@case
def xor_password(folder: Path) -> Case:
    """An .xls « obfuscated » with XOR under a real password (a FILEPASS record right after the
    first BOF, its verifier not matching Excel's built-in key)."""
    stream = biff8(good_sheets("XOR"))
    filepass = struct.pack("<HHHHH", 0x002F, 6, 0x0000, 0x1234, 0xBEEF)
    stream = stream[:20] + filepass + stream[20:]
    (folder / "xor-mot-de-passe.xls").write_bytes(compound_file({"Workbook": stream}))
    return Case("xor-mot-de-passe.xls", ("fichier-chiffre",), 2, ".xls masqué (XOR) avec un vrai mot de passe",
                words=("protégé par un mot de passe",), readable=False)


# --- 3. Right words on refusals ----------------------------------------------------------------

@case
def old_excel(folder: Path) -> Case:
    """An Excel 4.0 worksheet (BIFF4): BOF, DIMENSIONS, one NUMBER cell, EOF."""
    records = (struct.pack("<HHHHH", 0x0409, 6, 0, 0x0010, 0) + struct.pack("<HHHHHH", 0x0000, 8, 0, 1, 0, 1)
               + struct.pack("<HHHHHd", 0x0203, 14, 0, 0, 0, 2024.0) + struct.pack("<HH", 0x000A, 0))
    (folder / "excel-4.xls").write_bytes(records)
    return Case("excel-4.xls", ("fichier-illisible",), 2, "classeur Excel 4.0 (BIFF4, années 1990)",
                words=("très ancien", ".xlsx"), readable=False)


@case
def not_ctg(folder: Path) -> Case:
    sheets = [Sheet("Budget 2024", sheet_xml([["Poste", "Montant"], ["Loyer", 1200]])),
              Sheet("Feuil2", sheet_xml([["x"]]))]
    archive = RawZip()
    for part, data in xlsx_parts(sheets):
        archive.add(part, data)
    archive.write(folder / "budget.xlsx")
    return Case("budget.xlsx", ("aucune-feuille-reconnue",), 1, "classeur sans aucune feuille du modèle CTG",
                words=("« Budget 2024 », « Feuil2 »", "peut-être pas le bon fichier"))


@case
def nothing_readable(folder: Path) -> Case:
    grid = plan("SEUL", rows=80)
    archive = RawZip()
    for part, data in xlsx_parts([Sheet("Plan d'actions", sheet_xml(grid))]):
        archive.add(part, data)
    archive.write(folder / "aucune-feuille-lisible.xlsx")
    return Case("aucune-feuille-lisible.xlsx", ("feuille-trop-grande",), 2, "sa seule feuille est au-delà des "
                "limites (abaissées à 50 lignes)", readable=False, env={"CTGXL_MAX_LIGNES": "50"},
                words=("Supprimez les lignes",))


@case
def compression_ratio(folder: Path) -> Case:
    """60 MB of one repeated character, packed 1000 times: the ratio limit is named, not the size one."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>').encode()
    body = head + b" " * 60_000_000 + b"</t></is></c></row></sheetData></worksheet>"
    archive = RawZip()
    for part, data in xlsx_parts([Sheet("Identification", sheet_xml(identification("Service TAUX"))),
                                  Sheet("Plan d'actions", body)]):
        archive.add(part, data)
    archive.write(folder / "taux-de-compression.xlsx")
    return Case("taux-de-compression.xlsx", ("fichier-trop-gros",), 2, "60 Mo décompressés pour quelques Ko",
                words=("fois sa taille", "au-delà de 100 fois"), readable=False)


# --- 4. Excel binary workbooks (.xlsb) --------------------------------------------------------------

@case
def binary_workbook(folder: Path) -> Case:
    """A real sample saved as .xlsb: dates as day numbers through a date format, text, numbers."""
    from xlsb_writer import xlsb_copy

    shutil.copy(SAMPLE, folder / "exemple-dugny.xlsx")
    xlsb_copy(SAMPLE, folder / "classeur-binaire.xlsb")
    return Case("classeur-binaire.xlsb", (), 0, "échantillon réel enregistré au format binaire (.xlsb)",
                twin="exemple-dugny.xlsx")


@case
def binary_default_key(folder: Path) -> Case:
    """An .xlsb protected with Excel's built-in key."""
    from xlsb_writer import xlsb_copy

    plain = xlsb_copy(SAMPLE, folder / "binaire-en-clair.xlsb")
    with open(plain, "rb") as source, open(folder / "binaire-cle-integree.xlsb", "wb") as out:
        msoffcrypto.OfficeFile(source).encrypt("VelvetSweatshop", out)
    plain.unlink()
    shutil.copy(SAMPLE, folder / "exemple-dugny.xlsx")
    return Case("binaire-cle-integree.xlsb", (), 0, ".xlsb chiffré avec la clé intégrée d'Excel",
                twin="exemple-dugny.xlsx")


@case
def binary_percents(folder: Path) -> Case:
    """« 7 % », « 47 % » typed in a Diagnostic saved as .xlsb: percents, as in the .xlsx."""
    from xlsb_writer import xlsb_copy

    source = folder / "pourcents.xlsx"
    percent_diagnostic(source)
    xlsb_copy(source, folder / "pourcents.xlsb")
    return Case("pourcents.xlsb", (), 0, "pourcentages tapés dans un .xlsb", twin="pourcents.xlsx")


@case
def binary_far_cells(folder: Path) -> Case:
    """A real sample as .xlsb with empty styled cells at XFD1 on every sheet (nothing changes),
    and a sheet of notes with a value at XFD1048576: only that sheet is left out."""
    from xlsb_writer import Blank, xlsb_copy

    def far(sheets: dict) -> None:
        for rows in sheets.values():
            rows[0] += [None] * (16_383 - len(rows[0])) + [Blank()]
        sheets["Notes"] = [["Notes du service"]] + [[] for _ in range(1_048_574)] + [[None] * 16_383 + ["fin"]]

    xlsb_copy(SAMPLE, folder / "binaire-cellules-loin.xlsb", far)
    return Case("binaire-cellules-loin.xlsb", ("feuille-trop-grande",), 1, ".xlsb : cellules vides mises en forme "
                "en XFD1, et une feuille de notes remplie jusqu'en XFD1048576", words=("« Notes »",))


@case
def binary_unusual_packages(folder: Path) -> Case:
    """.xlsb packages as other tools write them: backslashes in part names, and everything at
    the root of the package (the workbook part found through the relationships)."""
    from xlsb_writer import xlsb_copy

    shutil.copy(SAMPLE, folder / "exemple-dugny.xlsx")
    xlsb_copy(SAMPLE, folder / "binaire-antislash.xlsb", backslashes=True)
    usual = xlsb_copy(SAMPLE, folder / "binaire-usuel.xlsb")

    def at_root(name: str, data: bytes):
        if name == "_rels/.rels":
            data = data.replace(b'Target="xl/workbook.bin"', b'Target="classeur.bin"')
        elif name == "xl/_rels/workbook.bin.rels":
            name = "_rels/classeur.bin.rels"
            data = data.replace(b'Target="worksheets/', b'Target="feuilles/')
        elif name == "xl/workbook.bin":
            name = "classeur.bin"
        elif name.startswith("xl/worksheets/"):
            name = "feuilles/" + name.rsplit("/", 1)[1]
        elif name.startswith("xl/"):
            name = name[3:]
        return name, data

    rewrite_parts(usual, folder / "binaire-racine.xlsb", at_root)
    usual.unlink()
    return Case("binaire-antislash.xlsb", (), 0, ".xlsb dont les parties sont nommées avec des barres obliques "
                "inverses", twin="exemple-dugny.xlsx")


@case
def binary_root_package(folder: Path) -> Case:
    return Case("binaire-racine.xlsb", (), 0, ".xlsb dont le classeur et les feuilles sont à la racine du paquet",
                twin="exemple-dugny.xlsx")


@case
def binary_macro_sheet(folder: Path) -> Case:
    """An Excel 4.0 macro sheet in an .xlsb (calamine refuses the whole workbook for it)."""
    from xlsb_writer import xlsb_copy

    def macro(sheets: dict) -> None:
        sheets["Macro1"] = [['=EXEC("calc")'], ["=HALT()"]]

    xlsb_copy(SAMPLE, folder / "binaire-macro.xlsb", macro, macro_sheets=("Macro1",))
    return Case("binaire-macro.xlsb", ("macros-ignorees",), 0, ".xlsb avec une feuille de macros Excel 4.0",
                twin="exemple-dugny.xlsx", words=("Macro1",))


def percent_diagnostic(path: Path) -> Path:
    """A Diagnostic whose values were typed as percents (7 %, 47 %, 50 %)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Diagnostic")
    percent = book.add_format({"num_format": "0%"})
    sheet.write_row(0, 0, ["Volet", "Indicateur", "Commune", "Valeur territoire", "Unité", "Année", "Source",
                           "Valeur département", "Valeur France"])
    sheet.write_row(1, 0, ["Petite enfance", "Taux de couverture", None, None, "%", 2022, "Caf"])
    sheet.write_number(1, 3, 0.07, percent)
    sheet.write_number(1, 7, 0.47, percent)
    sheet.write_number(1, 8, 0.5, percent)
    book.close()
    return path


def build(folder: Path) -> list[Case]:
    """Write every case into ``folder`` (created if needed)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [builder(Path(folder)) for builder in BUILDERS]


if __name__ == "__main__":
    for item in build(Path(sys.argv[1])):
        print(f"{item.name:32} sortie {item.exit_code}  {', '.join(item.codes) or '-':26} {item.what}")
