"""Validateurs des identifiants administratifs (UAI, INSEE, IBAN, BIC)."""

import re

from django.core.exceptions import ValidationError
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

UAI_PATTERN = re.compile(r"^\d{7}[A-Z]$")
# La lettre clé d'un UAI : les sept chiffres modulo 23, dans l'alphabet privé de I, O et Q.
UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
INSEE_PATTERN = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def uai_check_letter(digits: str) -> str:
    return UAI_CHECK_LETTERS[int(digits) % 23]


def validate_uai(value: str) -> None:
    if not UAI_PATTERN.match(value or ""):
        raise ValidationError(
            "Le code UAI doit comporter 7 chiffres suivis d'une lettre (exemple : 0060001U).", code="uai_format"
        )
    if uai_check_letter(value[:7]) != value[7]:
        raise ValidationError(
            "La lettre clé du code UAI ne correspond pas à ses chiffres : vérifiez le code.", code="uai_cle"
        )


def validate_insee(value: str) -> None:
    if not INSEE_PATTERN.match(value or ""):
        raise ValidationError("Le code INSEE d'une commune comporte 5 caractères (exemple : 06088).", code="insee")


def normalize_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(
            "Cet IBAN n'est pas valide : vérifiez les caractères et la clé de contrôle.", code="iban"
        ) from exc


def validate_bic(value: str) -> None:
    try:
        BIC(value)
    except SchwiftyException as exc:
        raise ValidationError(
            "Ce BIC n'est pas valide : il comporte 8 ou 11 caractères (exemple : BDFEFRPPCCT).", code="bic"
        ) from exc


def mask_iban(value: str) -> str:
    """FR76 •••• •••• •••• •••• ••12 345 : seuls le pays, la clé et les cinq derniers caractères restent lisibles."""
    iban = normalize_iban(value)
    if len(iban) < 9:
        return "•" * len(iban)
    masked = iban[:4] + "•" * (len(iban) - 9) + iban[-5:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))
