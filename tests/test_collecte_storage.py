"""The collection's store: each version stored once, atomically, by content hash; nothing half
stored after a crash; a campaign's files go with it. Run on SQLite, and again on PostgreSQL
(`-m postgresql` with DATABASE_URL set, as .ci/run does)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from collecte_helpers import CORRECTED, WITH_ERRORS, PrivateData, campaign, coordinator
from ctgxl.web.collecte import checks, storage
from ctgxl.web.collecte.models import Campagne, Evenement, Version

pytestmark = [pytest.mark.postgresql, pytest.mark.usefixtures("collecte_db")]


def _store(contributeur, path, name=None):
    received = storage.store_file([path.read_bytes()])
    report = checks.check_stored(received, name or path.name)
    return storage.save_version(contributeur, received, name or path.name, checks.summary(report))


class StoreTest(PrivateData, TestCase):
    def setUp(self):
        super().setUp()
        self.campagne, self.links = campaign(coordinator())
        self.contributeur = self.links["Enfance jeunesse"][0]

    def test_database_is_the_one_asked_for(self):
        expected = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        self.assertEqual(connection.vendor, expected)

    def test_file_stored_under_its_hash_never_its_name(self):
        version, created = _store(self.contributeur, WITH_ERRORS, "../../etc/passwd.xlsx")
        self.assertTrue(created)
        sha256 = hashlib.sha256(WITH_ERRORS.read_bytes()).hexdigest()
        self.assertEqual(version.sha256, sha256)
        self.assertEqual(storage.path_of(sha256), self._data / "fichiers" / sha256[:2] / sha256)
        self.assertEqual(storage.path_of(sha256).read_bytes(), WITH_ERRORS.read_bytes())
        self.assertEqual(version.nom_fichier, "../../etc/passwd.xlsx")  # display text only
        self.assertEqual([path.name for path in (self._data / "fichiers").rglob("*") if path.is_file()], [sha256])

    def test_report_summary_kept_with_the_version(self):
        version, _ = _store(self.contributeur, WITH_ERRORS)
        self.assertEqual(version.erreurs, 1)
        self.assertEqual([finding["code"] for finding in version.rapport["constats"]
                          if finding["gravite"] == "erreur"], ["pourcentage-hors-bornes"])
        corrected, _ = _store(self.contributeur, CORRECTED)
        self.assertEqual((corrected.erreurs, corrected.conforme), (0, True))

    def test_same_content_twice_is_one_version_and_two_audit_lines(self):
        first, created = _store(self.contributeur, CORRECTED)
        again, created_again = _store(self.contributeur, CORRECTED, "copie.xlsx")
        self.assertEqual((created, created_again, first.id), (True, False, again.id))
        self.assertEqual(Version.objects.count(), 1)
        self.assertEqual(Evenement.objects.filter(action=Evenement.DEPOT).count(), 2)

    def test_upload_interrupted_leaves_nothing(self):
        def chunks():
            yield b"PK\x03\x04 debut"
            raise ConnectionResetError("client parti")

        with self.assertRaises(ConnectionResetError):
            storage.store_file(chunks())
        leftovers = [path for path in (self._data / "fichiers").rglob("*") if path.is_file()]
        self.assertEqual(leftovers, [])

    def test_deleting_a_campaign_deletes_its_files_but_not_shared_ones(self):
        other, other_links = campaign(coordinator("autre@dugny.fr"), contributors=("Enfance jeunesse",))
        kept, _ = _store(other_links["Enfance jeunesse"][0], CORRECTED)
        mine, _ = _store(self.contributeur, WITH_ERRORS)
        _store(self.contributeur, CORRECTED)
        self.assertEqual(storage.delete_campaign(self.campagne), 1)
        self.assertFalse(storage.path_of(mine.sha256).exists())
        self.assertTrue(storage.path_of(kept.sha256).exists())  # the other campaign still holds it
        self.assertFalse(Campagne.objects.filter(pk=self.campagne.pk).exists())
        self.assertEqual(Version.objects.count(), 1)

    def test_campaigns_past_their_retention_date_are_purged(self):
        version, _ = _store(self.contributeur, WITH_ERRORS)
        Campagne.objects.filter(pk=self.campagne.pk).update(
            conserver_jusqu_au=timezone.localdate() - timedelta(days=1))
        self.assertEqual(storage.purge_expired(timezone.localdate()), 1)
        self.assertFalse(storage.path_of(version.sha256).exists())

    def test_unreferenced_files_removed_at_start_up(self):
        received = storage.store_file([b"un fichier sans version"])  # a server killed before its row
        version, _ = _store(self.contributeur, CORRECTED)
        self.assertEqual(storage.remove_unreferenced_files(), 1)
        self.assertFalse(received.path.exists())
        self.assertTrue(storage.path_of(version.sha256).exists())


class KilledServerTest(PrivateData, TransactionTestCase):
    def test_process_killed_mid_upload_leaves_no_version_and_start_up_cleans(self):
        """A process writing an upload is killed (SIGKILL) before it ends: no version, no stored
        file; its temporary file is removed at the next start-up."""
        campagne, links = campaign(coordinator())
        script = textwrap.dedent(f"""
            import os, sys, django
            os.environ["DJANGO_SETTINGS_MODULE"] = "ctgxl.web.settings"
            django.setup()
            from django.conf import settings
            from pathlib import Path
            settings.DATA_DIR = Path({str(self._data)!r})
            from ctgxl.web.collecte import storage

            def chunks():
                yield b"PK" * 1000
                print("ecrit", flush=True)
                sys.stdin.readline()  # killed while waiting here
                yield b"fin"

            storage.store_file(chunks())
        """)
        process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env={**os.environ})
        self.assertEqual(process.stdout.readline().strip(), b"ecrit")
        process.kill()
        process.wait()
        in_progress = self._data / "fichiers" / storage.IN_PROGRESS
        self.assertEqual(len(list(in_progress.iterdir())), 1)  # the half-written upload
        self.assertEqual(Version.objects.count(), 0)
        self.assertEqual(storage.remove_orphan_temporaries(), 1)
        self.assertEqual(list(in_progress.iterdir()), [])
        self.assertEqual([path for path in (self._data / "fichiers").rglob("*") if path.is_file()], [])
        self.assertEqual(links["Enfance jeunesse"][0].versions.count(), 0)


def test_database_url_read_into_django_settings():
    from ctgxl.web.collecte.database import databases

    settings = databases(Path("/donnees"), "postgresql://ctgxl:mot%40passe@db.exemple.fr:5433/ctg?sslmode=require")
    assert {key: settings["default"][key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")} == {
        "ENGINE": "django.db.backends.postgresql", "NAME": "ctg", "USER": "ctgxl", "PASSWORD": "mot@passe",
        "HOST": "db.exemple.fr", "PORT": "5433"}
    assert settings["default"]["OPTIONS"] == {"sslmode": "require"}
    sqlite = databases(Path("/donnees"))["default"]
    assert (sqlite["NAME"], sqlite["OPTIONS"]["transaction_mode"]) == ("/donnees/collecte.sqlite3", "IMMEDIATE")
    with pytest.raises(ValueError, match="DATABASE_URL doit commencer par postgresql://"):
        databases(Path("/donnees"), "mysql://x@y/z")
