from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from apps.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; the static URL is looked up
    # per request, after collectstatic has named the file.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
        name="favicon",
    ),
    path("accounts/", include("apps.accounts.urls")),
    path("m/<slug:municipality_slug>/", include("apps.municipalities.urls")),
    path("state/", include("apps.core.state_urls")),
    path("django-admin/", admin.site.urls),
]
