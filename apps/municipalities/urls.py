from django.urls import path

from . import views

app_name = "municipality"

urlpatterns = [
    path("", views.MunicipalityHomeView.as_view(), name="home"),
]
