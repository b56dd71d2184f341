from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    verbose_name = "Rules, blocklist and reason terms"

    def ready(self) -> None:
        # Registers the system check that the home state has a rule pack; the module needs
        # the models, so it is imported once the registry is ready.
        from . import packs  # noqa: F401
