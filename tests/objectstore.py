"""A local S3-compatible server for the tests of ATC_STORAGE=s3: moto in server mode, started once
per test process, and a fresh bucket per test (fixtures `bucket` and `s3_media`)."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

from atc.settings import s3_storage
from tests.atc.test_celery_worker import _stop

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "atc-test", "AWS_SECRET_ACCESS_KEY": "atc-test-secret"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until something answers at `url` (any HTTP status); fails with the process's output if it
    exits first or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited:\n{process.communicate()[0][-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answered at {url} within {timeout} s:\n{_stop(process)[-3000:]}")


def local_files(folder: Path) -> list[Path]:
    return sorted(path for path in Path(folder).rglob("*") if path.is_file())


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server (moto in server mode), its data in memory."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{endpoint}/", server)
        yield endpoint
    finally:
        _stop(server)


class Bucket:
    """A fresh bucket of the local server, and what an administrator sees in it."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.name = f"atc-test-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name)

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def environment(self) -> dict:
        """What a web or worker machine is given to use this bucket (README, docker-compose.yml)."""
        return {
            "ATC_STORAGE": "s3",
            "ATC_S3_BUCKET": self.name,
            "ATC_S3_ENDPOINT_URL": self.endpoint,
            "ATC_S3_REGION": REGION,
            **CREDENTIALS,
        }


@pytest.fixture
def bucket(s3_endpoint):
    return Bucket(s3_endpoint)


@pytest.fixture
def s3_media(bucket, settings, monkeypatch):
    """This process stores its files in the bucket, as ATC_STORAGE=s3 would have it."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(bucket=bucket.name, endpoint_url=bucket.endpoint, region=REGION),
    }
    return bucket
