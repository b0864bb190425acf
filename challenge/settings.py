"""Settings for Challenge.

One file, read from the environment. The embedded defaults run the app with nothing else
installed (SQLite, console e-mail); production differs only by environment variables.
See README.md, "Settings", for the full list.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# From a checkout, templates/ and static/ are top-level folders beside manage.py. An installed
# wheel (`pip install .`) carries them inside this package (pyproject.toml maps them there), and
# the SQLite file, collected static files and media default to the working directory instead of
# site-packages.
SOURCE_CHECKOUT = (BASE_DIR / "manage.py").is_file()
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = BASE_DIR / "templates" if SOURCE_CHECKOUT else PACKAGE_DIR / "templates"
STATIC_DIR = BASE_DIR / "static" if SOURCE_CHECKOUT else PACKAGE_DIR / "static"
DATA_DIR = BASE_DIR if SOURCE_CHECKOUT else Path.cwd()


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
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # A development key: fine on a laptop, flagged by `check --deploy` (security.W009).
    SECRET_KEY = "django-insecure-challenge-development-key-change-me"  # noqa: S105 (flagged by check --deploy)
# Earlier keys, while a new SECRET_KEY is rolled out: sign-ins, unsubscribe links and the sealed
# client secrets of identity providers (challenge.secretbox) made under them still open.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the site, used in e-mails and calendar invitations.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PARTNERSHIP_NAME = env_str("PARTNERSHIP_NAME", "Challenge")


def env_date(name: str):
    value = env_str(name)
    if not value:
        return None
    import datetime

    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a date, YYYY-MM-DD, not {value!r}") from exc


# Pins "today" for a demonstration of a past programme (see challenge/clock.py).
CHALLENGE_TODAY = env_date("CHALLENGE_TODAY")

INSTALLED_APPS = [
    # The project package: sign-in audit, time-outs, lookups (no models).
    "challenge.apps.ChallengeConfig",
    # The apps, in the order their imports go: each may import those above it, never below.
    "programmes.apps.ProgrammesConfig",
    "indicators.apps.IndicatorsConfig",
    "sessions.apps.SessionsConfig",
    "workspace.apps.WorkspaceConfig",
    "findings.apps.FindingsConfig",
    "evaluations.apps.EvaluationsConfig",
    "dashboard.apps.DashboardConfig",
    "demo.apps.DemoConfig",
    "challenge.apps.ChallengeAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # Single sign-on with each partner organisation's OpenID Connect provider (programmes/sign_on.py).
    # allauth's account app is needed by its social accounts; the app's own pages do the signing in.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside CSRF and the views, so it sees every 403 whoever answered it.
    "challenge.audit.ForbiddenAuditMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "challenge.middleware.PrivateCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside messages and htmx: it signs an idle session out with a message, and answers an
    # htmx request with a full-page redirect.
    "challenge.session_timeout.SessionTimeoutMiddleware",
    # Last, as django-axes requires: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "challenge.urls"
WSGI_APPLICATION = "challenge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "challenge.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # Set but empty (`DATABASE_URL=` in an environment file) means the default too.
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer at a time. Without these, a second writer (a request while the
    # worker saves a build's progress) fails at once with "database is locked". `timeout`
    # makes it wait for the lock instead; IMMEDIATE takes the write lock when a transaction
    # begins, so a transaction that read and then writes is never refused half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": env_int("SQLITE_TIMEOUT", 20), "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "programmes.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Signing in. django-axes counts wrong passwords per username *and* address: after
# LOGIN_FAILURE_LIMIT of them, that username is refused from that address (the right password
# too) until LOGIN_COOLOFF_MINUTES have passed since the last try. Someone else's mistakes
# cannot lock a person out from their own desk. Administrators see sign-ins, failures and
# lock-outs in the admin ("Axes") and can delete a lock-out there to lift it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in outright
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "challenge.auth_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "challenge.audit.client_ip"
# How many reverse proxies in front of the app each append the address they were reached from
# to X-Forwarded-For. 0: the app is reached directly and the client is REMOTE_ADDR; the header
# is ignored, as a client can write anything in it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Password-reset e-mails per e-mail address and client address in an hour; requests past it
# get the same answer and send nothing.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 3)
# Shown on the lock-out page as the address to write to; empty: "your facilitator".
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL")
# Days an invitation's one-time link to set a password works (programmes/people.py).
CHALLENGE_INVITATION_DAYS = env_int("INVITATION_DAYS", 7)

# Single sign-on (programmes/sign_on.py). Each partner organisation's OpenID Connect provider is
# configured in the app (its organisation's "Single sign-on" page, or the admin), not here: one
# allauth OpenID Connect app per provider, built from that configuration. The first sign-in links
# the provider's account to the invited person with that verified e-mail address; nobody is ever
# created by signing in. A provider's issuer must be https in production.
# SIGN_ON_ALLOW_HTTP_LOOPBACK=true accepts an http issuer on 127.0.0.1 or localhost only: for
# the tests' own provider (tests/oidc_provider/), never for a real one.
SIGN_ON_ALLOW_HTTP_LOOPBACK = env_bool("SIGN_ON_ALLOW_HTTP_LOOPBACK", False)
SOCIALACCOUNT_ADAPTER = "programmes.sign_on.SignOnAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter links by verified e-mail, with the app's rules
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts from a form (POST, with its CSRF token)
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SIGN_ON_TIMEOUT", 10)
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "programmes.sign_on.SignOnAccountAdapter"

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE
# seconds after signing in whatever happens (challenge/session_timeout.py).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 8 * 60 * 60)

for _env_name, _value, _least in [
    ("LOGIN_FAILURE_LIMIT", AXES_FAILURE_LIMIT, 1),
    ("LOGIN_COOLOFF_MINUTES", AXES_COOLOFF_TIME.total_seconds() / 60, 1),
    ("PASSWORD_RESET_LIMIT", PASSWORD_RESET_LIMIT, 1),
    ("INVITATION_DAYS", CHALLENGE_INVITATION_DAYS, 1),
    ("TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT, 0),
    ("SESSION_COOKIE_AGE", SESSION_COOKIE_AGE, 60),
    ("SESSION_IDLE_TIMEOUT", SESSION_IDLE_TIMEOUT, 60),
]:
    if _value < _least:
        raise ImproperlyConfigured(f"{_env_name} must be at least {_least}")

# Django's cache holds the password-reset counts, the drawn indicator charts (keyed by what they
# show, see indicators/templatetags/indicators.py) and the session workspace's question blocks and
# pages (keyed by what they show and what the viewer may do, see workspace/blocks.py). In memory
# (the default) each server process keeps its own; CACHE_LOCATION, a directory, shares them
# between the processes. 3,000 entries (Django's default is 300): a session day's workspaces,
# each a page and a block per question for each set of things its viewers may do.
_cache_location = env_str("CACHE_LOCATION")
CACHES = {
    "default": {
        **(
            {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _cache_location}
            if _cache_location
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        ),
        "OPTIONS": {"MAX_ENTRIES": 3000},
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
# Installed, challenge/static is this app's own static folder, which Django's app-directories
# finder already searches: listing it here too would find every file twice.
STATICFILES_DIRS = [STATIC_DIR] if SOURCE_CHECKOUT else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"

# Django 6 assumes https for scheme-less URLs typed into forms; opt in now.
FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Challenge <challenge@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (e-mail now, large PDFs later). The database back end needs
# `manage.py db_worker` running; TASKS_BACKEND=immediate runs tasks in the request instead.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_task_backend = env_str("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend], "QUEUES": ["default"]}}
# A build that reports no progress for this many seconds lost its worker: it is marked failed
# and can be tried again. A build still queued this many seconds after it was asked for,
# while no worker has started any task, tells the user no worker is running.
BUILD_STALL_TIMEOUT = env_int("BUILD_STALL_TIMEOUT", 600)
BUILD_PICKUP_TIMEOUT = env_int("BUILD_PICKUP_TIMEOUT", 60)
# /healthz fails its worker check when a task has waited this long and no worker started or
# finished one meanwhile (challenge/health.py).
HEALTHZ_WORKER_MINUTES = env_int("HEALTHZ_WORKER_MINUTES", 5)
if HEALTHZ_WORKER_MINUTES < 1:
    raise ImproperlyConfigured("HEALTHZ_WORKER_MINUTES must be at least 1")

# Security. HTTPS settings default on unless DEBUG, so `check --deploy` is clean in production.
# ALLOW_HTTP=true turns them off for a trial over plain HTTP on loopback or a LAN (`check
# --deploy` then says so); each can still be set on its own.
_https = not DEBUG and not env_bool("ALLOW_HTTP", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
# Load balancers probe over plain HTTP, inside the network: answer them, not redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/web)?$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _https)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
# Behind a proxy that ends TLS (nginx, a load balancer), gunicorn sees plain HTTP: the proxy's
# X-Forwarded-Proto header says whether the client used HTTPS. Set this only when every request
# comes through such a proxy and it sets (not passes on) that header: a client reaching the app
# directly could claim HTTPS. scripts/serve and deploy/ set it, as their nginx does.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4). Everything is served from this site: no inline
# scripts or styles anywhere (templates have no <script> body, <style> or style=; htmx is told
# not to inject its indicator <style>, see base.html). Bootstrap's CSS draws its form controls
# with data: SVG images. Optional CSP_REPORT_URI: where browsers send violation reports. (Not
# a setting named CSP_REPORT_URI: django-csp takes that for an old-style setting.)
_csp_directives = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env_str("CSP_REPORT_URI"):
    _csp_directives["report-uri"] = [env_str("CSP_REPORT_URI")]
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}

# On standard output, one event a line. LOG_FORMAT: keyvalue (`time=… level=… logger=… msg="…"`),
# json (one JSON object a line) or plain (level, logger, message). See challenge/logformat.py.
_LOG_FORMATTERS = {
    "keyvalue": {"()": "challenge.logformat.KeyValueFormatter"},
    "json": {"()": "challenge.logformat.JsonFormatter"},
    "plain": {"format": "%(levelname)s %(name)s %(message)s"},
}
_log_format = env_str("LOG_FORMAT", "keyvalue")
if _log_format not in _LOG_FORMATTERS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {sorted(_LOG_FORMATTERS)}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"default": _LOG_FORMATTERS[_log_format]},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Sign-ins, sign-outs, lock-outs and refusals (challenge/audit.py), whatever LOG_LEVEL.
        "challenge.audit": {"level": "INFO"},
    },
}
