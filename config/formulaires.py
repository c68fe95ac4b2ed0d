"""Ce que partagent les formulaires : saisie validée puis confiée à un service, erreurs placées à côté des champs,
rendu DSFR rapide."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from dsfr.forms import DsfrBaseForm, DsfrBoundField, DsfrDjangoTemplates


def ajouter_erreurs(form, exc: ValidationError, champs: dict[str, str] | None = None) -> None:
    """Chaque erreur va sur son champ (renommé par `champs` : champ du modèle → champ du formulaire) ;
    celles d'un champ absent du formulaire, ou sans champ, vont en tête du formulaire."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for champ, erreurs in exc.message_dict.items():
        champ = (champs or {}).get(champ, champ)
        form.add_error(champ if champ in form.fields else None, erreurs)


def enregistrer_si_valide(form, enregistrer, champs: dict[str, str] | None = None):
    """Le geste commun des pages de saisie : si le formulaire est valide, `enregistrer(form.cleaned_data)` (un service)
    et rend son résultat ; sinon, ou si le service refuse (`ValidationError`), les erreurs restent sur le formulaire,
    à côté de leurs champs, avec la saisie. La vue n'a plus qu'à regarder `form.errors`."""
    if not form.is_valid():
        return None
    try:
        return enregistrer(form.cleaned_data)
    except ValidationError as exc:
        ajouter_erreurs(form, exc, champs)
        return None


def statut(form) -> int:
    """422 pour une saisie refusée, qui est renvoyée avec ses erreurs ; 200 sinon."""
    return 422 if form.is_bound and form.errors else 200


# --- Rendu des formulaires ---------------------------------------------------------------------------------------
# `DsfrBaseForm` crée un moteur de gabarits par formulaire (et recompile donc ses gabarits à chaque affichage) :
# un seul moteur partagé suffit, ses gabarits compilés restent en cache.
RENDU_DSFR = DsfrDjangoTemplates()


class ChampDsfr(DsfrBoundField):
    """Un champ lié dont l'aide est lue sur le champ au moment du rendu.

    `DsfrBaseForm` crée les champs liés dès son `__init__` et Django y copie l'aide : une aide calculée ensuite par
    le formulaire (taille maximale d'un fichier, règle qui dépend de l'ordre) ne s'affichait jamais.
    """

    @property
    def help_text(self) -> str:
        return self.field.help_text or ""

    @help_text.setter
    def help_text(self, valeur) -> None:
        pass  # la copie faite par `BoundField.__init__` ; l'aide reste celle du champ


class FormulaireDsfr(DsfrBaseForm):
    """Un formulaire DSFR qui partage le moteur de rendu de tous les autres, et dont les aides suivent les champs."""

    default_renderer = RENDU_DSFR
    bound_field_class = ChampDsfr


class ListeDeroulante(forms.Select):
    """Une liste déroulante dont les options sont écrites directement, sans un gabarit par option.

    Même HTML que `forms.Select` (sans groupes d'options) ; pour les listes longues (établissements, communes)
    des filtres, où le rendu par gabarits coûtait plusieurs millisecondes par liste.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Une seule lecture, sans COUNT préalable (`list()` demanderait la longueur d'un ModelChoiceIterator).
        choix = list(iter(self.choices))
        if any(isinstance(libelle, (list, tuple)) for _, libelle in choix):
            return super().render(name, value, attrs, renderer)
        retenues = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (valeur, mark_safe(" selected") if str(valeur) in retenues else "", libelle)
                for valeur, libelle in ((self._valeur(v), libelle) for v, libelle in choix)
            ),
        )
        attributs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attributs), options)

    @staticmethod
    def _valeur(valeur) -> str:
        return "" if valeur is None else str(valeur)
