from celery import shared_task

from evaluation.opendata.services import build_open_data

BUILD_TASK = "evaluation.build_open_data"


@shared_task(name=BUILD_TASK, ignore_result=True)
def build_open_data_nightly() -> int:
    """Rebuild the open data files (beat, every night); returns how many files were written."""
    return len(build_open_data())
