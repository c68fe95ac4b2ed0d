import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from missions import models
from missions.enums import Depart, Etat, Periode, SourceKm, TypeOrdre, TypeRepas
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
