"""Shared by the collection portal's tests: a coordinator, a Dugny campaign, workbooks to send."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from websetup import set_up_django

set_up_django()  # the test modules import models and Django's TestCase when they are collected

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import override_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DUGNY = ROOT / "samples" / "dugny"
WITH_ERRORS = ROOT / "samples" / "a-corriger" / "dugny-pourcentage-1500.xlsx"  # from dugny-enfance-jeunesse.xlsx
CORRECTED = DUGNY / "dugny-enfance-jeunesse.xlsx"
PASSWORD = "une phrase de passe assez longue"


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


class PrivateData:
    """Each test stores its files in its own data folder."""

    def setUp(self):
        self._data = Path(tempfile.mkdtemp(prefix="ctgxl-collecte-"))
        override = override_settings(DATA_DIR=self._data)
        override.enable()
        self.addCleanup(shutil.rmtree, self._data, ignore_errors=True)
        self.addCleanup(override.disable)
        super().setUp()


def coordinator(email: str = "coordination@dugny.fr"):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(email, email, PASSWORD)


def campaign(owner, contributors=("Enfance jeunesse", "Petite enfance", "Cohésion sociale"), **fields):
    """A Dugny campaign; returns it and {contributor name: (contributor, private token)}."""
    from ctgxl.web.collecte.models import Campagne, Contributeur

    values = {"territoire": "Dugny", "type_territoire": "Commune", "code": "93030",
              "caf": "Caf de la Seine-Saint-Denis", "debut": 2023, "fin": 2027, **fields}
    campagne = Campagne.objects.create(coordinateur=owner, **values)
    links = {}
    for name in contributors:
        contributeur = Contributeur(campagne=campagne, nom=name, courriel=f"{name.split()[0].lower()}@dugny.fr",
                                    contact=f"Agent {name}")
        token = contributeur.new_link()
        contributeur.save()
        links[name] = (contributeur, token)
    return campagne, links
