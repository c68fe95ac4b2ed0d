"""Les OM ponctuels de la démo : trois convocations d'enseignants passées par les vrais services (billets de
l'agence, état de frais déclaré, ordre à valider), datées par rapport au jour du chargement, et rien de dupliqué
quand la démo est rechargée."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from agents.demo import charger_academie_demo
from agents.imports import FICHIER_VILLES_CONVOCATION_DEMO, importer_communes
from agents.models import Gestionnaire
from agents.selectors import comptes_demo
from missions.calculs import en_heure_locale
from missions.enums import Etat, TypeEtape, TypeOrdre
from missions.models import Billet, DemandeBillet, OrdreMission
from missions.ponctuels import file_agence
from validation import etats_frais
from validation.demo import PDF_DEMO, charger_ponctuels_demo
from validation.management.commands.charger_demo import BUDGET
from validation.models import (
    ActionEF,
    EtatEF,
    EtatFrais,
    HistoriqueTransition,
    JustificatifEtatFrais,
    NatureLigne,
    Notification,
)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date(2026, 11, 27)  # un vendredi : le jour exact de chaque convocation est vérifié


@pytest.fixture(autouse=True)
def stockage_en_memoire(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def academie(db):
    """Ce que `charger_demo` charge avant les OM ponctuels : communes, Paris et Lyon, barèmes, personnes."""
    call_command("importer_communes", demo=True, wet_run=True, verbosity=0)
    importer_communes(FICHIER_VILLES_CONVOCATION_DEMO, enregistrer=True)
    call_command("charger_baremes", verbosity=0)
    for type_, fichier in BUDGET:
        chemin = str(settings.REFERENCE_DATA_DIR / "budget" / fichier)
        call_command("importer_referentiel_budgetaire", chemin, type=type_, wet_run=True, verbosity=0)
    charger_academie_demo(AUJOURD_HUI)


def ponctuels() -> list[OrdreMission]:
    return list(
        OrdreMission.objects.filter(type=TypeOrdre.PONCTUEL)
        .select_related("agent__user", "destination_principale")
        .order_by("pk")
    )


def jour_local(moment) -> datetime.date:
    return en_heure_locale(moment).date()


def heure_locale(moment) -> str:
    return f"{en_heure_locale(moment):%H:%M}"


def comptes() -> dict[str, int]:
    modeles = (
        OrdreMission,
        DemandeBillet,
        Billet,
        EtatFrais,
        JustificatifEtatFrais,
        HistoriqueTransition,
        Notification,
    )
    return {modele.__name__: modele.objects.count() for modele in modeles}


def test_quatre_convocations_d_enseignants_a_des_agents_differents(academie):
    assert charger_ponctuels_demo(AUJOURD_HUI) == 4
    ordres = ponctuels()
    assert len({ordre.agent_id for ordre in ordres}) == 4
    for ordre in ordres:
        assert ordre.agent.categorie in ("tzr", "service_partage")
        assert ordre.agent.valideurs.exists()
        assert ordre.demande_billets and ordre.convocation.read() == PDF_DEMO
        assert ordre.enveloppe_budgetaire is not None
        assert (ordre.enveloppe_budgetaire, ordre.centre_couts, ordre.domaine_fonctionnel) == (
            ordre.agent.enveloppe_budgetaire,
            ordre.agent.centre_couts,
            ordre.agent.domaine_fonctionnel,
        )
        assert [(d.sens, d.date) for d in ordre.demandes_billets.order_by("sens")] == [
            ("aller", jour_local(ordre.depart_le)),
            ("retour", jour_local(ordre.retour_le)),
        ]


def test_convocation_passee_validee_billets_emis_l_agent_peut_etablir_son_etat_de_frais(academie):
    charger_ponctuels_demo(AUJOURD_HUI)
    ordre = ponctuels()[0]
    assert (ordre.etat, ordre.destination_principale.insee) == (Etat.VALIDE, "75056")
    assert jour_local(ordre.depart_le) == jour_local(ordre.retour_le) == datetime.date(2026, 11, 13)
    assert (heure_locale(ordre.depart_le), heure_locale(ordre.retour_le)) == ("05:51", "20:09")
    assert ordre.demandes_billets.filter(transmise_le__isnull=False).count() == 2
    billets = Billet.objects.filter(demande__ordre=ordre).select_related("enregistre_par__gestionnaire")
    assert len(billets) == 2
    assert all(billet.enregistre_par.gestionnaire.est_agence_voyage and billet.fichier for billet in billets)
    assert not ordre.etats_frais.exists()

    etat_frais = etats_frais.etablir(ordre=ordre, par=ordre.agent.user)
    assert etat_frais.etat == EtatEF.BROUILLON
    assert sorted(etat_frais.etapes.values_list("type", flat=True)) == [TypeEtape.DEJEUNER, TypeEtape.DINER]


def test_convocation_passee_etat_de_frais_corrige_et_soumis_au_gestionnaire(academie):
    charger_ponctuels_demo(AUJOURD_HUI)
    ordre = ponctuels()[1]
    assert ordre.etat == Etat.VALIDE and Billet.objects.filter(demande__ordre=ordre).count() == 2
    assert jour_local(ordre.depart_le) == datetime.date(2026, 11, 6)
    assert list(ordre.etapes.values_list("type", flat=True)) == [TypeEtape.DEJEUNER]  # retour prévu à 19 h 52

    etat_frais = EtatFrais.objects.get(ordre=ordre)
    assert etat_frais.etat == EtatEF.A_VALIDER
    assert etat_frais.depart_le == ordre.depart_le
    assert heure_locale(etat_frais.retour_le) == "20:47"  # le train du retour en retard : le dîner devient dû
    assert sorted(etat_frais.etapes.values_list("type", flat=True)) == [TypeEtape.DEJEUNER, TypeEtape.DINER]
    natures = sorted(etat_frais.lignes.values_list("nature", flat=True))
    assert natures == sorted([NatureLigne.REPAS, NatureLigne.REPAS, NatureLigne.TRANSPORT_PUBLIC])
    assert etat_frais.montant_total == sum(ligne.montant for ligne in etat_frais.lignes.all()) > ordre.montant_total
    assert etat_frais.justificatifs.count() == 1
    assert list(etat_frais.historique.order_by("created_at", "pk").values_list("transition", flat=True)) == [
        ActionEF.CREER,
        ActionEF.SOUMETTRE,
    ]


def test_convocation_a_venir_avec_une_nuit_a_lyon_attend_le_valideur(academie):
    charger_ponctuels_demo(AUJOURD_HUI)
    ordre = ponctuels()[2]
    assert (ordre.etat, ordre.destination_principale.insee) == (Etat.ATTENTE_VH1, "69123")
    assert ordre.destinataire in ordre.agent.valideurs.all()
    assert (jour_local(ordre.depart_le), jour_local(ordre.retour_le)) == (
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 8),
    )
    assert list(ordre.etapes.filter(type=TypeEtape.NUITEE).values_list("commune__insee", flat=True)) == ["69123"]
    assert not ordre.demandes_billets.filter(transmise_le__isnull=False).exists()
    assert not Billet.objects.filter(demande__ordre=ordre).exists() and not ordre.etats_frais.exists()


def test_convocation_validee_dont_les_billets_attendent_l_agence(academie):
    charger_ponctuels_demo(AUJOURD_HUI)
    ordre = ponctuels()[3]
    assert (ordre.etat, ordre.destination_principale.insee) == (Etat.VALIDE, "75056")
    assert ordre.demandes_billets.filter(transmise_le__isnull=False).count() == 2
    assert not Billet.objects.filter(demande__ordre=ordre).exists()
    a_traiter = [
        element["ordre"].pk
        for agence in Gestionnaire.objects.filter(est_agence_voyage=True).select_related("user")
        for element in file_agence(agence.user)["a_traiter"]
    ]
    assert a_traiter == [ordre.pk]  # la file de l'agence de voyage n'est pas vide dans la démo


@pytest.mark.parametrize("aujourd_hui", [datetime.date(2026, 11, 29), datetime.date(2026, 12, 1)])
def test_les_convocations_tombent_en_semaine_quel_que_soit_le_jour(academie, aujourd_hui):
    """Un dimanche, les convocations passées reculent au vendredi ; un mardi, celle à venir (deux jours) tomberait
    un vendredi et samedi : elle recule d'un jour."""
    charger_ponctuels_demo(aujourd_hui)
    passee, autre_passee, a_venir, a_commander = ponctuels()
    for ordre in (passee, autre_passee, a_venir, a_commander):
        debut, fin = jour_local(ordre.depart_le), jour_local(ordre.retour_le)
        assert debut.weekday() < 5 and fin.weekday() < 5, (debut, fin)
    assert (
        jour_local(autre_passee.depart_le) < jour_local(passee.depart_le) < aujourd_hui < jour_local(a_venir.depart_le)
    )


def test_recharger_la_demo_ne_duplique_rien(academie):
    assert charger_ponctuels_demo(AUJOURD_HUI) == 4
    apres_un_chargement = comptes()
    assert charger_ponctuels_demo(AUJOURD_HUI) == 0
    assert charger_ponctuels_demo(AUJOURD_HUI + datetime.timedelta(days=1)) == 0
    assert comptes() == apres_un_chargement
    assert apres_un_chargement["OrdreMission"] == 4 and apres_un_chargement["Billet"] == 4


def test_les_dates_suivent_le_jour_du_chargement(academie):
    charger_ponctuels_demo()
    aujourd_hui = timezone.localdate()
    passee, _, a_venir, _ = ponctuels()
    assert 14 <= (aujourd_hui - jour_local(passee.depart_le)).days <= 16
    assert 7 <= (jour_local(a_venir.depart_le) - aujourd_hui).days <= 10


def test_la_page_de_connexion_propose_l_enseignant_convoque(academie):
    assert not any(compte.get("note") for compte in comptes_demo()["essentiels"])
    charger_ponctuels_demo(AUJOURD_HUI)
    a_etablir = ponctuels()[0]  # mission passée, billets reçus, pas encore d'état de frais
    essentiels = comptes_demo()["essentiels"]
    assert essentiels[1]["email"] == a_etablir.agent.user.email
    assert essentiels[1]["note"] == "convoqué à Paris : billets reçus, état de frais à établir"
    assert len(essentiels) == 5  # agent, enseignant convoqué, valideur, gestionnaire, administrateur
