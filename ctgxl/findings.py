"""Findings: every problem ctgxl reports is one of these, with its place and a French sentence."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"
INFORMATION = "information"

# Stable codes, with the title shown in reports and the reference page.
CODES: dict[str, str] = {
    # Files and sheets
    "fichier-illisible": "Le fichier n'est pas un classeur lisible",
    "fichier-chiffre": "Le classeur est protégé par un mot de passe",
    "fichier-trop-gros": "Le fichier dépasse une limite de taille",
    "fichier-introuvable": "Le fichier ou le dossier n'existe pas",
    "aucune-feuille-reconnue": "Aucune feuille du standard CTG n'a été reconnue",
    "feuille-sans-entete": "La ligne d'en-têtes de la feuille est introuvable",
    "feuille-trop-grande": "La feuille dépasse le nombre de lignes ou de colonnes admis",
    "feuille-masquee": "Feuille du standard masquée",
    "extension-incorrecte": "Extension du fichier différente de son format réel",
    "macros-ignorees": "Macros présentes, jamais exécutées ni recopiées dans les classeurs produits",
    "entete-repetee": "Ligne d'en-têtes répétée, ignorée",
    "identification-absente": "Pas de feuille Identification",
    "colonne-manquante": "Une colonne obligatoire manque",
    "colonne-absente": "Une colonne facultative manque",
    "colonne-inconnue": "Colonne hors standard (conservée)",
    "colonne-en-double": "La même colonne figure deux fois",
    "version-ancienne": "Classeur d'une version antérieure du standard",
    "formule-sans-valeur": "Formule sans valeur calculée",
    "valeur-en-erreur": "Cellule qui affiche une erreur (#N/A, #REF!, #DIV/0!…), formule ou valeur tapée",
    "lien-exterieur": "Lien vers un fichier hors du dossier contrôlé, non suivi",
    "copies-annotees-ignorees": "Dossier des copies annotées, non relu avec les fichiers reçus",
    "sortie-ctgxl-ignoree": "Classeur consolidé écrit par ctgxl, non relu avec les fichiers des services",
    "dossier-illisible": "Dossier qui ne peut pas être parcouru",
    "feuille-non-reconnue": "Feuille avec quelques en-têtes du standard, trop peu pour être lue",
    "feuille-supplementaire": "Autre feuille d'une même sorte, lue avec la première",
    # Values
    "valeur-obligatoire": "Valeur obligatoire manquante",
    "valeur-manquante": "Valeur attendue manquante",
    "valeur-hors-liste": "Valeur absente de la liste",
    "valeur-par-defaut": "Valeur vide remplacée par la valeur par défaut",
    "nombre-illisible": "Nombre illisible",
    "nombre-non-entier": "Nombre entier attendu",
    "nombre-negatif": "Nombre négatif",
    "nombre-fractionnaire": "Effectif non entier",
    "valeur-hors-bornes": "Valeur hors des bornes admises",
    "pourcentage-hors-bornes": "Pourcentage hors des bornes",
    "pourcentage-eleve": "Pourcentage supérieur à 100",
    "pourcentage-fraction": "Pourcentage écrit comme une fraction ?",
    "pour-mille-hors-bornes": "Taux pour mille hors des bornes",
    "annee-invalide": "Année illisible ou hors bornes",
    "date-illisible": "Date illisible",
    "texte-trop-long": "Texte trop long",
    "code-postal-invalide": "Code postal invalide",
    "code-postal-departement": "Code postal hors du département du territoire",
    "courriel-invalide": "Adresse électronique invalide",
    "code-territoire-invalide": "Code INSEE ou SIREN invalide",
    "caractere-trompeur": "Caractère invisible ou lettre d'un autre alphabet dans une clé ou une valeur de liste",
    "nombre-demesure": "Nombre démesuré (au-delà d'un million de milliards)",
    "caractere-invalide": "Caractère de contrôle retiré du texte",
    "texte-trop-long-excel": "Texte de plus de 32 767 caractères, coupé par Excel",
    # Rules across columns and rows
    "doublon": "Ligne en double avec des valeurs différentes",
    "doublon-identique": "Ligne répétée à l'identique",
    "annee-hors-convention": "Année en dehors de la convention",
    "annee-apres-convention": "Année de fin après la fin de la convention",
    "annee-fin-avant-debut": "Année de fin avant l'année de début",
    "financement-superieur-budget": "Financement Caf supérieur au budget",
    "action-inconnue": "N° action absent du plan d'actions",
    "commune-non-membre": "Commune qui n'est pas membre de l'EPCI",
    "indicateurs-absents": "Aucun indicateur pour l'action",
    "capacite-manquante": "Capacité non renseignée",
    "convention-fin-avant-debut": "Fin de la convention avant son début",
    "convention-trop-longue": "Convention de plus de 6 ans",
    "convention-longue": "Convention de plus de 5 ans",
    "annee-suivi-hors-convention": "Colonne d'année hors de la convention",
    "annee-reference-apres-debut": "Année de référence après le début de la convention",
    # Merge
    "territoire-different": "Fichier d'un autre territoire",
    "identification-divergente": "Identification différente d'un fichier à l'autre",
    "conflit": "Même clé, contenus différents dans deux fichiers",
    "doublon-fusionne": "Même ligne dans plusieurs fichiers, gardée une fois",
}


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    sheet: str | None
    cell: str | None
    row: int | None
    column: str | None
    code: str
    severity: str
    message: str

    def as_json(self) -> dict:
        data = asdict(self)
        return {
            "fichier": data["file"],
            "feuille": data["sheet"],
            "cellule": data["cell"],
            "ligne": data["row"],
            "colonne": data["column"],
            "code": data["code"],
            "gravite": data["severity"],
            "message": data["message"],
        }

    @property
    def is_error(self) -> bool:
        return self.severity == ERREUR


def cell_ref(row: int, column_index: int) -> str:
    """A1 reference from a 1-based row and a 0-based column index."""
    letters = ""
    index = column_index + 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{letters}{row}"
