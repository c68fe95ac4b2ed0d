"""Les justificatifs : format reconnu aux premiers octets (pas au nom ni au type annoncé), taille limitée."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from missions import fichiers

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.mark.parametrize(
    "nom,contenu,attendu",
    [
        ("ticket.pdf", PDF, fichiers.PDF),
        ("photo.jpg", JPEG, fichiers.JPEG),
        ("scan.png", PNG, fichiers.PNG),
        ("sans-extension", PDF, fichiers.PDF),  # le nom ne compte pas
        ("mal-nomme.png", JPEG, fichiers.JPEG),
    ],
)
def test_formats_acceptes(nom, contenu, attendu):
    fichier = SimpleUploadedFile(nom, contenu, content_type="application/octet-stream")
    assert fichiers.verifier_justificatif(fichier) == attendu
    assert fichier.read() == contenu  # le fichier est rembobiné après la lecture de sa signature


@pytest.mark.parametrize(
    "nom,contenu,content_type",
    [
        ("facture.pdf", b"Ceci est un texte.\n", "application/pdf"),
        ("photo.jpg", b"GIF89a" + b"\x00" * 16, "image/jpeg"),
        ("page.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("presque.pdf", b"%PDF", "application/pdf"),  # signature incomplète
        ("document.pdf", b" %PDF-1.4", "application/pdf"),  # la signature doit être au tout début
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 16, "application/pdf"),
    ],
)
def test_autres_contenus_refuses_quel_que_soit_le_nom(nom, contenu, content_type):
    with pytest.raises(ValidationError) as refus:
        fichiers.verifier_justificatif(SimpleUploadedFile(nom, contenu, content_type=content_type))
    assert refus.value.code == "format"
    assert refus.value.messages == [
        f"Le fichier « {nom} » n'est ni un PDF, ni une image JPEG ou PNG (son contenu ne correspond pas à ces "
        "formats, quel que soit son nom) : déposez le justificatif en PDF, JPEG ou PNG."
    ]


def test_fichier_vide():
    with pytest.raises(ValidationError) as refus:
        fichiers.verifier_justificatif(SimpleUploadedFile("vide.pdf", b""))
    assert refus.value.code == "vide"


def test_limite_de_taille_par_defaut_5_mo(settings):
    del settings.ITINERA_TAILLE_MAX_JUSTIFICATIF  # absent de la configuration : 5 Mo
    assert fichiers.taille_max() == 5 * 1024 * 1024
    juste = SimpleUploadedFile("a.pdf", PDF + b"0" * (5 * 1024 * 1024 - len(PDF)))
    assert fichiers.verifier_justificatif(juste) == fichiers.PDF
    trop = SimpleUploadedFile("b.pdf", PDF + b"0" * (5 * 1024 * 1024 - len(PDF) + 1))
    with pytest.raises(ValidationError) as refus:
        fichiers.verifier_justificatif(trop)
    assert refus.value.code == "taille"
    assert "la limite est de 5 Mo" in refus.value.messages[0]


def test_limite_reglable(settings):
    settings.ITINERA_TAILLE_MAX_JUSTIFICATIF = 2 * 1024 * 1024
    lourd = SimpleUploadedFile("c.png", PNG + b"0" * (3 * 1024 * 1024))
    with pytest.raises(ValidationError) as refus:
        fichiers.verifier_justificatif(lourd)
    assert refus.value.messages == [
        "Le fichier « c.png » pèse 3 Mo : la limite est de 2 Mo. "
        "Réduisez-le (photo moins grande, PDF compressé) puis déposez-le de nouveau."
    ]


def test_la_taille_est_verifiee_avant_le_contenu(settings):
    settings.ITINERA_TAILLE_MAX_JUSTIFICATIF = 10
    with pytest.raises(ValidationError) as refus:
        fichiers.verifier_justificatif(SimpleUploadedFile("d.pdf", b"texte, pas un PDF, et trop long"))
    assert refus.value.code == "taille"


@pytest.mark.parametrize(
    "octets,texte", [(512, "1 ko"), (830 * 1024, "830 ko"), (5 * 1024 * 1024, "5 Mo"), (6_500_000, "6,2 Mo")]
)
def test_taille_en_francais(octets, texte):
    assert fichiers.taille_fr(octets) == texte


def test_format_du_contenu_sur_un_fichier_quelconque():
    flux = io.BytesIO(PNG)
    flux.seek(5)
    assert fichiers.format_du_contenu(flux) == fichiers.PNG
    assert flux.tell() == 0


@pytest.mark.parametrize(
    "nom,attendu",
    [
        ("justificatifs/2026/10/ab12.pdf", fichiers.PDF),
        ("justificatifs/2026/10/ab12.JPG", fichiers.JPEG),
        ("x.jpeg", fichiers.JPEG),
        ("x.png", fichiers.PNG),
        ("x.exe", None),
        ("sans-extension", None),
    ],
)
def test_format_du_nom(nom, attendu):
    assert fichiers.format_du_nom(nom) == attendu


def test_images_et_pdf():
    assert fichiers.JPEG.est_image and fichiers.PNG.est_image
    assert not fichiers.PDF.est_image
