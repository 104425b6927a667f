"""The Celery application: the same settings as Django (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")

app = Celery("atc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
