"""The reason classifier, built from the term lists administrators edit."""

from django.db.models import Count, Max

from .classifier import ReasonClassifier, Term
from .models import ReasonTerm

_cached: tuple[tuple, ReasonClassifier] | None = None


def reason_classifier() -> ReasonClassifier:
    """The classifier for the current term lists; rebuilt only when a term changed."""
    global _cached
    version = tuple(
        ReasonTerm.objects.filter(is_active=True)
        .aggregate(count=Count("id"), changed=Max("updated_at"))
        .values()
    )
    if _cached is None or _cached[0] != version:
        terms = [
            Term(
                label=term.label,
                phrase=term.phrase,
                match=term.match,
                unless_near=tuple(term.unless_near),
                note=term.note,
                category=term.category,
                source=term.source,
            )
            for term in ReasonTerm.objects.filter(is_active=True)
        ]
        _cached = (version, ReasonClassifier(terms))
    return _cached[1]
