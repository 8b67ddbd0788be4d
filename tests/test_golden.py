"""The workbooks written by merge, split and format, compared cell by cell (value, number
format) and validation by validation with tests/golden/*.json, made by tests/golden/make.py
(rerun it after an intended change, and read the diff)."""

from __future__ import annotations

import json

import pytest

from golden.make import HERE, dump, expected_path, snapshot, written


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    return written(tmp_path_factory.mktemp("golden"))


def test_the_same_workbooks_are_written(books):
    assert sorted(books) == sorted(path.stem for path in HERE.glob("*.json"))


@pytest.mark.parametrize("name", sorted(path.stem for path in HERE.glob("*.json")))
def test_cell_by_cell(books, name):
    expected = json.loads(expected_path(name).read_text(encoding="utf-8"))
    actual = json.loads(dump(snapshot(books[name])))
    assert list(actual) == list(expected), "feuilles"
    differences = []
    for sheet, content in expected.items():
        got = actual[sheet]
        if got["etat"] != content["etat"]:
            differences.append(f"{sheet} : état {got['etat']} au lieu de {content['etat']}")
        for ref in sorted(set(content["cellules"]) | set(got["cellules"])):
            if content["cellules"].get(ref) != got["cellules"].get(ref):
                differences.append(f"{sheet}!{ref} : {got['cellules'].get(ref)} au lieu de {content['cellules'].get(ref)}")
        for rule in content["validations"]:
            if rule not in got["validations"]:
                differences.append(f"{sheet} : validation manquante {rule}")
        for rule in got["validations"]:
            if rule not in content["validations"]:
                differences.append(f"{sheet} : validation en trop {rule}")
    assert differences == [], "\n".join(differences[:40])
