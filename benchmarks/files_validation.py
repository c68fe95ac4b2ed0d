"""Mesure les files « À valider » et « Gestion » et la validation groupée sur une académie de 10 000 agents.

Ce n'est pas un test : il écrit dans la base désignée par DATABASE_URL, qu'il faut avoir créée et migrée.

    createdb -h 127.0.0.1 -U postgres itinera_bench_files
    export DJANGO_SETTINGS_MODULE=config.settings.test
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itinera_bench_files
    .venv/bin/python manage.py migrate
    .venv/bin/python benchmarks/files_validation.py            # garnit la base puis mesure
    .venv/bin/python benchmarks/files_validation.py --reuse    # mesure de nouveau, sans regarnir
    .venv/bin/python benchmarks/files_validation.py --reuse --explain   # et EXPLAIN ANALYZE des requêtes lentes
    dropdb -h 127.0.0.1 -U postgres itinera_bench_files

Le jeu de données (graine fixe, par `bulk_create`) : 200 établissements dans 40 communes de quatre départements,
10 000 agents de toutes catégories, dont 300 valideurs hiérarchiques (VH1) qui ont chacun environ 33 agents,
deux gestionnaires dont le périmètre est fait de catégories (l'un avec deux règles limitées à un département),
quelques délégations actives et terminées, et 100 000 ordres de mission : un OMP et douze OMI (décembre 2025 à
novembre 2026) pour chaque agent itinérant, le reste en OM ponctuels, insérés mois après mois. Les mois anciens
sont presque tous validés, le mois écoulé est en cours de validation, le dernier mois surtout en cours de
création ; environ 15 % des ordres soumis portent des anomalies. Puis `VACUUM ANALYZE`, comme l'autovacuum.

Chaque page est affichée une fois pour chauffer, puis 50 fois (`--passages`) par le client de test de Django
(connecté par `force_login`) : on rapporte p50, p95 et maximum du temps serveur, le temps processeur médian du
processus Python (hors PostgreSQL) et les requêtes SQL d'un affichage avec leur durée. Puis
500 OMI en attente du gestionnaire, sans ligne ni frais (leurs montants se figent à zéro ; leur validation crée
leur état de frais), sont créés et validés par `validation.services.valider_en_lot`, comme le fait la validation
groupée.
Objectifs : p95 sous 150 ms pour chaque page, moins de 10 s pour le lot de 500.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
GRAINE = 2026
NB_AGENTS = 10_000
NB_VH1 = 300
NB_ORDRES = 100_000
NB_ETABLISSEMENTS = 200
NB_LOT = 500
OBJECTIF_PAGE_MS = 150
OBJECTIF_LOT_S = 10
DOMAINE = "mesure-files.test"
OBJET_LOT = "Déplacements de mesure (lot de validation groupée)"

# Douze mois d'OMI, du plus ancien (décembre 2025) au plus récent (novembre 2026), dates fixes pour comparer.
MOIS = [datetime.date(2025 + (11 + n) // 12, (11 + n) % 12 + 1, 1) for n in range(12)]
MOIS_ECOULE = MOIS[-2]

# (catégorie, part des agents) ; les quatre premières sont itinérantes : un OMP et des OMI chaque mois.
CATEGORIES = [
    ("aesh", 0.40),
    ("service_partage", 0.15),
    ("tzr", 0.15),
    ("conseiller_pedagogique", 0.05),
    ("rattachement_administratif", 0.05),
    ("charge_de_mission", 0.04),
    ("ien", 0.03),
    ("ia_ipr", 0.01),
    ("autre", 0.12),
]
ITINERANTES = {"aesh", "service_partage", "tzr", "conseiller_pedagogique"}
# Deux gestionnaires ; une règle est (catégorie, département) ; le second ne gère « autre » que dans le 06 et le 13.
PERIMETRES = {
    "gestionnaire.un": [("aesh", ""), ("tzr", "")],
    "gestionnaire.deux": [
        ("service_partage", ""),
        ("conseiller_pedagogique", ""),
        ("rattachement_administratif", ""),
        ("charge_de_mission", ""),
        ("ien", ""),
        ("ia_ipr", ""),
        ("autre", "06"),
        ("autre", "13"),
    ],
}
ANOMALIES = [
    {"code": "week_end", "message": "Trajet déclaré un samedi (le 3 octobre).", "bloquante": False, "ligne": None},
    {
        "code": "km_distancier",
        "message": "Distance déclarée supérieure de plus de 10 % au distancier (34 km pour 28 km).",
        "bloquante": False,
        "ligne": None,
    },
    {
        "code": "justificatif",
        "message": "Stationnement : justificatif manquant les 5 et 8 octobre 2026.",
        "bloquante": False,
        "ligne": None,
    },
]


def etats_du_mois(rang: int) -> list[tuple[str, float]]:
    """Répartition des états selon l'ancienneté du mois (0 = mois courant)."""
    if rang == 0:
        return [("brouillon", 0.85), ("attente_vh1", 0.10), ("attente_gestionnaire", 0.05)]
    if rang == 1:
        return [
            ("brouillon", 0.05),
            ("attente_vh1", 0.25),
            ("attente_gestionnaire", 0.35),
            ("valide", 0.30),
            ("refuse", 0.05),
        ]
    if rang == 2:
        return [
            ("attente_vh1", 0.05),
            ("attente_gestionnaire", 0.15),
            ("valide", 0.75),
            ("refuse", 0.03),
            ("annule", 0.02),
        ]
    return [("attente_gestionnaire", 0.01), ("valide", 0.95), ("refuse", 0.02), ("annule", 0.02)]


def centile(valeurs: list[float], rang: float) -> float:
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, round(rang / 100 * (len(valeurs) - 1)))]


def tirer(hasard: random.Random, repartition: list[tuple[str, float]]) -> str:
    return hasard.choices([valeur for valeur, _ in repartition], weights=[part for _, part in repartition])[0]


# --- Jeu de données --------------------------------------------------------------------------------------------------


def garnir(hasard: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from agents.models import (
        Agent,
        Commune,
        Etablissement,
        Gestionnaire,
        PerimetreGestionnaire,
        ServiceGestionnaire,
        User,
    )
    from agents.validators import uai_check_letter
    from missions.models import OrdreMission
    from validation.models import Delegation

    lot = 5000
    with transaction.atomic():
        departements = ["06", "13", "25", "90"]
        communes = Commune.objects.bulk_create(
            Commune(
                insee=f"{departements[n % 4]}{900 + n:03d}",
                nom=f"Commune de mesure {n}",
                departement=departements[n % 4],
                codes_postaux=f"{departements[n % 4]}{900 + n:03d}",
                latitude=Decimal("43.50") + Decimal(n) / 100,
                longitude=Decimal("6.50") + Decimal(n) / 100,
                population=1000 * (n + 1),
            )
            for n in range(40)
        )
        types = ["ecole", "ecole", "ecole", "college", "lycee", "lp", "service"]
        etablissements = Etablissement.objects.bulk_create(
            Etablissement(
                uai=f"{9000000 + n:07d}" + uai_check_letter(f"{9000000 + n:07d}"),
                nom=f"Établissement de mesure {n:03d}",
                type=types[n % len(types)],
                commune=communes[n % len(communes)],
            )
            for n in range(NB_ETABLISSEMENTS)
        )
        services = ServiceGestionnaire.objects.bulk_create(
            [
                ServiceGestionnaire(code="MESURE-1", nom="Service des frais de déplacement (1er degré)"),
                ServiceGestionnaire(code="MESURE-2", nom="Service des frais de déplacement (2nd degré)"),
            ]
        )
        service_de = {categorie: services[0] for categorie, _ in PERIMETRES["gestionnaire.un"]}

        # Les catégories en proportions exactes, mélangées ; les 300 premiers agents sont aussi VH1.
        categories = [c for c, part in CATEGORIES for _ in range(round(part * NB_AGENTS))]
        categories = (categories + ["autre"] * NB_AGENTS)[:NB_AGENTS]
        hasard.shuffle(categories)
        maintenant = timezone.now()
        users = User.objects.bulk_create(
            [
                User(
                    email=f"agent{n:05d}@{DOMAINE}",
                    first_name=f"Prénom{n % 97}",
                    last_name=f"Nom{hasard.randrange(5000):04d}",
                    password="!",
                    is_valideur=n < NB_VH1,
                    date_joined=maintenant,
                )
                for n in range(NB_AGENTS)
            ]
            + [
                User(email=f"{nom}@{DOMAINE}", first_name="Gestionnaire", last_name=nom, password="!")
                for nom in PERIMETRES
            ],
            batch_size=lot,
        )
        agents = Agent.objects.bulk_create(
            (
                Agent(
                    user=users[n],
                    civilite="mme" if n % 3 else "m",
                    categorie=categories[n],
                    residence_administrative=etablissements[hasard.randrange(NB_ETABLISSEMENTS)],
                    commune_familiale=communes[hasard.randrange(len(communes))],
                    service_gestionnaire=service_de.get(categories[n], services[1]),
                )
                for n in range(NB_AGENTS)
            ),
            batch_size=lot,
        )
        valideurs = users[:NB_VH1]
        # Chaque agent a un VH1 (≈ 33 agents chacun) ; un agent sur dix en a un second ; jamais soi-même.
        vh1_de = [valideurs[n % NB_VH1] if n >= NB_VH1 else valideurs[(n + 1) % NB_VH1] for n in range(NB_AGENTS)]
        liens = [Agent.valideurs.through(agent_id=agents[n].pk, user_id=vh1_de[n].pk) for n in range(NB_AGENTS)]
        liens += [
            Agent.valideurs.through(agent_id=agents[n].pk, user_id=valideurs[(n + 7) % NB_VH1].pk)
            for n in range(0, NB_AGENTS, 10)
            if valideurs[(n + 7) % NB_VH1].pk not in (vh1_de[n].pk, users[n].pk)
        ]
        Agent.valideurs.through.objects.bulk_create(liens, batch_size=lot)

        gestionnaires = {}
        for nom, regles in PERIMETRES.items():
            user = users[NB_AGENTS + list(PERIMETRES).index(nom)]
            gestionnaire = Gestionnaire.objects.create(user=user, service=services[list(PERIMETRES).index(nom)])
            PerimetreGestionnaire.objects.bulk_create(
                PerimetreGestionnaire(gestionnaire=gestionnaire, categorie=c, departement=d) for c, d in regles
            )
            gestionnaires[nom] = user

        aujourd_hui = datetime.date.today()
        jour = datetime.timedelta(days=1)
        Delegation.objects.bulk_create(
            [
                # Le VH1 mesuré valide aussi pour un collègue absent ; une ancienne délégation est terminée.
                Delegation(
                    delegant=valideurs[1],
                    delegataire=valideurs[0],
                    role="vh1",
                    date_debut=aujourd_hui - 3 * jour,
                    date_fin=aujourd_hui + 10 * jour,
                ),
                Delegation(
                    delegant=valideurs[2],
                    delegataire=valideurs[0],
                    role="vh1",
                    date_debut=aujourd_hui - 60 * jour,
                    date_fin=aujourd_hui - 30 * jour,
                ),
                Delegation(
                    delegant=valideurs[5],
                    delegataire=valideurs[6],
                    role="vh1",
                    date_debut=aujourd_hui - jour,
                    date_fin=aujourd_hui + 5 * jour,
                ),
                Delegation(
                    delegant=valideurs[8],
                    delegataire=valideurs[9],
                    role="vh1",
                    date_debut=aujourd_hui - 5 * jour,
                    date_fin=aujourd_hui + 5 * jour,
                    terminee_le=maintenant,
                ),
                # Le second gestionnaire supplée le premier (scénario « gestionnaire suppléant »).
                Delegation(
                    delegant=gestionnaires["gestionnaire.un"],
                    delegataire=gestionnaires["gestionnaire.deux"],
                    role="gestionnaire",
                    date_debut=aujourd_hui - jour,
                    date_fin=aujourd_hui + 14 * jour,
                ),
                Delegation(
                    delegant=gestionnaires["gestionnaire.deux"],
                    delegataire=gestionnaires["gestionnaire.un"],
                    role="gestionnaire",
                    date_debut=aujourd_hui - 90 * jour,
                    date_fin=aujourd_hui - 60 * jour,
                ),
            ]
        )

        def ordre(agent_index, etat, debut, fin, type_, **champs):
            agent, user = agents[agent_index], users[agent_index]
            soumis = etat != "brouillon"
            montant = Decimal(hasard.randrange(0, 60_000)) / 100 if soumis or hasard.random() < 0.7 else None
            avec_anomalies = soumis and hasard.random() < 0.15
            anomalies = ANOMALIES[: hasard.randint(1, 3)] if avec_anomalies else []
            fige = etat == "valide" and type_ != "permanent"
            return OrdreMission(
                type=type_,
                agent=agent,
                etat=etat,
                objet=champs.pop("objet", "Déplacements de service"),
                date_debut=debut,
                date_fin=fin,
                destinataire=vh1_de[agent_index] if soumis else None,
                soumis_le=(
                    timezone.make_aware(datetime.datetime.combine(fin, datetime.time(9)))
                    + datetime.timedelta(hours=hasard.randrange(1, 240))
                    if soumis
                    else None
                ),
                montant_estime=montant,
                anomalies=anomalies,
                nb_anomalies=len(anomalies),
                km_total=Decimal(hasard.randrange(0, 8000)) / 10 if fige else None,
                montant_ik=montant if fige else None,
                montant_frais=Decimal(0) if fige else None,
                montant_total=montant if fige else None,
                fige_le=maintenant if fige else None,
                motif_refus="Emploi du temps manquant." if etat == "refuse" else "",
                vehicule_personnel=type_ != "permanent",
                created_by=user,
                **champs,
            )

        itinerants = [n for n in range(NB_AGENTS) if categories[n] in ITINERANTES]
        omps = OrdreMission.objects.bulk_create(
            (
                ordre(n, "valide", MOIS[0], datetime.date(2026, 11, 30), "permanent", periode="libre")
                for n in itinerants
            ),
            batch_size=lot,
        )
        a_creer = []
        for n, omp in zip(itinerants, omps, strict=True):
            for rang_depuis_la_fin, mois in enumerate(reversed(MOIS)):
                fin = (mois + datetime.timedelta(days=32)).replace(day=1) - jour
                a_creer.append(
                    ordre(
                        n, tirer(hasard, etats_du_mois(rang_depuis_la_fin)), mois, fin, "itinerant", omp=omp, mois=mois
                    )
                )
        reste = NB_ORDRES - len(omps) - len(a_creer)
        for _ in range(reste):
            rang = hasard.randrange(12)
            debut = MOIS[-1 - rang] + hasard.randrange(25) * jour
            a_creer.append(
                ordre(
                    hasard.randrange(NB_AGENTS),
                    tirer(hasard, etats_du_mois(rang)),
                    debut,
                    debut + hasard.randrange(3) * jour,
                    "ponctuel",
                    objet="Réunion académique",
                )
            )
        # Dans l'ordre où ils auraient été créés, mois après mois : la table a la disposition physique d'une vraie base.
        a_creer.sort(key=lambda o: (o.date_debut, o.agent.pk))
        OrdreMission.objects.bulk_create(a_creer, batch_size=lot)
    # Comme le ferait l'autovacuum après un tel chargement : statistiques et carte de visibilité à jour.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def creer_lot(gestionnaire_user) -> list[int]:
    """500 OMI sans anomalie, sans ligne ni frais, en attente du gestionnaire mesuré : leurs montants se figent à zéro
    et leur validation crée leur état de frais, comme pour tout OMI. Chaque passage prend un mois encore libre
    (décembre 2026, puis janvier 2027…), un OMI par agent, mois et OMP."""
    from django.utils import timezone

    from agents.models import Agent
    from agents.selectors import perimetre_q
    from missions.models import OrdreMission

    omps = list(
        OrdreMission.objects.filter(
            type="permanent",
            agent__in=Agent.objects.filter(perimetre_q(gestionnaire_user.gestionnaire)),
            agent__user__email__endswith=f"@{DOMAINE}",
        )
        .select_related("agent__user")
        .order_by("agent_id")[:NB_LOT]
    )
    rang = OrdreMission.objects.filter(type="itinerant", objet=OBJET_LOT).count() // NB_LOT
    mois = datetime.date(2026 + (11 + rang) // 12, (11 + rang) % 12 + 1, 1)
    fin = (mois + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    maintenant = timezone.now()
    ordres = OrdreMission.objects.bulk_create(
        OrdreMission(
            type="itinerant",
            agent=omp.agent,
            omp=omp,
            mois=mois,
            etat="attente_gestionnaire",
            objet=OBJET_LOT,
            date_debut=mois,
            date_fin=fin,
            soumis_le=maintenant,
            montant_estime=Decimal("0.00"),
            vehicule_personnel=False,
            transports_publics=True,
            created_by=omp.agent.user,
        )
        for omp in omps
    )
    return [o.pk for o in ordres]


# --- Mesures ---------------------------------------------------------------------------------------------------------


def scenarios(users) -> list[tuple[str, object, str, dict]]:
    mois = f"{MOIS_ECOULE:%Y-%m}"
    return [
        ("VH1, première page", users["vh1"], "validation:a_valider", {}),
        ("VH1, filtrée (mois + anomalies)", users["vh1"], "validation:a_valider", {"mois": mois, "anomalie": "avec"}),
        ("Gestion, première page", users["gestionnaire"], "validation:gestion", {}),
        (
            "Gestion, filtrée (catégorie, montants, mois, tri montant)",
            users["gestionnaire"],
            "validation:gestion",
            {
                "etat": "attente_gestionnaire",
                "categorie": "aesh",
                "montant_min": "50",
                "montant_max": "400",
                "mois": mois,
                "tri": "montant",
            },
        ),
        (
            "Gestion, tous états, tri par agent",
            users["gestionnaire"],
            "validation:gestion",
            {"etat": "", "tri": "agent"},
        ),
        ("Gestion, suppléant (délégation active)", users["suppleant"], "validation:gestion", {}),
    ]


def expliquer(requetes: list[dict], seuil_ms: float) -> None:
    from django.db import connection

    for requete in sorted(requetes, key=lambda r: -float(r["time"])):
        if float(requete["time"]) * 1000 < seuil_ms:
            break
        sql = requete["sql"]
        if sql.startswith("DECLARE"):  # curseur côté serveur (`.iterator()`) : on explique sa requête
            sql = sql[sql.index(" FOR ") + len(" FOR ") :]
        if not sql.startswith("SELECT"):  # EXPLAIN ANALYZE exécuterait une écriture
            continue
        print(f"\n    -- {float(requete['time']) * 1000:.1f} ms : {sql[:3000]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (ligne,) in cursor.fetchall():
                print(f"    {ligne}")


def mesurer_page(client, adresse: str, params: dict, passages: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    processeur = []

    def un_passage() -> float:
        debut, debut_cpu = time.perf_counter(), time.process_time()
        reponse = client.get(adresse, params)
        duree = (time.perf_counter() - debut) * 1000
        processeur.append((time.process_time() - debut_cpu) * 1000)
        if reponse.status_code != 200:
            raise SystemExit(f"Réponse {reponse.status_code} pour {adresse} {params}")
        return duree

    un_passage()
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(adresse, params)
    # À copier tout de suite : chaque requête HTTP suivante vide le journal des requêtes SQL.
    requetes = list(capture.captured_queries)
    processeur.clear()
    durees = [un_passage() for _ in range(passages)]
    return {
        "cpu": statistics.median(processeur),
        "p50": statistics.median(durees),
        "p95": centile(durees, 95),
        "max": max(durees),
        "requetes": requetes,
        # Le client ne garde pas le contexte hors de la suite de tests : on lit la page.
        "lignes": reponse.content.count(b"<tr>") - 1,
        "total": int(re.sub(r"\D", "", re.search(r"Filtrer et trier \((\d+) affiché", reponse.text).group(1))),
    }


def mesurer_lot(gestionnaire_user) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from validation import selectors, services

    ids = creer_lot(gestionnaire_user)
    # Comme la vue : les ordres choisis, pris dans la file du gestionnaire.
    ordres = list(selectors.ordres_file_gestion(gestionnaire_user).filter(pk__in=ids).order_by("soumis_le", "pk"))
    if len(ordres) != NB_LOT:
        raise SystemExit(f"{len(ordres)} ordres du lot dans la file du gestionnaire au lieu de {NB_LOT}.")
    with CaptureQueriesContext(connection) as capture:
        debut, debut_cpu = time.perf_counter(), time.process_time()
        rapport = services.valider_en_lot(ordres=ordres, par=gestionnaire_user)
        duree, cpu = time.perf_counter() - debut, time.process_time() - debut_cpu
    if rapport.ignores:
        ordre, motif = rapport.ignores[0]
        raise SystemExit(f"{len(rapport.ignores)} ordres écartés du lot, par exemple {ordre.numero} : {motif}")
    return {"duree": duree, "cpu": cpu, "valides": len(rapport.valides), "requetes": len(capture.captured_queries)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="ne pas regarnir la base si le jeu de données existe")
    parser.add_argument("--passages", type=int, default=50, help="affichages mesurés par page (50)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE des requêtes lentes de chaque page")
    parser.add_argument("--seuil-ms", type=float, default=5.0, help="seuil des requêtes expliquées (5 ms)")
    parser.add_argument("--sans-lot", action="store_true", help="ne pas mesurer la validation groupée")
    options = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        print("Indiquez la base de mesure dans DATABASE_URL (voir l'aide en tête du script).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from agents.models import User
    from missions.models import OrdreMission

    print(f"Base : {connection.settings_dict['NAME']} ({connection.vendor})")
    existe = User.objects.filter(email=f"agent00000@{DOMAINE}").exists()
    if existe and not options.reuse:
        print("Le jeu de données existe déjà : relancez avec --reuse, ou recréez la base.", file=sys.stderr)
        return 2
    if not existe:
        if OrdreMission.objects.exists():
            print("La base contient d'autres ordres : utilisez une base vide, créée pour la mesure.", file=sys.stderr)
            return 2
        debut = time.perf_counter()
        garnir(random.Random(GRAINE))
        print(f"Jeu de données créé en {time.perf_counter() - debut:.1f} s")
    print(
        f"{User.objects.filter(agent__isnull=False).count()} agents, {OrdreMission.objects.count()} ordres "
        f"({OrdreMission.objects.filter(etat='attente_vh1').count()} chez les VH1, "
        f"{OrdreMission.objects.filter(etat='attente_gestionnaire').count()} chez les gestionnaires)"
    )

    users = {
        "vh1": User.objects.get(email=f"agent00000@{DOMAINE}"),
        "gestionnaire": User.objects.get(email=f"gestionnaire.un@{DOMAINE}"),
        "suppleant": User.objects.get(email=f"gestionnaire.deux@{DOMAINE}"),
    }
    clients = {}
    for cle, user in users.items():
        clients[cle] = Client()
        clients[cle].force_login(user)

    resultats = []
    for nom, user, url_name, params in scenarios(users):
        cle = next(k for k, u in users.items() if u == user)
        mesure = mesurer_page(clients[cle], reverse(url_name), params, options.passages)
        resultats.append((nom, mesure))
        if options.explain:
            print(f"\n== {nom} : {len(mesure['requetes'])} requêtes")
            expliquer(mesure["requetes"], options.seuil_ms)

    largeur = max(len(nom) for nom, _ in resultats)
    print(
        f"\n{'page':<{largeur}}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  {'CPU ms':>7}  {'SQL':>4}  {'SQL ms':>7}  ordres"
    )
    echecs = 0
    for nom, m in resultats:
        sql_ms = sum(float(r["time"]) for r in m["requetes"]) * 1000
        echec = m["p95"] >= OBJECTIF_PAGE_MS
        echecs += echec
        print(
            f"{nom:<{largeur}}  {m['p50']:7.1f}  {m['p95']:7.1f}  {m['max']:7.1f}  {m['cpu']:7.1f}  {len(m['requetes']):4d}  "
            f"{sql_ms:7.1f}  {m['lignes']} sur {m['total']}{'  ← objectif manqué' if echec else ''}"
        )
    print(
        f"({options.passages} affichages par page ; objectif p95 < {OBJECTIF_PAGE_MS} ms ; CPU : temps processeur "
        "médian de ce processus, hors PostgreSQL ; SQL : requêtes et leur durée pour un affichage)"
    )

    if not options.sans_lot:
        lot = mesurer_lot(users["gestionnaire"])
        echec = lot["duree"] >= OBJECTIF_LOT_S
        echecs += echec
        print(
            f"\nValidation groupée par le gestionnaire : {lot['valides']} ordres validés en {lot['duree']:.2f} s "
            f"({lot['duree'] / lot['valides'] * 1000:.1f} ms par ordre, temps processeur {lot['cpu']:.2f} s, "
            f"{lot['requetes']} requêtes SQL, "
            f"{lot['requetes'] / lot['valides']:.0f} par ordre ; objectif < {OBJECTIF_LOT_S} s)"
            + ("  ← objectif manqué" if echec else "")
        )
    charge = ", ".join(f"{valeur:.1f}" for valeur in os.getloadavg())
    print(f"Charge de la machine (1, 5, 15 min) : {charge} pour {os.cpu_count()} processeurs")
    return 1 if echecs else 0


if __name__ == "__main__":
    sys.exit(main())
