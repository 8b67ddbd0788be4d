"""Shared fixtures: where the repository is, and a private copy of the standard to edit."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The web application reads its data folder from the environment when its settings load:
# a private one for the whole run, never ./ctgxl-donnees. pytest-django then sets Django up.
os.environ.setdefault("CTGXL_DATA", tempfile.mkdtemp(prefix="ctgxl-tests-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctgxl.web.settings")
from django.conf import settings as _settings  # noqa: E402

_settings.INSTALLED_APPS  # loads the settings, so that pytest-django calls django.setup()

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def validators_copy(tmp_path: Path) -> Path:
    """A copy of ``validators/`` (TOML files only) that a test may edit, then load with
    ``ctgxl.standard.load(str(folder))``."""
    target = tmp_path / "validators"
    target.mkdir()
    for path in (ROOT / "validators").glob("*.toml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def territory(tmp_path_factory):
    """Three Dugny services' workbooks, typed as a user would (tests/fixtures.py)."""
    from fixtures import make_territory

    return make_territory(tmp_path_factory.mktemp("dugny"))


@pytest.fixture(scope="session")
def merged(territory, tmp_path_factory) -> Path:
    """The consolidated workbook of ``territory``, written by `ctgxl merge`."""
    from click.testing import CliRunner

    from ctgxl.cli import cli

    output = tmp_path_factory.mktemp("sortie") / "ctg-dugny-consolidee.xlsx"
    result = CliRunner().invoke(cli, ["merge", *map(str, territory.files), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert f"Classeur consolidé écrit dans {output}" in result.output
    assert "3 fichiers" in result.output
    return output


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory):
    """The web application set up once per run, its data folder in a temporary folder."""
    import os

    import django
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("CTGXL_DATA", str(tmp_path_factory.mktemp("ctgxl-donnees")))
        os.environ["DJANGO_SETTINGS_MODULE"] = "ctgxl.web.settings"
        django.setup()
        from django.test.utils import setup_test_environment

        setup_test_environment()
    yield settings
    from ctgxl.web.verification.workers import shutdown

    shutdown()
