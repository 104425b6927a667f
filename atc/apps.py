from importlib import import_module

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from atc.access_version import bump_access_version


class AtcConfig(AppConfig):
    name = "atc"
    verbose_name = "Plateforme ATC"

    def ready(self):
        # local import: an app's models cannot be imported before the registry has loaded them.
        from atc.models import Role

        # Any change to a role makes every cached scope stale (atc.permissions.access_of).
        post_save.connect(bump_access_version, sender=Role, dispatch_uid="atc-access-role-save")
        post_delete.connect(bump_access_version, sender=Role, dispatch_uid="atc-access-role-delete")
        m2m_changed.connect(
            bump_access_version, sender=Role.sites.through, dispatch_uid="atc-access-role-sites"
        )
        # Every process registers the task modules the worker imports, the web's too: a service
        # publishes a task by name from the Celery app's registry (where tests run it eagerly).
        for module in settings.CELERY_IMPORTS:
            import_module(module)
