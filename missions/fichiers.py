"""Les justificatifs déposés par les agents : PDF, JPEG ou PNG, 5 Mo au plus (réglage ITINERA_TAILLE_MAX_JUSTIFICATIF).

Le format est reconnu aux premiers octets du fichier (sa signature), jamais à son nom ni au type annoncé par le
navigateur : un texte renommé « .pdf » est refusé. Les fichiers sont servis par `servir`, appelé seulement par des
vues qui ont d'abord vérifié que la personne peut voir l'ordre ou l'état de frais.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

TAILLE_MAX_DEFAUT = 5 * 1024 * 1024  # 5 Mo


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    libelle: str

    @property
    def est_image(self) -> bool:
        return self.content_type.startswith("image/")


PDF = Format("pdf", "application/pdf", "PDF")
JPEG = Format("jpg", "image/jpeg", "image JPEG")
PNG = Format("png", "image/png", "image PNG")
SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
LONGUEUR_SIGNATURE = max(len(signature) for signature, _ in SIGNATURES)
FORMATS_PAR_EXTENSION = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG}
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def taille_max() -> int:
    return getattr(settings, "ITINERA_TAILLE_MAX_JUSTIFICATIF", TAILLE_MAX_DEFAUT)


def taille_fr(octets: int) -> str:
    """« 5 Mo », « 6,2 Mo », « 830 ko »."""
    if octets < 1024 * 1024:
        return f"{max(1, round(octets / 1024))} ko"
    mega = round(octets / (1024 * 1024), 1)
    return f"{mega:g} Mo".replace(".", ",")


def format_du_contenu(fichier) -> Format | None:
    """Le format d'après la signature des premiers octets ; le fichier est rembobiné."""
    fichier.seek(0)
    debut = fichier.read(LONGUEUR_SIGNATURE)
    fichier.seek(0)
    return next((format_ for signature, format_ in SIGNATURES if debut.startswith(signature)), None)


def verifier_justificatif(fichier) -> Format:
    """Le format d'un fichier déposé ; `ValidationError` en français s'il est vide, trop lourd ou d'un autre format."""
    nom = getattr(fichier, "name", "") or "déposé"
    if not fichier.size:
        raise ValidationError(f"Le fichier « {nom} » est vide : déposez de nouveau le justificatif.", code="vide")
    if fichier.size > taille_max():
        raise ValidationError(
            f"Le fichier « {nom} » pèse {taille_fr(fichier.size)} : la limite est de {taille_fr(taille_max())}. "
            "Réduisez-le (photo moins grande, PDF compressé) puis déposez-le de nouveau.",
            code="taille",
        )
    format_ = format_du_contenu(fichier)
    if format_ is None:
        raise ValidationError(
            f"Le fichier « {nom} » n'est ni un PDF, ni une image JPEG ou PNG (son contenu ne correspond pas à ces "
            "formats, quel que soit son nom) : déposez le justificatif en PDF, JPEG ou PNG.",
            code="format",
        )
    return format_


def format_du_nom(nom: str) -> Format | None:
    """Le format d'un justificatif enregistré, d'après l'extension que lui a donnée `verifier_justificatif`."""
    return FORMATS_PAR_EXTENSION.get(nom.rsplit(".", 1)[-1].lower()) if "." in nom else None


def servir(champ, nom: str) -> FileResponse:
    """Un fichier déposé (justificatif, pièce, convocation, billet), nommé `nom` et son extension.

    Montré dans le navigateur seulement si ses octets sont d'un PDF, d'un JPEG ou d'un PNG ; sinon (un fichier qui
    ne serait pas passé par `verifier_justificatif`) proposé au téléchargement, jamais interprété. Jamais gardé en
    cache partagé. 404 s'il n'y a pas de fichier.
    """
    if not champ:
        raise Http404
    fichier = champ.open("rb")
    format_ = format_du_contenu(fichier)
    if format_ is None:
        reponse = FileResponse(fichier, as_attachment=True, filename=nom)
    else:
        reponse = FileResponse(
            fichier, content_type=format_.content_type, filename=f"{nom}.{format_.extension}", as_attachment=False
        )
    patch_cache_control(reponse, private=True, no_store=True)
    return reponse
