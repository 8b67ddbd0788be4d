"""Writes the consolidated workbook for the Caf: Synthèse with charts, the data sheets with
their provenance, Contrôles and Sources."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from ctgxl.checking.check import Report
from ctgxl.merging.consolidate import CONFLICT_MARK, MergedBooks, MergedSheet
from ctgxl.findings import ERREUR, INFORMATION, Finding
from ctgxl.standard import DATA_SHEETS, DIAGNOSTIC, EQUIPEMENTS, EURO_FORMAT, PLAN, SUIVI
from ctgxl.merging.comparisons import comparisons
from ctgxl.reading.values import as_text
from ctgxl.writing.writer import WorkbookWriter, print_setup, write_value

SYNTHESIS = "Synthèse"
CONTROLS = "Contrôles"
SOURCES = "Sources"
LARGE = 20_000
STATUS_COLOURS = {"À engager": "#FFF2CC", "En cours": "#DDEBF7", "Réalisée": "#E2EFDA", "Reportée": "#FCE4D6",
                  "Abandonnée": "#E7E6E6"}
GAP_FILL = "#F4B183"
KEY_FIGURES = 60  # the orange of the Caf's own diagnostic tables
SOURCE_HEADERS = ("Fichier", "SHA-256", "Modèle", "Version", "Contributeur", "Contact", "Courriel",
                  "Date de mise à jour", "Lisible")


def write_consolidated(consolidation: MergedBooks, report: Report, output, *, standard=None) -> None:
    """Write the merged books to ``output`` (a path, written atomically, or a binary stream)."""
    total = sum(len(sheet.rows) for sheet in consolidation.sheets.values())
    writer = WorkbookWriter(output, "complet", command="merge", constant_memory=total > LARGE, standard=standard)
    try:
        _synthesis(writer, consolidation, report)
        writer.add_identification(consolidation.identification)
        std = writer.standard
        for name in DATA_SHEETS:
            sheet = consolidation.sheets.get(name)
            if sheet is None:
                years = (range(consolidation.territory.start.year, consolidation.territory.end.year + 1)
                         if name == SUIVI and consolidation.territory.start and consolidation.territory.end else None)
                writer.add_table(std.sheet(name), [], years=years, provenance=True)
                continue
            _data_sheet(writer, sheet)
        _controls(writer, consolidation, report)
        _sources(writer, consolidation, report)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def _data_sheet(writer: WorkbookWriter, sheet: MergedSheet) -> None:
    conflict = writer.book.add_format({"bg_color": "#FF9999", "valign": "top", "bold": True})

    def rows():
        for values, origin in zip(sheet.rows, sheet.provenance):
            yield list(values) + list(origin)

    def mark(worksheet, row: int, values) -> None:
        if row - 1 in sheet.conflicted:
            write_value(worksheet, row, 0, values[0], conflict)
            worksheet.write_comment(row, 0, f"{CONFLICT_MARK} : un autre fichier donne d'autres valeurs pour cette "
                                             "ligne. Voir la feuille Contrôles.")

    worksheet = writer.add_table(sheet.spec, rows(), years=sheet.years, extra_headers=sheet.extras, provenance=True,
                                 validated_rows=max(len(sheet.rows), 200), row_format=mark)
    if sheet.spec.name == PLAN and sheet.rows:
        column = sheet.columns.index("statut")
        for status, colour in STATUS_COLOURS.items():
            worksheet.conditional_format(1, column, len(sheet.rows), column, {
                "type": "cell", "criteria": "==", "value": f'"{status}"',
                "format": writer.book.add_format({"bg_color": colour})})


def _link(sheet_name: str, row: int) -> str:
    from openpyxl.utils.cell import quote_sheetname

    return f"internal:{quote_sheetname(sheet_name)}!A{row}"


def _controls(writer: WorkbookWriter, consolidation: MergedBooks, report: Report) -> None:
    sheet = writer.book.add_worksheet(CONTROLS)
    fmt = writer.formats
    headers = ("Gravité", "Code", "Fichier", "Feuille", "Cellule", "Ligne", "Colonne", "Message", "Dans ce classeur")
    widths = (13, 24, 28, 18, 9, 7, 22, 90, 16)
    for index, (header, width) in enumerate(zip(headers, widths)):
        sheet.write_string(0, index, header, fmt.header)
        sheet.set_column(index, index, width, fmt.wrap if header == "Message" else fmt.text)
    colours = {ERREUR: writer.book.add_format({"font_color": "#C00000", "bold": True, "valign": "top"}),
               "avertissement": writer.book.add_format({"font_color": "#C55A11", "valign": "top"}),
               INFORMATION: writer.book.add_format({"font_color": "#2F5597", "valign": "top"})}
    link_format = writer.book.add_format({"font_color": "blue", "underline": 1, "valign": "top"})
    findings = [finding for finding in report.findings if finding.severity != INFORMATION] + \
               [finding for finding in report.findings if finding.severity == INFORMATION]
    sources = {book.name: book.source_name for book in report.books}
    for row, finding in enumerate(findings, start=1):
        values = (finding.severity, finding.code, sources.get(finding.file) or Path(finding.file).name, finding.sheet, finding.cell, finding.row,
                  finding.column, finding.message)
        for col, value in enumerate(values):
            write_value(sheet, row, col, value, colours[finding.severity] if col == 0 else None)
        target = _landing(consolidation, finding)
        if target:
            sheet.write_url(row, 8, target, link_format, string="Voir la ligne")
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(findings), 1), len(headers) - 1)
    print_setup(sheet, landscape=True)


def _landing(consolidation: MergedBooks, finding: Finding) -> str | None:
    if not finding.sheet or not finding.row:
        return None
    for name, merged in consolidation.sheets.items():
        index = merged.landing.get((finding.file, finding.sheet, finding.row))
        if index is not None:
            return _link(name, index + 2)
    return None


def _sources(writer: WorkbookWriter, consolidation: MergedBooks, report: Report) -> None:
    sheet = writer.book.add_worksheet(SOURCES)
    fmt = writer.formats
    headers = list(SOURCE_HEADERS) + [f"Lignes lues : {name}" for name in DATA_SHEETS]
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, fmt.header)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 66)
    sheet.set_column(2, len(headers) - 1, 16)
    from ctgxl.checking.checks import identification_values

    for row, book in enumerate(report.books, start=1):
        values = identification_values(book) if book.readable else {}
        data = [book.source_name, book.sha256, book.kind, book.version, book.contributor if book.readable else None,
                values.get("contact"), values.get("courriel"), values.get("mise_a_jour"),
                "oui" if book.readable else "non"]
        data += [sum(len(table.rows) for kind, table in book.all_tables() if kind == name) for name in DATA_SHEETS]
        for col, value in enumerate(data):
            write_value(sheet, row, col, value, fmt.date if col == 7 else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(report.books), 1), len(headers) - 1)
    print_setup(sheet, landscape=True)


def _synthesis(writer: WorkbookWriter, consolidation: MergedBooks, report: Report) -> None:
    book = writer.book
    sheet = book.add_worksheet(SYNTHESIS)
    fmt = writer.formats
    number = fmt.number("#,##0")
    euro = fmt.number(EURO_FORMAT)
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 12, 14)
    territory = consolidation.territory
    ident = consolidation.identification
    sheet.write_string(0, 0, f"Convention Territoriale Globale – {territory.name or 'territoire'}", fmt.title)
    period = (f"{territory.start:%d/%m/%Y} – {territory.end:%d/%m/%Y}" if territory.start and territory.end
              else "non renseignée")
    facts = [
        ("Territoire", f"{territory.name or ''} ({territory.type or 'type non renseigné'}, {territory.code or 'code ?'})"),
        ("Caf", as_text(ident.get("caf") or "")),
        ("Période de la convention", period),
        ("Contributeurs", f"{len(consolidation.contributors)} : " + "; ".join(consolidation.contributors)),
        ("Classeur consolidé le", consolidation.today.strftime("%d/%m/%Y")),
        ("Erreurs / avertissements ouverts", f"{len(report.errors)} / {len(report.warnings)} (voir Contrôles)"),
    ]
    if consolidation.secrecy:
        facts.append(("Secret statistique", f"appliqué : {consolidation.masked} effectif(s) de 1 à 4 remplacé(s) par "
                      "« <5 » (règle de la Caf en matière de secret statistique : toute valeur inférieure "
                      "à 5 allocataires et différente de zéro est masquée)."))
    row = 2
    for label, value in facts:
        sheet.write_string(row, 0, label, fmt.label)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Lignes par feuille", fmt.subtitle)
    row += 1
    for name in DATA_SHEETS:
        merged = consolidation.sheets.get(name)
        sheet.write_string(row, 0, name)
        sheet.write_number(row, 1, len(merged.rows) if merged else 0, number)
        row += 1
    row += 1
    row = _actions_table(writer, sheet, consolidation, row)
    row = _structures_table(writer, sheet, consolidation, row, number, euro)
    _diagnostic_table(writer, sheet, consolidation, row)
    print_setup(sheet, landscape=True, header_row=False)
    sheet.activate()


def _values(merged: MergedSheet | None, column_id: str) -> list:
    if merged is None:
        return []
    index = merged.columns.index(column_id)
    return [values[index] for values in merged.rows]


def _actions_table(writer, sheet, consolidation: MergedBooks, row: int) -> int:
    fmt = writer.formats
    std = writer.standard
    plan = consolidation.sheets.get(PLAN)
    sheet.write_string(row, 0, "Actions par thématique et statut", fmt.subtitle)
    row += 1
    statuses = list(std.lists["statuts"])
    counts = Counter(zip(_values(plan, "thematique"), _values(plan, "statut")))
    themes = [theme for theme in std.lists["thematiques"] if any(counts[(theme, status)] for status in statuses)]
    sheet.write_string(row, 0, "Thématique", fmt.header)
    for col, status in enumerate(statuses, start=1):
        sheet.write_string(row, col, status, fmt.header)
    sheet.write_string(row, len(statuses) + 1, "Total", fmt.header)
    header_row = row
    for theme in themes:
        row += 1
        sheet.write_string(row, 0, theme)
        for col, status in enumerate(statuses, start=1):
            sheet.write_number(row, col, counts[(theme, status)])
        sheet.write_number(row, len(statuses) + 1, sum(counts[(theme, status)] for status in statuses))
    if themes:
        chart = writer.book.add_chart({"type": "bar", "subtype": "stacked"})
        for col, status in enumerate(statuses, start=1):
            chart.add_series({
                "name": [SYNTHESIS, header_row, col],
                "categories": [SYNTHESIS, header_row + 1, 0, row, 0],
                "values": [SYNTHESIS, header_row + 1, col, row, col],
                "fill": {"color": _chart_colour(status)},
                "border": {"color": "#7F7F7F"},
            })
        chart.set_title({"name": "Actions par thématique et statut"})
        chart.set_x_axis({"name": "Nombre d'actions", "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 60 + 28 * len(themes) + 80})
        sheet.insert_chart(header_row, len(statuses) + 3, chart)
    return max(row + 2, header_row + 2 + (len(themes) * 28 + 140) // 20)


def _chart_colour(status: str) -> str:
    return {"À engager": "#FFD966", "En cours": "#5B9BD5", "Réalisée": "#70AD47", "Reportée": "#ED7D31",
            "Abandonnée": "#A5A5A5"}[status]


def _structures_table(writer, sheet, consolidation: MergedBooks, row: int, number, euro) -> int:
    fmt = writer.formats
    merged = consolidation.sheets.get(EQUIPEMENTS)
    sheet.write_string(row, 0, "Structures et places par type", fmt.subtitle)
    row += 1
    types = _values(merged, "type_structure")
    places = _values(merged, "capacite")
    owners = [as_text(value) if value else (consolidation.territory.name or "Territoire")
              for value in _values(merged, "collectivite")]
    collectivities = list(dict.fromkeys(owners))
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_pair: Counter = Counter()
    for kind, capacity, owner in zip(types, places, owners):
        kind = kind or "Non précisé"
        by_type[kind][0] += 1
        by_type[kind][1] += capacity if isinstance(capacity, (int, float)) else 0
        by_pair[(kind, owner)] += 1
    known = writer.standard.lists["types_structure"]
    order = [kind for kind in known if kind in by_type] + [kind for kind in by_type if kind not in known]
    headers = ["Type de structure", "Structures", "Places"] + (collectivities if len(collectivities) > 1 else [])
    for col, header in enumerate(headers):
        sheet.write_string(row, col, header, fmt.header)
    header_row = row
    for kind in order:
        row += 1
        sheet.write_string(row, 0, kind)
        sheet.write_number(row, 1, by_type[kind][0], number)
        sheet.write_number(row, 2, by_type[kind][1], number)
        if len(collectivities) > 1:
            for col, owner in enumerate(collectivities, start=3):
                if by_pair[(kind, owner)]:
                    sheet.write_number(row, col, by_pair[(kind, owner)], number)
    row += 1
    sheet.write_string(row, 0, "Total", fmt.bold)
    sheet.write_number(row, 1, sum(count for count, _ in by_type.values()), number)
    sheet.write_number(row, 2, sum(total for _, total in by_type.values()), number)
    bonus = sum(value for value in _values(merged, "bonus_ctg") if isinstance(value, (int, float)))
    row += 1
    sheet.write_string(row, 0, "Bonus territoire CTG (total)", fmt.bold)
    sheet.write_number(row, 2, bonus, euro)
    if order:
        chart = writer.book.add_chart({"type": "column"})
        chart.add_series({
            "name": "Places",
            "categories": [SYNTHESIS, header_row + 1, 0, header_row + len(order), 0],
            "values": [SYNTHESIS, header_row + 1, 2, header_row + len(order), 2],
            "fill": {"color": "#1F4E79"},
            "data_labels": {"value": True},
        })
        chart.set_title({"name": "Places par type de structure"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 620, "height": 320})
        sheet.insert_chart(header_row, 3 + (len(collectivities) if len(collectivities) > 1 else 0) + 1, chart)
    return max(row + 2, header_row + 18)


def _diagnostic_table(writer, sheet, consolidation: MergedBooks, row: int) -> int:
    fmt = writer.formats
    merged = consolidation.sheets.get(DIAGNOSTIC)
    sheet.write_string(row, 0, "Chiffres clés du diagnostic : territoire et département", fmt.subtitle)
    row += 1
    note = writer.book.add_format({"italic": True, "font_color": "#595959"})
    sheet.write_string(row, 0, "Taux, ratios et montants (les effectifs d'une commune et d'un département ne se "
                       "comparent pas). En orange : écart marqué (plus de 5 points, ou plus de 20 %).", note)
    row += 1
    headers = ("Indicateur", "Volet", "Commune", "Année", "Unité", "Territoire", "Département", "Écart")
    for col, header in enumerate(headers):
        sheet.write_string(row, col, header, fmt.header)
    if merged is None:
        return row + 2
    gap_format = writer.book.add_format({"bg_color": GAP_FILL, "num_format": "#,##0.0"})
    decimal = writer.formats.number("#,##0.0")
    comparable = comparisons(merged.columns, merged.rows)
    for figure in comparable[:KEY_FIGURES]:
        row += 1
        data = (figure.indicator, figure.volet, figure.commune, figure.year, figure.unit, figure.value,
                figure.department)
        for col, item in enumerate(data):
            write_value(sheet, row, col, item, decimal if col in (5, 6) else None)
        sheet.write_number(row, 7, figure.gap, gap_format if figure.marked else decimal)
    if len(comparable) > KEY_FIGURES:
        row += 1
        sheet.write_string(row, 0, f"… et {len(comparable) - KEY_FIGURES} autres valeurs comparables dans la feuille "
                           "Diagnostic.", note)
    return row + 2
