"""A campaign (one convention's collection), its contributors, the versions they send and
the audit trail of uploads and downloads (no personal data in it)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TERRITORY_TYPES = [("Commune", "Commune"), ("EPCI", "EPCI"), ("Autre groupement", "Autre groupement")]
TEMPLATE_KINDS = [("complet", "Complet (les trois annexes)"), ("diagnostic", "Diagnostic"),
                  ("equipements", "Équipements"), ("plan-actions", "Plan d'actions")]
LINK_DAYS = 180
RETENTION_DAYS = 3 * 365


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _retention_default() -> date:
    return timezone.localdate() + timedelta(days=RETENTION_DAYS)


def _link_expiry_default() -> date:
    return timezone.localdate() + timedelta(days=LINK_DAYS)


class Campagne(models.Model):
    coordinateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campagnes")
    territoire = models.CharField("Territoire", max_length=200)
    type_territoire = models.CharField("Type de territoire", max_length=20, choices=TERRITORY_TYPES)
    code = models.CharField("Code INSEE ou SIREN", max_length=9)
    caf = models.CharField("Caf", max_length=200)
    debut = models.PositiveSmallIntegerField("Année de début de la convention")
    fin = models.PositiveSmallIntegerField("Année de fin de la convention")
    communes = models.TextField("Communes membres", blank=True, help_text="Pour un EPCI : une commune par ligne.")
    modele = models.CharField("Modèle à remplir", max_length=20, choices=TEMPLATE_KINDS, default="complet")
    conserver_jusqu_au = models.DateField("Conserver jusqu'au", default=_retention_default,
                                          help_text="Après cette date, la campagne et ses fichiers sont supprimés.")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.territoire} ({self.debut}-{self.fin})"

    @property
    def member_communes(self) -> tuple[str, ...]:
        parts = self.communes.replace(";", "\n").splitlines()
        return tuple(part.strip() for part in parts if part.strip())


class Contributeur(models.Model):
    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="contributeurs")
    nom = models.CharField("Service ou commune membre", max_length=200)
    contact = models.CharField("Contact", max_length=200, blank=True)
    courriel = models.EmailField("Courriel", blank=True)
    jeton_hash = models.CharField(max_length=64, unique=True)
    revoque = models.BooleanField(default=False)
    expire_le = models.DateField("Lien valable jusqu'au", default=_link_expiry_default)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nom"]
        constraints = [models.UniqueConstraint(fields=["campagne", "nom"], name="contributeur_unique_par_campagne")]

    def __str__(self) -> str:
        return self.nom

    def new_link(self) -> str:
        """A fresh private token (the previous one stops working); only its hash is kept."""
        token = secrets.token_urlsafe(32)
        self.jeton_hash = token_hash(token)
        self.revoque = False
        return token

    @property
    def link_valid(self) -> bool:
        return not self.revoque and self.expire_le >= timezone.localdate()


class Version(models.Model):
    contributeur = models.ForeignKey(Contributeur, on_delete=models.CASCADE, related_name="versions")
    recu_le = models.DateTimeField(default=timezone.now)
    sha256 = models.CharField(max_length=64)
    nom_fichier = models.CharField(max_length=255)  # as the person named it: shown, never a path
    taille = models.PositiveBigIntegerField()
    lisible = models.BooleanField(default=True)
    erreurs = models.PositiveIntegerField(default=0)
    avertissements = models.PositiveIntegerField(default=0)
    rapport = models.JSONField(default=dict)

    class Meta:
        ordering = ["recu_le", "id"]
        constraints = [models.UniqueConstraint(fields=["contributeur", "sha256"], name="version_unique_par_contenu")]

    @property
    def conforme(self) -> bool:
        return self.lisible and not self.erreurs


class Evenement(models.Model):
    """Audit trail: when, which link (contributor) or account, what, which file."""

    DEPOT, TELECHARGEMENT, MODELE, CONSOLIDE = "depot", "telechargement", "modele", "consolide"
    ACTIONS = [(DEPOT, "Dépôt"), (TELECHARGEMENT, "Téléchargement d'une version"),
               (MODELE, "Téléchargement du modèle"), (CONSOLIDE, "Téléchargement du classeur consolidé")]
    quand = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=ACTIONS)
    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="evenements")
    contributeur = models.ForeignKey(Contributeur, null=True, blank=True, on_delete=models.CASCADE)
    compte = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-quand"]


class EchecConnexion(models.Model):
    """A failed login, keyed by a hash of the account name (login throttling)."""

    cle = models.CharField(max_length=64, db_index=True)
    quand = models.DateTimeField(default=timezone.now)
