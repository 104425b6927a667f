"""Settings of the ATC platform: one file, every value from the environment.

The embedded default needs no server (SQLite file, filesystem Celery broker, file cache), so
`make run` works on a bare machine. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis.
`DJANGO_ENV=production` turns on every deployment protection and refuses a missing secret key.
"""

import os
import sys
from pathlib import Path

import dj_database_url
import jinja2
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """A DATABASES entry from `postgres://user:pass@host:port/name` or `sqlite:///path`
    (dj-database-url), with the connection settings PostgreSQL gets here."""
    try:
        database = dj_database_url.parse(url)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {exc}") from exc
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return database
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_URL scheme {url.split(':', 1)[0]!r} is not supported")
    database["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    database["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT adds ~20 ms to the dashboards' aggregate queries for nothing, and on a
    # small server parallel workers only add processes competing with the web for the cores
    # (the aggregates are faster without them: 15 ms instead of 17 ms at 1,600 sites).
    options = database.setdefault("OPTIONS", {})
    options.setdefault("options", "-c jit=off -c max_parallel_workers_per_gather=0")
    return database


def redis_caches(url: str, key_prefix: str) -> dict:
    """CACHES on Redis: a cache outage must not take pages down (atc/cache.py). The timeouts fail
    fast, then each call is a miss or a dropped write, logged (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS)."""
    return {
        "default": {
            "BACKEND": "atc.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test" or "pytest" in sys.modules

VAR_DIR = Path(env_str("ATC_VAR_DIR", str(BASE_DIR / "var")))

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production"
    )

DEBUG = env_bool("DEBUG", not PRODUCTION and not TESTING)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address, the one base of every e-mailed link (atc.links.absolute_url). By default the
# address `make run` serves: HOST and PORT, which scripts/serve-dev.sh exports to the web server, the
# worker and beat alike (a server listening on every interface is reached on 127.0.0.1).
_SERVE_HOST = env_str("HOST", "127.0.0.1")
_SERVE_HOST = "127.0.0.1" if _SERVE_HOST in ("", "0.0.0.0", "::") else _SERVE_HOST
SITE_URL = env_str("SITE_URL", f"http://{_SERVE_HOST}:{env_int('PORT', 8000)}").rstrip("/")
# How many proxies we run in front of the app, each appending to X-Forwarded-For (docker-compose.yml:
# nginx, so 1; add one for a TLS proxy in front of it). Read by atc.signin.client_ip, the one place
# that reads a client address, and by allauth. 0: the header is ignored (a client could forge it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and Redoc served from the app's own static files (no CDN).
    "drf_spectacular_sidecar",
    "atc",
    "sites",
    "pilotage",
    "diagnostics",
    "evaluation",
]

MIDDLEWARE = [
    # First: an oversized body is refused before anything (CSRF, sessions, forms) reads it.
    "atc.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "atc.middleware.TimeZoneResetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "atc.middleware.SessionTouchMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "atc.middleware.RefusalLogMiddleware",
    "atc.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "atc.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "atc.urls"
WSGI_APPLICATION = "atc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "atc.context_processors.platform",
            ],
            # The dashboards' tags live with their views (evaluation/dashboards/), not in an app root.
            "libraries": {"figure_cache": "evaluation.dashboards.templatetags.figure_cache"},
            # Tests fail on an undefined template variable instead of rendering an empty string.
            "string_if_invalid": "INVALID_TEMPLATE_VARIABLE_%s" if TESTING else "",
        },
    },
    {
        # The few loops rendered on every request of a busy page, included with {% jinja %}.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "atc.jinja2.environment",
            # What the templates call to name figures (evaluation, above atc: named, not imported).
            "globals_from": ["evaluation.templatetags.figure_labels.jinja_globals"],
            "autoescape": True,
            "undefined": jinja2.StrictUndefined if TESTING else jinja2.Undefined,
        },
    },
]

# Django's form templates, with bound fields fit for valid HTML (atc/renderers.py).
FORM_RENDERER = "atc.renderers.FormRenderer"

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # WAL and a busy timeout let the web process, the worker and beat share the file.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, so that a real Celery worker started by a test can open it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = redis_caches(
        REDIS_URL,
        # Each test process gets its own prefix so parallel runs never clear each other's keys.
        env_str("CACHE_KEY_PREFIX", "atc")
        + (f"-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}" if TESTING else ""),
    )
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Read by django-redis: an ignored Redis error is logged (ERROR, with its traceback) under atc.cache.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "atc.cache"

AUTH_USER_MODEL = "atc.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (atc/hashers.py: parameters and their measured cost); PBKDF2 still verifies the
# hashes made before it, which are re-made with Argon2id at their next sign-in.
PRODUCTION_PASSWORD_HASHERS = [
    "atc.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
if TESTING:
    # Fast hashes for the thousands of test accounts; tests/atc/test_password_hash.py checks the
    # production list.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email login, no open sign-up, mandatory verification, rate limits on the cache.
ACCOUNT_ADAPTER = "atc.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an unknown address sends nothing: the answer looks the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins: 20 a minute per client address here; per account, atc.signin slows attempts
# down instead of locking the account (README, "Sign-in limits").
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip"}
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ATC] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Plateforme ATC"
# A code of the 30-second step before or after is accepted too (RFC 6238 §5.2: a phone's clock
# drifts, and a code typed at the end of its step reaches the server in the next one).
MFA_TOTP_TOLERANCE = 1
# National-team and administrator accounts must set up TOTP before using the platform.
ATC_REQUIRE_MFA = env_bool("ATC_REQUIRE_MFA", PRODUCTION)
# Names the deployed code in every kept value's key (atc.cache.release); empty: a digest of the
# sources, computed once per process.
ATC_RELEASE = env_str("ATC_RELEASE", "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are never served by URL: attachments go through an access-checked view.
MEDIA_URL = "/fichiers-non-publics/"


def s3_storage(*, bucket: str, endpoint_url: str = "", region: str = "") -> dict:
    """The STORAGES entry of a private S3-compatible bucket (django-storages).

    Every file — attachments, pending imports, report parts and reports — is read and written through
    the Storage API, so web and worker machines share them through the bucket. Nothing is public:
    no ACL is sent (the bucket's own, private, applies) and downloads stream through the
    access-checked views, never a bucket URL. Credentials come from AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or whatever else boto3 finds (an instance role).
    """
    if not bucket:
        raise ImproperlyConfigured("ATC_STORAGE=s3 needs ATC_S3_BUCKET")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "default_acl": None,
            "querystring_auth": True,
            # Like the file system: a name in use is never overwritten, a new one is chosen.
            "file_overwrite": False,
            # A file read from the bucket spills to a temporary file past this size, like an upload.
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }


ATC_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A whole request body: one file at the upload limit plus the form around it. Bodies declared
# bigger are refused before a byte is read (atc.middleware.RequestSizeLimitMiddleware), chunked
# ones once they pass it; the proxy applies the same figure (atc/deploy/nginx.conf, checked by a test).
ATC_MAX_REQUEST_BYTES = ATC_MAX_UPLOAD_BYTES + 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = ATC_MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Where files live: `local` (MEDIA_ROOT on this machine) or `s3` (a bucket every machine shares).
ATC_STORAGE = env_str("ATC_STORAGE", "local")
if ATC_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif ATC_STORAGE == "s3":
    _default_storage = s3_storage(
        bucket=env_str("ATC_S3_BUCKET"),
        endpoint_url=env_str("ATC_S3_ENDPOINT_URL"),
        region=env_str("ATC_S3_REGION"),
    )
else:
    raise ImproperlyConfigured(f"ATC_STORAGE must be local or s3, got {ATC_STORAGE!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Every uploaded zip (XLSX, DOCX, ODS…) is checked from its table of contents before anything
# reads it (atc/archives.py): members, total size once decompressed, compression ratio of the
# members over 1 MiB (legitimate office files stay under ~20:1, a zip bomb is near 1000:1).
ATC_ARCHIVE_MAX_MEMBERS = env_int("ATC_ARCHIVE_MAX_MEMBERS", 1000)
ATC_ARCHIVE_MAX_UNCOMPRESSED_BYTES = env_int("ATC_ARCHIVE_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
ATC_ARCHIVE_MAX_RATIO = env_int("ATC_ARCHIVE_MAX_RATIO", 100)
# An import file is read in a child process with this address-space ceiling and time limit
# (pilotage/imports/sheet_reader.py), so that no file can hold a web process's memory or time.
ATC_IMPORT_READ_MEMORY_MB = env_int("ATC_IMPORT_READ_MEMORY_MB", 256)
ATC_IMPORT_READ_SECONDS = env_int("ATC_IMPORT_READ_SECONDS", 10)
# A checked import file waits this long for its confirmation, then is deleted (pilotage.tasks).
ATC_IMPORT_PENDING_HOURS = env_int("ATC_IMPORT_PENDING_HOURS", 24)

# Sessions: idle timeout (expiry pushed forward at most once a minute by
# atc.middleware.SessionTouchMiddleware); the cookie ends with the browser. Sessions stay in the
# database alone: a cached copy would outlive a sign-out made while Redis is down (the cache delete
# fails soft) and bring the session back with Redis, for one query saved per page.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 60 * 60)
SESSION_TOUCH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Plateforme ATC <ne-pas-repondre@atc.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise a filesystem broker that needs no server.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _queue_dir = VAR_DIR / "celery" / "queue"
    # kombu's filesystem transport fails on a missing folder instead of creating it.
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Redis hands an unacknowledged task to another worker after this many seconds: it must stay
    # above the longest task (ATC_REPORT_TIME_LIMIT), or a slow render would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("ATC_BROKER_VISIBILITY_TIMEOUT", 3600),
        # How often a worker looks for such abandoned tasks (seconds × every Nth look).
        "unacked_restore_interval": env_int("ATC_BROKER_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": env_int("ATC_BROKER_RESTORE_THROTTLE", 10),
        # A broker that is down must not hold a web request: fail the connection fast.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Tests use their own queue (one per pytest-xdist process) so a dev worker never steals their tasks.
CELERY_TASK_DEFAULT_QUEUE = (
    f"atc-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}" if TESTING else "celery"
)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Publishing must never hang a web request when the broker is down: no reconnection attempt
# (one attempt cost 2 s of back-off per request with Redis stopped; the resend sweep catches up).
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("max_retries", 0)
CELERY_TASK_PUBLISH_RETRY = False
# Tests run tasks eagerly unless a test starts a real worker (tests/atc/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = TESTING
ATC_HEARTBEAT_SECONDS = env_int("ATC_HEARTBEAT_SECONDS", 60)
# Notifications: the hour (local time) the daily and weekly digests leave, and how long the
# unsubscribe link of an e-mail stays valid.
ATC_NOTIFICATION_DIGEST_HOUR = env_int("ATC_NOTIFICATION_DIGEST_HOUR", 7)
ATC_NOTIFICATION_UNSUBSCRIBE_DAYS = env_int("ATC_NOTIFICATION_UNSUBSCRIBE_DAYS", 365)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "atc.heartbeat", "schedule": float(ATC_HEARTBEAT_SECONDS)},
    "purge-personal-data": {
        "task": "atc.purge_personal_data",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
    },
    # Each Monday morning, site teams whose last quarter has no logbook review get one reminder.
    "logbook-reminders": {
        "task": "evaluation.send_logbook_reminders",
        "schedule": crontab(minute=0, hour=8, day_of_week="monday"),
    },
    # The attention signals that turn with the calendar (months without a steering meeting…).
    "attention-signals": {
        "task": "evaluation.refresh_attention_signals",
        "schedule": crontab(minute=30, hour=0),
    },
    # Import files checked a day ago and never confirmed are deleted (ATC_IMPORT_PENDING_HOURS).
    "purge-pending-imports": {"task": "pilotage.purge_pending_imports", "schedule": crontab(minute=20)},
    # Publishes again the report requests a broker outage or a lost worker left behind.
    "reports-resend": {"task": "evaluation.resend_pending_reports", "schedule": 60.0},
    # Rebuilds the pre-aggregates of sites whose data changed since (reads rebuild a few at once;
    # this catches the rest and retries a rebuild that failed).
    "figures-refresh": {"task": "evaluation.refresh_stale_figures", "schedule": 120.0},
    # Survey campaigns with « relances automatiques »: those who have not answered are reminded
    # (evaluation/surveys/services.py, reminders_send_due: maximum count and minimum delay kept).
    "survey-reminders": {
        "task": "evaluation.surveys.send_due_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    # The open data files (evaluation/opendata/), rebuilt every night.
    "open-data": {"task": "evaluation.build_open_data", "schedule": crontab(minute=30, hour=2)},
    # Notification digests (README « Notifications »): each morning, and each Monday morning.
    "notifications-daily-digest": {
        "task": "atc.notifications.send_daily_digests",
        "schedule": crontab(minute=0, hour=ATC_NOTIFICATION_DIGEST_HOUR),
    },
    "notifications-weekly-digest": {
        "task": "atc.notifications.send_weekly_digests",
        "schedule": crontab(minute=15, hour=ATC_NOTIFICATION_DIGEST_HOUR, day_of_week="monday"),
    },
}
# --- The read-only API (evaluation/api/, README « API ») -------------------------------------------
# Requests per person (per token owner or signed-in person) and per anonymous address; DRF's
# throttling counts them in the cache.
ATC_API_RATE = env_str("ATC_API_RATE", "600/minute")
ATC_API_ANON_RATE = env_str("ATC_API_ANON_RATE", "30/minute")
# The questionnaires' answer pages (evaluation/surveys/): requests per client address, whether the
# personal link is valid or not (README « Liens personnels des questionnaires »).
ATC_SURVEY_ANSWER_RATE = env_str("ATC_SURVEY_ANSWER_RATE", "60/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "evaluation.api.authentication.ApiTokenAuthentication",
        "evaluation.api.authentication.ReadOnlySessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "evaluation.api.throttling.PersonRateThrottle",
        "evaluation.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "evaluation.api.pagination.Pagination",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de la plateforme ATC",
    "DESCRIPTION": (
        "Lecture seule des données de l'Animation Territoriale Citoyenne : sites, têtes de réseau, "
        "QPV, réunions (participation par catégorie), actions, constats, appréciations, "
        "indicateurs et valeurs, chiffres par site et période, rapports. Chaque jeton lit ce que "
        "sa ou son propriétaire peut lire sur la plateforme, rien de plus. Authentification : "
        "en-tête `Authorization: Bearer <jeton>` (jetons créés dans « Mon compte » › « Jetons d'API »)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

CELERY_IMPORTS = [
    "evaluation.reports.tasks",
    "evaluation.logbook.tasks",
    "evaluation.figures.tasks",
    "evaluation.opendata.tasks",
    "evaluation.attention.tasks",
    "atc.notifications.tasks",
    "evaluation.surveys.tasks",
]

# Evaluation reports (evaluation/reports/pdf.py explains the limits): a render runs in a child process
# killed after ATC_REPORT_RENDER_SECONDS and capped at ATC_REPORT_MEMORY_MB of address space; the
# task itself has Celery's soft/hard limits around the database work.
ATC_REPORT_RENDER_SECONDS = env_int("ATC_REPORT_RENDER_SECONDS", 240)
ATC_REPORT_MEMORY_MB = env_int("ATC_REPORT_MEMORY_MB", 3072)
ATC_REPORT_TIME_LIMIT = env_int("ATC_REPORT_TIME_LIMIT", 300)
ATC_REPORT_MAX_ATTEMPTS = env_int("ATC_REPORT_MAX_ATTEMPTS", 4)
# A queued report published this long ago and still not started is published again.
ATC_REPORT_RESEND_SECONDS = env_int("ATC_REPORT_RESEND_SECONDS", 600)
ATC_REPORT_RESEND_BATCH = 50
# A report e-mail carries the PDF when it weighs at most ATC_REPORT_ATTACH_MAX_BYTES; otherwise a
# signed link, valid ATC_REPORT_LINK_DAYS days, that downloads that report without an account.
ATC_REPORT_ATTACH_MAX_BYTES = env_int("ATC_REPORT_ATTACH_MAX_BYTES", 5_000_000)
ATC_REPORT_LINK_DAYS = env_int("ATC_REPORT_LINK_DAYS", 30)
# Over this many sites, a report's summary shows how the sites spread (quartiles, buckets, top and
# bottom ten) instead of a row per site. Over ATC_REPORT_SECTIONS_PER_PART sites, the worker
# renders it in parts (the summary, then the site sections that many at a time) and merges them.
ATC_REPORT_SITE_ROWS_MAX = env_int("ATC_REPORT_SITE_ROWS_MAX", 60)
# A site section of a report lists at most this many actions, meetings, findings and logbook
# entries (the most recent); it counts the rest and points to the XLSX exports.
ATC_REPORT_LIST_MAX = env_int("ATC_REPORT_LIST_MAX", 40)
# Cards per column of the action board (13,000 actions made a 17 MB page).
ATC_BOARD_PAGE_SIZE = env_int("ATC_BOARD_PAGE_SIZE", 50)
ATC_REPORT_SECTIONS_PER_PART = env_int("ATC_REPORT_SECTIONS_PER_PART", 50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "atc.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # pikepdf (the reports' PDF/UA step) says at INFO that it loaded: not worth a line per process.
        "pikepdf": {"level": "WARNING"},
    },
}
