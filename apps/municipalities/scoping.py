"""Where tenant scopes are entered: request middleware, Celery tasks, commands.

Queries of a `TenantModel` raise `django_scopes.ScopeError` unless one of these
context managers is active.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django_scopes import scope, scopes_disabled

from apps.core.queueing import AfterCommitTask

from .models import Municipality


@contextmanager
def municipality_scope(municipality: Municipality) -> Iterator[None]:
    """Limit tenant queries to one municipality."""
    # django-scopes treats a None value as "no filter"; never let that happen.
    if municipality is None or municipality.pk is None:
        raise ValueError("a municipality scope needs a saved municipality")
    with scope(municipality=municipality.pk):
        yield


@contextmanager
def statewide_scope() -> Iterator[None]:
    """Query across all municipalities: state staff views and fan-out jobs only."""
    with scopes_disabled():
        yield


class MunicipalityTask(AfterCommitTask):
    """A Celery task that runs inside the scope of the municipality it was given.

    Such tasks take `municipality_id` as a keyword argument; the task body sees only
    that municipality's rows. A call without it fails instead of running unscoped.
    """

    def __call__(self, *args, **kwargs):
        municipality_id = kwargs.get("municipality_id")
        if municipality_id is None:
            raise TypeError(f"{self.name} needs the keyword argument municipality_id")
        municipality = Municipality.objects.get(pk=municipality_id)
        with municipality_scope(municipality):
            return super().__call__(*args, **kwargs)
