"""Realistic service workbooks of ONE territory, for benchmarks.

    python -m benchmarks.generator DOSSIER --files 100 --rows 200 --seed 0

Each file is what a service (or member commune) of an EPCI sends back: the "complet"
template written by ``ctgxl.writing.writer.WorkbookWriter`` (Lisez-moi, Identification, the five
data sheets, hidden Listes), filled with French text of realistic length. The rows of a
file (200 by default) are spread over the sheets: 40 % Diagnostic, 5 % Enjeux,
15 % Équipements, 20 % Plan d'actions, 20 % Suivi des indicateurs.

The files of one run are consistent, so that ``ctgxl check`` finds no error and
``ctgxl merge`` writes the consolidated workbook: same Identification everywhere, N° action
unique across files, no duplicate key (Diagnostic, Enjeux, Équipements, Suivi) within or
across files, every Suivi N° action present in the same file's plan, years inside the
convention period. Some percentages are stored as Excel stores a typed « 54,5 % »: the
fraction 0.545 under a percent number format (``--percent-share``).

Everything is deterministic for a given (seed, index): file ``i`` of a run with more
files is the same file as in a run with fewer, byte for byte.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

FIXED_TIME = datetime(2025, 1, 6, 9, 0, 0)
START, END = 2023, 2027
YEARS = range(START, END + 1)
SHARES = (("Diagnostic", 0.40), ("Enjeux", 0.05), ("Équipements", 0.15), ("Plan d'actions", 0.20))
# "Suivi des indicateurs" takes the rest.

TERRITORY = {
    "territoire": "Communauté d'agglomération Seine et Coteaux",
    "type_territoire": "EPCI",
    "code": "200058097",  # a SIREN with a valid Luhn key
    "caf": "Caf des Yvelines",
    "debut": date(START, 1, 1),
    "fin": date(END, 12, 31),
}
MEMBERS = (
    ("Carrières-sur-Seine", "78420"), ("Chatou", "78400"), ("Croissy-sur-Seine", "78290"),
    ("Houilles", "78800"), ("Le Pecq", "78230"), ("Le Vésinet", "78110"), ("Montesson", "78360"),
    ("Sartrouville", "78500"), ("Bezons", "95870"), ("Maisons-Laffitte", "78600"),
    ("Le Mesnil-le-Roi", "78600"), ("Louveciennes", "78430"),
)
SERVICES = (
    "Petite enfance", "Enfance et éducation", "Jeunesse", "CCAS – solidarités", "Politique de la ville",
    "Vie associative et centres sociaux", "Sports et loisirs", "Habitat et logement", "Handicap et inclusion",
    "Coordination CTG",
)
FIRST_NAMES = ("Claire", "Mathieu", "Nadia", "Julien", "Sophie", "Karim", "Élodie", "Thomas", "Fatou", "Hélène",
               "Olivier", "Camille", "Yasmina", "Laurent", "Aurélie", "Baptiste")
LAST_NAMES = ("Martin", "Bernard", "Lefèvre", "Moreau", "Benali", "Girard", "Diallo", "Rousseau", "Fournier",
              "Lambert", "Nguyen", "Mercier", "Dupont", "Chevalier", "Haddad", "Perrin")

# (base indicator, unit, low, high, whole, source)
INDICATORS = (
    ("Nombre d'enfants de moins de 3 ans", "Nombre", 80, 4200, True, "Insee RP2020"),
    ("Nombre d'enfants de 3 à 5 ans", "Nombre", 80, 4000, True, "Insee RP2020"),
    ("Nombre de jeunes de 12 à 17 ans", "Nombre", 150, 9000, True, "Insee RP2020"),
    ("Nombre d'allocataires Caf", "Nombre", 400, 22000, True, "Caf au 31/12/2022"),
    ("Nombre de familles monoparentales allocataires", "Nombre", 40, 3800, True, "Caf au 31/12/2022"),
    ("Part des familles monoparentales parmi les familles avec enfants", "%", 8, 42, False, "Insee RP2020"),
    ("Part des allocataires dont le revenu dépend à 50 % ou plus des prestations", "%", 5, 38, False,
     "Caf au 31/12/2022"),
    ("Taux de couverture en accueil du jeune enfant (toutes solutions d'accueil)", "%", 35, 95, False,
     "Observatoire national de la petite enfance"),
    ("Taux de pauvreté des ménages", "%", 6, 33, False, "Insee Filosofi 2020"),
    ("Taux de chômage des 15-64 ans", "%", 5, 22, False, "Insee RP2020"),
    ("Part des 15-24 ans non scolarisés et sans emploi", "%", 4, 28, False, "Insee RP2020"),
    ("Évolution de la population entre 2014 et 2020", "%", -6, 12, False, "Insee RP2020"),
    ("Taux de natalité", "‰", 7, 19, False, "Insee état civil 2021"),
    ("Taux de mortalité infantile", "‰", 1, 6, False, "Insee état civil 2021"),
    ("Revenu disponible médian par unité de consommation", "€", 15000, 32000, True, "Insee Filosofi 2020"),
    ("Montant des prestations légales versées", "€", 250000, 48000000, True, "Caf au 31/12/2022"),
    ("Nombre de places en EAJE pour 100 enfants de moins de 3 ans", "Ratio", 6, 55, False, "Caf, SIAS 2022"),
    ("Nombre moyen d'heures facturées par place en EAJE", "Ratio", 900, 2300, False, "Caf, SIAS 2022"),
    ("Nombre de jours d'ouverture des ALSH extrascolaires", "Jours", 20, 230, True, "Déclarations SDJES 2022"),
    ("Nombre de jours d'ouverture du point d'accueil numérique", "Jours", 40, 250, True, "Service"),
    ("Effectif des animateurs permanents", "ETP", 1, 60, False, "Service, bilan 2022"),
    ("Effectif des éducateurs de jeunes enfants", "ETP", 1, 45, False, "Service, bilan 2022"),
    ("Nombre de bénéficiaires de l'AAH", "Nombre", 20, 1900, True, "Caf au 31/12/2022"),
    ("Nombre de logements sociaux", "Nombre", 100, 12000, True, "RPLS 2022"),
    ("Nombre de familles reçues en médiation familiale", "Nombre", 5, 320, True, "Service, bilan 2022"),
)
QUALIFIERS = ("ensemble du territoire", "quartiers prioritaires", "hors quartiers prioritaires", "centre-ville",
              "secteur nord", "secteur sud", "secteur est", "secteur ouest")
COMMENTS = (
    "Donnée stable par rapport au précédent diagnostic ; à rapprocher de l'évolution démographique observée "
    "dans les quartiers prioritaires.",
    "Chiffre transmis par la Caf lors du comité technique ; la série sera mise à jour chaque année.",
    "Écart marqué avec la moyenne départementale, à analyser avec les partenaires de la commission enfance.",
    "Indicateur retenu pour le suivi annuel de la convention.",
    "Estimation du service à partir des listes d'attente et des demandes non satisfaites.",
)

STRUCTURES = (
    ("EAJE", "Multi-accueil"), ("Micro-crèche", "Micro-crèche"), ("Crèche familiale", "Crèche familiale"),
    ("RPE", "Relais petite enfance"), ("MAM", "Maison d'assistants maternels"), ("LAEP", "Lieu d'accueil enfants-parents"),
    ("ALSH périscolaire", "Accueil périscolaire"), ("ALSH extrascolaire", "Centre de loisirs"),
    ("Accueil de jeunes", "Espace jeunes"), ("Centre social", "Centre social"), ("EVS", "Espace de vie sociale"),
    ("Ludothèque", "Ludothèque"), ("CLAS", "Accompagnement à la scolarité"), ("PIJ / BIJ", "Point information jeunesse"),
    ("France services", "France services"), ("Point numérique", "Point numérique"),
)
WITH_CAPACITY = {"EAJE", "Micro-crèche", "Crèche familiale", "MAM", "ALSH périscolaire", "ALSH extrascolaire"}
FUNDING = {"EAJE": "PSU", "Micro-crèche": "PSU", "Crèche familiale": "PSU", "RPE": "PS RPE", "MAM": "Aucun",
           "LAEP": "PS LAEP", "ALSH périscolaire": "PSO", "ALSH extrascolaire": "PSO", "Accueil de jeunes": "PSO",
           "Centre social": "PS Centre social", "EVS": "PS EVS"}
NAMES = ("Les Petits Loups", "Les Lucioles", "Arc-en-ciel", "Les Coccinelles", "Pomme d'Api", "Les Marronniers",
         "Jean Moulin", "Victor Hugo", "Louise Michel", "Les Tilleuls", "La Passerelle", "Le Trait d'union",
         "Simone Veil", "Les Hirondelles", "Le Moulin", "La Ferme des Bois")
STREETS = ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "place de la Mairie", "allée des Tilleuls",
           "boulevard de la Paix", "chemin du Moulin", "rue Pasteur", "avenue Gambetta", "rue des Écoles")
MANAGERS = (("Ville de {commune}", "Régie municipale"), ("CCAS de {commune}", "CCAS / CIAS"),
            ("Association Familles en fête", "Associatif"), ("Association Léo Lagrange", "Associatif"),
            ("People & Baby", "DSP"), ("Communauté d'agglomération Seine et Coteaux", "Régie intercommunale"),
            ("Fédération des centres sociaux des Yvelines", "Associatif"))

THEMES = (
    ("Petite enfance", "Développer et diversifier l'offre d'accueil du jeune enfant",
     "Augmenter le nombre de places d'accueil et réduire la liste d'attente des familles",
     "Ouverture d'une micro-crèche à horaires élargis"),
    ("Enfance", "Garantir un accueil de loisirs de qualité pour tous les enfants",
     "Améliorer l'accès des enfants des quartiers prioritaires aux accueils de loisirs",
     "Tarification modulée des accueils de loisirs selon le quotient familial"),
    ("Jeunesse", "Accompagner les jeunes vers l'autonomie",
     "Favoriser l'engagement et l'insertion des 16-25 ans",
     "Création d'un espace jeunes itinérant et de permanences « Promeneurs du Net »"),
    ("Parentalité", "Soutenir les parents dans leur rôle éducatif",
     "Structurer une offre de soutien à la parentalité lisible sur tout le territoire",
     "Cycle de rencontres parents-professionnels et café des parents mensuel"),
    ("Animation de la vie sociale", "Renforcer le lien social et la participation des habitants",
     "Consolider le réseau des centres sociaux et espaces de vie sociale",
     "Accompagnement d'un projet d'espace de vie sociale en milieu rural"),
    ("Accès aux droits", "Lutter contre le non-recours aux droits",
     "Rapprocher les services publics des habitants les plus éloignés",
     "Permanences conjointes Caf, CCAS et France services dans les quartiers"),
    ("Inclusion numérique", "Réduire la fracture numérique",
     "Accompagner les familles dans leurs démarches en ligne",
     "Ateliers d'initiation aux démarches dématérialisées avec des conseillers numériques"),
    ("Logement", "Prévenir les expulsions et améliorer les conditions de logement",
     "Repérer et accompagner les familles en situation d'impayés de loyer",
     "Cellule de coordination des impayés avec les bailleurs sociaux"),
    ("Handicap", "Favoriser l'inclusion des enfants en situation de handicap",
     "Augmenter l'accueil d'enfants en situation de handicap dans les structures de droit commun",
     "Pôle ressources handicap pour les accueils collectifs de mineurs"),
    ("Pilotage et coordination", "Piloter et évaluer la Convention Territoriale Globale",
     "Assurer le suivi partagé des actions avec la Caf et les partenaires",
     "Comité de pilotage annuel et tableau de bord partagé des indicateurs"),
)
PUBLICS = ("Familles avec enfants de moins de 3 ans", "Enfants de 3 à 11 ans et leurs familles",
           "Jeunes de 11 à 25 ans", "Parents d'enfants scolarisés", "Habitants des quartiers prioritaires",
           "Familles monoparentales", "Allocataires en situation de non-recours", "Professionnels de l'enfance")
PARTNERS = ("Caf des Yvelines", "Conseil départemental (PMI)", "Éducation nationale", "Mission locale",
            "Centres sociaux", "Associations de parents d'élèves", "Bailleurs sociaux", "CCAS", "MDPH",
            "Fédération des centres sociaux", "Club de prévention spécialisée")
STATUSES = ("À engager", "En cours", "En cours", "Réalisée", "Reportée")
FOLLOWED = (
    ("Nombre de familles accompagnées", "Résultat", "{n} familles"),
    ("Nombre de places créées", "Résultat", "{n} places"),
    ("Taux de fréquentation", "Résultat", "{p} %"),
    ("Nombre de participants aux ateliers", "Résultat", "{n} participants"),
    ("Part des familles satisfaites (questionnaire annuel)", "Impact", "{p} %"),
    ("Évolution du taux de non-recours", "Impact", "-{q} points"),
    ("Nombre de partenaires mobilisés", "Résultat", "{q} partenaires"),
)
SENTENCES = (
    "Le diagnostic partagé a mis en évidence une demande des familles supérieure à l'offre existante, "
    "en particulier pour les horaires atypiques.",
    "Les partenaires réunis en commission thématique ont souligné la nécessité de mieux coordonner les "
    "interventions sur le territoire.",
    "L'action s'appuie sur les équipements existants et sur les professionnels déjà présents dans les quartiers.",
    "Un bilan intermédiaire sera présenté au comité technique, avec les données de fréquentation transmises "
    "par les gestionnaires.",
    "La mise en œuvre est progressive : phase de préfiguration la première année, puis extension aux autres "
    "communes membres.",
    "Le financement repose sur la prestation de service de la Caf, le bonus territoire CTG et une participation "
    "de la collectivité.",
    "Une attention particulière est portée aux familles monoparentales et aux familles éloignées des dispositifs.",
    "Les modalités d'inscription sont simplifiées et une communication ciblée est prévue dans les écoles.",
    "L'évaluation associe les usagers au moyen d'un questionnaire annuel et de temps d'échange collectifs.",
    "Les locaux ont été identifiés ; les travaux d'aménagement sont inscrits au plan pluriannuel d'investissement.",
)


@dataclass(frozen=True)
class Plan:
    """How many rows each sheet of a file gets."""

    diagnostic: int
    enjeux: int
    equipements: int
    actions: int
    suivi: int

    @classmethod
    def of(cls, rows: int) -> "Plan":
        counts = [max(1, round(rows * share)) if rows >= 5 else (1 if name != "Enjeux" else 0)
                  for name, share in SHARES]
        counts.append(max(1, rows - sum(counts)))
        return cls(*counts)

    @property
    def total(self) -> int:
        return self.diagnostic + self.enjeux + self.equipements + self.actions + self.suivi


def service_of(index: int) -> tuple[str, str, str]:
    """(service label, member commune, postcode) of file ``index``: unique per file."""
    commune, postcode = MEMBERS[index % len(MEMBERS)]
    service = SERVICES[(index // len(MEMBERS)) % len(SERVICES)]
    round_ = index // (len(MEMBERS) * len(SERVICES))
    label = f"{service} – {commune}" + (f" (pôle {round_ + 1})" if round_ else "")
    return label, commune, postcode


def file_name(index: int) -> str:
    return f"service-{index + 1:04d}.xlsx"


def _text(rng: random.Random, low: int, high: int, first: str = "") -> str:
    """French prose of about ``low`` to ``high`` characters."""
    target = rng.randint(low, high)
    parts = [first] if first else []
    while sum(len(part) + 1 for part in parts) < target:
        parts.append(rng.choice(SENTENCES))
    text = " ".join(parts)
    return text if len(text) <= high else text[:high].rsplit(" ", 1)[0] + "."


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _diagnostic(rng: random.Random, count: int, label: str, commune: str, percent_share: float):
    """Rows of the Diagnostic sheet and the rows (0-based) whose value is a percent-formatted fraction."""
    combos = [(base, year, qualifier) for qualifier in QUALIFIERS for year in range(2018, 2025)
              for base in range(len(INDICATORS))]
    rows, percent_rows = [], []
    for number in range(count):
        base, year, qualifier = combos[number % len(combos)]
        name, unit, low, high, whole, source = INDICATORS[base]
        lap = number // len(combos)
        indicator = f"{name} – {qualifier} ({label}{f', série {lap + 1}' if lap else ''})"
        value = rng.randint(int(low), int(high)) if whole else round(rng.uniform(low, high), 1)
        if unit == "%" and value <= 1:
            value = 1.5
        if unit == "Nombre" and value < 0:
            value = 0
        department = None if rng.random() < 0.3 else (
            rng.randint(int(low), int(high)) * (10 if unit == "Nombre" else 1) if whole
            else round(rng.uniform(low, high), 1))
        france = None if unit in ("Nombre", "€", "Jours", "ETP") or rng.random() < 0.4 else round(
            rng.uniform(low, high), 1)
        if unit == "%" and rng.random() < percent_share:
            percent_rows.append(number)
        rows.append([
            _volet_of(name), indicator, commune if rng.random() < 0.7 else None, value, unit, department, france,
            year, source, rng.choice(COMMENTS) if rng.random() < 0.35 else None,
        ])
    return rows, percent_rows


def _volet_of(name: str) -> str:
    folded = name.casefold()
    if "3 ans" in folded or "eaje" in folded or "jeune enfant" in folded or "éducateurs" in folded:
        return "Petite enfance"
    if "jeunes" in folded or "15-24" in folded or "alsh" in folded or "animateurs" in folded:
        return "Jeunesse"
    if "allocataires" in folded or "prestations" in folded:
        return "Financements Caf"
    if "pauvreté" in folded or "chômage" in folded or "revenu" in folded:
        return "Précarité et insertion"
    if "aah" in folded:
        return "Handicap"
    if "logements" in folded:
        return "Logement"
    if "médiation" in folded or "monoparentales" in folded:
        return "Parentalité"
    if "numérique" in folded:
        return "Inclusion numérique"
    return "Démographie"


def _enjeux(rng: random.Random, count: int, label: str):
    rows = []
    for number in range(count):
        theme = THEMES[number % len(THEMES)]
        lap = number // len(THEMES)
        rows.append([
            theme[0] if theme[0] in _VOLETS else "Accès aux droits",
            f"{theme[1]} ({label}{f', priorité {lap + 1}' if lap else ''})",
            str(rng.randint(1, 3)),
            _text(rng, 60, 180) if rng.random() < 0.5 else None,
        ])
    return rows


_VOLETS = {"Démographie", "Précarité et insertion", "Handicap", "Logement", "Petite enfance", "Enfance", "Jeunesse",
           "Parentalité", "Accès aux droits", "Inclusion numérique", "Animation de la vie sociale",
           "Financements Caf"}


def _equipements(rng: random.Random, count: int, index: int, commune: str, postcode: str):
    rows = []
    for number in range(count):
        kind, prefix = STRUCTURES[number % len(STRUCTURES)]
        manager, mode = rng.choice(MANAGERS)
        capacity = rng.randint(8, 80) if kind in WITH_CAPACITY else (rng.randint(10, 60) if rng.random() < 0.3 else None)
        funding = FUNDING.get(kind, "Aucun")
        if funding not in ("Aucun",) and rng.random() < 0.4:
            funding += "; Bonus territoire CTG"
        bonus = rng.randint(2, 60) * 500 if "Bonus" in funding else None
        rows.append([
            commune if rng.random() < 0.8 else None,
            kind,
            f"{prefix} {rng.choice(NAMES)} (site {index + 1}.{number + 1})",
            f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            postcode,
            commune,
            manager.format(commune=commune),
            mode,
            capacity,
            funding,
            bonus,
            f"{kind[:4].upper().replace(' ', '')}-78-{index * 1000 + number:06d}" if rng.random() < 0.6 else None,
            _text(rng, 40, 220) if rng.random() < 0.5 else None,
        ])
    return rows


def _actions(rng: random.Random, count: int, index: int, label: str, commune: str):
    rows, numbers = [], []
    members = [name for name, _ in MEMBERS]
    for number in range(count):
        theme, enjeu, objective, title = THEMES[number % len(THEMES)]
        numero = f"{index + 1}.{number + 1}"
        numbers.append(numero)
        start = rng.randint(START, END)
        end = rng.choice([None, rng.randint(start, END)])
        budget = rng.randint(2, 400) * 1000
        funding = round(budget * rng.choice((0.2, 0.3, 0.4, 0.5)))
        communes = "; ".join(sorted(set([commune] + rng.sample(members, rng.randint(0, 3)))))
        rows.append([
            numero, theme, enjeu, objective,
            _text(rng, 120, 320, f"Constat partagé sur {commune} :"),
            f"{title} – {commune}",
            _text(rng, 200, 480),
            rng.choice(PUBLICS),
            f"{label} ({_person(rng)})",
            _person(rng),
            ", ".join(rng.sample(PARTNERS, rng.randint(1, 4))),
            start, end,
            rng.choice(STATUSES),
            "Nombre de familles accompagnées ; taux de fréquentation ; nombre d'ateliers réalisés",
            "Évolution du taux de non-recours ; satisfaction des familles" if rng.random() < 0.7 else None,
            budget, funding, communes,
            _text(rng, 40, 160) if rng.random() < 0.4 else None,
        ])
    return rows, numbers


def _suivi(rng: random.Random, count: int, numbers: list[str]):
    rows = []
    for number in range(count):
        numero = numbers[number % len(numbers)]
        name, kind, target = FOLLOWED[(number // len(numbers)) % len(FOLLOWED)]
        lap = number // (len(numbers) * len(FOLLOWED))
        values = [rng.randint(5, 400) if year <= 2025 else None for year in YEARS]
        rows.append([
            numero, f"{name}{f' (mesure {lap + 1})' if lap else ''}", kind,
            target.format(n=rng.randint(20, 500), p=rng.randint(50, 95), q=rng.randint(2, 15)),
            rng.randint(0, 300), rng.choice((2020, 2021, 2022)),  # Valeur and Année de référence
            *values,
        ])
    return rows


def write_file(folder: Path, index: int, rows: int = 200, seed: int = 0, percent_share: float = 0.5) -> Path:
    """Write file ``index`` of the territory into ``folder``; returns its path."""
    from ctgxl.standard import load
    from ctgxl.writing.writer import WorkbookWriter

    rng = random.Random(f"ctgxl-benchmark-{seed}-{index}")
    plan = Plan.of(rows)
    label, commune, postcode = service_of(index)
    std = load()
    target = Path(folder) / file_name(index)
    writer = WorkbookWriter(target, "complet", standard=std, created=FIXED_TIME)
    try:
        writer.add_readme(label)
        contact = _person(rng)
        writer.add_identification({
            **TERRITORY,
            "communes": "; ".join(name for name, _ in MEMBERS),
            "service": label,
            "contact": contact,
            "courriel": f"{contact.split()[0].lower()}.{index + 1}@seine-coteaux.fr".replace("é", "e"),
            "mise_a_jour": date(2024, 1 + index % 12, 1 + index % 28),
        })
        diagnostic, percent_rows = _diagnostic(rng, plan.diagnostic, label, commune, percent_share)
        percent_format = writer.book.add_format({"num_format": "0.0%", "valign": "top"})
        marked = set(percent_rows)
        value_at = [column.id for column in std.sheet("Diagnostic").columns].index("valeur")

        def percent(sheet, row: int, values) -> None:
            if row - 1 in marked:  # what Excel stores when someone types « 54,5 % »
                sheet.write_number(row, value_at, values[value_at] / 100, percent_format)

        writer.add_table(std.sheet("Diagnostic"), diagnostic, row_format=percent, percent_fractions=False)
        writer.add_table(std.sheet("Enjeux"), _enjeux(rng, plan.enjeux, label))
        writer.add_table(std.sheet("Équipements"), _equipements(rng, plan.equipements, index, commune, postcode))
        actions, numbers = _actions(rng, plan.actions, index, label, commune)
        writer.add_table(std.sheet("Plan d'actions"), actions)
        writer.add_table(std.sheet("Suivi des indicateurs"), _suivi(rng, plan.suivi, numbers), years=YEARS)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return target


def _write_one(arguments: tuple) -> Path:
    return write_file(*arguments)


def generate(folder: Path, files: int = 10, rows: int = 200, seed: int = 0, percent_share: float = 0.5,
             jobs: int | None = None, start: int = 0) -> list[Path]:
    """Write files ``start`` … ``start + files - 1`` into ``folder`` (created if needed), using
    ``jobs`` processes (default: every core when there are more than 20 files)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = [(folder, index, rows, seed, percent_share) for index in range(start, start + files)]
    jobs = jobs if jobs is not None else ((os.cpu_count() or 1) if files > 20 else 1)
    if jobs <= 1:
        return [_write_one(item) for item in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_write_one, work, chunksize=8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Écrit des classeurs de services réalistes d'un même territoire.")
    parser.add_argument("dossier", type=Path, help="Dossier où écrire les classeurs.")
    parser.add_argument("--files", type=int, default=10, help="Nombre de classeurs (10 par défaut).")
    parser.add_argument("--rows", type=int, default=200, help="Lignes de données par classeur (200 par défaut).")
    parser.add_argument("--seed", type=int, default=0, help="Graine du hasard (0 par défaut).")
    parser.add_argument("--percent-share", type=float, default=0.5,
                        help="Part des valeurs en %% écrites comme une fraction au format pourcentage (0,5).")
    parser.add_argument("--jobs", type=int, default=None, help="Processus en parallèle.")
    options = parser.parse_args(argv)
    paths = generate(options.dossier, options.files, options.rows, options.seed, options.percent_share, options.jobs)
    print(f"{len(paths)} classeurs écrits dans {options.dossier} ({Plan.of(options.rows)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
