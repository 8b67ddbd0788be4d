"""The bilan's figures as French text, shared by its workbook, slides and HTML page."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ctgxl.merging.bilan import (BAISSE, HAUSSE, STABLE, Bilan, EquipmentType, Indicator, ThemeProgress,
                                  secret_count)
from ctgxl.merging.consolidate import SECRET
from ctgxl.reading.values import is_number
from ctgxl.text import fr

TRENDS = {HAUSSE: "↗ en hausse", BAISSE: "↘ en baisse", STABLE: "→ stable"}
REFERENCE_NOTE = ("Sans valeur de référence saisie, la première valeur connue sert de référence "
                  "(« 1re valeur »).")
SECRECY_NOTE = ("Secret statistique : les effectifs inférieurs à cinq, sauf zéro (actions, structures, places, "
                "valeurs des indicateurs), sont remplacés par « <5 ».")
CHART_MASKED = "Graphique non représenté : ses effectifs inférieurs à 5 sont masqués par le secret statistique."
LEFT_OUT = "Non représentés (secret statistique, effectif inférieur à 5) : {}."

# Chart labels and axes, with the thousands space written into the format: a program shows a
# « #,##0 » with its own locale's separator (« 1,234 » in English). Counts are never negative.
COUNT_FORMAT = '[>=1000000]#"\u202f"###"\u202f"##0;[>=1000]#"\u202f"##0;0'
SHARE_FORMAT = '0"\u202f"%'

Item = TypeVar("Item")


@dataclass
class Drawable(Generic[Item]):
    """What a chart may draw under secrecy. A category holding a masked count is left out whole,
    never drawn as an empty bar or as a stack short of one part, and ``note`` names it. A chart
    that would show fewer bars (categories with a count above zero) than it leaves out misleads
    more than it tells: it is not drawn at all, and ``note`` says why."""
    kept: list[Item]
    left_out: list[str]  # the names of the categories left out
    drawn: bool

    @property
    def note(self) -> str | None:
        if not self.left_out:
            return None
        return LEFT_OUT.format(", ".join(self.left_out)) if self.drawn else CHART_MASKED


def drawable(items: list[Item], values: Callable[[Item], list], name: Callable[[Item], str]) -> Drawable[Item]:
    kept = [item for item in items if SECRET not in values(item)]
    left_out = [name(item) for item in items if SECRET in values(item)]
    bars = sum(1 for item in kept if any(is_number(value) and value > 0 for value in values(item)))
    return Drawable(kept, left_out, bool(kept) and bars >= len(left_out))


# The bilan's charts, the same in every output.

def status_chart(bilan: Bilan) -> Drawable[str]:
    """Actions by status."""
    counts = bilan.progress.by_status
    return drawable(list(bilan.progress.statuses), lambda status: [counts[status]], str)


def theme_chart(bilan: Bilan) -> Drawable[ThemeProgress]:
    """Actions by thématique, stacked by status."""
    statuses = bilan.progress.statuses
    return drawable(bilan.progress.themes, lambda theme: [theme.by_status[status] for status in statuses],
                    lambda theme: theme.theme)


def share_chart(bilan: Bilan) -> Drawable[Indicator]:
    """Share of the target reached by the latest value, for each indicator that has one."""
    shared = [indicator for indicator in bilan.indicators
              if indicator.latest and (is_number(indicator.latest.share) or indicator.latest.share_masked)]
    return drawable(shared, lambda indicator: [SECRET if indicator.latest.share_masked else indicator.latest.share],
                    indicator_label)


def places_chart(bilan: Bilan) -> Drawable[EquipmentType]:
    """Places by type of structure, for the types whose places are given."""
    return drawable([line for line in bilan.equipment.types if line.places is not None], lambda line: [line.places],
                    lambda line: line.type)


def indicator_label(indicator: Indicator) -> str:
    return f"{indicator.numero} – {indicator.indicateur}"


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
