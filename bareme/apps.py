from django.apps import AppConfig


class BaremeConfig(AppConfig):
    name = "bareme"
    verbose_name = "Barèmes"
