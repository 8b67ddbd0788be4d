"""A check report as one self-contained, printable HTML page (`ctgxl check --format html`,
and « Télécharger le rapport » on the web page). Every value taken from a workbook (file
and sheet names, messages quoting cells) is escaped."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from html import escape
from itertools import groupby

from ctgxl.findings import AVERTISSEMENT, CODES, ERREUR, INFORMATION

SEVERITIES = (ERREUR, AVERTISSEMENT, INFORMATION)
SEVERITY_LABELS = {ERREUR: "Erreur", AVERTISSEMENT: "Avertissement", INFORMATION: "Information"}
SEVERITY_PLURALS = {ERREUR: "erreurs", AVERTISSEMENT: "avertissements", INFORMATION: "informations"}


def summary(report, names: dict[str, str] | None = None) -> dict:
    """The report as plain data (JSON-ready): what both the HTML page and the web page show.
    ``names`` maps a book's name to the name shown (the web stores files under numbers)."""
    names = names or {}
    files = []
    for book in report.books:
        share = report.valid_share(book) if book.readable else None
        files.append({"nom": names.get(book.name, book.name), "lisible": book.readable, "modele": book.kind,
                      "version": book.version, "part_valide": share})
    for finding in report.missing:
        files.append({"nom": names.get(finding.file, finding.file), "lisible": False, "modele": None,
                      "version": None, "part_valide": None})
    findings = [{"fichier": names.get(finding.file, finding.file), "feuille": finding.sheet,
                 "cellule": finding.cell, "ligne": finding.row, "code": finding.code,
                 "gravite": finding.severity, "message": finding.message}
                for finding in report.findings]
    for entry in files:
        counts = Counter(finding["gravite"] for finding in findings if finding["fichier"] == entry["nom"])
        entry.update({SEVERITY_PLURALS[severity]: counts[severity] for severity in SEVERITIES})
    return {"fichiers": files, "constats": findings}


def severity_counts(findings: list[dict]) -> list[tuple[str, str, int]]:
    counts = Counter(finding["gravite"] for finding in findings)
    return [(severity, SEVERITY_LABELS[severity], counts[severity]) for severity in SEVERITIES]


def code_counts(findings: list[dict]) -> list[dict]:
    """One line per code: code, title, severity, count; the most frequent first."""
    counts = Counter((finding["code"], finding["gravite"]) for finding in findings)
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    return [{"code": code, "titre": CODES[code].title if code in CODES else code, "gravite": severity,
             "gravite_libelle": SEVERITY_LABELS[severity], "nombre": count}
            for (code, severity), count in sorted(counts.items(), key=lambda item: (order[item[0][1]], -item[1]))]


def file_status(entry: dict) -> str:
    """« modèle plan-actions, version 1, 97,5 % de cellules valides » or « illisible »."""
    if not entry["lisible"]:
        return "illisible"
    parts = [f"modèle {entry['modele']}" if entry["modele"] else "modèle non reconnu"]
    if entry["version"] is not None:
        parts.append(f"version {entry['version']}")
    if entry["part_valide"] is not None:
        parts.append(f"{entry['part_valide'] * 100:.1f} % de cellules valides".replace(".", ","))
    return ", ".join(parts)


def by_sheet(findings: list[dict]) -> list[tuple[str, list[dict]]]:
    """The findings of one file grouped by sheet, in report order (« Classeur » for the file itself)."""
    return [(sheet or "", list(group)) for sheet, group in groupby(findings, key=lambda finding: finding["feuille"])]


def place(finding: dict) -> str:
    return finding["cellule"] or (f"ligne {finding['ligne']}" if finding["ligne"] else "")


STYLE = """
body { font-family: Marianne, Arial, sans-serif; color: #161616; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.75rem; margin-bottom: .25rem; } h2 { font-size: 1.35rem; margin-top: 2rem; border-bottom: 2px solid #000091; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } td.nombre { text-align: right; } td code { white-space: nowrap; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .25rem; font-size: .8rem; font-weight: bold; text-transform: uppercase; }
.erreur { background: #ffe9e9; color: #ce0500; } .avertissement { background: #ffe9e6; color: #b34000; }
.information { background: #e8edff; color: #0063cb; }
.meta { color: #3a3a3a; } .illisible { color: #ce0500; font-weight: bold; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-before: auto; } tr { page-break-inside: avoid; } }
"""


def render(data: dict, title: str = "Rapport de contrôle des classeurs CTG", when: datetime | None = None) -> str:
    """The whole page: totals by severity and by code, then each file's findings by sheet."""
    e = escape
    when = when or datetime.now()
    findings = data["constats"]
    out = ["<!DOCTYPE html>", '<html lang="fr">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", "<main>",
           f"<h1>{e(title)}</h1>",
           f'<p class="meta">Produit par ctgxl le {when:%d/%m/%Y à %H:%M} — '
           f"{len(data['fichiers'])} fichier{'s' if len(data['fichiers']) > 1 else ''}.</p>",
           "<h2>Résumé</h2>", "<table><caption>Constats par gravité</caption>",
           '<thead><tr><th scope="col">Gravité</th><th scope="col">Nombre</th></tr></thead><tbody>']
    for severity, label, count in severity_counts(findings):
        out.append(f'<tr><td><span class="badge {severity}">{label}</span></td><td class="nombre">{count}</td></tr>')
    out.append("</tbody></table>")
    codes = code_counts(findings)
    if codes:
        out.append('<table><caption>Constats par type</caption><thead><tr><th scope="col">Code</th>'
                   '<th scope="col">Description</th><th scope="col">Gravité</th><th scope="col">Nombre</th></tr></thead><tbody>')
        for line in codes:
            out.append(f"<tr><td><code>{e(line['code'])}</code></td><td>{e(line['titre'])}</td>"
                       f'<td><span class="badge {line["gravite"]}">{line["gravite_libelle"]}</span></td>'
                       f'<td class="nombre">{line["nombre"]}</td></tr>')
        out.append("</tbody></table>")
    for entry in data["fichiers"]:
        status = file_status(entry)
        out.append(f"<h2>{e(entry['nom'])}</h2>")
        css = ' class="illisible"' if not entry["lisible"] else ' class="meta"'
        out.append(f"<p{css}>{e(status.capitalize())} — {entry['erreurs']} erreur(s), "
                   f"{entry['avertissements']} avertissement(s), {entry['informations']} information(s).</p>")
        own = [finding for finding in findings if finding["fichier"] == entry["nom"]]
        if not own:
            out.append("<p>Aucun problème.</p>")
            continue
        for sheet, group in by_sheet(own):
            out.append(f"<h3>{'Feuille « ' + e(sheet) + ' »' if sheet else 'Classeur'}</h3>")
            out.append('<table><thead><tr><th scope="col">Cellule</th><th scope="col">Gravité</th>'
                       '<th scope="col">Code</th><th scope="col">Message</th></tr></thead><tbody>')
            for finding in group:
                severity = finding["gravite"]
                out.append(f"<tr><td>{e(place(finding))}</td>"
                           f'<td><span class="badge {severity}">{SEVERITY_LABELS[severity]}</span></td>'
                           f"<td><code>{e(finding['code'])}</code></td><td>{e(finding['message'])}</td></tr>")
            out.append("</tbody></table>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)
