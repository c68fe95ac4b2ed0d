import datetime

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from missions.enums import Etat
from tests.agents.factories import AgentFactory, GestionnaireFactory, PerimetreGestionnaireFactory, UserFactory
from tests.missions.factories import OrdreMissionFactory
from tests.validation.factories import DelegationFactory
from validation import delegations, services
from validation.delegations import DelegationRefusee, creer_delegation, terminer_delegation
from validation.enums import RoleDelegue
from validation.models import Delegation, HistoriqueTransition, Notification

pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date.today()
DEMAIN = AUJOURD_HUI + datetime.timedelta(days=1)
HIER = AUJOURD_HUI - datetime.timedelta(days=1)


def dans(jours: int) -> datetime.date:
    return AUJOURD_HUI + datetime.timedelta(days=jours)


@pytest.fixture
def vh1():
    return UserFactory(valideur=True, first_name="Claire", last_name="Fontaine", email="claire.fontaine@ac-test.fr")


@pytest.fixture
def adjoint():
    return UserFactory(valideur=True, first_name="Paul", last_name="Lemoine", email="paul.lemoine@ac-test.fr")


@pytest.fixture
def ordre_vh1(vh1):
    return OrdreMissionFactory(
        agent=AgentFactory(valideurs=[vh1]), etat=Etat.ATTENTE_VH1, destinataire=vh1, soumis_le=timezone.now()
    )


def deleguer(delegant, delegataire, **kwargs):
    params = {"role": RoleDelegue.VH1, "date_debut": AUJOURD_HUI, "date_fin": dans(14)} | kwargs
    return creer_delegation(delegant=delegant, delegataire=delegataire, **params)


def file_vh1(client, user) -> set[int]:
    client.force_login(user)
    response = client.get(reverse("validation:a_valider"))
    assert response.status_code == 200
    return {ordre.pk for ordre in response.context["page"].object_list}


class TestCreerDelegation:
    def test_cree_et_previent_le_delegataire(self, vh1, adjoint, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            delegation = deleguer(vh1, adjoint, date_fin=dans(7))
        assert (delegation.delegant, delegation.delegataire, delegation.terminee_le) == (vh1, adjoint, None)
        notification = Notification.objects.get(destinataire=adjoint)
        assert notification.message.startswith("Claire FONTAINE vous délègue sa validation hiérarchique du ")
        assert notification.lien == reverse("validation:a_valider")
        assert [m.to for m in mail.outbox] == [["paul.lemoine@ac-test.fr"]]

    @pytest.mark.parametrize(
        "cas,champ,message",
        [
            ("a_soi_meme", "delegataire", delegations.A_SOI_MEME),
            ("fin_avant_debut", "date_fin", delegations.FIN_AVANT_DEBUT),
            ("debut_passe", "date_debut", delegations.DEBUT_PASSE),
            ("vh1_sans_etre_vh1", "role", delegations.PAS_VH1),
            ("gestionnaire_sans_l_etre", "role", delegations.PAS_GESTIONNAIRE),
            ("role_inconnu", "role", delegations.ROLE_INCONNU),
        ],
    )
    def test_refus_avec_le_message_a_cote_du_champ(self, vh1, adjoint, cas, champ, message):
        params = {"delegant": vh1, "delegataire": adjoint, "role": RoleDelegue.VH1, "date_debut": DEMAIN}
        params["date_fin"] = dans(10)
        if cas == "a_soi_meme":
            params["delegataire"] = vh1
        elif cas == "fin_avant_debut":
            params["date_fin"] = AUJOURD_HUI
        elif cas == "debut_passe":
            params["date_debut"] = HIER
        elif cas == "vh1_sans_etre_vh1":
            params["delegant"] = PerimetreGestionnaireFactory().gestionnaire.user
        elif cas == "gestionnaire_sans_l_etre":
            params["role"] = RoleDelegue.GESTIONNAIRE
        elif cas == "role_inconnu":
            params["role"] = "directeur"
        with pytest.raises(DelegationRefusee) as refus:
            creer_delegation(**params)
        assert refus.value.message_dict == {champ: [message]}
        assert not Delegation.objects.exists()
        assert not Notification.objects.exists()

    def test_un_delegataire_desactive_est_refuse_en_le_nommant(self, vh1, adjoint):
        adjoint.is_active = False
        adjoint.save()
        with pytest.raises(DelegationRefusee) as refus:
            deleguer(vh1, adjoint)
        assert refus.value.message_dict == {
            "delegataire": [
                "Le compte de Paul LEMOINE (paul.lemoine@ac-test.fr) est désactivé : "
                "choisissez une personne active du portail."
            ]
        }

    def test_plusieurs_erreurs_a_la_fois(self):
        agent = AgentFactory().user
        with pytest.raises(DelegationRefusee) as refus:
            creer_delegation(
                delegant=agent, delegataire=agent, role=RoleDelegue.VH1, date_debut=HIER, date_fin=dans(-2)
            )
        assert set(refus.value.message_dict) == {"role", "delegataire", "date_debut", "date_fin"}

    def test_chevauchement_de_la_meme_validation_refuse(self, vh1, adjoint):
        deleguer(vh1, adjoint, date_debut=dans(5), date_fin=dans(10))
        with pytest.raises(DelegationRefusee) as refus:
            deleguer(vh1, UserFactory(valideur=True), date_debut=dans(10), date_fin=dans(20))
        debut, fin = dans(5).strftime("%d/%m/%Y"), dans(10).strftime("%d/%m/%Y")
        assert refus.value.message_dict == {
            NON_FIELD_ERRORS: [
                f"Cette validation est déjà déléguée à Paul LEMOINE du {debut} au {fin} : "
                "terminez cette délégation ou choisissez d'autres dates."
            ]
        }
        assert Delegation.objects.count() == 1

    def test_ce_qui_ne_chevauche_pas_est_accepte(self, vh1, adjoint):
        """Périodes disjointes, délégation terminée, autre validation ou autre délégant : rien ne bloque."""
        gestion = GestionnaireFactory(user=vh1)
        PerimetreGestionnaireFactory(gestionnaire=gestion)
        premiere = deleguer(vh1, adjoint, date_debut=dans(0), date_fin=dans(4))
        deleguer(vh1, adjoint, date_debut=dans(5), date_fin=dans(9))
        deleguer(vh1, adjoint, role=RoleDelegue.GESTIONNAIRE, date_debut=dans(0), date_fin=dans(9))
        terminer_delegation(delegation=premiere, par=vh1)
        deleguer(vh1, UserFactory(), date_debut=dans(1), date_fin=dans(3))
        deleguer(UserFactory(valideur=True), adjoint, date_debut=dans(0), date_fin=dans(9))
        assert Delegation.objects.count() == 5


class TestLaFileDuDelegataire:
    def test_voit_les_ordres_du_delegant_pendant_la_periode_puis_plus_apres_la_fin(
        self, client, vh1, adjoint, ordre_vh1
    ):
        assert file_vh1(client, adjoint) == set()
        delegation = deleguer(vh1, adjoint)
        assert file_vh1(client, adjoint) == {ordre_vh1.pk}
        terminer_delegation(delegation=delegation, par=vh1)
        assert file_vh1(client, adjoint) == set()

    def test_rien_avant_le_debut_ni_apres_la_fin(self, client, vh1, adjoint, ordre_vh1):
        deleguer(vh1, adjoint, date_debut=DEMAIN, date_fin=dans(3))
        DelegationFactory(delegant=vh1, delegataire=adjoint, date_debut=dans(-10), date_fin=HIER)
        assert file_vh1(client, adjoint) == set()
        assert file_vh1(client, vh1) == {ordre_vh1.pk}

    def test_l_action_du_delegataire_porte_les_deux_noms(self, client, vh1, adjoint, ordre_vh1):
        deleguer(vh1, adjoint)
        services.valider(ordre=ordre_vh1, par=adjoint)
        ligne = HistoriqueTransition.objects.get(ordre=ordre_vh1)
        assert (ligne.transition, ligne.par, ligne.pour_le_compte_de) == ("valider", adjoint, vh1)
        client.force_login(adjoint)
        page = client.get(reverse("missions:ordre", args=[ordre_vh1.pk]))
        assert "par Paul LEMOINE pour le compte de Claire FONTAINE" in page.text

    def test_delegation_du_gestionnaire(self, client):
        titulaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        suppleant = PerimetreGestionnaireFactory(categorie="tzr").gestionnaire.user
        ordre = OrdreMissionFactory(agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        client.force_login(suppleant)
        assert list(client.get(reverse("validation:gestion")).context["page"].object_list) == []
        deleguer(titulaire, suppleant, role=RoleDelegue.GESTIONNAIRE)
        assert [o.pk for o in client.get(reverse("validation:gestion")).context["page"].object_list] == [ordre.pk]
        services.valider(ordre=ordre, par=suppleant)
        ligne = HistoriqueTransition.objects.get(ordre=ordre)
        assert (ligne.par, ligne.pour_le_compte_de) == (suppleant, titulaire)


class TestDelegataireSansLeRole:
    """Un adjoint ou un suppléant qui n'est ni VH1 ni gestionnaire reçoit la file le temps de la délégation."""

    def test_la_file_a_valider_s_ouvre_puis_se_ferme_avec_la_delegation(self, client, vh1, ordre_vh1):
        adjoint = UserFactory(first_name="Léa", last_name="Marchal")
        client.force_login(adjoint)
        assert client.get(reverse("validation:a_valider")).status_code == 403
        assert "À valider" not in client.get(reverse("tableau_de_bord")).text
        delegation = deleguer(vh1, adjoint)
        assert file_vh1(client, adjoint) == {ordre_vh1.pk}
        assert client.get(reverse("tableau_de_bord"))["Location"] == reverse("validation:a_valider")
        page = client.get(reverse("validation:a_valider")).text
        assert f'href="{reverse("validation:a_valider")}"' in page
        assert reverse("validation:delegations") not in page  # il ne peut pas redéléguer ce qu'il a reçu
        terminer_delegation(delegation=delegation, par=vh1)
        assert client.get(reverse("validation:a_valider")).status_code == 403

    def test_validation_groupee_par_le_delegataire(self, client, vh1, ordre_vh1):
        adjoint = UserFactory()
        client.force_login(adjoint)
        url = reverse("validation:validation_groupee")
        assert client.post(url, {"file": "vh1", "ordres": [ordre_vh1.pk], "confirme": "1"}).status_code == 404
        deleguer(vh1, adjoint)
        rapport = client.post(url, {"file": "vh1", "ordres": [ordre_vh1.pk], "confirme": "1"})
        assert "1 ordre de mission validé" in rapport.text
        ordre_vh1.refresh_from_db()
        assert ordre_vh1.etat == Etat.ATTENTE_GESTIONNAIRE
        assert HistoriqueTransition.objects.get(ordre=ordre_vh1).pour_le_compte_de == vh1

    def test_la_file_gestion_du_suppleant_sans_fiche_de_gestionnaire(self, client):
        titulaire = PerimetreGestionnaireFactory(categorie="aesh").gestionnaire.user
        suppleant = UserFactory()
        ordre = OrdreMissionFactory(agent=AgentFactory(categorie="aesh"), attente_gestionnaire=True)
        client.force_login(suppleant)
        assert client.get(reverse("validation:gestion")).status_code == 403
        deleguer(titulaire, suppleant, role=RoleDelegue.GESTIONNAIRE)
        response = client.get(reverse("validation:gestion"))
        assert [o.pk for o in response.context["page"].object_list] == [ordre.pk]
        # La délégation ouvre la file, pas le reste de l'espace Gestion (états de frais, lots de paiement).
        assert client.get(reverse("validation:ef_liste")).status_code == 403
        assert client.get(reverse("validation:a_valider")).status_code == 403


class TestTerminerDelegation:
    def test_le_delegant_y_met_fin_et_le_delegataire_est_prevenu(self, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        Notification.objects.all().delete()
        terminer_delegation(delegation=delegation, par=vh1)
        delegation.refresh_from_db()
        assert delegation.terminee_le is not None
        assert "a mis fin à la délégation" in Notification.objects.get(destinataire=adjoint).message

    @pytest.mark.parametrize("qui", ["delegataire", "autre_vh1"])
    def test_refuse_a_quelqu_un_d_autre(self, vh1, adjoint, qui):
        delegation = deleguer(vh1, adjoint)
        par = adjoint if qui == "delegataire" else UserFactory(valideur=True)
        with pytest.raises(DelegationRefusee) as refus:
            terminer_delegation(delegation=delegation, par=par)
        assert refus.value.messages == [delegations.PAS_LE_DELEGANT]
        delegation.refresh_from_db()
        assert delegation.terminee_le is None

    def test_un_administrateur_peut_y_mettre_fin(self, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        terminer_delegation(delegation=delegation, par=UserFactory(admin=True))
        delegation.refresh_from_db()
        assert delegation.terminee_le is not None

    def test_deux_fois_refuse_sans_rien_changer(self, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        terminer_delegation(delegation=delegation, par=vh1)
        delegation.refresh_from_db()
        fin = delegation.terminee_le
        with pytest.raises(DelegationRefusee, match="déjà terminée depuis le"):
            terminer_delegation(delegation=delegation, par=vh1)
        delegation.refresh_from_db()
        assert delegation.terminee_le == fin

    def test_une_delegation_echue_n_a_plus_a_etre_terminee(self, vh1):
        delegation = DelegationFactory(delegant=vh1, date_debut=dans(-10), date_fin=HIER)
        with pytest.raises(DelegationRefusee, match="déjà arrivée à son terme"):
            terminer_delegation(delegation=delegation, par=vh1)


class TestStatut:
    @pytest.mark.parametrize(
        "debut,fin,terminee,attendu",
        [
            (-3, 3, False, delegations.EN_COURS),
            (0, 0, False, delegations.EN_COURS),
            (1, 3, False, delegations.A_VENIR),
            (-5, -1, False, delegations.PASSEE),
            (-3, 3, True, delegations.PASSEE),
            (2, 3, True, delegations.PASSEE),
        ],
    )
    def test_statut(self, debut, fin, terminee, attendu):
        delegation = Delegation(
            date_debut=dans(debut), date_fin=dans(fin), terminee_le=timezone.now() if terminee else None
        )
        assert delegations.statut(delegation, AUJOURD_HUI) == attendu


class TestPageDelegations:
    url = reverse("validation:delegations")

    def test_anonyme_renvoye_vers_la_connexion(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response.url == f"{reverse('connexion')}?next={self.url}"

    def test_refusee_a_un_agent_sans_role_de_validation(self, client):
        client.force_login(AgentFactory().user)
        assert client.get(self.url).status_code == 403
        assert client.post(self.url, {"delegataire": "x@ac-test.fr"}).status_code == 403
        assert not Delegation.objects.exists()

    def test_gestionnaire_voit_sa_page_avec_la_seule_validation_qu_il_peut_deleguer(self, client):
        client.force_login(PerimetreGestionnaireFactory().gestionnaire.user)
        response = client.get(self.url)
        assert response.status_code == 200
        assert [valeur for valeur, _ in response.context["form"].fields["role"].choices] == ["gestionnaire"]

    def test_liste_donnees_et_recues(self, client, vh1, adjoint):
        en_cours = deleguer(vh1, adjoint)
        a_venir = deleguer(vh1, UserFactory(last_name="Garnier"), date_debut=dans(20), date_fin=dans(25))
        passee = DelegationFactory(delegant=vh1, date_debut=dans(-20), date_fin=dans(-15))
        recue = DelegationFactory(delegant=UserFactory(valideur=True, last_name="Rousseau"), delegataire=vh1)
        client.force_login(vh1)
        response = client.get(self.url)
        assert response.context["donnees"] == {"en_cours": [en_cours], "a_venir": [a_venir], "passee": [passee]}
        assert response.context["recues"]["en_cours"] == [recue]
        assert "paul.lemoine@ac-test.fr" in response.text
        assert "ROUSSEAU" in response.text
        assert reverse("validation:terminer_delegation", args=[en_cours.pk]) in response.text
        assert reverse("validation:terminer_delegation", args=[passee.pk]) not in response.text

    def test_creer_depuis_la_page(self, client, vh1, adjoint):
        client.force_login(vh1)
        donnees = {
            "role": "vh1",
            "delegataire": " Paul.Lemoine@AC-test.fr ",
            "date_debut": AUJOURD_HUI.isoformat(),
            "date_fin": dans(7).isoformat(),
        }
        response = client.post(self.url, donnees, follow=True)
        delegation = Delegation.objects.get()
        assert (delegation.delegant, delegation.delegataire, delegation.date_fin) == (vh1, adjoint, dans(7))
        assert "Délégation donnée à Paul LEMOINE (paul.lemoine@ac-test.fr)" in response.text

    def test_adresse_inconnue_erreur_a_cote_du_champ_et_saisie_conservee(self, client, vh1):
        UserFactory(email="parti@ac-test.fr", is_active=False)
        client.force_login(vh1)
        for adresse in ("inconnu@ac-test.fr", "parti@ac-test.fr"):
            donnees = {
                "role": "vh1",
                "delegataire": adresse,
                "date_debut": DEMAIN.isoformat(),
                "date_fin": dans(9).isoformat(),
            }
            response = client.post(self.url, donnees)
            assert response.status_code == 422
            assert response.context["form"].errors["delegataire"] == [
                "Aucun compte actif du portail ne porte cette adresse : vérifiez-la, ou demandez à la personne "
                "l'adresse avec laquelle elle se connecte."
            ]
            assert f'value="{adresse}"' in response.text
            assert f'value="{dans(9).isoformat()}"' in response.text
        assert not Delegation.objects.exists()

    def test_refus_du_service_affiche_sur_le_formulaire(self, client, vh1, adjoint):
        deleguer(vh1, adjoint)
        client.force_login(vh1)
        donnees = {
            "role": "vh1",
            "delegataire": "claire.fontaine@ac-test.fr",
            "date_debut": HIER.isoformat(),
            "date_fin": dans(3).isoformat(),
        }
        response = client.post(self.url, donnees)
        assert response.status_code == 422
        erreurs = response.context["form"].errors
        assert (erreurs["delegataire"], erreurs["date_debut"]) == ([delegations.A_SOI_MEME], [delegations.DEBUT_PASSE])
        assert erreurs["__all__"][0].startswith("Cette validation est déjà déléguée à Paul LEMOINE")
        assert "Cette validation est déjà déléguée à Paul LEMOINE" in response.text
        assert Delegation.objects.count() == 1

    def test_un_role_non_detenu_n_est_pas_proposable(self, client, vh1, adjoint):
        client.force_login(vh1)
        donnees = {
            "role": "gestionnaire",
            "delegataire": adjoint.email,
            "date_debut": AUJOURD_HUI.isoformat(),
            "date_fin": dans(3).isoformat(),
        }
        response = client.post(self.url, donnees)
        assert response.status_code == 422
        assert "role" in response.context["form"].errors
        assert not Delegation.objects.exists()

    def test_nombre_de_requetes_constant(self, client, vh1, django_assert_max_num_queries):
        for i in range(2):
            DelegationFactory(delegant=vh1, date_debut=dans(30 * i), date_fin=dans(30 * i + 5))
        client.force_login(vh1)
        with django_assert_max_num_queries(30) as contexte:
            client.get(self.url)
        avant = len(contexte.captured_queries)
        for i in range(2, 12):
            DelegationFactory(delegant=vh1, date_debut=dans(30 * i), date_fin=dans(30 * i + 5))
            DelegationFactory(delegataire=vh1, date_debut=dans(30 * i), date_fin=dans(30 * i + 5))
        with django_assert_max_num_queries(avant):
            response = client.get(self.url)
        assert len(response.context["donnees"]["a_venir"]) == 11


class TestBoutonTerminer:
    def test_le_delegant_termine(self, client, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        client.force_login(vh1)
        response = client.post(reverse("validation:terminer_delegation", args=[delegation.pk]), follow=True)
        assert "Délégation terminée" in response.text
        delegation.refresh_from_db()
        assert delegation.terminee_le is not None

    def test_le_delegataire_ne_peut_pas_terminer(self, client, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        client.force_login(adjoint)
        response = client.post(reverse("validation:terminer_delegation", args=[delegation.pk]), follow=True)
        assert delegations.PAS_LE_DELEGANT in response.text
        delegation.refresh_from_db()
        assert delegation.terminee_le is None

    def test_une_personne_etrangere_recoit_404(self, client, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        client.force_login(UserFactory(valideur=True))
        assert client.post(reverse("validation:terminer_delegation", args=[delegation.pk])).status_code == 404
        delegation.refresh_from_db()
        assert delegation.terminee_le is None

    def test_get_refuse(self, client, vh1, adjoint):
        delegation = deleguer(vh1, adjoint)
        client.force_login(vh1)
        assert client.get(reverse("validation:terminer_delegation", args=[delegation.pk])).status_code == 405
