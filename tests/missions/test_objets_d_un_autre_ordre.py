"""Un identifiant d'objet pris dans l'URL ne sert que sous son propre ordre (ou état de frais).

L'agent a deux ordres : un trajet, une ligne, un frais, une étape, un billet ou un justificatif du second, appelé
sous l'adresse du premier, donne 404 et ne change rien — même s'il appartient au même agent. Les refus d'un autre
agent sont testés avec chaque page ; ici, c'est le filtre par parent qui est gardé.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from missions.enums import Etat
from missions.models import Frais, LigneTrajet, Sejour, TrajetHabituel
from tests.agents.factories import AgentFactory
from tests.missions.factories import (
    BilletFactory,
    DemandeBilletFactory,
    FraisFactory,
    LigneTrajetFactory,
    OmiFactory,
    OrdreMissionFactory,
    PonctuelFactory,
    SejourFactory,
    TrajetHabituelFactory,
)
from tests.validation.factories import (
    EtapeEtatFraisFactory,
    EtatFraisFactory,
    FraisEtatFraisFactory,
    JustificatifEtatFraisFactory,
)
from validation.models import EtatEF, FraisEtatFrais, JustificatifEtatFrais

pytestmark = pytest.mark.django_db


def omp(agent):
    return OrdreMissionFactory(agent=agent)


def omi(agent):
    return OmiFactory(agent=agent)


def ponctuel(agent):
    return PonctuelFactory(agent=agent)


def ef_en_saisie(agent):
    return EtatFraisFactory(ordre=PonctuelFactory(agent=agent, etat=Etat.VALIDE), etat=EtatEF.BROUILLON)


def billet(ordre):
    fichier = SimpleUploadedFile("billet.pdf", b"%PDF-1.4 billet", content_type="application/pdf")
    return BilletFactory(demande=DemandeBilletFactory(ordre=ordre), fichier=fichier)


# (nom d'URL, méthode, parent, fabrique de l'enfant (parent) -> objet, modèle pour vérifier qu'il est toujours là)
CAS = [
    ("missions:modifier_trajet_habituel", "get", omp, lambda o: TrajetHabituelFactory(ordre=o), TrajetHabituel),
    ("missions:supprimer_trajet_habituel", "post", omp, lambda o: TrajetHabituelFactory(ordre=o), TrajetHabituel),
    ("missions:modifier_ligne_omi", "get", omi, lambda o: LigneTrajetFactory(ordre=o), LigneTrajet),
    ("missions:supprimer_ligne_omi", "post", omi, lambda o: LigneTrajetFactory(ordre=o), LigneTrajet),
    ("missions:modifier_frais_omi", "get", omi, lambda o: FraisFactory(ordre=o), Frais),
    ("missions:supprimer_frais_omi", "post", omi, lambda o: FraisFactory(ordre=o), Frais),
    ("ponctuels:supprimer_sejour", "post", ponctuel, lambda o: SejourFactory(ordre=o), Sejour),
    ("ponctuels:modifier_frais", "get", ponctuel, lambda o: FraisFactory(ordre=o), Frais),
    ("ponctuels:supprimer_frais", "post", ponctuel, lambda o: FraisFactory(ordre=o), Frais),
    ("ponctuels:billet_fichier", "get", ponctuel, lambda o: billet(o), None),
    ("ponctuels:ef_etape", "get", ef_en_saisie, lambda ef: EtapeEtatFraisFactory(etat_frais=ef), None),
    ("ponctuels:ef_modifier_frais", "get", ef_en_saisie, lambda ef: FraisEtatFraisFactory(etat_frais=ef), None),
    (
        "ponctuels:ef_supprimer_frais",
        "post",
        ef_en_saisie,
        lambda ef: FraisEtatFraisFactory(etat_frais=ef),
        FraisEtatFrais,
    ),
    (
        "ponctuels:ef_fichier_justificatif",
        "get",
        ef_en_saisie,
        lambda ef: JustificatifEtatFraisFactory(etat_frais=ef),
        None,
    ),
    (
        "ponctuels:ef_supprimer_justificatif",
        "post",
        ef_en_saisie,
        lambda ef: JustificatifEtatFraisFactory(etat_frais=ef),
        JustificatifEtatFrais,
    ),
]


@pytest.mark.parametrize(("nom", "methode", "parent", "enfant", "modele"), CAS, ids=[cas[0] for cas in CAS])
def test_l_objet_d_un_autre_ordre_du_meme_agent_donne_404(client, nom, methode, parent, enfant, modele):
    agent = AgentFactory()
    mien, autre = parent(agent), parent(agent)
    objet = enfant(autre)
    client.force_login(agent.user)
    adresse = reverse(nom, args=[mien.pk, objet.pk])
    assert getattr(client, methode)(adresse).status_code == 404
    # Sous son propre parent, la même adresse mène bien à l'objet : le 404 vient du seul filtre par parent.
    if methode == "get":
        assert client.get(reverse(nom, args=[autre.pk, objet.pk])).status_code == 200
    if modele is not None:
        assert modele.objects.filter(pk=objet.pk).exists()
