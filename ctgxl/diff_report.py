"""How a diff between two versions reads in a terminal: one line per change, by sheet."""

from __future__ import annotations

from datetime import date

from ctgxl.merging.diff import ADDED, CHANGED, REMOVED, Diff
from ctgxl.reading.values import as_text, is_number
from ctgxl.text import fr_figure, quote

KIND_WORDS = {ADDED: "ajoutée", REMOVED: "supprimée", CHANGED: "modifiée"}


def shown(value: object) -> str:
    """A value as the listing quotes it: numbers in French, « (vide) » for nothing."""
    if value is None:
        return "(vide)"
    if is_number(value):
        return fr_figure(value)
    if isinstance(value, date):
        return as_text(value)
    return quote(value)


def lines_count(count: int, participle: str, noun: str = "ligne") -> str:
    ending = "s" if count > 1 else ""
    return f"{count} {noun}{ending} {participle}{ending}"


def format_text(diff: Diff, old_label: str, new_label: str) -> list[str]:
    if not diff:
        return [f"Aucune différence entre {old_label} et {new_label}."]
    lines = [f"Modifications de {old_label} à {new_label}", ""]
    for sheet in diff.sheets.values():
        counts = [lines_count(len(sheet.added), "ajoutée"), lines_count(len(sheet.removed), "supprimée"),
                  lines_count(len(sheet.changed), "modifiée")]
        key = f" (clé : {', '.join(sheet.key_headers)})" if sheet.key_headers else ""
        lines.append(f"Feuille « {sheet.name} »{key} : {', '.join(counts)}")
        for change in diff.changes():
            if change.sheet != sheet.name:
                continue
            what = " / ".join(part for part in change.key if part) or sheet.name
            if change.label:
                what = f"{what} {quote(change.label)}".strip()
            line = f"  {KIND_WORDS[change.kind]:<10} {what}".rstrip()
            if change.kind == CHANGED:
                line += f" — {change.column} : {shown(change.old)} → {shown(change.new)}"
            lines.append(line)
        lines.append("")
    counts = diff.counts()
    lines.append(f"Résumé : {lines_count(counts['ajoutees'], 'ajoutée')}, "
                 f"{lines_count(counts['supprimees'], 'supprimée')}, {lines_count(counts['modifiees'], 'modifiée')} "
                 f"({lines_count(counts['champs_modifies'], 'modifiée', 'valeur')}).")
    return lines
