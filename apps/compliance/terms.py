"""The reason classifier, built from the term lists administrators edit."""

from django.db.models import Count, Max

from .classifier import ReasonClassifier, Term
from .models import ReasonTerm

_cached: tuple[tuple, ReasonClassifier] | None = None


def term_of(row: ReasonTerm) -> Term:
    """The classifier's term for one stored (or not yet saved) row."""
    return Term(
        label=row.label,
        phrase=row.phrase,
        match=row.match,
        unless_near=tuple(row.unless_near or ()),
        note=row.note,
        category=row.category,
        source=row.source,
    )


def reason_classifier() -> ReasonClassifier:
    """The classifier for the current term lists; rebuilt only when a term changed."""
    global _cached
    version = tuple(
        ReasonTerm.objects.filter(is_active=True)
        .aggregate(count=Count("id"), changed=Max("updated_at"))
        .values()
    )
    if _cached is None or _cached[0] != version:
        terms = [term_of(row) for row in ReasonTerm.objects.filter(is_active=True)]
        _cached = (version, ReasonClassifier(terms))
    return _cached[1]
