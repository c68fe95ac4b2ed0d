"""Qui entre dans quel espace : un décorateur par rôle, vérifié sur chaque vue."""

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


def espaces_de(user) -> list[dict]:
    roles = set(user.roles) if user.is_authenticated else set()
    return [
        {"role": role, "url_name": url_name, "libelle": libelle} for role, url_name, libelle in ESPACES if role in roles
    ]


def role_required(role: Role):
    """Refuse (403) une personne connectée qui n'a pas le rôle ; renvoie l'anonyme vers la connexion."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if role not in request.user.roles:
                raise PermissionDenied(f"Cet espace est réservé au rôle « {role.label} ».")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
