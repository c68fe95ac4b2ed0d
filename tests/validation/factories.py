import datetime

import factory
from factory.django import DjangoModelFactory

from tests.agents.factories import UserFactory
from validation import models
from validation.enums import Etapes, RoleDelegue


class DelegationFactory(DjangoModelFactory):
    class Meta:
        model = models.Delegation

    delegant = factory.SubFactory(UserFactory, valideur=True)
    delegataire = factory.SubFactory(UserFactory, valideur=True)
    role = RoleDelegue.VH1
    date_debut = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1))
    date_fin = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))


class CircuitValidationFactory(DjangoModelFactory):
    class Meta:
        model = models.CircuitValidation
        django_get_or_create = ("categorie",)

    categorie = "ien"
    etapes = Etapes.UNE


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = models.Notification

    destinataire = factory.SubFactory(UserFactory)
    message = "Votre ordre de mission a été validé."
    lien = "/deplacements/"
