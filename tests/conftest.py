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
