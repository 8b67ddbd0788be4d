"""Findings: every problem ctgxl reports is one of these, with its place and a French sentence."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"
INFORMATION = "information"


@dataclass(frozen=True)
class Code:
    """A kind of finding: its title (reports, the reference page) and its default severity
    (a rule may lower it, as its sentence on the reference page says)."""

    title: str
    severity: str


# The one registry of finding codes: docs/standard.md's table of codes is generated from it.
CODES: dict[str, Code] = {
    # Files and sheets
    "fichier-illisible": Code("Le fichier n'est pas un classeur lisible", ERREUR),
    "fichier-chiffre": Code("Le classeur est protégé par un mot de passe", ERREUR),
    "fichier-trop-gros": Code("Le fichier dépasse une limite de taille", ERREUR),
    "fichier-introuvable": Code("Le fichier ou le dossier n'existe pas", ERREUR),
    "aucune-feuille-reconnue": Code("Aucune feuille du standard CTG n'a été reconnue", ERREUR),
    "feuille-sans-entete": Code("La ligne d'en-têtes de la feuille est introuvable", ERREUR),
    "feuille-trop-grande": Code("La feuille dépasse le nombre de lignes ou de colonnes admis", ERREUR),
    "feuille-masquee": Code("Feuille du standard masquée", AVERTISSEMENT),
    "extension-incorrecte": Code("Extension du fichier différente de son format réel", AVERTISSEMENT),
    "macros-ignorees": Code("Macros présentes, jamais exécutées ni recopiées dans les classeurs produits", AVERTISSEMENT),
    "entete-repetee": Code("Ligne d'en-têtes répétée, ignorée", AVERTISSEMENT),
    "identification-absente": Code("Pas de feuille Identification", AVERTISSEMENT),
    "colonne-manquante": Code("Une colonne obligatoire manque", ERREUR),
    "colonne-absente": Code("Une colonne facultative manque", INFORMATION),
    "colonne-inconnue": Code("Colonne hors standard (conservée)", INFORMATION),
    "colonne-en-double": Code("La même colonne figure deux fois", AVERTISSEMENT),
    "version-ancienne": Code("Classeur d'une version antérieure du standard", INFORMATION),
    "formule-sans-valeur": Code("Formule sans valeur calculée", AVERTISSEMENT),
    "valeur-en-erreur": Code("Cellule qui affiche une erreur (#N/A, #REF!, #DIV/0!…), formule ou valeur tapée", ERREUR),
    "lien-exterieur": Code("Lien vers un fichier hors du dossier contrôlé, non suivi", AVERTISSEMENT),
    "copies-annotees-ignorees": Code("Dossier des copies annotées, non relu avec les fichiers reçus", INFORMATION),
    "sortie-ctgxl-ignoree": Code("Classeur consolidé écrit par ctgxl, non relu avec les fichiers des services", INFORMATION),
    "dossier-illisible": Code("Dossier qui ne peut pas être parcouru", ERREUR),
    "feuille-non-reconnue": Code("Feuille avec quelques en-têtes du standard, trop peu pour être lue", AVERTISSEMENT),
    "feuille-supplementaire": Code("Autre feuille d'une même sorte, lue avec la première", INFORMATION),
    # Values
    "valeur-obligatoire": Code("Valeur obligatoire manquante", ERREUR),
    "valeur-manquante": Code("Valeur attendue manquante", AVERTISSEMENT),
    "valeur-hors-liste": Code("Valeur absente de la liste", ERREUR),
    "valeur-par-defaut": Code("Valeur vide remplacée par la valeur par défaut", AVERTISSEMENT),
    "nombre-illisible": Code("Nombre illisible", ERREUR),
    "nombre-non-entier": Code("Nombre entier attendu", ERREUR),
    "nombre-negatif": Code("Nombre négatif", ERREUR),
    "nombre-fractionnaire": Code("Effectif non entier", AVERTISSEMENT),
    "valeur-hors-bornes": Code("Valeur hors des bornes admises", ERREUR),
    "pourcentage-hors-bornes": Code("Pourcentage hors des bornes", ERREUR),
    "pourcentage-eleve": Code("Pourcentage supérieur à 100", AVERTISSEMENT),
    "pourcentage-fraction": Code("Pourcentage écrit comme une fraction ?", AVERTISSEMENT),
    "pour-mille-hors-bornes": Code("Taux pour mille hors des bornes", ERREUR),
    "annee-invalide": Code("Année illisible ou hors bornes", ERREUR),
    "date-illisible": Code("Date illisible", ERREUR),
    "texte-trop-long": Code("Texte trop long", ERREUR),
    "code-postal-invalide": Code("Code postal invalide", ERREUR),
    "code-postal-departement": Code("Code postal hors du département du territoire", AVERTISSEMENT),
    "courriel-invalide": Code("Adresse électronique invalide", AVERTISSEMENT),
    "code-territoire-invalide": Code("Code INSEE ou SIREN invalide", ERREUR),
    "caractere-trompeur": Code("Caractère invisible ou lettre d'un autre alphabet dans une clé ou une valeur de liste", ERREUR),
    "nombre-demesure": Code("Nombre démesuré (au-delà d'un million de milliards)", ERREUR),
    "caractere-invalide": Code("Caractère de contrôle retiré du texte", AVERTISSEMENT),
    "texte-trop-long-excel": Code("Texte de plus de 32 767 caractères, coupé par Excel", AVERTISSEMENT),
    # Rules across columns and rows
    "doublon": Code("Ligne en double avec des valeurs différentes", ERREUR),
    "doublon-identique": Code("Ligne répétée à l'identique", AVERTISSEMENT),
    "annee-hors-convention": Code("Année en dehors de la convention", ERREUR),
    "annee-apres-convention": Code("Année de fin après la fin de la convention", AVERTISSEMENT),
    "annee-fin-avant-debut": Code("Année de fin avant l'année de début", ERREUR),
    "financement-superieur-budget": Code("Financement Caf supérieur au budget", AVERTISSEMENT),
    "action-inconnue": Code("N° action absent du plan d'actions", ERREUR),
    "commune-non-membre": Code("Commune qui n'est pas membre de l'EPCI", ERREUR),
    "indicateurs-absents": Code("Aucun indicateur pour l'action", AVERTISSEMENT),
    "capacite-manquante": Code("Capacité non renseignée", AVERTISSEMENT),
    "convention-fin-avant-debut": Code("Fin de la convention avant son début", ERREUR),
    "convention-trop-longue": Code("Convention de plus de 6 ans", ERREUR),
    "convention-longue": Code("Convention de plus de 5 ans", AVERTISSEMENT),
    "annee-suivi-hors-convention": Code("Colonne d'année hors de la convention", INFORMATION),
    "annee-reference-apres-debut": Code("Année de référence après le début de la convention", ERREUR),
    # Merge
    "territoire-different": Code("Fichier d'un autre territoire", ERREUR),
    "identification-divergente": Code("Identification différente d'un fichier à l'autre", AVERTISSEMENT),
    "conflit": Code("Même clé, contenus différents dans deux fichiers", ERREUR),
    "doublon-fusionne": Code("Même ligne dans plusieurs fichiers, gardée une fois", INFORMATION),
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
    from xlsxwriter.utility import xl_rowcol_to_cell  # lighter to load than openpyxl's

    return xl_rowcol_to_cell(row - 1, column_index)
