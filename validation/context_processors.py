from django.utils.functional import SimpleLazyObject

from validation.models import Notification


def notifications(request):
    """Le nombre de notifications non lues, pour l'en-tête : une requête au plus, seulement si la page l'affiche."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_non_lues": SimpleLazyObject(
            lambda: Notification.objects.filter(destinataire=user, lue_le__isnull=True).count()
        )
    }
