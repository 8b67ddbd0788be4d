"""Every command is documented: French help with an example, and a line in the README;
the README's test command is the one CI runs."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from ctgxl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_commands_of_the_contract_exist():
    assert COMMANDS == ["bilan", "check", "diff", "format", "merge", "split", "template"]


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_french_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"], prog_name="ctgxl")
    assert result.exit_code == 0
    assert result.output.startswith(f"Utilisation : ctgxl {name}")
    assert "Exemple" in result.output
    assert f"ctgxl {name} " in result.output.split("Exemple", 1)[1]


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_is_in_the_readme(name):
    assert f"`ctgxl {name} " in README


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install ".[test]" && python -m pytest' in README
    assert 'pip install -q ".[test]"' in ci
    assert ci.rstrip().endswith("python -m pytest")


def test_readme_main_command_runs_on_the_bundled_samples():
    assert "ctgxl check samples/dugny && ctgxl merge samples/dugny" in README
    assert (ROOT / "samples" / "dugny").is_dir()
