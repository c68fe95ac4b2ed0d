from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Ordres de mission"

    def ready(self):
        from missions import bareme_usages

        bareme_usages.inscrire()

        from missions import ponctuels
        from validation import services as validation_services

        if ponctuels.transmettre_a_l_agence not in validation_services.APRES_VALIDATION_FINALE:
            validation_services.APRES_VALIDATION_FINALE.append(ponctuels.transmettre_a_l_agence)
