"""Qui entre dans quel espace : un décorateur par rôle, vérifié sur chaque vue."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from agents.enums import Role

ESPACES = [
    # (rôle, nom d'URL, libellé du menu)
    (Role.AGENT, "missions:mes_deplacements", "Mes déplacements"),
    (Role.VH1, "validation:a_valider", "À valider"),
    (Role.GESTIONNAIRE, "validation:gestion", "Gestion"),
    (Role.ADMIN, "administration", "Administration"),
]


# Les files qu'une délégation ouvre à son délégataire, même s'il n'a pas le rôle lui-même (un adjoint, un suppléant).
ROLES_DELEGABLES = (Role.VH1, Role.GESTIONNAIRE)
# Fonctions (user) -> ensemble des rôles reçus par délégation aujourd'hui ; l'application `validation` inscrit la sienne.
SOURCES_DE_ROLES_DELEGUES: list[Callable] = []


def roles_delegues(user) -> set[Role]:
    """Les rôles reçus par une délégation en cours et que la personne n'a pas déjà ; lus une fois par requête."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_roles_delegues"):
        manquants = set(ROLES_DELEGABLES) - set(user.roles)
        recus = set().union(*(source(user) for source in SOURCES_DE_ROLES_DELEGUES)) if manquants else set()
        user._roles_delegues = recus & manquants
    return user._roles_delegues


def espaces_de(user) -> list[dict]:
    roles = set(user.roles) | roles_delegues(user) if user.is_authenticated else set()
    return [
        {"role": role, "url_name": url_name, "libelle": libelle} for role, url_name, libelle in ESPACES if role in roles
    ]


def role_required(role: Role, *, par_delegation: bool = False):
    """Refuse (403) une personne connectée qui n'a pas le rôle ; renvoie l'anonyme vers la connexion.

    `par_delegation` : la vue est aussi ouverte à qui a reçu ce rôle par une délégation en cours (les files).
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not a_le_role(request.user, role, par_delegation=par_delegation):
                raise PermissionDenied(f"Cet espace est réservé au rôle « {role.label} ».")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def a_le_role(user, role: Role, *, par_delegation: bool = False) -> bool:
    return role in user.roles or (par_delegation and role in roles_delegues(user))
