"""The benchmark generator and harness still run (tiny files, in-process, no timing asserted).

The figures themselves come from `python -m benchmarks.run` (see benchmarks/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ sits beside the package, not inside it
    sys.path.insert(0, str(ROOT))

from benchmarks import floors, generator, run  # noqa: E402


def test_generated_files_check_clean_merge_and_time(tmp_path):
    paths = generator.generate(tmp_path / "classeurs", files=2, rows=12, seed=3, jobs=1)
    assert [path.name for path in paths] == ["service-0001.xlsx", "service-0002.xlsx"]
    plan = generator.Plan.of(12)
    assert plan.total == 12

    # The two files are one territory's: no error, no warning, and they merge.
    report = run.check_in_process(paths)
    assert report.exit_code() == 0, [f"{finding.file} {finding.cell} {finding.code}" for finding in report.findings]
    assert not report.warnings
    output = tmp_path / "consolide.xlsx"
    result = run.merge_in_process(paths, output)
    assert result.errors == 0 and result.output == output and output.exists()
    assert result.rows["Plan d'actions"] == 2 * plan.actions

    # The floors read and write the same cells.
    read = floors.read_cells(paths)
    assert read["lignes"] == run.data_rows(paths, 12) and read["cellules"] > read["lignes"]
    written = floors.write_cells(output, tmp_path / "plancher.xlsx")
    assert written["cellules"] > 0 and written["secondes_sans_style"] > 0

    # One process measured, and the report's table.
    measured = run.run_process([sys.executable, "-c", "pass"])
    assert measured.code == 0 and measured.maxrss > 0
    figures = [run.Figure("ctgxl check (1 fichier)", 1.0, "import pandera", 0.5, rows=200),
               run.Figure("ctgxl check (10 fichiers)", 2.0, "calamine seul", 0.5, rows=2000),
               run.Figure("ctgxl merge (10 fichiers)", 3.0, "xlsxwriter seul", 1.0, rows=2000,
                          extra={"plancher_sans_style_s": 0.8})]
    results = {"date": "2026-01-01T00:00:00", "machine": run.machine(), "lignes_par_fichier": 200, "repetitions": 1,
               "charge": {"avant": None, "apres": None},
               "mesures": [dict(vars(figure), ratio=figure.ratio, us_par_ligne=figure.per_row_us)
                           for figure in figures],
               "plat": run.flatness(figures)}
    text = run.table(results)
    assert "| ctgxl merge (10 fichiers) | 3.000 |" in text and "3.75×" in text
    readme = tmp_path / "README.md"
    readme.write_text(f"# Titre\n\n{run.BEGIN}\nancien\n{run.END}\n\nsuite\n", encoding="utf-8")
    run.update_readme(results, readme)
    updated = readme.read_text(encoding="utf-8")
    assert "ancien" not in updated and "suite" in updated and "ctgxl merge (10 fichiers)" in updated


def test_generator_is_deterministic(tmp_path):
    first = generator.write_file(tmp_path / "a", 4, rows=10, seed=7)
    again = generator.write_file(tmp_path / "b", 4, rows=10, seed=7)
    other = generator.write_file(tmp_path / "c", 4, rows=10, seed=8)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
