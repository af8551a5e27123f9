"""Newsroom settings: one file, every value from the environment.

`.env.example` documents each variable and its default. Unset `DATABASE_URL` means the embedded
SQLite quick start; production sets `DEBUG` off, which makes `SECRET_KEY` and `ALLOWED_HOSTS`
mandatory.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from newsroom.mail_urls import mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Start-up must fail loudly, in one line, rather than run production on a guessable key.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Newsroom")
SITE_DESCRIPTION = env.str(
    "SITE_DESCRIPTION",
    default="Short, scannable reporting on artificial intelligence, every weekday.",
)
SITE_LANGUAGE = "en"
NEWSLETTER_PITCH = env.str(
    "NEWSLETTER_PITCH",
    default=(
        "Join our daily newsletter for the day's AI launches, research explained in plain "
        "words, policy moves and the deals that matter, in five minutes."
    ),
)
NEWSLETTER_FROM = env.str("NEWSLETTER_FROM", default=f"{SITE_NAME} <newsletter@localhost>")
NEWSLETTER_POSTAL_ADDRESS = env.str(
    "NEWSLETTER_POSTAL_ADDRESS", default="Newsroom, 1 Example Street, Springfield"
)
# Signup limits, counted in the database so they hold across workers and machines.
NEWSLETTER_SIGNUPS_PER_NETWORK = env.int("NEWSLETTER_SIGNUPS_PER_NETWORK", default=5)
NEWSLETTER_SIGNUP_WINDOW = env.int("NEWSLETTER_SIGNUP_WINDOW", default=600)  # seconds
NEWSLETTER_ADDRESS_EMAIL_INTERVAL = 3600  # seconds between signup emails to one address
NEWSLETTER_CONFIRM_MAX_AGE = 7 * 86400  # seconds a confirmation link works
# Signup emails and the daily digest retry a refused message the same way (below).
# Daily digest delivery (newsletter/delivery.py): worker tasks per edition, rows per claim, how
# long a claim holds before a silent worker is presumed dead, retries of a refused message
# (the first after NEWSLETTER_RETRY_DELAY seconds, then doubling), how long an idle worker
# waits for due retries, and an optional pause after each message (a relay's rate limit).
NEWSLETTER_WORKERS = env.int("NEWSLETTER_WORKERS", default=4)
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
NEWSLETTER_CLAIM_LEASE = env.float("NEWSLETTER_CLAIM_LEASE", default=300)
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)
NEWSLETTER_RETRY_DELAY = env.float("NEWSLETTER_RETRY_DELAY", default=60)
NEWSLETTER_WORKER_PATIENCE = env.float("NEWSLETTER_WORKER_PATIENCE", default=30)
NEWSLETTER_SEND_PAUSE = env.float("NEWSLETTER_SEND_PAUSE", default=0)
# VERP (newsletter/bounces.py): digests leave with bounces+<delivery>@… of this address as their
# return path, a mailbox `manage.py read_bounces` reads; unset, bounces go to NEWSLETTER_FROM.
NEWSLETTER_BOUNCE_ADDRESS = env.str("NEWSLETTER_BOUNCE_ADDRESS", default="")
# Temporary failures in this many editions in a row suppress an address (newsletter/suppression.py).
NEWSLETTER_SOFT_FAIL_EDITIONS = env.int("NEWSLETTER_SOFT_FAIL_EDITIONS", default=3)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_tasks_db",
    "axes",
    "reversion",
    "newsroom.apps.NewsroomConfig",
    "articles",
    "newsletter",
    "federation",
    "anymail",
]

MIDDLEWARE = [
    "newsroom.client.UntrustedProxyWarning",
    "newsroom.middleware.ExtraSecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and auth: a cached page is served without touching any of them.
    "articles.page_cache.PublicPageCacheMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.StaffAreaMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Public templates read only `site`; `request`/`user` would touch the session and
            # make anonymous pages vary per reader.
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "newsroom.context_processors.site",
                "articles.context_processors.navigation",
            ],
        },
    },
]

# Database: the embedded SQLite file is the quick start; PostgreSQL is what tests and
# production run.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'newsroom.sqlite3'}"
    )
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    # A short connect timeout turns a database outage into a quick 503 instead of a hung worker.
    _db["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2))
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # psycopg prepares a query the second time a connection runs it: PostgreSQL then skips
        # parsing and planning, which halves its CPU per page (`make bench`, bench/RESULTS.md).
        # Prepared statements need server-side binding. Off for a pooler in transaction mode
        # (PgBouncer before 1.21), which cannot keep them per connection.
        _db["OPTIONS"].setdefault("server_side_binding", True)
        _db["OPTIONS"].setdefault("prepare_threshold", 2)
    if env.bool("DATABASE_POOL", default=False):
        # The pool and persistent connections exclude each other.
        _db["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=8),
            "timeout": env.int("DATABASE_POOL_TIMEOUT", default=5),
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        _db["CONN_HEALTH_CHECKS"] = True
else:
    _db["CONN_MAX_AGE"] = 0
    # The quick start's SQLite cannot defer the section-order constraint; PostgreSQL enforces it.
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default (one process: `make run`); production shares Redis between every
# worker and machine (CACHE_URL=redis://host:6379/0), which the page cache needs to stay correct
# across them. CACHE_KEY_PREFIX keeps two sites (or test runs) sharing one Redis apart.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://newsroom")}
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")

AUTHENTICATION_BACKENDS = [
    # Refuses logins for a locked-out username + address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin brute force: limits per username and address, and per address (newsroom/logins.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # in this order
AXES_HANDLER = "newsroom.logins.LoginFailures"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "newsroom.client.axes_client_ip"
# Our proxies, whose X-Forwarded-For names the client (newsroom/client.py; gunicorn's too).
FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")  # display only: storage is always UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded images: the file system under MEDIA_ROOT unless MEDIA_STORAGE names another STORAGES
# backend (e.g. storages.backends.s3.S3Storage, with django-storages installed); its options
# come as JSON in MEDIA_STORAGE_OPTIONS. MEDIA_URL may then be the bucket's or CDN's address.
MEDIA_URL = env.str("MEDIA_URL", default=MEDIA_URL)
if env.str("MEDIA_STORAGE", default=""):
    STORAGES["default"] = {
        "BACKEND": env.str("MEDIA_STORAGE"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    }
# Hashed names never change content, so browsers and CDNs may keep them for a year.
WHITENOISE_MAX_AGE = 31536000


# `make run` (DEBUG on) keeps email in the development outbox: printed readably in the terminal
# and listed with clickable links at /dev/outbox/. With DEBUG off the default is the console,
# which `check --deploy` refuses (mail.E001), so production must name a real mail server.
MAILERS = {
    "default": mailer_from_url(
        env.str("EMAIL_URL", default="outbox://" if DEBUG else "console://"),
        debug=DEBUG,
        outbox=BASE_DIR / "var" / "outbox",
        timeout=env.int("EMAIL_TIMEOUT", default=10),
    )
}
# Email services' webhook credentials (newsletter/webhooks.py), as JSON, e.g.
# {"MAILGUN_WEBHOOK_SIGNING_KEY": "…", "WEBHOOK_SECRET": "user:password"}.
ANYMAIL = env.json("ANYMAIL", default={})
DEFAULT_FROM_EMAIL = NEWSLETTER_FROM
SERVER_EMAIL = env.str("SERVER_EMAIL", default=NEWSLETTER_FROM)

# Email never blocks a request: it goes through django.tasks. Inline by default; production
# sets TASKS_BACKEND=database and runs `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[env.str("TASKS_BACKEND", default="immediate")]
    }
}

# Security. Public pages carry no nonce, so one strict policy fits them and can be cached
# whole; the admin widens it through newsroom.middleware.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
if urlsplit(MEDIA_URL).scheme in ("http", "https"):
    # Images served by a bucket or CDN (MEDIA_URL absolute) come from that origin.
    _media = urlsplit(MEDIA_URL)
    SECURE_CSP["img-src"].append(f"{_media.scheme}://{_media.netloc}")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins cookies to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Anonymous pages: kept rendered for PAGE_CACHE_SECONDS (0 turns the cache off), and told to
# browsers (max-age) and CDNs (s-maxage, stale-while-revalidate) how long they may keep them.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_BROWSER_SECONDS = env.int("PAGE_BROWSER_SECONDS", default=60)
PAGE_SHARED_SECONDS = env.int("PAGE_SHARED_SECONDS", default=300)
PAGE_STALE_SECONDS = env.int("PAGE_STALE_SECONDS", default=600)

# The social web (federation/): the account @FEDERATION_NAME@<SITE_URL's host>; its limits,
# retries and pauses as JSON in FEDERATION_OPTIONS (names and defaults: federation/conf.py).
FEDERATION_NAME = env.str(
    "FEDERATION_NAME", default="".join(filter(str.isalnum, SITE_NAME.lower())) or "newsroom"
)
FEDERATION_OPTIONS = env.json("FEDERATION_OPTIONS", default={})

ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults give `django` a console handler of its own while DEBUG is on, and
        # its lines also reached root's: `make run` printed each twice. Naming `django` here
        # drops that handler (and resets its children, runserver's `django.server` included),
        # so every line goes out once, through root's handler.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Failed admin logins are recorded in axes' own tables; its start-up banner is noise.
        "axes": {"level": "WARNING"},
    },
}
