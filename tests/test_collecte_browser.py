"""The whole collection round in a real Chromium (the check page's fixtures): a coordinator logs
in, creates a Dugny campaign with three contributors, two links upload (one file with errors,
then its corrected version), the dashboard shows the statuses and the difference, and the
consolidated workbook downloaded equals `ctgxl merge` of the same latest files."""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from collecte_helpers import CORRECTED, DUGNY, PASSWORD, WITH_ERRORS
from consolidated_compare import assert_same_workbooks, merge_with_cli
from test_web_browser import browser, page  # noqa: F401 - the check page's Chromium fixtures

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
# The screenshots of the README (docs/) are taken again with CTGXL_CAPTURES=docs; a plain run
# leaves the repository as it is.
CAPTURES = ROOT / "docs" if os.environ.get("CTGXL_CAPTURES") == "docs" else \
    Path(tempfile.gettempdir()) / "ctgxl-captures"
SCREENSHOT = CAPTURES / "capture-collecte.png"
DEPOT_SCREENSHOT = CAPTURES / "capture-depot.png"
PETITE_ENFANCE = DUGNY / "dugny-petite-enfance.xlsx"


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright():
    """Playwright's synchronous API runs an event loop in this thread; the ORM calls of the test
    (and of the database fixtures) are still synchronous ones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        yield


@pytest.fixture
def portal(collecte_db, tmp_path):
    """The application on 127.0.0.1 with its own data folder and the test database, emptied after."""
    from django.core.management import call_command
    from django.test import override_settings
    from waitress.server import create_server

    from ctgxl.web.wsgi import application

    with override_settings(DATA_DIR=tmp_path / "donnees"):
        server = create_server(application, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.effective_port}"
        server.close()
    call_command("flush", interactive=False, verbosity=0)


def statuses(page) -> dict[str, str]:
    return {row.get_attribute("data-contributeur"): row.locator(".ctgxl-etat").text_content().strip()
            for row in page.locator("#tableau-contributeurs tbody tr").all()}


def send(page, link: str, path: Path) -> None:
    page.goto(link)
    page.set_input_files("#id_fichier", str(path))
    page.get_by_role("button", name="Déposer et contrôler").click()
    page.wait_for_url(re.compile(r".*/depot/[\w-]+/versions/\d+/$"))


def test_collection_round(portal, page, tmp_path):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("coordination@dugny.fr", "coordination@dugny.fr", PASSWORD)
    page.goto(portal + "/collecte/")
    page.fill("#id_username", "coordination@dugny.fr")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Nouvelle campagne").click()
    page.fill("#id_territoire", "Dugny")
    page.select_option("#id_type_territoire", "Commune")
    page.fill("#id_code", "93030")
    page.fill("#id_caf", "Caf de la Seine-Saint-Denis")
    page.fill("#id_debut", "2023")
    page.fill("#id_fin", "2027")
    page.fill("#id_contributeurs", "Enfance jeunesse ; enfance@mairie-dugny.fr\nPetite enfance\n"
                                   "Cohésion sociale ; cohesion@mairie-dugny.fr")
    page.get_by_role("button", name="Créer la campagne").click()
    links = [code.inner_text().strip() for code in page.locator("code.ctgxl-lien").all()]
    assert len(links) == 3
    dashboard = page.get_by_role("link", name="Aller au tableau de bord").get_attribute("href")
    page.reload()  # a refresh posts nothing again, and the links are not shown twice
    assert "ne sont affichés qu'une fois" in page.inner_text("main")
    assert page.locator("code.ctgxl-lien").count() == 0
    from ctgxl.web.collecte.models import Campagne

    assert Campagne.objects.count() == 1

    send(page, links[0], WITH_ERRORS)
    assert page.locator(".ctgxl-constat[data-code='pourcentage-hors-bornes']").count() == 1
    page.screenshot(path=str(DEPOT_SCREENSHOT), full_page=True)
    send(page, links[1], PETITE_ENFANCE)
    assert "Votre classeur est conforme" in page.inner_text("main")
    page.goto(portal + dashboard)
    assert statuses(page) == {"Enfance jeunesse": "reçu — 1 erreur", "Petite enfance": "conforme",
                              "Cohésion sociale": "attendu"}

    send(page, links[0], CORRECTED)
    assert "Votre classeur est conforme" in page.inner_text("main")
    page.goto(portal + dashboard)
    assert statuses(page) == {"Enfance jeunesse": "conforme", "Petite enfance": "conforme",
                              "Cohésion sociale": "attendu"}
    reminder = page.get_by_role("link", name="Préparer une relance pour Cohésion sociale").get_attribute("href")
    assert reminder.startswith("mailto:cohesion@mairie-dugny.fr?subject=")
    assert "« Cohésion sociale »" in parse_qs(urlsplit(reminder).query)["body"][0]
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_download() as waiting:
        page.get_by_role("button", name="Télécharger le classeur consolidé").click()
    downloaded = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(downloaded)
    assert downloaded.name == "ctg-Dugny-consolidee.xlsx"
    assert_same_workbooks(downloaded, merge_with_cli([CORRECTED, PETITE_ENFANCE], tmp_path))

    page.get_by_role("link", name="Historique de Enfance jeunesse").click()
    page.get_by_role("button", name="Voir la différence").click()
    first = page.locator("#difference tbody tr").first.locator("td").all_inner_texts()
    assert first == ["Diagnostic", "Part des 3-5 ans dans la population · 2019", "valeur modifiée",
                     "Valeur territoire", "1500,0", "5,0"]
