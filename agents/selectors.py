"""Lectures des agents et des référentiels."""

import re
from functools import reduce
from operator import or_

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from agents.models import Agent, Commune, Gestionnaire, User, Vehicule

# Un code INSEE isolé dans la saisie : « 06088 », « Nice (06088) », « 2A004 ».
INSEE_DANS_SAISIE = re.compile(r"(?<![0-9A-Z])(\d{5}|2[AB]\d{3})(?![0-9A-Z])")


def perimetre_q(gestionnaire: Gestionnaire, prefix: str = "") -> Q:
    """Le filtre des agents du périmètre d'un gestionnaire : l'union de ses règles (aucune règle = personne)."""
    regles = [regle.as_q(prefix) for regle in gestionnaire.perimetres.all()]
    if not regles:
        return Q(**{f"{prefix}pk__in": []})
    return reduce(or_, regles)


def agents_du_perimetre(gestionnaire: Gestionnaire) -> QuerySet[Agent]:
    return (
        Agent.objects.filter(perimetre_q(gestionnaire))
        .select_related("user", "residence_administrative__commune")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def agents_valides_par(user) -> QuerySet[Agent]:
    return (
        Agent.objects.filter(valideurs=user)
        .select_related("user", "residence_administrative__commune")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def comptes_demo() -> dict:
    """Les comptes de l'académie de démonstration : un par rôle pour commencer, puis tous, rôles d'abord."""
    from agents.demo import DEMO_DOMAIN
    from agents.enums import Role

    users = (
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        .select_related("agent", "gestionnaire")
        .annotate(
            nb_valides=Count("agents_valides", distinct=True),
            # Un OM ponctuel validé, mission passée, sans état de frais : l'état de frais reste à établir.
            nb_convocations=Count(
                "agent__ordres",
                filter=Q(
                    agent__ordres__type="ponctuel",
                    agent__ordres__etat="valide",
                    agent__ordres__retour_le__lt=timezone.now(),
                    agent__ordres__etats_frais__isnull=True,
                ),
                distinct=True,
            ),
        )
    )
    tous = []
    for user in users.order_by("last_name", "first_name"):
        roles = user.roles
        tous.append(
            {
                "email": user.email,
                "nom": user.get_full_name(),
                "roles": ", ".join(Role(role).label for role in roles),
                "rang": min((list(Role).index(role) for role in roles), default=9),
                "principal": roles[-1] if roles else None,
                # Pour essayer : un agent AESH, le valideur qui a le plus d'agents.
                "interet": (getattr(getattr(user, "agent", None), "categorie", "") == "aesh", user.nb_valides),
                "convoque": user.nb_convocations > 0,
            }
        )
    ordre_roles = [Role.AGENT, Role.VH1, Role.GESTIONNAIRE, Role.ADMIN]
    tous.sort(key=lambda compte: (-compte["rang"], compte["nom"]))
    essentiels = []
    for role in ordre_roles:
        candidats = [c for c in tous if c["principal"] == role]
        if candidats:
            essentiels.append(max(candidats, key=lambda compte: compte["interet"]))
    convoque = next((compte for compte in tous if compte["convoque"]), None)
    if convoque is not None and convoque not in essentiels:
        # Un enseignant convoqué : son OM ponctuel validé, ses billets, l'état de frais à établir après la réunion.
        essentiels.insert(1, {**convoque, "note": "convoqué à Paris : billets reçus, état de frais à établir"})
    return {"essentiels": essentiels, "tous": tous}


def agents_visibles_par(user) -> QuerySet[Agent]:
    """Les fiches qu'une personne peut ouvrir : la sienne, celles de ses agents (VH1), de son périmètre, ou toutes."""
    if not user.is_authenticated or not user.is_active:
        return Agent.objects.none()
    if user.is_staff:
        return Agent.objects.all()
    condition = Q(user=user) | Q(pk__in=Agent.valideurs.through.objects.filter(user=user).values("agent_id"))
    if user.is_gestionnaire:
        condition |= perimetre_q(user.gestionnaire)
    return Agent.objects.filter(condition)


def fiche_agent(agents: QuerySet[Agent], pk: int) -> Agent:
    """Une fiche complète en un nombre fixe de requêtes ; `Agent.DoesNotExist` si elle n'est pas dans `agents`."""
    return (
        agents.select_related(
            "user",
            "residence_administrative__commune",
            "commune_familiale",
            "enveloppe_budgetaire",
            "centre_couts",
            "domaine_fonctionnel",
            "service_gestionnaire",
        )
        .prefetch_related(
            Prefetch("vehicules", queryset=Vehicule.objects.order_by("-actif", "immatriculation", "pk")),
            Prefetch("valideurs", queryset=User.objects.order_by("last_name", "first_name", "pk")),
        )
        .get(pk=pk)
    )


def agents_de_la_liste(user, *, recherche: str = "", categorie: str = "") -> QuerySet[Agent]:
    """La liste « Agents » : tous pour un administrateur, le périmètre pour un gestionnaire, personne sinon."""
    if user.is_staff:
        agents = Agent.objects.all()
    elif user.is_gestionnaire:
        agents = Agent.objects.filter(perimetre_q(user.gestionnaire))
    else:
        agents = Agent.objects.none()
    for mot in recherche.split():
        agents = agents.filter(
            Q(user__last_name__icontains=mot) | Q(user__first_name__icontains=mot) | Q(user__email__icontains=mot)
        )
    if categorie:
        agents = agents.filter(categorie=categorie)
    return agents.select_related("user", "residence_administrative__commune", "service_gestionnaire").order_by(
        "user__last_name", "user__first_name", "pk"
    )


def communes_suggerees(saisie: str, limite: int = 20) -> list[Commune]:
    """Les communes dont le code INSEE, un code postal ou le nom commence par la saisie (les plus peuplées d'abord)."""
    saisie = saisie.strip()
    if len(saisie) < 2:
        return []
    if saisie[:2].isdigit() or saisie[:2].upper() in ("2A", "2B"):
        condition = (
            Q(insee__startswith=saisie.upper())
            | Q(codes_postaux__startswith=saisie)
            | Q(codes_postaux__contains=f";{saisie}")
        )
    else:
        condition = Q(nom__istartswith=saisie)
    return list(
        Commune.objects.filter(condition).order_by(F("population").desc(nulls_last=True), "nom", "insee")[:limite]
    )


def commune_saisie(saisie: str) -> Commune:
    """La commune désignée par un code INSEE (« 06088 », « Nice (06088) ») ou par un nom porté par une seule commune.

    Lève `Commune.DoesNotExist` si rien ne correspond, `Commune.MultipleObjectsReturned` si le nom est ambigu.
    """
    code = INSEE_DANS_SAISIE.search(saisie.upper())
    if code:
        return Commune.objects.get(insee=code.group(1))
    return Commune.objects.get(nom__iexact=saisie.strip())
