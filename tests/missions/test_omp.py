import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from missions.enums import Etat, Periode, SourceKm, TypeOrdre
from missions.models import OrdreMission, TrajetHabituel
from missions.periodes import bornes_periode, mois_couverts
from tests.agents.factories import AgentFactory, CommuneFactory, EtablissementFactory, VehiculeFactory
from tests.missions.factories import DistanceFactory, OrdreMissionFactory


@pytest.mark.parametrize(
    "periode,annee,debut,fin",
    [
        (Periode.ANNEE_CIVILE, 2026, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        (Periode.ANNEE_SCOLAIRE, 2026, datetime.date(2026, 9, 1), datetime.date(2027, 8, 31)),
        (Periode.SEPT_DEC, 2026, datetime.date(2026, 9, 1), datetime.date(2026, 12, 31)),
        (Periode.JANV_AOUT, 2027, datetime.date(2027, 1, 1), datetime.date(2027, 8, 31)),
    ],
)
def test_bornes_des_periodes(periode, annee, debut, fin):
    assert bornes_periode(periode, annee) == (debut, fin)


def test_mois_couverts():
    assert mois_couverts(datetime.date(2026, 11, 15), datetime.date(2027, 2, 1)) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]


@pytest.fixture
def agent(db):
    antibes = CommuneFactory(insee="06004", nom="Antibes", latitude=Decimal("43.58041"), longitude=Decimal("7.12286"))
    agent = AgentFactory(residence_administrative=EtablissementFactory(commune=antibes), commune_familiale=antibes)
    VehiculeFactory(agent=agent)
    return agent


@pytest.mark.django_db
class TestCreationOmp:
    def test_formulaire_pre_rempli_depuis_la_fiche(self, client, agent):
        client.force_login(agent.user)
        response = client.get(reverse("missions:creer_omp"))
        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial["enveloppe_budgetaire"] == agent.enveloppe_budgetaire_id
        assert form.initial["vehicule_personnel"] is True

    def test_creation_annee_scolaire(self, client, agent):
        client.force_login(agent.user)
        response = client.post(
            reverse("missions:creer_omp"),
            {"periode": "annee_scolaire", "annee": "2026", "objet": "Service partagé", "vehicule_personnel": "on"},
        )
        ordre = OrdreMission.objects.get(agent=agent)
        assert response.url == reverse("missions:ordre", args=[ordre.pk])
        assert (ordre.type, ordre.etat, ordre.date_debut, ordre.date_fin) == (
            TypeOrdre.PERMANENT,
            Etat.BROUILLON,
            datetime.date(2026, 9, 1),
            datetime.date(2027, 8, 31),
        )
        assert ordre.vehicule == agent.vehicules.get()

    def test_erreurs_en_francais_et_saisie_conservee(self, client, agent):
        client.force_login(agent.user)
        response = client.post(
            reverse("missions:creer_omp"), {"periode": "annee_scolaire", "annee": "2010", "objet": "Mon objet"}
        )
        assert response.status_code == 422
        assert "Aucun barème n&#x27;existe avant 2019." in response.text
        assert "Cochez au moins un moyen de transport autorisé." in response.text
        assert 'value="Mon objet"' in response.text
        assert not OrdreMission.objects.exists()

    def test_reserve_aux_agents(self, client, db):
        from tests.agents.factories import UserFactory

        client.force_login(UserFactory(valideur=True))
        assert client.get(reverse("missions:creer_omp")).status_code == 403


@pytest.mark.django_db
class TestTrajetsHabituels:
    def donnees(self, destination, **extra):
        return {
            "depart": "adm",
            "destination_commune": destination.insee,
            "jours": ["0", "3"],
            "trajets_par_jour": "2",
            "repas": "aucun",
            **extra,
        }

    def test_km_du_distancier(self, client, agent):
        ordre = OrdreMissionFactory(agent=agent)
        vallauris = CommuneFactory(insee="06155", nom="Vallauris")
        DistanceFactory(commune_a=agent.residence_administrative.commune, commune_b=vallauris, km=Decimal("7.5"))
        client.force_login(agent.user)
        response = client.post(reverse("missions:ajouter_trajet_habituel", args=[ordre.pk]), self.donnees(vallauris))
        assert response.status_code == 302
        trajet = TrajetHabituel.objects.get(ordre=ordre)
        assert (trajet.km_aller, trajet.source_km, trajet.jours_semaine) == (Decimal("7.5"), SourceKm.DISTANCIER, "0,3")

    def test_horaires_habituels_ecrits_et_affiches(self, client, agent):
        ordre = OrdreMissionFactory(agent=agent)
        vallauris = CommuneFactory(insee="06155", nom="Vallauris")
        DistanceFactory(commune_a=agent.residence_administrative.commune, commune_b=vallauris, km=Decimal("7.5"))
        client.force_login(agent.user)
        url = reverse("missions:ajouter_trajet_habituel", args=[ordre.pk])
        refus = client.post(url, self.donnees(vallauris, horaires="17 h – 9 h"))
        assert refus.status_code == 422 and "Horaires illisibles" in refus.text
        assert not TrajetHabituel.objects.filter(ordre=ordre).exists()
        client.post(url, self.donnees(vallauris, horaires="8h30-16h30"))
        assert TrajetHabituel.objects.get(ordre=ordre).horaires == "8 h 30 – 16 h 30"
        assert "8 h 30 – 16 h 30" in client.get(reverse("missions:ordre", args=[ordre.pk])).text

    def test_km_estime_depuis_les_coordonnees(self, client, agent):
        ordre = OrdreMissionFactory(agent=agent)
        nice = CommuneFactory(insee="06088", nom="Nice", latitude=Decimal("43.69645"), longitude=Decimal("7.27109"))
        client.force_login(agent.user)
        client.post(reverse("missions:ajouter_trajet_habituel", args=[ordre.pk]), self.donnees(nice))
        trajet = TrajetHabituel.objects.get(ordre=ordre)
        assert trajet.source_km == SourceKm.ESTIMATION
        assert Decimal("15") < trajet.km_aller < Decimal("30")

    def test_une_distance_differente_exige_un_motif(self, client, agent):
        ordre = OrdreMissionFactory(agent=agent)
        vallauris = CommuneFactory(insee="06155", nom="Vallauris")
        DistanceFactory(commune_a=agent.residence_administrative.commune, commune_b=vallauris, km=Decimal("7.5"))
        client.force_login(agent.user)
        url = reverse("missions:ajouter_trajet_habituel", args=[ordre.pk])
        response = client.post(url, self.donnees(vallauris, km_aller="9"))
        assert "indiquez pourquoi" in response.text
        assert 'value="9"' in response.text
        assert not TrajetHabituel.objects.exists()
        client.post(url, self.donnees(vallauris, km_aller="9", motif_km="Route du bord de mer fermée"))
        trajet = TrajetHabituel.objects.get(ordre=ordre)
        assert (trajet.km_aller, trajet.km_reference, trajet.source_km) == (Decimal("9"), Decimal("7.5"), "declare")

    def test_destination_inconnue(self, client, agent):
        ordre = OrdreMissionFactory(agent=agent)
        client.force_login(agent.user)
        response = client.post(
            reverse("missions:ajouter_trajet_habituel", args=[ordre.pk]),
            {
                "depart": "adm",
                "destination_commune": "99999",
                "jours": ["0"],
                "trajets_par_jour": "2",
                "repas": "aucun",
            },
        )
        assert "Aucune commune ne porte le code INSEE « 99999 »" in response.text

    def test_plus_modifiable_apres_soumission(self, client, agent):
        ordre = OrdreMissionFactory(agent=agent, etat=Etat.ATTENTE_VH1)
        client.force_login(agent.user)
        assert client.get(reverse("missions:ajouter_trajet_habituel", args=[ordre.pk])).status_code == 403
        assert client.get(reverse("missions:modifier_omp", args=[ordre.pk])).status_code == 403

    def test_l_omp_d_un_autre_agent_est_introuvable(self, client, agent):
        autre = OrdreMissionFactory()
        client.force_login(agent.user)
        assert client.get(reverse("missions:ajouter_trajet_habituel", args=[autre.pk])).status_code == 404
        assert client.get(reverse("missions:ordre", args=[autre.pk])).status_code == 404


@pytest.mark.django_db
class TestOmpParLeGestionnaire:
    def test_le_gestionnaire_cree_l_omp_d_un_agent_de_son_perimetre(self, client, agent):
        from tests.agents.factories import PerimetreGestionnaireFactory

        gestionnaire = PerimetreGestionnaireFactory(categorie=agent.categorie).gestionnaire.user
        client.force_login(gestionnaire)
        url = reverse("missions:creer_omp_pour", args=[agent.pk])
        assert "pour " + agent.user.get_full_name() in client.get(url).text
        client.post(
            url, {"periode": "annee_civile", "annee": "2027", "objet": "Inspection", "transports_publics": "on"}
        )
        ordre = OrdreMission.objects.get(agent=agent)
        assert (ordre.created_by, ordre.date_debut) == (gestionnaire, datetime.date(2027, 1, 1))

    def test_hors_perimetre_404(self, client, agent):
        from tests.agents.factories import PerimetreGestionnaireFactory

        client.force_login(PerimetreGestionnaireFactory(categorie="ien").gestionnaire.user)
        assert client.get(reverse("missions:creer_omp_pour", args=[agent.pk])).status_code == 404
        assert not OrdreMission.objects.exists()


@pytest.mark.django_db
class TestAbsences:
    def test_declarer_chevaucher_supprimer(self, client, agent):
        client.force_login(agent.user)
        url = reverse("missions:absences")
        client.post(url, {"date_debut": "2026-10-05", "date_fin": "2026-10-09", "motif": "Formation"})
        assert agent.absences.count() == 1
        response = client.post(url, {"date_debut": "2026-10-09", "date_fin": "2026-10-12", "motif": "Congé"})
        assert response.status_code == 422
        assert "Une absence déjà déclarée couvre une partie de ces dates." in response.text
        assert 'value="Congé"' in response.text
        absence = agent.absences.get()
        autre = AgentFactory()
        client.force_login(autre.user)
        assert client.post(reverse("missions:supprimer_absence", args=[absence.pk])).status_code == 404
        client.force_login(agent.user)
        client.post(reverse("missions:supprimer_absence", args=[absence.pk]))
        assert not agent.absences.exists()


@pytest.mark.django_db
class TestDocumentsEtPieces:
    def test_pdf_de_l_ordre_et_404_pour_les_autres(self, client, agent, baremes_officiels):
        ordre = OrdreMissionFactory(agent=agent)
        client.force_login(agent.user)
        response = client.get(reverse("missions:document_pdf", args=[ordre.pk, "ordre"]))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert client.get(reverse("missions:document_pdf", args=[ordre.pk, "attestation"])).status_code == 404
        client.force_login(AgentFactory().user)
        assert client.get(reverse("missions:document_pdf", args=[ordre.pk, "ordre"])).status_code == 404

    def test_depot_d_une_piece_puis_lecture_par_le_seul_ayant_droit(self, client, agent):
        from django.core.files.uploadedfile import SimpleUploadedFile

        ordre = OrdreMissionFactory(agent=agent, vehicule_personnel=True)
        client.force_login(agent.user)
        fichier = SimpleUploadedFile("auvp.pdf", b"%PDF-1.7 fictif", content_type="application/pdf")
        client.post(reverse("missions:deposer_piece", args=[ordre.pk]), {"type": "auvp", "fichier": fichier})
        piece = ordre.pieces.get()
        url = reverse("missions:piece", args=[ordre.pk, piece.pk])
        assert b"".join(client.get(url).streaming_content).startswith(b"%PDF-")
        page = client.get(reverse("missions:ordre", args=[ordre.pk])).text
        assert "Autorisation d&#x27;utilisation du véhicule personnel (AUVP)</strong> :" in page
        client.force_login(AgentFactory().user)
        assert client.get(url).status_code == 404

    def test_une_piece_refusee_revient_avec_la_saisie_et_l_erreur_sous_le_champ(self, client, agent):
        from django.core.files.uploadedfile import SimpleUploadedFile

        ordre = OrdreMissionFactory(agent=agent, vehicule_personnel=True)
        client.force_login(agent.user)
        texte = SimpleUploadedFile("auvp.pdf", b"pas un pdf", content_type="application/pdf")
        response = client.post(
            reverse("missions:deposer_piece", args=[ordre.pk]),
            {"type": "auvp", "fichier": texte, "valide_jusqu_au": "2027-08-31"},
        )
        assert response.status_code == 422
        assert "n&#x27;est ni un PDF" in response.text
        assert '<option value="auvp" selected>' in response.text and 'value="2027-08-31"' in response.text
        assert not ordre.pieces.exists()
