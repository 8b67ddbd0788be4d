"""Every command is documented: French help with an example, and a line in the README;
the README's test command is the one CI runs."""

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctgxl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_commands_of_the_contract_exist():
    assert COMMANDS == ["bilan", "check", "compte", "diff", "format", "merge", "serve", "split", "template"]


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


def _in_a_copy_of_the_repository(tmp_path, monkeypatch) -> None:
    """The README's commands run from the repository: here, a folder whose samples/ is the
    repository's (read only), so that what they write lands in tmp_path."""
    (tmp_path / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)


def _run(command: str):
    return CliRunner().invoke(cli, shlex.split(command)[1:], prog_name="ctgxl")


def test_readme_main_command_runs_on_the_bundled_samples(tmp_path, monkeypatch):
    block = README.split("## Sur une machine neuve", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [part.strip() for part in block.split("&&") if part.strip().startswith("ctgxl ")]
    assert commands == ["ctgxl check samples/dugny",
                        "ctgxl merge samples/dugny -o sortie/ctg-dugny-consolidee.xlsx --force"]
    _in_a_copy_of_the_repository(tmp_path, monkeypatch)
    for command in commands:
        result = _run(command)
        assert result.exit_code == 0, (command, result.output)
    assert "Résumé : 3 fichiers, 0 erreur, 0 avertissement" in _run(commands[0]).output
    assert (tmp_path / "sortie" / "ctg-dugny-consolidee.xlsx").is_file()


def test_the_console_session_of_the_readme_is_what_the_commands_print(tmp_path, monkeypatch):
    """Each `$ ctgxl …` of « Les commandes » runs, and prints the lines shown under it (« … »
    stands for lines left out, or the end of a line)."""
    block = README.split("## Les commandes", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    sessions: list[tuple[str, list[str]]] = []
    for line in block.replace("\\\n", " ").splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:].strip(), []))
        elif line.strip():
            sessions[-1][1].append(line)
    assert [command.split()[1] for command, _ in sessions if command.startswith("ctgxl")] == \
        ["template", "check", "merge", "split", "format"]
    _in_a_copy_of_the_repository(tmp_path, monkeypatch)
    (tmp_path / "ancien-plan.xlsx").write_bytes((ROOT / "samples" / "boulogne-billancourt" /
                                                 "boulogne-jeunesse.xlsx").read_bytes())
    for index, (command, shown) in enumerate(sessions):
        if command == "echo $?":
            continue
        last = _run(command)
        following = sessions[index + 1] if index + 1 < len(sessions) else ("", [])
        expected = int(following[1][0]) if following[0] == "echo $?" else 0
        assert last.exit_code == expected, (command, last.output)
        output = last.output.splitlines()
        for line in shown:
            if line == "…":
                continue
            if line.endswith("…)."):
                assert any(printed.startswith(line[:-3]) for printed in output), (command, line, last.output)
            else:
                assert line in output, (command, line, last.output)
    assert (tmp_path / "ctg-dugny.xlsx").is_file() and (tmp_path / "plan-a-jour.xlsx").is_file()
    assert len(list((tmp_path / "par-service").glob("*.xlsx"))) == 3


def test_the_python_example_of_the_readme_runs(monkeypatch, capsys):
    """« Utiliser ctgxl depuis Python »: three workbooks as byte streams, checked, merged into
    a BytesIO, the merged rows read back with openpyxl; then the bilan of the later version
    since them, and the diff between the two versions with its list of changes."""
    import io

    import openpyxl

    from ctgxl.merging.diff import diff

    section = README.split("## Utiliser ctgxl depuis Python", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": "readme"}
    exec(compile(code, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "0 erreur(s), 0 avertissement(s)"
    assert any(line.startswith("3 fichiers fusionnés : {'Diagnostic': ") for line in printed)
    counts = diff([ROOT / "samples" / "dugny"], [ROOT / "samples" / "dugny-2025"]).counts()
    listed = counts["ajoutees"] + counts["supprimees"] + counts["champs_modifies"]  # the bilan's changes
    assert f"Bilan 2025 de Dugny : {listed} modification(s)" in printed
    assert printed[-4] == str(counts)
    assert [line.split(" · ")[0] for line in printed[-3:]] == [change.sheet for change in
                                                              namespace["changes"].changes()[:3]]
    assert namespace["done"].written == {"xlsx": None, "pptx": None}
    listing = openpyxl.load_workbook(io.BytesIO(namespace["listing"].getvalue()))["Modifications"]
    assert listing.max_row - 5 == len(namespace["changes"].changes())


def test_other_commands_do_not_import_the_web_application():
    """`ctgxl --help` and the file commands stay fast: Django is imported by `serve` only."""
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from ctgxl.cli import cli; "
            "CliRunner().invoke(cli, ['--help']); CliRunner().invoke(cli, ['check', '--help']); "
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('django', 'waitress', 'dsfr')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
