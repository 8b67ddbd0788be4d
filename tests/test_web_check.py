"""The page « Contrôler des classeurs » through Django's test client: every route, every
refusal (in French, never a traceback or a 500), the security headers, and what is kept."""

from __future__ import annotations

import html
import io
import json
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
DUGNY = sorted((ROOT / "samples" / "dugny").glob("*.xlsx"))
FIXES = ROOT / "samples" / "a-corriger"


@pytest.fixture
def client(web_settings):
    from django.test import Client

    return Client()


def upload(path: Path, name: str | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or path.name, path.read_bytes())


def check(client, *paths: Path, names=None):
    files = [upload(path, names[index] if names else None) for index, path in enumerate(paths)]
    return client.post("/", {"fichiers": files})


def token_of(response) -> str:
    assert response.status_code == 302, response.content[:2000]
    match = re.fullmatch(r"/controle/([A-Za-z0-9_-]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; turned back into characters)."""
    return html.unescape(response.content.decode("utf-8"))


def assert_security_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_form_page(client):
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert "<title>Contrôler des classeurs — ctgxl</title>" in page
    assert 'class="fr-upload"' in page and 'multiple' in page and 'for="fichiers"' in page
    assert "ctgxl — Convention Territoriale Globale" in page
    assert "csrfmiddlewaretoken" in page
    assert "/static/ctgxl/controle.js" in page
    # No inline script or style: the Content-Security-Policy would block them.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and " style=" not in page
    assert_security_headers(response)


def test_check_shows_report_and_filters(client):
    response = check(client, *sorted(FIXES.glob("dugny-*.xlsx")))
    token = token_of(response)
    page = client.get(f"/controle/{token}/")
    assert page.status_code == 200
    assert_security_headers(page)
    body = text(page)
    assert "<title>Rapport de contrôle — Contrôler des classeurs — ctgxl</title>" in body
    assert "dugny-pourcentage-1500.xlsx" in body
    assert "pourcentage-hors-bornes" in body
    assert re.search(r'id="total-erreur">\d+ erreurs?<', body)
    rows = re.findall(r'<tr class="ctgxl-constat"[^>]*data-fichier="([^"]*)"[^>]*data-gravite="([^"]*)"', body)
    assert {severity for _, severity in rows} >= {"erreur"}
    files = sorted({name for name, _ in rows})
    assert len(files) > 1
    only = client.get(f"/controle/{token}/", {"fichier": "1", "gravite": "erreur"})
    filtered = re.findall(r'<tr class="ctgxl-constat"[^>]*data-fichier="([^"]*)"[^>]*data-gravite="([^"]*)"',
                          text(only))
    assert filtered and all(severity == "erreur" for _, severity in filtered)
    assert len({name for name, _ in filtered}) == 1
    assert "<title>Rapport de contrôle (filtré)" in text(only)
    # An unknown filter value is ignored, never an error.
    assert client.get(f"/controle/{token}/", {"fichier": "../../x", "gravite": "<b>"}).status_code == 200


def test_downloads(client):
    token = token_of(check(client, *DUGNY))
    report = client.get(f"/controle/{token}/rapport.html")
    assert report.status_code == 200
    assert report["Content-Disposition"] == 'attachment; filename="rapport-controle-ctg.html"'
    assert "<script" not in text(report)
    assert "dugny-petite-enfance.xlsx" in text(report)
    copies = client.get(f"/controle/{token}/copies-annotees.zip")
    assert copies.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(copies.streaming_content))) as archive:
        assert sorted(archive.namelist()) == sorted(f"{path.stem}-annote.xlsx" for path in DUGNY)
    merged = client.get(f"/controle/{token}/classeur-consolide.xlsx", {"secret": "1"})
    assert merged.status_code == 200, text(merged)[:3000]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(merged.streaming_content)))
    assert "Plan d'actions" in book.sheetnames


def test_consolidation_refused_while_errors_remain(client):
    token = token_of(check(client, FIXES / "dugny-pourcentage-1500.xlsx"))
    page = text(client.get(f"/controle/{token}/"))
    assert "Malgré les erreurs" in page and 'name="malgre"' in page
    refused = client.get(f"/controle/{token}/classeur-consolide.xlsx")
    assert refused.status_code == 409
    assert "Classeur consolidé non produit" in text(refused)
    assert "Fusion refusée : 1 erreur à corriger." in text(refused)
    despite = client.get(f"/controle/{token}/classeur-consolide.xlsx", {"malgre": "1"})
    assert despite.status_code == 200
    assert despite["Content-Type"].startswith("application/vnd.openxmlformats")


def test_formula_like_text_stays_text_in_downloads(client, tmp_path):
    from hostile.corpus import MERGED_FORMULA_TEXTS, formula_texts

    case = formula_texts(tmp_path)
    token = token_of(check(client, tmp_path / case.name))
    for url in (f"/controle/{token}/classeur-consolide.xlsx?malgre=1", f"/controle/{token}/copies-annotees.zip"):
        response = client.get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        if url.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = archive.read(archive.namelist()[0])
        book = openpyxl.load_workbook(io.BytesIO(content))
        found = {cell.value: cell.data_type for sheet in book for row in sheet.iter_rows() for cell in row
                 if isinstance(cell.value, str) and cell.value in MERGED_FORMULA_TEXTS}
        assert found and set(found.values()) == {"s"}, found


def test_no_file(client):
    response = client.post("/", {})
    assert response.status_code == 400
    assert "Choisissez au moins un classeur à contrôler." in text(response)
    assert_security_headers(response)


@pytest.mark.parametrize("setting, value, status, message", [
    ("DATA_UPLOAD_MAX_NUMBER_FILES", 2, 400, "Trop de fichiers en un envoi. Jusqu'à 2 fichiers"),
    ("CTGXL_MAX_UPLOAD_BYTES", 20_000, 413, "L'envoi dépasse la taille totale admise"),
])
def test_upload_over_a_limit(client, setting, value, status, message):
    from django.test import override_settings

    with override_settings(**{setting: value}):
        response = check(client, *DUGNY)
    assert response.status_code == status
    assert message in text(response)


def test_file_too_big(client, monkeypatch):
    monkeypatch.setenv("CTGXL_MAX_FICHIER_OCTETS", "10000")
    response = check(client, DUGNY[0])
    assert response.status_code == 413
    assert "dépasse la taille admise par fichier" in text(response)


def test_binary_workbook_is_checked_and_merged(client, tmp_path):
    """An .xlsb (Excel's binary format) among the services' files: checked like its .xlsx
    form, and merged with the others."""
    from xlsb_writer import xlsb_copy

    binary = xlsb_copy(DUGNY[0], tmp_path / f"{DUGNY[0].stem}.xlsb")
    token = token_of(check(client, binary, *DUGNY[1:]))
    body = text(client.get(f"/controle/{token}/"))
    assert f"{DUGNY[0].stem}.xlsb" in body and "illisible" not in body
    merged = client.get(f"/controle/{token}/classeur-consolide.xlsx")
    assert merged.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(merged.streaming_content)), read_only=True)
    sources = [row[0] for row in book["Sources"].iter_rows(values_only=True) if row[0]]
    assert any(f"{DUGNY[0].stem}.xlsb" in str(name) for name in sources), sources


def test_not_a_workbook(client, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("bonjour")
    response = check(client, notes)
    assert response.status_code == 400
    assert "« notes.txt » n'est pas un classeur" in text(response)
    # A workbook name on something else: read, reported unreadable, never a 500.
    fake = tmp_path / "faux.xlsx"
    fake.write_bytes(b"%PDF-1.4 pas un classeur")
    token = token_of(check(client, fake))
    page = text(client.get(f"/controle/{token}/"))
    assert "faux.xlsx" in page and "Illisible" in page


def test_zip_bomb(client, tmp_path):
    from hostile.corpus import bomb

    path = bomb(tmp_path / "bombe.xlsx", 1024, lie=False)
    token = token_of(check(client, path))
    page = text(client.get(f"/controle/{token}/"))
    assert "fichier-trop-gros" in page and "Illisible" in page
    # The server still answers.
    assert client.get("/").status_code == 200


def test_missing_csrf_token(web_settings):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/", {"fichiers": [upload(DUGNY[0])]})
    assert response.status_code == 403
    assert "Formulaire expiré" in text(response)
    assert "Traceback" not in text(response)


@pytest.mark.parametrize("token", ["inconnu", "A" * 32, "../../../etc/passwd", "a" * 31 + "."])
def test_unknown_result(client, token):
    for suffix in ("", "rapport.html", "copies-annotees.zip", "classeur-consolide.xlsx"):
        response = client.get(f"/controle/{token}/{suffix}")
        assert response.status_code == 404
        assert "Page introuvable" in text(response)


def test_expired_result(client, web_settings):
    token = token_of(check(client, DUGNY[0]))
    from ctgxl.web.verification import storage

    folder = storage.root() / token
    meta = json.loads((folder / storage.META).read_text())
    meta["cree"] = time.time() - web_settings.CTGXL_RETENTION - 1
    (folder / storage.META).write_text(json.dumps(meta))
    assert client.get(f"/controle/{token}/").status_code == 404
    assert not folder.exists()


def test_expired_folders_are_cleared(client, web_settings):
    import os

    from ctgxl.web.verification import storage

    token = token_of(check(client, DUGNY[0]))
    folder = storage.root() / token
    old = time.time() - web_settings.CTGXL_RETENTION - 10
    os.utime(folder, (old, old))
    storage.clear_expired()
    assert not folder.exists()


def test_path_in_file_name(client):
    from ctgxl.web.verification import storage

    names = ["../../../../tmp/evil.xlsx", "..\\..\\Windows\\evil.xlsx", "/etc/cron.d/x.xlsx"]
    token = token_of(check(client, DUGNY[0], DUGNY[1], DUGNY[2], names=names))
    folder = storage.root() / token
    assert sorted(path.name for path in folder.iterdir() if path.suffix == ".xlsx") == ["1.xlsx", "2.xlsx", "3.xlsx"]
    assert not Path("/tmp/evil.xlsx").exists()
    page = text(client.get(f"/controle/{token}/"))
    assert "evil.xlsx" in page and "evil (2).xlsx" in page and "x.xlsx" in page
    assert "../" not in page.split("<main")[1].split("</main>")[0].replace('href="../', "")


def test_display_name():
    from ctgxl.web.verification.controle import display_name

    assert display_name("../../a/b/plan.xlsx") == "plan.xlsx"
    assert display_name("C:\\Users\\x\\plan.xlsx") == "plan.xlsx"
    assert display_name("pl\x00an\n.xlsx") == "plan.xlsx"
    assert display_name("..") == "classeur"
    assert display_name("") == "classeur"
    assert len(display_name("a" * 300 + ".xlsx")) <= 120


def test_method_not_allowed(client):
    assert client.put("/").status_code == 405
    token = token_of(check(client, DUGNY[0]))
    assert client.post(f"/controle/{token}/").status_code == 405


def test_debug_off_by_default(web_settings):
    assert web_settings.DEBUG is False


def test_counts_follow_the_french_plural(client):
    """0 and 1 take the singular in French (« 0 avertissement »), unlike Django's pluralize."""
    from ctgxl.web.verification.templatetags.francais import pluriel

    assert [pluriel(count) for count in (0, 1, 2, 1.5)] == ["", "", "s", ""]
    assert [pluriel(count, "a,ont") for count in (0, 1, 3)] == ["a", "a", "ont"]
    token = token_of(check(client, DUGNY[0]))
    body = re.sub(r"\s+", " ", text(client.get(f"/controle/{token}/")))
    assert "0 erreur, 0 avertissement, 0 information." in body
