import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from agents.models import User
from tests.agents.factories import MOT_DE_PASSE, AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


def se_connecter(client, email, password):
    return client.post(reverse("connexion"), {"username": email, "password": password})


def test_connexion_par_adresse_professionnelle_mene_au_tableau_de_bord(client):
    agent = AgentFactory(user__email="camille.test@ac-test.fr")
    response = se_connecter(client, "Camille.Test@AC-test.fr", MOT_DE_PASSE)
    assert response.status_code == 302
    assert response.url == reverse("tableau_de_bord")
    assert client.session["_auth_user_id"] == str(agent.user.pk)


def test_mauvais_mot_de_passe_message_en_francais_et_adresse_conservee(client):
    AgentFactory(user__email="camille.test@ac-test.fr")
    response = se_connecter(client, "camille.test@ac-test.fr", "faux")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.text
    assert 'value="camille.test@ac-test.fr"' in response.text
    assert "_auth_user_id" not in client.session


def test_connexion_bloquee_apres_cinq_echecs_meme_avec_le_bon_mot_de_passe(client):
    AgentFactory(user__email="camille.test@ac-test.fr")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        se_connecter(client, "camille.test@ac-test.fr", "faux")
    response = se_connecter(client, "camille.test@ac-test.fr", MOT_DE_PASSE)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.text
    assert "_auth_user_id" not in client.session


def test_un_autre_compte_n_est_pas_bloque_par_les_echecs_du_premier(client):
    AgentFactory(user__email="camille.test@ac-test.fr")
    AgentFactory(user__email="lucas.test@ac-test.fr")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        se_connecter(client, "camille.test@ac-test.fr", "faux")
    response = se_connecter(client, "lucas.test@ac-test.fr", MOT_DE_PASSE)
    assert response.status_code == 302


def test_deconnexion_par_post(client):
    agent = AgentFactory()
    client.force_login(agent.user)
    response = client.post(reverse("deconnexion"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_reinitialisation_du_mot_de_passe_par_courriel(client):
    user = UserFactory(email="camille.test@ac-test.fr")
    response = client.post(reverse("password_reset"), {"email": "camille.test@ac-test.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Itinera : choisir un nouveau mot de passe"
    lien = re.search(r"http://testserver(/mot-de-passe/nouveau/\S+/)", mail.outbox[0].body).group(1)
    formulaire = client.get(lien, follow=True)
    assert "Choisir un nouveau mot de passe" in formulaire.text
    nouveau = "un-nouveau-mot-de-passe-solide"
    response = client.post(formulaire.redirect_chain[-1][0], {"new_password1": nouveau, "new_password2": nouveau})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(nouveau)


def test_reinitialisation_adresse_inconnue_ne_revele_rien(client):
    response = client.post(reverse("password_reset"), {"email": "personne@ac-test.fr"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_les_sessions_expirent():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_le_modele_utilisateur_se_connecte_par_adresse():
    assert User.USERNAME_FIELD == "email"
    user = User.objects.create_user("Quelqu.Un@AC-Test.fr", "mot-de-passe-solide", first_name="A", last_name="B")
    assert user.email == "quelqu.un@ac-test.fr"
