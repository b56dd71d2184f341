from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditsConfig(AppConfig):
    name = "apps.audits"
    verbose_name = "Audits and findings"

    def ready(self) -> None:
        # The rollups' models load only once the registry is ready, after this module is
        # imported.
        from .rollups import rollups_ensure

        # Rollup tables added to a database that already has data are filled here,
        # with today's code and schema, rather than in a migration frozen in time.
        post_migrate.connect(rollups_ensure, sender=self)
