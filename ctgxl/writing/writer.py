"""Writes workbooks in the standard template: blank templates, reformatted and split files,
and the data sheets of the consolidated workbook.

Every header, list, help text and format comes from the standard (``validators/``).
Text is always written as text: a value such as ``=1+1`` typed by someone stays a string.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ctgxl import __version__
from ctgxl.writing.atomic import atomic_output
from ctgxl.standard import IDENTIFICATION, Column, Sheet, Standard, load
from ctgxl.names import LISTS, PROPERTY_COMMAND, PROPERTY_KIND, PROPERTY_VERSION, PROVENANCE, README, RECORD_HEADER

if TYPE_CHECKING:
    import xlsxwriter

DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"
PERCENT_VALUES = ("valeur", "valeur_departement", "valeur_france")
VALIDATED_ROWS = 2000
HEADER_FILL = "#1F4E79"
README_WIDTH = 110
MANDATORY_FILL = "#C55A11"


class WorkbookWriter:
    """One xlsxwriter workbook laid out per the standard, written atomically on close."""

    def __init__(self, target, kind: str, *, command: str = "template", constant_memory: bool = False,
                 standard: Standard | None = None, created: datetime | None = None, title: str | None = None):
        """``kind`` is a template kind; another kind (with its ``title``) writes a workbook that
        is not a template: no hidden Listes sheet."""
        self.standard = standard or load()
        self.kind = kind
        self.streaming = constant_memory
        self._atomic = atomic_output(target)
        self._temporary = self._atomic.__enter__()
        import xlsxwriter  # here, not at the top: reading and checking never need it

        self.book = xlsxwriter.Workbook(
            str(self._temporary),
            {"constant_memory": constant_memory, "strings_to_formulas": False, "strings_to_urls": False,
             "nan_inf_to_errors": True},
        )
        self.book.set_custom_property(PROPERTY_KIND, kind)
        self.book.set_custom_property(PROPERTY_VERSION, str(self.standard.version))
        self.book.set_custom_property(PROPERTY_COMMAND, command)
        properties = {"title": title or self.standard.templates[kind].title, "author": f"ctgxl {__version__}"}
        if created is not None:  # a fixed date makes the file byte-for-byte reproducible
            properties["created"] = created
        self.book.set_properties(properties)
        self.formats = _Formats(self.book)
        # The hidden Listes sheet is written last; its ranges are known from the standard.
        self._list_ranges = {
            name: f"=Listes!${_letter(index)}$2:${_letter(index)}${len(values) + 1}"
            for index, (name, values) in enumerate(self.standard.lists.items())
        }

    def list_range(self, list_name: str) -> str:
        return self._list_ranges[list_name]

    def _write_lists(self) -> None:
        sheet = self.book.add_worksheet(LISTS)
        for index, (name, values) in enumerate(self.standard.lists.items()):
            sheet.write_string(0, index, name, self.formats.bold)
            for row, value in enumerate(values, start=1):
                sheet.write_string(row, index, value)
        record = len(self.standard.lists)
        sheet.write_string(0, record, RECORD_HEADER, self.formats.bold)
        sheet.write_string(1, record, self.kind)
        sheet.write_string(2, record, str(self.standard.version))
        sheet.hide()

    def add_readme(self, contributor: str | None = None) -> None:
        write_readme(self, contributor)

    def add_identification(self, values: dict[str, object], extra: list[tuple[str, object]] = ()) -> None:
        """The Identification sheet; ``extra`` holds rows of the filled file outside the standard."""
        spec = self.standard.sheet(IDENTIFICATION)
        sheet = self.book.add_worksheet(IDENTIFICATION)
        fmt = self.formats
        sheet.write_string(0, 0, "Champ", fmt.header)
        sheet.write_string(0, 1, "Valeur", fmt.header)
        sheet.write_string(0, 2, "Aide", fmt.header)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 45)
        sheet.set_column(2, 2, 70, fmt.help)
        for row, column in enumerate(spec.columns, start=1):
            sheet.write_string(row, 0, column.template_header, fmt.label_mandatory if column.mandatory else fmt.label)
            value = values.get(column.id)
            cell_format = fmt.date if column.type == "date" else fmt.wrap
            write_value(sheet, row, 1, value, cell_format)
            sheet.write_string(row, 2, column.help, fmt.help)
            # Tall enough for a long value (the member communes of an EPCI) or help, printed too:
            # LibreOffice does not fit rows to their wrapped text on opening.
            lines = max(_wrapped_lines(value, 45) if isinstance(value, str) else 1, _wrapped_lines(column.help, 70))
            if lines > 1:
                sheet.set_row(row, lines * LINE_HEIGHT)
            self._validate(sheet, row, 1, row, 1, column)
        for row, (label, value) in enumerate(extra, start=len(spec.columns) + 2):
            sheet.write_string(row, 0, str(label), fmt.label)
            write_value(sheet, row, 1, value, fmt.date if hasattr(value, "year") else fmt.wrap)
        sheet.freeze_panes(1, 0)
        print_setup(sheet, landscape=False)

    def add_table(
        self,
        spec: Sheet,
        rows: Iterable[Sequence[object]] = (),
        *,
        years: range | None = None,
        extra_headers: Sequence[str] = (),
        provenance: bool = False,
        validated_rows: int = VALIDATED_ROWS,
        row_format=None,
        percent_fractions: bool = True,
    ):
        """A data sheet: header row, formats, drop-downs, help, then the rows.

        Each row holds the values of ``spec.columns_for(years)``, then the extra columns,
        then (with ``provenance``) file, sheet and row of origin. With ``percent_fractions``
        False, values in % are written as given (as a person types them into a plain cell).
        Returns the worksheet.
        """
        columns = spec.columns_for(years)
        headers = [column.template_header for column in columns] + list(extra_headers)
        if provenance:
            headers += PROVENANCE
        sheet = self.book.add_worksheet(spec.name)
        fmt = self.formats
        column_formats = []
        for index, column in enumerate(columns):
            cell_format = fmt.for_column(column)
            column_formats.append(cell_format)
            sheet.set_column(index, index, column.width, cell_format)
        for offset, _ in enumerate(extra_headers):
            column_formats.append(fmt.wrap)
            sheet.set_column(len(columns) + offset, len(columns) + offset, 20, fmt.wrap)
        if provenance:
            start = len(columns) + len(extra_headers)
            sheet.set_column(start, start + len(PROVENANCE) - 1, 16, fmt.provenance)
            column_formats += [fmt.provenance] * len(PROVENANCE)
        for index, header in enumerate(headers):
            mandatory = index < len(columns) and columns[index].mandatory
            sheet.write_string(0, index, header, fmt.header_mandatory if mandatory else fmt.header)
        widths = [column.width for column in columns] + [20] * len(extra_headers) + [16] * (len(PROVENANCE) if provenance else 0)
        sheet.set_row(0, _header_height(headers, widths))
        count = 0
        write_string, write_number = sheet.write_string, sheet.write_number
        # Rows are made tall enough for their wrapped texts: LibreOffice does not do it on opening.
        # Large streamed outputs (thousands of files) skip it: they are filtered, not printed.
        wrapped = [] if self.streaming else [
            (index, widths[index]) for index in range(len(columns) + len(extra_headers))
            if index >= len(columns) or columns[index].wrap]
        # A value in % is stored as Excel stores a typed « 54,5 % »: the fraction, in a percent
        # format. Read back, it is 54.5 again, and a small rate is not mistaken for a fraction.
        ids = [column.id for column in columns]
        unit_at = ids.index("unite") if "unite" in ids else None
        percent_at = [ids.index(name) for name in PERCENT_VALUES if name in ids] \
            if unit_at is not None and percent_fractions else []
        percent_format = fmt.number(PERCENT_FORMAT)
        for count, values in enumerate(rows, start=1):
            lines = _row_lines(values, wrapped)
            if lines > 1:
                sheet.set_row(count, lines * LINE_HEIGHT)
            for index, value in enumerate(values):
                if value is None:
                    continue
                # write_value, with its two commonest cases first (a merge writes millions of cells)
                kind = value.__class__
                if kind is str and len(value) <= 32767:
                    write_string(count, index, value, column_formats[index])
                elif kind is int or (kind is float and math.isfinite(value)):
                    write_number(count, index, value, column_formats[index])
                else:
                    write_value(sheet, count, index, value, column_formats[index])
            if percent_at and values[unit_at] == "%":
                for index in percent_at:
                    value = values[index]
                    if value.__class__ in (int, float) and math.isfinite(value):
                        write_number(count, index, value / 100, percent_format)
            if row_format is not None:
                row_format(sheet, count, values)
        last_row = max(count, validated_rows)
        for index, column in enumerate(columns):
            self._validate(sheet, 1, index, last_row, index, column)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
        print_setup(sheet, landscape=True, total_width=sum(widths))
        return sheet

    def _validate(self, sheet, first_row: int, first_col: int, last_row: int, last_col: int, column: Column) -> None:
        title = column.header[:32]
        message = column.help[:255]
        if column.list_name and column.type == "liste":
            options = {
                "validate": "list",
                "source": self.list_range(column.list_name),
                "input_title": title,
                "input_message": message,
                "error_type": "warning",
                "error_title": "Valeur hors liste"[:32],
                "error_message": "Cette valeur n'est pas dans la liste. Choisissez une valeur de la liste, "
                "ou gardez-la : le contrôle la signalera.",
            }
        else:
            options = {"validate": "any", "input_title": title, "input_message": message}
        sheet.data_validation(first_row, first_col, last_row, last_col, options)

    def close(self) -> None:
        if self.kind in self.standard.templates:
            self._write_lists()
        try:
            self.book.close()
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        self._atomic.__exit__(None, None, None)

    def abort(self) -> None:
        """Drop the half-written workbook; the target is left as it was."""
        try:
            self.book.close()
        except Exception:
            pass
        error = RuntimeError("abandon")
        try:
            self._atomic.__exit__(RuntimeError, error, None)
        except RuntimeError:
            pass


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        add = book.add_format
        self.header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "text_wrap": True,
                           "valign": "vcenter", "border": 1})
        self.header_mandatory = add({"bold": True, "font_color": "#FFFFFF", "bg_color": MANDATORY_FILL,
                                     "text_wrap": True, "valign": "vcenter", "border": 1})
        self.bold = add({"bold": True})
        self.title = add({"bold": True, "font_size": 16, "font_color": HEADER_FILL})
        self.subtitle = add({"bold": True, "font_size": 12, "font_color": HEADER_FILL})
        self.label = add({"bold": True, "valign": "top", "text_wrap": True})
        self.label_mandatory = add({"bold": True, "valign": "top", "text_wrap": True, "font_color": MANDATORY_FILL})
        self.help = add({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.text = add({"valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.date = add({"num_format": DATE_FORMAT, "valign": "top", "align": "left"})
        self.provenance = add({"font_color": "#7F7F7F", "valign": "top", "font_size": 9})
        self._numbers: dict[str, object] = {}
        self._book = book

    def number(self, code: str):
        if code not in self._numbers:
            self._numbers[code] = self._book.add_format({"num_format": code, "valign": "top"})
        return self._numbers[code]

    def for_column(self, column: Column):
        if column.type == "date":
            return self.date
        if column.number_format:
            return self.number(column.number_format)
        return self.wrap if column.wrap else self.text


def _letter(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index)


def write_value(sheet, row: int, col: int, value: object, cell_format=None) -> None:
    """One cell, by type: text stays text (never a formula), numbers and dates stay typed."""
    if value is None:
        if cell_format is not None:
            sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, (datetime, date)):
        if value.year < 1900:  # Excel has no date before 1900: written as the text typed
            sheet.write_string(row, col, f"{value.day:02d}/{value.month:02d}/{value.year:04d}", cell_format)
        else:
            sheet.write_datetime(row, col, value, cell_format)
    else:
        text = str(value)
        if len(text) > 32767:
            text = text[:32767]
        sheet.write_string(row, col, text, cell_format)


# Column width units that fit on one A4 landscape page at about 70 % scale. Every sheet is
# fitted to one page wide; wider sheets go on A3 so that the text stays readable.
PAGE_WIDTH_UNITS = 210
A4, A3 = 9, 8
LINE_HEIGHT = 15


def _wrapped_lines(text: str, width: float, density: float = 0.85) -> int:
    """How many lines a wrapped text takes in a column of this width (estimated, generously:
    ``density`` is characters per width unit, lower for bold headers in narrow columns)."""
    import textwrap

    characters = max(4, int(width * density))
    return sum(max(1, len(textwrap.wrap(part, characters))) for part in text.split("\n"))


MAX_ROW_LINES = 12


def _row_lines(values: Sequence[object], wrapped: list[tuple[int, float]]) -> int:
    """Lines the tallest wrapped text of a row needs (a cheap estimate, capped)."""
    lines = 1
    for index, width in wrapped:
        value = values[index] if index < len(values) else None
        if value.__class__ is str and (len(value) > width or "\n" in value):
            lines = max(lines, math.ceil(len(value) / max(4.0, width * 1.1)) + value.count("\n"))
    return min(lines, MAX_ROW_LINES)


def _header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    lines = max([2] + [_wrapped_lines(header, width) for header, width in zip(headers, widths)])
    return lines * LINE_HEIGHT + 2


def print_setup(sheet, landscape: bool, total_width: float = 0, header_row: bool = True) -> None:
    """How every sheet ctgxl writes prints: one page wide, the header row on each page."""
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(A3 if total_width > PAGE_WIDTH_UNITS else A4)
    sheet.fit_to_pages(1, 0)
    if header_row:
        sheet.repeat_rows(0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.set_footer("&L&A&RPage &P / &N")


def write_readme(writer: WorkbookWriter, contributor: str | None) -> None:
    std = writer.standard
    template = std.templates[writer.kind]
    sheet = writer.book.add_worksheet(README)
    fmt = writer.formats
    sheet.set_column(0, 0, README_WIDTH, fmt.wrap)
    lines: list[tuple[str, object]] = [
        (f"Convention Territoriale Globale : {template.title}", fmt.title),
        (f"Modèle « {writer.kind} », version {std.version} du standard des classeurs CTG.", fmt.help),
        ("", None),
        ("À quoi sert ce fichier", fmt.subtitle),
        ("Ce classeur rassemble les informations d'une annexe de la Convention Territoriale Globale (CTG) "
         "signée entre la Caf et la collectivité. Chaque service (ou chaque commune membre d'un EPCI) remplit "
         "son propre fichier ; la personne chargée de la coopération les rassemble, les contrôle et transmet "
         "à la Caf un classeur consolidé.", fmt.wrap),
        ("", None),
        ("Comment le remplir", fmt.subtitle),
        ("1. Feuille « Identification » : complétez la colonne « Valeur » (territoire, Caf, dates de la "
         "convention, votre service).", fmt.wrap),
        ("2. Feuilles de données : une ligne par élément (indicateur, structure, action). Ne modifiez pas "
         "la première ligne (les en-têtes) ; vous pouvez ajouter des colonnes à droite, elles seront conservées.",
         fmt.wrap),
        ("3. Les colonnes dont l'en-tête finit par « * » (en orange) sont obligatoires.", fmt.wrap),
        ("4. Pour les colonnes à liste, choisissez une valeur dans la flèche de la cellule. Une autre valeur "
         "reste possible, mais elle sera signalée au contrôle.", fmt.wrap),
        ("5. En sélectionnant une cellule, une bulle d'aide indique ce qu'il faut y écrire.", fmt.wrap),
        ("6. Nombres : écrivez-les comme d'habitude (1 234 ou 12,5). Pour une valeur couverte par le secret "
         "statistique, écrivez « <5 ».", fmt.wrap),
        ("7. Dates : jj/mm/aaaa. Années : 4 chiffres (2024).", fmt.wrap),
        ("", None),
        ("Les feuilles de ce classeur", fmt.subtitle),
    ]
    for name in template.sheets:
        lines.append((f"• {name} : {std.sheet(name).help}", fmt.wrap))
    if "Suivi des indicateurs" in template.sheets:
        lines.append(("Dans « Suivi des indicateurs », chaque année de la convention a sa colonne ; "
                      "si elles manquent, ajoutez une colonne par année avec l'année pour en-tête (2024, 2025…).",
                      fmt.wrap))
    lines += [
        ("", None),
        ("À qui l'envoyer", fmt.subtitle),
        ("Une fois rempli, enregistrez le fichier (Excel ou LibreOffice) et envoyez-le à la personne chargée de "
         "la coopération CTG de votre collectivité, qui le contrôlera avec l'outil ctgxl et vous dira s'il faut "
         "corriger quelque chose.", fmt.wrap),
    ]
    if contributor:
        lines.append((f"Service contributeur : {contributor}", fmt.bold))
    for row, (text, cell_format) in enumerate(lines):
        if text:
            sheet.write_string(row, 0, text, cell_format)
            if cell_format is fmt.wrap:  # LibreOffice does not grow rows of wrapped text by itself
                sheet.set_row(row, _wrapped_lines(text, README_WIDTH, 1.05) * LINE_HEIGHT + 2)
    sheet.hide_gridlines(2)
    print_setup(sheet, landscape=False)
    sheet.activate()
