from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Sites et territoires"

    def ready(self):
        from sites import stats

        stats.connect_receivers()
