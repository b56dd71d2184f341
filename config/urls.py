from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("apps.accounts.urls")),
    path("m/<slug:municipality_slug>/", include("apps.municipalities.urls")),
    path("state/", include("apps.core.state_urls")),
    path("django-admin/", admin.site.urls),
]
