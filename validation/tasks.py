"""Tâches de fond : exécutées par `manage.py db_worker` en production, sur place en démo et en tests."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def envoyer_courriel(destinataire: str, sujet: str, corps: str) -> None:
    send_mail(sujet, corps, settings.DEFAULT_FROM_EMAIL, [destinataire])
