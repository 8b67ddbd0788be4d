"""Names that the workbooks carry and that both the reading and the writing side use:
fixed sheet names, document properties and provenance columns."""

README = "Lisez-moi"
LISTS = "Listes"
PROPERTY_KIND = "ctgxl_modele"
PROPERTY_VERSION = "ctgxl_version"
PROPERTY_COMMAND = "ctgxl_commande"
RECORD_HEADER = "ctgxl"
PROVENANCE = ("Contributeur", "Fichier source", "Feuille source", "Ligne source")
