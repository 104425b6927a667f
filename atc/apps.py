from django.apps import AppConfig


class AtcConfig(AppConfig):
    name = "atc"
    verbose_name = "Plateforme ATC"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from atc.access_version import bump_access_version
        from atc.models import Role

        # Any change to a role makes every cached scope stale (atc.permissions.access_of).
        post_save.connect(bump_access_version, sender=Role, dispatch_uid="atc-access-role-save")
        post_delete.connect(bump_access_version, sender=Role, dispatch_uid="atc-access-role-delete")
        m2m_changed.connect(
            bump_access_version, sender=Role.sites.through, dispatch_uid="atc-access-role-sites"
        )
