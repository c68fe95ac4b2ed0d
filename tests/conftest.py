import os

import pytest
from django.core.management import call_command

# Playwright (API synchrone) tourne dans une boucle asyncio : Django doit accepter l'ORM à côté.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def baremes_officiels(db):
    """L'historique officiel des barèmes (data/bareme/), comme le charge la démo."""
    call_command("charger_baremes", verbosity=0)
