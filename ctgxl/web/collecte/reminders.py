"""Prepared French e-mails as mailto: links (no mail server needed)."""

from __future__ import annotations

from urllib.parse import quote


def mailto(address: str, subject: str, body: str) -> str:
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def _convention(campagne) -> str:
    return f"la Convention Territoriale Globale de {campagne.territoire} ({campagne.debut}-{campagne.fin})"


def invitation(contributeur, link: str) -> str:
    campagne = contributeur.campagne
    body = (f"Bonjour,\n\nDans le cadre de {_convention(campagne)}, nous rassemblons les classeurs de chaque "
            f"service. Voici le lien personnel du contributeur « {contributeur.nom} » :\n\n{link}\n\n"
            "Il vous donne le modèle à remplir (déjà pré-rempli pour vous) et vous permet de déposer votre "
            "classeur : le contrôle s'affiche aussitôt, et vous pouvez déposer une version corrigée autant de "
            f"fois que nécessaire. Ce lien est valable jusqu'au {contributeur.expire_le:%d/%m/%Y} ; merci de ne "
            "pas le transmettre.\n\nCordialement,\n")
    return mailto(contributeur.courriel, f"CTG {campagne.territoire} : votre classeur à déposer", body)


def reminder(contributeur) -> str:
    campagne = contributeur.campagne
    body = (f"Bonjour,\n\nPour {_convention(campagne)}, nous n'avons pas encore reçu le classeur du "
            f"contributeur « {contributeur.nom} ». Pourriez-vous le déposer avec le lien personnel reçu dans "
            f"notre premier message (valable jusqu'au {contributeur.expire_le:%d/%m/%Y}) ? Si vous ne le "
            "retrouvez plus, répondez à ce message : nous vous en enverrons un nouveau.\n\nMerci d'avance,\n"
            "Cordialement,\n")
    return mailto(contributeur.courriel, f"Relance — CTG {campagne.territoire} : classeur attendu", body)
