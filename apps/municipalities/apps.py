from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "apps.municipalities"
    verbose_name = "Municipalities"
