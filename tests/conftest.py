"""Shared fixtures: where the repository is, and a private copy of the standard to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
def web_settings():
    """The web application set up once per run, its data folder in a temporary folder."""
    from django.conf import settings

    from websetup import set_up_django

    set_up_django()
    yield settings
    from ctgxl.web.verification.workers import shutdown

    shutdown()


@pytest.fixture(scope="session")
def collecte_db(web_settings):
    """The collection portal's test database, made once per run: SQLite in memory (shared by the
    threads of a live server), or a test database on DATABASE_URL's PostgreSQL server."""
    from django.test.utils import setup_databases, teardown_databases

    created = setup_databases(verbosity=0, interactive=False)
    yield
    teardown_databases(created, verbosity=0)
