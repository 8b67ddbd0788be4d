"""`ctgxl bilan`: its figures equal figures counted here from the sample files with openpyxl
(never with ctgxl's reading), its outputs fit and open, and secrecy hides every small count."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ctgxl.cli import cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
YEAR = 2025
DONE = {"realisee", "abandonnee"}


def run(*args: object):
    return CliRunner().invoke(cli, ["bilan", *map(str, args)])


# --- counted by hand from the samples ------------------------------------------------------

def plain(text: object) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.replace("*", " ").lower().split())


def rows_of(folder: Path, sheet_start: str, first_header: str) -> list[dict]:
    """Rows of every sheet whose name starts with ``sheet_start``, by plain header, found below
    the row holding ``first_header``."""
    found = []
    for path in sorted(folder.glob("*.xlsx")):
        book = openpyxl.load_workbook(path, data_only=True)
        for sheet in book.worksheets:
            if not plain(sheet.title).startswith(sheet_start):
                continue
            rows = list(sheet.iter_rows(values_only=True))
            at = next(index for index, row in enumerate(rows) if any(plain(v or "") == first_header for v in row))
            headers = [plain(value or "") for value in rows[at]]
            for row in rows[at + 1:]:
                if any(value not in (None, "") for value in row):
                    found.append(dict(zip(headers, row)))
    return found


def number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return value
    text = str(value).replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def by_hand(territory: str) -> dict:
    folder = SAMPLES / territory
    actions = rows_of(folder, "plan d", plain("N° action"))
    status = Counter(plain(row["statut"]) for row in actions)
    late = {str(row[plain("N° action")]) for row in actions
            if number(row.get("annee de fin")) and number(row["annee de fin"]) < YEAR and plain(row["statut"]) not in DONE}
    starting = {str(row[plain("N° action")]) for row in actions if number(row["annee de debut"]) == YEAR}
    equipment = rows_of(folder, "equipement", "type de structure")
    structures = Counter(plain(row["type de structure"]) for row in equipment)
    places = Counter()
    for row in equipment:
        places[plain(row["type de structure"])] += number(row.get("capacite (places)")) or 0
    shares, references = {}, {}
    for row in rows_of(folder, "suivi", plain("N° action")):
        if number(row.get("valeur de reference")) is not None:
            references[(str(row[plain("N° action")]), plain(row["indicateur"]))] = (
                number(row["valeur de reference"]), int(number(row["annee de reference"])))
        values = {int(header): number(value) for header, value in row.items()
                  if header.isdigit() and int(header) <= YEAR and number(value) is not None}
        target = number(row.get("cible"))
        if values and target:
            shares[(str(row[plain("N° action")]), plain(row["indicateur"]))] = round(values[max(values)] / target, 4)
    return {"total": len(actions), "status": status, "late": late, "starting": starting, "structures": structures,
            "places": places, "shares": shares, "references": references}


def read_bilan(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    themes = list(book["Actions par thématique"].iter_rows(values_only=True))
    headers = [plain(value) for value in themes[0]]
    total = dict(zip(headers, next(row for row in themes if row[0] == "Total")))
    late = [row[0] for row in book["Actions en retard"].iter_rows(min_row=3, values_only=True) if row[0]]
    starts = list(book["Démarrages"].iter_rows(values_only=True))
    end = next(index for index, row in enumerate(starts) if index > 0 and str(row[0] or "").startswith("Prochaines"))
    starting = [row[0] for row in starts[2:end] if row[0] and row[0] != "Aucune."]
    equipment = {}
    for row in book["Équipements et places"].iter_rows(min_row=2, values_only=True):
        if not row[0] or row[0] == "Total":
            break
        equipment[plain(row[0])] = (row[1], row[2] or 0)
    shares, references = {}, {}
    for row in book["Indicateurs"].iter_rows(min_row=2, max_col=9, values_only=True):
        given = re.match(r"([\d\u202f,]+)(?: %)? \((\d{4})\)$", str(row[4] or ""))
        if given:  # « 1re valeur » marks a reference taken from the first value, not given
            references[(str(row[0]), plain(row[1]))] = (
                float(given[1].replace("\u202f", "").replace(",", ".")), int(given[2]))
        if row[3] == YEAR or (row[0] and row[6] is not None and row[3] and row[3] < YEAR):
            if row[7] is not None:
                shares[(str(row[0]), plain(row[1]))] = round(row[7], 4)
    return {"total": total, "late": set(late), "starting": set(starting), "equipment": equipment, "shares": shares,
            "references": references}


@pytest.mark.parametrize("territory", ["dugny", "dugny-2025", "boulogne-billancourt"])
def test_bilan_figures_equal_the_figures_counted_from_the_files(territory, tmp_path):
    output = tmp_path / "bilan.xlsx"
    result = run(SAMPLES / territory, "-o", output, "--annee", YEAR)
    assert result.exit_code == 0, result.output
    assert result.output == f"Bilan {YEAR} écrit dans {output}\n"
    expected, shown = by_hand(territory), read_bilan(output)
    assert shown["total"]["total"] == expected["total"]
    for status in ("a engager", "en cours", "realisee", "reportee", "abandonnee"):
        assert shown["total"][status] == expected["status"][status], status
    assert shown["late"] == expected["late"]
    assert shown["starting"] == expected["starting"]
    assert shown["equipment"] == {kind: (count, expected["places"][kind])
                                  for kind, count in expected["structures"].items()}
    assert shown["shares"] == expected["shares"]
    assert shown["references"] == expected["references"]
    assert expected["late"] and expected["shares"]  # the samples do exercise these figures
    assert expected["references"] or territory != "dugny"


def test_bilan_from_the_consolidated_workbook_equals_the_bilan_from_the_files(tmp_path):
    consolidated = tmp_path / "ctg.xlsx"
    assert CliRunner().invoke(cli, ["merge", str(SAMPLES / "dugny"), "-o", str(consolidated)]).exit_code == 0
    run(SAMPLES / "dugny", "-o", tmp_path / "a.xlsx", "--annee", YEAR)
    result = run(consolidated, "-o", tmp_path / "b.xlsx", "--annee", YEAR)
    assert result.exit_code == 0, result.output
    assert read_bilan(tmp_path / "a.xlsx") == read_bilan(tmp_path / "b.xlsx")


def edited_copy(tmp_path: Path) -> Path:
    """Dugny a year later, edited as a person would: a status advanced, places changed."""
    import shutil

    folder = tmp_path / "dugny-v2"
    shutil.copytree(SAMPLES / "dugny", folder)
    path = folder / "dugny-enfance-jeunesse.xlsx"
    book = openpyxl.load_workbook(path)
    plan = book["Plan d'actions"]
    columns = {plain(cell.value): cell.column for cell in plan[1] if cell.value}
    plan.cell(row=2, column=columns["statut"]).value = "Réalisée"
    equipment = book["Équipements"]
    columns = {plain(cell.value): cell.column for cell in equipment[1] if cell.value}
    equipment.cell(row=2, column=columns["capacite (places)"]).value = 3
    book.save(path)
    return folder


def test_depuis_lists_the_changes_and_the_places_gained_or_lost(tmp_path):
    folder = edited_copy(tmp_path)
    output = tmp_path / "bilan.xlsx"
    result = run(folder, "-o", output, "--annee", YEAR, "--depuis", SAMPLES / "dugny", "--secret-statistique")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(output)
    changes = [row for row in book["Modifications"].iter_rows(min_row=2, values_only=True)]
    assert ("Équipements", "ALSH périscolaire / ALSH Périscolaire / Dugny", "Capacité (places)", "300", "<5") in changes
    assert any(row[0] == "Plan d'actions" and row[1].startswith("EF-1") and row[2:] == ("Statut", "En cours", "Réalisée")
               for row in changes)
    assert len(changes) == 2
    totals = next(row for row in book["Équipements et places"].iter_rows(values_only=True) if row[0] == "Total")
    assert totals[6] == -297  # 300 places then <5: the change is no small count


def test_structures_and_places_gained_since_the_earlier_version_equal_the_files(tmp_path):
    """samples/dugny-2025 is Dugny a year later (a structure added, one grown, statuses advanced)."""
    output = tmp_path / "bilan.xlsx"
    result = run(SAMPLES / "dugny-2025", "-o", output, "--annee", YEAR, "--depuis", SAMPLES / "dugny")
    assert result.exit_code == 0, result.output
    now, before = by_hand("dugny-2025"), by_hand("dugny")
    rows = {}
    for row in openpyxl.load_workbook(output)["Équipements et places"].iter_rows(min_row=2, values_only=True):
        if not row[0]:
            break
        rows[plain(row[0])] = row
    for kind in set(now["structures"]) | set(before["structures"]):
        assert rows[kind][5] == now["structures"][kind] - before["structures"][kind], kind
        assert (rows[kind][6] or 0) == now["places"][kind] - before["places"][kind], kind
    assert rows["total"][5:7] == (sum(now["structures"].values()) - sum(before["structures"].values()),
                                  sum(now["places"].values()) - sum(before["places"].values()))
    assert rows["total"][6] > 0


# --- refusals ------------------------------------------------------------------------------

def test_refuses_an_existing_output_without_force(tmp_path):
    (tmp_path / "bilan.pptx").write_bytes(b"deja la")
    result = run(SAMPLES / "dugny", "-o", tmp_path / "bilan.xlsx", "--pptx", tmp_path / "bilan.pptx")
    assert result.exit_code == 2
    assert result.output == (f"Erreur : « {tmp_path / 'bilan.pptx'} » existe déjà : choisissez un autre nom ou "
                             "ajoutez --force pour le remplacer.\n")
    assert not (tmp_path / "bilan.xlsx").exists()
    assert run(SAMPLES / "dugny", "-o", tmp_path / "bilan.xlsx", "--pptx", tmp_path / "bilan.pptx",
               "--force").exit_code == 0


def test_replaces_its_own_earlier_workbook(tmp_path):
    output = tmp_path / "bilan.xlsx"
    assert run(SAMPLES / "dugny", "-o", output).exit_code == 0
    result = run(SAMPLES / "dugny", "-o", output)
    assert result.exit_code == 0
    assert f"« {output} » remplace la sortie précédente de « ctgxl bilan »." in result.output


def test_refuses_an_output_that_is_an_input(tmp_path):
    result = run(SAMPLES / "dugny" / "dugny-petite-enfance.xlsx", "-o", SAMPLES / "dugny" / "dugny-petite-enfance.xlsx")
    assert result.exit_code == 2
    assert result.output == (f"Erreur : « {SAMPLES / 'dugny' / 'dugny-petite-enfance.xlsx'} » est un fichier d'entrée : "
                             "choisissez un autre nom, les entrées ne sont jamais modifiées.\n")


@pytest.mark.parametrize("args, message", [
    (["{dugny}", "-o", "{tmp}/bilan.pptx"], "Erreur : -o attend un fichier .xlsx : « {tmp}/bilan.pptx » n'en est pas un.\n"),
    (["{dugny}", "-o", "{tmp}/b.xlsx", "--html", "{tmp}/b.txt"],
     "Erreur : --html attend un fichier .html : « {tmp}/b.txt » n'en est pas un.\n"),
    (["{tmp}/absent", "-o", "{tmp}/b.xlsx"], "Erreur : « {tmp}/absent » n'existe pas.\n"),
    (["{tmp}/texte.xlsx", "-o", "{tmp}/b.xlsx"],
     "Erreur : Le fichier n'est pas un classeur Excel ou LibreOffice : c'est un fichier d'un autre type. Enregistrez-le "
     "au format .xlsx. Le bilan n'est pas écrit.\n"),
    (["{tmp}/autre.xlsx", "-o", "{tmp}/b.xlsx"],
     "Erreur : Aucun classeur CTG reconnu dans « {tmp}/autre.xlsx » : donnez le classeur consolidé ou les fichiers "
     "des services.\n"),
])
def test_bad_input_is_one_french_sentence_and_exit_2(args, message, tmp_path):
    (tmp_path / "texte.xlsx").write_text("pas un classeur")
    book = openpyxl.Workbook()
    book.active["A1"] = "Budget"
    book.save(tmp_path / "autre.xlsx")
    fill = {"dugny": SAMPLES / "dugny", "tmp": tmp_path}
    result = run(*(arg.format(**fill) for arg in args))
    assert result.exit_code == 2
    assert result.output == message.format(**fill)
    assert not (tmp_path / "b.xlsx").exists()


def test_depuis_must_be_the_same_territory(tmp_path):
    result = run(SAMPLES / "dugny", "-o", tmp_path / "b.xlsx", "--depuis", SAMPLES / "carrieres-sur-seine")
    assert result.exit_code == 2
    assert result.output == (f"Erreur : « {SAMPLES / 'carrieres-sur-seine'} » est la convention de Carrières-sur-Seine, "
                             "pas celle de Dugny : --depuis attend une version précédente du même territoire.\n")
    assert not (tmp_path / "b.xlsx").exists()


def test_bad_year_is_refused_in_french(tmp_path):
    result = run(SAMPLES / "dugny", "-o", tmp_path / "b.xlsx", "--annee", "deux mille")
    assert result.exit_code == 2
    assert "Valeur invalide pour '--annee'" in result.output


# --- the deck fits its slides -------------------------------------------------------------

@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bilan")
    result = run(SAMPLES / "boulogne-billancourt", "-o", folder / "bilan.xlsx", "--pptx", folder / "copil.pptx",
                 "--html", folder / "bilan.html", "--annee", YEAR)
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("made", ["outputs", "secret_outputs"])
def test_every_shape_lies_within_its_slide(made, request):
    from pptx import Presentation

    deck = Presentation(request.getfixturevalue(made) / "copil.pptx")
    assert len(deck.slides) > 8
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= deck.slide_width, (number, shape.name)
            assert shape.top + shape.height <= deck.slide_height, (number, shape.name)
            if shape.has_table:
                assert len(shape.table.rows) <= 13, number


def test_deck_has_the_copil_slides_in_french(outputs):
    from pptx import Presentation

    titles = [slide.shapes[0].text_frame.text for slide in Presentation(outputs / "copil.pptx").slides]
    assert titles[0] == "Convention Territoriale Globale"
    assert titles[1] == f"Synthèse {YEAR}"
    assert any(title.startswith("Thématique : Petite enfance") for title in titles)
    assert any(title.startswith(f"Actions en retard (fin avant {YEAR})") for title in titles)
    assert any(title.startswith("Indicateurs : référence, cible et valeur") for title in titles)
    assert titles[-1].startswith(f"Prochaines étapes : actions qui démarrent en {YEAR + 1}")


def test_html_page_is_self_contained_and_escaped(outputs, tmp_path):
    page = (outputs / "bilan.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<link" not in page and "<img" not in page
    assert "<svg" in page and "@media print" in page


@pytest.mark.libreoffice
def test_workbook_and_deck_convert_to_pdf_in_libreoffice(outputs, tmp_path):
    import shutil
    import subprocess

    from pptx import Presentation

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé.")
    profile = tmp_path / "profil"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to",
               "pdf", "--outdir", str(tmp_path), str(outputs / "bilan.xlsx"), str(outputs / "copil.pptx")]
    subprocess.run(command, capture_output=True, timeout=240, check=False)

    def pages(path: Path) -> int:
        return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))

    assert pages(tmp_path / "copil.pdf") == len(Presentation(outputs / "copil.pptx").slides)
    sheets = len(openpyxl.load_workbook(outputs / "bilan.xlsx").sheetnames)
    assert sheets <= pages(tmp_path / "bilan.pdf") <= 3 * sheets


# --- secrecy: no count from 1 to 4 anywhere ------------------------------------------------

# A digit 1 to 4 standing alone: not part of a number (« 1 500 », « 2,5 », 2024), a code (« PE-1 »),
# « <5 », a rate (« 3 % ») or a gap in points.
SMALL = re.compile(r"(?<![\w.,/<−+\u202f\u00a0-])[1-4](?![\w.,/\u202f\u00a0]|\s?[%‰]|\s?points?)")


def small_counts_in_text(text: str) -> list[str]:
    return [text[max(0, match.start() - 30):match.end() + 30] for match in SMALL.finditer(text)]


def small_counts_in_workbook(path: Path) -> list:
    found = []
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" not in cell.number_format:
                    if 0 < abs(value) < 5:
                        found.append((sheet.title, cell.coordinate, value))
                elif isinstance(value, str):
                    found += [(sheet.title, cell.coordinate, hit) for hit in small_counts_in_text(value)]
    return found


def small_counts_in_deck(path: Path) -> list:
    from pptx import Presentation

    found = []
    for number, slide in enumerate(Presentation(path).slides, start=1):
        for shape in slide.shapes:
            texts = []
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                chart = shape.chart
                texts += [str(category) for category in chart.plots[0].categories]
                if "%" not in chart.value_axis.tick_labels.number_format:
                    found += [(number, value) for series in chart.series for value in series.values
                              if value is not None and 0 < abs(value) < 5]
            found += [(number, hit) for text in texts for hit in small_counts_in_text(text)]
    return found


def small_counts_in_page(path: Path) -> list:
    text = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", path.read_text(encoding="utf-8"), flags=re.S))
    return small_counts_in_text(text)


def test_the_secrecy_check_sees_small_counts(outputs):
    """Without --secret-statistique, Boulogne's bilan shows counts below 5: the checks below can fail."""
    assert small_counts_in_workbook(outputs / "bilan.xlsx")
    assert small_counts_in_deck(outputs / "copil.pptx")
    assert small_counts_in_page(outputs / "bilan.html")


def test_secrecy_on_the_samples_with_changes(tmp_path):
    folder = edited_copy(tmp_path)
    result = run(folder, "-o", tmp_path / "b.xlsx", "--pptx", tmp_path / "b.pptx", "--html", tmp_path / "b.html",
                 "--annee", YEAR, "--depuis", SAMPLES / "dugny", "--secret-statistique")
    assert result.exit_code == 0, result.output
    assert small_counts_in_workbook(tmp_path / "b.xlsx") == []
    assert small_counts_in_deck(tmp_path / "b.pptx") == []
    assert small_counts_in_page(tmp_path / "b.html") == []



# --- charts under secrecy: a masked count is never drawn, a sentence says what is left out ----

CHART_MASKED = "Graphique non représenté : ses effectifs inférieurs à 5 sont masqués par le secret statistique."
LEFT_OUT = "Non représentés (secret statistique, effectif inférieur à 5) : "


def masked_statuses(territory: str) -> tuple[set[str], set[str]]:
    """Statuses whose count of actions secrecy masks (1 to 4), and those that make a bar (5 or more)."""
    status = by_hand(territory)["status"]
    return {name for name, count in status.items() if 0 < count < 5}, {name for name, count in status.items()
                                                                        if count >= 5}


def masked_shares(territory: str) -> set[str]:
    """Indicators (N°) whose share of the target secrecy withholds: a latest value or a target of
    1 to 4, for an indicator that is no rate."""
    found = set()
    for row in rows_of(SAMPLES / territory, "suivi", plain("N° action")):
        values = {int(header): number(value) for header, value in row.items()
                  if header.isdigit() and int(header) <= YEAR and number(value) is not None}
        target = number(row.get("cible"))
        rate = "%" in f"{row['indicateur']}{row.get('cible')}" or plain(row["indicateur"]).startswith(("taux", "part "))
        if values and target and not rate and (0 < values[max(values)] < 5 or 0 < target < 5):
            found.add(str(row[plain("N° action")]))
    return found


@pytest.fixture(scope="module")
def secret_outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("secret-charts")
    result = run(SAMPLES / "dugny", "-o", folder / "bilan.xlsx", "--pptx", folder / "copil.pptx",
                 "--html", folder / "bilan.html", "--annee", YEAR, "--secret-statistique")
    assert result.exit_code == 0, result.output
    masked, bars = masked_statuses("dugny")
    # What the charts below are checked on: Dugny's statuses make fewer bars than secrecy masks,
    # and some of its indicators keep their share while others lose it.
    assert len(bars) < len(masked)
    assert masked_shares("dugny") and by_hand("dugny")["shares"]
    return folder


def test_a_chart_leaves_out_its_masked_categories_or_gives_way_to_a_sentence():
    from ctgxl.writing.bilan_text import drawable

    def chart(counts: dict):
        return drawable(list(counts), lambda name: [counts[name]], str)

    partial = chart({"A": 6, "B": "<5", "C": 7, "D": 0})
    assert partial.drawn and partial.kept == ["A", "C", "D"] and partial.note == LEFT_OUT + "B."
    assert not chart({"A": 6, "B": "<5", "C": "<5", "D": 0}).drawn  # one bar for two left out
    assert chart({"A": 6, "B": "<5", "C": "<5"}).note == CHART_MASKED
    assert chart({"A": "<5"}).note == CHART_MASKED
    unmasked = chart({"A": 0, "B": 0})
    assert unmasked.drawn and unmasked.note is None  # nothing masked: drawn as it is


def deck_charts(path: Path) -> list[tuple[int, str, object]]:
    from pptx import Presentation

    return [(number, slide.shapes[0].text_frame.text, shape.chart)
            for number, slide in enumerate(Presentation(path).slides, start=1)
            for shape in slide.shapes if shape.has_chart]


def slide_texts(slide) -> str:
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def test_deck_draws_no_masked_count_and_says_what_it_left_out(secret_outputs):
    from pptx import Presentation

    slides = list(Presentation(secret_outputs / "copil.pptx").slides)
    charts = deck_charts(secret_outputs / "copil.pptx")
    assert charts
    for number, title, chart in charts:
        values = [value for series in chart.series for value in series.values]
        assert None not in values, (number, title)  # a masked count would be a gap in its series
        assert any(value > 0 for value in values), (number, title)  # no empty chart
    by_title = {slide.shapes[0].text_frame.text: slide for slide in slides}
    # Actions by status, and by thématique: the sentence, not the chart.
    for title in (f"Synthèse {YEAR}", "Avancement du plan par thématique"):
        assert not any(shape.has_chart for shape in by_title[title].shapes), title
        assert CHART_MASKED in slide_texts(by_title[title]), title
    assert "<5" in slide_texts(by_title["Avancement du plan par thématique"])  # its table stands in
    # The shares of the targets: the indicators whose share is withheld are named, not drawn.
    shares = [chart for _, title, chart in charts if title == "Part de la cible atteinte"]
    drawn = {str(category).split(" – ")[0] for chart in shares for category in chart.plots[0].categories}
    assert drawn and not drawn & masked_shares("dugny")
    note = next(line for line in slide_texts(by_title["Part de la cible atteinte"]).splitlines()
                if line.startswith(LEFT_OUT))
    assert {name.split(" – ")[0] for name in note[len(LEFT_OUT):].split(", ")} == masked_shares("dugny")


def workbook_charts(path: Path) -> list[tuple[str, list, list[list], object]]:
    """Each chart of a workbook: its sheet, then the categories and the series' values read from
    the cells it points to, then the chart."""
    book = openpyxl.load_workbook(path)

    def cells(reference: str) -> list:
        sheet, area = reference.rsplit("!", 1)
        return [cell.value for row in book[sheet.strip("'")][area.replace("$", "")] for cell in row]

    found = []
    for sheet in book.worksheets:
        for chart in sheet._charts:  # where openpyxl puts the charts it reads
            first = chart.series[0].cat
            categories = cells((first.strRef or first.numRef).f)
            found.append((sheet.title, categories, [cells(series.val.numRef.f) for series in chart.series], chart))
    return found


def sheet_texts(path: Path, name: str) -> list[str]:
    return [cell for row in openpyxl.load_workbook(path)[name].iter_rows(values_only=True) for cell in row
            if isinstance(cell, str)]


def test_workbook_draws_no_masked_count_and_says_what_it_left_out(secret_outputs):
    path = secret_outputs / "bilan.xlsx"
    charts = workbook_charts(path)
    assert charts
    for sheet, categories, series, _ in charts:
        values = [value for values in series for value in values]
        assert all(isinstance(value, (int, float)) for value in values), (sheet, values)  # never « <5 » nor empty
        assert any(value > 0 for value in values), sheet
    sheets = {sheet for sheet, _, _, _ in charts}
    for name in ("Synthèse", "Actions par thématique"):
        assert name not in sheets
        assert CHART_MASKED in sheet_texts(path, name), name
    drawn = {category for sheet, categories, _, _ in charts if sheet == "Indicateurs" for category in categories}
    assert drawn and not drawn & masked_shares("dugny")
    note = next(text for text in sheet_texts(path, "Indicateurs") if text.startswith(LEFT_OUT))
    assert {name.split(" – ")[0] for name in note[len(LEFT_OUT):].split(", ")} == masked_shares("dugny")


def test_page_draws_no_masked_count_and_says_what_it_left_out(secret_outputs):
    page = (secret_outputs / "bilan.html").read_text(encoding="utf-8")
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert charts
    for chart in charts:
        assert "&lt;5" not in chart
        assert any(float(width) > 0 for width in re.findall(r'<rect [^>]*width="([\d.]+)"', chart))
    sections = {unescape(title): body for title, body in re.findall(r"<h2>(.*?)</h2>(.*?)</section>", page, flags=re.S)}
    progress = sections["Avancement du plan d'actions"]
    assert "<svg" not in progress and CHART_MASKED in unescape(progress)
    indicators = unescape(sections["Indicateurs : référence, cible et valeur"])
    drawn = {name.split(" – ")[0] for name in re.findall(r'text-anchor="end">([^<]*)<', indicators)}
    assert drawn and not drawn & masked_shares("dugny")
    note = re.search(re.escape(LEFT_OUT) + r"(.*?)\.</p>", indicators)[1]
    assert {name.split(" – ")[0] for name in note.split(", ")} == masked_shares("dugny")


# --- chart labels: « 1 234 » whatever the locale of the program that draws them ---------------

def grouped_in_french(number_format: str) -> bool:
    """A format that writes its thousands space itself, unlike « #,##0 » which takes the
    locale's separator (« 1,234 » in English)."""
    return "," not in number_format and '"\u202f"' in number_format


def test_chart_labels_and_axes_write_their_thousands_space(outputs):
    for number, title, chart in deck_charts(outputs / "copil.pptx"):
        plot = chart.plots[0]
        formats = [chart.value_axis.tick_labels.number_format]
        assert not chart.value_axis.tick_labels.number_format_is_linked, (number, title)
        if plot.has_data_labels:
            formats.append(plot.data_labels.number_format)
            assert not plot.data_labels.number_format_is_linked, (number, title)
        assert all(grouped_in_french(code) for code in formats), (number, title, formats)
    for sheet, _, _, chart in workbook_charts(outputs / "bilan.xlsx"):
        labels = [series.dLbls for series in chart.series if series.dLbls is not None]
        assert labels or sheet == "Actions par thématique", sheet
        assert all(grouped_in_french(found.numFmt or "") for found in labels), sheet
        assert grouped_in_french(chart.y_axis.numFmt.formatCode), sheet  # openpyxl's y_axis: the values'


@pytest.mark.libreoffice
def test_libreoffice_in_english_draws_the_deck_labels_with_a_thousands_space(outputs, tmp_path):
    import os
    import shutil
    import subprocess
    import xml.etree.ElementTree as ElementTree

    from ctgxl.text import fr

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé.")
    command = [soffice, f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless", "--norestore",
               "--convert-to", "svg", "--outdir", str(tmp_path), str(outputs / "copil.pptx")]
    # An English locale, whose separator « #,##0 » would take.
    subprocess.run(command, capture_output=True, timeout=240, check=False,
                   env={**os.environ, "LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8"})
    svg = ElementTree.parse(tmp_path / "copil.svg")
    labels = [text for group in svg.iter("{http://www.w3.org/2000/svg}g") if group.get("class") == "OLE2"
              for text in group.itertext() if text.strip()]  # the charts, as LibreOffice drew them
    assert labels
    assert not [label for label in labels if re.search(r"\d,\d{3}", label)]
    places = by_hand("boulogne-billancourt")["places"]
    largest = max(places.values())
    assert largest >= 1000 and fr(largest, 0) in labels  # the equipment chart's label, « 3 600 »


# --- property: whatever the plan, secrecy hides every count from 1 to 4 -----------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
STATUSES = ["À engager", "En cours", "Réalisée", "Reportée", "Abandonnée"]
THEMES = ["Petite enfance", "Jeunesse", "Parentalité"]
TYPES = ["EAJE", "RPE", "ALSH périscolaire", "LAEP"]


@st.composite
def territories(draw):
    actions = draw(st.lists(st.tuples(st.sampled_from(THEMES), st.sampled_from(STATUSES),
                                      st.integers(2023, 2027), st.integers(0, 3)), max_size=14))
    structures = draw(st.lists(st.tuples(st.sampled_from(TYPES), st.one_of(st.none(), st.integers(0, 30))),
                               max_size=9))
    indicators = draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20), st.one_of(st.none(),
                                                                                            st.integers(0, 20))),
                               max_size=4))
    figures = draw(st.lists(st.tuples(st.sampled_from(["%", "Nombre"]), st.integers(0, 60), st.integers(1, 60)),
                            max_size=4))
    return actions, structures, indicators, figures


def write_territory(path: Path, territory) -> None:
    from ctgxl.writing.template import Prefill, write_template

    actions, structures, indicators, figures = territory
    write_template(path, "complet", Prefill("Dugny", "Commune", "93030", "Caf de la Seine-Saint-Denis", 2023, 2027,
                                            (), "Service"))
    book = openpyxl.load_workbook(path)

    def fill(sheet_name: str, rows: list[dict]) -> None:
        sheet = book[sheet_name]
        columns = {plain(cell.value): cell.column for cell in sheet[1] if cell.value}
        for row, values in enumerate(rows, start=2):
            for header, value in values.items():
                sheet.cell(row=row, column=columns[plain(header)]).value = value

    fill("Plan d'actions", [
        {"N° action": f"A-{10 + index}", "Thématique": theme, "Objectif": "Objectif",
         "Intitulé de l'action": f"Action {LETTERS[index % 24]}", "Pilote collectivité": "Service",
         "Année de début": start, "Année de fin": min(start + length, 2027), "Statut": status}
        for index, (theme, status, start, length) in enumerate(actions)])
    fill("Équipements", [
        {"Type de structure": kind, "Nom de la structure": f"Structure {LETTERS[index % 24]}{index}",
         "Gestionnaire": "Ville", "Capacité (places)": places}
        for index, (kind, places) in enumerate(structures)])
    if actions:
        fill("Suivi des indicateurs", [
            {"N° action": "A-10", "Indicateur": f"Nombre de séances {LETTERS[index]}", "Type": "Résultat",
             "Cible": target, "2023": first, "2024": second}
            for index, (target, first, second) in enumerate(indicators)])
    fill("Diagnostic", [
        {"Volet": "Démographie", "Indicateur": f"Donnée {LETTERS[index]}", "Valeur territoire": value,
         "Unité": unit, "Valeur département": department, "Année": 2022, "Source": "Insee"}
        for index, (unit, value, department) in enumerate(figures)])
    book.save(path)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(territory=territories())
def test_bilan_never_shows_a_count_below_5_under_secrecy(territory, tmp_path_factory):
    folder = tmp_path_factory.mktemp("secret")
    write_territory(folder / "territoire.xlsx", territory)
    result = run(folder / "territoire.xlsx", "-o", folder / "b.xlsx", "--pptx", folder / "b.pptx",
                 "--html", folder / "b.html", "--annee", YEAR, "--secret-statistique")
    assert result.exit_code == 0, result.output
    assert small_counts_in_workbook(folder / "b.xlsx") == []
    assert small_counts_in_deck(folder / "b.pptx") == []
    assert small_counts_in_page(folder / "b.html") == []
