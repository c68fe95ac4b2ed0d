"""Mesure la page d'un OMI de 40 lignes (calendriers, calcul, contrôles) sur PostgreSQL, par le client de test.

Ce n'est pas un test : il écrit dans la base désignée par DATABASE_URL, qu'il faut avoir créée, migrée et
garnie des barèmes officiels.

    createdb -h 127.0.0.1 -U postgres itinera_bench_omi
    export DJANGO_SETTINGS_MODULE=config.settings.test
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itinera_bench_omi
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py charger_baremes
    .venv/bin/python benchmarks/page_omi.py
    dropdb -h 127.0.0.1 -U postgres itinera_bench_omi

Une AESH d'Antibes (zone B) a un OMI d'octobre 2026 de 40 lignes (aller et retour vers 20 communes, de 4 à 12
jours chacune, dont des week-ends qui donnent des anomalies), 20 repas et 10 frais avec justificatif. On affiche
la page 50 fois, connecté comme l'agente (rédaction possible : calendriers avec boutons) ; le premier affichage,
qui charge les calendriers et les barèmes en mémoire, est mesuré à part. Objectif : p95 sous 150 ms.
"""

import datetime
import gc
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PASSAGES = 50
LIGNES = 40
OBJECTIF_MS = 150


def centile(valeurs: list[float], rang: float) -> float:
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, round(rang / 100 * (len(valeurs) - 1)))]


def main() -> int:
    if "DATABASE_URL" not in os.environ:
        print("Indiquez la base de mesure dans DATABASE_URL (voir l'aide en tête du script).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()

    from django.core.files.base import ContentFile
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from agents.enums import Categorie, Civilite, TypeEtablissement, TypeVehicule
    from agents.models import Agent, Commune, Etablissement, ServiceGestionnaire, User, Vehicule
    from bareme.models import Bareme
    from missions.calendrier import commentaire_dates
    from missions.enums import Depart, Etat, TypeFrais, TypeOrdre, TypeRepas
    from missions.models import Frais, JourTrajet, LigneTrajet, OrdreMission

    print(f"Base : {connection.settings_dict['NAME']} ({connection.vendor})")
    if not Bareme.objects.exists():
        print("Aucun barème : lancez d'abord `manage.py charger_baremes`.", file=sys.stderr)
        return 2

    octobre = datetime.date(2026, 10, 1)
    jours_ouvres = [octobre + datetime.timedelta(days=n) for n in range(31)]
    with transaction.atomic():
        antibes, _ = Commune.objects.update_or_create(
            insee="06004",
            defaults={"nom": "Antibes", "departement": "06", "latitude": "43.58041", "longitude": "7.12286"},
        )
        destinations = [
            Commune.objects.update_or_create(
                insee=f"06{500 + numero:03d}",
                defaults={
                    "nom": f"Commune de mesure {numero}",
                    "departement": "06",
                    "latitude": Decimal("43.60") + Decimal(numero) / 100,
                    "longitude": Decimal("7.00") + Decimal(numero) / 100,
                },
            )[0]
            for numero in range(LIGNES // 2)
        ]
        ecole, _ = Etablissement.objects.get_or_create(
            uai="0060001A", defaults={"nom": "École de mesure", "type": TypeEtablissement.ECOLE, "commune": antibes}
        )
        service, _ = ServiceGestionnaire.objects.get_or_create(code="BENCH", defaults={"nom": "Service de mesure"})
        user, _ = User.objects.get_or_create(
            email="mesure.omi@ac-test.fr", defaults={"first_name": "Camille", "last_name": "Mesure"}
        )
        agent, _ = Agent.objects.get_or_create(
            user=user,
            defaults={
                "civilite": Civilite.MADAME,
                "categorie": Categorie.AESH,
                "residence_administrative": ecole,
                "commune_familiale": antibes,
                "service_gestionnaire": service,
            },
        )
        Vehicule.objects.get_or_create(
            agent=agent,
            immatriculation="AA-123-BB",
            defaults={
                "type": TypeVehicule.VOITURE,
                "puissance_fiscale": 5,
                "assurance_valide_jusqu_au": datetime.date(2027, 8, 31),
                "actif": True,
            },
        )
        OrdreMission.objects.filter(agent=agent, omp__isnull=False).delete()
        OrdreMission.objects.filter(agent=agent).delete()
        omp = OrdreMission.objects.create(
            type=TypeOrdre.PERMANENT,
            agent=agent,
            etat=Etat.VALIDE,
            objet="Accompagnement d'élèves en service partagé",
            date_debut=datetime.date(2026, 9, 1),
            date_fin=datetime.date(2027, 8, 31),
            created_by=user,
        )
        omi = OrdreMission.objects.create(
            type=TypeOrdre.ITINERANT,
            agent=agent,
            omp=omp,
            mois=octobre,
            objet="Accompagnement d'élèves en service partagé — octobre 2026",
            date_debut=octobre,
            date_fin=datetime.date(2026, 10, 31),
            created_by=user,
        )
        jours_par_ligne = []
        lignes = []
        for numero in range(LIGNES):
            destination = destinations[numero // 2]
            aller = numero % 2 == 0
            lignes.append(
                LigneTrajet(
                    ordre=omi,
                    depart=Depart.ADMINISTRATIVE,
                    commune_depart=antibes if aller else destination,
                    commune_arrivee=destination if aller else antibes,
                    km_aller=Decimal(8 + numero),
                    trajets_par_jour=1,
                )
            )
            dates = jours_ouvres[numero % 7 :: 7 - numero % 3][: 4 + numero % 9]
            jours_par_ligne.append(dates)
            lignes[-1].commentaire = commentaire_dates(dates)
        LigneTrajet.objects.bulk_create(lignes)
        JourTrajet.objects.bulk_create(
            JourTrajet(ligne=ligne, date=jour)
            for ligne, dates in zip(lignes, jours_par_ligne, strict=True)
            for jour in dates
        )
        for jour in jours_ouvres[:20]:
            Frais.objects.create(ordre=omi, type=TypeFrais.REPAS, date=jour, type_repas=TypeRepas.PLEIN)
        for jour in jours_ouvres[:10]:
            frais = Frais.objects.create(ordre=omi, type=TypeFrais.PARKING, date=jour, montant=Decimal("2.50"))
            frais.justificatif.save("ticket.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))

    client = Client()
    client.force_login(user)
    adresse = reverse("missions:ordre", args=[omi.pk])

    cpu = []

    def un_passage() -> float:
        debut, debut_cpu = time.perf_counter(), time.process_time()
        reponse = client.get(adresse)
        duree = (time.perf_counter() - debut) * 1000
        cpu.append((time.process_time() - debut_cpu) * 1000)
        if reponse.status_code != 200:
            raise SystemExit(f"Réponse {reponse.status_code} pour {adresse}")
        return duree

    premier = un_passage()
    cpu.clear()
    with CaptureQueriesContext(connection) as requetes:
        taille = len(client.get(adresse).content)
    print(
        f"{LIGNES} lignes, {JourTrajet.objects.filter(ligne__ordre=omi).count()} jours cochés, "
        f"{Frais.objects.filter(ordre=omi).count()} frais ; page de {taille // 1024} ko"
    )
    print(f"Requêtes SQL par affichage : {len(requetes)}")
    if os.environ.get("AFFICHER_REQUETES"):
        print("\n".join(requete["sql"][:160] for requete in requetes.captured_queries))
    # Les collectes complètes du ramasse-miettes (génération 2) parcourent tous les objets du processus : quelques
    # dizaines de millisecondes chacune, elles font le p95. Leur nombre suit ce que la page alloue.
    collectes = []
    gc.callbacks.append(rappel := lambda phase, info: phase == "start" and collectes.append(info["generation"]))
    durees = [un_passage() for _ in range(PASSAGES)]
    gc.callbacks.remove(rappel)
    p50, p95 = statistics.median(durees), centile(durees, 95)
    print(f"Premier affichage (chargement des calendriers et barèmes) : {premier:.1f} ms")
    print(
        f"{PASSAGES} affichages : p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(durees):.1f} ms "
        f"(objectif p95 < {OBJECTIF_MS} ms)"
    )
    print(f"dont temps processeur Python : p50 {statistics.median(cpu):.1f} ms, p95 {centile(cpu, 95):.1f} ms")
    print(f"Collectes complètes du ramasse-miettes pendant les {PASSAGES} affichages : {collectes.count(2)}")

    OrdreMission.objects.filter(agent=agent, omp__isnull=False).delete()
    OrdreMission.objects.filter(agent=agent).delete()
    return 0 if p95 < OBJECTIF_MS else 1


if __name__ == "__main__":
    sys.exit(main())
