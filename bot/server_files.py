"""The files and arguments `rasa run` gets: endpoints.yml (action server, tracker and lock
stores), credentials.yml (the channels that are switched on), the HTTP API and CORS options.
Written into the run's work directory by bot/launcher.py and bot/cluster.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

REDIS_KEY_PREFIX = "meldcode"  # Rasa wants an alphanumeric prefix; keys: meldcode:tracker:<id>


def session_expiry_seconds() -> int:
    """The session expiry of domain.yml (session_config, minutes) in seconds; 30 min by default."""
    from bot import domain_files  # reads Rasa's importer: only when asked

    try:
        domain = domain_files.domain_dict()
        minutes = float((domain.get("session_config") or {}).get("session_expiration_time", 30))
    except (OSError, yaml.YAMLError, TypeError, ValueError):
        minutes = 30
    return int(minutes * 60) if minutes > 0 else 30 * 60


def redis_stores(redis_url: str) -> dict:
    """tracker_store and lock_store sections for endpoints.yml from a redis:// URL.

    The tracker expires after the session expiry of domain.yml, so nothing a user typed is kept
    longer than the session. Keys start with REDIS_KEY_PREFIX (env REDIS_KEY_PREFIX overrides).
    """
    from urllib.parse import unquote, urlparse

    url = urlparse(redis_url)
    if url.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, not {redis_url!r}")
    try:
        db = int((url.path or "/0").lstrip("/") or 0)
    except ValueError:
        raise ValueError(f"REDIS_URL: the database must be a number, not {url.path!r}") from None
    common = {
        "type": "redis",
        "url": url.hostname or "localhost",
        "port": url.port or 6379,
        "db": db,
        "key_prefix": os.environ.get("REDIS_KEY_PREFIX", REDIS_KEY_PREFIX),
    }
    if url.username:
        common["username"] = unquote(url.username)
    if url.password:
        common["password"] = unquote(url.password)
    if url.scheme == "rediss":
        common["use_ssl"] = True
    # The tracker store is Rasa's Redis store lending its last tracker (bot/stores.py).
    tracker_store = {**common, "type": "bot.stores.LendingRedisTrackerStore"}
    # The lock store takes two round trips per message instead of Rasa's seven (bot/locks.py).
    lock_store = {**common, "type": "bot.locks.QueueLockStore"}
    return {"tracker_store": {**tracker_store, "record_exp": session_expiry_seconds()}, "lock_store": lock_store}


def write_endpoints(workdir: Path, action_port: int, env: Optional[dict] = None) -> Path:
    """endpoints.yml: the action server, and Redis tracker and lock stores when REDIS_URL is set.

    Without REDIS_URL conversations stay in memory (the default for `make run`), in a store that
    forgets them after the session expiry (bot/stores.py), as Redis does with its TTL.
    env: where to look for REDIS_URL (default: os.environ).
    """
    # Selective domain: only the forms' validation actions get the domain (bot/serve.py, 8.).
    endpoints: dict = {
        "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook", "enable_selective_domain": True}
    }
    redis_url = (env if env is not None else os.environ).get("REDIS_URL", "").strip()
    if redis_url:
        endpoints.update(redis_stores(redis_url))
    else:
        endpoints["tracker_store"] = {
            "type": "bot.stores.ExpiringInMemoryTrackerStore",
            "record_exp": session_expiry_seconds(),
        }
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def api_args(env: Optional[dict] = None) -> List[str]:
    """Arguments for `rasa run` that switch on the HTTP API, only with a token (RASA_API_TOKEN).

    Without a token the API (/model/parse, /conversations/...) stays off: the channels only.
    """
    token = (env if env is not None else os.environ).get("RASA_API_TOKEN", "").strip()
    return ["--enable-api", "--auth-token", token] if token else []


def cors_args(env: Optional[dict] = None) -> List[str]:
    """`--cors` for `rasa run`: env CORS_ORIGINS (space or comma separated), default the demo site."""
    raw = (env if env is not None else os.environ).get("CORS_ORIGINS", "")
    origins = [o for o in raw.replace(",", " ").split() if o] or ["http://127.0.0.1:8080", "http://localhost:8080"]
    return ["--cors", *origins]


def channel_name(key: str) -> str:
    """The short name of a channel of credentials.yml ("bot.channels.rest_safe.SafeRestInput" -> "rest")."""
    if "." not in key:
        return key
    import importlib

    module, _, cls = key.rpartition(".")
    try:
        return getattr(importlib.import_module(module), cls).name()
    except (ImportError, AttributeError):
        return key


def write_credentials(workdir: Path, env: Optional[dict] = None) -> Tuple[Path, List[str]]:
    """credentials.yml for this run: REST and socket.io, plus configured team chats."""
    from bot.channels.config import credentials

    creds, enabled = credentials(env)
    path = workdir / "credentials.yml"
    path.write_text(yaml.safe_dump(creds, sort_keys=False))
    return path, enabled
