"""L'académie de démonstration : des personnes fictives, des établissements et des rattachements plausibles.

Tout est créé par clé naturelle (adresse, UAI, code) : charger deux fois ne crée rien de plus.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from schwifty import IBAN

from agents.enums import Categorie, Civilite, TypeEtablissement, TypeVehicule
from agents.models import (
    Agent,
    CentreCouts,
    Commune,
    DomaineFonctionnel,
    EnveloppeBudgetaire,
    Etablissement,
    Gestionnaire,
    PerimetreGestionnaire,
    ServiceGestionnaire,
    User,
    Vehicule,
)
from agents.validators import uai_check_letter

DEMO_DOMAIN = "ac-demo.test"
DEMO_PASSWORD = "Itinera-demo-2026"

# (sept chiffres de l'UAI, nom, type, commune INSEE, adresse)
ETABLISSEMENTS = [
    ("0060101", "École élémentaire Les Pins", TypeEtablissement.ECOLE, "06004", "12 avenue des Pins"),
    ("0060102", "École primaire du Port", TypeEtablissement.ECOLE, "06004", "3 quai des Pêcheurs"),
    ("0060203", "Collège Les Mimosas", TypeEtablissement.COLLEGE, "06155", "40 chemin des Mimosas"),
    ("0060304", "Lycée du Littoral", TypeEtablissement.LYCEE, "06088", "2 boulevard du Littoral"),
    ("0060405", "Collège de la Croisette", TypeEtablissement.COLLEGE, "06029", "15 rue des Palmiers"),
    ("0060506", "Circonscription Nice-Est", TypeEtablissement.SERVICE, "06088", "8 rue de la République"),
    ("0130107", "École élémentaire Vieux-Port", TypeEtablissement.ECOLE, "13055", "5 rue de la Loge"),
    ("0130208", "Collège des Calanques", TypeEtablissement.COLLEGE, "13055", "120 avenue des Calanques"),
    ("0130309", "Lycée professionnel de l'Étang", TypeEtablissement.LP, "13056", "1 route de l'Étang"),
    ("0130410", "École primaire Les Cigales", TypeEtablissement.ECOLE, "13002", "9 place des Cigales"),
    ("0130511", "Collège Sainte-Victoire", TypeEtablissement.COLLEGE, "13001", "30 cours des Arts"),
    ("0130612", "PIAL Marseille Sud", TypeEtablissement.SERVICE, "13055", "200 boulevard du Prado"),
    ("0250113", "École élémentaire Battant", TypeEtablissement.ECOLE, "25056", "4 rue du Petit-Battant"),
    ("0250214", "Collège des Tilleuls", TypeEtablissement.COLLEGE, "25056", "22 rue des Tilleuls"),
    ("0250315", "Lycée professionnel du Doubs", TypeEtablissement.LP, "25388", "6 rue des Forges"),
    ("0250416", "Collège du Haut-Doubs", TypeEtablissement.COLLEGE, "25462", "11 rue de la Gare"),
    ("0900117", "École primaire du Lion", TypeEtablissement.ECOLE, "90010", "7 place du Lion"),
    ("0900218", "Lycée Vauban-Sud", TypeEtablissement.LYCEE, "90010", "19 faubourg de Montbéliard"),
    ("9720119", "École de Terres-Sainville", TypeEtablissement.ECOLE, "97209", "14 rue Lamartine"),
    ("9720220", "Collège de la Pointe", TypeEtablissement.COLLEGE, "97229", "2 route de la Pointe"),
]

# Communes limitrophes (desservies) où vivent certains agents : la paire compte comme une seule commune.
LIMITROPHE_DE = {"06004": "06155", "13055": "13002", "25056": "25058", "90010": "90032", "97209": "97229"}
# Communes plus lointaines pour les autres.
ELOIGNEE_DE = {
    "06004": "06069",
    "06155": "06027",
    "06088": "06083",
    "06029": "06069",
    "13055": "13005",
    "13056": "13047",
    "13002": "13041",
    "13001": "13117",
    "25056": "25462",
    "25388": "25031",
    "25462": "25056",
    "90010": "90065",
    "97209": "97222",
    "97229": "97213",
}

PRENOMS = [
    ("Camille", Civilite.MADAME),
    ("Lucas", Civilite.MONSIEUR),
    ("Inès", Civilite.MADAME),
    ("Hugo", Civilite.MONSIEUR),
    ("Léa", Civilite.MADAME),
    ("Nathan", Civilite.MONSIEUR),
    ("Manon", Civilite.MADAME),
    ("Théo", Civilite.MONSIEUR),
    ("Chloé", Civilite.MADAME),
    ("Louis", Civilite.MONSIEUR),
    ("Jade", Civilite.MADAME),
    ("Gabriel", Civilite.MONSIEUR),
    ("Zoé", Civilite.MADAME),
    ("Arthur", Civilite.MONSIEUR),
    ("Lina", Civilite.MADAME),
    ("Raphaël", Civilite.MONSIEUR),
    ("Sarah", Civilite.MADAME),
    ("Jules", Civilite.MONSIEUR),
    ("Clara", Civilite.MADAME),
    ("Adam", Civilite.MONSIEUR),
]
NOMS = [
    "Fabre", "Garnier", "Lemaire", "Roux", "Benali", "Moreau", "Girard", "Blanc", "Da Silva", "Perrin",
    "Morel", "Chevalier", "Lambert", "Faure", "Rousseau", "Mercier", "Boyer", "Nguyen", "Lopez", "Gauthier",
]  # fmt: skip

# Répartition des 40 agents par catégorie.
CATEGORIES = (
    [Categorie.AESH] * 16
    + [Categorie.SERVICE_PARTAGE] * 7
    + [Categorie.TZR] * 6
    + [Categorie.RATTACHEMENT_ADMINISTRATIF] * 3
    + [Categorie.CONSEILLER_PEDAGOGIQUE] * 3
    + [Categorie.IEN, Categorie.IA_IPR, Categorie.CHARGE_DE_MISSION, Categorie.CHARGE_DE_MISSION, Categorie.AUTRE]
)


@dataclass(frozen=True)
class Personne:
    prenom: str
    nom: str
    civilite: str

    @property
    def email(self) -> str:
        local = f"{self.prenom}.{self.nom}".lower().replace(" ", "-")
        for accentue, simple in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i"), ("ô", "o"), ("ç", "c")):
            local = local.replace(accentue, simple)
        return f"{local}@{DEMO_DOMAIN}"


# Valideurs : (personne, rôle décrit, départements suivis, aussi agent ? (catégorie, UAI de rattachement))
VALIDEURS = [
    (Personne("Hélène", "Castel", Civilite.MADAME), "directrice d'école", ("06",), (Categorie.AUTRE, "0060101")),
    (Personne("Bruno", "Vidal", Civilite.MONSIEUR), "IEN de circonscription", ("06",), None),
    (
        Personne("Nadia", "Ferrand", Civilite.MADAME),
        "coordonnatrice PIAL",
        ("13",),
        (Categorie.CHARGE_DE_MISSION, "0130612"),
    ),
    (Personne("Olivier", "Marchand", Civilite.MONSIEUR), "principal de collège", ("25",), None),
    (Personne("Sylvie", "Arnaud", Civilite.MADAME), "IEN", ("90", "972"), None),
]
GESTIONNAIRES = [
    (
        Personne("Martine", "Delorme", Civilite.MADAME),
        ("DPE-DEP", "Service des déplacements — AESH et premier degré"),
        [(Categorie.AESH, ""), (Categorie.CONSEILLER_PEDAGOGIQUE, "")],
    ),
    (
        Personne("Karim", "Haddad", Civilite.MONSIEUR),
        ("DIPER-DEP", "Service des déplacements — second degré et inspection"),
        [
            (categorie, "")
            for categorie in (
                Categorie.SERVICE_PARTAGE,
                Categorie.TZR,
                Categorie.RATTACHEMENT_ADMINISTRATIF,
                Categorie.IEN,
                Categorie.IA_IPR,
                Categorie.CHARGE_DE_MISSION,
                Categorie.AUTRE,
            )
        ],
    ),
]
ADMIN = Personne("Paul", "Renaud", Civilite.MONSIEUR)


@dataclass
class RapportDemo:
    comptes: list[tuple[str, str]] = field(default_factory=list)  # (adresse, rôles)
    crees: int = 0


def uai(chiffres: str) -> str:
    return chiffres + uai_check_letter(chiffres)


@functools.cache
def _mot_de_passe_hache() -> str:
    """Un seul hachage pour tous les comptes de démonstration : il coûte une demi-seconde."""
    return make_password(DEMO_PASSWORD)


def _user(personne: Personne, rapport: RapportDemo, **flags) -> User:
    user, created = User.objects.get_or_create(
        email=personne.email, defaults={"first_name": personne.prenom, "last_name": personne.nom, **flags}
    )
    if created:
        user.password = _mot_de_passe_hache()
        user.save(update_fields=["password"])
        rapport.crees += 1
    elif flags:
        User.objects.filter(pk=user.pk).update(**flags)
    return user


def _iban(numero: int) -> tuple[str, str]:
    iban = IBAN.generate("FR", bank_code="3000600001", account_code=f"{numero:011d}")
    return str(iban), str(iban.bic)


def _etablissements() -> dict[str, Etablissement]:
    resultat = {}
    for chiffres, nom, type_, insee, adresse in ETABLISSEMENTS:
        etablissement, _ = Etablissement.objects.update_or_create(
            uai=uai(chiffres),
            defaults={"nom": nom, "type": type_, "commune_id": insee, "adresse": adresse},
        )
        resultat[chiffres] = etablissement
    return resultat


def _vehicule(agent: Agent, index: int, aujourd_hui: datetime.date) -> None:
    if index % 9 == 8 or agent.vehicules.exists():
        return  # quelques agents sans véhicule (transports en commun)
    rentree = datetime.date(aujourd_hui.year if aujourd_hui.month >= 9 else aujourd_hui.year - 1, 9, 1)
    if index % 13 == 5:
        type_, cv = TypeVehicule.MOTOCYCLETTE, None
    elif index % 17 == 7:
        type_, cv = TypeVehicule.VELOMOTEUR, None
    else:
        type_, cv = TypeVehicule.VOITURE, 3 + index % 7
    Vehicule.objects.create(
        agent=agent,
        immatriculation=f"{chr(65 + index % 26)}{chr(66 + index % 23)}-{100 + index * 7:03d}-{chr(67 + index % 20)}D",
        type=type_,
        puissance_fiscale=cv,
        assurance_valide_jusqu_au=aujourd_hui + datetime.timedelta(days=60 + 11 * index),
        auvp_debut=rentree,
        auvp_fin=rentree.replace(year=rentree.year + 1) - datetime.timedelta(days=1),
        actif=True,
    )


def _budget(categorie: str) -> dict:
    """Les codes budgétaires par défaut : le premier de chaque référentiel actif, décalé par catégorie."""
    rang = list(Categorie.values).index(categorie)

    def pick(model):
        codes = list(model.objects.filter(actif=True).order_by("code"))
        return codes[rang % len(codes)] if codes else None

    return {
        "enveloppe_budgetaire": pick(EnveloppeBudgetaire),
        "centre_couts": pick(CentreCouts),
        "domaine_fonctionnel": pick(DomaineFonctionnel),
    }


@transaction.atomic
def charger_academie_demo(aujourd_hui: datetime.date | None = None) -> RapportDemo:
    aujourd_hui = aujourd_hui or datetime.date.today()
    rapport = RapportDemo()
    etablissements = _etablissements()
    communes_connues = set(Commune.objects.values_list("insee", flat=True))

    services = {}
    gestionnaires = []
    for personne, (code, nom), regles in GESTIONNAIRES:
        service, _ = ServiceGestionnaire.objects.update_or_create(
            code=code, defaults={"nom": nom, "email": f"{code.lower()}@{DEMO_DOMAIN}"}
        )
        services[code] = service
        user = _user(personne, rapport)
        # Le service du second degré tient aussi la billetterie (agence de voyage) des OM ponctuels.
        gestionnaire, _ = Gestionnaire.objects.update_or_create(
            user=user, defaults={"service": service, "est_agence_voyage": code == "DIPER-DEP"}
        )
        for categorie, departement in regles:
            PerimetreGestionnaire.objects.get_or_create(
                gestionnaire=gestionnaire, categorie=categorie, departement=departement
            )
        gestionnaires.append(gestionnaire)
        rapport.comptes.append((user.email, f"Gestionnaire ({nom})"))

    def service_de(categorie: str) -> ServiceGestionnaire:
        aesh_ou_premier_degre = categorie in (Categorie.AESH, Categorie.CONSEILLER_PEDAGOGIQUE)
        return services["DPE-DEP" if aesh_ou_premier_degre else "DIPER-DEP"]

    valideurs_par_departement: dict[str, list[User]] = {}
    for personne, role, departements, aussi_agent in VALIDEURS:
        user = _user(personne, rapport, is_valideur=True)
        for departement in departements:
            valideurs_par_departement.setdefault(departement, []).append(user)
        roles = f"VH1 ({role})"
        if aussi_agent:
            categorie, chiffres = aussi_agent
            etablissement = etablissements[chiffres]
            Agent.objects.get_or_create(
                user=user,
                defaults={
                    "civilite": personne.civilite,
                    "categorie": categorie,
                    "residence_administrative": etablissement,
                    "commune_familiale": etablissement.commune,
                    "service_gestionnaire": service_de(categorie),
                    **_budget(categorie),
                },
            )
            roles = f"Agent et {roles}"
        rapport.comptes.append((user.email, roles))

    liste_etablissements = list(etablissements.values())
    for index, categorie in enumerate(CATEGORIES):
        prenom, civilite = PRENOMS[index % len(PRENOMS)]
        personne = Personne(
            prenom, NOMS[(index * 7 + 3) % len(NOMS)] if index >= len(PRENOMS) else NOMS[index], civilite
        )
        user = _user(personne, rapport)
        etablissement = liste_etablissements[index % len(liste_etablissements)]
        travail = etablissement.commune_id
        if index % 4 == 0 and travail in LIMITROPHE_DE:
            domicile = LIMITROPHE_DE[travail]
        elif index % 4 == 1:
            domicile = travail
        else:
            domicile = ELOIGNEE_DE.get(travail, travail)
        if domicile not in communes_connues:
            domicile = travail
        iban, bic = _iban(1000 + index) if index % 11 != 10 else ("", "")
        agent, created = Agent.objects.get_or_create(
            user=user,
            defaults={
                "civilite": civilite,
                "date_naissance": datetime.date(1968 + index % 30, 1 + index % 12, 1 + index % 28),
                "categorie": categorie,
                "rqth": index == 3,
                "residence_administrative": etablissement,
                "adresse_familiale": f"{index + 1} rue des Écoles",
                "commune_familiale_id": domicile,
                "iban": iban,
                "bic": bic,
                "titulaire_compte": user.get_full_name() if iban else "",
                "service_gestionnaire": service_de(categorie),
                **_budget(categorie),
            },
        )
        if created:
            departement = etablissement.commune.departement
            agent.valideurs.set(valideurs_par_departement.get(departement, [])[:1])
            _vehicule(agent, index, aujourd_hui)
        rapport.comptes.append((user.email, f"Agent ({agent.get_categorie_display()})"))

    admin = _user(ADMIN, rapport, is_staff=True, is_superuser=True)
    rapport.comptes.append((admin.email, "Administrateur"))
    return rapport
