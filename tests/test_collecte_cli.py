"""`ctgxl compte`: the first coordinator's account, from the command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from unittest import mock

import pytest
import collecte_helpers  # noqa: F401 - sets Django up
from click.testing import CliRunner
from django.contrib.auth import authenticate, get_user_model
from django.test import TestCase

from ctgxl.cli import cli

GOOD = "une phrase de passe assez longue"


pytestmark = pytest.mark.usefixtures("collecte_db")


class AccountCommandTest(TestCase):
    def run_command(self, *arguments, password=None, typed=None):
        env = {"CTGXL_MOT_DE_PASSE": password} if password else {}
        with mock.patch("ctgxl.web.server.prepare"), mock.patch.dict(os.environ, env):
            if not password:
                os.environ.pop("CTGXL_MOT_DE_PASSE", None)
            return CliRunner().invoke(cli, ["compte", *arguments], input=typed)

    def test_password_asked_twice_without_echo(self):
        result = self.run_command("--email", "Coordination@Dugny.fr", typed=f"{GOOD}\n{GOOD}\n")
        self.assertEqual(result.exit_code, 0, result.output)
        self.assertIn("Compte créé : coordination@dugny.fr", result.output)
        self.assertNotIn(GOOD, result.output)
        self.assertIsNotNone(authenticate(username="coordination@dugny.fr", password=GOOD))

    def test_password_from_the_environment_then_changed(self):
        self.assertEqual(self.run_command("--email", "c@dugny.fr", password=GOOD).exit_code, 0)
        result = self.run_command("--email", "c@dugny.fr", password="une autre phrase de passe")
        self.assertIn("Compte mis à jour : c@dugny.fr", result.output)
        self.assertEqual(get_user_model().objects.count(), 1)

    def test_weak_password_and_bad_address_refused_in_french(self):
        weak = self.run_command("--email", "c@dugny.fr", password="motdepasse")
        self.assertEqual(weak.exit_code, 2)
        self.assertIn("Erreur : Mot de passe refusé :", weak.output)
        self.assertIn("Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.", weak.output)
        bad = self.run_command("--email", "pas-une-adresse", password=GOOD)
        self.assertEqual((bad.exit_code, bad.output.strip()),
                         (2, "Erreur : « pas-une-adresse » n'est pas une adresse électronique."))
        self.assertEqual(get_user_model().objects.count(), 0)


def test_account_in_a_new_data_folder_creates_its_database_in_wal_mode(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["CTGXL_MOT_DE_PASSE"] = GOOD
    result = subprocess.run([sys.executable, "-m", "ctgxl", "compte", "--email", "c@dugny.fr",
                             "--data", str(tmp_path / "donnees")], env=env, capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "Compte créé : c@dugny.fr"), result.stderr
    database = sqlite3.connect(tmp_path / "donnees" / "collecte.sqlite3")
    assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert database.execute("SELECT username FROM auth_user").fetchall() == [("c@dugny.fr",)]
