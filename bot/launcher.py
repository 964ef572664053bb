"""Start the action server and the Rasa server together; Ctrl-C stops both.

    python -m bot.launcher run     # REST on http://localhost:5005
    python -m bot.launcher shell   # a conversation in the terminal

Also used by the end-to-end tests (start_stack / stop_stack).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple


from bot.server_files import (  # noqa: F401  (re-exported for cluster, bench and tests)
    REDIS_KEY_PREFIX,
    api_args,
    channel_name,
    cors_args,
    redis_stores,
    session_expiry_seconds,
    write_credentials,
    write_endpoints,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "bot.tar.gz"


def base_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": str(ROOT),
            "SANIC_HOST": "127.0.0.1",  # the action server listens on localhost only
        }
    )
    return env


@dataclass
class Stack:
    actions: subprocess.Popen
    rasa: Optional[subprocess.Popen]
    rasa_port: int
    action_port: int
    workdir: Path
    channels: List[str] = field(default_factory=list)
    web: Optional[subprocess.Popen] = None
    web_port: Optional[int] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"


def _wait_http(url: str, timeout: float, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} stopped during start-up (exit code {proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{what} did not answer on {url} within {timeout:.0f} s")


def start_actions(port: int, workdir: Path, log=None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=base_env(),
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


class KeepRunning:
    """Starts a process again when it stops: at most `limit` times within `window` seconds, then
    it waits until the oldest restart is `window` seconds ago (it never gives up, so that the
    Rasa server, which answers crisis messages without the action server, keeps running)."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen], limit: int = 5, window: float = 60.0) -> None:
        self.name, self.start, self.limit, self.window = name, start, limit, window
        self.restarts: List[float] = []
        self.waiting = False

    def check(self, proc: subprocess.Popen) -> Tuple[subprocess.Popen, Optional[str]]:
        """(the process to keep, a line to print or None)."""
        if proc.poll() is None:
            return proc, None
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < self.window]
        if len(self.restarts) >= self.limit:
            if self.waiting:
                return proc, None
            self.waiting = True
            return proc, (
                f"the {self.name} stopped {self.limit} times within " f"{self.window:.0f} s; waiting before the next try"
            )
        self.waiting = False
        self.restarts.append(now)
        return self.start(), f"the {self.name} stopped (exit {proc.returncode}); started it again"


def start_actions_logged(port: int, workdir: Path, log_path: Path) -> subprocess.Popen:
    """start_actions, appending to log_path (the child keeps the file; ours is closed)."""
    with open(log_path, "a") as log:
        return start_actions(port, workdir, log)


def supervise(prefix: str, group, log_path: Path, must_run: Tuple[Tuple[str, subprocess.Popen], ...] = ()) -> None:
    """Until Ctrl-C or SIGTERM: start group.actions (the action server on group.action_port)
    again when it dies, as KeepRunning allows; return early when a process of must_run stops.
    group: a Stack or a Cluster."""
    stop = {"now": False}
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    keeper = KeepRunning("action server", lambda: start_actions_logged(group.action_port, group.workdir, log_path))
    while not stop["now"]:
        for name, proc in must_run:
            if proc.poll() is not None:
                print(f"[{prefix}] the {name} stopped (exit {proc.returncode}); see the logs", file=sys.stderr)
                return
        # Crisis answers never need the action server, so only it is started again.
        group.actions, said = keeper.check(group.actions)
        if said:
            print(f"[{prefix}] {said}; see {log_path}", file=sys.stderr, flush=True)
        time.sleep(0.5)


def start_rasa(
    port: int, endpoints: Path, creds: Path, env: dict, log, extra_args: Optional[List[str]] = None
) -> subprocess.Popen:
    """One `rasa run` on 127.0.0.1 with the trained model (API and CORS from env).

    Started through bot/serve.py: custom actions time out after ACTION_TIMEOUT s (default 10)
    and a failing one still gets the user an answer with 112 and Veilig Thuis.
    """
    return subprocess.Popen(
        [
            str(VENV_BIN / "python"),
            "-m",
            "bot.serve",
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(creds),
            "--port",
            str(port),
            "-i",
            "127.0.0.1",
            *api_args(env),
            *cors_args(env),
            *(extra_args or []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_stack(
    rasa_port: int = 5005,
    action_port: int = 5055,
    log_dir: Optional[Path] = None,
    extra_args: Optional[List[str]] = None,
    timeout: float = 180,
    env: Optional[dict] = None,
    web_port: Optional[int] = None,
) -> Stack:
    """Start the action server, the Rasa server and (with web_port) the widget's demo site.

    env: extra environment for the Rasa server (channel settings); also decides the channels.
    """
    workdir = Path(tempfile.mkdtemp(prefix="bot-run-"))
    log_dir = log_dir or workdir
    log_dir.mkdir(parents=True, exist_ok=True)
    alog = open(log_dir / "actions.log", "w")
    rlog = open(log_dir / "rasa.log", "w")
    from bot.channels.config import read_dotenv

    run_env = {**base_env(), **read_dotenv(), **(env or {})}
    actions = start_actions(action_port, workdir, alog)
    endpoints = write_endpoints(workdir, action_port, run_env)
    creds, enabled = write_credentials(workdir, run_env)
    if web_port and not run_env.get("CORS_ORIGINS"):
        run_env["CORS_ORIGINS"] = f"http://127.0.0.1:{web_port} http://localhost:{web_port}"
    rasa = start_rasa(rasa_port, endpoints, creds, run_env, rlog, extra_args)
    stack = Stack(actions, rasa, rasa_port, action_port, log_dir, channels=enabled)
    try:
        if web_port:
            from bot.web.server import start_web

            stack.web = start_web(web_port, stack.url, open(log_dir / "web.log", "w"))
            stack.web_port = web_port
        _wait_http(f"http://127.0.0.1:{action_port}/health", timeout, actions, "action server")
        _wait_http(f"{stack.url}/", timeout, rasa, "Rasa server")
        if web_port:
            _wait_http(f"http://127.0.0.1:{web_port}/", 30, stack.web, "web server")
    except Exception:
        stop_stack(stack)
        raise
    return stack


def _stop(proc: Optional[subprocess.Popen]) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop_stack(stack: Stack) -> None:
    _stop(stack.web)
    _stop(stack.rasa)
    _stop(stack.actions)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["run", "shell"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    parser.add_argument(
        "--web-port",
        type=int,
        default=int(os.environ.get("WEB_PORT", 8080)),
        help="port of the chat widget's demo page (0: no demo page)",
    )
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print("No trained model: run `make run` (it trains first).", file=sys.stderr)
        return 1
    if args.mode == "shell":
        workdir = Path(tempfile.mkdtemp(prefix="bot-shell-"))
        actions = start_actions(args.action_port, workdir, open(workdir / "actions.log", "w"))
        try:
            _wait_http(f"http://127.0.0.1:{args.action_port}/health", 60, actions, "action server")
            print("[run] Type a message in Dutch; /stop ends the conversation.", flush=True)
            return subprocess.call(
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "bot.serve",
                    "shell",
                    "--model",
                    str(MODEL),
                    "--endpoints",
                    str(write_endpoints(workdir, args.action_port)),
                ],
                cwd=ROOT,
                env=base_env(),
            )
        except KeyboardInterrupt:
            return 0
        finally:
            _stop(actions)
    print("[run] starting the action server and the Rasa server (30-60 s)...", flush=True)
    log_dir = ROOT / "logs"
    try:
        stack = start_stack(args.port, args.action_port, log_dir=log_dir, web_port=args.web_port or None)
    except RuntimeError as e:
        print(f"[run] {e}; see {log_dir}/rasa.log and {log_dir}/actions.log", file=sys.stderr)
        return 1
    print(
        f"""[run] the bot is ready. Channels: {", ".join(map(channel_name, stack.channels))}.
  REST:    curl -s {stack.url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
             -d '{{"sender": "demo", "message": "hoi"}}'
  Widget:  {f"http://127.0.0.1:{stack.web_port}/ (demo page with the chat widget)" if stack.web_port else "off"}
  Logs:    {log_dir}/rasa.log, {log_dir}/actions.log
  Stop:    Ctrl-C""",
        flush=True,
    )
    try:
        supervise("run", stack, log_dir / "actions.log", (("Rasa server", stack.rasa),))
    finally:
        print("\n[run] stopping...", flush=True)
        stop_stack(stack)
        print("[run] stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
