"""États de frais : lignes recopiées au centime du calcul figé, ajustements journalisés, machine à états."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction

from missions.enums import Etat, TypeFrais, TypeOrdre, TypeRepas
from missions.models import Frais, JourTrajet, OrdreMission
from tests.agents.factories import (
    AgentFactory,
    CentreCoutsFactory,
    CommuneFactory,
    EnveloppeBudgetaireFactory,
    GestionnaireFactory,
    PerimetreGestionnaireFactory,
    VehiculeFactory,
)
from tests.missions.factories import LigneTrajetFactory, OmiFactory, OrdreMissionFactory
from tests.validation.factories import DelegationFactory, EtatFraisFactory
from validation import etats_frais, regles, services
from validation.enums import Action, RoleDelegue
from validation.etats_frais import EtatFraisRefuse
from validation.models import (
    ActionEF,
    AjustementEtatFrais,
    EtatEF,
    EtatFrais,
    HistoriqueEtatFrais,
    HistoriqueImmuable,
    NatureLigne,
    Notification,
)

MARS_2026 = [datetime.date(2026, 3, jour) for jour in (2, 3, 5, 9, 10, 12)]
IK_2022 = "IK voiture — arrêté du 14 mars 2022"
REPAS_2023 = "Repas — arrêté du 20 septembre 2023"


@pytest.fixture
def agent(db):
    agent = AgentFactory(categorie="aesh", residence_administrative__commune=CommuneFactory(departement="06"))
    VehiculeFactory(agent=agent, puissance_fiscale=5)
    return agent


@pytest.fixture
def gestionnaire(agent):
    gestionnaire = GestionnaireFactory(service=agent.service_gestionnaire)
    PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
    return gestionnaire.user


def omi_en_attente(agent, dates, km="34", **kwargs):
    mois = dates[0].replace(day=1)
    omi = OmiFactory(
        agent=agent,
        mois=mois,
        date_debut=mois,
        date_fin=(mois + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1),
        omp__date_debut=datetime.date(mois.year - 1, 9, 1),
        omp__date_fin=datetime.date(mois.year, 8, 31),
        etat=Etat.ATTENTE_GESTIONNAIRE,
        **kwargs,
    )
    ligne = LigneTrajetFactory(ordre=omi, km_aller=Decimal(km), trajets_par_jour=2)
    JourTrajet.objects.bulk_create(JourTrajet(ligne=ligne, date=jour) for jour in dates)
    return omi


def valider_omi(omi, gestionnaire) -> EtatFrais:
    services.valider(ordre=OrdreMission.objects.get(pk=omi.pk), par=gestionnaire)
    return EtatFrais.objects.get(ordre=omi)


@pytest.mark.usefixtures("baremes_officiels")
class TestCreationALaValidationDeLOmi:
    def test_codes_budgetaires_de_l_ordre_sinon_de_la_fiche_puis_figes(self, agent, gestionnaire):
        """Le premier OMI porte ses propres codes, le second n'a pas de centre de coûts : il prend celui de la fiche.
        Changer ensuite la fiche de l'agent ne change aucun des deux états de frais."""
        propre = EnveloppeBudgetaireFactory()
        premier = omi_en_attente(agent, MARS_2026, enveloppe_budgetaire=propre)
        second = omi_en_attente(agent, [datetime.date(2026, 4, 7)], centre_couts=None)
        ef_premier, ef_second = valider_omi(premier, gestionnaire), valider_omi(second, gestionnaire)
        centre_de_la_fiche = agent.centre_couts
        assert ef_premier.enveloppe_budgetaire == propre != agent.enveloppe_budgetaire
        assert ef_second.centre_couts == centre_de_la_fiche is not None
        agent.enveloppe_budgetaire, agent.centre_couts = EnveloppeBudgetaireFactory(), CentreCoutsFactory()
        agent.save()
        for ef, enveloppe, centre in (
            (ef_premier, propre, premier.centre_couts),
            (ef_second, second.enveloppe_budgetaire, centre_de_la_fiche),
        ):
            ef.refresh_from_db()
            assert (ef.enveloppe_budgetaire, ef.centre_couts) == (enveloppe, centre)

    def test_lignes_et_total_egaux_au_centime_aux_montants_figes(self, agent, gestionnaire):
        omi = omi_en_attente(agent, MARS_2026)
        Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=MARS_2026[0], type_repas=TypeRepas.PLEIN)
        Frais.objects.create(
            ordre=omi,
            type=TypeFrais.PEAGE,
            date=MARS_2026[1],
            montant=Decimal("3.40"),
            justificatif=ContentFile(b"%PDF-1.4 ticket", name="peage.pdf"),
        )
        ef = valider_omi(omi, gestionnaire)
        omi.refresh_from_db()

        assert (ef.etat, ef.agent, ef.mois) == (EtatEF.A_VALIDER, agent, datetime.date(2026, 3, 1))
        assert omi.montant_total == Decimal("153.96")
        assert ef.montant_total == ef.montant_initial == omi.montant_total
        ik, repas, peage = etats_frais.lignes(ef)
        assert (ik.nature, ik.km, ik.taux, ik.montant, ik.bareme) == (
            NatureLigne.IK,
            Decimal("408.0"),
            Decimal("0.320"),
            Decimal("130.56"),
            IK_2022,
        )
        assert ik.parts == [{"bareme": IK_2022, "km": "408", "taux": "0.32", "montant": "130.56"}]
        assert ik.dates == [jour.isoformat() for jour in MARS_2026]
        assert ik.montant == omi.lignes.get().montant
        assert (repas.nature, repas.montant, repas.bareme) == (NatureLigne.REPAS, Decimal("20.00"), REPAS_2023)
        assert (peage.nature, peage.montant, peage.bareme) == (NatureLigne.PEAGE, Decimal("3.40"), "")
        assert peage.frais.justificatif.name.endswith(".pdf")
        assert ik.montant + repas.montant + peage.montant == omi.montant_total
        (creation,) = etats_frais.historique(ef)
        assert (creation.transition, creation.source, creation.cible, creation.par) == (
            ActionEF.CREER,
            "",
            EtatEF.A_VALIDER,
            gestionnaire,
        )

    def test_une_ligne_qui_franchit_le_seuil_garde_ses_deux_tranches(self, agent, gestionnaire):
        valider_omi(omi_en_attente(agent, [datetime.date(2026, 2, 2)], km="995"), gestionnaire)  # 1 990 km
        ef = valider_omi(omi_en_attente(agent, MARS_2026), gestionnaire)
        (ligne,) = etats_frais.lignes(ef)
        assert ligne.parts == [
            {"bareme": IK_2022, "km": "10", "taux": "0.32", "montant": "3.20"},
            {"bareme": IK_2022, "km": "398", "taux": "0.40", "montant": "159.20"},
        ]
        assert (ligne.km, ligne.taux, ligne.montant) == (Decimal("408.0"), None, Decimal("162.40"))
        assert ef.montant_total == ef.ordre.montant_total == Decimal("162.40")

    def test_un_omp_ou_un_om_ponctuel_valides_n_en_creent_pas(self, agent, gestionnaire):
        omp = OrdreMissionFactory(agent=agent, etat=Etat.ATTENTE_GESTIONNAIRE)
        services.valider(ordre=omp, par=gestionnaire)
        assert not EtatFrais.objects.exists()

    def test_un_ordre_dont_les_lignes_ne_font_pas_le_total_n_est_pas_valide(self, agent, gestionnaire, monkeypatch):
        omi = omi_en_attente(agent, MARS_2026)
        monkeypatch.setattr(etats_frais, "lignes_depuis_calcul_fige", lambda ordre: [])
        with pytest.raises(EtatFraisRefuse, match="ne font pas son montant validé"):
            services.valider(ordre=omi, par=gestionnaire)
        omi.refresh_from_db()
        assert (omi.etat, omi.montant_total) == (Etat.ATTENTE_GESTIONNAIRE, None)
        assert not EtatFrais.objects.exists()


class TestEtablirManuellement:
    def _ponctuel_valide(self, agent):
        ordre = OrdreMissionFactory(
            agent=agent,
            type=TypeOrdre.PONCTUEL,
            etat=Etat.VALIDE,
            date_debut=datetime.date(2026, 11, 18),
            date_fin=datetime.date(2026, 11, 19),
            montant_total=Decimal("142.30"),
        )
        ticket = Frais.objects.create(
            ordre=ordre, type=TypeFrais.TRANSPORT_PUBLIC, date=ordre.date_debut, montant=Decimal("2.30")
        )
        ordre.calcul_fige = {
            "lignes": [],
            "etapes": [
                {"type": "dejeuner", "date": "2026-11-18", "libelle": "déjeuner du 18/11", "lieu_nom": "Lyon",
                 "taux": "20.00", "montant": "20.00", "bareme": REPAS_2023},
                {"type": "nuitee", "date": "2026-11-19", "libelle": "nuitée du 18 au 19/11", "lieu_nom": "Lyon",
                 "taux": "120.00", "montant": "120.00", "bareme": "Nuitée — arrêté du 20 septembre 2023"},
            ],
            "frais": [{"frais": ticket.pk, "type": "transport_public", "date": "2026-11-18", "taux": None,
                       "montant": "2.30", "bareme": None, "explication": "Ticket de bus : au réel."}],
            "total": "142.30",
        }  # fmt: skip
        ordre.save()
        return ordre

    def test_l_agent_etablit_celui_de_son_om_ponctuel_valide(self, agent):
        ordre = self._ponctuel_valide(agent)
        ef = etats_frais.etablir(ordre=ordre, par=agent.user)
        natures = [(ligne.nature, ligne.montant) for ligne in etats_frais.lignes(ef)]
        assert natures == [
            (NatureLigne.REPAS, Decimal("20.00")),
            (NatureLigne.TRANSPORT_PUBLIC, Decimal("2.30")),
            (NatureLigne.NUITEE, Decimal("120.00")),
        ]
        assert ef.montant_total == ordre.montant_total == Decimal("142.30")
        with pytest.raises(EtatFraisRefuse, match="a déjà un état de frais"):
            etats_frais.etablir(ordre=ordre, par=agent.user)

    def test_l_agent_n_etablit_pas_celui_d_un_omi_ni_d_un_ordre_d_autrui(self, agent):
        omi = OmiFactory(agent=agent, etat=Etat.VALIDE, montant_total=Decimal(0), calcul_fige={})
        with pytest.raises(EtatFraisRefuse, match="établi à sa validation"):
            etats_frais.etablir(ordre=omi, par=agent.user)
        autre = AgentFactory()
        with pytest.raises(EtatFraisRefuse, match="pas dans votre périmètre"):
            etats_frais.etablir(ordre=self._ponctuel_valide(agent), par=autre.user)
        assert not EtatFrais.objects.exists()

    def test_un_gestionnaire_etablit_celui_d_un_omi_valide_de_son_perimetre(self, agent, gestionnaire):
        omi = OmiFactory(agent=agent, etat=Etat.VALIDE, montant_total=Decimal(0), calcul_fige={})
        ef = etats_frais.etablir(ordre=omi, par=gestionnaire)
        assert (ef.montant_total, ef.created_by) == (Decimal(0), gestionnaire)

    def test_un_ordre_non_valide_n_a_pas_d_etat_de_frais(self, agent):
        ordre = OrdreMissionFactory(agent=agent, type=TypeOrdre.PONCTUEL, etat=Etat.ATTENTE_GESTIONNAIRE)
        with pytest.raises(EtatFraisRefuse, match="une fois l'ordre de mission validé"):
            etats_frais.etablir(ordre=ordre, par=agent.user)

    def test_la_base_refuse_deux_etats_de_frais_actifs_pour_un_ordre(self, db):
        ef = EtatFraisFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            EtatFraisFactory(ordre=ef.ordre)
        EtatFraisFactory(ordre=ef.ordre, annule=True)  # un état annulé n'empêche pas d'en établir un autre


@pytest.mark.django_db
class TestAjustements:
    @pytest.fixture
    def ef(self, agent):
        return EtatFraisFactory(
            ordre__agent=agent, montant_initial=Decimal("150.56"), lignes=[Decimal("130.56"), Decimal("20.00")]
        )

    def test_retirer_un_repas_sans_justificatif_est_journalise_et_recalcule(
        self, ef, gestionnaire, django_capture_on_commit_callbacks
    ):
        ik, repas = etats_frais.lignes(ef)
        with django_capture_on_commit_callbacks(execute=True):
            ajustement = etats_frais.ajuster_ligne(
                etat_frais=ef, ligne=repas, montant="0", motif="Justificatif du repas manquant.", par=gestionnaire
            )
        ef.refresh_from_db()
        repas.refresh_from_db()
        assert (ajustement.montant_avant, ajustement.montant_apres, ajustement.par) == (
            Decimal("20.00"),
            Decimal("0.00"),
            gestionnaire,
        )
        assert (repas.montant_initial, repas.montant, repas.est_ajustee) == (Decimal("20.00"), Decimal("0.00"), True)
        assert (ef.montant_initial, ef.montant_total) == (Decimal("150.56"), Decimal("130.56"))
        notification = Notification.objects.get(destinataire=ef.agent.user)
        assert "Justificatif du repas manquant." in notification.message
        assert "20,00" in notification.message and "0,00" in notification.message
        assert [message.to for message in mail.outbox] == [[ef.agent.user.email]]

    def test_deux_ajustements_de_la_meme_ligne_gardent_chacun_avant_et_apres(self, ef, gestionnaire):
        _, repas = etats_frais.lignes(ef)
        etats_frais.ajuster_ligne(etat_frais=ef, ligne=repas, montant="10.00", motif="Demi-taux.", par=gestionnaire)
        etats_frais.ajuster_ligne(etat_frais=ef, ligne=repas, montant="17.50", motif="Taux 2019.", par=gestionnaire)
        assert [(a.montant_avant, a.montant_apres) for a in etats_frais.ajustements(ef)] == [
            (Decimal("20.00"), Decimal("10.00")),
            (Decimal("10.00"), Decimal("17.50")),
        ]
        ef.refresh_from_db()
        assert ef.montant_total == Decimal("148.06")

    @pytest.mark.parametrize(
        ("montant", "motif", "message"),
        [
            ("0", "", "Indiquez le motif"),
            ("12.345", "Arrondi", "au centime près"),
            ("-1", "Négatif", "ne peut pas être négatif"),
            ("douze", "Texte", "Indiquez un montant"),
            ("20.00", "Identique", "rien à ajuster"),
        ],
    )
    def test_un_ajustement_invalide_ne_change_rien(self, ef, gestionnaire, montant, motif, message):
        _, repas = etats_frais.lignes(ef)
        with pytest.raises(EtatFraisRefuse, match=message):
            etats_frais.ajuster_ligne(etat_frais=ef, ligne=repas, montant=montant, motif=motif, par=gestionnaire)
        ef.refresh_from_db()
        assert ef.montant_total == Decimal("150.56")
        assert not AjustementEtatFrais.objects.exists()

    def test_personne_d_autre_que_le_gestionnaire_du_perimetre_n_ajuste(self, ef):
        _, repas = etats_frais.lignes(ef)
        hors_perimetre = PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user
        for personne, message in ((ef.agent.user, "votre propre état de frais"), (hors_perimetre, "périmètre")):
            with pytest.raises(EtatFraisRefuse, match=message):
                etats_frais.ajuster_ligne(etat_frais=ef, ligne=repas, montant="0", motif="Non.", par=personne)
        assert not AjustementEtatFrais.objects.exists()

    def test_une_ligne_d_un_autre_etat_de_frais_est_refusee(self, ef, gestionnaire):
        autre = EtatFraisFactory(ordre__agent=ef.agent, ordre__mois=datetime.date(2026, 11, 1))
        with pytest.raises(EtatFraisRefuse, match="n'appartient pas"):
            etats_frais.ajuster_ligne(
                etat_frais=ef, ligne=autre.lignes.get(), montant="0", motif="Erreur.", par=gestionnaire
            )

    def test_un_etat_de_frais_valide_ne_s_ajuste_plus(self, agent, gestionnaire):
        ef = EtatFraisFactory(ordre__agent=agent, valide=True)
        with pytest.raises(EtatFraisRefuse, match="Seul un état de frais à valider"):
            etats_frais.ajuster_ligne(
                etat_frais=ef, ligne=ef.lignes.get(), montant="0", motif="Trop tard.", par=gestionnaire
            )

    def test_la_base_refuse_de_modifier_un_ajustement(self, ef, gestionnaire):
        _, repas = etats_frais.lignes(ef)
        ajustement = etats_frais.ajuster_ligne(etat_frais=ef, ligne=repas, montant="0", motif="X.", par=gestionnaire)
        with pytest.raises(HistoriqueImmuable):
            ajustement.save()
        with (
            pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE validation_ajustementetatfrais SET montant_apres = 20 WHERE id = %s", [ajustement.pk]
            )


# --- Machine à états ----------------------------------------------------------------------------------------------------

PERMISES = [
    (ActionEF.VALIDER, EtatEF.A_VALIDER, EtatEF.VALIDE),
    (ActionEF.REJETER, EtatEF.A_VALIDER, EtatEF.REJETE),
    (ActionEF.ANNULER, EtatEF.A_VALIDER, EtatEF.ANNULE),
    (ActionEF.ANNULER, EtatEF.VALIDE, EtatEF.ANNULE),
    (ActionEF.ANNULER, EtatEF.REJETE, EtatEF.ANNULE),
    (ActionEF.ANNULER, EtatEF.BROUILLON, EtatEF.ANNULE),  # une déclaration d'OM ponctuel abandonnée
]
INTERDITES = [
    (action, source)
    for action in (ActionEF.VALIDER, ActionEF.REJETER, ActionEF.ANNULER)
    for source in EtatEF
    if not any(permise[:2] == (action, source) for permise in PERMISES)
]


def agir(action: ActionEF, ef: EtatFrais, par, **kwargs):
    if action != ActionEF.VALIDER:
        kwargs.setdefault("motif", "Motif de test.")
    return getattr(etats_frais, action.value)(etat_frais=ef, par=par, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "source", "cible"), PERMISES)
def test_chaque_transition_permise_change_l_etat_et_ecrit_une_ligne(agent, gestionnaire, action, source, cible):
    ef = EtatFraisFactory(ordre__agent=agent, etat=source)
    ef = agir(action, ef, gestionnaire)
    ef.refresh_from_db()
    assert ef.etat == cible
    (ligne,) = HistoriqueEtatFrais.objects.filter(etat_frais=ef)
    assert (ligne.transition, ligne.source, ligne.cible, ligne.par) == (action, source, cible, gestionnaire)
    assert Notification.objects.filter(destinataire=agent.user).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "source"), INTERDITES)
def test_chaque_transition_interdite_ne_change_rien(agent, gestionnaire, action, source):
    ef = EtatFraisFactory(ordre__agent=agent, etat=source)
    with pytest.raises(EtatFraisRefuse, match="Action déjà effectuée ou plus possible"):
        agir(action, ef, gestionnaire)
    ef.refresh_from_db()
    assert ef.etat == source
    assert not HistoriqueEtatFrais.objects.exists()


@pytest.mark.django_db
class TestTransitions:
    def test_valider_archive_le_pdf_et_note_qui_et_quand(self, agent, gestionnaire):
        ef = etats_frais.valider(etat_frais=EtatFraisFactory(ordre__agent=agent), par=gestionnaire)
        ef.refresh_from_db()
        assert (ef.valide_par, ef.valide_le is not None) == (gestionnaire, True)
        assert len(ef.pdf_sha256) == 64
        assert "validé" in Notification.objects.get(destinataire=agent.user).message

    def test_rejeter_et_annuler_exigent_un_motif(self, agent, gestionnaire):
        ef = EtatFraisFactory(ordre__agent=agent)
        for action in (ActionEF.REJETER, ActionEF.ANNULER):
            with pytest.raises(EtatFraisRefuse, match="Indiquez le motif"):
                agir(action, ef, gestionnaire, motif="  ")
        ef = agir(ActionEF.REJETER, ef, gestionnaire, motif="Service non fait le 12.")
        assert ef.motif == "Service non fait le 12."
        assert etats_frais.statut_pour_l_agent(ef) == "Rejeté : Service non fait le 12."

    def test_l_etat_vu_par_l_agent_n_est_plus_celui_qu_il_avait_sous_les_yeux(self, agent, gestionnaire):
        ef = EtatFraisFactory(ordre__agent=agent, valide=True)
        with pytest.raises(EtatFraisRefuse, match="Action déjà effectuée"):
            etats_frais.annuler(etat_frais=ef, par=gestionnaire, motif="Doublon.", etat_attendu=EtatEF.A_VALIDER)
        ef.refresh_from_db()
        assert ef.etat == EtatEF.VALIDE

    def test_l_agent_ne_valide_pas_son_propre_etat_de_frais_meme_gestionnaire(self, agent):
        gestionnaire = GestionnaireFactory(user=agent.user)
        PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
        ef = EtatFraisFactory(ordre__agent=agent)
        with pytest.raises(EtatFraisRefuse, match="votre propre état de frais"):
            etats_frais.valider(etat_frais=ef, par=agent.user)

    def test_un_delegataire_agit_pour_le_compte_du_gestionnaire(self, agent, gestionnaire):
        delegation = DelegationFactory(delegant=gestionnaire, role=RoleDelegue.GESTIONNAIRE)
        ef = etats_frais.valider(etat_frais=EtatFraisFactory(ordre__agent=agent), par=delegation.delegataire)
        ligne = HistoriqueEtatFrais.objects.get(etat_frais=ef)
        assert (ligne.par, ligne.pour_le_compte_de) == (delegation.delegataire, gestionnaire)

    def test_l_historique_ne_se_modifie_ni_ne_se_supprime(self, agent, gestionnaire):
        ef = etats_frais.valider(etat_frais=EtatFraisFactory(ordre__agent=agent), par=gestionnaire)
        ligne = HistoriqueEtatFrais.objects.get(etat_frais=ef)
        with pytest.raises(HistoriqueImmuable):
            ligne.delete()
        with (
            pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM validation_historiqueetatfrais WHERE id = %s", [ligne.pk])
        assert HistoriqueEtatFrais.objects.filter(pk=ligne.pk).exists()

    @pytest.mark.parametrize(
        ("etat", "attendu"),
        [
            (EtatEF.A_VALIDER, "En attente de validation par le service gestionnaire"),
            (EtatEF.VALIDE, "Validé, paiement à venir"),
            (EtatEF.ANNULE, "Annulé : Doublon."),
        ],
    )
    def test_le_statut_en_mots_simples(self, etat, attendu):
        ef = EtatFraisFactory(etat=etat, motif="Doublon.")
        assert etats_frais.statut_pour_l_agent(ef).startswith(attendu)


class TestAnnulerLOrdre:
    """« Tout état avant paiement » : l'ordre annulé emporte son état de frais ; en paiement, il ne s'annule plus."""

    def test_l_etat_de_frais_actif_est_annule_avec_l_ordre(self, agent, gestionnaire):
        ef = EtatFraisFactory(ordre__agent=agent, valide=True)
        services.annuler(ordre=ef.ordre, par=gestionnaire, motif="Mission non effectuée.")
        ef.refresh_from_db()
        assert ef.etat == EtatEF.ANNULE
        assert ef.motif == f"Ordre de mission {ef.ordre.numero} annulé : Mission non effectuée."
        assert ef.historique.filter(transition=ActionEF.ANNULER, par=gestionnaire).count() == 1

    @pytest.mark.parametrize("etat", [EtatEF.MIS_EN_PAIEMENT, EtatEF.PAYE])
    def test_un_ordre_dont_l_etat_de_frais_est_en_paiement_ne_s_annule_plus(self, agent, gestionnaire, etat):
        ef = EtatFraisFactory(ordre__agent=agent, etat=etat)
        ordre = ef.ordre
        with pytest.raises(services.ActionRefusee, match="déjà en paiement ou payé"):
            services.annuler(ordre=ordre, par=gestionnaire, motif="Trop tard.")
        ordre.refresh_from_db()
        ef.refresh_from_db()
        assert (ordre.etat, ef.etat) == (Etat.VALIDE, etat)
        assert not ordre.historique.exists()
        assert Action.ANNULER not in regles.actions_possibles(gestionnaire, ordre)
