"""Views of the collection portal: thin over the models, the store and the library."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ctgxl.errors import ErrorsRemain, NothingRecognised
from ctgxl.web.collecte import access, checks, reminders, storage
from ctgxl.web.collecte.forms import CampagneForm, ConnexionForm, ContributeurForm, ConsolideForm, DepotForm
from ctgxl.web.collecte.models import Campagne, Contributeur, Evenement, Version

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAV = {"nav": "collecte"}


def uploads_per_hour() -> int:
    return int(getattr(settings, "CTGXL_DEPOTS_PAR_HEURE", 30))


class Connexion(auth_views.LoginView):
    template_name = "collecte/connexion.html"
    authentication_form = ConnexionForm
    extra_context = NAV


@login_required
def campagnes(request):
    storage.purge_expired(timezone.localdate())
    mine = Campagne.objects.filter(coordinateur=request.user)
    return render(request, "collecte/campagnes.html", {**NAV, "campagnes": mine})


_ISSUED = "liens-a-montrer"


def _links_page(request, campagne, issued: list[tuple[Contributeur, str]]):
    """After a post, a redirection to the page of the new links (a refresh then posts nothing
    again). The tokens wait in the session until that page takes them: only their hash is kept."""
    request.session[_ISSUED] = {"campagne": campagne.id,
                                "liens": [[contributeur.id, token] for contributeur, token in issued]}
    return redirect("collecte:liens", campagne.id)


@login_required
def liens(request, campagne_id: int):
    """The private links just made, shown once."""
    campagne = access.campaign_of(request, campagne_id)
    issued = request.session.get(_ISSUED)
    if not issued or issued.get("campagne") != campagne.id:
        messages.info(request, "Les liens de dépôt ne sont affichés qu'une fois. Un lien perdu se remplace par un "
                      "nouveau depuis l'historique du contributeur.")
        return redirect("collecte:tableau", campagne.id)
    del request.session[_ISSUED]
    contributeurs = {contributeur.id: contributeur for contributeur in campagne.contributeurs.all()}
    rows = []
    for contributeur_id, token in issued["liens"]:
        contributeur = contributeurs.get(contributeur_id)
        if contributeur is None:
            continue
        link = request.build_absolute_uri(reverse("collecte:depot", args=[token]))
        rows.append({"contributeur": contributeur, "lien": link, "mailto": reminders.invitation(contributeur, link)})
    response = render(request, "collecte/liens.html", {**NAV, "campagne": campagne, "liens": rows})
    response["Cache-Control"] = "no-store"  # the links are not kept by the browser for « Précédent »
    return response


@login_required
def campagne_nouvelle(request):
    form = CampagneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            campagne = form.save(commit=False)
            campagne.coordinateur = request.user
            campagne.save()
            issued = []
            for name, email in form.cleaned_data["contributeurs"]:
                contributeur = Contributeur(campagne=campagne, nom=name, courriel=email)
                issued.append((contributeur, contributeur.new_link()))
                contributeur.save()
        return _links_page(request, campagne, issued)
    return render(request, "collecte/campagne_nouvelle.html", {**NAV, "form": form})


@dataclass
class Row:
    contributeur: Contributeur
    latest: Version | None
    count: int

    @property
    def status(self) -> str:
        if self.latest is None:
            return "attendu"
        if self.latest.conforme:
            return "conforme"
        errors = self.latest.erreurs
        return f"reçu — {errors} erreur{'s' if errors > 1 else ''}"

    @property
    def badge(self) -> str:
        return {"attendu": "info", "conforme": "success"}.get(self.status, "error")


def _rows(campagne) -> list[Row]:
    rows = []
    for contributeur in campagne.contributeurs.prefetch_related("versions"):
        versions = list(contributeur.versions.all())
        rows.append(Row(contributeur, versions[-1] if versions else None, len(versions)))
    return rows


def latest_versions(campagne) -> list[Version]:
    return [row.latest for row in _rows(campagne) if row.latest is not None]


@login_required
def tableau(request, campagne_id: int):
    campagne = access.campaign_of(request, campagne_id)
    rows = _rows(campagne)
    received = [row for row in rows if row.latest]
    waiting = [{"contributeur": row.contributeur, "mailto": reminders.reminder(row.contributeur)}
               for row in rows if row.latest is None]
    errors = sum(row.latest.erreurs for row in received)
    return render(request, "collecte/tableau.html", {
        **NAV, "campagne": campagne, "rows": rows, "waiting": waiting, "errors": errors,
        "received": len(received), "consolide_form": ConsolideForm(despite_choice=bool(errors)), "contributeur_form": ContributeurForm()})


@login_required
@require_POST
def contributeur_ajout(request, campagne_id: int):
    campagne = access.campaign_of(request, campagne_id)
    form = ContributeurForm(request.POST, campagne=campagne)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect("collecte:tableau", campagne.id)
    contributeur = form.save(commit=False)
    contributeur.campagne = campagne
    token = contributeur.new_link()
    contributeur.save()
    return _links_page(request, campagne, [(contributeur, token)])


@login_required
def historique(request, campagne_id: int, contributeur_id: int):
    contributeur = access.contributor_of(request, campagne_id, contributeur_id)
    versions = list(contributeur.versions.all())
    journal = Evenement.objects.filter(contributeur=contributeur).select_related("compte")[:50]
    return render(request, "collecte/historique.html", {
        **NAV, "campagne": contributeur.campagne, "contributeur": contributeur, "versions": versions,
        "today": timezone.localdate(), "journal": journal})


@login_required
@require_POST
def nouveau_lien(request, campagne_id: int, contributeur_id: int):
    contributeur = access.contributor_of(request, campagne_id, contributeur_id)
    token = contributeur.new_link()
    if contributeur.expire_le < timezone.localdate():
        contributeur.expire_le = timezone.localdate() + timedelta(days=90)
    contributeur.save()
    return _links_page(request, contributeur.campagne, [(contributeur, token)])


@login_required
@require_POST
def revoquer(request, campagne_id: int, contributeur_id: int):
    contributeur = access.contributor_of(request, campagne_id, contributeur_id)
    contributeur.revoque = True
    contributeur.save(update_fields=["revoque"])
    messages.success(request, f"Le lien de « {contributeur.nom} » ne fonctionne plus.")
    return redirect("collecte:historique", contributeur.campagne_id, contributeur.id)


def _report_page(request, version: Version, template: str, context: dict):
    """The check page's report (same data, same rendering) of one stored version."""
    from ctgxl.html_report import summary
    from ctgxl.web.verification.page import report_context

    shown = report_context({"resume": summary(checks.report_of([version]))}, request.GET)
    return render(request, template, {**NAV, **context, **shown, "version": version})


@login_required
def rapport(request, campagne_id: int, version_id: int):
    version = access.version_of(request, campagne_id, version_id)
    return _report_page(request, version, "collecte/rapport.html",
                        {"campagne": version.contributeur.campagne, "contributeur": version.contributeur})


def _download_version(version: Version, **audit) -> FileResponse:
    Evenement.objects.create(action=Evenement.TELECHARGEMENT, campagne_id=version.contributeur.campagne_id,
                             sha256=version.sha256, **audit)
    return FileResponse(open(storage.path_of(version.sha256), "rb"), as_attachment=True,
                        filename=version.nom_fichier, content_type="application/octet-stream")


@login_required
def fichier(request, campagne_id: int, version_id: int):
    version = access.version_of(request, campagne_id, version_id)
    return _download_version(version, compte=request.user)


@login_required
def difference(request, campagne_id: int, contributeur_id: int):
    contributeur = access.contributor_of(request, campagne_id, contributeur_id)
    versions = {version.id: version for version in contributeur.versions.all()}
    try:
        old, new = versions[int(request.GET["de"])], versions[int(request.GET["a"])]
    except (KeyError, ValueError):
        raise Http404("Versions inconnues") from None
    from ctgxl.merging.diff import UnreadableVersion, diff

    problem, changes = None, []
    with storage.readable_copies([old, new]) as paths:
        try:
            # the empty parts of a key (no commune: the territory) say nothing
            changes = [{"change": change, "key": " · ".join(part for part in change.key if part)}
                       for change in diff([paths[old.id]], [paths[new.id]]).changes()]
        except UnreadableVersion as error:
            problem = str(error)
    numbers = {version.id: number for number, version in enumerate(versions.values(), start=1)}
    return render(request, "collecte/difference.html", {
        **NAV, "campagne": contributeur.campagne, "contributeur": contributeur, "old": old, "new": new,
        "old_number": numbers[old.id], "new_number": numbers[new.id], "changes": changes, "problem": problem})


@login_required
@require_POST
def consolide(request, campagne_id: int):
    campagne = access.campaign_of(request, campagne_id)
    form = ConsolideForm(request.POST)
    form.is_valid()
    versions = latest_versions(campagne)
    if not versions:
        messages.error(request, "Aucun classeur reçu : rien à consolider.")
        return redirect("collecte:tableau", campagne.id)
    with tempfile.TemporaryDirectory(prefix="ctgxl-consolide-") as folder:
        output = Path(folder) / "consolide.xlsx"
        try:
            checks.merge_versions(versions, output, secrecy=form.cleaned_data.get("secret_statistique", False),
                                  despite_errors=form.cleaned_data.get("malgre_erreurs", False))
        except ErrorsRemain as refused:
            messages.error(request, str(refused).replace(" (ou relancez avec --malgre-erreurs)", "")
                           + " Cochez « malgré les erreurs » pour le télécharger quand même.")
            return redirect("collecte:tableau", campagne.id)
        except NothingRecognised as refused:
            messages.error(request, str(refused))
            return redirect("collecte:tableau", campagne.id)
        content = output.read_bytes()
    Evenement.objects.create(action=Evenement.CONSOLIDE, campagne=campagne, compte=request.user)
    response = HttpResponse(content, content_type=XLSX)
    name = f"ctg-{campagne.territoire}-consolidee.xlsx"
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, name)


@login_required
def supprimer(request, campagne_id: int):
    campagne = access.campaign_of(request, campagne_id)
    if request.method == "POST":
        storage.delete_campaign(campagne)
        messages.success(request, f"La campagne « {campagne} » et ses fichiers ont été supprimés.")
        return redirect("collecte:campagnes")
    return render(request, "collecte/supprimer.html", {**NAV, "campagne": campagne})


# The contributor's side: everything through the private link.

def depot(request, token: str):
    contributeur = access.contributor_by_link(token)
    form = DepotForm(request.POST, request.FILES) if request.method == "POST" else DepotForm()
    if request.method == "POST" and form.is_valid():
        refusal = _refusal(contributeur, form.cleaned_data["fichier"])
        if refusal:
            form.add_error("fichier", refusal)
        else:
            version, created = _receive(contributeur, form.cleaned_data["fichier"])
            if not created:
                messages.info(request, "Ce fichier est identique à une version déjà déposée : voici son contrôle.")
            return redirect("collecte:depot_rapport", token, version.id)
    return render(request, "collecte/depot.html", {
        "contributeur": contributeur, "campagne": contributeur.campagne, "form": form, "token": token,
        "versions": list(contributeur.versions.all())}, status=400 if form.errors else 200)


def _refusal(contributeur, upload) -> str | None:
    from ctgxl.limits import Limits

    since = timezone.now() - timedelta(hours=1)
    if Evenement.objects.filter(contributeur=contributeur, action=Evenement.DEPOT, quand__gte=since).count() \
            >= uploads_per_hour():
        return (f"Vous avez déposé {uploads_per_hour()} fichiers dans l'heure : attendez un peu avant d'en "
                "déposer un autre.")
    limit = Limits().max_file_bytes
    if upload.size > limit:
        return f"Le fichier dépasse la taille admise ({limit // 1_000_000} Mo)."
    return None


def _receive(contributeur, upload):
    received = storage.store_file(upload.chunks())
    name = Path(upload.name).name or "classeur"
    report = checks.check_stored(received, name)
    return storage.save_version(contributeur, received, name, checks.summary(report))


def depot_modele(request, token: str):
    contributeur = access.contributor_by_link(token)
    from ctgxl.writing.template import Prefill, write_template

    campagne = contributeur.campagne
    prefill = Prefill(campagne.territoire, campagne.type_territoire, campagne.code, campagne.caf, campagne.debut,
                      campagne.fin, campagne.member_communes, contributeur.nom)
    with tempfile.TemporaryDirectory(prefix="ctgxl-modele-") as folder:
        target = write_template(Path(folder) / "modele.xlsx", campagne.modele, prefill)
        content = Path(target).read_bytes()
    Evenement.objects.create(action=Evenement.MODELE, campagne=campagne, contributeur=contributeur)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"ctg-{campagne.territoire}-{contributeur.nom}.xlsx")
    return response


def depot_rapport(request, token: str, version_id: int):
    contributeur = access.contributor_by_link(token)
    version = access.own_version(contributeur, version_id)
    return _report_page(request, version, "collecte/depot_rapport.html",
                        {"contributeur": contributeur, "campagne": contributeur.campagne, "token": token})


def depot_fichier(request, token: str, version_id: int):
    contributeur = access.contributor_by_link(token)
    return _download_version(access.own_version(contributeur, version_id), contributeur=contributeur)
