"""The bilan's figures as French text, shared by its workbook, slides and HTML page."""

from __future__ import annotations

import re

from ctgxl.merging.bilan import BAISSE, HAUSSE, STABLE, Bilan, Indicator, secret_count
from ctgxl.merging.consolidate import SECRET
from ctgxl.reading.values import is_number
from ctgxl.text import fr

TRENDS = {HAUSSE: "↗ en hausse", BAISSE: "↘ en baisse", STABLE: "→ stable"}
REFERENCE_NOTE = ("Sans valeur de référence saisie, la première valeur connue sert de référence "
                  "(« 1re valeur »).")
SECRECY_NOTE = ("Secret statistique : les effectifs inférieurs à cinq, sauf zéro (actions, structures, places, "
                "valeurs des indicateurs), sont remplacés par « <5 ».")


def number_text(value: object, decimals: int | None = None) -> str:
    """A number in French (« 1 234,5 »); a secret or a text as it is; nothing for None."""
    if value is None:
        return ""
    if is_number(value):
        if decimals is None and float(value).is_integer():
            decimals = 0
        return fr(value, decimals if decimals is not None else 1)
    return str(value)


def change_text(value: object) -> str:
    """A signed change (« +3 », « −12 », « 0 »)."""
    if value is None:
        return ""
    if is_number(value):
        return ("+" if value > 0 else "−" if value < 0 else "") + number_text(abs(value))
    return str(value)


def share_text(share: object) -> str:
    if share == SECRET:
        return SECRET
    return f"{fr(share * 100, 0)} %" if is_number(share) else ""


def value_text(indicator: Indicator, value: object) -> str:
    """An indicator value, with « % » for a rate."""
    text = number_text(value)
    return f"{text} %" if text and indicator.percent and is_number(value) else text


def reference_text(indicator: Indicator) -> str:
    if indicator.reference is None:
        return ""
    text = value_text(indicator, indicator.reference)
    if indicator.reference_year:
        text += f" ({indicator.reference_year}{', 1re valeur' if indicator.reference_assumed else ''})"
    return text


def key_figures(bilan: Bilan) -> list[tuple[str, str]]:
    """The synthèse: label and figure, the same in every output."""
    progress = bilan.progress
    figures = [
        ("Actions du plan", number_text(progress.total)),
        ("Actions réalisées", f"{number_text(progress.by_status.get('Réalisée'))} ({share_text(progress.realised_share)})"
         if progress.realised_share is not None else number_text(progress.by_status.get("Réalisée"))),
        ("Actions en cours", number_text(progress.by_status.get("En cours"))),
        (f"Actions en retard (fin avant {bilan.year}, ni réalisées ni abandonnées)", number_text(progress.late_count)),
        (f"Actions qui démarrent en {bilan.year}", number_text(progress.starting_count)),
        (f"Actions qui démarrent en {bilan.year + 1}", number_text(progress.next_year_count)),
    ]
    followed = [indicator for indicator in bilan.indicators if indicator.latest is not None]
    reached = [indicator for indicator in followed if is_number(indicator.latest.share) and indicator.latest.share >= 1]
    figures.append(("Indicateurs suivis (avec une valeur connue)",
                    f"{number_text(_count(len(bilan.indicators), bilan))} "
                    f"({number_text(_count(len(followed), bilan))})"))
    figures.append(("Indicateurs dont la cible est atteinte", number_text(_count(len(reached), bilan))))
    equipment = bilan.equipment
    structures = number_text(equipment.structures)
    places = number_text(equipment.places)
    if equipment.compared:
        structures += f" ({change_text(equipment.structures_change)} depuis la version précédente)"
        places += f" ({change_text(equipment.places_change)})"
    figures.append(("Structures et services soutenus", structures))
    figures.append(("Places d'accueil déclarées", places))
    marked = sum(1 for gap in bilan.gaps if gap.marked)
    figures.append(("Écarts marqués avec le département (parmi les plus grands)", number_text(_count(marked, bilan))))
    if bilan.changes is not None:
        figures.append(("Modifications depuis la version précédente", number_text(_count(len(bilan.changes), bilan))))
    return figures


def _count(number: int, bilan: Bilan):
    return secret_count(number, bilan.secrecy)


def notes(bilan: Bilan) -> list[str]:
    found = []
    if bilan.secrecy:
        found.append(SECRECY_NOTE)
    if bilan.reference_assumed:
        found.append(REFERENCE_NOTE)
    return found


def gap_text(figure) -> str:
    """The gap with the département, in points for a rate."""
    if figure.unit in ("%", "‰"):
        return f"{change_text(round(figure.gap, 1))} point{'s' if abs(figure.gap) >= 2 else ''}"
    return change_text(round(figure.gap, 1))


def unit_value(value: float, unit: str | None) -> str:
    text = number_text(round(value, 1))
    return f"{text} {unit}" if unit in ("%", "‰", "€") else text


def shorten(text: str, limit: int) -> str:
    text = re.sub(r"[ \t\r\n]+", " ", str(text)).strip()  # keeps the no-break spaces of « 1 500 »
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
