from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        # The activity log's models load only once the registry is ready, after this
        # module is imported.
        from . import activity

        user_logged_in.connect(activity.on_signed_in, dispatch_uid="activity-signed-in")
        user_logged_out.connect(activity.on_signed_out, dispatch_uid="activity-signed-out")
        user_login_failed.connect(activity.on_sign_in_failed, dispatch_uid="activity-failed")
