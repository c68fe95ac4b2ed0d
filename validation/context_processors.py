from functools import cached_property

from validation.models import Notification


class NotificationsNonLues:
    """Compte les notifications non lues au premier accès à `nombre`, une seule fois par page."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def nombre(self) -> int:
        return Notification.objects.filter(destinataire=self.user, lue_le__isnull=True).count()


def notifications(request):
    """Pour l'en-tête : une requête au plus par page (aucune si l'en-tête n'est pas affiché), aucune pour l'anonyme."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_non_lues": NotificationsNonLues(user)}
