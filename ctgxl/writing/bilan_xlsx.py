"""The bilan as a formatted workbook with native Excel charts (xlsxwriter), printed like every
sheet ctgxl writes (writer.print_setup)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ctgxl import __version__
from ctgxl.merging.bilan import Action, Bilan, secret_count
from ctgxl.merging.consolidate import SECRET
from ctgxl.names import PROPERTY_COMMAND
from ctgxl.reading.values import is_number
from ctgxl.writing.atomic import atomic_output
from ctgxl.writing.bilan_text import (COUNT_FORMAT, SHARE_FORMAT, TRENDS, key_figures, notes, number_text,
                                      places_chart, reference_text, share_chart, status_chart, theme_chart)
from ctgxl.writing.consolidated import GAP_FILL, _chart_colour
from ctgxl.writing.writer import (LINE_HEIGHT, MAX_ROW_LINES, PERCENT_FORMAT, _Formats, _header_height, _wrapped_lines,
                                  print_setup, write_value)

SYNTHESIS = "Synthèse"
THEMES = "Actions par thématique"
LATE = "Actions en retard"
STARTS = "Démarrages"
INDICATORS = "Indicateurs"
EQUIPMENT = "Équipements et places"  # not « Équipements »: the bilan is no CTG workbook to re-read
GAPS = "Écarts avec le département"
CHANGES = "Modifications"
CHART_DATA = "Données des graphiques"
COUNT = "#,##0"
SHARE = "0%"


class _Sheets:
    def __init__(self, book):
        self.book = book
        self.fmt = _Formats(book)
        self.count = self.fmt.number(COUNT)
        self.share = self.fmt.number(SHARE)
        self.percent = self.fmt.number(PERCENT_FORMAT)
        self.change = self.fmt.number("+#,##0;−#,##0;0")
        self.note = book.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.secret = book.add_format({"align": "right", "valign": "top"})
        self.widths: dict[str, list[float]] = {}
        self.chart_blocks: list[tuple[str, list[str], list[list]]] = []
        self.chart_row = 2  # where the next block goes on CHART_DATA, under its explanation

    def table(self, sheet, row: int, headers: list[str], widths: list[float] | None = None) -> int:
        if widths:
            self.widths[sheet.name] = widths
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width, self.fmt.wrap)
        for col, header in enumerate(headers):
            sheet.write_string(row, col, header, self.fmt.header)
        sheet.set_row(row, _header_height(headers, self.widths.get(sheet.name, [12] * len(headers))))
        return row + 1

    def fit(self, sheet, row: int, values) -> None:
        """Row tall enough for its wrapped texts: LibreOffice does not grow it on opening."""
        widths = self.widths.get(sheet.name, ())
        lines = max([1] + [_wrapped_lines(value, width) for value, width in zip(values, widths)
                           if isinstance(value, str)])
        if lines > 1:
            sheet.set_row(row, min(lines, MAX_ROW_LINES) * LINE_HEIGHT + 2)

    def chart_note(self, sheet, row: int, last_col: int, note: str) -> int:
        """What secrecy left out of the chart below, or why there is no chart, across the columns
        up to ``last_col``; returns the next row."""
        width = sum(self.widths.get(sheet.name, [12] * (last_col + 1))[:last_col + 1])
        sheet.merge_range(row, 0, row, last_col, note, self.note)
        sheet.set_row(row, _wrapped_lines(note, width) * LINE_HEIGHT + 4)
        return row + 1

    def chart_data(self, title: str, headers: list[str], lines: list[list]) -> tuple[int, int]:
        """The figures of a chart that leaves lines of its table out, as a block of the sheet
        CHART_DATA (written last, by write_chart_data: each sheet keeps its own layout); returns
        the block's first and last lines there."""
        self.chart_blocks.append((title, headers, lines))
        first = self.chart_row + 2  # under the block's title and headers
        self.chart_row = first + len(lines) + 1
        return first, first + len(lines) - 1

    def write_chart_data(self) -> None:
        if not self.chart_blocks:
            return
        sheet = self.book.add_worksheet(CHART_DATA)
        self.widths[CHART_DATA] = [34] + [12] * 5
        sheet.set_column(0, 0, 34, self.fmt.wrap)
        sheet.set_column(1, 5, 12)
        sheet.merge_range(0, 0, 0, 5, "Chiffres des graphiques qui laissent de côté des lignes de leur tableau : "
                          "effectifs masqués par le secret statistique, places non renseignées.", self.note)
        sheet.set_row(0, 2 * LINE_HEIGHT + 4)
        row = 2
        for title, headers, lines in self.chart_blocks:
            sheet.write_string(row, 0, title, self.fmt.subtitle)
            row = self.table(sheet, row + 1, headers)
            for values in lines:
                sheet.write_string(row, 0, values[0])
                for col, value in enumerate(values[1:], start=1):
                    self.cell(sheet, row, col, value, self.count)
                row += 1
            row += 1
        print_setup(sheet, landscape=False, header_row=False)

    def cell(self, sheet, row: int, col: int, value, number_format=None) -> None:
        """A value: numbers in ``number_format``; « <5 » and other texts as text."""
        if isinstance(value, str) and value.lstrip("+−") == SECRET:
            sheet.write_string(row, col, value, self.secret)
        else:
            write_value(sheet, row, col, value, number_format if is_number(value) else self.fmt.wrap)


def write_bilan_xlsx(bilan: Bilan, output: Path | BinaryIO) -> None:
    """The workbook to a path (atomically) or a writable binary stream."""
    import xlsxwriter

    with atomic_output(output, ".xlsx") as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"strings_to_formulas": False, "strings_to_urls": False,
                                                     "nan_inf_to_errors": True})
        book.set_custom_property(PROPERTY_COMMAND, "bilan")
        book.set_properties({"title": f"Bilan {bilan.year} de la CTG – {bilan.territory}",
                             "author": f"ctgxl {__version__}"})
        sheets = _Sheets(book)
        try:
            _synthesis(sheets, bilan)
            _themes(sheets, bilan)
            _actions(sheets, LATE, [(f"Actions en retard : année de fin avant {bilan.year}, ni réalisées ni "
                                     "abandonnées", bilan.progress.late)])
            _actions(sheets, STARTS, [(f"Actions qui démarrent en {bilan.year}", bilan.progress.starting),
                                      (f"Prochaines étapes : actions qui démarrent en {bilan.year + 1}",
                                       bilan.progress.next_year)])
            _indicators(sheets, bilan)
            _equipment(sheets, bilan)
            _gaps(sheets, bilan)
            if bilan.changes is not None:
                _changes(sheets, bilan)
            sheets.write_chart_data()
        finally:
            book.close()


def _synthesis(sheets: _Sheets, bilan: Bilan) -> None:
    fmt = sheets.fmt
    sheet = sheets.book.add_worksheet(SYNTHESIS)
    sheets.widths[SYNTHESIS] = [58, 50]
    sheet.set_column(0, 0, 58, fmt.wrap)
    sheet.set_column(1, 1, 50, fmt.wrap)
    sheet.write_string(0, 0, f"Bilan {bilan.year} de la Convention Territoriale Globale – {bilan.territory}", fmt.title)
    facts = [("Territoire", f"{bilan.territory} ({bilan.territory_type or 'type non renseigné'})"),
             ("Caf", bilan.caf), ("Période de la convention", bilan.period), ("Année du bilan", str(bilan.year)),
             ("Contributeurs", "; ".join(bilan.contributors))]
    if bilan.previous:
        facts.append(("Comparé à", bilan.previous))
    row = 2
    for label, value in facts:
        sheet.write_string(row, 0, label, fmt.label)
        write_value(sheet, row, 1, value, fmt.wrap)
        sheets.fit(sheet, row, (label, value))
        row += 1
    row += 1
    sheet.write_string(row, 0, "Chiffres clés", fmt.subtitle)
    row = sheets.table(sheet, row + 1, ["", "Valeur"])
    for label, value in key_figures(bilan):
        sheet.write_string(row, 0, label, fmt.label)
        sheet.write_string(row, 1, value, fmt.wrap)
        sheets.fit(sheet, row, (label, value))
        row += 1
    for note in notes(bilan):
        row += 1
        sheet.merge_range(row, 0, row, 1, note, sheets.note)
        sheet.set_row(row, 32)
    row += 2
    sheet.write_string(row, 0, "Actions par statut", fmt.subtitle)
    first = row = sheets.table(sheet, row + 1, ["Statut", "Actions"])
    by_status = bilan.progress.by_status
    for status in bilan.progress.statuses:
        sheet.write_string(row, 0, status)
        sheets.cell(sheet, row, 1, by_status[status], sheets.count)
        row += 1
    last = row - 1
    row += 1
    statuses = status_chart(bilan)
    if statuses.note:
        row = sheets.chart_note(sheet, row, 1, statuses.note)
    if statuses.drawn:
        source = SYNTHESIS
        if statuses.left_out:
            source = CHART_DATA
            first, last = sheets.chart_data("Actions par statut", ["Statut", "Actions"],
                                            [[status, by_status[status]] for status in statuses.kept])
        chart = sheets.book.add_chart({"type": "bar"})
        chart.add_series({"name": "Actions", "categories": [source, first, 0, last, 0],
                          "values": [source, first, 1, last, 1],
                          "points": [{"fill": {"color": _chart_colour(status)}} for status in statuses.kept],
                          "data_labels": {"value": True, "num_format": COUNT_FORMAT}})
        chart.set_title({"name": "Actions par statut"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"name": "Nombre d'actions", "num_format": COUNT_FORMAT, "major_gridlines": {"visible": True}})
        chart.set_size({"width": 560, "height": 300})
        sheet.insert_chart(row, 0, chart)
    print_setup(sheet, landscape=False, header_row=False)
    sheet.activate()


def _themes(sheets: _Sheets, bilan: Bilan) -> None:
    sheet = sheets.book.add_worksheet(THEMES)
    statuses = list(bilan.progress.statuses)
    row = sheets.table(sheet, 0, ["Thématique", *statuses, "Total"], [30] + [12] * (len(statuses) + 1))
    for theme in bilan.progress.themes:
        sheet.write_string(row, 0, theme.theme)
        for col, status in enumerate(statuses, start=1):
            sheets.cell(sheet, row, col, theme.by_status[status], sheets.count)
        sheets.cell(sheet, row, len(statuses) + 1, theme.total, sheets.count)
        row += 1
    sheet.write_string(row, 0, "Total", sheets.fmt.bold)
    for col, status in enumerate(statuses, start=1):
        sheets.cell(sheet, row, col, bilan.progress.by_status[status], sheets.count)
    sheets.cell(sheet, row, len(statuses) + 1, bilan.progress.total, sheets.count)
    themes = theme_chart(bilan)
    end = row
    row += 2
    if themes.note:
        row = sheets.chart_note(sheet, row, len(statuses) + 1, themes.note)
    if themes.drawn:
        source, first, last = THEMES, 1, len(bilan.progress.themes)
        if themes.left_out:
            source = CHART_DATA
            first, last = sheets.chart_data("Actions par thématique et statut", ["Thématique", *statuses],
                                            [[theme.theme, *(theme.by_status[status] for status in statuses)]
                                             for theme in themes.kept])
        chart = sheets.book.add_chart({"type": "bar", "subtype": "stacked"})
        for col, status in enumerate(statuses, start=1):
            chart.add_series({"name": status, "categories": [source, first, 0, last, 0],
                              "values": [source, first, col, last, col], "fill": {"color": _chart_colour(status)},
                              "border": {"color": "#7F7F7F"}})
        chart.set_title({"name": "Actions par thématique et statut"})
        chart.set_x_axis({"name": "Nombre d'actions", "num_format": COUNT_FORMAT, "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 160 + 42 * len(themes.kept)})
        sheet.insert_chart(row, 0, chart)
        sheet.set_h_pagebreaks([end + 1])
    sheet.freeze_panes(1, 0)
    print_setup(sheet, landscape=True)


# Headers unlike the standard's: the bilan must not be read back as a CTG workbook.
ACTION_HEADERS = ["N°", "Action", "Thème", "Pilote", "Début", "Fin", "Statut"]
ACTION_WIDTHS = [10, 60, 24, 30, 10, 10, 12]


def _actions(sheets: _Sheets, name: str, blocks: list[tuple[str, list[Action]]]) -> None:
    sheet = sheets.book.add_worksheet(name)
    row = 0
    for title, actions in blocks:
        sheet.write_string(row, 0, title, sheets.fmt.subtitle)
        row = sheets.table(sheet, row + 1, ACTION_HEADERS, ACTION_WIDTHS)
        for action in actions:
            values = (action.numero, action.intitule, action.thematique, action.pilote, action.debut, action.fin,
                      action.statut)
            for col, value in enumerate(values):
                write_value(sheet, row, col, value, sheets.fmt.wrap)
            sheets.fit(sheet, row, values)
            row += 1
        if not actions:
            sheet.write_string(row, 0, "Aucune.", sheets.note)
            row += 1
        row += 1
    print_setup(sheet, landscape=True, header_row=False)


INDICATOR_HEADERS = ["N°", "Indicateur suivi", "Résultat ou impact", "Année", "Référence", "Cible", "Valeur",
                     "Part de la cible atteinte", "Tendance"]


def _indicators(sheets: _Sheets, bilan: Bilan) -> None:
    sheet = sheets.book.add_worksheet(INDICATORS)
    row = sheets.table(sheet, 0, INDICATOR_HEADERS, [10, 50, 10, 8, 24, 10, 10, 12, 14])
    for indicator in bilan.indicators:
        number = sheets.percent if indicator.percent else sheets.fmt.number("#,##0.##")
        for line in indicator.years:
            values = [indicator.numero, indicator.indicateur, indicator.type, line.year, reference_text(indicator)]
            for col, value in enumerate(values):
                write_value(sheet, row, col, value, sheets.fmt.wrap)
            for col, value in ((5, indicator.target), (6, line.value)):
                if indicator.percent and is_number(value):
                    value = value / 100  # a rate is stored as Excel stores « 25 % »
                sheets.cell(sheet, row, col, value, number)
            sheets.cell(sheet, row, 7, line.share, sheets.share)
            write_value(sheet, row, 8, TRENDS.get(line.trend), sheets.fmt.wrap)
            sheets.fit(sheet, row, values)
            row += 1
    row += 1
    for note in notes(bilan):
        sheet.merge_range(row, 0, row, 8, note, sheets.note)
        row += 1
    shares = share_chart(bilan)
    if shares.drawn or shares.note:
        sheet.write_string(row, 1, f"Part de la cible atteinte (dernière valeur connue, {bilan.year} au plus tard)",
                           sheets.fmt.subtitle)
        # Chart and data on a page of their own: a chart cut by a page break cannot be read.
        sheet.set_h_pagebreaks([row])
        row += 1
    if shares.note:
        row = sheets.chart_note(sheet, row, 2, shares.note)
    if shares.drawn:
        # The chart's own data: the latest share of each indicator, beside the table.
        first = row
        for offset, indicator in enumerate(shares.kept):
            write_value(sheet, first + offset, 0, indicator.numero)
            write_value(sheet, first + offset, 1, indicator.indicateur, sheets.fmt.text)
            sheet.write_number(first + offset, 2, indicator.latest.share, sheets.share)
        last = first + len(shares.kept) - 1
        chart = sheets.book.add_chart({"type": "bar"})
        chart.add_series({"name": "Part de la cible atteinte", "categories": [INDICATORS, first, 0, last, 0],
                          "values": [INDICATORS, first, 2, last, 2], "fill": {"color": "#1F4E79"},
                          "data_labels": {"value": True, "num_format": SHARE_FORMAT}})
        chart.set_title({"name": "Part de la cible atteinte par indicateur"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"num_format": SHARE_FORMAT, "min": 0, "major_gridlines": {"visible": True}})
        chart.set_size({"width": 580, "height": 120 + 26 * len(shares.kept)})
        sheet.insert_chart(first, 3, chart)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, landscape=True, total_width=150)


def _equipment(sheets: _Sheets, bilan: Bilan) -> None:
    sheet = sheets.book.add_worksheet(EQUIPMENT)
    equipment = bilan.equipment
    headers = ["Type d'équipement", "Structures", "Places"]
    if equipment.compared:
        headers += ["Structures (avant)", "Places (avant)", "Évolution des structures", "Évolution des places"]
    row = sheets.table(sheet, 0, headers, [26] + [13] * (len(headers) - 1))
    for line in equipment.types:
        values = [line.structures, line.places]
        if equipment.compared:
            values += [line.structures_before, line.places_before]
        sheet.write_string(row, 0, line.type)
        _equipment_figures(sheets, sheet, row, values,
                           (line.structures_change, line.places_change) if equipment.compared else ())
        row += 1
    sheet.write_string(row, 0, "Total", sheets.fmt.bold)
    totals = [equipment.structures, equipment.places]
    if equipment.compared:
        totals += [equipment.structures_before, equipment.places_before]
    _equipment_figures(sheets, sheet, row, totals,
                       (equipment.structures_change, equipment.places_change) if equipment.compared else ())
    row += 2
    if not equipment.compared:
        sheet.merge_range(row, 0, row, 2, "Le standard ne date pas l'ouverture ni la fermeture des structures : "
                          "les gains et pertes se lisent en comparant à une version précédente (--depuis).", sheets.note)
        sheet.set_row(row, 4 * LINE_HEIGHT)
        row += 2
    for title, structures in (("Structures ajoutées", equipment.added), ("Structures retirées", equipment.removed)):
        if not equipment.compared:
            break
        sheet.write_string(row, 0, title, sheets.fmt.subtitle)
        row = sheets.table(sheet, row + 1, ["Type d'équipement", "Nom", "Lieu", "Places"],
                           [26, 40, 20, 13])
        for structure in structures:
            for col, value in enumerate((structure.type, structure.name, structure.commune)):
                write_value(sheet, row, col, value, sheets.fmt.wrap)
            sheets.fit(sheet, row, (structure.type, structure.name, structure.commune))
            sheets.cell(sheet, row, 3, structure.places, sheets.count)
            row += 1
        if not structures:
            sheet.write_string(row, 0, "Aucune.", sheets.note)
            row += 1
        row += 1
    places = places_chart(bilan)
    if places.note:
        row = sheets.chart_note(sheet, row, 2, places.note)
    if places.drawn:
        source, first, last, col = EQUIPMENT, 1, len(equipment.types), 2
        if places.kept != equipment.types:  # some places masked, or not given
            source, col = CHART_DATA, 1
            first, last = sheets.chart_data("Places par type de structure", ["Type d'équipement", "Places"],
                                            [[line.type, line.places] for line in places.kept])
        chart = sheets.book.add_chart({"type": "column"})
        chart.add_series({"name": "Places", "categories": [source, first, 0, last, 0],
                          "values": [source, first, col, last, col],
                          "fill": {"color": "#1F4E79"}, "data_labels": {"value": True, "num_format": COUNT_FORMAT}})
        chart.set_title({"name": "Places par type de structure"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"num_format": COUNT_FORMAT})
        chart.set_size({"width": 640, "height": 320})
        sheet.insert_chart(row, 0, chart)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, landscape=True)


def _equipment_figures(sheets: _Sheets, sheet, row: int, counts: list, changes: tuple) -> None:
    """One line of the equipment table: its counts from column B, then its changes (with --depuis)."""
    for col, value in enumerate(counts, start=1):
        sheets.cell(sheet, row, col, value, sheets.count)
    for col, value in enumerate(changes, start=5):
        sheets.cell(sheet, row, col, value, sheets.change)


def _gaps(sheets: _Sheets, bilan: Bilan) -> None:
    sheet = sheets.book.add_worksheet(GAPS)
    row = sheets.table(sheet, 0, ["Donnée du diagnostic", "Thème", "Lieu", "Millésime", "En", "Territoire",
                                  "Département", "Écart"], [46, 20, 16, 9, 6, 16, 16, 16])
    for figure in bilan.gaps:
        for col, value in enumerate((figure.indicator, figure.volet, figure.commune, figure.year, figure.unit)):
            write_value(sheet, row, col, value, sheets.fmt.wrap)
        sheets.fit(sheet, row, (figure.indicator, figure.volet, figure.commune))
        rate = figure.unit == "%"
        scale = 100 if rate else 1
        number_format = PERCENT_FORMAT if rate else "#,##0" if abs(figure.value) >= 1000 else "#,##0.0"
        for col, value in ((5, figure.value), (6, figure.department)):
            sheet.write_number(row, col, value / scale, sheets.fmt.number(number_format))
        gap_format = sheets.book.add_format({"num_format": "+" + number_format + ";−" + number_format,
                                             "valign": "top", **({"bg_color": GAP_FILL} if figure.marked else {})})
        sheet.write_number(row, 7, figure.gap / scale, gap_format)
        row += 1
    row += 1
    sheet.merge_range(row, 0, row, 7, "Les plus grands écarts parmi "
                      f"{number_text(secret_count(bilan.gaps_total, bilan.secrecy))} valeurs comparables (taux, ratios et montants). En orange : écart marqué (plus de 5 points, ou plus de 20 %).",
                       sheets.note)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, landscape=True)


def _changes(sheets: _Sheets, bilan: Bilan) -> None:
    sheet = sheets.book.add_worksheet(CHANGES)
    row = sheets.table(sheet, 0, ["Feuille", "Ligne", "Modification", "Avant", "Après"], [20, 60, 24, 24, 24])
    for change in bilan.changes or []:
        values = (change.sheet, change.key, change.what, change.old, change.new)
        for col, value in enumerate(values):
            write_value(sheet, row, col, value or None, sheets.fmt.wrap)
        sheets.fit(sheet, row, values)
        row += 1
    if not bilan.changes:
        sheet.write_string(row, 0, "Aucune modification.", sheets.note)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, landscape=True)
