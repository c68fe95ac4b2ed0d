import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.utils import DatabaseError

from missions.enums import Etat
from missions.models import OrdreMission
from tests.agents.factories import AgentFactory, GestionnaireFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import CircuitValidationFactory, DelegationFactory
from validation import services
from validation.enums import Etapes
from validation.models import HistoriqueImmuable, HistoriqueTransition, Notification


@pytest.fixture
def vh1():
    return UserFactory(valideur=True, email="directrice@ac-test.fr")


@pytest.fixture
def agent(vh1):
    return AgentFactory(categorie="aesh", valideurs=[vh1], user__email="agent@ac-test.fr")


@pytest.fixture
def gestionnaire(agent):
    gestionnaire = GestionnaireFactory(service=agent.service_gestionnaire, user__email="gestion@ac-test.fr")
    PerimetreGestionnaireFactory(gestionnaire=gestionnaire, categorie="aesh")
    return gestionnaire.user


@pytest.mark.django_db
class TestSoumettre:
    def test_le_seul_valideur_est_choisi_d_office(self, agent, vh1):
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        assert (ordre.etat, ordre.destinataire) == (Etat.ATTENTE_VH1, vh1)

    def test_plusieurs_valideurs_il_faut_choisir(self, agent):
        agent.valideurs.add(UserFactory(valideur=True))
        ordre = OrdreMissionFactory(agent=agent)
        with pytest.raises(services.ActionRefusee, match="Choisissez le valideur"):
            services.soumettre(ordre=ordre, par=agent.user)
        ordre.refresh_from_db()
        assert ordre.etat == Etat.BROUILLON

    def test_un_valideur_etranger_a_l_agent_est_refuse(self, agent):
        ordre = OrdreMissionFactory(agent=agent)
        with pytest.raises(services.ActionRefusee, match="pas rattaché à votre fiche"):
            services.soumettre(ordre=ordre, par=agent.user, destinataire=UserFactory(valideur=True))
        assert not HistoriqueTransition.objects.exists()

    def test_sans_valideur_le_message_dit_quoi_faire(self):
        agent = AgentFactory()
        with pytest.raises(services.ActionRefusee, match="contactez votre service gestionnaire"):
            services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)

    def test_circuit_a_une_etape_va_directement_au_gestionnaire(self):
        CircuitValidationFactory(categorie="ien")
        agent = AgentFactory(categorie="ien")
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        assert (ordre.etat, ordre.destinataire) == (Etat.ATTENTE_GESTIONNAIRE, None)

    def test_double_soumission_ne_fait_qu_une_transition(self, agent):
        ordre = OrdreMissionFactory(agent=agent)
        services.soumettre(ordre=ordre, par=agent.user)
        with pytest.raises(services.ActionRefusee, match="Action déjà effectuée ou plus possible"):
            services.soumettre(ordre=ordre, par=agent.user)
        assert HistoriqueTransition.objects.filter(ordre=ordre).count() == 1


@pytest.mark.django_db
class TestParcoursComplet:
    def test_refus_reprise_resoumission_validation(self, agent, vh1, gestionnaire):
        ordre = OrdreMissionFactory(agent=agent)
        services.soumettre(ordre=ordre, par=agent.user)
        services.refuser(ordre=ordre, par=vh1, motif="Il manque l'emploi du temps.")
        ordre.refresh_from_db()
        assert ordre.motif_refus == "Il manque l'emploi du temps."
        services.reprendre(ordre=ordre, par=agent.user)
        ordre.refresh_from_db()
        assert (ordre.etat, ordre.motif_refus) == (Etat.BROUILLON, "Il manque l'emploi du temps.")
        services.soumettre(ordre=ordre, par=agent.user)
        services.valider(ordre=ordre, par=vh1)
        ordre = services.valider(ordre=ordre, par=gestionnaire)
        assert ordre.etat == Etat.VALIDE
        etapes = list(HistoriqueTransition.objects.filter(ordre=ordre).values_list("transition", flat=True))
        assert etapes == ["soumettre", "refuser", "reprendre", "soumettre", "valider", "valider"]

    def test_refus_sans_motif_ne_change_rien(self, agent, vh1):
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        with pytest.raises(services.ActionRefusee, match="motif"):
            services.refuser(ordre=ordre, par=vh1, motif="   ")
        ordre.refresh_from_db()
        assert ordre.etat == Etat.ATTENTE_VH1

    def test_la_validation_finale_appelle_les_crochets_dans_la_transaction(self, agent, gestionnaire, monkeypatch):
        vus = []
        monkeypatch.setattr(services, "APRES_VALIDATION_FINALE", [lambda ordre: vus.append(ordre.etat)])
        ordre = OrdreMissionFactory(agent=agent, attente_gestionnaire=True)
        services.valider(ordre=ordre, par=gestionnaire)
        assert vus == [Etat.VALIDE]

    def test_un_crochet_qui_echoue_annule_tout(self, agent, gestionnaire, monkeypatch):
        def echoue(ordre):
            raise RuntimeError("barème introuvable")

        monkeypatch.setattr(services, "APRES_VALIDATION_FINALE", [echoue])
        ordre = OrdreMissionFactory(agent=agent, attente_gestionnaire=True)
        with pytest.raises(RuntimeError):
            services.valider(ordre=ordre, par=gestionnaire)
        ordre.refresh_from_db()
        assert ordre.etat == Etat.ATTENTE_GESTIONNAIRE
        assert not HistoriqueTransition.objects.exists()


@pytest.mark.django_db
class TestDelegation:
    def test_hors_de_sa_periode_la_delegation_ne_donne_rien(self, agent, vh1):
        import datetime

        delegation = DelegationFactory(
            delegant=vh1, date_debut=datetime.date(2026, 1, 1), date_fin=datetime.date(2026, 1, 31)
        )
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        with pytest.raises(services.ActionRefusee):
            services.valider(ordre=ordre, par=delegation.delegataire, jour=datetime.date(2026, 2, 1))
        ordre = services.valider(ordre=ordre, par=delegation.delegataire, jour=datetime.date(2026, 1, 31))
        ligne = HistoriqueTransition.objects.get(ordre=ordre, transition="valider")
        assert (ligne.par, ligne.pour_le_compte_de) == (delegation.delegataire, vh1)

    def test_une_delegation_terminee_ne_donne_plus_rien(self, agent, vh1):
        from django.utils import timezone

        delegation = DelegationFactory(delegant=vh1, terminee_le=timezone.now())
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        with pytest.raises(services.ActionRefusee):
            services.valider(ordre=ordre, par=delegation.delegataire)


@pytest.mark.django_db
class TestNotifications:
    def test_soumission_previent_le_valideur_par_courriel_et_dans_le_portail(
        self, agent, vh1, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        assert [m.to for m in mail.outbox] == [["directrice@ac-test.fr"]]
        assert f"/deplacements/ordres/{ordre.pk}/" in mail.outbox[0].body
        notification = Notification.objects.get(destinataire=vh1)
        assert notification.lien == f"/deplacements/ordres/{ordre.pk}/"

    def test_refus_previent_l_agent_avec_le_motif(self, agent, vh1, django_capture_on_commit_callbacks):
        ordre = OrdreMissionFactory(agent=agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
        with django_capture_on_commit_callbacks(execute=True):
            services.refuser(ordre=ordre, par=vh1, motif="Dates hors période.")
        assert [m.to for m in mail.outbox] == [["agent@ac-test.fr"]]
        assert "Dates hors période." in mail.outbox[0].body

    def test_validation_finale_previent_l_agent(self, agent, gestionnaire, django_capture_on_commit_callbacks):
        ordre = OrdreMissionFactory(agent=agent, attente_gestionnaire=True)
        with django_capture_on_commit_callbacks(execute=True):
            services.valider(ordre=ordre, par=gestionnaire)
        assert [m.to for m in mail.outbox] == [["agent@ac-test.fr"]]

    def test_validation_du_vh1_previent_le_service_gestionnaire_et_l_agent(
        self, agent, vh1, gestionnaire, django_capture_on_commit_callbacks
    ):
        ordre = OrdreMissionFactory(agent=agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
        with django_capture_on_commit_callbacks(execute=True):
            services.valider(ordre=ordre, par=vh1)
        assert sorted(destinataire for m in mail.outbox for destinataire in m.to) == [
            "agent@ac-test.fr",
            "gestion@ac-test.fr",
        ]
        assert (
            "attend le contrôle du service gestionnaire" in Notification.objects.get(destinataire=gestionnaire).message
        )

    def test_annulation_previent_l_agent_mais_jamais_celui_qui_agit(
        self, agent, gestionnaire, django_capture_on_commit_callbacks
    ):
        ordre = OrdreMissionFactory(agent=agent, attente_gestionnaire=True)
        with django_capture_on_commit_callbacks(execute=True):
            services.annuler(ordre=ordre, par=gestionnaire, motif="Doublon.")
        assert [m.to for m in mail.outbox] == [["agent@ac-test.fr"]]
        assert not Notification.objects.filter(destinataire=gestionnaire).exists()

    def test_le_gestionnaire_qui_soumet_pour_l_agent_ne_se_previent_pas_lui_meme(
        self, agent, gestionnaire, django_capture_on_commit_callbacks
    ):
        CircuitValidationFactory(categorie="aesh", etapes=Etapes.UNE)
        with django_capture_on_commit_callbacks(execute=True):
            services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=gestionnaire)
        assert mail.outbox == [] and not Notification.objects.exists()

    def test_aucun_courriel_si_l_action_est_refusee(self, agent, django_capture_on_commit_callbacks):
        ordre = OrdreMissionFactory(agent=agent, attente_gestionnaire=True)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ActionRefusee):
            services.valider(ordre=ordre, par=UserFactory(valideur=True))
        assert mail.outbox == []
        assert not Notification.objects.exists()


@pytest.mark.django_db
class TestHistoriqueImmuable:
    def test_le_modele_refuse_modification_et_suppression(self, agent):
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        ligne = HistoriqueTransition.objects.get(ordre=ordre)
        ligne.commentaire = "réécrit"
        with pytest.raises(HistoriqueImmuable):
            ligne.save()
        with pytest.raises(HistoriqueImmuable):
            ligne.delete()

    def test_la_base_refuse_aussi(self, agent):
        ordre = services.soumettre(ordre=OrdreMissionFactory(agent=agent), par=agent.user)
        with pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"), transaction.atomic():
            HistoriqueTransition.objects.filter(ordre=ordre).update(commentaire="réécrit")
        with pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"), transaction.atomic():
            HistoriqueTransition.objects.filter(ordre=ordre).delete()
        assert HistoriqueTransition.objects.get(ordre=ordre).commentaire == ""


@pytest.mark.django_db
class TestSuppression:
    def test_l_agent_supprime_son_brouillon(self, agent):
        ordre = OrdreMissionFactory(agent=agent)
        services.supprimer_brouillon(ordre=ordre, par=agent.user)
        assert not OrdreMission.objects.filter(pk=ordre.pk).exists()

    def test_ni_un_autre_ni_un_ordre_deja_soumis(self, agent, vh1):
        ordre = OrdreMissionFactory(agent=agent)
        with pytest.raises(services.ActionRefusee):
            services.supprimer_brouillon(ordre=ordre, par=vh1)
        services.soumettre(ordre=ordre, par=agent.user)
        services.retirer(ordre=ordre, par=agent.user)
        with pytest.raises(services.ActionRefusee, match="jamais soumis"):
            services.supprimer_brouillon(ordre=ordre, par=agent.user)
        assert OrdreMission.objects.filter(pk=ordre.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deux_personnes_agissent_en_meme_temps_une_seule_reussit(vh1, agent):
    """Sur PostgreSQL, deux connexions : l'une valide, l'autre refuse le même ordre au même moment."""
    ordre = OrdreMissionFactory(agent=agent, etat=Etat.ATTENTE_VH1, destinataire=vh1)
    delegue = DelegationFactory(delegant=vh1).delegataire
    depart = threading.Barrier(2)
    resultats = {}

    def agir(nom, fonction, **kwargs):
        try:
            depart.wait()
            fonction(ordre=OrdreMission.objects.get(pk=ordre.pk), etat_attendu=Etat.ATTENTE_VH1, **kwargs)
            resultats[nom] = "ok"
        except services.ActionRefusee as refus:
            resultats[nom] = str(refus)
        finally:
            connection.close()

    fils = [
        threading.Thread(target=agir, args=("valider", services.valider), kwargs={"par": vh1}),
        threading.Thread(target=agir, args=("refuser", services.refuser), kwargs={"par": delegue, "motif": "Non."}),
    ]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert sorted(resultats.values()).count("ok") == 1
    assert any("Action déjà effectuée ou plus possible" in r for r in resultats.values())
    assert HistoriqueTransition.objects.filter(ordre=ordre).count() == 1
