"""Production settings: deploy checks pass with real secrets, and a missing secret stops the start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from atc.settings import database_from_url

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_ENV", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_real_secrets():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="atc.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="atc.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_default_key():
    result = _manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY="dev-only-insecure-key-never-use-in-production",
        ALLOWED_HOSTS="atc.example.org",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_for_postgresql_keeps_connections_and_turns_jit_and_parallel_workers_off():
    db = database_from_url("postgres://atc:s%40cret@db.example.org:5433/atc")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "atc",
        "s@cret",
        "db.example.org",
        5433,
        "atc",
    )
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["OPTIONS"]["options"] == "-c jit=off -c max_parallel_workers_per_gather=0"


def test_database_url_for_sqlite_accepts_absolute_and_relative_paths():
    assert database_from_url("sqlite:////tmp/atc.sqlite3")["NAME"] == "/tmp/atc.sqlite3"
    assert database_from_url("sqlite:///var/atc.sqlite3")["NAME"] == "var/atc.sqlite3"


def test_an_unknown_storage_stops_the_start():
    result = _manage("check", ATC_STORAGE="ftp")
    assert result.returncode != 0
    assert "ATC_STORAGE must be local or s3, got 'ftp'" in result.stderr


def test_object_storage_without_a_bucket_stops_the_start():
    result = _manage("check", ATC_STORAGE="s3", ATC_S3_BUCKET="")
    assert result.returncode != 0
    assert "ATC_STORAGE=s3 needs ATC_S3_BUCKET" in result.stderr


def test_production_settings_on_object_storage_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="atc.example.org",
        ATC_STORAGE="s3",
        ATC_S3_BUCKET="atc-fichiers",
        ATC_S3_ENDPOINT_URL="https://s3.fr-par.example.org",
        ATC_S3_REGION="fr-par",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_database_url_keeps_the_options_it_is_given():
    db = database_from_url("postgres://atc@db/atc?sslmode=require&options=-c%20statement_timeout%3D5000")
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c statement_timeout=5000"}


def test_database_url_other_than_postgresql_or_sqlite_is_a_configuration_error():
    for url in ("mysql://atc@db/atc", "nosuchdb://atc@db/atc"):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            database_from_url(url)
