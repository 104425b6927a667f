from celery import shared_task

from pilotage.imports.services import pending_files_purge


@shared_task(name="pilotage.purge_pending_imports", ignore_result=True)
def purge_pending_imports():
    """Hourly: delete the import files checked a day ago and never confirmed."""
    pending_files_purge()
