"""Every route of the collection portal, through Django's test client: what a coordinator and a
contributor see, and every cross-access attempt answered 404."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

import openpyxl
import pytest
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from collecte_helpers import CORRECTED, DUGNY, PASSWORD, WITH_ERRORS, PrivateData, campaign, coordinator, upload
from ctgxl.web.collecte.models import Campagne, Contributeur, EchecConnexion, Evenement, Version


pytestmark = [pytest.mark.postgresql, pytest.mark.usefixtures("collecte_db")]  # again on PostgreSQL in .ci/run


class Portal(PrivateData, TestCase):
    def setUp(self):
        super().setUp()
        self.owner = coordinator()
        self.campagne, self.links = campaign(self.owner)
        self.client.force_login(self.owner)

    def token(self, name="Enfance jeunesse") -> str:
        return self.links[name][1]

    def contributor(self, name="Enfance jeunesse") -> Contributeur:
        return self.links[name][0]

    def send(self, path, name="Enfance jeunesse", client=None, filename=None):
        return (client or self.client).post(reverse("collecte:depot", args=[self.token(name)]),
                                            {"fichier": upload(path, filename)})

    def text(self, response) -> str:
        return re.sub(r"\s+", " ", response.content.decode())


class CoordinatorTest(Portal):
    def test_campaign_created_with_its_contributors_and_links_shown_once(self):
        response = self.client.post(reverse("collecte:campagne_nouvelle"), {
            "territoire": "Carrières-sur-Seine", "type_territoire": "Commune", "code": "78124",
            "caf": "Caf des Yvelines", "debut": 2022, "fin": 2026, "communes": "", "modele": "complet",
            "conserver_jusqu_au": "2030-12-31",
            "contributeurs": "Petite enfance ; creche@carrieres.fr\nJeunesse\n\nÉducation ; education@carrieres.fr"})
        campagne = Campagne.objects.get(territoire="Carrières-sur-Seine")
        # a redirection after the post: refreshing the page of links posts nothing again
        self.assertRedirects(response, reverse("collecte:liens", args=[campagne.id]), fetch_redirect_response=False)
        response = self.client.get(response["Location"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertEqual(campagne.coordinateur, self.owner)
        self.assertEqual([c.nom for c in campagne.contributeurs.all()], ["Jeunesse", "Petite enfance", "Éducation"])
        links = re.findall(r"http://testserver/depot/([\w-]+)/", response.content.decode())
        self.assertEqual(len(set(links)), 3)
        for token in set(links):  # each link works, and only its hash is stored
            self.assertEqual(self.client.get(reverse("collecte:depot", args=[token])).status_code, 200)
            self.assertFalse(Contributeur.objects.filter(jeton_hash=token).exists())
        self.assertIn("mailto:creche@carrieres.fr?subject=", response.content.decode())
        again = self.client.get(reverse("collecte:liens", args=[campagne.id]), follow=True)
        self.assertEqual(again.redirect_chain, [(reverse("collecte:tableau", args=[campagne.id]), 302)])
        self.assertIn("Les liens de dépôt ne sont affichés qu&#x27;une fois.", again.content.decode())
        self.assertFalse([token for token in links if token in again.content.decode()])
        self.assertEqual(Campagne.objects.filter(territoire="Carrières-sur-Seine").count(), 1)

    def test_campaign_form_refusals_in_french(self):
        response = self.client.post(reverse("collecte:campagne_nouvelle"), {
            "territoire": "Dugny", "type_territoire": "Commune", "code": "93030", "caf": "Caf 93",
            "debut": 2027, "fin": 2023, "modele": "complet", "conserver_jusqu_au": "2030-12-31",
            "contributeurs": "Jeunesse ; pas-une-adresse"})
        self.assertEqual(response.status_code, 200)
        text = self.text(response)
        self.assertIn("La fin de la convention précède son début.", text)
        self.assertIn("Ligne 1 : « pas-une-adresse » n&#x27;est pas une adresse électronique.", text)
        self.assertEqual(Campagne.objects.count(), 1)

    def test_campaign_list_shows_only_mine(self):
        campaign(coordinator("autre@caf.fr"), territoire="Le Bourget", code="93013")
        text = self.text(self.client.get(reverse("collecte:campagnes")))
        self.assertIn("Dugny", text)
        self.assertNotIn("Le Bourget", text)

    def test_dashboard_statuses_dates_reminders(self):
        self.send(WITH_ERRORS)
        self.send(CORRECTED, name="Petite enfance", filename="dugny-petite-enfance.xlsx")
        response = self.client.get(reverse("collecte:tableau", args=[self.campagne.id]))
        text = self.text(response)
        rows = dict(re.findall(r'data-contributeur="([^"]+)">.*?ctgxl-etat">([^<]+)<', text))
        self.assertEqual(rows, {"Cohésion sociale": "attendu", "Enfance jeunesse": "reçu — 1 erreur",
                                "Petite enfance": "conforme"})
        latest = self.contributor().versions.get()
        self.assertIn(reverse("collecte:rapport", args=[self.campagne.id, latest.id]), text)
        self.assertIn(timezone.localtime(latest.recu_le).strftime("%d/%m/%Y %H:%M"), text)
        self.assertIn("Il reste 1 erreur dans les dernières versions", text)
        reminders = re.findall(r'href="(mailto:[^"]+)"', response.content.decode())
        self.assertEqual(len(reminders), 1)
        parts = urlsplit(reminders[0].replace("&amp;", "&"))
        self.assertEqual(parts.path, "cohésion@dugny.fr".replace("é", "%C3%A9"))
        query = parse_qs(parts.query)
        self.assertEqual(query["subject"], ["Relance — CTG Dugny : classeur attendu"])
        self.assertIn("nous n'avons pas encore reçu le classeur du contributeur « Cohésion sociale »",
                      query["body"][0])
        self.assertNotIn(" ", reminders[0])  # URL-encoded

    def test_history_report_and_file_of_a_version(self):
        self.send(WITH_ERRORS)
        self.send(CORRECTED)
        contributeur = self.contributor()
        first, second = contributeur.versions.all()
        text = self.text(self.client.get(reverse("collecte:historique", args=[self.campagne.id, contributeur.id])))
        self.assertIn("dugny-pourcentage-1500.xlsx", text)
        self.assertIn("Agent Enfance jeunesse", text)  # personal data: shown to the coordinator
        journal = re.search(r'id="journal">.*?</table>', text).group(0)
        self.assertEqual(journal.count("Dépôt</td> <td>son lien</td>"), 2)
        self.assertIn(f"<code>{first.sha256[:12]}…</code>", journal)
        report = self.text(self.client.get(reverse("collecte:rapport", args=[self.campagne.id, first.id])))
        self.assertIn("pourcentage-hors-bornes", report)
        self.assertIn("D2", report)
        self.assertIn('id="total-erreur">1 erreur<', report)  # the check page's own summary
        download = self.client.get(reverse("collecte:fichier", args=[self.campagne.id, second.id]))
        self.assertEqual(b"".join(download.streaming_content), CORRECTED.read_bytes())
        self.assertEqual(Evenement.objects.filter(action=Evenement.TELECHARGEMENT, compte=self.owner,
                                                  sha256=second.sha256).count(), 1)

    def test_difference_between_two_versions(self):
        self.send(WITH_ERRORS)
        self.send(CORRECTED)
        first, second = self.contributor().versions.all()
        response = self.client.get(reverse("collecte:difference", args=[self.campagne.id, self.contributor().id]),
                                   {"de": first.id, "a": second.id})
        text = self.text(response)
        # the file with errors held the Diagnostic only: the correction changes one value, adds the rest
        self.assertIn("<td>Diagnostic</td><td>Part des 3-5 ans dans la population · 2019</td> "
                      "<td>valeur modifiée</td> <td>Valeur territoire</td> <td>1500,0</td> <td>5,0</td>", text)
        self.assertIn("<td>Plan d&#x27;actions</td><td>EF-1 — Création de nouveaux accueils de loisirs et de "
                      "nouvelles places</td> <td>ligne ajoutée</td>", text)

    def test_consolidated_refused_while_errors_remain_unless_asked(self):
        self.send(WITH_ERRORS)
        url = reverse("collecte:consolide", args=[self.campagne.id])
        refused = self.client.post(url, {}, follow=True)
        self.assertIn("Fusion refusée : 1 erreur à corriger", self.text(refused))
        made = self.client.post(url, {"malgre_erreurs": "on"})
        self.assertEqual(made["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        book = openpyxl.load_workbook(io.BytesIO(made.content), read_only=True)
        self.assertIn("Contrôles", book.sheetnames)

    def test_consolidated_equals_ctgxl_merge_of_the_latest_versions(self):
        from consolidated_compare import assert_same_workbooks, merge_with_cli

        self.send(WITH_ERRORS)
        for path in sorted(DUGNY.glob("*.xlsx")):
            name = {"dugny-enfance-jeunesse.xlsx": "Enfance jeunesse", "dugny-petite-enfance.xlsx": "Petite enfance",
                    "dugny-cohesion-sociale.xlsx": "Cohésion sociale"}[path.name]
            self.send(path, name=name)
        made = self.client.post(reverse("collecte:consolide", args=[self.campagne.id]), {})
        self.assertEqual(made.status_code, 200)
        assert_same_workbooks(made.content, merge_with_cli(sorted(DUGNY.glob("*.xlsx")), self._data))
        self.assertEqual(Evenement.objects.filter(action=Evenement.CONSOLIDE).count(), 1)

    def test_add_contributor_new_link_revoke(self):
        response = self.client.post(reverse("collecte:contributeur_ajout", args=[self.campagne.id]),
                                    {"nom": "CCAS", "contact": "", "courriel": "", "expire_le": "2030-01-01"},
                                    follow=True)
        token = re.search(r"/depot/([\w-]+)/", response.content.decode()).group(1)
        self.assertEqual(self.client.get(reverse("collecte:depot", args=[token])).status_code, 200)
        ccas = Contributeur.objects.get(nom="CCAS")
        renewed = self.client.post(reverse("collecte:nouveau_lien", args=[self.campagne.id, ccas.id]), follow=True)
        new_token = re.search(r"/depot/([\w-]+)/", renewed.content.decode()).group(1)
        self.assertEqual(self.client.get(reverse("collecte:depot", args=[token])).status_code, 404)
        self.assertEqual(self.client.get(reverse("collecte:depot", args=[new_token])).status_code, 200)
        self.client.post(reverse("collecte:revoquer", args=[self.campagne.id, ccas.id]))
        self.assertEqual(self.client.get(reverse("collecte:depot", args=[new_token])).status_code, 404)

    def test_delete_campaign_deletes_its_files(self):
        self.send(WITH_ERRORS)
        stored = [path for path in (self._data / "fichiers").rglob("*") if path.is_file()]
        self.assertEqual(len(stored), 1)
        confirm = self.client.get(reverse("collecte:supprimer", args=[self.campagne.id]))
        self.assertIn("Supprimer définitivement", self.text(confirm))
        self.client.post(reverse("collecte:supprimer", args=[self.campagne.id]))
        self.assertFalse(Campagne.objects.exists())
        self.assertFalse(stored[0].exists())

    def test_pages_need_an_account(self):
        self.client.logout()
        for url in (reverse("collecte:campagnes"), reverse("collecte:tableau", args=[self.campagne.id]),
                    reverse("collecte:campagne_nouvelle"), reverse("collecte:liens", args=[self.campagne.id])):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("collecte:connexion")))


class LoginTest(PrivateData, TestCase):
    def setUp(self):
        super().setUp()
        coordinator()

    def login(self, password):
        return self.client.post(reverse("collecte:connexion"), {"username": "coordination@dugny.fr",
                                                                "password": password})

    def test_login_then_throttled_after_five_failures(self):
        self.assertEqual(self.login(PASSWORD).status_code, 302)
        self.client.logout()
        for _ in range(5):
            self.assertIn("Adresse électronique ou mot de passe incorrect.", self.login("mauvais").content.decode())
        refused = self.login(PASSWORD)
        self.assertEqual(refused.status_code, 200)
        self.assertIn("Trop de tentatives de connexion", refused.content.decode())
        EchecConnexion.objects.update(quand=timezone.now() - timedelta(minutes=16))
        self.assertEqual(self.login(PASSWORD).status_code, 302)

    def test_failures_store_no_account_name(self):
        self.login("mauvais")
        self.assertNotIn("dugny", str(list(EchecConnexion.objects.values_list("cle", flat=True))))


class ContributorTest(Portal):
    def setUp(self):
        super().setUp()
        self.client.logout()

    def test_page_template_upload_report_then_corrected_version(self):
        page = self.client.get(reverse("collecte:depot", args=[self.token()]))
        text = self.text(page)
        self.assertIn("CTG Dugny : classeur de « Enfance jeunesse »", text)
        self.assertNotIn("enfance@dugny.fr", text)  # personal data: coordinator only
        self.assertNotIn("Agent Enfance jeunesse", text)
        sent = self.send(WITH_ERRORS)
        version = self.contributor().versions.get()
        self.assertRedirects(sent, reverse("collecte:depot_rapport", args=[self.token(), version.id]))
        report = self.text(self.client.get(sent["Location"]))
        self.assertIn("pourcentage-hors-bornes", report)
        self.assertIn("déposez la version corrigée", report)
        self.send(CORRECTED)
        self.assertEqual([v.erreurs for v in self.contributor().versions.all()], [1, 0])
        second = self.contributor().versions.last()
        self.assertIn("Votre classeur est conforme",
                      self.text(self.client.get(reverse("collecte:depot_rapport", args=[self.token(), second.id]))))

    def test_prefilled_template(self):
        response = self.client.get(reverse("collecte:depot_modele", args=[self.token()]))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        values = {row[0]: row[1] for row in book["Identification"].iter_rows(values_only=True) if row[0]}
        labels = {str(label).removesuffix(" *"): value for label, value in values.items()}
        self.assertEqual((labels["Territoire"], labels["Code INSEE ou SIREN"], labels["Service contributeur"]),
                         ("Dugny", "93030", "Enfance jeunesse"))
        self.assertIn("Suivi des indicateurs", book.sheetnames)
        self.assertEqual(Evenement.objects.filter(action=Evenement.MODELE).count(), 1)

    def test_own_file_download(self):
        self.send(CORRECTED)
        version = self.contributor().versions.get()
        response = self.client.get(reverse("collecte:depot_fichier", args=[self.token(), version.id]))
        self.assertEqual(b"".join(response.streaming_content), CORRECTED.read_bytes())

    def test_no_file_and_too_big_refused_in_french(self):
        response = self.client.post(reverse("collecte:depot", args=[self.token()]), {})
        self.assertEqual(response.status_code, 400)
        with mock.patch.dict("os.environ", {"CTGXL_MAX_FICHIER_OCTETS": "1000"}):
            big = self.send(CORRECTED)
        self.assertEqual(big.status_code, 400)
        self.assertIn("Le fichier dépasse la taille admise", big.content.decode())
        self.assertEqual(Version.objects.count(), 0)

    @override_settings(CTGXL_DEPOTS_PAR_HEURE=2)
    def test_uploads_rate_limited_per_link(self):
        self.assertEqual(self.send(WITH_ERRORS).status_code, 302)
        self.assertEqual(self.send(CORRECTED).status_code, 302)
        third = self.send(CORRECTED)
        self.assertEqual(third.status_code, 400)
        self.assertIn("Vous avez déposé 2 fichiers dans l&#x27;heure", third.content.decode())
        self.assertEqual(self.send(CORRECTED, name="Petite enfance").status_code, 302)  # another link: its own count

    def test_unreadable_file_is_a_version_with_its_finding(self):
        response = self.client.post(reverse("collecte:depot", args=[self.token()]),
                                    {"fichier": io.BytesIO(b"pas un classeur") and upload_bytes(b"pas un classeur")})
        version = self.contributor().versions.get()
        self.assertFalse(version.lisible)
        self.assertIn("fichier-illisible", self.text(self.client.get(response["Location"])))


def upload_bytes(content: bytes, name: str = "notes.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


class AccessTest(Portal):
    """Every cross-access attempt answers 404."""

    def setUp(self):
        super().setUp()
        self.other_owner = coordinator("autre@caf.fr")
        self.other, self.other_links = campaign(self.other_owner, territoire="Le Bourget", code="93013")
        other_contributor, other_token = self.other_links["Enfance jeunesse"]
        self.send(WITH_ERRORS, name="Enfance jeunesse")
        self.client.logout()
        self.client.post(reverse("collecte:depot", args=[other_token]), {"fichier": upload(CORRECTED)})
        self.other_version = other_contributor.versions.get()
        self.client.force_login(self.owner)

    def assert404(self, url, method="get", **data):
        response = getattr(self.client, method)(url, data)
        self.assertEqual(response.status_code, 404, url)

    def test_another_coordinators_campaign(self):
        other_id = self.other.id
        contributor_id = self.other_links["Enfance jeunesse"][0].id
        self.assert404(reverse("collecte:tableau", args=[other_id]))
        self.assert404(reverse("collecte:historique", args=[other_id, contributor_id]))
        self.assert404(reverse("collecte:rapport", args=[other_id, self.other_version.id]))
        self.assert404(reverse("collecte:fichier", args=[other_id, self.other_version.id]))
        self.assert404(reverse("collecte:difference", args=[other_id, contributor_id]),
                       de=self.other_version.id, a=self.other_version.id)
        self.assert404(reverse("collecte:consolide", args=[other_id]), "post")
        self.assert404(reverse("collecte:supprimer", args=[other_id]), "post")
        self.assert404(reverse("collecte:contributeur_ajout", args=[other_id]), "post", nom="Intrus")
        self.assert404(reverse("collecte:nouveau_lien", args=[other_id, contributor_id]), "post")
        self.assert404(reverse("collecte:revoquer", args=[other_id, contributor_id]), "post")
        self.assert404(reverse("collecte:liens", args=[other_id]))
        self.assertTrue(Campagne.objects.filter(pk=other_id).exists())
        self.assertFalse(Contributeur.objects.filter(nom="Intrus").exists())

    def test_another_campaigns_version_through_my_campaign_id(self):
        mine = self.campagne.id
        self.assert404(reverse("collecte:rapport", args=[mine, self.other_version.id]))
        self.assert404(reverse("collecte:fichier", args=[mine, self.other_version.id]))
        self.assert404(reverse("collecte:historique", args=[mine, self.other_links["Enfance jeunesse"][0].id]))

    def test_another_contributors_version_through_a_link(self):
        self.client.logout()
        mine = self.contributor().versions.get()
        self.assert404(reverse("collecte:depot_rapport", args=[self.token("Petite enfance"), mine.id]))
        self.assert404(reverse("collecte:depot_fichier", args=[self.token("Petite enfance"), mine.id]))
        self.assert404(reverse("collecte:depot_rapport", args=[self.token(), self.other_version.id]))

    def test_another_contributors_versions_in_difference(self):
        mine = self.contributor().versions.get()
        self.assert404(reverse("collecte:difference", args=[self.campagne.id, self.contributor("Petite enfance").id]),
                       de=mine.id, a=mine.id)

    def test_unknown_revoked_and_expired_links(self):
        self.client.logout()
        version = self.contributor().versions.get()
        self.assert404(reverse("collecte:depot", args=["lien-invente"]))
        contributeur = self.contributor()
        contributeur.revoque = True
        contributeur.save()
        for url in (reverse("collecte:depot", args=[self.token()]), reverse("collecte:depot_modele", args=[self.token()]),
                    reverse("collecte:depot_rapport", args=[self.token(), version.id]),
                    reverse("collecte:depot_fichier", args=[self.token(), version.id])):
            self.assert404(url)
        self.assert404(reverse("collecte:depot", args=[self.token()]), "post", fichier=upload(CORRECTED))
        other = self.contributor("Petite enfance")
        other.expire_le = timezone.localdate() - timedelta(days=1)
        other.save()
        self.assert404(reverse("collecte:depot", args=[self.token("Petite enfance")]))
        self.assertEqual(Version.objects.filter(contributeur__in=[contributeur, other]).count(), 1)
