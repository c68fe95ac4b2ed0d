from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "validation"
    verbose_name = "Validation"

    def ready(self):
        from agents.permissions import SOURCES_DE_ROLES_DELEGUES
        from validation.regles import roles_recus_par_delegation

        SOURCES_DE_ROLES_DELEGUES.append(roles_recus_par_delegation)
