#!/usr/bin/env bash
# Development server with a real Celery worker and beat (embedded broker unless REDIS_URL is set).
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var/log
trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT INT TERM
# The worker and beat send the e-mails: they read the same HOST and PORT as the server, from which
# atc/settings.py derives SITE_URL, the base of every e-mailed link (unless SITE_URL is set).
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"
$PY -m celery -A atc worker --loglevel=INFO --concurrency=1 >var/log/worker.log 2>&1 &
$PY -m celery -A atc beat --loglevel=INFO --schedule=var/celerybeat-schedule >var/log/beat.log 2>&1 &
echo "Plateforme ATC : http://${HOST}:${PORT}/ (worker et beat : var/log/)"
$PY manage.py runserver "${HOST}:${PORT}"
