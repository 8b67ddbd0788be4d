"""How a check report reads as text (grouped by file and sheet) or as JSON. Pure: returns
strings; ``style`` lets the caller (the CLI) colour the titles and severities."""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby

from ctgxl.checking.check import Report
from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding

LABELS = {ERREUR: "erreur", AVERTISSEMENT: "avertissement", INFORMATION: "info"}
TITLE = "titre"  # the role of a file's heading and of the summary line, for ``style``


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def json_text(report: Report) -> str:
    # ASCII-safe (\u00e9 for é): readable whatever the console or the program that reads it.
    return json.dumps(report.as_json(), ensure_ascii=True, indent=2, default=str)


def _plain(text: str, role: str) -> str:
    return text


def _tally(findings: list[Finding]) -> str:
    counts = Counter(finding.severity for finding in findings)
    parts = [plural(counts[ERREUR], "erreur"), plural(counts[AVERTISSEMENT], "avertissement")]
    if counts[INFORMATION]:
        parts.append(plural(counts[INFORMATION], "information"))
    return ", ".join(parts)


def format_text(report: Report, style=_plain) -> list[str]:
    """The report's lines; ``style(text, role)`` may decorate a heading (role TITLE) or a
    severity label (role: the severity)."""
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    names = [book.name for book in report.books] + [finding.file for finding in report.not_found]
    passed = [finding for finding in report.missing if finding.severity != ERREUR]
    for finding in passed:  # what a folder scan passed by on purpose: not a file read
        lines.append(f"{style(LABELS[finding.severity], finding.severity)} [{finding.code}] {finding.message}")
    if passed:
        lines.append("")
    for name in dict.fromkeys(names):
        book = next((book for book in report.books if book.name == name), None)
        findings = by_file.get(name, [])
        head = f"Fichier {name}"
        if book is not None and book.readable:
            kind = f"modèle {book.kind}" if book.kind else "modèle non reconnu"
            version = f", version {book.version}" if book.version is not None else ""
            share = report.valid_share(book)
            valid = f", {share * 100:.1f} % de cellules valides".replace(".", ",") if share is not None else ""
            head += f" ({kind}{version}{valid})"
        elif book is not None or name in {finding.file for finding in report.not_found}:
            head += " (illisible)"
        lines.append(style(head, TITLE))
        if not findings:
            lines.append("  Aucun problème.")
            lines.append("")
            continue
        for sheet, group in groupby(findings, key=lambda finding: finding.sheet):
            group = list(group)
            lines.append(f"  {'Feuille « ' + sheet + ' »' if sheet else 'Classeur'} : {_tally(group)}")
            for finding in group:
                place = finding.cell or (f"ligne {finding.row}" if finding.row else "")
                label = style(LABELS[finding.severity], finding.severity)
                lines.append(f"    {place:<8} {label} [{finding.code}] {finding.message}")
        counts = report.counts(name)
        if len(counts) > 1 or sum(counts.values()) > 3:
            lines.append("  Par type : " + ", ".join(f"{code} × {count}" for code, count in counts.most_common()))
        lines.append("")
    files = len(names)
    lines.append(style(
        f"Résumé : {plural(files, 'fichier')}, {plural(len(report.errors), 'erreur')}, "
        f"{plural(len(report.warnings), 'avertissement')}, {plural(len(report.informations), 'information')}.",
        TITLE))
    return lines
