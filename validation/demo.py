"""Les ordres de mission de l'académie de démonstration, passés par les vrais services du circuit.

Pour chaque agent itinérant qui a un véhicule et un valideur : un OMP de l'année scolaire, validé, avec un trajet
habituel ; puis les OMI des mois écoulés dans des états variés, pour que chaque file ait de quoi montrer.
Un agent qui a déjà des ordres n'est pas touché : relancer la démo ne duplique rien.
Enfin trois OM ponctuels d'enseignants convoqués (`charger_ponctuels_demo`) : billetterie de l'agence de voyage et
état de frais déclaré après la mission.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from agents.enums import Categorie
from agents.models import Agent, Commune, Etablissement, Gestionnaire
from agents.selectors import perimetre_q
from bareme.selectors import simuler_eligibilite
from missions import ponctuel_etats_frais as declaration
from missions import ponctuels, prefill
from missions.calculs import actualiser_estimation
from missions.enums import ClasseTrain, Depart, Etat, LieuDepart, Periode, SensTrajet, TypeFrais, TypeOrdre, TypeRepas
from missions.models import JourTrajet, OrdreMission
from missions.periodes import bornes_periode
from missions.services import creer_omp, enregistrer_trajet_habituel
from validation import etats_frais, services
from validation.anomalies import detecter, enregistrer
from validation.models import EtatFrais

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
            "horaires": "8 h 30 – 16 h 30" if agent.pk % 3 else "8 h – 12 h",
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
    from validation import paiement
    from validation.models import EtatEF, LotPaiement

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


# --- OM ponctuels : convocations d'enseignants, billets de l'agence, états de frais déclarés --------------------------

# Un PDF minimal valide : convocations, billets et justificatifs de la démo.
PDF_DEMO = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CATEGORIES_CONVOQUEES = (Categorie.TZR, Categorie.SERVICE_PARTAGE)
GARES = {
    "06004": "Antibes",
    "06029": "Cannes",
    "06088": "Nice Ville",
    "06155": "Juan-les-Pins",
    "13001": "Aix-en-Provence TGV",
    "13055": "Marseille Saint-Charles",
    "13056": "Martigues",
    "25056": "Besançon Viotte",
    "25388": "Montbéliard",
    "25462": "Pontarlier",
    "90010": "Belfort-Montbéliard TGV",
}
GARE_PARIS, GARE_LYON = "Paris Gare de Lyon", "Lyon Part-Dieu"
COUT_ESTIME, COUT_FACTURE = Decimal("116.00"), Decimal("98.40")


@dataclass(frozen=True)
class Convocation:
    """Un OM ponctuel de la démo : où, quand (en jours depuis aujourd'hui), l'objet, et jusqu'où il va dans le circuit."""

    insee: str
    gare: str
    decalage: int  # négatif : la mission est passée
    depart: datetime.time
    retour: datetime.time
    nuits: int
    objet: str
    # "billets" (validé, billets émis), "ef_soumis" (état de frais soumis), "soumis" (attend le valideur),
    # "a_commander" (validé : ses billets attendent l'agence de voyage)
    suite: str


CONVOCATIONS = (
    Convocation(
        insee="75056",
        gare=GARE_PARIS,
        decalage=-14,
        depart=datetime.time(5, 51),
        retour=datetime.time(20, 9),
        nuits=0,
        objet="Réunion académique au ministère le {jour:%d/%m/%Y}, 10 h – 16 h",
        suite="billets",
    ),
    Convocation(
        insee="75056",
        gare=GARE_PARIS,
        decalage=-21,
        depart=datetime.time(6, 42),
        retour=datetime.time(19, 52),
        nuits=0,
        objet="Séminaire national des formateurs le {jour:%d/%m/%Y}, 9 h 30 – 16 h 30",
        suite="ef_soumis",
    ),
    Convocation(
        insee="69123",
        gare=GARE_LYON,
        decalage=10,
        depart=datetime.time(6, 10),
        retour=datetime.time(19, 35),
        nuits=1,
        objet="Groupe de travail interacadémique à Lyon les {jour:%d/%m/%Y} et {lendemain:%d/%m/%Y}",
        suite="soumis",
    ),
    Convocation(
        insee="75056",
        gare=GARE_PARIS,
        decalage=18,
        depart=datetime.time(7, 4),
        retour=datetime.time(19, 56),
        nuits=0,
        objet="Jury national de certification le {jour:%d/%m/%Y}, 10 h – 17 h",
        suite="a_commander",
    ),
)
RETOUR_REEL_EN_RETARD = datetime.time(20, 47)  # convocation b : le train du retour arrive 55 min plus tard


def pdf_demo(nom: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, PDF_DEMO, content_type="application/pdf")


def _jour_de_semaine(jour: datetime.date, nuits: int) -> datetime.date:
    """Le premier jour, à partir de `jour` et en reculant, dont la mission (nuits comprises) tient en semaine."""
    while jour.weekday() + nuits > 4:
        jour -= datetime.timedelta(days=1)
    return jour


def _moment(jour: datetime.date, heure: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(jour, heure))


def _agence_de(agent: Agent, agences: list[Gestionnaire]) -> Gestionnaire | None:
    for agence in agences:
        if Agent.objects.filter(perimetre_q(agence), pk=agent.pk).exists():
            return agence
    return None


def enseignants_convoques() -> list[tuple[Agent, Gestionnaire, Gestionnaire]]:
    """Les enseignants (TZR, service partagé) de métropole qui ont un valideur, un gestionnaire et une agence de
    voyage qui les couvre, dans un ordre stable : (agent, gestionnaire, agence)."""
    agences = list(
        Gestionnaire.objects.filter(est_agence_voyage=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("perimetres")
        .order_by("pk")
    )
    agents = (
        Agent.objects.filter(categorie__in=CATEGORIES_CONVOQUEES, valideurs__isnull=False)
        .exclude(residence_administrative__commune__departement__startswith="97")
        .select_related("user", "residence_administrative__commune", "service_gestionnaire")
        .distinct()
        .order_by("pk")
    )
    resultat = []
    for agent in agents:
        gestionnaire = agent.service_gestionnaire.gestionnaires.select_related("user").order_by("pk").first()
        agence = _agence_de(agent, agences)
        if gestionnaire and agence:
            resultat.append((agent, gestionnaire, agence))
    return resultat


def _demander_les_billets(ordre: OrdreMission, agent: Agent, convocation: Convocation) -> None:
    commune = agent.residence_administrative.commune
    gare_agent = GARES.get(commune.insee, f"Gare de {commune.nom}")
    trajets = (
        (SensTrajet.ALLER, gare_agent, convocation.gare, ordre.depart_le, datetime.timedelta(minutes=40)),
        (SensTrajet.RETOUR, convocation.gare, gare_agent, ordre.retour_le, datetime.timedelta(minutes=-40)),
    )
    for sens, depart, arrivee, moment, marge in trajets:
        local = timezone.localtime(moment)
        bornes = sorted((local.time(), (local + marge).time()))
        ponctuels.enregistrer_demande_billet(
            ordre=ordre,
            par=agent.user,
            sens=sens,
            donnees={
                "gare_depart": depart,
                "gare_arrivee": arrivee,
                "date": local.date(),
                "heure_min": bornes[0],
                "heure_max": bornes[1],
                "classe": ClasseTrain.SECONDE,
                "cartes": "",
                "e_billet": True,
                "cout_estime": COUT_ESTIME,
            },
        )


def creer_convocation(agent: Agent, convocation: Convocation, aujourd_hui: datetime.date) -> OrdreMission:
    """L'OM ponctuel saisi par l'agent, avec sa convocation et ses demandes de billets aller et retour, soumis."""
    jour = _jour_de_semaine(aujourd_hui + datetime.timedelta(days=convocation.decalage), convocation.nuits)
    lendemain = jour + datetime.timedelta(days=convocation.nuits)
    ordre, _ = ponctuels.creer_ponctuel(
        agent=agent,
        par=agent.user,
        donnees={
            "objet": convocation.objet.format(jour=jour, lendemain=lendemain),
            "destination_principale": Commune.objects.get(insee=convocation.insee),
            "depart_le": _moment(jour, convocation.depart),
            "retour_le": _moment(lendemain, convocation.retour),
            "lieu_depart": LieuDepart.GARE,
            "transports_publics": True,
            "vehicule_personnel": False,
            "demande_billets": True,
            "convocation": pdf_demo("convocation.pdf"),
            # les codes budgétaires de l'agent, comme les reprend le formulaire d'un ordre vierge
            "enveloppe_budgetaire": agent.enveloppe_budgetaire,
            "centre_couts": agent.centre_couts,
            "domaine_fonctionnel": agent.domaine_fonctionnel,
        },
    )
    _demander_les_billets(ordre, agent, convocation)
    return services.soumettre(ordre=ordre, par=agent.user)


def _valider(ordre: OrdreMission, gestionnaire: Gestionnaire) -> OrdreMission:
    """Le circuit complet : le valideur hiérarchique, puis le gestionnaire ; les demandes de billets partent à l'agence."""
    if ordre.etat == Etat.ATTENTE_VH1:
        ordre = services.valider(ordre=ordre, par=ordre.destinataire)
    return services.valider(ordre=ordre, par=gestionnaire.user)


def _emettre_les_billets(ordre: OrdreMission, agence: Gestionnaire) -> OrdreMission:
    for demande in ordre.demandes_billets.order_by("date", "sens"):
        lettre = "A" if demande.sens == SensTrajet.ALLER else "R"
        ponctuels.enregistrer_billet(
            demande=demande,
            par=agence.user,
            donnees={
                "reference": f"DEMO{ordre.pk:04d}{lettre}",
                "cout": COUT_FACTURE,
                "fichier": pdf_demo(f"billet-{demande.sens}.pdf"),
            },
        )
    return ordre


def declarer_et_soumettre(ordre: OrdreMission) -> EtatFrais:
    """L'agent établit son état de frais, corrige l'heure du retour (train en retard : le dîner devient dû), déclare
    un ticket de métro, joint ses reçus et soumet."""
    agent_user = ordre.agent.user
    etat_frais = etats_frais.etablir(ordre=ordre, par=agent_user)
    retour = timezone.localtime(ordre.retour_le)
    declaration.modifier_horaires(
        etat_frais=etat_frais,
        par=agent_user,
        depart_le=ordre.depart_le,
        retour_le=_moment(retour.date(), RETOUR_REEL_EN_RETARD),
    )
    declaration.enregistrer_frais(
        etat_frais=etat_frais,
        par=agent_user,
        donnees={
            "type": TypeFrais.TRANSPORT_PUBLIC,
            "date": retour.date(),
            "montant": Decimal("2.15"),
            "commentaire": "Métro entre la gare et le lieu de la réunion",
        },
    )
    declaration.joindre_justificatif(
        etat_frais=etat_frais, par=agent_user, libelle="Reçu du dîner et ticket de métro", fichier=pdf_demo("recus.pdf")
    )
    return etats_frais.soumettre(etat_frais=etat_frais, par=agent_user)


@transaction.atomic
def charger_ponctuels_demo(aujourd_hui: datetime.date | None = None) -> int:
    """Quatre convocations d'enseignants, chacune à un agent différent : (a) passée, validée, billets émis par
    l'agence (l'agent peut établir son état de frais) ; (b) passée, état de frais déclaré et soumis au gestionnaire ;
    (c) à venir, avec une nuit à Lyon, soumise au valideur ; (d) à venir, validée, billets à commander par l'agence.
    Un agent qui a déjà un OM ponctuel n'est pas touché."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    crees = 0
    for convocation, (agent, gestionnaire, agence) in zip(CONVOCATIONS, enseignants_convoques(), strict=False):
        if agent.ordres.filter(type=TypeOrdre.PONCTUEL).exists():
            continue
        ordre = creer_convocation(agent, convocation, aujourd_hui)
        if convocation.suite in ("billets", "ef_soumis", "a_commander"):
            ordre = _valider(ordre, gestionnaire)
        if convocation.suite in ("billets", "ef_soumis"):
            ordre = _emettre_les_billets(ordre, agence)
        if convocation.suite == "ef_soumis":
            declarer_et_soumettre(ordre)
        crees += 1
    return crees
