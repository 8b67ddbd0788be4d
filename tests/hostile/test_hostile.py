"""Broken and hostile files: never crash, never lose, never let anything in.

Every case of the corpus (``corpus.py``, generated into a temporary folder) is checked one by
one: French finding naming the file, expected exit code, no traceback, no hang, input
byte-identical afterwards. Then all of them go through merge, split, format and
``check --annoter`` together: text that looks like a formula stays text in every output, and
nothing the sender hid (macros, external formulas, entities) comes out. Interrupted writes
leave neither a partial output nor a temporary file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ctgxl.cli import cli
from hostile.corpus import BUILDERS, FORMULA_TEXTS, MERGED_FORMULA_TEXTS, build, good_xlsx

ROOT = Path(__file__).resolve().parents[2]
# No timed assertion (a loaded machine is slow): these only stop a hang from hanging the suite.
HANG_SECONDS = 600        # one command, in this process
CHILD_SECONDS = 1800      # the child process running all the dangerous cases
CHILD_MEMORY = 3 << 30    # address space of that child: a 17-billion-cell grid would not fit
FRENCH = (" le ", " la ", " les ", " de ", " du ", " des ", " est ", " n'", " un ", " une ")
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


# --- Helpers -------------------------------------------------------------------------------------

class Deadline(BaseException):
    """Not an Exception: no `except Exception` in the code under test can swallow it."""


@contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging the suite) if the block runs past ``seconds``."""
    def expired(signum, frame):
        raise Deadline(f"plus de {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(path: Path) -> dict[str, str]:
    """SHA-256 of every file under ``path`` (links and tubes by what they are, never followed)."""
    found = {}
    items = [path] if not path.is_dir() or path.is_symlink() else sorted(path.rglob("*"))
    for item in items:
        mode = item.lstat().st_mode
        if stat.S_ISLNK(mode):
            found[str(item)] = "lien -> " + os.readlink(item)
        elif stat.S_ISFIFO(mode):
            found[str(item)] = "tube"
        elif stat.S_ISREG(mode):
            found[str(item)] = hashlib.sha256(item.read_bytes()).hexdigest()
    return found


def invoke(args: list[str], env: dict[str, str] | None = None):
    runner = CliRunner()
    with deadline(HANG_SECONDS):
        result = runner.invoke(cli, [str(arg) for arg in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{args}: exception {result.exception!r}\n{result.output[-2000:]}"
    assert "Traceback" not in result.output, result.output[-2000:]
    return result


# Runs `ctgxl` commands one after the other in one child process, and prints what each gave as
# one JSON line.
DRIVER = """
import json, os, sys
from click.testing import CliRunner
from ctgxl.cli import cli
for line in sys.stdin:
    run = json.loads(line)
    result = CliRunner().invoke(cli, run["args"], env=run["env"])
    print(json.dumps({"id": run["id"], "exit_code": result.exit_code, "stdout": result.stdout,
                      "stderr": result.stderr, "exception": repr(result.exception)}), flush=True)
"""


class ChildRun:
    def __init__(self, data: dict):
        self.returncode = data["exit_code"]
        self.stdout = data["stdout"]
        self.stderr = data["stderr"] + data["exception"]
        self.exception = data["exception"]


def children(runs: dict[str, tuple[list, dict]], seconds: int = CHILD_SECONDS) -> dict[str, ChildRun]:
    """Commands that once crashed the whole process (a Rust allocation abort), run in a child
    whose memory is capped: a crash there cannot take the test run down with it."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))

    lines = "".join(json.dumps({"id": key, "args": [str(arg) for arg in args], "env": env}) + "\n"
                    for key, (args, env) in runs.items())
    process = subprocess.run([sys.executable, "-c", DRIVER], input=lines, capture_output=True, text=True,
                             timeout=seconds, preexec_fn=cap)
    results = ChildRuns(f"le processus enfant s'est arrêté ({process.returncode}) :\n{process.stderr[-3000:]}")
    for line in process.stdout.splitlines():
        data = json.loads(line)
        results[data["id"]] = ChildRun(data)
    return results


class ChildRuns(dict):
    """The runs that finished; asking for one that did not says how the child ended."""

    def __init__(self, ending: str):
        super().__init__()
        self.ending = ending

    def __missing__(self, key):
        pytest.fail(f"« {key} » n'a pas abouti : {self.ending}")


def codes_of(report: dict) -> set[str]:
    return {finding["code"] for finding in report["constats"] + report.get("informations", [])}


def french(message: str) -> bool:
    text = f" {message.lower()} "
    return any(word in text for word in FRENCH) and "error" not in text.split("(")[0]


def cells(path: Path) -> dict[str, set[str]]:
    """Every string cell of a workbook: value -> data types seen (openpyxl's 's', 'f'...)."""
    found: dict[str, set[str]] = {}
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        found.setdefault(cell.value, set()).add(cell.data_type)
    finally:
        book.close()
    return found


def package(path: Path) -> tuple[list[str], bytes, list[str]]:
    """(part names, all parts' bytes, worksheet parts holding a formula element)."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        blob = b"".join(archive.read(name) for name in names)
        formulas = [name for name in names if name.startswith("xl/worksheets/") and
                    FORMULA_ELEMENT.search(archive.read(name))]
    return names, blob, formulas


def assert_rebuilt_output(path: Path, formula_texts=(), texts=(), never=(), dropped=()) -> dict[str, set[str]]:
    """A workbook ctgxl wrote itself (merge, split, format): no formula at all, the texts that
    look like formulas stored as text, nothing hidden carried over."""
    names, blob, formulas = package(path)
    assert formulas == [], f"{path.name} : formules dans {formulas}"
    assert not any("vbaproject" in name.lower() or name.startswith("xl/externalLinks") for name in names), names
    found = cells(path)
    for text in formula_texts:
        assert found.get(text) == {"s"}, f"{path.name} : « {text} » devrait être un texte, trouvé {found.get(text)}"
    for text in texts:
        assert any(text in value for value in found), f"{path.name} : « {text} » a été perdu"
    for text in (*never, *dropped):
        assert text.encode() not in blob, f"{path.name} contient « {text} »"
    assert not any("f" in types for types in found.values())
    return found


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if ".tmp" in path.name)


# --- The corpus ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    with deadline(90):
        cases = build(folder)
    return folder, {case.name: case for case in cases}, snapshot(folder)


@pytest.fixture(scope="module")
def dangerous(corpus, tmp_path_factory):
    """Every command on the cases that used to abort the process, in one capped child."""
    folder, cases, _ = corpus
    out = tmp_path_factory.mktemp("enfant")
    runs = {}
    for builder in BUILDERS:
        case = by_builder(corpus, builder.__name__)[1]
        if not case.in_memory:
            runs[f"check-json:{builder.__name__}"] = (["check", "--format", "json", folder / case.name], case.env)
            runs[f"check:{builder.__name__}"] = (["check", folder / case.name], case.env)
            runs[f"format:{builder.__name__}"] = (["format", folder / case.name, "-o", out / f"{case.name}.xlsx"],
                                                  case.env)
    runs["split:trapped_consolidated"] = (["split", folder / "consolidee-piegee.xlsx", "-o", out / "decoupe"], {})
    dangerous_paths = [folder / case.name for case in cases.values() if not case.in_memory]
    runs["annotate:dangerous"] = (["check", "--annoter", out / "annotes", *dangerous_paths], {})
    return children(runs), out


def by_builder(corpus, builder_name: str):
    folder, cases, _ = corpus
    index = [builder.__name__ for builder in BUILDERS].index(builder_name)
    return folder, list(cases.values())[index]


def joint(corpus, readable_only: bool = False):
    folder, cases, _ = corpus
    return [case for case in cases.values() if case.joint and case.in_memory and (case.readable or not readable_only)]


def test_corpus_is_large_and_varied(corpus):
    folder, cases, _ = corpus
    assert len(cases) >= 30
    assert {code for case in cases.values() for code in case.codes} >= {
        "fichier-illisible", "fichier-chiffre", "fichier-trop-gros", "feuille-trop-grande", "feuille-masquee",
        "colonne-en-double", "aucune-feuille-reconnue", "macros-ignorees", "caractere-invalide",
        "texte-trop-long-excel", "date-illisible", "extension-incorrecte", "entete-repetee"}
    assert {case.exit_code for case in cases.values()} == {0, 1, 2}
    assert sum(1 for path in (folder / "dossier-3000-txt").rglob("*.txt")) == 3000


@pytest.mark.parametrize("builder", [builder.__name__ for builder in BUILDERS])
def test_check_each_case(corpus, builder, request):
    folder, case = by_builder(corpus, builder)
    target = folder / case.name
    before = snapshot(target)
    if case.in_memory:
        result = invoke(["check", "--format", "json", target], env=case.env)
        code, stdout = result.exit_code, result.stdout
    else:
        process = request.getfixturevalue("dangerous")[0][f"check-json:{builder}"]
        code, stdout = process.returncode, process.stdout
        assert "Traceback" not in process.stderr and "panicked" not in process.stderr, process.stderr[-2000:]
    assert code == case.exit_code, f"{case.name} ({case.what}) : sortie {code}\n{stdout[-3000:]}"
    report = json.loads(stdout)
    found = codes_of(report)
    assert set(case.codes) <= found, f"{case.name} : attendu {case.codes}, trouvé {sorted(found)}"
    for finding in report["constats"]:
        if finding["code"] in case.codes:
            assert finding["fichier"].startswith(str(target)), finding
            assert french(finding["message"]), finding["message"]
    if case.exit_code == 2 and target.is_file():
        assert [entry["lisible"] for entry in report["fichiers"]] == [False]
    for text in case.never:
        assert text not in stdout, f"{case.name} : « {text} » dans le rapport"
    assert snapshot(target) == before, f"{case.name} a été modifié"


@pytest.mark.parametrize("builder", ["encrypted", "lying_bomb", "far_cell", "formula_texts", "link_loop"])
def test_text_report_names_the_file_in_french(corpus, builder, request):
    folder, case = by_builder(corpus, builder)
    if case.in_memory:
        outcome = invoke(["check", folder / case.name], env=case.env)
        code = outcome.exit_code
    else:
        outcome = request.getfixturevalue("dangerous")[0][f"check:{builder}"]
        code = outcome.returncode
    output = outcome.stdout
    assert code == case.exit_code
    for code in case.codes:
        assert f"[{code}]" in output
    shown = folder / case.name if (folder / case.name).is_file() else folder / case.name / "soi.xlsx"
    assert f"Fichier {shown}" in output
    assert "Résumé :" in output


def test_many_files_together_each_checked(corpus):
    """One unreadable file does not stop the others: each is reported under its own name."""
    folder, cases, _ = corpus
    chosen = joint(corpus)
    result = invoke(["check", "--format", "json", *[folder / case.name for case in chosen]])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    readable = {entry["fichier"]: entry["lisible"] for entry in report["fichiers"]}
    for case in chosen:
        path = str(folder / case.name)
        assert readable[path] is case.readable, case.name
        mine = {finding["code"] for finding in report["constats"] if finding["fichier"] == path}
        assert set(case.codes) <= mine, (case.name, mine)


# --- What ctgxl writes from them ----------------------------------------------------------------

@pytest.fixture(scope="module")
def merged(corpus, tmp_path_factory):
    folder, cases, _ = corpus
    out = tmp_path_factory.mktemp("fusion") / "consolidee.xlsx"
    paths = [folder / case.name for case in joint(corpus)]
    result = invoke(["merge", *paths, "-o", out, "--malgre-erreurs"])
    assert result.exit_code == 0, result.output[-3000:]
    assert out.exists()
    return out


def test_merge_keeps_formula_texts_as_text(corpus, merged):
    chosen = joint(corpus, readable_only=True)
    texts = [text for case in chosen for text in case.texts]
    assert_rebuilt_output(merged, formula_texts=MERGED_FORMULA_TEXTS + ("=1+1",), texts=texts,
                          never=[text for case in chosen for text in case.never],
                          dropped=[text for case in chosen for text in case.dropped])
    assert leftovers(merged.parent) == []


def test_merged_workbook_checks_without_crash(merged):
    result = invoke(["check", "--format", "json", merged])
    assert result.exit_code == 1  # merged despite errors: the values in error are still there


def test_split_keeps_formula_texts_as_text(merged, tmp_path):
    out = tmp_path / "par-contributeur"
    result = invoke(["split", merged, "-o", out])
    assert result.exit_code == 0, result.output[-3000:]
    written = sorted(out.glob("*.xlsx"))
    assert len(written) >= 10
    seen: dict[str, set[str]] = {}
    for path in written:
        for value, types in assert_rebuilt_output(path, dropped=("WEBSERVICE", "vbaProject")).items():
            seen.setdefault(value, set()).update(types)
    for text in MERGED_FORMULA_TEXTS:
        assert seen.get(text) == {"s"}, (text, seen.get(text))
    assert leftovers(out) == []


@pytest.mark.parametrize("builder", ["formula_texts", "formula_in_number", "control_characters", "long_text",
                                     "date_1899", "macro_enabled", "user_lists_sheet", "xls_renamed",
                                     "xlsx_renamed", "real_xls", "ods_trailing_empty", "two_header_rows",
                                     "odd_name", "hidden_only", "far_cell", "odd_sheet_names"])
def test_format_rewrites_safely(corpus, builder, tmp_path, request):
    folder, case = by_builder(corpus, builder)
    source = folder / case.name
    target = tmp_path / "reformate.xlsx"
    before = snapshot(source)
    if case.in_memory:
        result = invoke(["format", source, "-o", target])
        code, output = result.exit_code, result.output
    else:
        runs, out = request.getfixturevalue("dangerous")
        process = runs[f"format:{builder}"]
        code, output = process.returncode, process.stdout + process.stderr
        shutil.copyfile(out / f"{case.name}.xlsx", target)
    assert code == 0, output[-3000:]
    found = assert_rebuilt_output(target, formula_texts=case.formula_texts, texts=case.texts + case.format_texts,
                                  never=case.never, dropped=case.dropped)
    if builder == "long_text":
        assert max(len(value) for value in found) == 32_767
    if builder == "control_characters":
        assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", value) for value in found)
    assert snapshot(source) == before
    assert leftovers(tmp_path) == []
    again = invoke(["check", "--format", "json", target])
    # the rewritten file is still checked as the original was: a text in a number column (a
    # formula kept as text) or a date of 1899 are still errors there
    assert again.exit_code == (1 if builder in ("formula_in_number", "date_1899") else 0), again.output[-2000:]


def test_every_command_on_dangerous_cases_ends_cleanly(corpus, dangerous):
    runs, out = dangerous
    for key, run in runs.items():
        assert run.exception.startswith("SystemExit") or run.exception == "None", (key, run.exception)
        assert "Traceback" not in run.stdout + run.stderr, key
        if key.startswith("format:") and run.returncode == 0:
            assert_rebuilt_output(out / f"{by_builder(corpus, key.split(':')[1])[1].name}.xlsx")


def test_annotate_refuses_what_openpyxl_cannot_hold(corpus, dangerous):
    """openpyxl loads a workbook whole: a merged range or a sheet claiming XFD1048576 is refused
    with a French line, the other files are annotated."""
    runs, out = dangerous
    annotate = runs["annotate:dangerous"]
    assert annotate.returncode == 2, annotate.stdout[-2000:] + annotate.stderr[-2000:]  # repetitions.ods
    assert "Pas de copie annotée pour" in annotate.stderr and "dimension-geante.xlsx" in annotate.stderr
    assert "fusionnées ou des liens" in annotate.stderr
    assert "Traceback" not in annotate.stderr
    for copy in (out / "annotes").glob("*.xlsx"):
        assert cells(copy)


def test_split_of_a_trapped_consolidated_workbook(dangerous):
    runs, out = dangerous
    split = runs["split:trapped_consolidated"]
    assert split.returncode == 0, split.stdout + split.stderr
    written = sorted((out / "decoupe").glob("*.xlsx"))
    assert [path.name for path in written] == ["service-a.xlsx", "service-b.xlsx"]
    for path in written:
        assert_rebuilt_output(path)


@pytest.mark.parametrize("builder", ["encrypted", "lying_bomb", "empty_file", "pdf_renamed", "billion_laughs_styles"])
def test_format_refuses_unreadable_without_writing(corpus, builder, tmp_path):
    folder, case = by_builder(corpus, builder)
    target = tmp_path / "reformate.xlsx"
    result = invoke(["format", folder / case.name, "-o", target])
    assert result.exit_code == 2
    assert "Erreur" in result.output
    assert list(tmp_path.iterdir()) == []


def test_annotated_copies_keep_text_as_text(corpus, tmp_path):
    folder, cases, _ = corpus
    chosen = joint(corpus)
    out = tmp_path / "annotes"
    result = invoke(["check", "--annoter", out, *[folder / case.name for case in chosen]])
    assert result.exit_code == 2
    copies = {path.name: path for path in out.iterdir()}
    assert leftovers(out) == []
    formula_case = cases["formules-en-texte.xlsx"]
    assert "formules-en-texte-annote.xlsx" in copies
    for case in chosen:
        source = folder / case.name
        copy = out / f"{source.stem}-annote{source.suffix}"
        if not copy.exists():
            continue
        found = cells(copy)
        for text in case.formula_texts:
            assert found.get(text) == {"s"}, (copy.name, text, found.get(text))
        _, blob, _ = package(copy)
        for text in case.never:
            assert text.encode() not in blob, (copy.name, text)
    assert formula_case.formula_texts


# --- Interrupted writes -----------------------------------------------------------------------

class Interrupted(Exception):
    pass


def test_interrupted_format_leaves_nothing(corpus, tmp_path, monkeypatch):
    import xlsxwriter.workbook

    folder, cases, _ = corpus
    source = folder / "formules-en-texte.xlsx"
    target = tmp_path / "sortie.xlsx"
    original = xlsxwriter.workbook.Workbook._store_workbook

    def half_written(self):
        with open(self.filename, "wb") as handle:  # the zip has begun to be written
            handle.write(b"PK\x03\x04 partiel")
        raise Interrupted("disque plein")

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", half_written)
    result = CliRunner().invoke(cli, ["format", str(source), "-o", str(target)])
    assert isinstance(result.exception, Interrupted)
    assert list(tmp_path.iterdir()) == []
    # an earlier output replaced with --force stays whole when the new write fails
    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", original)
    assert CliRunner().invoke(cli, ["format", str(source), "-o", str(target)]).exit_code == 0
    earlier = target.read_bytes()
    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", half_written)
    result = CliRunner().invoke(cli, ["format", str(source), "-o", str(target), "--force"])
    assert isinstance(result.exception, Interrupted)
    assert target.read_bytes() == earlier
    assert [path.name for path in tmp_path.iterdir()] == ["sortie.xlsx"]


def test_interrupted_merge_split_and_annotate_leave_nothing(corpus, merged, tmp_path, monkeypatch):
    import openpyxl.workbook.workbook
    import xlsxwriter.workbook

    folder, cases, _ = corpus

    def half_written(self, *args, **kwargs):
        target = getattr(self, "filename", None) or args[0]
        with open(target, "wb") as handle:
            handle.write(b"PK\x03\x04 partiel")
        raise Interrupted("coupure")

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", half_written)
    result = CliRunner().invoke(cli, ["merge", str(folder / "formules-en-texte.xlsx"), "-o",
                                      str(tmp_path / "fusion.xlsx"), "--malgre-erreurs"])
    assert isinstance(result.exception, Interrupted)
    result = CliRunner().invoke(cli, ["split", str(merged), "-o", str(tmp_path / "decoupe")])
    assert isinstance(result.exception, Interrupted)

    monkeypatch.setattr(openpyxl.workbook.workbook.Workbook, "save", half_written)
    result = invoke(["check", "--annoter", tmp_path / "annotes", folder / "formules-en-texte.xlsx"])
    assert "Pas de copie annotée" in result.stderr
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_killed_merge_leaves_no_partial_file(corpus, tmp_path):
    """A real process, stopped by SIGTERM while it writes: no output, no temporary file."""
    folder, cases, _ = corpus
    out = tmp_path / "sortie"
    out.mkdir()
    script = (
        "import sys, time, zipfile\n"
        "original = zipfile.ZipFile.write\n"
        "def slow(self, *args, **kwargs):\n"
        "    original(self, *args, **kwargs)\n"
        "    self.fp.flush()\n"
        "    time.sleep(0.2)\n"
        "zipfile.ZipFile.write = slow\n"
        "from ctgxl.cli import main\n"
        "sys.argv = ['ctgxl', 'merge', sys.argv[1], '-o', sys.argv[2], '--malgre-erreurs']\n"
        "main()\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(folder / "formules-en-texte.xlsx"),
                                str(out / "fusion.xlsx")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + HANG_SECONDS
        while not leftovers(out) and time.monotonic() < end and process.poll() is None:
            time.sleep(0.02)
        assert leftovers(out), "le fichier temporaire n'est jamais apparu"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=HANG_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "Interrompu" in stderr and "Traceback" not in stderr
    assert list(out.iterdir()) == []


# --- The corpus script, and inputs at the end ---------------------------------------------------

def test_corpus_script_writes_the_corpus(tmp_path):
    process = subprocess.run([sys.executable, str(ROOT / "tests" / "hostile" / "corpus.py"), str(tmp_path / "c")],
                             capture_output=True, text=True, timeout=HANG_SECONDS)
    assert process.returncode == 0, process.stderr
    assert re.search(r"^(\d+) cas écrits", process.stdout.splitlines()[-1]).group(1) == str(len(BUILDERS))
    assert (tmp_path / "c" / "formules-en-texte.xlsx").exists()


def test_low_limits_come_from_the_environment(tmp_path):
    path = good_xlsx(tmp_path / "petit.xlsx", "ENV")
    result = invoke(["check", path], env={"CTGXL_MAX_FICHIER_OCTETS": "100"})
    assert result.exit_code == 2 and "[fichier-trop-gros]" in result.output
    result = invoke(["check", path])
    assert result.exit_code == 0


def test_inputs_are_byte_identical_at_the_end(corpus):
    folder, _, before = corpus
    assert snapshot(folder) == before
    assert FORMULA_TEXTS


def test_xlsb_records_are_measured():
    """The record scanner fed records one by one: a row header (type 0) for row 1 048 576,
    then a shared-string cell (type 7) in column XFD."""
    from xlsb_writer import record

    from ctgxl.reading.xlsb import BinarySheetExtent

    data = (record(0x0094, b"\0" * 16) + record(0, (1_048_575).to_bytes(4, "little") + b"\0" * 8)
            + record(7, (16_383).to_bytes(4, "little") + b"\0" * 8) + record(13, b"\0" * 8))
    scanner = BinarySheetExtent()
    for start in range(0, len(data), 5):  # in pieces that cut records
        scanner.feed(data[start:start + 5])
    assert scanner.finish() == (1_048_576, 16_385)
