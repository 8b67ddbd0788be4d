"""Crafted files that crash the reader, or make it spend memory and time out of proportion to
what they hold: each must cost its own file only (see ctgxl.reading.workers) and be measured
before any reader expands it. Registered in the corpus by ``corpus.py``.

Tried one by one in a capped child process: python-calamine 0.9.1 aborts the whole process
(SIGABRT, a failed allocation) on a sharedStrings part whose count lies and on an .xls whose
declared first row comes after its last, and panics (a PanicException, which is no Exception) on an .xls whose sheet
position points past the end of its stream.
"""

from __future__ import annotations

import struct
from pathlib import Path

from hostile.corpus import (MAIN, Formula, OFFICE_RELS, Case, RawZip, Sheet, _record, biff8, case, compound_file,
                            identification, ods_bytes, ods_rows, plan, sheet_xml, sheets_of, good_sheets,
                            xlsx_parts)


def _xlsx(path: Path, sheets: list[Sheet], edit=None, **options) -> Path:
    parts = xlsx_parts(sheets, **options)
    if edit is not None:
        parts = edit(parts)
    archive = RawZip()
    for name, data in parts:
        archive.add(name, data)
    return archive.write(path)


def _with_shared_strings(count: int):
    """Add a sharedStrings part holding one string but announcing ``count``."""
    table = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}" count="{count}" '
             f'uniqueCount="{count}"><si><t>Petite enfance</t></si></sst>').encode()

    def edit(parts):
        out = []
        for name, data in parts:
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rId900" Type="{OFFICE_RELS}/sharedStrings" '
                                    'Target="sharedStrings.xml"/></Relationships>'.encode())
            out.append((name, data))
        return out + [("xl/sharedStrings.xml", table)]

    return edit


@case
def shared_strings_count_lies(folder: Path) -> Case:
    _xlsx(folder / "chaines-partagees-menteuses.xlsx", sheets_of(good_sheets("SSTCOUNT")),
          edit=_with_shared_strings(1_000_000_000))
    return Case("chaines-partagees-menteuses.xlsx", ("fichier-illisible",), 2,
                "table des chaînes partagées qui annonce un milliard de chaînes (calamine s'arrête net : SIGABRT)",
                readable=False, joint=False)


@case
def blank_sheet_name(folder: Path) -> Case:
    sheets = sheets_of(good_sheets("BLANC"))
    _xlsx(folder / "feuille-sans-nom.xlsx", [Sheet("", sheets[1].xml), *sheets])
    return Case("feuille-sans-nom.xlsx", ("doublon-identique",), 0, "une feuille au nom vide, copie du plan",
                joint=False)


@case
def broken_sheet_part(folder: Path) -> Case:
    def cut(parts):
        return [(name, data[:len(data) // 2] if name == "xl/worksheets/sheet2.xml" else data) for name, data in parts]

    _xlsx(folder / "partie-coupee.xlsx", sheets_of(good_sheets("COUPE")), edit=cut)
    return Case("partie-coupee.xlsx", ("fichier-illisible",), 1, "la feuille du plan coupée en son milieu",
                joint=False)


@case
def part_path_climbs(folder: Path) -> Case:
    def climb(parts):
        return [(name, data.replace(b'Target="worksheets/sheet2.xml"', b'Target="../xl/../../xl/worksheets/sheet2.xml"')
                 if name == "xl/_rels/workbook.xml.rels" else data) for name, data in parts]

    _xlsx(folder / "chemin-remontant.xlsx", sheets_of(good_sheets("REMONTE")), edit=climb)
    return Case("chemin-remontant.xlsx", ("fichier-illisible",), 1,
                "une partie désignée par un chemin qui remonte (`../xl/../../xl/…`)", joint=False)


def _xls(sheets, patch=None) -> bytes:
    stream = bytearray(biff8(sheets))
    if patch is not None:
        patch(stream)
    return compound_file({"Workbook": bytes(stream)})


def _records(stream: bytes):
    at = 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        yield at, kind, size
        at += 4 + size


@case
def xls_sheet_past_the_end(folder: Path) -> Case:
    def far(stream: bytearray) -> None:
        at = next(at for at, kind, _ in _records(stream) if kind == 0x0085)  # the first sheet's position
        struct.pack_into("<I", stream, at + 4, 0xD2000000)

    sheets = [("Identification", identification("Service XLSFIN")), ("Plan d'actions", plan("XLSFIN", rows=5))]
    (folder / "position-hors-fichier.xls").write_bytes(_xls(sheets, far))
    return Case("position-hors-fichier.xls", ("fichier-illisible",), 2,
                ".xls dont une feuille commence au-delà de la fin du classeur (calamine panique)", readable=False,
                joint=False)


@case
def xls_strings_count_lies(folder: Path) -> Case:
    def lie(stream: bytearray) -> None:
        at = next(at for at, kind, _ in _records(stream) if kind == 0x00FC)
        struct.pack_into("<II", stream, at + 4, 0x7FFFFFFF, 0x7FFFFFFF)

    sheets = [("Identification", identification("Service XLSSST")), ("Plan d'actions", plan("XLSSST"))]
    (folder / "chaines-xls-menteuses.xls").write_bytes(_xls(sheets, lie))
    return Case("chaines-xls-menteuses.xls", (), 0,
                ".xls dont la table des chaînes annonce deux milliards de chaînes (lu sans les réserver)", joint=False)


@case
def xls_declared_dimensions(folder: Path) -> Case:
    """42 KB that declare 65 536 × 256 cells, with a real cell in the last one."""
    def declare(stream: bytearray) -> None:
        records = list(_records(stream))
        dimensions = [at for at, kind, _ in records if kind == 0x0200]
        struct.pack_into("<IIHH", stream, dimensions[-1] + 4, 0, 65536, 0, 256)

    grid = plan("XLSDIM")
    sheets = [("Identification", identification("Service XLSDIM")), ("Plan d'actions", grid)]
    stream = bytearray(biff8(sheets))
    declare(stream)
    # one number in IV65536, just before the last EOF
    corner = _record(0x0203, struct.pack("<HHHd", 65535, 255, 0, 1.0))
    stream = stream[:-4] + corner + stream[-4:]
    (folder / "dimensions-xls.xls").write_bytes(compound_file({"Workbook": bytes(stream)}))
    return Case("dimensions-xls.xls", ("feuille-trop-grande",), 2,
                ".xls dont le plan annonce 65 536 lignes × 256 colonnes, une cellule dans la dernière (calamine lit "
                "toutes les feuilles d'un .xls à l'ouverture : le classeur n'est pas lu)", readable=False, joint=False)


@case
def ods_repeated_rows(folder: Path) -> Case:
    """1 KB: one row of 100 filled cells repeated 190 000 times (19 million cells, within the
    cell limit, several gigabytes once expanded)."""
    filled = ('<table:table-row table:number-rows-repeated="190000"><table:table-cell '
              'table:number-columns-repeated="100" office:value-type="string"><text:p>Petite enfance</text:p>'
              "</table:table-cell></table:table-row>")
    content = ods_bytes([("Identification", ods_rows(identification("Service ODSREP"))),
                         ("Plan d'actions", ods_rows(plan("ODSREP")) + filled)])
    (folder / "repetitions-remplies.ods").write_bytes(content)
    return Case("repetitions-remplies.ods", ("feuille-trop-grande",), 2,
                ".ods d'une ligne de 100 cellules remplies répétée 190 000 fois", readable=False, joint=False)


@case
def percent_format_bomb(folder: Path) -> Case:
    """A number format of 200 000 `%` and one quote, applied to the plan's cells."""
    code = "%" * 200_000 + '"'
    styles = (f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN}"><numFmts count="1">'
              f'<numFmt numFmtId="164" formatCode="{code.replace(chr(34), "&quot;")}"/></numFmts><fonts count="1"><font/></fonts>'
              '<fills count="1"><fill/></fills><borders count="1"><border/></borders>'
              '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')
    grid = plan("POURCENT")
    xml = sheet_xml(grid).replace('<c r="F2">', '<c r="F2" s="1">').replace('<c r="F3">', '<c r="F3" s="1">')
    _xlsx(folder / "format-pourcent.xlsx", [Sheet("Identification", sheet_xml(identification("Service POURCENT"))),
                                            Sheet("Plan d'actions", xml)], styles=styles)
    return Case("format-pourcent.xlsx", (), 0, "un format de nombre de 200 000 « % » et un guillemet", joint=False)


@case
def cells_closed_with_space(folder: Path) -> Case:
    """2 500 actions whose cells are closed by `</c >` (valid XML), a formula in each row:
    every cell once made the reader rescan the rest of the sheet (108 s)."""
    grid = plan("ESPACE", rows=2500)
    for row in grid[1:]:
        row[-1] = Formula('"suivi"', "suivi")
    xml = sheet_xml(grid).replace("</c>", "</c >")
    _xlsx(folder / "cellules-fermees-espace.xlsx",
          [Sheet("Identification", sheet_xml(identification("Service ESPACE"))), Sheet("Plan d'actions", xml)])
    return Case("cellules-fermees-espace.xlsx", (), 0, "2 500 actions aux cellules fermées par `</c >`, une formule "
                "par ligne", joint=False)


@case
def xls_dimensions_inverted(folder: Path) -> Case:
    """DIMENSIONS whose first row (7 million) comes after its last: calamine reserves room for
    the difference, 1.7 TB, and aborts."""
    def invert(stream: bytearray) -> None:
        at = [at for at, kind, _ in _records(stream) if kind == 0x0200][-1]
        struct.pack_into("<I", stream, at + 4, 107 << 16)

    sheets = [("Identification", identification("Service XLSINV")), ("Plan d'actions", plan("XLSINV", rows=5))]
    (folder / "dimensions-inversees.xls").write_bytes(_xls(sheets, invert))
    return Case("dimensions-inversees.xls", ("fichier-illisible",), 2,
                ".xls dont la première ligne déclarée vient après la dernière (calamine s'arrête net : SIGABRT)",
                readable=False, joint=False)
