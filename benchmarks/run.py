"""Times ctgxl against its floors, whole process, and prints each figure as a ratio.

    python -m benchmarks.run            # full run: 1 000 files of 200 rows (≈ 10 min)
    python -m benchmarks.run --quick    # smoke test: a few small files (≈ 30 s)

Run it from the root of a clone (after ``pip install -e .``). Generated workbooks are
kept in ``benchmarks/out/`` (ignored by git) and reused by the next run; results go to
``benchmarks/out/resultats.json`` and, with ``--readme``, into ``benchmarks/README.md``.

What is measured (each command in its own process, wall time, median of ``--repeat`` runs
for the short ones):

- ``ctgxl --help`` and ``ctgxl check`` of one file, against ``python -c "import pandera"``
  (the import floor: ctgxl cannot start faster than its heaviest dependency);
- ``ctgxl check`` of 1, 10, 100, 1 000 files, against python-calamine alone reading the
  cells of the same sheets in one process (the reading floor);
- ``ctgxl merge`` of 10, 100, 1 000 files, against xlsxwriter alone writing the cells of
  the consolidated workbook ctgxl wrote (the writing floor), with peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from benchmarks import generator

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
README = ROOT / "benchmarks" / "README.md"
BEGIN, END = "<!-- resultats:debut -->", "<!-- resultats:fin -->"

FULL = {"check": (1, 10, 100, 1000), "merge": (10, 100, 1000), "rows": 200, "repeat": 5}
QUICK = {"check": (1, 3, 10), "merge": (3, 10), "rows": 50, "repeat": 2}

# Targets of issue "Speed and scale".
HELP_SECONDS = 0.3
ONE_FILE_RATIO = 1.5
CHECK_RATIO = 4.0
MERGE_RATIO = 1.5
MEMORY_BYTES = 1.5 * 1024 ** 3
TARGET_FILES = 1000


# --- Measuring one process -------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    maxrss: int  # bytes: ru_maxrss of the child (the largest of it and its waited-for descendants)
    tree_rss: int  # bytes: peak of the summed RSS of the child and its descendants (sampled)
    code: int
    output: str = ""


def _rss_of_tree(root: int) -> int:
    """Summed resident memory (bytes) of ``root`` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def run_process(command: list[str], sample: bool = False) -> Run:
    """Run ``command`` to its end: wall seconds, its maxrss (``os.wait4``: the
    RUSAGE_CHILDREN figure of this one child, which includes its waited-for descendants)
    and, with ``sample``, the peak summed RSS of its process tree, sampled every 50 ms (the
    workers of a process pool count together there, not in maxrss)."""
    sample = sample and os.path.isdir("/proc")
    peak = [0]
    done = threading.Event()
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)

        def watch() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], _rss_of_tree(process.pid))

        watcher = threading.Thread(target=watch, daemon=True)
        if sample:
            watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        if sample:
            watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    maxrss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    if process.returncode not in (0, 1):
        sys.stderr.write(f"{' '.join(command[:4])}… a échoué (code {process.returncode}) :\n{text[-2000:]}\n")
    return Run(seconds, maxrss, max(peak[0], maxrss), process.returncode, text)


def floor_process(*arguments: str) -> tuple[Run, dict]:
    """A floor of ``benchmarks/floors.py`` in its own process, and the JSON it printed."""
    run = run_process([sys.executable, "-m", "benchmarks.floors", *arguments])
    return run, json.loads(run.output.strip().splitlines()[-1])


def median_run(command: list[str], repeat: int) -> Run:
    """Median of ``repeat`` runs, after one warm-up run (file cache, .pyc files)."""
    run_process(command)
    runs = [run_process(command) for _ in range(repeat)]
    runs.sort(key=lambda run: run.seconds)
    return runs[len(runs) // 2]


def ctgxl_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ctgxl", *arguments]


# --- Files ----------------------------------------------------------------------------

def _generator_stamp(rows: int, seed: int) -> str:
    from ctgxl import __version__

    digest = hashlib.sha256()
    for path in (Path(generator.__file__), ROOT / "ctgxl" / "writing" / "writer.py"):
        digest.update(path.read_bytes())
    return f"{__version__}-{rows}-{seed}-{digest.hexdigest()[:16]}"


def workbooks(count: int, rows: int, seed: int = 0, folder: Path | None = None, log=print) -> list[Path]:
    """The first ``count`` files of the territory, generated once and kept."""
    folder = Path(folder or OUT / f"classeurs-{rows}-lignes-graine-{seed}")
    stamp_file = folder / "generateur.txt"
    stamp = _generator_stamp(rows, seed)
    if folder.exists() and (not stamp_file.exists() or stamp_file.read_text() != stamp):
        for old in folder.glob("*.xlsx"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(stamp)
    paths = [folder / generator.file_name(index) for index in range(count)]
    missing = [index for index, path in enumerate(paths) if not path.exists()]
    if missing:
        started = time.perf_counter()
        first = missing[0]
        generator.generate(folder, files=count - first, rows=rows, seed=seed, start=first)
        log(f"  {count - first} classeurs générés en {time.perf_counter() - started:.1f} s dans {folder}")
    return paths


def listing(paths: list[Path], name: str) -> Path:
    target = OUT / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(str(path) for path in paths) + "\n", encoding="utf-8")
    return target


# --- In-process helpers (also used by the smoke test) ----------------------------------

def check_in_process(paths: list[Path]):
    """``ctgxl check`` without the process: the Report."""
    import ctgxl

    return ctgxl.check(list(paths))


def merge_in_process(paths: list[Path], output: Path):
    """``ctgxl merge`` without the process: the Consolidation."""
    import ctgxl

    return ctgxl.merge(list(paths), Path(output), force=True)


def data_rows(paths: list[Path], rows: int) -> int:
    return len(paths) * generator.Plan.of(rows).total


# --- The run ----------------------------------------------------------------------------

@dataclass
class Figure:
    name: str
    seconds: float
    floor_name: str
    floor_seconds: float
    rows: int = 0
    maxrss: int = 0
    tree_rss: int = 0
    target: str = ""
    met: bool | None = None
    code: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else float("nan")

    @property
    def per_row_us(self) -> float | None:
        return self.seconds / self.rows * 1e6 if self.rows else None


def measure(options, log=print) -> dict:
    settings = QUICK if options.quick else FULL
    rows = options.rows or settings["rows"]
    repeat = options.repeat or settings["repeat"]
    counts_check = settings["check"]
    counts_merge = settings["merge"]
    largest = max(counts_check + counts_merge)
    log(f"Classeurs : {largest} fichiers de {rows} lignes (graine {options.seed})")
    paths = workbooks(largest, rows, options.seed, log=log)
    figures: list[Figure] = []
    load_before = _load_average()

    log("Démarrage")
    floor = median_run([sys.executable, "-c", "import pandera"], repeat)
    help_run = median_run(ctgxl_command("--help"), repeat)
    figures.append(Figure("ctgxl --help", help_run.seconds, "import pandera", floor.seconds,
                          target=f"< {HELP_SECONDS} s", met=help_run.seconds < HELP_SECONDS, code=help_run.code))
    one = median_run(ctgxl_command("check", str(paths[0])), repeat)
    figures.append(Figure("ctgxl check (1 fichier)", one.seconds, "import pandera", floor.seconds,
                          rows=data_rows(paths[:1], rows), maxrss=one.maxrss, tree_rss=one.tree_rss,
                          target=f"≤ {ONE_FILE_RATIO}×", met=one.seconds <= ONE_FILE_RATIO * floor.seconds,
                          code=one.code))
    log(f"  import pandera {floor.seconds:.3f} s ; --help {help_run.seconds:.3f} s ; check 1 fichier {one.seconds:.3f} s")

    log("Contrôle")
    for count in counts_check:
        subset = paths[:count]
        names = listing(subset, f"liste-{count}.txt")
        reading, floor_result = floor_process("lire", str(names))
        check = run_process(ctgxl_command("check", *map(str, subset)), sample=True)
        big = count == TARGET_FILES  # the targets are set for 1 000 files
        label = f"ctgxl check ({count} fichiers)" if count > 1 else "ctgxl check (1 fichier, face à la lecture)"
        figures.append(Figure(label, check.seconds, "calamine seul",
                              floor_result["secondes"], rows=data_rows(subset, rows), maxrss=check.maxrss,
                              tree_rss=check.tree_rss, target=f"≤ {CHECK_RATIO}×" if big else "",
                              met=(check.seconds <= CHECK_RATIO * floor_result["secondes"]) if big else None,
                              code=check.code, extra={"plancher_processus_s": reading.seconds}))
        log(f"  {count} fichiers : check {check.seconds:.2f} s, lecture seule {floor_result['secondes']:.2f} s "
            f"(code {check.code})")

    log("Fusion")
    for count in counts_merge:
        subset = paths[:count]
        output = OUT / f"consolide-{count}.xlsx"
        merged = run_process(ctgxl_command("merge", *map(str, subset), "-o", str(output), "--force"), sample=True)
        writing, floor_result = floor_process("ecrire", str(output), str(OUT / f"plancher-ecriture-{count}.xlsx"))
        big = count == TARGET_FILES
        met = None
        if big:
            met = merged.seconds <= MERGE_RATIO * floor_result["secondes"] and merged.tree_rss < MEMORY_BYTES
        figures.append(Figure(f"ctgxl merge ({count} fichiers)", merged.seconds, "xlsxwriter seul",
                              floor_result["secondes"], rows=data_rows(subset, rows), maxrss=merged.maxrss,
                              tree_rss=merged.tree_rss, target=f"≤ {MERGE_RATIO}×, < 1,5 Go" if big else "",
                              met=met, code=merged.code,
                              extra={"plancher_memoire_o": writing.maxrss,
                                     "plancher_sans_style_s": floor_result.get("secondes_sans_style"),
                                     "cellules_ecrites": floor_result.get("cellules")}))
        log(f"  {count} fichiers : merge {merged.seconds:.2f} s ({merged.tree_rss / 2**20:.0f} Mio), écriture seule "
            f"{floor_result['secondes']:.2f} s (sans style {floor_result.get('secondes_sans_style', 0):.2f} s, "
            f"code {merged.code})")
    return {"date": datetime.now().isoformat(timespec="seconds"), "machine": machine(), "lignes_par_fichier": rows,
            "charge": {"avant": load_before, "apres": _load_average()},
            "repetitions": repeat, "rapide": bool(options.quick),
            "mesures": [dict(asdict(figure), ratio=figure.ratio, us_par_ligne=figure.per_row_us) for figure in figures],
            "plat": flatness(figures)}


def _load_average() -> list[float] | None:
    """The machine's load (1, 5, 15 minutes): other processes on the same cores skew the figures."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def flatness(figures: list[Figure]) -> dict:
    """µs per row beyond the fixed cost, from 10 files up: (t(N) − t(1 file)) / (rows(N) − rows(1 file)),
    the 1-file check being the start-up and import cost. Flat when the largest is within 1.5× the smallest."""
    base = next((figure for figure in figures if figure.name == "ctgxl check (1 fichier)"), None)
    result = {}
    for kind in ("check", "merge"):
        marginal = {}
        for figure in figures:
            if figure.name.startswith(f"ctgxl {kind} (") and "fichiers" in figure.name and base is not None:
                count = int(figure.name.split("(")[1].split()[0])
                if count >= 10 and figure.rows > base.rows:
                    marginal[count] = max(0.0, figure.seconds - base.seconds) / (figure.rows - base.rows) * 1e6
        if marginal:
            values = list(marginal.values())
            flat = max(values) <= 1.5 * min(values) if len(values) > 1 and min(values) > 0 else None
            result[kind] = {"us_par_ligne_marginal": marginal, "plat": flat}
    return result


# --- Reports ----------------------------------------------------------------------------

def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    versions = {}
    for package in ("ctgxl", "pandas", "numpy", "pandera", "openpyxl", "xlsxwriter", "python-calamine", "click"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    try:
        memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        memory = f"{int(memory) / 2**20:.0f} Gio"
    except (OSError, StopIteration):
        memory = "?"
    return {"nproc": os.cpu_count(), "processeur": model, "memoire": memory, "python": platform.python_version(),
            "systeme": f"{platform.system()} {platform.release()}", "paquets": versions}


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f}".replace(",", " ") if value else ""


def table(results: dict) -> str:
    """The figures as a Markdown table."""
    lines = ["| mesure | secondes | plancher | plancher (s) | ratio | µs/ligne | maxrss (Mio) | RSS arbre (Mio) "
             "| cible | atteinte |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for figure in results["mesures"]:
        per_row = f"{figure['us_par_ligne']:.0f}" if figure["us_par_ligne"] else ""
        met = {True: "oui", False: "**non**", None: ""}[figure["met"]]
        lines.append(f"| {figure['name']} | {figure['seconds']:.3f} | {figure['floor_name']} | "
                     f"{figure['floor_seconds']:.3f} | {figure['ratio']:.2f}× | {per_row} | {_mib(figure['maxrss'])} | "
                     f"{_mib(figure['tree_rss'])} | {figure['target']} | {met} |")
    for figure in results["mesures"]:
        bare = figure.get("extra", {}).get("plancher_sans_style_s")
        if bare:
            lines.append("")
            lines.append(f"{figure['name']} face à xlsxwriter écrivant les mêmes cellules sans aucun style : "
                         f"{bare:.3f} s, ratio {figure['seconds'] / bare:.2f}×.")
    flat = results.get("plat", {})
    for kind, entry in flat.items():
        marginal = ", ".join(f"{count} fichiers : {value:.0f} µs" for count, value in entry["us_par_ligne_marginal"].items())
        verdict = {True: "plat", False: "**pas plat**", None: "?"}[entry["plat"]]
        lines.append("")
        lines.append(f"Temps marginal par ligne de `{kind}` ((t(N) − t(check d'un fichier)) / lignes ajoutées) : {marginal} → {verdict}.")
    return "\n".join(lines)


def machine_text(results: dict) -> str:
    info = results["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in info["paquets"].items())
    charge = results.get("charge") or {}
    load = (f" Charge de la machine (1, 5, 15 min) avant : {charge.get('avant')}, après : {charge.get('apres')}."
            if charge else "")
    return (f"Machine : {info['nproc']} cœurs ({info['processeur']}), {info['memoire']}, Python {info['python']}, "
            f"{info['systeme']}. Paquets : {packages}. Mesuré le {results['date']}, {results['lignes_par_fichier']} "
            f"lignes par fichier, médiane de {results['repetitions']} pour les mesures courtes.{load}")


def update_readme(results: dict, readme: Path = README) -> None:
    block = f"{BEGIN}\n{machine_text(results)}\n\n{table(results)}\n{END}"
    text = readme.read_text(encoding="utf-8") if readme.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure ctgxl check et ctgxl merge face à leurs planchers.")
    parser.add_argument("--quick", action="store_true", help="Petits effectifs, pour vérifier que tout tourne.")
    parser.add_argument("--rows", type=int, default=None, help="Lignes par classeur (200 ; 50 avec --quick).")
    parser.add_argument("--seed", type=int, default=0, help="Graine du générateur.")
    parser.add_argument("--repeat", type=int, default=None, help="Répétitions des mesures courtes (5 ; 2 avec --quick).")
    parser.add_argument("--readme", action="store_true", help="Écrit les chiffres dans benchmarks/README.md.")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    results = measure(options)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / ("resultats-rapide.json" if options.quick else "resultats.json")).write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print()
    print(machine_text(results))
    print()
    print(table(results))
    if options.readme:
        update_readme(results)
        print(f"\nChiffres écrits dans {README.relative_to(ROOT)}")
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
