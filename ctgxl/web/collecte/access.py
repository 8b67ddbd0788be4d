"""Who may see what: a coordinator only their campaigns, a private link only its contributor.
Anything else is « not found » (404), never « forbidden », so that ids and links cannot be probed."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from ctgxl.web.collecte.models import Campagne, Contributeur, Version, token_hash


def campaign_of(request, campagne_id: int) -> Campagne:
    return get_object_or_404(Campagne, pk=campagne_id, coordinateur=request.user)


def contributor_of(request, campagne_id: int, contributeur_id: int) -> Contributeur:
    return get_object_or_404(Contributeur, pk=contributeur_id, campagne=campaign_of(request, campagne_id))


def version_of(request, campagne_id: int, version_id: int) -> Version:
    return get_object_or_404(Version.objects.select_related("contributeur"), pk=version_id,
                             contributeur__campagne=campaign_of(request, campagne_id))


def contributor_by_link(token: str) -> Contributeur:
    """The contributor of a private link, if the link is known, not revoked and not expired."""
    try:
        contributeur = Contributeur.objects.select_related("campagne").get(jeton_hash=token_hash(token))
    except Contributeur.DoesNotExist:
        raise Http404("Lien inconnu") from None
    if not contributeur.link_valid:
        raise Http404("Lien révoqué ou expiré")
    return contributeur


def own_version(contributeur: Contributeur, version_id: int) -> Version:
    return get_object_or_404(Version, pk=version_id, contributeur=contributeur)
