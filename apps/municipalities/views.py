from django.http import Http404


class MunicipalityViewMixin:
    """For views under `/m/<municipality_slug>/`.

    The middleware has already checked membership and entered the scope; this re-checks
    that it did, so a view wired outside that prefix fails closed with 404.
    """

    def dispatch(self, request, *args, **kwargs):
        municipality = getattr(request, "municipality", None)
        if municipality is None or municipality.slug != kwargs.get("municipality_slug"):
            raise Http404
        self.municipality = municipality
        # Objects named in the URL are looked up before the method is: another
        # municipality's id answers 404 whatever the method, never 405.
        self.load_url_objects()
        return super().dispatch(request, *args, **kwargs)

    def load_url_objects(self) -> None:
        """Look up the URL's objects in the municipality's scope; raise Http404 if absent."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipality"] = self.municipality
        return context
