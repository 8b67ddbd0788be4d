"""The bilan as the slide deck of the comité de pilotage (python-pptx): title, synthèse, one
slide per thématique, late actions, indicators, equipment, gaps, changes, next steps.

Everything is placed inside a 16:9 slide: long tables go on as many slides as they need,
texts are shortened to the lines their cell holds, font sizes are fixed."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ctgxl.merging.bilan import Action, Bilan
from ctgxl.writing.atomic import atomic_output
from ctgxl.writing.bilan_text import (COUNT_FORMAT, SHARE_FORMAT, TRENDS, change_text, gap_text, indicator_label,
                                      key_figures, notes, number_text, places_chart, reference_text, share_chart,
                                      share_text, shorten, status_chart, theme_chart, unit_value, value_text)
from ctgxl.writing.consolidated import _chart_colour

WIDTH, HEIGHT = 13.333, 7.5  # inches, 16:9
MARGIN = 0.5
TABLE_TOP = 1.35
ROW_HEIGHT = 0.5
ROWS_PER_SLIDE = 9  # 10 rows of 0.5 in under the title: the slide's height
CHARS_PER_INCH = 9  # at 12 pt, with room for word wrapping: each cell holds two lines of this
BLUE = "1F4E79"
GREY = "595959"


def write_bilan_pptx(bilan: Bilan, output: Path | BinaryIO) -> None:
    """The deck to a path (atomically) or a writable binary stream."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(WIDTH), Inches(HEIGHT)
    slides = _Deck(deck)
    slides.title_slide(bilan)
    slides.synthesis(bilan)
    slides.themes_overview(bilan)
    for theme in bilan.progress.themes:
        counts = ", ".join(f"{status.lower()} : {number_text(count)}" for status, count in theme.by_status.items()
                           if count)
        slides.actions(f"Thématique : {theme.theme}", theme.actions,
                       f"{number_text(theme.total)} action(s) — {counts}")
    slides.actions(f"Actions en retard (fin avant {bilan.year})", bilan.progress.late,
                   "Année de fin passée, ni réalisées ni abandonnées.", empty="Aucune action en retard.")
    slides.indicators(bilan)
    slides.equipment(bilan)
    slides.gaps(bilan)
    if bilan.changes is not None:
        slides.changes(bilan)
    slides.actions(f"Prochaines étapes : actions qui démarrent en {bilan.year + 1}", bilan.progress.next_year,
                   f"Et en {bilan.year} : {number_text(bilan.progress.starting_count)} action(s) ont démarré.",
                   empty=f"Aucune action ne démarre en {bilan.year + 1}.")
    with atomic_output(output, ".pptx") as temporary:
        deck.save(str(temporary))


def balanced(items: list, most: int) -> list[list]:
    """``items`` over as few pages of at most ``most`` as needed, evenly (no last page of one)."""
    if not items:
        return [[]]
    pages = -(-len(items) // most)
    size = -(-len(items) // pages)
    return [items[start:start + size] for start in range(0, len(items), size)]


class _Deck:
    def __init__(self, deck):
        self.deck = deck
        self.blank = deck.slide_layouts[6]

    # --- building blocks -------------------------------------------------------------------

    def slide(self, title: str, subtitle: str | None = None):
        slide = self.deck.slides.add_slide(self.blank)
        self.text(slide, title, MARGIN, 0.3, WIDTH - 2 * MARGIN, 0.65, size=26, bold=True, colour=BLUE)
        if subtitle:
            self.text(slide, shorten(subtitle, 150), MARGIN, 0.9, WIDTH - 2 * MARGIN, 0.4, size=14, colour=GREY)
        return slide

    def text(self, slide, text: str, left: float, top: float, width: float, height: float, *, size: int = 14,
             bold: bool = False, colour: str = "000000", lines: list[str] | None = None):
        from pptx.dml.color import RGBColor
        from pptx.util import Inches, Pt

        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for index, line in enumerate(lines if lines is not None else [text]):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = RGBColor.from_string(colour)
        return box

    def table(self, slide, headers: list[str], rows: list[list[str]], widths: list[float], *, top: float = TABLE_TOP,
              size: int = 12, left: float = MARGIN, row_height: float = ROW_HEIGHT):
        from pptx.dml.color import RGBColor
        from pptx.util import Inches, Pt

        shape = slide.shapes.add_table(len(rows) + 1, len(headers), Inches(left), Inches(top),
                                       Inches(sum(widths)), Inches(row_height * (len(rows) + 1)))
        table = shape.table
        for col, width in enumerate(widths):
            table.columns[col].width = Inches(width)
        for row in table.rows:
            row.height = Inches(row_height)
        for row_index, values in enumerate([headers, *rows]):
            for col, value in enumerate(values):
                cell = table.cell(row_index, col)
                # Two lines of the column's width at most: the row keeps its height.
                cell.text = shorten(value, int(widths[col] * CHARS_PER_INCH * 2) - 2)
                for paragraph in cell.text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(size)
                        run.font.bold = row_index == 0
                        if row_index == 0:
                            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
                if row_index == 0:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor.from_string(BLUE)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
        return shape

    def paged_table(self, title: str, subtitle: str | None, headers: list[str], rows: list[list[str]],
                    widths: list[float], empty: str) -> None:
        if not rows:
            slide = self.slide(title, subtitle)
            self.text(slide, empty, MARGIN, TABLE_TOP + 0.2, WIDTH - 2 * MARGIN, 0.6, size=18)
            return
        pages = balanced(rows, ROWS_PER_SLIDE)
        for number, page in enumerate(pages, start=1):
            heading = title if len(pages) == 1 else f"{title} ({number}/{len(pages)})"
            slide = self.slide(heading, subtitle)
            self.table(slide, headers, page, widths)

    def chart(self, slide, kind, categories: list[str], series: list[tuple[str, list, str | None]],
              left: float, top: float, width: float, height: float, *, percent: bool = False, legend: bool = False,
              labels: bool = True):
        """A native chart of numbers (``drawable`` has left the masked categories out)."""
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_LEGEND_POSITION
        from pptx.util import Inches, Pt

        number_format = SHARE_FORMAT if percent else COUNT_FORMAT
        data = CategoryChartData(number_format=number_format)
        data.categories = categories
        for name, values, _ in series:
            data.add_series(name, values)
        frame = slide.shapes.add_chart(kind, Inches(left), Inches(top), Inches(width), Inches(height), data)
        chart = frame.chart
        chart.font.size = Pt(11)
        chart.has_legend = legend
        if legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
        for plot_series, (_, _, colour) in zip(chart.series, series):
            if colour:
                plot_series.format.fill.solid()
                plot_series.format.fill.fore_color.rgb = RGBColor.from_string(colour)
        if labels:
            plot = chart.plots[0]
            plot.has_data_labels = True
            plot.data_labels.number_format = number_format
            plot.data_labels.number_format_is_linked = False
            plot.data_labels.font.size = Pt(10)
        chart.value_axis.tick_labels.number_format = number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.tick_labels.font.size = Pt(9)
        chart.category_axis.reverse_order = True
        return chart

    # --- the slides ------------------------------------------------------------------------

    def title_slide(self, bilan: Bilan) -> None:
        slide = self.deck.slides.add_slide(self.blank)
        self.text(slide, "Convention Territoriale Globale", MARGIN, 1.6, WIDTH - 2 * MARGIN, 0.6, size=22,
                  colour=GREY)
        # One line: 40 pt holds about 32 characters across the slide, 28 pt about 55.
        name = shorten(bilan.territory, 55)
        self.text(slide, name, MARGIN, 2.3, WIDTH - 2 * MARGIN, 1.0, size=40 if len(name) <= 32 else 28, bold=True,
                  colour=BLUE)
        self.text(slide, f"Bilan {bilan.year} — comité de pilotage", MARGIN, 3.4, WIDTH - 2 * MARGIN, 0.7, size=28)
        self.text(slide, "", MARGIN, 4.4, WIDTH - 2 * MARGIN, 1.6, size=18, colour=GREY, lines=[
            shorten(bilan.caf or "Caf non renseignée", 90), f"Convention {bilan.period}",
            f"Préparé le {bilan.prepared:%d/%m/%Y} avec ctgxl"])

    def synthesis(self, bilan: Bilan) -> None:
        from pptx.enum.chart import XL_CHART_TYPE

        slide = self.slide(f"Synthèse {bilan.year}", f"{bilan.territory} — convention {bilan.period}")
        figures = key_figures(bilan)
        self.table(slide, ["", "Valeur"], [[label, value] for label, value in figures], [5.3, 2.3],
                   size=11, row_height=0.36)
        statuses = status_chart(bilan)
        if statuses.drawn:
            chart = self.chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, statuses.kept,
                               [("Actions", [bilan.progress.by_status[status] for status in statuses.kept], None)],
                               8.4, TABLE_TOP, WIDTH - 8.4 - MARGIN, 3.6)
            chart.has_title = True
            chart.chart_title.text_frame.text = "Actions par statut"
            for point, status in zip(chart.series[0].points, statuses.kept):
                from pptx.dml.color import RGBColor

                point.format.fill.solid()
                point.format.fill.fore_color.rgb = RGBColor.from_string(_chart_colour(status).lstrip("#"))
        elif statuses.note:
            self.text(slide, "Actions par statut", 8.4, TABLE_TOP, WIDTH - 8.4 - MARGIN, 0.4, size=14, bold=True)
            self.text(slide, statuses.note, 8.4, TABLE_TOP + 0.45, WIDTH - 8.4 - MARGIN, 1.0, size=12, colour=GREY)
        lines = ([statuses.note] if statuses.drawn and statuses.note else []) + notes(bilan)
        if lines:
            self.text(slide, "", 8.4, 5.1, WIDTH - 8.4 - MARGIN, 1.9, size=10, colour=GREY, lines=lines)

    def themes_overview(self, bilan: Bilan) -> None:
        from pptx.enum.chart import XL_CHART_TYPE

        themes = bilan.progress.themes
        if not themes:
            return
        statuses = list(bilan.progress.statuses)
        title = "Avancement du plan par thématique"
        subtitle = (f"{number_text(bilan.progress.total)} actions ; réalisées : "
                    f"{share_text(bilan.progress.realised_share) or '—'}")
        chart = theme_chart(bilan)
        if not chart.drawn:
            # The figures the chart would have drawn, « <5 » included.
            rows = [[theme.theme, *(number_text(theme.by_status[status]) for status in statuses),
                     number_text(theme.total)] for theme in themes]
            rows.append(["Total", *(number_text(bilan.progress.by_status[status]) for status in statuses),
                         number_text(bilan.progress.total)])
            pages = balanced(rows, 10)
            for number, page in enumerate(pages, start=1):
                slide = self.slide(title if len(pages) == 1 else f"{title} ({number}/{len(pages)})", subtitle)
                self.text(slide, chart.note, MARGIN, TABLE_TOP, WIDTH - 2 * MARGIN, 0.45, size=14, colour=GREY)
                self.table(slide, ["Thématique", *statuses, "Total"], page, [3.4] + [1.5] * len(statuses) + [1.4],
                           top=TABLE_TOP + 0.55, size=11, row_height=0.42)
            return
        slide = self.slide(title, subtitle)
        height = HEIGHT - TABLE_TOP - 0.3 - (0.7 if chart.note else 0)
        self.chart(slide, XL_CHART_TYPE.BAR_STACKED, [theme.theme for theme in chart.kept],
                   [(status, [theme.by_status[status] for theme in chart.kept], _chart_colour(status).lstrip("#"))
                    for status in statuses], MARGIN, TABLE_TOP, WIDTH - 2 * MARGIN, height, legend=True, labels=False)
        if chart.note:
            self.text(slide, shorten(chart.note, 260), MARGIN, TABLE_TOP + height + 0.05, WIDTH - 2 * MARGIN, 0.6,
                      size=11, colour=GREY)

    def actions(self, title: str, actions: list[Action], subtitle: str | None, empty: str = "Aucune action.") -> None:
        rows = [[action.numero, action.intitule, action.pilote,
                 f"{action.debut or '?'} – {action.fin or '?'}", action.statut] for action in actions]
        self.paged_table(title, subtitle, ["N°", "Intitulé de l'action", "Pilote collectivité", "Années", "Statut"],
                         rows, [1.0, 5.9, 2.8, 1.3, 1.33], empty)

    def indicators(self, bilan: Bilan) -> None:
        from pptx.enum.chart import XL_CHART_TYPE

        rows = []
        for indicator in bilan.indicators:
            latest = indicator.latest
            rows.append([indicator.numero, indicator.indicateur, reference_text(indicator),
                         value_text(indicator, indicator.target),
                         f"{value_text(indicator, latest.value)} ({latest.year})" if latest else "",
                         share_text(latest.share) if latest else "", TRENDS.get(latest.trend, "") if latest else ""])
        subtitle = notes(bilan)[-1] if bilan.reference_assumed else "Dernière valeur connue, face à la référence et à la cible."
        self.paged_table(f"Indicateurs : référence, cible et valeur {bilan.year}", subtitle,
                         ["N°", "Indicateur", "Référence", "Cible", "Valeur", "Part de la cible", "Tendance"], rows,
                         [0.9, 4.4, 2.0, 1.0, 1.5, 1.2, 1.33], "Aucun indicateur suivi.")
        shares = share_chart(bilan)
        subtitle = "Dernière valeur connue rapportée à la cible."
        if not shares.drawn:
            if shares.note:
                slide = self.slide("Part de la cible atteinte", subtitle)
                self.text(slide, shares.note, MARGIN, TABLE_TOP + 0.2, WIDTH - 2 * MARGIN, 0.6, size=18)
            return
        height = HEIGHT - TABLE_TOP - 0.3 - (0.7 if shares.note else 0)
        for part in balanced(shares.kept, 12):
            slide = self.slide("Part de la cible atteinte", subtitle)
            self.chart(slide, XL_CHART_TYPE.BAR_CLUSTERED,
                       [shorten(indicator_label(indicator), 60) for indicator in part],
                       [("Part de la cible atteinte", [indicator.latest.share for indicator in part], BLUE)],
                       MARGIN, TABLE_TOP, WIDTH - 2 * MARGIN, height, percent=True)
            if shares.note:
                self.text(slide, shorten(shares.note, 260), MARGIN, TABLE_TOP + height + 0.05, WIDTH - 2 * MARGIN,
                          0.6, size=11, colour=GREY)

    def equipment(self, bilan: Bilan) -> None:
        from pptx.enum.chart import XL_CHART_TYPE

        equipment = bilan.equipment
        headers = ["Type de structure", "Structures", "Places"]
        widths = [2.6, 1.3, 1.3]
        if equipment.compared:
            headers += ["Évolution structures", "Évolution places"]
            widths += [1.4, 1.4]
        rows = []
        for line in equipment.types:
            row = [line.type, number_text(line.structures), number_text(line.places) or "—"]
            if equipment.compared:
                row += [change_text(line.structures_change), change_text(line.places_change)]
            rows.append(row)
        total = ["Total", number_text(equipment.structures), number_text(equipment.places)]
        if equipment.compared:
            total += [change_text(equipment.structures_change), change_text(equipment.places_change)]
        rows.append(total)
        subtitle = ("Depuis la version précédente" if equipment.compared
                    else "Structures et places déclarées (--depuis compare à une version précédente)")
        pages = balanced(rows, 11)
        for page in pages:
            slide = self.slide("Équipements et places", subtitle)
            self.table(slide, headers, page, widths, size=11, row_height=0.42)
            if page is not pages[0]:
                continue
            places = places_chart(bilan)
            left = MARGIN + sum(widths) + 0.3
            if places.drawn:
                height = HEIGHT - TABLE_TOP - 0.3 - (0.9 if places.note else 0)
                self.chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, [line.type for line in places.kept],
                           [("Places", [line.places for line in places.kept], BLUE)],
                           left, TABLE_TOP, WIDTH - left - MARGIN, height)
            if places.note:
                top = TABLE_TOP + height + 0.05 if places.drawn else TABLE_TOP
                self.text(slide, shorten(places.note, 160), left, top, WIDTH - left - MARGIN, 0.8, size=11,
                          colour=GREY)

    def gaps(self, bilan: Bilan) -> None:
        rows = [[figure.indicator, figure.commune or bilan.territory, str(figure.year or ""),
                 unit_value(figure.value, figure.unit), unit_value(figure.department, figure.unit), gap_text(figure)]
                for figure in bilan.gaps]
        self.paged_table("Diagnostic : plus grands écarts avec le département",
                         "Taux, ratios et montants ; écart en points pour un taux.",
                         ["Indicateur", "Commune", "Année", "Territoire", "Département", "Écart"], rows,
                         [4.6, 1.9, 0.8, 1.7, 1.7, 1.63], "Aucune valeur comparable au département.")

    def changes(self, bilan: Bilan) -> None:
        rows = [[change.sheet, change.key, change.what, change.old, change.new] for change in bilan.changes or []]
        self.paged_table("Modifications depuis la version précédente", shorten(bilan.previous or "", 120),
                         ["Feuille", "Ligne", "Modification", "Avant", "Après"], rows, [1.9, 5.0, 2.0, 1.7, 1.73],
                         "Aucune modification.")
