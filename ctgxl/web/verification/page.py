"""What the report page shows, from a check's stored data and the filters of its query string
(so that filtering works without JavaScript)."""

from __future__ import annotations

from ctgxl.html_report import (SEVERITIES, SEVERITY_LABELS, by_sheet, code_counts, file_status, place,
                               severity_counts)

BADGES = {"erreur": "fr-badge--error", "avertissement": "fr-badge--warning", "information": "fr-badge--info"}


def _choice(query, name: str, allowed) -> str:
    value = query.get(name, "")
    return value if value in allowed else ""


def report_context(meta: dict, query) -> dict:
    data = meta["resume"]
    files = data["fichiers"]
    findings = data["constats"]
    numbers = [str(index) for index in range(1, len(files) + 1)]
    chosen_file = _choice(query, "fichier", numbers)
    chosen_severity = _choice(query, "gravite", SEVERITIES)
    shown_files = []
    for number, entry in zip(numbers, files):
        if chosen_file and number != chosen_file:
            continue
        own = [dict(finding, place=place(finding), badge=BADGES[finding["gravite"]],
                    gravite_libelle=SEVERITY_LABELS[finding["gravite"]])
               for finding in findings if finding["fichier"] == entry["nom"]
               and (not chosen_severity or finding["gravite"] == chosen_severity)]
        shown_files.append({**entry, "numero": number, "statut": file_status(entry),
                            "feuilles": [{"nom": sheet, "constats": group} for sheet, group in by_sheet(own)],
                            "affiches": len(own)})
    errors = sum(1 for finding in findings if finding["gravite"] == "erreur")
    return {
        "files": [dict(entry, statut=file_status(entry)) for entry in files],
        "file_options": list(zip(numbers, [entry["nom"] for entry in files])),
        "severity_options": [(severity, SEVERITY_LABELS[severity]) for severity in SEVERITIES],
        "chosen_file": chosen_file,
        "chosen_severity": chosen_severity,
        "filtered": bool(chosen_file or chosen_severity),
        "shown_files": shown_files,
        "severity_counts": [{"gravite": severity, "texte": f"{count} {label.lower()}{'s' if count > 1 else ''}",
                             "nombre": count, "badge": BADGES[severity]}
                            for severity, label, count in severity_counts(findings)],
        "code_counts": [dict(line, badge=BADGES[line["gravite"]]) for line in code_counts(findings)],
        "errors": errors,
        "unreadable": sum(1 for entry in files if not entry["lisible"]),
    }
