"""Template filters for French text."""

from django import template

register = template.Library()


@register.filter
def pluriel(count, forms: str = "s") -> str:
    """Django's ``pluralize`` with the French rule: 0 and 1 take the singular (« 0 erreur »).
    ``forms`` is the plural suffix, or « singulier,pluriel » (``"a,ont"``)."""
    singular, _, plural = forms.rpartition(",") if "," in forms else ("", "", forms)
    try:
        many = abs(float(count)) >= 2
    except (TypeError, ValueError):
        many = False
    return plural if many else singular
