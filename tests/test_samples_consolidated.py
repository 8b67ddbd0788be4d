"""Each sample territory merges into a consolidated workbook that checks as cleanly as its
inputs: no error, and no warning the inputs did not already have."""

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctgxl.checking.check import check_paths
from ctgxl.cli import cli
from ctgxl.findings import AVERTISSEMENT, ERREUR

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TERRITORIES = ["dugny", "carrieres-sur-seine", "boulogne-billancourt", "ca-boulonnais"]


def _codes(report, severity):
    return Counter(finding.code for finding in report.findings if finding.severity == severity)


@pytest.mark.parametrize("territory", TERRITORIES)
def test_consolidated_sample_checks_as_cleanly_as_its_inputs(territory, tmp_path):
    output = tmp_path / f"{territory}.xlsx"
    result = CliRunner().invoke(cli, ["merge", str(SAMPLES / territory), "-o", str(output)])
    assert result.exit_code == 0, result.output
    inputs = check_paths([SAMPLES / territory])
    consolidated = check_paths([output])
    assert _codes(consolidated, ERREUR) == Counter()
    assert _codes(consolidated, AVERTISSEMENT) <= _codes(inputs, AVERTISSEMENT)
