"""Ce que toutes les vues font d'une erreur de service : la mettre à côté de son champ, la saisie restant en place."""

from django.core.exceptions import ValidationError


def ajouter_erreurs(form, exc: ValidationError, champs: dict[str, str] | None = None) -> None:
    """Chaque erreur va sur son champ (renommé par `champs` : champ du modèle → champ du formulaire) ;
    celles d'un champ absent du formulaire, ou sans champ, vont en tête du formulaire."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for champ, erreurs in exc.message_dict.items():
        champ = (champs or {}).get(champ, champ)
        form.add_error(champ if champ in form.fields else None, erreurs)
