# Production image: gunicorn web, Celery worker and beat share it (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production ATC_VAR_DIR=/var/lib/atc
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core libcairo2 curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 atc && mkdir -p /var/lib/atc && chown atc /var/lib/atc

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=atc . .
# collectstatic needs settings to load: a throwaway key, never used at run time.
RUN SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0 \
    && chown -R atc /var/lib/atc

USER atc
EXPOSE 8000
CMD ["gunicorn", "atc.wsgi:application", "-c", "python:atc.gunicorn_conf", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
