import pytest
from django.core.management import call_command

from bareme import services
from tests.agents.factories import CommuneFactory, LimitropheFactory, UserFactory


@pytest.fixture
def baremes(db):
    """L'historique officiel des barèmes, chargé par la commande de la démo."""
    call_command("charger_baremes", verbosity=0)


@pytest.fixture
def communes(db):
    """Des communes réelles (codes INSEE, populations et points de référence du référentiel)."""
    marseille = CommuneFactory(
        insee="13055", nom="Marseille", departement="13", population=863310, latitude="43.29760", longitude="5.36943"
    )
    antibes = CommuneFactory(
        insee="06004", nom="Antibes", departement="06", population=72999, latitude="43.58065", longitude="7.12767"
    )
    vallauris = CommuneFactory(
        insee="06155", nom="Vallauris", departement="06", population=26672, latitude="43.57976", longitude="7.05554"
    )
    biot = CommuneFactory(
        insee="06018", nom="Biot", departement="06", population=10272, latitude="43.62826", longitude="7.09582"
    )
    communes = {
        "antibes": antibes,
        "vallauris": vallauris,
        "biot": biot,
        "nice": CommuneFactory(
            insee="06088", nom="Nice", departement="06", population=340017, latitude="43.69611", longitude="7.27178"
        ),
        "cannes": CommuneFactory(
            insee="06029", nom="Cannes", departement="06", population=73868, latitude="43.55135", longitude="7.01275"
        ),
        "paris": CommuneFactory(insee="75056", nom="Paris", departement="75", population=2113705),
        "marseille": marseille,
        "marseille_1er": CommuneFactory(
            insee="13201",
            nom="Marseille 1er Arrondissement",
            departement="13",
            population=39786,
            arrondissement_de=marseille,
        ),
        "boulogne": CommuneFactory(insee="92012", nom="Boulogne-Billancourt", departement="92", population=121334),
        "argenteuil": CommuneFactory(insee="95018", nom="Argenteuil", departement="95", population=111000),
        "fort_de_france": CommuneFactory(
            insee="97209",
            nom="Fort-de-France",
            departement="972",
            population=80041,
            latitude="14.60737",
            longitude="-61.06944",
        ),
        "schoelcher": CommuneFactory(
            insee="97229",
            nom="Schœlcher",
            departement="972",
            population=19997,
            latitude="14.61607",
            longitude="-61.10132",
        ),
    }
    communes["paris_7e"] = CommuneFactory(
        insee="75107",
        nom="Paris 7e Arrondissement",
        departement="75",
        population=48000,
        arrondissement_de=communes["paris"],
    )
    LimitropheFactory(commune_a=antibes, commune_b=vallauris, desservie_transports_publics=True)
    LimitropheFactory(commune_a=antibes, commune_b=biot, desservie_transports_publics=False)
    LimitropheFactory(
        commune_a=communes["fort_de_france"], commune_b=communes["schoelcher"], desservie_transports_publics=True
    )
    return communes


@pytest.fixture
def admin_user(db):
    return UserFactory(admin=True)


@pytest.fixture
def utilisations():
    """Inscrit une fausse application qui déclare des versions « utilisées » ; retirée après le test."""
    versions_utilisees: set[int] = set()

    def fausse_utilisation(version):
        return version.pk in versions_utilisees

    services.utilisations.enregistrer(fausse_utilisation)
    yield versions_utilisees
    services.utilisations.retirer(fausse_utilisation)


@pytest.fixture
def regularisations():
    """Inscrit une fausse application qui déclare des ordres à régulariser ; retirée après le test."""
    ordres: dict[int, list[services.OrdreConcerne]] = {}

    def faux_ordres(version):
        return ordres.get(version.pk, [])

    services.regularisations.enregistrer(faux_ordres)
    yield ordres
    services.regularisations.retirer(faux_ordres)
