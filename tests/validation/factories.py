import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.agents.factories import UserFactory
from validation import models
from validation.enums import Etapes, RoleDelegue


class DelegationFactory(DjangoModelFactory):
    class Meta:
        model = models.Delegation

    delegant = factory.SubFactory(UserFactory, valideur=True)
    delegataire = factory.SubFactory(UserFactory, valideur=True)
    role = RoleDelegue.VH1
    date_debut = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1))
    date_fin = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))


class CircuitValidationFactory(DjangoModelFactory):
    class Meta:
        model = models.CircuitValidation
        django_get_or_create = ("categorie",)

    categorie = "ien"
    etapes = Etapes.UNE


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = models.Notification

    destinataire = factory.SubFactory(UserFactory)
    message = "Votre ordre de mission a été validé."
    lien = "/deplacements/"


class EtatFraisFactory(DjangoModelFactory):
    """Un état de frais de 100 € (une ligne d'IK) d'un OMI validé d'octobre 2026 ; les traits donnent l'état voulu."""

    class Meta:
        model = models.EtatFrais
        skip_postgeneration_save = True

    ordre = factory.SubFactory(
        "tests.missions.factories.OmiFactory",
        valide=True,
        montant_total=Decimal("100.00"),
        calcul_fige=factory.LazyFunction(dict),
    )
    agent = factory.SelfAttribute("ordre.agent")
    mois = factory.LazyAttribute(lambda o: o.ordre.mois or o.ordre.date_debut.replace(day=1))
    enveloppe_budgetaire = factory.LazyAttribute(lambda o: o.ordre.enveloppe_budgetaire)
    centre_couts = factory.LazyAttribute(lambda o: o.ordre.centre_couts)
    domaine_fonctionnel = factory.LazyAttribute(lambda o: o.ordre.domaine_fonctionnel)
    montant_initial = Decimal("100.00")
    montant_total = factory.SelfAttribute("montant_initial")
    created_by = factory.LazyAttribute(lambda o: o.agent.user)

    class Params:
        valide = factory.Trait(
            etat=models.EtatEF.VALIDE, valide_le=factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
        )
        rejete = factory.Trait(etat=models.EtatEF.REJETE, motif="Service non fait.")
        annule = factory.Trait(etat=models.EtatEF.ANNULE, motif="Doublon.")

    @factory.post_generation
    def lignes(self, create, extracted, **kwargs):
        if not create:
            return
        montants = extracted if extracted is not None else [self.montant_initial]
        models.LigneEtatFrais.objects.bulk_create(
            models.LigneEtatFrais(
                etat_frais=self,
                position=position,
                nature=models.NatureLigne.IK,
                date=self.mois,
                libelle="Commune A → Commune B",
                km=Decimal("100.0"),
                taux=Decimal("0.32"),
                montant_initial=montant,
                montant=montant,
            )
            for position, montant in enumerate(montants, start=1)
        )


class DotationBudgetaireFactory(DjangoModelFactory):
    class Meta:
        model = models.DotationBudgetaire

    annee = 2026
    enveloppe_budgetaire = factory.SubFactory("tests.agents.factories.EnveloppeBudgetaireFactory")
    centre_couts = None
    montant = Decimal("10000.00")


class HistoriqueTransitionFactory(DjangoModelFactory):
    class Meta:
        model = models.HistoriqueTransition

    ordre = factory.SubFactory("tests.missions.factories.OrdreMissionFactory", etat="attente_vh1")
    transition = "soumettre"
    source = "brouillon"
    cible = "attente_vh1"
    par = factory.LazyAttribute(lambda o: o.ordre.agent.user)


class LigneEtatFraisFactory(DjangoModelFactory):
    class Meta:
        model = models.LigneEtatFrais

    etat_frais = factory.SubFactory(EtatFraisFactory, lignes=[])
    position = factory.Sequence(lambda n: n + 1)
    nature = models.NatureLigne.IK
    date = datetime.date(2026, 10, 5)
    libelle = "Commune A → Commune B"
    montant_initial = Decimal("10.00")
    montant = Decimal("10.00")


class AjustementEtatFraisFactory(DjangoModelFactory):
    class Meta:
        model = models.AjustementEtatFrais

    ligne = factory.SubFactory(LigneEtatFraisFactory)
    etat_frais = factory.SelfAttribute("ligne.etat_frais")
    montant_avant = Decimal("10.00")
    montant_apres = Decimal("0.00")
    motif = "Justificatif manquant."
    par = factory.LazyAttribute(lambda o: o.etat_frais.agent.user)


class HistoriqueEtatFraisFactory(DjangoModelFactory):
    class Meta:
        model = models.HistoriqueEtatFrais

    etat_frais = factory.SubFactory(EtatFraisFactory)
    transition = models.ActionEF.VALIDER
    source = models.EtatEF.A_VALIDER
    cible = models.EtatEF.VALIDE
    par = factory.LazyAttribute(lambda o: o.etat_frais.agent.user)


class LotPaiementFactory(DjangoModelFactory):
    class Meta:
        model = models.LotPaiement

    date_execution = datetime.date(2026, 11, 30)
    debiteur = factory.LazyFunction(lambda: {"name": "Agence comptable", "IBAN": "FR7630001000640000000000137"})
    created_by = factory.SubFactory(UserFactory)


class ElementLotFactory(DjangoModelFactory):
    class Meta:
        model = models.ElementLot

    lot = factory.SubFactory(LotPaiementFactory)
    etat_frais = factory.SubFactory(EtatFraisFactory, valide=True)
    position = 1
    reference = factory.LazyAttribute(lambda o: o.etat_frais.numero)
    nom_agent = factory.LazyAttribute(lambda o: o.etat_frais.agent.user.get_full_name())
    titulaire = factory.SelfAttribute("nom_agent")
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    montant = factory.SelfAttribute("etat_frais.montant_total")


# --- Déclaration réelle de l'état de frais d'un OM ponctuel ---------------------------------------------------------


class EtapeEtatFraisFactory(DjangoModelFactory):
    class Meta:
        model = models.EtapeEtatFrais

    etat_frais = factory.SubFactory(EtatFraisFactory, etat=models.EtatEF.BROUILLON)
    type = "dejeuner"
    date = datetime.date(2026, 10, 22)
    commune = factory.SubFactory("tests.agents.factories.CommuneFactory")
    mode = "plein"


class FraisEtatFraisFactory(DjangoModelFactory):
    class Meta:
        model = models.FraisEtatFrais

    etat_frais = factory.SubFactory(EtatFraisFactory, etat=models.EtatEF.BROUILLON)
    type = "transport_public"
    date = datetime.date(2026, 10, 22)
    montant = Decimal("2.15")


class JustificatifEtatFraisFactory(DjangoModelFactory):
    class Meta:
        model = models.JustificatifEtatFrais

    etat_frais = factory.SubFactory(EtatFraisFactory, etat=models.EtatEF.BROUILLON)
    libelle = "Tickets de métro"
    fichier = factory.django.FileField(filename="tickets.pdf", data=b"%PDF-1.4\n%%EOF\n")
    depose_par = factory.LazyAttribute(lambda o: o.etat_frais.agent.user)
