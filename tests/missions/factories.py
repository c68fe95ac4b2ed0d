import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from missions import models
from missions.enums import (
    Depart,
    Etat,
    LieuDepart,
    ModeEtape,
    Periode,
    SensTrajet,
    SourceKm,
    TypeEtape,
    TypeOrdre,
    TypeRepas,
)
from tests.agents.factories import AgentFactory, CommuneFactory


class OrdreMissionFactory(DjangoModelFactory):
    """Un OMP de l'année scolaire 2026-2027 ; les traits donnent l'état voulu."""

    class Meta:
        model = models.OrdreMission

    type = TypeOrdre.PERMANENT
    agent = factory.SubFactory(AgentFactory)
    objet = "Service partagé entre deux écoles"
    periode = Periode.ANNEE_SCOLAIRE
    date_debut = datetime.date(2026, 9, 1)
    date_fin = datetime.date(2027, 8, 31)
    created_by = factory.LazyAttribute(lambda o: o.agent.user)
    enveloppe_budgetaire = factory.LazyAttribute(lambda o: o.agent.enveloppe_budgetaire)
    centre_couts = factory.LazyAttribute(lambda o: o.agent.centre_couts)
    domaine_fonctionnel = factory.LazyAttribute(lambda o: o.agent.domaine_fonctionnel)
    etat = Etat.BROUILLON
    # Sans véhicule personnel, un OMP peut être soumis sans trajet habituel : les tests du circuit restent simples.
    vehicule_personnel = False
    transports_publics = True

    class Params:
        attente_vh1 = factory.Trait(
            etat=Etat.ATTENTE_VH1, destinataire=factory.SubFactory("tests.agents.factories.UserFactory", valideur=True)
        )
        attente_gestionnaire = factory.Trait(etat=Etat.ATTENTE_GESTIONNAIRE)
        valide = factory.Trait(etat=Etat.VALIDE)
        refuse = factory.Trait(etat=Etat.REFUSE, motif_refus="Emploi du temps manquant.")
        annule = factory.Trait(etat=Etat.ANNULE)


class OmiFactory(OrdreMissionFactory):
    type = TypeOrdre.ITINERANT
    omp = factory.SubFactory(OrdreMissionFactory, agent=factory.SelfAttribute("..agent"), valide=True)
    mois = datetime.date(2026, 10, 1)
    date_debut = datetime.date(2026, 10, 1)
    date_fin = datetime.date(2026, 10, 31)
    objet = "Service partagé entre deux écoles — octobre 2026"
    periode = Periode.LIBRE


class LigneTrajetFactory(DjangoModelFactory):
    class Meta:
        model = models.LigneTrajet

    ordre = factory.SubFactory(OmiFactory)
    commune_depart = factory.LazyAttribute(lambda o: o.ordre.agent.residence_administrative.commune)
    commune_arrivee = factory.SubFactory(CommuneFactory)
    km_aller = 21
    trajets_par_jour = 2


class JourTrajetFactory(DjangoModelFactory):
    class Meta:
        model = models.JourTrajet

    ligne = factory.SubFactory(LigneTrajetFactory)
    date = datetime.date(2026, 10, 5)


class DistanceFactory(DjangoModelFactory):
    class Meta:
        model = models.Distance

    commune_a = factory.SubFactory(CommuneFactory)
    commune_b = factory.SubFactory(CommuneFactory)
    km = 20


class TrajetHabituelFactory(DjangoModelFactory):
    """Un trajet habituel de l'OMP : le lundi et le jeudi, aller-retour, sans repas."""

    class Meta:
        model = models.TrajetHabituel

    ordre = factory.SubFactory(OrdreMissionFactory, valide=True)
    depart = Depart.ADMINISTRATIVE
    destination_commune = factory.SubFactory(CommuneFactory)
    km_aller = Decimal("21.0")
    source_km = SourceKm.DECLARE
    jours_semaine = "0,3"
    trajets_par_jour = 2
    repas = TypeRepas.AUCUN


class AbsenceFactory(DjangoModelFactory):
    class Meta:
        model = models.Absence

    agent = factory.SubFactory(AgentFactory)
    date_debut = datetime.date(2026, 10, 5)
    date_fin = datetime.date(2026, 10, 5)
    motif = "Formation"


class PeriodeVacancesFactory(DjangoModelFactory):
    class Meta:
        model = models.PeriodeVacances

    departement = "972"
    libelle = "Vacances de Carnaval"
    date_debut = datetime.date(2027, 2, 6)
    date_fin = datetime.date(2027, 2, 21)


# --- OM ponctuels ---------------------------------------------------------------------------------------------------


def _a_paris(annee, mois, jour, heure, minute=0):
    """Une date et heure de Paris (les horaires d'un OM ponctuel sont saisis en heure locale)."""
    return datetime.datetime(annee, mois, jour, heure, minute, tzinfo=ZoneInfo("Europe/Paris"))


class PonctuelFactory(OrdreMissionFactory):
    """Un OM ponctuel : réunion d'une journée, horaires des trains (05 h 51 – 20 h 09), transport en commun."""

    type = TypeOrdre.PONCTUEL
    objet = "Réunion des référents académiques le 22/10/2026"
    periode = Periode.LIBRE
    destination_principale = factory.SubFactory(CommuneFactory)
    depart_le = factory.LazyFunction(lambda: _a_paris(2026, 10, 22, 5, 51))
    retour_le = factory.LazyFunction(lambda: _a_paris(2026, 10, 22, 20, 9))
    date_debut = factory.LazyAttribute(lambda o: o.depart_le.date())
    date_fin = factory.LazyAttribute(lambda o: o.retour_le.date())
    lieu_depart = LieuDepart.GARE
    vehicule_personnel = False
    transports_publics = True


class EtapeFactory(DjangoModelFactory):
    class Meta:
        model = models.Etape

    ordre = factory.SubFactory(PonctuelFactory)
    type = TypeEtape.DEJEUNER
    date = datetime.date(2026, 10, 22)
    commune = factory.LazyAttribute(lambda o: o.ordre.destination_principale)
    mode = ModeEtape.PLEIN


class DemandeBilletFactory(DjangoModelFactory):
    class Meta:
        model = models.DemandeBillet

    ordre = factory.SubFactory(PonctuelFactory, demande_billets=True)
    sens = SensTrajet.ALLER
    gare_depart = "Aix-en-Provence TGV"
    gare_arrivee = "Paris Gare de Lyon"
    date = datetime.date(2026, 10, 22)
    heure_min = datetime.time(5, 51)
    heure_max = datetime.time(6, 30)
    cout_estime = Decimal("116.00")


class BilletFactory(DjangoModelFactory):
    class Meta:
        model = models.Billet

    demande = factory.SubFactory(DemandeBilletFactory)
    reference = factory.Sequence(lambda n: f"DOSSIER{n:05d}")
    cout = Decimal("98.40")
    enregistre_par = factory.SubFactory("tests.agents.factories.UserFactory")


class PolitiqueVoyageFactory(DjangoModelFactory):
    class Meta:
        model = models.PolitiqueVoyage
        django_get_or_create = ("id",)

    id = 1


class FraisFactory(DjangoModelFactory):
    """Un péage de 3,40 € le 5 octobre 2026 sur un OMI."""

    class Meta:
        model = models.Frais

    ordre = factory.SubFactory(OmiFactory)
    type = "peage"
    date = datetime.date(2026, 10, 5)
    montant = Decimal("3.40")


class PieceJointeFactory(DjangoModelFactory):
    class Meta:
        model = models.PieceJointe

    agent = factory.SubFactory(AgentFactory)
    type = "auvp"
    fichier = factory.django.FileField(filename="auvp.pdf", data=b"%PDF-1.7 fictif")
    valide_jusqu_au = datetime.date(2027, 8, 31)


class SejourFactory(DjangoModelFactory):
    class Meta:
        model = models.Sejour

    ordre = factory.SubFactory("tests.missions.factories.PonctuelFactory")
    commune = factory.SubFactory(CommuneFactory)
    arrivee_le = factory.LazyFunction(lambda: datetime.datetime(2026, 10, 20, 15, tzinfo=datetime.UTC))
