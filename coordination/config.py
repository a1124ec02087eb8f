"""Configuration from the environment, with safe defaults for a developer's machine."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Sessions, CSRF tokens and "remember me" cookies are signed with the key: a short one can be guessed.
MIN_SECRET_KEY_BYTES = 32


def _secret_key(instance_path: Path) -> str:
    """Use COORDINATION_SECRET_KEY, or keep a random key in the instance folder for development."""
    if key := os.environ.get("COORDINATION_SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _codes(variable: str, default: str) -> tuple[str, ...]:
    """A comma-separated list of department codes from the environment."""
    return tuple(
        code.strip().upper() for code in os.environ.get(variable, default).split(",") if code.strip()
    )


def load(instance_path: Path) -> dict:
    """Settings for create_app; every value can be overridden by test_config."""
    environment = os.environ.get("COORDINATION_ENV", "development")
    production = environment == "production"
    if production:
        key = os.environ.get("COORDINATION_SECRET_KEY", "")
        if not key:
            raise RuntimeError("COORDINATION_SECRET_KEY must be set when COORDINATION_ENV=production")
        if len(key.encode()) < MIN_SECRET_KEY_BYTES:
            raise RuntimeError(
                f"COORDINATION_SECRET_KEY is {len(key.encode())} bytes long; production needs at least "
                f"{MIN_SECRET_KEY_BYTES} random bytes (make one with: python3 -c "
                "'import secrets; print(secrets.token_hex(32))')"
            )
    default_db = f"sqlite:///{instance_path / 'coordination.db'}"
    return {
        "COORDINATION_ENV": environment,
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "SQL_ECHO": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "LANGUAGES": {"en": "English", "nl": "Nederlands", "fr": "Français"},
        "API_TOKEN_LIFETIME": timedelta(days=30),
        "DEMO_PASSWORD": "demo-coordination",
        # Sign-in throttling (coordination.auth.throttle): this many failed sign-ins of one account, or from
        # one address, within the window refuse every sign-in of that account or address for the lockout
        # (an administrator can lift an account's lockout).
        "SIGN_IN_ACCOUNT_FAILURES": int(os.environ.get("COORDINATION_SIGN_IN_ACCOUNT_FAILURES", "5")),
        "SIGN_IN_ADDRESS_FAILURES": int(os.environ.get("COORDINATION_SIGN_IN_ADDRESS_FAILURES", "30")),
        "SIGN_IN_WINDOW": timedelta(minutes=float(os.environ.get("COORDINATION_SIGN_IN_WINDOW_MIN", "15"))),
        "SIGN_IN_LOCKOUT": timedelta(minutes=float(os.environ.get("COORDINATION_SIGN_IN_LOCKOUT_MIN", "15"))),
        # How many reverse proxies (a load balancer, nginx) stand before the app and set X-Forwarded-For
        # and X-Forwarded-Proto: the client address that throttling and the sign-in list see is the one the
        # nearest trusted proxy saw. 0 (the default) trusts no such header: a client could forge it.
        "TRUSTED_PROXIES": int(os.environ.get("COORDINATION_TRUSTED_PROXIES", "0")),
        # Maps draw shipped country shapes and need no outside server; a deployment with a tile server
        # may lay its tiles under them, e.g. https://tiles.example/{z}/{x}/{y}.png (the CSP allows it).
        "MAP_TILE_URL": os.environ.get("COORDINATION_MAP_TILE_URL", ""),
        # Need-to-know: information from these departments (Defence, which includes the Military
        # Intelligence Service) goes only to people of the sharing group. Development cooperation (DGD)
        # is a directorate of Foreign Affairs, so FA covers it.
        "BASE_URL": os.environ.get("COORDINATION_BASE_URL", "http://127.0.0.1:5000"),
        # E-mail: no SMTP_HOST means no e-mail is sent (notifications stay in the app).
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "") in ("1", "true", "yes"),
        "SMTP_SSL": os.environ.get("SMTP_SSL", "") in ("1", "true", "yes"),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Coordination <coordination@localhost>"),
        "DIGEST_HOUR": int(os.environ.get("COORDINATION_DIGEST_HOUR", "7")),
        # An early warning no receiving body has triaged after this many hours goes to the steering
        # group's chair and secretary (once).
        "EARLY_WARNING_ESCALATION_HOURS": float(os.environ.get("COORDINATION_ESCALATION_HOURS", "4")),
        "NEED_TO_KNOW_RESTRICTED_ORIGINS": _codes("COORDINATION_RESTRICTED_ORIGINS", "DEF"),
        "NEED_TO_KNOW_SHARING_GROUP": _codes("COORDINATION_SHARING_GROUP", "FA,DEF"),
        # bench/run.py only: registers POST /bench/reference (coordination/benchref.py), the ingest ceiling.
        "BENCH_REFERENCE": os.environ.get("COORDINATION_BENCH_REFERENCE", "") in ("1", "true", "yes"),
        # Attachments (coordination/attachments): files in this folder, outside the web root, unless a
        # bucket is named (S3-compatible, credentials from the usual AWS_* environment; needs the `s3` extra).
        # The size limit must stay under the request limit (inputs.MAX_REQUEST_BYTES, 16 MB).
        "ATTACHMENT_DIR": os.environ.get("COORDINATION_ATTACHMENT_DIR", str(instance_path / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("COORDINATION_ATTACHMENT_MAX_BYTES", str(10_000_000))),
        "ATTACHMENT_MAX_PER_OWNER": int(os.environ.get("COORDINATION_ATTACHMENT_MAX_PER_OWNER", "20")),
        "ATTACHMENT_S3_BUCKET": os.environ.get("COORDINATION_ATTACHMENT_S3_BUCKET", ""),
        "ATTACHMENT_S3_ENDPOINT_URL": os.environ.get("COORDINATION_ATTACHMENT_S3_ENDPOINT_URL", ""),
        "ATTACHMENT_S3_REGION": os.environ.get("COORDINATION_ATTACHMENT_S3_REGION", ""),
    }
