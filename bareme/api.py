"""L'API publique du simulateur : lecture seule, JSON, sans authentification.

Montants et taux : chaînes à deux décimales (« 12.34 ») ; kilomètres : chaînes sans zéro inutile (« 408 », « 12.5 »).
Une entrée invalide donne HTTP 400 et `{"erreurs": {"<champ>": ["message"]}}` ; les erreurs qui ne tiennent pas à
un seul champ sont sous la clé `__all__`. Le contrat est décrit dans docs/bareme.md.
"""

from decimal import Decimal

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from bareme import calcul
from bareme.views import simuler


def euros(montant: Decimal) -> str:
    return str(calcul.arrondir(montant))


def km(valeur: Decimal) -> str:
    return calcul.km_texte(valeur)


def ik_en_json(resultat: calcul.ResultatIK) -> dict:
    return {
        "montant": euros(resultat.montant),
        "km": km(resultat.km),
        "cumul_avant": km(resultat.cumul_avant),
        "cumul_apres": km(resultat.cumul_apres),
        "bareme": resultat.version.libelle,
        "classe": resultat.ligne.classe,
        "tranches": [
            {"km": km(part.km), "taux": euros(part.taux), "montant": euros(part.montant)} for part in resultat.parts
        ],
        "complement_minimum": euros(resultat.complement_minimum),
        "explication": resultat.explication,
    }


def mission_en_json(resultat: calcul.ResultatMission) -> dict:
    return {
        "repas": {
            "nombre": resultat.repas.nombre,
            "taux": euros(resultat.repas.taux),
            "montant": euros(resultat.repas.montant),
        },
        "nuitees": {
            "nombre": resultat.nuitees.nombre,
            "zone": resultat.nuitees.zone,
            "zone_libelle": calcul.LIBELLES_ZONES[resultat.nuitees.zone],
            "taux": euros(resultat.nuitees.taux),
            "montant": euros(resultat.nuitees.montant),
        },
        "total": euros(resultat.total),
        "bareme_repas": resultat.version_repas.libelle,
        "bareme_nuitee": resultat.version_nuitee.libelle,
        "explication": resultat.explication,
    }


def eligibilite_en_json(resultat: calcul.ResultatEligibilite) -> dict:
    origine = None
    if resultat.origine is not None:
        origine = {
            "insee": resultat.origine.insee,
            "nom": resultat.origine.nom,
            "residence": resultat.residence_origine,
        }
    return {"eligible": resultat.eligible, "motif": resultat.motif, "origine": origine}


def _reponse(nom: str, request, en_json) -> JsonResponse:
    form, resultat = simuler(nom, request.GET, noms_acceptes=False)
    if resultat is None:
        erreurs = {champ: list(messages) for champ, messages in form.errors.items()}
        reponse = JsonResponse({"erreurs": erreurs}, status=400, json_dumps_params={"ensure_ascii": False})
    else:
        reponse = JsonResponse(en_json(resultat), json_dumps_params={"ensure_ascii": False})
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse


@require_safe
def simulation_ik(request):
    return _reponse("ik", request, ik_en_json)


@require_safe
def simulation_mission(request):
    return _reponse("mission", request, mission_en_json)


@require_safe
def simulation_eligibilite(request):
    return _reponse("eligibilite", request, eligibilite_en_json)
