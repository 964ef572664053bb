"""The servers bench/run.py loads: our stack (in memory, on Redis, optionally with several Sanic
workers), the cluster of bot/cluster.py (two Rasa servers behind nginx, Redis) and the plain
`rasa init --no-prompt` bot. Each is started once and stays up for every round of the bench."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.launcher import VENV_BIN, _stop, _wait_http, base_env, start_stack, stop_stack

# One conversation of our bot: greeting, safety check, a worry that starts the form, the form's
# questions, a crisis inside the form, an organisation question, goodbye.
OUR_SCRIPT = [
    "hallo",
    "/affirm",
    "ik maak me zorgen om mijn buurmeisje, ze moet drugs rondbrengen",
    "/affirm",
    "er staat nu iemand met een mes voor de deur",
    "/deny",
    "/deny",
    "wat doet Koraal?",
    "doei",
]
# One conversation of the `rasa init` mood bot.
BASELINE_SCRIPT = ["hello", "I am sad", "yes", "are you a bot?", "great", "bye"]
BASELINE = "rasa init (baseline)"
NAMES = {
    "memory": "ours, in memory",
    "redis": "ours, Redis",
    "workers": "ours, Redis, 2 Sanic workers",
    "cluster": "cluster (2 servers, nginx, Redis)",
    "baseline": BASELINE,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    config: str
    url: str
    script: List[str]
    roles: Dict[str, List[int]]  # "rasa", "actions", "other" -> pids whose CPU counts
    startup_s: float
    stop: Callable[[], None]
    note: str = ""
    cleanup: List[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return NAMES[self.config]


def _redis(port: int):
    from bot.redis_server import start_redis

    return start_redis(port)


def start_ours(config: str) -> Server:
    """Our stack as `make run` starts it (bot/launcher.py): in memory, or on a throw-away Redis."""
    env: Dict[str, str] = {"REDIS_URL": ""}  # "" keeps a REDIS_URL of the shell out of `memory`
    redis = None
    if config in ("redis", "workers"):
        redis_port = free_port()
        redis = _redis(redis_port)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    if config == "workers":
        env["SANIC_WORKERS"] = "2"  # Rasa allows more than one worker with a Redis lock store
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    start = time.monotonic()
    try:
        stack = start_stack(free_port(), free_port(), log_dir=logs, env=env, timeout=300)
    except Exception:
        _stop(redis)
        raise
    startup = time.monotonic() - start
    roles = {"rasa": [stack.rasa.pid], "actions": [stack.actions.pid]}
    if redis is not None:
        roles["other"] = [redis.pid]

    def stop():
        stop_stack(stack)
        _stop(redis)
        shutil.rmtree(logs, ignore_errors=True)

    return Server(config, stack.url, OUR_SCRIPT, roles, startup, stop)


def start_cluster_server() -> Server:
    from bot.cluster import start_cluster, stop_cluster

    start = time.monotonic()
    cluster = start_cluster(free_port(), [free_port(), free_port()], free_port(), free_port(), timeout=300)
    startup = time.monotonic() - start
    roles = {
        "rasa": [p.pid for p in cluster.rasa],
        "actions": [cluster.actions.pid],
        "other": [cluster.redis.pid, cluster.nginx.pid],
    }

    def stop():
        stop_cluster(cluster)
        shutil.rmtree(cluster.workdir, ignore_errors=True)

    return Server("cluster", cluster.url, OUR_SCRIPT, roles, startup, stop)


BASELINE_CREDENTIALS = """rest:
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""


def start_baseline(workdir: Optional[Path]) -> Server:
    """Train (once) and serve the plain `rasa init --no-prompt` bot (REST and socket.io on)."""
    keep = workdir is not None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-rasa-init-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**base_env(), "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("PYTHONPATH", None)
    note = ""
    if not any((workdir / "models").glob("*.tar.gz")):
        t = time.monotonic()
        subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(workdir)],
            cwd=workdir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        note = f"trained in {time.monotonic() - t:.0f} s"
    (workdir / "bench-credentials.yml").write_text(BASELINE_CREDENTIALS)
    port = free_port()
    start = time.monotonic()
    proc = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--port", str(port), "-i", "127.0.0.1", "--credentials", "bench-credentials.yml"],
        cwd=workdir,
        env=env,
        stdout=open(workdir / "rasa.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 300, proc, "baseline Rasa server")
    except Exception:
        _stop(proc)
        raise
    startup = time.monotonic() - start

    def stop():
        _stop(proc)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)

    return Server("baseline", f"http://127.0.0.1:{port}", BASELINE_SCRIPT, {"rasa": [proc.pid]}, startup, stop, note)


def start(config: str, baseline_dir: Optional[Path] = None) -> Server:
    if config in ("memory", "redis", "workers"):
        return start_ours(config)
    if config == "cluster":
        return start_cluster_server()
    if config == "baseline":
        return start_baseline(baseline_dir)
    raise ValueError(f"unknown configuration {config!r} ({', '.join(NAMES)})")
