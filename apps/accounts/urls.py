from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import two_factor, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path("two-factor/", two_factor.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/verify/", two_factor.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path(
        "two-factor/backup-codes/",
        two_factor.BackupCodesView.as_view(),
        name="two_factor_backup_codes",
    ),
    path("two-factor/off/", two_factor.TwoFactorRemoveView.as_view(), name="two_factor_remove"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
