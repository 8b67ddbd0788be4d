"""One file cannot take ctgxl down: crafted files that abort, panic or swell the reader cost
their own file only, among 30 good ones; reading from many threads; outputs never replace an
input; a killed or interrupted run leaves no process, no partial output, no temporary file."""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctgxl.cli import cli
from hostile import corpus_crash
from hostile.corpus import BUILDERS, Sheet, good_xlsx, sheet_xml, write_xlsx
from hostile.test_hostile import snapshot

ROOT = Path(__file__).resolve().parents[2]
GOOD = 30
CRASH_BUILDERS = [builder for builder in BUILDERS if builder.__module__ == corpus_crash.__name__]
MEMORY_MB = "1024"  # the workers' cap in these tests: every bomb must stop there


def run(args, env=None):
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bons")
    return [good_xlsx(folder / f"service-{index:02d}.xlsx", f"BON{index:02d}") for index in range(GOOD)]


@pytest.fixture(scope="module")
def crash_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    return folder, {builder.__name__: builder(folder) for builder in CRASH_BUILDERS}


def test_the_crash_corpus_holds_every_case():
    assert {builder.__name__ for builder in CRASH_BUILDERS} >= {
        "shared_strings_count_lies", "blank_sheet_name", "broken_sheet_part", "part_path_climbs",
        "xls_sheet_past_the_end", "xls_dimensions_inverted", "xls_declared_dimensions", "ods_repeated_rows",
        "percent_format_bomb", "cells_closed_with_space"}


@pytest.mark.parametrize("builder", [builder.__name__ for builder in CRASH_BUILDERS])
def test_each_crash_costs_its_own_file_only(builder, crash_corpus, good_files, tmp_path):
    folder, cases = crash_corpus
    case = cases[builder]
    together = tmp_path / "dossier"
    together.mkdir()
    for path in good_files:
        os.link(path, together / path.name)
    os.link(folder / case.name, together / case.name)
    before = snapshot(together)
    result = run(["check", "--format", "json", together], env={"CTGXL_MAX_MEMOIRE_LECTURE_MO": MEMORY_MB})
    assert result.exit_code == case.exit_code, result.output[-3000:]
    report = json.loads(result.stdout)
    readable = {Path(entry["fichier"]).name: entry["lisible"] for entry in report["fichiers"]}
    assert len(readable) == GOOD + 1
    assert all(readable[path.name] for path in good_files)
    assert readable[case.name] is case.readable
    mine = [finding for finding in report["constats"] if Path(finding["fichier"]).name == case.name]
    assert set(case.codes) <= {finding["code"] for finding in mine}, mine
    for finding in mine:
        assert "Traceback" not in finding["message"] and "panicked" not in finding["message"]
    assert not [finding for finding in report["constats"] if Path(finding["fichier"]).name != case.name
                and finding["gravite"] == "erreur"]
    assert snapshot(together) == before


def test_a_reader_that_aborts_or_swells_is_stopped_at_the_cap(crash_corpus):
    folder, cases = crash_corpus
    result = run(["check", "--format", "json", folder / cases["shared_strings_count_lies"].name,
                  folder / cases["xls_dimensions_inverted"].name, folder / cases["xls_sheet_past_the_end"].name],
                 env={"CTGXL_MAX_MEMOIRE_LECTURE_MO": MEMORY_MB})
    messages = [finding["message"] for finding in json.loads(result.stdout)["constats"]]
    assert sum("a dépassé la mémoire permise (1024 Mo par processus de lecture" in text for text in messages) == 2
    assert any("a planté (erreur interne du lecteur de classeurs)" in text for text in messages), messages
    assert not [text for text in messages if "Panic" in text or "index" in text]  # the library's words: --debug
    debug = subprocess.run([sys.executable, "-m", "ctgxl", "--debug", "check", "--format", "json",
                            str(folder / cases["xls_sheet_past_the_end"].name)], capture_output=True, text=True,
                           timeout=120)  # a fresh process: its reading processes see --debug
    assert "détail : PanicException" in json.loads(debug.stdout)["constats"][0]["message"]


def test_cells_and_formats_are_measured_before_they_are_expanded(crash_corpus):
    folder, cases = crash_corpus
    result = run(["check", "--format", "json", folder / cases["xls_declared_dimensions"].name,
                  folder / cases["ods_repeated_rows"].name])
    messages = [finding["message"] for finding in json.loads(result.stdout)["constats"]
                if finding["code"] == "feuille-trop-grande"]
    assert any("65536 lignes et 256 colonnes pour seulement" in text for text in messages), messages
    assert any("190003 lignes et 100 colonnes pour seulement" in text for text in messages), messages


def test_the_kernel_stops_a_worker_past_its_cpu_time():
    """What a worker does before each file: past the allowance, SIGXCPU ends it."""
    loop = "from ctgxl.reading.workers import _allow_cpu\n_allow_cpu(1)\nwhile True:\n    pass\n"
    process = subprocess.run([sys.executable, "-c", loop], timeout=120, cwd=ROOT)
    assert process.returncode == -signal.SIGXCPU


def test_a_worker_ended_by_its_cpu_time_is_a_finding_on_its_file(good_files):
    from ctgxl.reading.workers import ReaderPool

    with ReaderPool(1) as pool:
        pool.warm()
        worker = next(iter(pool._workers))
        os.kill(worker.process.pid, signal.SIGSTOP)  # the file is sent, not yet read
        books = []
        reader = threading.Thread(target=lambda: books.extend(pool.read([good_files[0]])))
        reader.start()
        time.sleep(0.5)
        os.kill(worker.process.pid, signal.SIGXCPU)
        os.kill(worker.process.pid, signal.SIGCONT)
        reader.join(600)
        assert [book.readable for book in books] == [False]
        assert "a dépassé le temps permis (120 s de calcul" in books[0].findings[0].message
        assert pool.read([good_files[1]])[0].readable  # a fresh worker took its place


# --- Hostile text: no regular expression rescans it -----------------------------------------------

HOSTILE_TEXT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CPU, (20, 20))  # quadratic work on these sizes takes minutes
from ctgxl.reading import formats, grids, safety, values
n = 200_000
assert values.split_names(" " * n + "a" + " " * n + ";" + " " * n + "b") == ["a", "b"]
assert values.split_names("a ; b\\n c") == ["a", "b", "c"]
assert formats.shows_percent("%" * n + '"') is False and formats.shows_percent('0.0"%"') is False
assert formats.shows_percent("0.0%") and not formats.shows_percent("0\\\\%")
unclosed = b'<c r="A1"><f>1</f><v>1</v>' * (n // 4)
assert list(grids._CELL.finditer(unclosed)) == []
spaced = b'<c r="A1"><f>1</f><v>2</v></c >' * (n // 4)
assert len(list(grids._CELL.finditer(spaced))) == n // 4
assert list(safety._SHEET_TAG.finditer(b"<c " * n)) == []
assert list(safety._ODS_TAG.finditer(b"<table:table-cell " * n)) == []
assert list(safety._SPAN.finditer(b"<mergeCell " * n)) == []
print("linéaire")
"""


def test_no_regular_expression_rescans_hostile_text():
    """Strings a quadratic scan needs minutes for, under a CPU limit of 20 s."""
    process = subprocess.run([sys.executable, "-c", HOSTILE_TEXT], capture_output=True, text=True, timeout=120,
                             cwd=ROOT)
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.strip() == "linéaire"


# --- The pool ----------------------------------------------------------------------------------

def test_a_warm_pool_reads_from_many_threads_and_replaces_dead_workers(crash_corpus, good_files):
    from ctgxl.reading.workers import ReaderPool

    folder, cases = crash_corpus
    crash = folder / cases["xls_sheet_past_the_end"].name
    results: dict[int, list] = {}
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            files = [good_files[index], crash, good_files[index + 10]] if index % 2 else [good_files[index]]
            results[index] = pool.read(files)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    with ReaderPool(2) as pool:
        threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        assert not failures, failures
        for index, books in results.items():
            assert [book.readable for book in books] == ([True, False, True] if index % 2 else [True])
            assert books[0].path == good_files[index]
        assert len(pool._workers) <= 2
        again = pool.read([good_files[0]])
        assert again[0].readable


def test_check_from_threads_without_a_pool(good_files):
    from ctgxl.checking.check import check_books, read_all

    outcomes = []

    def work(index: int) -> None:
        books, missing = read_all([good_files[index]])
        outcomes.append(check_books(books, missing).exit_code())

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert outcomes == [0] * 8


# --- Outputs ----------------------------------------------------------------------------------

@pytest.fixture
def territory(good_files, tmp_path):
    folder = tmp_path / "recus"
    folder.mkdir()
    for path in good_files[:3]:
        os.link(path, folder / path.name)
    return folder


@pytest.mark.parametrize("how", ["same", "hard", "symbolic", "folder-link"])
def test_an_output_that_is_an_input_is_refused_even_with_force(territory, tmp_path, how):
    source = territory / "service-00.xlsx"
    if how == "same":
        output = source
    elif how == "hard":
        output = tmp_path / "lien-dur.xlsx"
        os.link(source, output)
    elif how == "symbolic":
        output = tmp_path / "lien.xlsx"
        output.symlink_to(source)
    else:
        (tmp_path / "alias").symlink_to(territory)
        output = tmp_path / "alias" / "service-00.xlsx"
    before = snapshot(territory)
    for command in (["merge", territory, "-o", output, "--force", "--malgre-erreurs"],
                    ["format", source, "-o", output, "--force"]):
        result = run(command)
        assert result.exit_code == 2, result.output
        assert "est un des fichiers d'entrée" in result.stderr and "même avec --force" in result.stderr
    assert snapshot(territory) == before


def test_split_never_writes_over_its_source(territory, tmp_path):
    merged = tmp_path / "par-service" / "service-bon00.xlsx"
    merged.parent.mkdir()
    assert run(["merge", territory, "-o", merged]).exit_code == 0
    before = merged.read_bytes()
    result = run(["split", merged, "-o", merged.parent, "--force"])
    assert result.exit_code == 2 and "est un des fichiers d'entrée" in result.stderr
    assert merged.read_bytes() == before


def test_a_consolidated_workbook_in_the_folder_is_not_merged_again(territory):
    first = run(["merge", territory, "-o", territory / "consolidee.xlsx"])
    assert first.exit_code == 0, first.output
    again = run(["merge", territory, "-o", territory / "consolidee.xlsx"])
    assert again.exit_code == 0, again.output
    assert "(3 fichiers ; Plan d'actions : 6)" in again.stdout
    assert "[sortie-ctgxl-ignoree]" in again.stdout
    named = run(["check", "--format", "json", territory / "consolidee.xlsx"])
    assert [entry["lisible"] for entry in json.loads(named.stdout)["fichiers"]] == [True]


def test_merge_with_nothing_recognised_refuses(tmp_path):
    notes = write_xlsx(tmp_path / "notes.xlsx", [Sheet("Notes", sheet_xml([["rien"], ["à fusionner"]]))])
    result = run(["merge", notes, "-o", tmp_path / "vide.xlsx", "--malgre-erreurs"])
    assert result.exit_code == 2
    assert "aucune feuille du standard CTG" in result.output
    assert not (tmp_path / "vide.xlsx").exists()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_disk_that_refuses_is_one_french_sentence(territory, tmp_path, monkeypatch, code):
    import xlsxwriter.workbook

    def refuse(self):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", refuse)
    result = run(["merge", territory, "-o", tmp_path / "sortie.xlsx"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : « ") and "n'a pas pu être écrit : " in result.stderr
    assert "Erreur inattendue" not in result.output
    assert [path.name for path in tmp_path.iterdir()] == ["recus"]


def test_two_runs_do_not_write_one_output_at_once(territory, tmp_path):
    from ctgxl.errors import OutputBusy
    from ctgxl.writing.atomic import atomic_path

    target = tmp_path / "sortie.xlsx"
    with atomic_path(target) as temporary:
        temporary.write_bytes(b"premier")
        result = run(["merge", territory, "-o", target])
        assert result.exit_code == 2 and "écrit déjà" in result.stderr
        with pytest.raises(OutputBusy):
            with atomic_path(target):
                pass
    assert target.read_bytes() == b"premier"
    assert run(["merge", territory, "-o", target, "--force"]).exit_code == 0


def test_leftovers_of_a_killed_run_are_removed_by_the_next(territory, tmp_path):
    from ctgxl.writing.atomic import _HOST

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    leftover = tmp_path / f".sortie.ctgxl-{_HOST}-{pid}-abc123.tmp.xlsx"
    leftover.write_bytes(b"PK partiel")
    other = tmp_path / ".sortie.ctgxl-ffff-1-abc123.tmp.xlsx"  # another machine's, still recent
    other.write_bytes(b"PK")
    mine = tmp_path / "garder.tmp.xlsx"  # not ctgxl's
    mine.write_bytes(b"x")
    assert run(["merge", territory, "-o", tmp_path / "sortie.xlsx"]).exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [other.name, mine.name, "recus", "sortie.xlsx"])


def test_an_unreadable_folder_is_a_finding_and_the_rest_is_checked(territory, monkeypatch):
    (territory / "prive").mkdir()
    good_xlsx(territory / "prive" / "cache.xlsx", "PRIVE")
    original = Path.iterdir

    def refuse(self):
        if self.name == "prive":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    result = run(["check", "--format", "json", territory])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert len(report["fichiers"]) == 3 + 1
    problem = [finding for finding in report["constats"] if finding["code"] == "dossier-illisible"]
    assert problem and "accès refusé" in problem[0]["message"]


# --- Kills and interruptions ---------------------------------------------------------------------

def _marked(mark: str) -> list[int]:
    """Processes whose environment carries ``mark`` (a run and everything it started)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if mark.encode() in handle.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _gone(mark: str, seconds: float = 120) -> list[int]:
    end = time.monotonic() + seconds
    while (left := _marked(mark)) and time.monotonic() < end:
        time.sleep(0.1)
    return left


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="processes are listed through /proc")
def test_killed_and_interrupted_merges_leave_no_trace(tmp_path):
    folder = tmp_path / "recus"
    folder.mkdir()
    for index in range(300):
        good_xlsx(folder / f"service-{index:03d}.xlsx", f"K{index:03d}")
    output = tmp_path / "sortie" / "consolidee.xlsx"
    mark = f"CTGXL_TEST_KILL_{os.getpid()}_{time.monotonic_ns()}"
    env = dict(os.environ, CTGXL_PROCESSUS="2", **{mark: "1"})
    command = [sys.executable, "-m", "ctgxl", "merge", str(folder), "-o", str(output)]
    start = time.monotonic()
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    full = time.monotonic() - start
    assert first.returncode == 0, first.stderr[-2000:]
    earlier = output.read_bytes()
    rng = random.Random(12)
    for round_ in range(4):
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(min(1.0, full / 2), full))
        how = signal.SIGKILL if round_ % 2 == 0 else signal.SIGINT
        process.send_signal(how)
        _, stderr = process.communicate(timeout=600)
        assert _gone(mark) == [], f"processus restants après {how.name}"
        assert "Traceback" not in stderr, stderr[-2000:]
        if how == signal.SIGINT and process.returncode != 0:
            # 130, or the end by SIGINT itself (a shell shows 130 for both): under ``python -m``,
            # CPython 3.11 ends that way when the Ctrl+C fell inside an exec() of a string (as
            # dataclasses build their methods), even once caught. The ``ctgxl`` command gives 130.
            assert process.returncode in (130, -signal.SIGINT) and "Interrompu" in stderr, \
                (process.returncode, stderr[-2000:])
        data = output.read_bytes()
        if data != earlier:  # the new one, complete
            with zipfile.ZipFile(output) as archive:
                assert archive.testzip() is None
            earlier = data
    last = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert last.returncode == 0, last.stderr[-2000:]
    assert sorted(path.name for path in output.parent.iterdir()) == ["consolidee.xlsx"]
    assert _gone(mark) == []
