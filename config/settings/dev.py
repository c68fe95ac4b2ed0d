"""Réglages de démonstration : SQLite embarqué sous var/, courriels dans la console."""

import os

os.environ.setdefault("SECRET_KEY", "demo-itinera-cle-non-secrete-a-ne-jamais-utiliser-en-production")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import BASE_DIR, env  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
DEMO = env.bool("DEMO", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'itinera.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")}}

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Fichiers statiques servis depuis les applications, sans collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
