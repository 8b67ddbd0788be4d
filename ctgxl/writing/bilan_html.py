"""The bilan as one printable, self-contained HTML page: inline CSS and SVG charts, no script,
no external file. Every text from a workbook goes through html.escape."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import BinaryIO

from ctgxl.merging.bilan import Action, Bilan
from ctgxl.writing.atomic import atomic_output
from ctgxl.writing.bilan_text import (TRENDS, Drawable, change_text, gap_text, indicator_label, key_figures, notes,
                                      number_text, places_chart, reference_text, share_chart, share_text, status_chart,
                                      unit_value, value_text)
from ctgxl.writing.consolidated import _chart_colour

STYLE = """
body { font-family: "Marianne", Arial, sans-serif; color: #161616; margin: 2em auto; max-width: 60em; line-height: 1.4; }
h1 { color: #1F4E79; font-size: 1.7em; margin-bottom: 0.2em; }
h2 { color: #1F4E79; font-size: 1.25em; border-bottom: 2px solid #1F4E79; margin-top: 1.8em; }
p.meta, p.note { color: #595959; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.92em; }
th { background: #1F4E79; color: #fff; text-align: left; padding: 0.3em 0.5em; }
td { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; vertical-align: top; }
td.n, td:first-child { text-align: right; white-space: nowrap; }
td:first-child { text-align: left; }
tr.marked td { background: #FCE4D6; }
svg { max-width: 100%; height: auto; }
svg text { font-family: Arial, sans-serif; font-size: 12px; fill: #161616; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr, svg { break-inside: avoid; }
  section { break-inside: auto; }
}
@page { size: A4; margin: 1.5cm; }
"""
NUMERIC = ' class="n"'
MARKED = ' class="marked"'


def write_bilan_html(bilan: Bilan, output: Path | BinaryIO) -> None:
    """The page, in UTF-8, to a path (atomically) or a writable binary stream."""
    with atomic_output(output, ".html") as temporary:
        temporary.write_text(bilan_html(bilan), encoding="utf-8")


def bilan_html(bilan: Bilan) -> str:
    title = f"Bilan {bilan.year} de la CTG – {bilan.territory}"
    parts = [f"<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<title>{escape(title)}</title>\n"
             f"<style>{STYLE}</style>\n</head>\n<body>\n",
             f"<h1>{escape(title)}</h1>\n",
             f"<p class=\"meta\">{escape(bilan.caf)} — convention {escape(bilan.period)} — contributeurs : "
             f"{escape('; '.join(bilan.contributors))} — préparé le {bilan.prepared:%d/%m/%Y}</p>\n"]
    parts.append(_section("Synthèse", _table(["", "Valeur"], key_figures(bilan), numeric=(1,))
                          + "".join(f"<p class=\"note\">{escape(note)}</p>\n" for note in notes(bilan))))
    statuses = list(bilan.progress.statuses)
    by_status = bilan.progress.by_status
    parts.append(_section("Avancement du plan d'actions",
                          _chart(status_chart(bilan), lambda status: (status, by_status[status], _chart_colour(status)),
                                 number_text)
                          + _table(["Thématique", *statuses, "Total"],
                                   [[theme.theme, *(number_text(theme.by_status[status]) for status in statuses),
                                     number_text(theme.total)] for theme in bilan.progress.themes],
                                   numeric=tuple(range(1, len(statuses) + 2)))))
    parts.append(_section(f"Actions en retard (fin avant {bilan.year})", _actions(bilan.progress.late)))
    parts.append(_section(f"Actions qui démarrent en {bilan.year}", _actions(bilan.progress.starting)))
    parts.append(_section(f"Prochaines étapes : actions qui démarrent en {bilan.year + 1}",
                          _actions(bilan.progress.next_year)))
    parts.append(_section("Indicateurs : référence, cible et valeur", _indicators(bilan)))
    parts.append(_section("Équipements et places", _equipment(bilan)))
    parts.append(_section("Diagnostic : plus grands écarts avec le département", _gaps(bilan)))
    if bilan.changes is not None:
        rows = [[change.sheet, change.key, change.what, change.old, change.new] for change in bilan.changes]
        parts.append(_section("Modifications depuis la version précédente",
                              f"<p class=\"meta\">Comparé à {escape(bilan.previous or '')}</p>\n"
                              + (_table(["Feuille", "Ligne", "Modification", "Avant", "Après"], rows)
                                 if rows else "<p>Aucune modification.</p>\n")))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{escape(title)}</h2>\n{body}</section>\n"


def _table(headers: list[str], rows, numeric: tuple[int, ...] = (), marked: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = []
    for index, row in enumerate(rows):
        cells = "".join(f"<td{NUMERIC if col in numeric else ''}>{escape(str(value))}</td>"
                        for col, value in enumerate(row))
        body.append(f"<tr{MARKED if index in marked else ''}>{cells}</tr>\n")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(body)}</tbody>\n</table>\n"


def _actions(actions: list[Action]) -> str:
    if not actions:
        return "<p>Aucune.</p>\n"
    return _table(["N°", "Intitulé de l'action", "Thématique", "Pilote collectivité", "Années", "Statut"],
                  [[action.numero, action.intitule, action.thematique, action.pilote,
                    f"{action.debut or '?'} – {action.fin or '?'}", action.statut] for action in actions])


def _chart(chart: Drawable, bar, label) -> str:
    """The SVG bars of what ``chart`` may draw (``bar`` gives each one's name, value and colour),
    and its note on what secrecy left out; the note alone when nothing is left to draw."""
    note = f'<p class="note">{escape(chart.note)}</p>\n' if chart.note else ""
    return (_bars([bar(item) for item in chart.kept], label) if chart.drawn else "") + note


def _bars(items: list[tuple[str, float, str]], label) -> str:
    """A horizontal bar chart in SVG."""
    if not items:
        return ""
    top = max([1.0, *(value for _, value, _ in items)])
    name_width, bar_width, line = 300, 380, 24
    height = line * len(items) + 10
    rows = []
    for index, (name, value, colour) in enumerate(items):
        y = 5 + index * line
        shown = escape(name if len(name) <= 40 else name[:39] + "…")
        rows.append(f'<text x="{name_width - 8}" y="{y + 16}" text-anchor="end">{shown}</text>')
        width = bar_width * value / top if value > 0 else 0
        rows.append(f'<rect x="{name_width}" y="{y + 3}" width="{width:.1f}" height="{line - 8}" fill="{colour}"/>')
        rows.append(f'<text x="{name_width + width + 6:.1f}" y="{y + 16}">{escape(label(value))}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{name_width + bar_width + 70}" height="{height}" '
            f'viewBox="0 0 {name_width + bar_width + 70} {height}" role="img">{"".join(rows)}</svg>\n')


def _indicators(bilan: Bilan) -> str:
    rows = []
    for indicator in bilan.indicators:
        for line in indicator.years:
            if line.value is None:
                continue  # a year not yet known
            rows.append([indicator.numero, indicator.indicateur, str(line.year), reference_text(indicator),
                         value_text(indicator, indicator.target), value_text(indicator, line.value),
                         share_text(line.share), TRENDS.get(line.trend, "")])
    shares = share_chart(bilan)
    chart = _chart(shares, lambda indicator: (indicator_label(indicator), indicator.latest.share, "#1F4E79"),
                   share_text)
    note = "".join(f"<p class=\"note\">{escape(text)}</p>\n" for text in notes(bilan) if "référence" in text)
    return ((f"<p>Part de la cible atteinte (dernière valeur connue, {bilan.year} au plus tard) :</p>\n" + chart
             if shares.kept or shares.left_out else "") + note
            + _table(["N°", "Indicateur", "Année", "Référence", "Cible", "Valeur", "Part de la cible", "Tendance"],
                     rows, numeric=(4, 5, 6)))


def _equipment(bilan: Bilan) -> str:
    equipment = bilan.equipment
    headers = ["Type de structure", "Structures", "Places"]
    if equipment.compared:
        headers += ["Évolution des structures", "Évolution des places"]
    rows = []
    for line in [*equipment.types, None]:
        if line is None:
            row = ["Total", number_text(equipment.structures), number_text(equipment.places)]
            changes = (equipment.structures_change, equipment.places_change)
        else:
            row = [line.type, number_text(line.structures), number_text(line.places) or "—"]
            changes = (line.structures_change, line.places_change)
        if equipment.compared:
            row += [change_text(change) for change in changes]
        rows.append(row)
    chart = _chart(places_chart(bilan), lambda line: (line.type, line.places, "#1F4E79"), number_text)
    body = chart + _table(headers, rows, numeric=tuple(range(1, len(headers))))
    if equipment.compared:
        for title, structures in (("Structures ajoutées", equipment.added), ("Structures retirées", equipment.removed)):
            body += f"<p><strong>{escape(title)}</strong></p>\n" + (
                _table(["Type", "Nom de la structure", "Commune", "Places"],
                       [[item.type, item.name, item.commune or "", number_text(item.places)] for item in structures],
                       numeric=(3,)) if structures else "<p>Aucune.</p>\n")
    else:
        body += ("<p class=\"note\">Le standard ne date pas l'ouverture ni la fermeture des structures : les gains "
                 "et pertes se lisent en comparant à une version précédente (--depuis).</p>\n")
    return body


def _gaps(bilan: Bilan) -> str:
    if not bilan.gaps:
        return "<p>Aucune valeur comparable au département.</p>\n"
    rows = [[figure.indicator, figure.commune or bilan.territory, str(figure.year or ""),
             unit_value(figure.value, figure.unit), unit_value(figure.department, figure.unit), gap_text(figure)]
            for figure in bilan.gaps]
    marked = {index for index, figure in enumerate(bilan.gaps) if figure.marked}
    return (_table(["Indicateur", "Commune", "Année", "Territoire", "Département", "Écart"], rows,
                   numeric=(3, 4, 5), marked=marked)
            + "<p class=\"note\">Taux, ratios et montants ; écart en points pour un taux. Sur fond orangé : écart "
              "marqué (plus de 5 points, ou plus de 20 %).</p>\n")
