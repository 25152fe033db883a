"""Settings shared by the demo, production and the test suite, read from the environment.

They hold no secret of their own: ``config.settings.demo`` (what ``make run`` serves) makes its
secrets under ``var/`` on first use, and ``config.settings.production`` refuses to start
without real ones. docs/deployment.md lists every variable read here.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.settings import environment
from config.settings.database_url import parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("OKRYU_VAR_DIR", BASE_DIR / "var"))
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

# Secrets come from the environment or from a file named by <NAME>_FILE, never from code; the
# card issuer's keys are at the end, with the payments settings.
SECRET_KEY = environment.read_secret("SECRET_KEY")
# Keys that signed sessions and tokens before the current one: they keep verifying (rotation).
SECRET_KEY_FALLBACKS = environment.read_secret_list("SECRET_KEY_FALLBACKS")
# A secret made by the demo settings starts with this; production refuses one (okryu.E012).
OKRYU_DEMO_SECRET_PREFIX = "okryu-demo-"
# Production settings set this; the production-only system checks run when it is on.
OKRYU_IS_PRODUCTION = False
DEBUG = os.environ.get("DEBUG", "").lower() in {"1", "true", "yes", "on"}
ALLOWED_HOSTS = environment.read_list("ALLOWED_HOSTS")
PORT = int(os.environ.get("PORT", "8000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_prometheus",
    # ninja serves its bundled Swagger UI files through staticfiles: the docs work offline.
    "ninja",
    "okryu.core",
    "okryu.notifications",
    "okryu.accounts",
    "okryu.payments",
    "okryu.merchants",
    "okryu.catalog",
    "okryu.cart",
    "okryu.orders",
    "okryu.delivery",
    "okryu.insights",
    "okryu.demo",
    "okryu.web",
    "okryu.api",
]

MIDDLEWARE = [
    # Counts every request (django-prometheus) and names it (X-Request-ID) before anything
    # else can answer it.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "okryu.core.logs.RequestIdMiddleware",
    # After a person's write, their reads skip the replica for a moment.
    "okryu.core.replica.ReadYourWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "okryu.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    # A cookie holding a control character is dropped before the session looks it up.
    "okryu.core.middleware.CookieGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "okryu.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "okryu.core.middleware.RequestLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "okryu.web.staff_sessions.StaffSessionMiddleware",
    "okryu.core.middleware.TooManyRequestsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "okryu.core.metrics.MetricsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "okryu.web.context_processors.storefront",
            ],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.app_directories.Loader",
                    ],
                ),
            ],
            # Filters every page uses: won amounts, numbers people read, Korean particles.
            "builtins": [
                "okryu.web.templatetags.won",
                "okryu.web.templatetags.numbers",
                "okryu.web.templatetags.korean",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        environment.read_text("DATABASE_URL", "sqlite:///var/okryu.sqlite3"),
        base_dir=BASE_DIR,
        conn_max_age_seconds=environment.read_optional_int("DATABASE_CONN_MAX_AGE"),
    )
}
# A PostgreSQL streaming replica for the reads that tolerate lag (okryu.core.replica): the
# public catalog's listings and search, named explicitly; nothing else ever reads it. Reads
# fall back to the primary when it is down or more than OKRYU_REPLICA_MAX_LAG_S behind.
_replica_url = environment.read_text("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = parse_database_url(
        _replica_url,
        base_dir=BASE_DIR,
        conn_max_age_seconds=environment.read_optional_int("DATABASE_CONN_MAX_AGE"),
    )
    # A replica that does not answer must not hold a request for long.
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["replica"].get("OPTIONS", {}),
        "connect_timeout": 2,
    }
    # The test suite reads its one database through the alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
OKRYU_REPLICA_MAX_LAG_S = environment.read_int("OKRYU_REPLICA_MAX_LAG_S", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2 first: passwords are stored only as slow salted hashes (PINs are keyed MACs, see
# payments/pins.py and docs/adr/0006-pin-verification-values.md).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sessions live in the database (or Redis through the cache), never in process memory, so any
# app server can answer any request.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES: dict[str, dict[str, object]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "okryu",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# Read through the cache, written through to the database: a signed-in page asks the database
# nothing for its session, and a lost cache loses no session. The file cache is shared by every
# process of one host; several hosts share Redis.
SESSION_ENGINE = "okryu.core.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "okryu_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LOCALE_PATHS = [BASE_DIR / "okryu" / "locale"]
TIME_ZONE = "Asia/Pyongyang"
USE_I18N = True
USE_TZ = True
FIRST_DAY_OF_WEEK = 1

STATIC_URL = "/static/"
STATIC_ROOT = Path(
    environment.read_text("OKRYU_STATIC_ROOT") or BASE_DIR / "staticfiles"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
# Uploaded photos: one folder that every app server writes and nginx serves (at scale an NFS
# mount shared by all of them: docs/adr/0011-shared-media-folder.md).
MEDIA_ROOT = Path(environment.read_text("OKRYU_MEDIA_ROOT") or VAR_DIR / "media")
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365

# Logs go to standard error: plain lines for a person (the demo), or one JSON object a line
# for a log collector (LOG_FORMAT=json, production's default); each carries the request's id
# (okryu.core.logs), and every request is logged once on "okryu.requests".


def logging_settings(log_format: str) -> dict[str, object]:
    """Return Django's LOGGING for ``log_format``: "json" or "plain"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "okryu.core.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
            },
            "json": {"()": "okryu.core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "django.request": {"level": "ERROR"},
            "okryu.requests": {
                "level": environment.read_text("OKRYU_ACCESS_LOG_LEVEL", "INFO")
            },
        },
    }


LOG_FORMAT = environment.read_text("LOG_FORMAT", "plain")
LOGGING = logging_settings(LOG_FORMAT)

# Limits (STYLE.md section 10): every collection that grows with input has a named maximum.
OKRYU_PAGE_SIZE = 24
OKRYU_PAGE_SIZE_MAX = 100
OKRYU_SEARCH_QUERY_LENGTH_MAX = 100
OKRYU_BASKET_LINES_MAX = 50
OKRYU_LINE_QUANTITY_MAX = 999
OKRYU_CATALOG_CACHE_SECONDS = 5
# A dish's daily capacity starts again at this hour of the Pyongyang morning.
OKRYU_PORTIONS_RESET_HOUR = 5
# Options a basket or order line may carry.
OKRYU_LINE_OPTIONS_MAX = 10
# Units offered to a waitlist entry are held for it this long, then pass to the next entry.
OKRYU_WAITLIST_HOLD_MINUTES = environment.read_int(
    "OKRYU_WAITLIST_HOLD_MINUTES", default=120
)

# Payments (the card issuer), the outbox and the background jobs.


# The card issuer's keys by version (payments/issuer_keys.py). A card's chip key is
# HMAC-SHA256 of its number under the key of the version it was issued with; a PIN record is a
# MAC under a PIN key derived from the version it was made with. New cards and PIN records use
# the current version; older versions keep verifying while their key is listed, so keys rotate
# without reissuing cards. Losing a key makes what was made under it unverifiable; leaking one
# lets anyone forge chip records and test PINs offline.
OKRYU_CARD_ISSUER_KEYS = environment.read_issuer_keys("OKRYU_CARD_ISSUER_KEYS")
OKRYU_CARD_ISSUER_KEY_VERSION = environment.read_int(
    "OKRYU_CARD_ISSUER_KEY_VERSION", default=max(OKRYU_CARD_ISSUER_KEYS, default=1)
)
OKRYU_CARD_PREFIX = "9410"
OKRYU_CARD_VALID_YEARS = 5
OKRYU_CARD_TRANSFER_LIMIT_WON = 2_000_000
OKRYU_CARD_DAILY_LIMIT_WON = 5_000_000
OKRYU_OFFLINE_FLOOR_LIMIT_WON = 50_000
# The bank counter's money controls (payments/counter_services.py): a cash top-up over the
# approval threshold waits for a supervisor other than the teller; none may pass the maximum;
# a teller's cash taken in per day (booked and awaiting approval) stops at the daily limit.
OKRYU_TOPUP_APPROVAL_WON = environment.read_int(
    "OKRYU_TOPUP_APPROVAL_WON", default=1_000_000
)
OKRYU_TOPUP_MAX_WON = environment.read_int("OKRYU_TOPUP_MAX_WON", default=10_000_000)
OKRYU_TELLER_DAILY_WON = environment.read_int(
    "OKRYU_TELLER_DAILY_WON", default=50_000_000
)
# The demo's order history (okryu.demo.history): ``load_demo_data`` simulates this many days
# up to yesterday, once, for this many products, so the insight pages have something true to
# show on a fresh machine (0: no history; ``simulate_demand`` writes a longer one).
OKRYU_DEMO_HISTORY_DAYS = environment.read_int("OKRYU_DEMO_HISTORY_DAYS", default=14)
OKRYU_DEMO_HISTORY_PRODUCTS = 5
# An order paid at the door holds nothing at checkout, so the goods it reserves are bounded.
OKRYU_DOOR_ORDER_TOTAL_MAX_WON = 300_000
# A door payment's challenge (GET /terminal/fulfilments/{id}) is good for one record, for this
# long: a courier's day, so a terminal that fetched it at pick-up may take the card offline.
OKRYU_DOOR_CHALLENGE_MINUTES = environment.read_int(
    "OKRYU_DOOR_CHALLENGE_MINUTES", default=12 * 60
)
# A shopper has at most this many open orders paid at the door (goods reserved against no
# money); a door order no merchant accepted within OKRYU_DOOR_ORDER_ACCEPT_MINUTES expires and
# releases its stock, as a card order's hold does.
OKRYU_OPEN_DOOR_ORDERS = environment.read_int("OKRYU_OPEN_DOOR_ORDERS", default=2)
OKRYU_DOOR_ORDER_ACCEPT_MINUTES = environment.read_int(
    "OKRYU_DOOR_ORDER_ACCEPT_MINUTES", default=60
)
# Paying at the door needs a phone verified by an SMS code: good this long, this many tries.
OKRYU_PHONE_CODE_MINUTES = 10
OKRYU_PHONE_CODE_ATTEMPTS_MAX = 5
OKRYU_HOLD_TIMEOUT_SECONDS = 7 * 24 * 60 * 60
OKRYU_HOLD_TIMEOUT_SECONDS_MAX = 30 * 24 * 60 * 60
OKRYU_QR_REQUEST_SECONDS = 10 * 60
OKRYU_SMS_GATEWAY = os.environ.get("OKRYU_SMS_GATEWAY", "log")
# The "http" gateway posts each message to the operator's SMS service (notifications/http.py).
OKRYU_SMS_GATEWAY_URL = environment.read_text("OKRYU_SMS_GATEWAY_URL")
OKRYU_SMS_GATEWAY_TOKEN = environment.read_secret("OKRYU_SMS_GATEWAY_TOKEN")
OKRYU_SMS_GATEWAY_TIMEOUT_SECONDS = 10
OKRYU_JOB_BATCH_SIZE = 50
OKRYU_JOB_LEASE_SECONDS = 300
OKRYU_JOB_ATTEMPTS_MAX = 5
# A failed SMS waits 20 s, 40 s, … at most an hour before its next attempt; with 30 attempts a
# message is tried for about a day (a delivery code is still useful then) before it is given up.
OKRYU_SMS_ATTEMPTS_MAX = 30
OKRYU_SMS_RETRY_DELAY_SECONDS_MAX = 60 * 60
# What is purged, and when (okryu.core.purge): idempotency records once past their promised
# lifetime (docs/API.md promises 24 hours; kept 48), finished jobs and sent SMS after some days
# for the operator's questions. Failed jobs and SMS are kept until an operator deals with them.
OKRYU_IDEMPOTENCY_RETENTION_HOURS = environment.read_int(
    "OKRYU_IDEMPOTENCY_RETENTION_HOURS", default=48
)
OKRYU_JOB_RETENTION_DAYS = environment.read_int("OKRYU_JOB_RETENTION_DAYS", default=14)
OKRYU_SMS_RETENTION_DAYS = environment.read_int("OKRYU_SMS_RETENTION_DAYS", default=30)
# The demo's phone (/accounts/demo-phone/): a page showing the SMS sent to the visitor's own
# number, codes included, so a demo visitor can confirm a phone. The demo turns it on;
# production refuses it (okryu.E025).
OKRYU_DEMO_PHONE = False
# Each job worker purges at most this often (and `manage.py purge` does it at once).
OKRYU_PURGE_INTERVAL_SECONDS = environment.read_int(
    "OKRYU_PURGE_INTERVAL_SECONDS", default=60 * 60
)
# The background queues an operator watches (okryu.core.queues): /health/ fails when one's
# oldest due item has waited longer than this, and /metrics shows their depths.
OKRYU_QUEUES = {
    "jobs": "okryu.core.jobs.queue_state",
    "sms": "okryu.notifications.outbox.queue_state",
}
OKRYU_HEALTH_QUEUE_WAIT_MAX_SECONDS = environment.read_int(
    "OKRYU_HEALTH_QUEUE_WAIT_MAX_SECONDS", default=10 * 60
)
# Who may read /metrics: with a token, whoever sends it; without, the machine itself only.
OKRYU_METRICS_TOKEN = environment.read_secret("OKRYU_METRICS_TOKEN")
# The purges, by name: functions that delete what is past its lifetime and return a count.
OKRYU_PURGES = {
    "idempotency records": "okryu.core.idempotency.delete_expired_records",
    "finished jobs": "okryu.core.jobs.delete_finished_jobs",
    "sent SMS": "okryu.notifications.outbox.delete_sent_messages",
}
# Delivery: which vehicle a job needs, its fee and its estimated time (okryu.delivery.rules).
# A motorbike carries a job up to 15 kg, no bulkier than "medium", no farther than 12 km; a van
# carries the rest. Any field of okryu.delivery.rules.DeliveryThresholds may be set here.
OKRYU_DELIVERY_THRESHOLDS: dict[str, object] = {
    "motorbike_weight_max_grams": 15_000,
    "motorbike_size_max": "medium",
    "motorbike_distance_max_meters": 12_000,
}
# Dispatch gives a job to the smallest vehicle that fits it, unless a bigger one would reach
# the pick-up more than this many minutes sooner (okryu.delivery.rules.assign_jobs).
OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES = environment.read_int(
    "OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES", default=10
)
# The fifth wrong confirmation code at the door locks a delivery job until the office calls
# the shopper and an operator unlocks it.
OKRYU_DELIVERY_CODE_ATTEMPTS_MAX = 5
# A courier's route, and each list of the logistics office, shows at most this many jobs.
OKRYU_DELIVERY_LIST_MAX = 100
# The dispatch sweep opens at most this many missing jobs per round.
OKRYU_DELIVERY_SWEEP_MAX = 500
# Job kinds and their handlers: the only code the job runner will call.
OKRYU_JOB_HANDLERS = {
    "payments.expire_hold": "okryu.payments.jobs.expire_hold_job",
    # Cancelling a fulfilment closes its delivery job in the same commit: delivery's handler.
    "orders.expire_fulfilment_hold": "okryu.delivery.jobs.expire_fulfilment_hold_job",
    "delivery.dispatch": "okryu.delivery.jobs.dispatch_job",
    "orders.expire_door_order": "okryu.orders.jobs.expire_door_order_job",
    "catalog.expire_waitlist_offer": "okryu.catalog.jobs.expire_waitlist_offer_job",
}

# Abuse defences: sign-in, rate limits, request sizes, headers and staff sessions
# (docs/adr/0009-sign-in-defences-and-rate-limits.md says why each number is what it is).
AUTHENTICATION_BACKENDS = ["okryu.accounts.backends.GuardedModelBackend"]
# Rate-limit counters: Redis when there is one (atomic INCR), else database rows.
OKRYU_RATE_LIMIT_STORE = "cache" if REDIS_URL else "database"
# Proxies in front of the app servers that append the client to X-Forwarded-For (nginx: 1).
OKRYU_TRUSTED_PROXY_HOPS = environment.read_int("OKRYU_TRUSTED_PROXY_HOPS", default=0)
# Named limits, (count, window in seconds). "_account", "_card" and "_phone" count a person,
# a card or a phone number; "_address" is a generous ceiling for a whole district's address.
OKRYU_RATE_LIMITS: dict[str, tuple[int, int]] = {
    # Failed sign-ins: 3 free per account and address, then the progressive delay below;
    # 50 from all addresses together before the account's own delay; 1,000 failures an hour
    # from one address (3x the failures 1,000 people there make in a busy hour); one wrong
    # password on 20 accounts an hour is spraying.
    "sign_in_account_address": (3, 15 * 60),
    "sign_in_account": (50, 15 * 60),
    "sign_in_address": (1000, 60 * 60),
    "sign_in_password": (20, 60 * 60),
    "sign_up_phone": (3, 24 * 60 * 60),
    "sign_up_address": (200, 60 * 60),
    "token_account": (30, 60 * 60),
    "token_address": (3000, 60 * 60),
    "search_account": (60, 60),
    "search_address": (1200, 60),
    "qr_create_account": (60, 60 * 60),
    "qr_create_address": (3000, 60 * 60),
    # Anything that sends an SMS: placing and cancelling orders, paying a QR request.
    "sms_account": (30, 60 * 60),
    "sms_card": (30, 60 * 60),
    "sms_address": (5000, 60 * 60),
    # Phone verification codes: 5 an hour per account and per phone number is enough for
    # typos and a lost SMS, and too few to turn the SMS gateway on someone's phone.
    "phone_code_account": (5, 60 * 60),
    "phone_code_phone": (5, 60 * 60),
}
# After the free failures, a sign-in waits 5 s, then 10, 20 and at most 30 s after each
# failure: two or three guesses a minute per account, and never more than 30 s for its owner.
OKRYU_SIGN_IN_DELAY_SECONDS = 5
OKRYU_SIGN_IN_DELAY_MAX_SECONDS = 30
# Staff (operator, teller, supervisor): a TOTP second factor (off in the demo, on in
# production), a 15-minute idle timeout and API tokens that die after 15 idle minutes or a
# 10-hour shift.
OKRYU_STAFF_SECOND_FACTOR = environment.read_flag(
    "OKRYU_STAFF_SECOND_FACTOR", default=False
)
OKRYU_STAFF_IDLE_SECONDS = 15 * 60
OKRYU_STAFF_TOKEN_SECONDS = 10 * 60 * 60
OTP_TOTP_ISSUER = "Okryu"
# The admin never shows a device's secret (its QR code and otpauth URL): whoever can open the
# admin could otherwise copy a teller's second factor. A device is enrolled on its owner's page.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Request bodies, refused before they are read: the API's JSON, a page's form, and a
# signed-in person's upload (a product photo of at most 5 MiB and 12 megapixels: a phone's
# photo; 36 megapixels took 1.5 s of a core to decode).
OKRYU_API_BODY_BYTES_MAX = 256 * 1024
OKRYU_FORM_BODY_BYTES_MAX = 256 * 1024
OKRYU_UPLOAD_BODY_BYTES_MAX = 5 * 1024 * 1024 + 256 * 1024
OKRYU_PHOTO_BYTES_MAX = 5 * 1024 * 1024
OKRYU_PHOTO_PIXELS_MAX = 12_000_000
# The service worker (okryu/web/offline.py): its caches are named after the release, so a new
# release drops every page and price the older one saved; a page saved longer ago than the
# lifetime is marked as old when it is shown offline.
OKRYU_RELEASE = environment.read_text("OKRYU_RELEASE")
OKRYU_OFFLINE_PAGE_LIFETIME_SECONDS = environment.read_int(
    "OKRYU_OFFLINE_PAGE_LIFETIME_SECONDS", default=6 * 60 * 60
)
# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. Scripts and a
# service worker come from this origin only; images also as data: (the page's empty icon).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "worker-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
OKRYU_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
