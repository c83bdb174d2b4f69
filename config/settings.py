"""Settings for the job board, read from the environment (see README)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from pythonjsonlogger.core import RESERVED_ATTRS as RESERVED_LOG_ATTRS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Fail closed: with nothing set, the site is in production mode and needs a secret key.
DEBUG = env_bool("DJANGO_DEBUG")
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=true for development."
        )
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_countries",
    "django_filters",
    "django_htmx",
    "reversion",
    "axes",
    "django_ratelimit",
    "django_tasks_db",
    "core",
    "jobs",
    "alerts",
]

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",
    # Before anything that checks the host or redirects to HTTPS: load balancers call /healthz
    # over plain HTTP with the backend's address as Host.
    "core.middleware.HealthCheckMiddleware",
    "core.middleware.AllowedMethodsMiddleware",
    "core.middleware.QueryDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed by the application, whatever serves it. BREACH: public pages hold no secret
    # (no CSRF token, no session data), and Django's gzip adds random-length padding to every response,
    # which masks length differences on the admin's pages that do carry a CSRF token.
    "django.middleware.gzip.GZipMiddleware",
    # ETags from the uncompressed page (GZipMiddleware weakens them; If-None-Match still matches): 304s.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# A down or hung PostgreSQL fails requests fast: a new connection gives up after the connect timeout
# (libpq's minimum is 2 s), the server ends a statement at the statement timeout, and a server too
# hung to do so has the query cut off on our side a second later (core.database).
# Connections are kept for a minute between requests, without Django's health check: that check's
# query bypasses the deadline and would wait for a hung server forever. A connection the server
# dropped (a restart) fails its next query instead, one 503, and is replaced.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "2"))
DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT", "5"))
DATABASE_WORK_MEM = os.environ.get("DJANGO_DB_WORK_MEM", "32MB")
DATABASE_QUERY_DEADLINE = DATABASE_STATEMENT_TIMEOUT + 1 if DATABASE_STATEMENT_TIMEOUT else None


def database(url):
    """A database from its URL, with the timeouts and work memory above when it is PostgreSQL."""
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DJANGO_DB_CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["OPTIONS"] = {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            # No JIT: compiling a listing's query took seconds of what it saves on short queries like ours. 32 MB of
            # work memory: with the default 4 MB, the bitmap of a common search word's matches at 1,000,000 postings
            # went lossy, and PostgreSQL read every posting's search vector to check it (6.5 s instead of 1.2).
            "options": (
                f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)} -c jit=off -c work_mem={DATABASE_WORK_MEM}"
            ),
            **config.get("OPTIONS", {}),
        }
    return config


DATABASES = {"default": database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# Public pages read from a replica when there is one; staff, and any request that writes,
# read from the primary (config/routers.py).
if REPLICA_URL := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(REPLICA_URL)
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.routers.ReplicaMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# W040: the posting index's covering columns only matter on PostgreSQL; SQLite indexes the key columns.
# W021 asks for HSTS preloading, which DJANGO_HSTS_PRELOAD turns on where the operator wants it.
# django-ratelimit knows neither core.cache's Redis backend (W001) nor trusts the local-memory
# cache of development (E003), where each process counts alone.
SILENCED_SYSTEM_CHECKS = ["models.W040", "security.W021", "django_ratelimit.W001", "django_ratelimit.E003"]

# A Redis that is down or hung is a cache miss, not an error: pages come from the database
# (core/cache.py). The rate limits keep counting in each process's memory meanwhile.
if REDIS_URL := os.environ.get("REDIS_URL"):
    REDIS_CACHE = {
        "BACKEND": "core.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
    CACHES = {
        "default": REDIS_CACHE,
        "ratelimit": {**REDIS_CACHE, "FALLBACK": "django.core.cache.backends.locmem.LocMemCache"},
    }
else:
    CACHES = {
        # Django's default of 300 entries held the work of about forty listings (a response, its facets and page,
        # a card per posting); once full, a third were dropped every dozen cold requests. 5,000 entries: 300 cold
        # requests of every kind at 100,000 postings left 2,183 entries, 18.7 MiB.
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5_000}},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"},
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the interface, the languages postings are written in, search stemming
# and the language switcher all derive from this one list.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# Pay. The listing's salary floor is in this currency unless the visitor picks another; a language without an entry
# uses EUR, the currency the exchange rates are quoted against (jobs.models.BASE_CURRENCY).
SALARY_CURRENCY_BY_LANGUAGE = {"en": "USD", "fr": "EUR", "de": "EUR", "es": "EUR"}
# Where a published ad must state its pay (ISO 3166-1 codes): by default the EU member states, bound by the pay
# transparency directive (EU) 2023/970 since its transposition deadline of 7 June 2026.
EU_MEMBER_STATES = "AT,BE,BG,CY,CZ,DE,DK,EE,ES,FI,FR,GR,HR,HU,IE,IT,LT,LU,LV,MT,NL,PL,PT,RO,SE,SI,SK"
PAY_REQUIRED_COUNTRIES = env_list("DJANGO_PAY_REQUIRED_COUNTRIES", EU_MEMBER_STATES)
# The footer's links to the operator's legal pages (German-facing sites must have an imprint) and contact:
# each a URL (or mailto:) from the environment; an unset one is left out.
FOOTER_LINKS = {
    "imprint": os.environ.get("DJANGO_IMPRINT_URL", ""),
    "privacy": os.environ.get("DJANGO_PRIVACY_URL", ""),
    "contact": os.environ.get("DJANGO_CONTACT_URL", ""),
}
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security: everything is served from our own origin, with no inline script or style.
# Django's defaults already send nosniff, a same-origin referrer policy and X-Frame-Options: DENY.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
# Session and CSRF cookies are SameSite=Lax by Django's default; the language cookie is not.
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Load balancers check /healthz over plain HTTP (core.middleware.HealthCheckMiddleware answers
# it before the redirect and the host check; this keeps the redirect's rule in one place).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS starts at an hour, so a misconfigured HTTPS setup can be undone; raise it once HTTPS is proven.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "3600"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading is a lasting commitment for the whole domain: the operator opts in.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")

# Password guessing: after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for the cool-off time. Other people, and the same
# person from elsewhere, can still log in.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.login.locked_out"
AXES_USERNAME_CALLABLE = "core.login.attempted_username"

# Per client address, before any password is checked (core/ratelimits.py): POSTs a minute to
# the admin login, to the language switcher and to the statistics beacons. Over the limit, 429
# and Retry-After.
RATE_LIMITS = {
    "login": os.environ.get("DJANGO_LOGIN_RATE", "10/m"),
    "set_language": os.environ.get("DJANGO_SET_LANGUAGE_RATE", "30/m"),
    # Job alert sign-ups: per client address, and confirmation mails per e-mail address (alerts/views.py).
    "alert_subscribe": os.environ.get("DJANGO_ALERT_SUBSCRIBE_RATE", "10/h"),
    "alert_confirmation": os.environ.get("DJANGO_ALERT_CONFIRMATION_RATE", "3/h"),
    # The beacons of posting pages (jobs.statistics): a page view and its apply clicks.
    "statistics": os.environ.get("DJANGO_STATISTICS_RATE", "60/m"),
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "core.ratelimits.client_address"
RATELIMIT_VIEW = "core.views.too_many_requests"

# Request sizes (Django's defaults, stated here because the proxy's limit follows them):
# a form body of at most 2.5 MB in memory and 1,000 fields; nginx refuses bodies over 3 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Without a proxy, the client address is the connection's (django-axes' default) and no
# forwarded header is believed. Behind one, the client address is the last entry of
# X-Forwarded-For, the one the proxy appended: everything before it came from the client.
# python-ipware counts only the proxies listed in the header, and the proxy that appends
# is not listed, hence a count of 0; non-strict, so that junk a client puts in front of
# the proxy's entry cannot void the header.
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = 0
    IPWARE_STRICT = False


def mailer(url):
    """A MAILERS entry from an e-mail URL: console:, locmem:, dummy:, or smtp://user:password@host:port with
    ?starttls (submission on port 587) or smtps:// (TLS from the start, port 465)."""
    parts = urlsplit(url)
    if parts.scheme in {"console", "locmem", "dummy"}:
        return {"BACKEND": f"django.core.mail.backends.{parts.scheme}.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {parts.scheme!r} (console, locmem, dummy, smtp, smtps).")
    query = parse_qs(parts.query, keep_blank_values=True)
    options = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": parts.scheme == "smtps",
        "use_tls": "starttls" in query,
        "timeout": int(query.get("timeout", ["10"])[0]),
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


# Mail goes to the console (the terminal of `demo`, or the logs) until EMAIL_URL names a mail server.
MAILERS = {"default": mailer(os.environ.get("EMAIL_URL", "console:"))}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Job board <jobs@localhost>")
# Where links in e-mails lead: e-mails are sent outside any request (job alert digests).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background work (job alert digests) is stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Production logs are JSON, one object a line: each request's line (core.middleware) and every
# message logged while it ran carry its request_id. DJANGO_LOG_FORMAT=text for people to read.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "with_traceback_only": {"()": "django.utils.log.CallbackFilter", "callback": lambda record: record.exc_info},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "reserved_attrs": [*RESERVED_LOG_ATTRS, "request", "status_code", "server_time"],
        },
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # django-axes announces itself at every start; failed logins and lockouts are still logged.
        "axes.apps": {"level": "WARNING"},
        # Each request's line already says what django.request repeats without a traceback
        # (404s, 405s, the 503 of an unavailable database); its tracebacks stay.
        "django.request": {"filters": ["with_traceback_only"]},
        # A request for a host not in ALLOWED_HOSTS (scanners) is a 400 in the request log, not an error.
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
        # The development server logs each request itself.
        "core.requests": {"level": "WARNING" if DEBUG else "INFO"},
    },
}
