import os

# Playwright (API synchrone) tourne dans une boucle asyncio : Django doit accepter l'ORM à côté.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
