"""Forms of the collection portal; labels and messages in French."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import validate_email
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from ctgxl.web.collecte.models import Campagne, Contributeur, EchecConnexion

# Login throttling: this many failures for one account (or from one address) within the
# window lock it for the rest of the window.
LOGIN_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


class ConnexionForm(DsfrBaseForm, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "throttled": "Trop de tentatives de connexion : réessayez dans 15 minutes.",
    }

    def clean(self):
        keys = [_key("compte", self.data.get("username", ""))]
        if self.request is not None:
            keys.append(_key("adresse", self.request.META.get("REMOTE_ADDR", "")))
        since = timezone.now() - LOGIN_WINDOW
        EchecConnexion.objects.filter(quand__lt=since).delete()
        if any(EchecConnexion.objects.filter(cle=key, quand__gte=since).count() >= LOGIN_FAILURES for key in keys):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            EchecConnexion.objects.bulk_create([EchecConnexion(cle=key) for key in keys])
            raise


class CampagneForm(DsfrBaseForm, forms.ModelForm):
    contributeurs = forms.CharField(
        label="Contributeurs", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Un par ligne : le service (ou la commune membre), puis, si vous voulez, « ; » et son courriel. "
                  "Exemple : Petite enfance ; creche@mairie-dugny.fr")

    class Meta:
        model = Campagne
        fields = ["territoire", "type_territoire", "code", "caf", "debut", "fin", "communes", "modele",
                  "conserver_jusqu_au"]
        widgets = {"communes": forms.Textarea(attrs={"rows": 3}),
                   "conserver_jusqu_au": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        data = super().clean()
        debut, fin = data.get("debut"), data.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", "La fin de la convention précède son début.")
        return data

    def clean_contributeurs(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for number, line in enumerate(self.cleaned_data["contributeurs"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _, email = (part.strip() for part in line.partition(";"))
            if email:
                try:
                    validate_email(email)
                except forms.ValidationError:
                    raise forms.ValidationError(f"Ligne {number} : « {email} » n'est pas une adresse électronique.")
            if any(name.lower() == other.lower() for other, _ in found):
                raise forms.ValidationError(f"Ligne {number} : « {name} » figure deux fois.")
            found.append((name[:200], email))
        return found


class ContributeurForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Contributeur
        fields = ["nom", "contact", "courriel", "expire_le"]
        widgets = {"expire_le": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, campagne=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campagne = campagne

    def clean_nom(self):
        name = self.cleaned_data["nom"].strip()
        if self.campagne and self.campagne.contributeurs.filter(nom__iexact=name).exists():
            raise forms.ValidationError("Ce contributeur existe déjà dans la campagne.")
        return name


class DepotForm(DsfrBaseForm):
    fichier = forms.FileField(label="Votre classeur rempli",
                              help_text="Formats acceptés : .xlsx, .xlsm, .xls, .xlsb, .ods. Un seul fichier.")


class ConsolideForm(DsfrBaseForm):
    def __init__(self, *args, despite_choice: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not despite_choice:  # no error left: nothing to choose
            del self.fields["malgre_erreurs"]

    secret_statistique = forms.BooleanField(
        label="Appliquer le secret statistique (effectifs de 1 à 4 remplacés par « <5 »)", required=False)
    malgre_erreurs = forms.BooleanField(
        label="Télécharger malgré les erreurs (elles sont listées dans la feuille Contrôles)", required=False)
