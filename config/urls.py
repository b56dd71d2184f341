from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views
from apps.core import views as core_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("apps.accounts.urls")),
    path("m/<slug:municipality_slug>/", include("config.municipality_urls")),
    path("state/", include("config.state_urls")),
    path("django-admin/", admin.site.urls),
]
