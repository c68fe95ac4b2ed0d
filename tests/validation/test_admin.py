import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from missions.enums import Etat
from tests.agents.factories import AgentFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import (
    CircuitValidationFactory,
    DelegationFactory,
    EtapeEtatFraisFactory,
    FraisEtatFraisFactory,
    JustificatifEtatFraisFactory,
    NotificationFactory,
)
from validation import delegations
from validation.enums import Action, Etapes, RoleDelegue
from validation.models import (
    CircuitValidation,
    Delegation,
    DotationBudgetaire,
    EtatFrais,
    HistoriqueEtatFrais,
    HistoriqueTransition,
    LotPaiement,
    Notification,
)

pytestmark = pytest.mark.django_db

MODELES = [
    HistoriqueTransition,
    CircuitValidation,
    Delegation,
    Notification,
    EtatFrais,
    HistoriqueEtatFrais,
    LotPaiement,
    DotationBudgetaire,
]
AUJOURD_HUI = datetime.date.today()


def nom_url(modele, vue: str) -> str:
    return f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}"


@pytest.fixture
def administrateur():
    return UserFactory(admin=True, email="admin@ac-test.fr")


@pytest.fixture
def client_admin(client, administrateur):
    client.force_login(administrateur)
    return client


@pytest.fixture
def ligne_historique():
    ordre = OrdreMissionFactory(agent=AgentFactory(), etat=Etat.ATTENTE_VH1)
    return HistoriqueTransition.objects.create(
        ordre=ordre, transition=Action.SOUMETTRE, source=Etat.BROUILLON, cible=Etat.ATTENTE_VH1, par=ordre.agent.user
    )


def test_chaque_modele_de_la_validation_est_administre():
    assert {m for m in admin.site._registry if m._meta.app_label == "validation"} == set(MODELES)


@pytest.mark.parametrize("modele", MODELES)
def test_listes_en_francais(client_admin, ligne_historique, modele):
    CircuitValidationFactory()
    DelegationFactory()
    NotificationFactory()
    response = client_admin.get(reverse(nom_url(modele, "changelist")))
    assert response.status_code == 200
    assert escape(str(modele._meta.verbose_name_plural).capitalize()) in response.text


def test_l_index_de_l_administration_est_en_francais(client_admin):
    response = client_admin.get(reverse("admin:app_list", args=["validation"]))
    assert escape("Historique des changements d'état") in response.text
    assert "Délégations" in response.text


def test_refusee_a_un_non_administrateur(client, ligne_historique):
    client.force_login(UserFactory(valideur=True))
    response = client.get(reverse(nom_url(HistoriqueTransition, "changelist")))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


class TestHistoriqueEnLectureSeule:
    def test_consultable(self, client_admin, ligne_historique):
        response = client_admin.get(reverse(nom_url(HistoriqueTransition, "change"), args=[ligne_historique.pk]))
        assert response.status_code == 200
        assert 'name="_save"' not in response.text

    def test_ni_ajout_ni_modification_ni_suppression(self, client_admin, ligne_historique):
        assert client_admin.get(reverse(nom_url(HistoriqueTransition, "add"))).status_code == 403
        modifier = reverse(nom_url(HistoriqueTransition, "change"), args=[ligne_historique.pk])
        assert client_admin.post(modifier, {"commentaire": "réécrit"}).status_code == 403
        supprimer = reverse(nom_url(HistoriqueTransition, "delete"), args=[ligne_historique.pk])
        assert client_admin.post(supprimer, {"post": "yes"}).status_code == 403
        ligne = HistoriqueTransition.objects.get()
        assert ligne.commentaire == ""

    def test_pas_d_action_de_suppression_groupee(self, client_admin, ligne_historique):
        response = client_admin.get(reverse(nom_url(HistoriqueTransition, "changelist")))
        assert "delete_selected" not in response.text


class TestCircuitValidation:
    def test_modifier_le_circuit_d_une_categorie(self, client_admin):
        circuit = CircuitValidationFactory(categorie="ien", etapes=Etapes.UNE)
        response = client_admin.post(
            reverse(nom_url(CircuitValidation, "change"), args=[circuit.pk]), {"categorie": "ien", "etapes": "2"}
        )
        assert response.status_code == 302
        circuit.refresh_from_db()
        assert circuit.etapes == Etapes.DEUX


class TestDelegationAdmin:
    def donnees(self, delegant, delegataire, **kwargs):
        return {
            "delegant": delegant.pk,
            "delegataire": delegataire.pk,
            "role": RoleDelegue.VH1,
            "date_debut": AUJOURD_HUI.isoformat(),
            "date_fin": (AUJOURD_HUI + datetime.timedelta(days=5)).isoformat(),
        } | kwargs

    def test_creer_pour_un_valideur_absent_le_delegataire_est_prevenu(self, client_admin):
        absente = UserFactory(valideur=True)
        suppleant = UserFactory(valideur=True)
        response = client_admin.post(reverse(nom_url(Delegation, "add")), self.donnees(absente, suppleant))
        assert response.status_code == 302
        delegation = Delegation.objects.get()
        assert (delegation.delegant, delegation.delegataire) == (absente, suppleant)
        assert Notification.objects.filter(destinataire=suppleant).count() == 1

    def test_les_regles_de_la_page_s_appliquent(self, client_admin):
        absente = UserFactory(valideur=True)
        DelegationFactory(delegant=absente, date_debut=AUJOURD_HUI, date_fin=AUJOURD_HUI + datetime.timedelta(days=3))
        hier = (AUJOURD_HUI - datetime.timedelta(days=1)).isoformat()
        response = client_admin.post(
            reverse(nom_url(Delegation, "add")), self.donnees(absente, absente, date_debut=hier)
        )
        assert response.status_code == 200
        erreurs = response.context["adminform"].form.errors
        assert erreurs["delegataire"] == [delegations.A_SOI_MEME]
        assert erreurs["date_debut"] == [delegations.DEBUT_PASSE]
        assert erreurs["__all__"][0].startswith("Cette validation est déjà déléguée")
        assert Delegation.objects.count() == 1

    def test_une_delegation_existante_ne_se_modifie_pas(self, client_admin):
        delegation = DelegationFactory()
        fin = delegation.date_fin
        url = reverse(nom_url(Delegation, "change"), args=[delegation.pk])
        client_admin.post(url, {"date_fin": (fin + datetime.timedelta(days=30)).isoformat()})
        delegation.refresh_from_db()
        assert delegation.date_fin == fin
        assert client_admin.post(reverse(nom_url(Delegation, "delete"), args=[delegation.pk])).status_code == 403

    def test_action_terminer(self, client_admin):
        en_cours = DelegationFactory()
        deja_terminee = DelegationFactory(terminee_le=timezone.now() - datetime.timedelta(days=1))
        response = client_admin.post(
            reverse(nom_url(Delegation, "changelist")),
            {"action": "terminer", "_selected_action": [en_cours.pk, deja_terminee.pk]},
            follow=True,
        )
        assert "1 délégation(s) terminée(s)." in response.text
        assert "déjà terminée depuis le" in response.text
        en_cours.refresh_from_db()
        assert en_cours.terminee_le is not None


class TestNotificationAdmin:
    def test_consultable_mais_pas_redigee_ici(self, client_admin):
        notification = NotificationFactory()
        assert client_admin.get(reverse(nom_url(Notification, "add"))).status_code == 403
        url = reverse(nom_url(Notification, "change"), args=[notification.pk])
        assert client_admin.get(url).status_code == 200
        assert client_admin.post(url, {"message": "autre"}).status_code == 403


class TestEtatFraisAdmin:
    def test_la_declaration_reelle_se_lit_sur_la_fiche(self, client_admin):
        etape = EtapeEtatFraisFactory(commentaire="Dîner pris dans le train")
        FraisEtatFraisFactory(etat_frais=etape.etat_frais, commentaire="Tickets de métro")
        JustificatifEtatFraisFactory(etat_frais=etape.etat_frais, libelle="Facture de l'hôtel")
        page = client_admin.get(reverse(nom_url(EtatFrais, "change"), args=[etape.etat_frais.pk]))
        assert page.status_code == 200
        for texte in ("Dîner pris dans le train", "Tickets de métro", "Facture de l&#x27;hôtel"):
            assert texte in page.text
