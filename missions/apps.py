from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Ordres de mission"

    def ready(self):
        from missions import bareme_usages

        bareme_usages.inscrire()
