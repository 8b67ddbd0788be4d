"""The reference page of the standard (``docs/standard.md``), generated from ``validators/``.

Everything on the page comes from :func:`ctgxl.standard.load`, the registry of finding codes
:data:`ctgxl.findings.CODES` (title, default severity) and the bounds the checks use; the
sentences of the rules across columns and rows say in French what ``checking/checks.py``
does. Run ``python -m ctgxl.regenerate`` after any change to the standard;
``tests/test_docs.py`` fails while the page is out of date.
"""

from __future__ import annotations

from pathlib import Path

from ctgxl.checking.checks import MAX_YEARS_ERROR, MAX_YEARS_WARNING, PER_MILLE_BOUNDS, PERCENT_BOUNDS
from ctgxl.findings import CODES
from ctgxl.standard import (
    DIAGNOSTIC,
    ENJEUX,
    EQUIPEMENTS,
    IDENTIFICATION,
    PLAN,
    SUIVI,
    Column,
    Sheet,
    Standard,
    load,
)
from ctgxl.reading.values import SECRET_MARKERS
from ctgxl.names import LISTS, PROPERTY_KIND, PROPERTY_VERSION, README

# Each column type of the standard, in plain French.
TYPES: dict[str, str] = {
    "texte": "Texte",
    "commune": "Nom de commune",
    "communes": "Noms de communes",
    "nombre": "Nombre",
    "entier": "Nombre entier",
    "valeur": "Nombre ou secret statistique",
    "annee": "Année",
    "annee_suivi": "Nombre",
    "date": "Date",
    "code_postal": "Code postal",
    "courriel": "Adresse électronique",
    "identifiant": "Texte ou nombre",
    "code_territoire": "Code INSEE ou SIREN",
    "liste": "Liste",
    "multiliste": "Liste (plusieurs valeurs)",
}

# What a type itself asks of a cell (the reader's parsers in ``ctgxl/values.py``).
TYPE_RULES: dict[str, str] = {
    "nombre": "nombre écrit à la française accepté (1 234,5)",
    "entier": "nombre sans décimales",
    "valeur": "nombre, ou marque du secret statistique ({markers})",
    "code_postal": "5 chiffres",
    "courriel": "syntaxe vérifiée (avertissement)",
    "code_territoire": "commune : code INSEE à 5 caractères (`93030`, `2A004`) ; EPCI : SIREN à 9 chiffres "
                       "avec une clé de contrôle (Luhn) valide",
    "communes": "une par ligne ou séparées par « ; »",
    "identifiant": "texte ou nombre",
}

# Fields whose obligation depends on another field (``check_identification``).
CONDITIONAL = {(IDENTIFICATION, "communes"): "pour un EPCI"}

GENERATED_NOTE = ("<!-- Page générée par ctgxl/docs.py à partir de validators/ et de ctgxl/findings.py : "
                  "ne la modifiez pas à la main. Pour la mettre à jour : python -m ctgxl.regenerate -->")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _range(bounds: tuple[int, int]) -> str:
    low, high = bounds
    return f"{low} … {high}".replace("-", "−")


def _quote(value: str) -> str:
    return f"« {value} »"


def _headers(sheet: Sheet, ids) -> str:
    return ", ".join(_quote(sheet.column(column_id).header) for column_id in ids)


def _list_link(name: str) -> str:
    return f"[{name}](#liste-{name.replace('_', '-')})"


def column_type(column: Column) -> str:
    return TYPES.get(column.type, column.type)


def column_rule(std: Standard, sheet: Sheet, column: Column) -> str:
    """The list or rule of a column, in plain French."""
    parts: list[str] = []
    if column.type == "liste":
        parts.append(f"valeurs de la liste {_list_link(column.list_name)}")
    elif column.type == "multiliste":
        parts.append(f"une ou plusieurs valeurs de la liste {_list_link(column.list_name)}, séparées par « ; »")
    elif column.type in TYPE_RULES:
        markers = ", ".join(f"`{marker}`" for marker in SECRET_MARKERS)
        parts.append(TYPE_RULES[column.type].format(markers=markers))
    if column.type == "commune":
        parts.append("vide = le territoire ; pour un EPCI, " +
                     ("l'EPCI lui-même ou une commune membre" if sheet.name == EQUIPEMENTS else "une commune membre"))
    if column.type == "date":
        day = "31 décembre" if column.end_of_period else "1er janvier"
        parts.append(f"date Excel, jj/mm/aaaa ou aaaa-mm-jj ; une année seule vaut le {day}")
    if column.type == "annee":
        if column.period == "erreur":
            parts.append("4 chiffres, dans la période de la convention (sinon erreur)")
        elif column.period == "avertissement":
            parts.append("4 chiffres ; après la fin de la convention : avertissement")
        else:
            parts.append("4 chiffres, de 1990 à l'année prochaine")
    if column.min is not None and column.max is not None:
        parts.append(f"de {column.min:g} à {column.max:g}")
    elif column.min is not None:
        parts.append(f"≥ {column.min:g}")
    elif column.max is not None:
        parts.append(f"≤ {column.max:g}")
    if column.max_length:
        parts.append(f"{column.max_length} caractères au plus")
    if column.default:
        parts.append(f"vide : lu comme {_quote(column.default)} (avertissement)")
    elif column.mandatory and column.empty == "avertissement":
        parts.append("vide : avertissement")
    elif not column.mandatory and column.empty == "avertissement":
        parts.append("vide : avertissement")
    if column.warn_empty_if:
        other, values = column.warn_empty_if
        parts.append(f"vide : avertissement pour {_quote(sheet.column(other).header)} = " + ", ".join(values))
    older = [old for old, new in std.all_header_renames.get(sheet.name, {}).items() if new == column.header]
    others = list(column.aliases) + older
    if others:
        parts.append("autres en-têtes acceptés : " + ", ".join(_quote(name) for name in others))
    return " ; ".join(parts) if parts else "—"


def obligation(sheet: Sheet, column: Column) -> str:
    condition = CONDITIONAL.get((sheet.name, column.id))
    if condition:
        return condition
    if not column.mandatory:
        return "non"
    return "oui" if column.empty != "accepte" else "oui (vide accepté)"


def sheet_rules(std: Standard) -> dict[str, list[tuple[str, str]]]:
    """The rules across columns and rows, per sheet, as (finding code, sentence): what
    ``ctgxl/checks.py`` does, said in plain French."""
    diag = std.sheet(DIAGNOSTIC)
    equip = std.sheet(EQUIPEMENTS)
    plan = std.sheet(PLAN)
    suivi = std.sheet(SUIVI)
    enjeux = std.sheet(ENJEUX)
    ident = std.sheet(IDENTIFICATION)
    h = lambda sheet, column_id: _quote(sheet.column(column_id).header)  # noqa: E731
    capacity_column, capacity_types = equip.column("capacite").warn_empty_if
    return {
        IDENTIFICATION: [
            ("valeur-obligatoire", f"Pour un EPCI ({h(ident, 'type_territoire')} = EPCI), "
                                   f"{h(ident, 'communes')} est obligatoire."),
            ("code-territoire-invalide", f"{h(ident, 'code')} : pour une commune, le code INSEE à 5 caractères "
                                         "(5 chiffres, ou 2A / 2B et 3 chiffres en Corse) ; pour un EPCI, le SIREN "
                                         "à 9 chiffres dont la clé de contrôle (Luhn) est juste."),
            ("convention-fin-avant-debut", f"{h(ident, 'fin')} doit être après {h(ident, 'debut')}."),
            ("convention-trop-longue", f"Une convention de plus de {MAX_YEARS_ERROR} ans est une erreur."),
            ("convention-longue", f"Une convention de plus de {MAX_YEARS_WARNING} ans est signalée "
                                  "(avertissement)."),
            ("identification-absente", "Un classeur sans feuille « Identification » est signalé (avertissement) : "
                                   "le territoire et la période sont pris dans les autres fichiers du même envoi."),
        ],
        DIAGNOSTIC: [
            ("pourcentage-hors-bornes", f"Unité % : {h(diag, 'valeur')} hors de {_range(PERCENT_BOUNDS)} est une "
                                        "erreur."),
            ("pourcentage-eleve", "Unité % : une valeur au-dessus de 100 est signalée (un taux de facturation "
                                  "de 116 % existe)."),
            ("pourcentage-fraction", "Unité % : un nombre nu entre 0 et 1, sans format pourcentage dans la "
                                     "cellule, est signalé (0,54 voulait-il dire 54 % ?)."),
            ("pour-mille-hors-bornes", f"Unité ‰ : {h(diag, 'valeur')} hors de {_range(PER_MILLE_BOUNDS)} est une "
                                       "erreur."),
            ("nombre-negatif", "Unité Nombre : une valeur négative est une erreur."),
            ("nombre-fractionnaire", "Unité Nombre : une valeur non entière est signalée (avertissement)."),
            ("commune-non-membre", f"Pour un EPCI, {h(diag, 'commune')} doit être une de ses communes membres."),
            ("doublon", f"La même clé ({_headers(diag, diag.key)}) deux fois dans un fichier avec des valeurs "
                        "différentes est une erreur."),
            ("doublon-identique", "La même clé deux fois avec des valeurs égales est signalée (avertissement)."),
        ],
        ENJEUX: [
            ("doublon", f"La même clé ({_headers(enjeux, enjeux.key)}) deux fois dans un fichier : erreur si le "
                        "reste diffère, avertissement si la ligne est répétée à l'identique."),
        ],
        EQUIPEMENTS: [
            ("capacite-manquante", f"{h(equip, 'capacite')} vide est signalée pour "
                                   f"{h(equip, capacity_column)} = " + ", ".join(capacity_types) + "."),
            ("commune-non-membre", f"Pour un EPCI, {h(equip, 'collectivite')} est l'EPCI lui-même ou une de ses "
                                   "communes membres."),
            ("code-postal-departement", f"Pour une commune, {h(equip, 'code_postal')} hors du département de son "
                                        "code INSEE est signalé (avertissement) : 9344 lu 09344 pour une commune "
                                        "du 93."),
            ("doublon", f"La même structure ({_headers(equip, equip.key)}) deux fois dans un fichier est une "
                        "erreur (un avertissement si les deux lignes sont identiques) ; les noms se comparent "
                        "sans casse, accents, ponctuation ni espaces répétés."),
        ],
        PLAN: [
            ("annee-hors-convention", f"{h(plan, 'annee_debut')} doit être comprise dans la période de la "
                                      "convention."),
            ("annee-fin-avant-debut", f"{h(plan, 'annee_fin')} ne peut pas précéder {h(plan, 'annee_debut')}."),
            ("annee-apres-convention", f"{h(plan, 'annee_fin')} après la fin de la convention est signalée "
                                       "(avertissement)."),
            ("financement-superieur-budget", f"{h(plan, 'financement_caf')} au-dessus de {h(plan, 'budget')} "
                                             "est signalé (avertissement)."),
            ("indicateurs-absents", f"{h(plan, 'indicateurs_resultat')} et {h(plan, 'indicateurs_impact')} "
                                    "tous deux vides : avertissement."),
            ("commune-non-membre", f"Pour un EPCI, chaque commune de {h(plan, 'communes')} doit être membre."),
            ("doublon", f"{_headers(plan, plan.key)} est unique sur le territoire, tous fichiers confondus "
                        "(avertissement si les deux lignes sont identiques)."),
        ],
        SUIVI: [
            ("action-inconnue", f"{h(suivi, 'numero')} doit exister dans la feuille « {PLAN} » (du même fichier "
                                "ou d'un autre fichier du même territoire)."),
            ("annee-suivi-hors-convention", "Une colonne d'année hors de la période de la convention est "
                                            "signalée (information)."),
            ("annee-reference-apres-debut", f"{h(suivi, 'annee_reference')} est au plus tard la première année "
                                            "de la convention : la référence est la donnée d'avant la CTG."),
            ("doublon", f"La même clé ({_headers(suivi, suivi.key)}) deux fois dans un fichier : erreur si le "
                        "reste diffère, avertissement si la ligne est répétée à l'identique."),
        ],
    }


def _sheet_section(std: Standard, sheet: Sheet) -> list[str]:
    lines = [f"### Feuille « {sheet.name} »", "", sheet.help, ""]
    used_in = [template.kind for template in std.templates.values() if sheet.name in template.sheets]
    lines.append("Modèles : " + ", ".join(f"`{kind}`" for kind in used_in) + ".")
    if sheet.layout == "fiche":
        lines.append("Un champ par ligne : l'intitulé en colonne A, la valeur en colonne B.")
    else:
        lines.append("Une ligne d'en-têtes, puis une ligne par élément.")
        if sheet.key:
            lines.append(f"Clé d'une ligne : {_headers(sheet, sheet.key)}.")
    lines.append("")
    first = "Champ" if sheet.layout == "fiche" else "Colonne"
    rows = [[column.header, obligation(sheet, column), column_type(column), column_rule(std, sheet, column),
             column.help] for column in sheet.columns]
    lines += _table([first, "Obligatoire", "Type", "Liste ou règle", "Aide"], rows)
    if sheet.year_columns:
        lines += ["", "Puis une colonne par année de la convention (par exemple `2023` … `2027`), l'année pour "
                  "en-tête ; chaque cellule est un nombre ou reste vide. Aide affichée : "
                  f"« {sheet.year_help.format(annee='2025')} »"]
    lines.append("")
    return lines


def render(standard: Standard | None = None) -> str:
    """The reference page, as Markdown."""
    std = standard or load()
    lines: list[str] = [
        GENERATED_NOTE,
        "",
        f"# {std.name} — version {std.version}",
        "",
        "Cette page décrit les classeurs de la Convention Territoriale Globale (CTG) : les modèles, leurs "
        "feuilles, chaque colonne, les listes de valeurs, les règles de contrôle et les codes des constats "
        "de `ctgxl check`. Elle est produite à partir des fichiers `validators/*.toml`, qui alimentent aussi "
        "les modèles Excel et les schémas de contrôle : une valeur ajoutée à une liste y apparaît partout à la "
        "fois.",
        "",
        "## Modèles de classeurs",
        "",
    ]
    rows = [[f"`{template.kind}`", f"`ctg-{template.kind}.xlsx`", template.title,
             ", ".join(template.sheets)] for template in std.templates.values()]
    lines += _table(["Modèle", "Fichier vierge", "Titre", "Feuilles"], rows)
    lines += [
        "",
        f"Chaque classeur produit par `ctgxl template` contient aussi une feuille « {README} » (comment le "
        f"remplir) et une feuille masquée « {LISTS} » qui alimente les listes déroulantes. Le modèle et la "
        f"version du standard sont enregistrés dans les propriétés personnalisées du document "
        f"(`{PROPERTY_KIND}`, `{PROPERTY_VERSION}`), invisibles pour la personne qui remplit le fichier.",
        "",
        "Dans les modèles, les en-têtes obligatoires finissent par « * » ; chaque colonne à liste a une "
        "liste déroulante et chaque colonne une bulle d'aide.",
        "",
        "## Reconnaissance des classeurs",
        "",
        "- Un classeur est reconnu par le modèle et la version qu'il enregistre, sinon par les noms de ses "
        "feuilles et ses lignes d'en-têtes : un fichier fait à la main avec les en-têtes du standard est accepté.",
        "- Les en-têtes se comparent sans tenir compte de la casse, des accents, des espaces autour, des retours "
        "à la ligne ni d'un « * » final ; les autres en-têtes acceptés sont indiqués dans les tableaux "
        "ci-dessous.",
        "- La ligne d'en-têtes peut se trouver dans les 20 premières lignes ; les lignes au-dessus sont ignorées.",
        "- Les lignes entièrement vides sont ignorées. Les colonnes hors standard sont conservées (et signalées "
        "une fois, pour information).",
        "",
        "## Feuilles et colonnes",
        "",
    ]
    for sheet in std.sheets.values():
        lines += _sheet_section(std, sheet)
    lines += ["## Listes de valeurs", "",
              "Les valeurs se comparent sans casse, accents ni espaces autour, et sont réécrites dans "
              "l'orthographe ci-dessous.", ""]
    users: dict[str, list[str]] = {}
    for sheet in std.sheets.values():
        for column in sheet.columns:
            if column.list_name:
                users.setdefault(column.list_name, []).append(f"{sheet.name} › {column.header}")
    for name, values in std.lists.items():
        lines += [f'<a id="liste-{name.replace("_", "-")}"></a>', "", f"### {name}", ""]
        if name in users:
            lines += ["Utilisée par : " + ", ".join(users[name]) + ".", ""]
        lines += [f"- {value}" for value in values]
        lines.append("")
    lines += ["## Règles entre colonnes et entre lignes", "",
              "En plus des règles de chaque colonne (tableaux ci-dessus), `ctgxl check` applique ces règles. "
              "Les doublons se comparent sans casse ni accents.", ""]
    for sheet_name, rules in sheet_rules(std).items():
        lines += [f"### {sheet_name}", ""]
        lines += [f"- {text} (`{code}`)" for code, text in rules]
        lines.append("")
    lines += ["## Codes des constats", "",
              "Chaque constat porte un code stable, une gravité et une phrase en français qui cite la valeur "
              "et dit quoi écrire. Les erreurs font échouer `ctgxl check` (code de sortie 1) ; les "
              "avertissements non, sauf avec `--strict` ; les informations ne comptent pas.", ""]
    rows = [[f"`{code}`", entry.title, entry.severity] for code, entry in CODES.items()]
    lines += _table(["Code", "Titre", "Gravité par défaut"], rows)
    lines += ["", *_history(std)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _history(std: Standard) -> list[str]:
    lines = ["## Historique des versions", "",
             f"### Version {std.version} (actuelle)", "",
             "Les en-têtes, listes et règles décrits sur cette page.", ""]
    for version in sorted(std.history, reverse=True):
        entry = std.history[version]
        lines += [f"### Version {version}", ""]
        if entry.get("description"):
            lines += [entry["description"], ""]
        headers = [[sheet, old, new] for sheet, pairs in entry.get("entetes", {}).items() for old, new in pairs.items()]
        if headers:
            lines += ["En-têtes renommés à la version suivante :", ""]
            lines += _table(["Feuille", "Ancien en-tête", "Nouvel en-tête"], headers) + [""]
        values = [[_list_link(name), old, new] for name, pairs in entry.get("valeurs", {}).items()
                  for old, new in pairs.items()]
        if values:
            lines += ["Valeurs de liste renommées à la version suivante :", ""]
            lines += _table(["Liste", "Ancienne valeur", "Nouvelle valeur"], values) + [""]
        added = [[sheet, header] for sheet, headers in entry.get("ajouts", {}).items() for header in headers]
        if added:
            lines += ["Colonnes ajoutées à la version suivante :", ""]
            lines += _table(["Feuille", "Colonne"], added) + [""]
    lines += ["Un classeur d'une version antérieure est lu à travers ces renommages (ils s'enchaînent d'une "
              "version à l'autre), sans lui reprocher les colonnes ajoutées depuis ; `ctgxl check` le signale "
              "pour information (`version-ancienne`) et `ctgxl format` le réécrit dans la version actuelle, "
              "chaque valeur gardée et les colonnes ajoutées vides.", ""]
    new = std.version + 1
    lines += [
        "### Déclarer une nouvelle version",
        "",
        f"Pour publier la version {new} du standard :",
        "",
        f"1. Dans `validators/standard.toml`, passez `version = {std.version}` à `version = {new}`.",
        "2. Changez les en-têtes (`nom = …`) dans le fichier de la feuille et les valeurs dans "
        "`validators/listes.toml`.",
        f"3. Ajoutez à `validators/standard.toml` un bloc `[[historique]]` pour la version {std.version} "
        "qu'elle remplace, avec chaque en-tête renommé par feuille et chaque valeur renommée par liste "
        "(ancien nom = nouveau nom), et les colonnes ajoutées par feuille :",
        "",
        "```toml",
        "[[historique]]",
        f"version = {std.version}",
        'description = "Ce qui change, en une phrase."',
        '[historique.entetes."Plan d\'actions"]',
        '"Ancien en-tête" = "Nouvel en-tête"',
        "[historique.valeurs.statuts]",
        '"Ancienne valeur" = "Nouvelle valeur"',
        "[historique.ajouts]",
        '"Suivi des indicateurs" = ["Nouvelle colonne"]',
        "```",
        "",
        "4. Lancez `python -m ctgxl.regenerate` (modèles vierges de `workbook_templates/` et cette page), "
        "puis les tests.",
        "",
        "Un autre en-tête accepté sans changement de version (une variante courante) se déclare plutôt dans "
        "le fichier de la feuille : `alias = [\"Autre en-tête\"]`.",
    ]
    return lines


def write(path: Path, standard: Standard | None = None) -> Path:
    """Write the reference page to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(standard), encoding="utf-8", newline="\n")
    return path
