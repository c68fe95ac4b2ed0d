"""Les ordres de mission de l'académie de démonstration, passés par les vrais services du circuit.

Pour chaque agent itinérant qui a un véhicule et un valideur : un OMP de l'année scolaire, validé, avec un trajet
habituel ; puis les OMI des mois écoulés dans des états variés, pour que chaque file ait de quoi montrer.
Un agent qui a déjà des ordres n'est pas touché : relancer la démo ne duplique rien.
"""

import datetime

from django.db import transaction

from agents.enums import Categorie
from agents.models import Agent, Etablissement
from bareme.selectors import simuler_eligibilite
from missions import prefill
from missions.calculs import actualiser_estimation
from missions.enums import Depart, Periode, TypeRepas
from missions.models import JourTrajet, OrdreMission
from missions.periodes import bornes_periode
from missions.services import creer_omp, enregistrer_trajet_habituel
from validation import services
from validation.anomalies import detecter, enregistrer

CATEGORIES_ITINERANTES = (Categorie.AESH, Categorie.SERVICE_PARTAGE, Categorie.TZR)
MOTIF_REFUS_DEMO = "Le jeudi 8 est un jour de formation : retirez-le, le trajet ne vous a pas été demandé ce jour-là."


def _annee_scolaire(aujourd_hui: datetime.date) -> int:
    return aujourd_hui.year if aujourd_hui.month >= 9 else aujourd_hui.year - 1


def _mois_ecoules(debut: datetime.date, aujourd_hui: datetime.date, nombre: int = 2) -> list[datetime.date]:
    mois, resultat = aujourd_hui.replace(day=1), []
    for _ in range(nombre):
        mois = (mois - datetime.timedelta(days=1)).replace(day=1)
        if mois >= debut.replace(day=1):
            resultat.append(mois)
    return list(reversed(resultat))


def choisir_destination(agent: Agent, etablissements: list[Etablissement]) -> Etablissement | None:
    """Un autre établissement du même département, hors de la commune et des résidences de l'agent."""
    residence = agent.residence_administrative
    exclues = {residence.commune_id, agent.commune_familiale_id}
    candidats = [
        e
        for e in etablissements
        if e.commune.departement == residence.commune.departement
        and e.commune_id not in exclues
        and simuler_eligibilite(
            residence_administrative=residence.commune,
            residence_familiale=agent.commune_familiale,
            destination=e.commune,
        ).eligible
    ]
    return candidats[agent.pk % len(candidats)] if candidats else None


def creer_omp_valide(agent: Agent, destination: Etablissement, annee: int, gestionnaire_user) -> OrdreMission:
    omp = creer_omp(
        agent=agent,
        par=agent.user,
        periode=Periode.ANNEE_SCOLAIRE,
        annee=annee,
        donnees={
            "objet": f"Service partagé entre {agent.residence_administrative.nom} et {destination.nom}",
            "vehicule_personnel": True,
            "enveloppe_budgetaire": agent.enveloppe_budgetaire,
            "centre_couts": agent.centre_couts,
            "domaine_fonctionnel": agent.domaine_fonctionnel,
        },
    )
    enregistrer_trajet_habituel(
        ordre=omp,
        par=agent.user,
        donnees={
            "depart": Depart.ADMINISTRATIVE,
            "destination_etablissement": destination,
            "destination_commune": destination.commune,
            "jours_semaine": "0,3" if agent.pk % 2 else "1,4",
            "trajets_par_jour": 2,
            "repas": {0: TypeRepas.PLEIN, 1: TypeRepas.ADMINISTRATIF}.get(agent.pk % 5, TypeRepas.AUCUN),
            "km_aller": None,
            "motif_km": "",
        },
    )
    services.soumettre(ordre=omp, par=agent.user)
    omp.refresh_from_db()
    services.valider(ordre=omp, par=omp.destinataire)
    services.valider(ordre=omp, par=gestionnaire_user)
    return omp


def _ajouter_un_samedi(omi: OrdreMission) -> None:
    """Une anomalie pour la démo : un trajet déclaré un samedi."""
    ligne = omi.lignes.first()
    if ligne is None:
        return
    samedi = omi.date_debut + datetime.timedelta(days=(5 - omi.date_debut.weekday()) % 7)
    if samedi <= omi.date_fin:
        JourTrajet.objects.get_or_create(ligne=ligne, date=samedi)


def _faire_vivre(omi: OrdreMission, scenario: int, gestionnaire_user) -> None:
    agent_user = omi.agent.user
    actualiser_estimation(omi)
    enregistrer(omi, detecter(omi))
    if scenario == 0:
        return  # reste en cours de création
    if scenario == 4:
        _ajouter_un_samedi(omi)
        actualiser_estimation(omi)
    services.soumettre(ordre=omi, par=agent_user)
    omi.refresh_from_db()
    if scenario in (1, 4):
        return  # attend le valideur
    if scenario == 5:
        services.refuser(ordre=omi, par=omi.destinataire, motif=MOTIF_REFUS_DEMO)
        return
    services.valider(ordre=omi, par=omi.destinataire)
    if scenario == 2:
        return  # attend le gestionnaire
    services.valider(ordre=omi, par=gestionnaire_user)


@transaction.atomic
def charger_ordres_demo(aujourd_hui: datetime.date | None = None) -> int:
    aujourd_hui = aujourd_hui or datetime.date.today()
    annee = _annee_scolaire(aujourd_hui)
    debut, _ = bornes_periode(Periode.ANNEE_SCOLAIRE, annee)
    etablissements = list(Etablissement.objects.select_related("commune").order_by("uai"))
    agents = (
        Agent.objects.filter(categorie__in=CATEGORIES_ITINERANTES, valideurs__isnull=False, vehicules__actif=True)
        .exclude(ordres__isnull=False)
        .select_related("user", "residence_administrative__commune", "service_gestionnaire")
        .distinct()
        .order_by("pk")
    )
    crees = 0
    for rang, agent in enumerate(agents):
        destination = choisir_destination(agent, etablissements)
        gestionnaire = agent.service_gestionnaire.gestionnaires.select_related("user").first()
        if destination is None or gestionnaire is None:
            continue
        omp = creer_omp_valide(agent, destination, annee, gestionnaire.user)
        crees += 1
        for decalage, mois in enumerate(_mois_ecoules(debut, aujourd_hui)):
            try:
                omi = prefill.preparer_omi(omp=omp, mois=mois, par=agent.user)
            except prefill.PrefillRefuse:
                continue
            _faire_vivre(omi, (rang + decalage) % 6 if decalage else 3, gestionnaire.user)
            crees += 1
    return crees


@transaction.atomic
def charger_paiements_demo(aujourd_hui: datetime.date | None = None) -> int:
    """Les états de frais du plus ancien mois validés, mis en lot ; le lot du premier service est payé."""
    from validation import etats_frais, paiement
    from validation.models import EtatEF, EtatFrais, LotPaiement

    aujourd_hui = aujourd_hui or datetime.date.today()
    if LotPaiement.objects.exists():
        return 0
    a_valider = list(
        EtatFrais.objects.filter(etat=EtatEF.A_VALIDER)
        .select_related("agent__service_gestionnaire")
        .order_by("mois", "pk")
    )
    if not a_valider:
        return 0
    plus_ancien = a_valider[0].mois
    par_service: dict = {}
    for etat_frais in a_valider:
        if etat_frais.mois != plus_ancien:
            continue
        gestionnaire = etat_frais.agent.service_gestionnaire.gestionnaires.select_related("user").first()
        if gestionnaire is None:
            continue
        etats_frais.valider(etat_frais=etat_frais, par=gestionnaire.user)
        par_service.setdefault(gestionnaire.user, []).append(EtatFrais.objects.get(pk=etat_frais.pk))
    lots = 0
    for rang, (gestionnaire_user, etats) in enumerate(par_service.items()):
        rapport = paiement.creer_lot(etats=etats, par=gestionnaire_user, date_execution=aujourd_hui)
        lots += 1
        if rang == 0 and rapport.lot is not None:
            paiement.marquer_envoye(lot=rapport.lot, par=gestionnaire_user)
            paiement.marquer_paye(lot=rapport.lot, par=gestionnaire_user, le=aujourd_hui)
    return lots
