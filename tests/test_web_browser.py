"""The check page in a real Chromium (Playwright, Debian's chromium) against the application
served by waitress on 127.0.0.1: upload, every finding shown against `ctgxl check --format
json`, the three downloads opened, and a screenshot of the report page for the README."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
FIXES = sorted((ROOT / "samples" / "a-corriger").glob("*.xlsx"))
DUGNY = sorted((ROOT / "samples" / "dugny").glob("*.xlsx"))
CHROMIUM = Path("/usr/bin/chromium")
# The screenshots of the README (docs/) are taken again with CTGXL_CAPTURES=docs; a plain run
# leaves the repository as it is.
CAPTURES = ROOT / "docs" if os.environ.get("CTGXL_CAPTURES") == "docs" else \
    Path(tempfile.gettempdir()) / "ctgxl-captures"
SCREENSHOT = CAPTURES / "capture-controle.png"


@pytest.fixture(scope="module")
def live_server(web_settings):
    from waitress.server import create_server

    from ctgxl.web.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium manque : .ci/run installe les paquets chromium et chromium-driver.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    # A blocked inline script or style (Content-Security-Policy) or a missing asset shows up as a
    # console error; a refused upload (400, 413) is one the page expects.
    assert [text for text in problems if "status of 400" not in text and "status of 413" not in text] == []


def upload(page, server: str, files: list[Path]) -> None:
    page.goto(server + "/")
    page.set_input_files("#fichiers", [str(path) for path in files])
    page.click("#bouton-controler")
    page.wait_for_url("**/controle/*/", timeout=120_000)


def cli_findings(files: list[Path]) -> set[tuple]:
    from ctgxl.cli import cli

    result = CliRunner().invoke(cli, ["check", "--format", "json", *map(str, files)])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    return {(Path(item["fichier"]).name, item["feuille"] or "", item["cellule"] or "", item["code"],
             item["gravite"], item["message"]) for item in data["constats"]}


def shown_findings(page) -> list[tuple]:
    return [tuple(row) for row in page.eval_on_selector_all("tr.ctgxl-constat", """rows => rows.map(row => [
        row.dataset.fichier, row.dataset.feuille, row.dataset.cellule, row.dataset.code, row.dataset.gravite,
        row.querySelector('.ctgxl-message').textContent.trim()])""")]


def test_report_page_matches_the_cli(live_server, page):
    upload(page, live_server, FIXES)
    assert page.title() == "Rapport de contrôle — Contrôler des classeurs — ctgxl"
    shown = shown_findings(page)
    assert len(shown) == len(set(shown))
    assert {row for row in shown if row[4] != "information"} == cli_findings(FIXES)
    # Every file is listed, readable, with its template.
    rows = page.eval_on_selector_all("#table-fichiers tbody tr", "rows => rows.map(row => row.textContent)")
    assert len(rows) == len(FIXES)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 2600})

    # Filters (server side): errors of one file.
    page.select_option("#filtre-fichier", label="dugny-pourcentage-1500.xlsx")
    page.select_option("#filtre-gravite", "erreur")
    page.click("#filtres button[type=submit]")
    page.wait_for_url("**gravite=erreur*")
    filtered = shown_findings(page)
    assert filtered and {(row[0], row[4]) for row in filtered} == {("dugny-pourcentage-1500.xlsx", "erreur")}

    with page.expect_download() as waiting:
        page.click("#lien-rapport")
    report = Path(waiting.value.path()).read_text(encoding="utf-8")
    for name, _sheet, _cell, code, _severity, message in cli_findings(FIXES):
        assert name in report and code in report
    assert "<script" not in report


def test_dugny_downloads(live_server, page, tmp_path):
    upload(page, live_server, DUGNY)
    with page.expect_download() as waiting:
        page.click("#lien-copies")
    copies = tmp_path / "copies.zip"
    waiting.value.save_as(copies)
    with zipfile.ZipFile(copies) as archive:
        assert sorted(archive.namelist()) == sorted(f"{path.stem}-annote.xlsx" for path in DUGNY)
        archive.extractall(tmp_path / "copies")
    for path in (tmp_path / "copies").iterdir():
        assert "Contrôles" in openpyxl.load_workbook(path).sheetnames or path.suffix == ".xlsx"

    page.check("#secret", force=True)
    with page.expect_download() as waiting:
        page.click("#bouton-consolide")
    merged = tmp_path / "consolide.xlsx"
    waiting.value.save_as(merged)
    assert waiting.value.suggested_filename == "classeur-consolide-secret.xlsx"
    book = openpyxl.load_workbook(merged)
    assert {"Identification", "Plan d'actions", "Sources", "Contrôles"} <= set(book.sheetnames)
    sources = book["Sources"]
    named = {str(cell.value) for row in sources.iter_rows() for cell in row if cell.value}
    assert all(any(path.name in value for value in named) for path in DUGNY), named


def test_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.set_input_files("#fichiers", [str(FIXES[0])])
    page.click("#bouton-controler")
    page.wait_for_url("**/controle/*/")
    assert FIXES[0].name in page.content()
    context.close()


def test_error_shown_by_javascript(live_server, page, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("bonjour")
    page.goto(live_server + "/")
    page.set_input_files("#fichiers", [str(notes)])
    page.click("#bouton-controler")
    page.wait_for_selector("#erreur-js:not([hidden])")
    assert "« notes.txt » n'est pas un classeur" in page.inner_text("#erreur-js")
